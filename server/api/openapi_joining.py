"""The OpenAPI paths, records and bodies of joining: join requests and access
codes as managers see them (README.md, "Joining")."""

from __future__ import annotations

from server.api.joining import PAGE_DEFAULT, PAGE_MAX
from server.api.operations import CIRCLE, NAME_QUERY, V1, operation, page_params, path_param
from server.api.schemas import CODE_TERM, INT, MS, STR, Schema, nullable, obj, ref

_USER = path_param("user_id", description="the requester's user id")
_CODE = path_param("code", description="the access code (any case)")
_PAGE = page_params(PAGE_MAX, PAGE_DEFAULT, "per page")

JOINING_SCHEMAS: dict[str, Schema] = {
    "JoinRequest": obj(
        ["circle", "user", "name", "state", "answer", "created", "decided", "reason"],
        circle=STR,
        user={**STR, "description": "the requester's user id"},
        name={**STR, "description": "the requester's name"},
        state={"type": "string", "enum": ["pending", "approved", "rejected"]},
        answer={**STR, "description": "their answer to the circle's question"},
        created=MS,
        decided=nullable(MS),
        reason=nullable({**STR, "description": "why it was rejected, if said"}),
    ),
    "ListedCode": obj(
        ["code", "max_uses", "uses", "expires", "created", "created_by", "revoked"],
        code=STR,
        max_uses=nullable(INT),
        uses=INT,
        expires=nullable(MS),
        created=MS,
        created_by=nullable({**STR, "description": "user id (null: made before 0014)"}),
        revoked=nullable({**MS, "description": "when it was revoked: it admits nobody"}),
        **CODE_TERM,
    ),
    "Redemption": obj(["user", "name", "redeemed"], user=STR, name=STR, redeemed=MS),
}

JOINING_BODIES: dict[str, Schema] = {
    "ask_to_join": obj([], answer={**STR, "maxLength": 1000, "default": ""}),
    "reject_request": obj([], reason={**STR, "maxLength": 500}),
}


def _op(summary: str, answer: Schema | None, status: str = "200", **kw: object) -> Schema:
    return operation(summary, "circles", answer, status, **kw)  # type: ignore[arg-type]


_REQUEST = ref("JoinRequest")

JOINING_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/circles/{{id}}/join-requests": {
        "get": _op(
            "Pending join requests, newest first, and how many wait (owner/admin)",
            obj(
                ["requests", "next", "pending"],
                requests={"type": "array", "items": _REQUEST},
                next=nullable(STR),
                pending=INT,
            ),
            errors="403 404",
            params=(CIRCLE, NAME_QUERY, *_PAGE),
        ),
        "post": _op(
            "Ask to join a private circle that takes requests (idempotent while pending; "
            "403 `requests_closed`, 409 `already_member`)",
            _REQUEST,
            "201",
            body="ask_to_join",
            optional_body=True,
            errors="403 404 409",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/join-requests/mine": {
        "get": _op(
            "The caller's own request, in any state (404: never asked)",
            _REQUEST,
            errors="404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/join-requests/{{user_id}}/approve": {
        "post": _op(
            "Approve a pending request: the user joins (owner/admin; 409 `request_decided`)",
            _REQUEST,
            errors="403 404 409",
            params=(CIRCLE, _USER),
        ),
    },
    f"{V1}/circles/{{id}}/join-requests/{{user_id}}/reject": {
        "post": _op(
            "Reject a pending request, with an optional reason (owner/admin)",
            _REQUEST,
            body="reject_request",
            optional_body=True,
            errors="403 404 409",
            params=(CIRCLE, _USER),
        ),
    },
    f"{V1}/circles/{{id}}/codes/{{code}}": {
        "delete": _op(
            "Revoke an access code (owner/admin; idempotent): it and its invite links "
            "admit nobody from now on",
            ref("ListedCode"),
            errors="403 404",
            params=(CIRCLE, _CODE),
        ),
    },
    f"{V1}/circles/{{id}}/codes/{{code}}/redemptions": {
        "get": _op(
            "Who joined with the code and when, newest first (owner/admin)",
            obj(
                ["redemptions", "next"],
                redemptions={"type": "array", "items": ref("Redemption")},
                next=nullable(STR),
            ),
            errors="403 404",
            params=(CIRCLE, _CODE, *_PAGE),
        ),
    },
}
