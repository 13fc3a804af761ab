"""The OpenAPI 3.1 document of the HTTP API, written by hand to match HTTP-API.md.

A test walks the app's routing table and checks that every served route is
here and that nothing here is unserved.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.errors import STATUS
from server.api.responses import ok

Schema = dict[str, Any]


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: list[str], **props: Schema) -> Schema:
    return {"type": "object", "required": required, "properties": props}


STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
MS: Schema = {"type": "integer", "description": "ms since the Unix epoch"}
KIND: Schema = {"type": "string", "enum": ["internal", "business", "community", "teaching"]}
VISIBILITY: Schema = {"type": "string", "enum": ["public", "private"]}


def _nullable(schema: Schema) -> Schema:
    return {**schema, "type": [schema["type"], "null"]}


SCHEMAS: dict[str, Schema] = {
    "Error": _obj(
        ["error"],
        error=_obj(["code", "message"], code={"type": "string", "enum": list(STATUS)}, message=STR),
    ),
    "User": _obj(["id", "handle", "name"], id=STR, handle=STR, name=STR),
    "Auth": _obj(["token", "user"], token=STR, user=_ref("User")),
    "Circle": _obj(
        ["id", "name", "kind", "visibility", "description", "owner", "members"]
        + ["promote_threshold", "created"],
        id=STR,
        name=STR,
        kind=KIND,
        visibility=VISIBILITY,
        description=STR,
        owner={**STR, "description": "user id"},
        members={**INT, "description": "member count"},
        promote_threshold=INT,
        retention_messages=_nullable(INT),
        retention_days=_nullable(INT),
        history_for_new_members=BOOL,
        created=MS,
        last_seq=INT,
    ),
    "MyCircle": {
        "allOf": [
            _ref("Circle"),
            _obj(
                ["role", "nickname", "unread", "must_read_pending"],
                role=STR,
                nickname=_nullable(STR),
                unread=INT,
                must_read_pending=INT,
            ),
        ]
    },
    "Member": _obj(
        ["user", "role", "nickname", "name"],
        user={**STR, "description": "user id"},
        role={"type": "string", "enum": ["owner", "admin", "member"]},
        nickname=_nullable(STR),
        name={**STR, "description": "display name in the circle: the nickname, else the user's"},
    ),
    "Code": _obj(
        ["code", "max_uses", "uses", "expires"],
        code=STR,
        max_uses=_nullable(INT),
        uses=INT,
        expires=_nullable(MS),
    ),
    "Message": _obj(
        ["circle", "seq", "ts", "from", "text", "nonce"],
        circle=STR,
        seq=INT,
        ts=MS,
        **{"from": _obj(["id", "name"], id=STR, name=STR)},
        text=STR,
        nonce=STR,
        reply_to=_nullable(INT),
    ),
}

BODIES: dict[str, Schema] = {
    "signup": _obj(["handle", "password", "name"], handle=STR, password=STR, name=STR),
    "login": _obj(["handle", "password"], handle=STR, password=STR),
    "patch_me": _obj([], name=STR),
    "create_circle": _obj(
        ["name", "kind", "visibility"],
        name=STR,
        kind=KIND,
        visibility=VISIBILITY,
        description=STR,
    ),
    "patch_circle": _obj(
        [],
        name=STR,
        description=STR,
        promote_threshold={**INT, "minimum": 0, "description": "0 turns member promotion off"},
        retention_messages={**_nullable(INT), "description": "null: no limit"},
        retention_days={**_nullable(INT), "description": "null: no limit"},
        history_for_new_members={
            **BOOL,
            "description": "whether members see chat from before they joined",
        },
    ),
    "join": _obj([], code={**STR, "description": "access code; needed for a private circle"}),
    "patch_member": _obj([], role=STR, nickname=STR),
    "create_codes": _obj(
        ["count"],
        count={**INT, "minimum": 1, "maximum": 100},
        max_uses={**INT, "minimum": 1},
        expires_in_s={**INT, "minimum": 1},
    ),
}

_ERROR_TEXT = {
    "400": "bad_request: invalid JSON, wrong field types, missing fields, bad parameters",
    "401": "unauthenticated: no, bad or revoked bearer token",
    "403": "forbidden",
    "404": "not_found",
    "409": "conflict",
    "413": "too_big: the body is over 64 KiB",
}


def _json(schema: Schema) -> Schema:
    return {"content": {"application/json": {"schema": schema}}}


def _op(
    summary: str,
    tag: str,
    answer: Schema | None,
    status: str = "200",
    body: str | None = None,
    errors: str = "",
    params: tuple[Schema, ...] = (),
    public: bool = False,
) -> Schema:
    """One operation; ``errors`` lists its statuses besides 400, 401 and 500."""
    op: Schema = {"summary": summary, "tags": [tag]}
    if params:
        op["parameters"] = list(params)
    if body:
        op["requestBody"] = {"required": body != "join", **_json(_ref_body(body))}
    ok_response = {"description": "success"} | (_json(answer) if answer else {})
    statuses = ["400"] + ([] if public else ["401"]) + errors.split()
    if body:
        statuses.append("413")
    op["responses"] = {status: ok_response} | {
        s: {"$ref": f"#/components/responses/E{s}"} for s in sorted(set(statuses))
    }
    op["responses"]["500"] = {"$ref": "#/components/responses/E500"}
    if public:
        op["security"] = []
    return op


def _ref_body(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}_body"}


def _query(name: str, schema: Schema, description: str) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def _path(name: str, schema: Schema = STR) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _list(key: str, item: str, **extra: Schema) -> Schema:
    return _obj([key, *extra], **{key: {"type": "array", "items": _ref(item)}}, **extra)


HEALTH = _obj(
    ["status", "database", "broker"],
    status={"type": "string", "enum": ["ok", "degraded"]},
    database=BOOL,
    broker=BOOL,
)
CIRCLE = _path("id")
MEMBER = _path("user_id")
SEQ = _path("seq", {**INT, "minimum": 1})
V1 = "/api/v1"

PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/auth/signup": {
        "post": _op(
            "Create an account", "accounts", _ref("Auth"), "201", "signup", "409", public=True
        )
    },
    f"{V1}/auth/login": {
        "post": _op("Log in", "accounts", _ref("Auth"), body="login", errors="401", public=True)
    },
    f"{V1}/auth/logout": {
        "post": _op(
            "Revoke this token everywhere, open WebSockets included", "accounts", None, "204"
        )
    },
    f"{V1}/me": {
        "get": _op("The caller", "accounts", _ref("User")),
        "patch": _op("Rename the caller", "accounts", _ref("User"), body="patch_me"),
    },
    f"{V1}/me/circles": {
        "get": _op("The caller's circles", "accounts", _list("circles", "MyCircle")),
    },
    f"{V1}/circles": {
        "post": _op(
            "Create a circle; the caller owns it", "circles", _ref("Circle"), "201", "create_circle"
        ),
        "get": _op(
            "The public directory",
            "circles",
            _list("circles", "Circle", next=_nullable(STR)),
            params=(
                _query("q", STR, "search in names and descriptions"),
                _query("kind", KIND, "only circles of this kind"),
                _query("cursor", STR, "the `next` of the previous page"),
                _query("limit", {**INT, "minimum": 1, "maximum": 100, "default": 50}, "page size"),
            ),
        ),
    },
    f"{V1}/circles/{{id}}": {
        "get": _op(
            "A circle (a private one only to members)",
            "circles",
            _ref("Circle"),
            errors="403 404",
            params=(CIRCLE,),
        ),
        "patch": _op(
            "Change a circle (owner/admin)",
            "circles",
            _ref("Circle"),
            body="patch_circle",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/join": {
        "post": _op(
            "Join; a private circle needs a valid access code",
            "circles",
            _ref("Member"),
            body="join",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/leave": {
        "post": _op(
            "Leave (the last owner cannot)",
            "circles",
            None,
            "204",
            errors="404 409",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/members": {
        "get": _op(
            "Members with their display names",
            "circles",
            _list("members", "Member"),
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/members/{{user_id}}": {
        "patch": _op(
            "Role (owner/admin) or nickname (oneself or admin)",
            "circles",
            _ref("Member"),
            body="patch_member",
            errors="403 404",
            params=(CIRCLE, MEMBER),
        ),
        "delete": _op(
            "Remove a member (owner/admin)",
            "circles",
            None,
            "204",
            errors="403 404",
            params=(CIRCLE, MEMBER),
        ),
    },
    f"{V1}/circles/{{id}}/codes": {
        "post": _op(
            "Create access codes (owner/admin)",
            "circles",
            _list("codes", "Code"),
            "201",
            "create_codes",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/messages": {
        "get": _op(
            "Chat history, newest last (members only)",
            "circles",
            _list("messages", "Message", more=BOOL),
            errors="403 404",
            params=(
                CIRCLE,
                _query("before", {**INT, "minimum": 1}, "only messages with a smaller seq"),
                _query("limit", {**INT, "minimum": 1, "maximum": 200, "default": 50}, "page size"),
            ),
        ),
    },
    f"{V1}/circles/{{id}}/messages/{{seq}}/veto": {
        "put": _op(
            "Members' votes will not promote this message (owner/admin)",
            "circles",
            None,
            "204",
            errors="403 404",
            params=(CIRCLE, SEQ),
        ),
        "delete": _op(
            "Members' votes may promote it again (owner/admin)",
            "circles",
            None,
            "204",
            errors="403 404",
            params=(CIRCLE, SEQ),
        ),
    },
    f"{V1}/openapi.json": {
        "get": {
            "summary": "This document",
            "tags": ["meta"],
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1", **_json({"type": "object"})}},
        }
    },
    "/healthz": {
        "get": {
            "summary": "200 when the database answers, 503 otherwise",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {"description": "the database answers", **_json(HEALTH)},
                "503": {"description": "the database does not answer", **_json(HEALTH)},
            },
        }
    },
    "/metrics": {
        "get": {
            "summary": "Prometheus metrics",
            "tags": ["meta"],
            "security": [],
            "responses": {
                "200": {
                    "description": "text exposition format",
                    "content": {"text/plain": {"schema": STR}},
                }
            },
        }
    },
    "/ws": {
        "get": {
            "summary": "WebSocket upgrade: live chat and pushes (PROTOCOL.md)",
            "description": "An HTTP GET with `Upgrade: websocket`. Subprotocols `quanzi.v1.json` "
            "(the default when none is offered) and `quanzi.v1.msgpack`. The first frame is "
            "`hello` with a token from the HTTP API, so the upgrade itself needs no header.",
            "tags": ["meta"],
            "security": [],
            "parameters": [
                {
                    "name": "Upgrade",
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string", "enum": ["websocket"]},
                },
                {
                    "name": "Sec-WebSocket-Protocol",
                    "in": "header",
                    "required": False,
                    "schema": {"type": "string", "enum": ["quanzi.v1.json", "quanzi.v1.msgpack"]},
                },
            ],
            "responses": {
                "101": {"description": "switching protocols"},
                "403": {"description": "only unknown subprotocols were offered"},
            },
        }
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Quanzi HTTP API",
        "version": "1",
        "description": "Circles with live group chat and durable highlights. "
        "Ids are opaque strings; times are ms since the Unix epoch.",
    },
    "tags": [{"name": "accounts"}, {"name": "circles"}, {"name": "meta"}],
    "security": [{"bearer": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": SCHEMAS | {f"{name}_body": schema for name, schema in BODIES.items()},
        "responses": {
            f"E{status}": {"description": text, **_json(_ref("Error"))}
            for status, text in (_ERROR_TEXT | {"500": "internal"}).items()
        },
    },
}


async def serve(request: Request) -> Response:
    return ok(DOCUMENT)


routes = [Route("/openapi.json", serve, methods=["GET"])]
