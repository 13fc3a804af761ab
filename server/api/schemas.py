"""JSON Schemas of the API's records and request bodies, for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from server.api.circles import CODES_MAX, KINDS, VISIBILITIES
from server.api.errors import STATUS
from server.api.posts import COMMENT_TEXT_MAX, POST_KINDS, POST_TEXT_MAX

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: list[str], **props: Schema) -> Schema:
    return {"type": "object", "required": required, "properties": props}


STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
MS: Schema = {"type": "integer", "description": "ms since the Unix epoch"}
KIND: Schema = {"type": "string", "enum": list(KINDS)}
VISIBILITY: Schema = {"type": "string", "enum": list(VISIBILITIES)}


def nullable(schema: Schema) -> Schema:
    return {**schema, "type": [schema["type"], "null"]}


SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        ["error"],
        error=obj(["code", "message"], code={"type": "string", "enum": list(STATUS)}, message=STR),
    ),
    "User": obj(["id", "handle", "name"], id=STR, handle=STR, name=STR),
    "Auth": obj(["token", "user"], token=STR, user=ref("User")),
    "Circle": obj(
        [
            "id",
            "name",
            "kind",
            "visibility",
            "description",
            "owner",
            "members",
            "promote_threshold",
            "created",
        ],
        id=STR,
        name=STR,
        kind=KIND,
        visibility=VISIBILITY,
        description=STR,
        owner={**STR, "description": "user id"},
        members={**INT, "description": "member count"},
        promote_threshold=INT,
        retention_messages={**INT, "description": "chat messages kept; older ones are pruned"},
        retention_days={**INT, "description": "days chat messages are kept"},
        history_for_new_members=BOOL,
        created=MS,
        last_seq=INT,
    ),
    "MyCircle": {
        "allOf": [
            ref("Circle"),
            obj(
                ["role", "nickname", "unread", "must_read_pending"],
                role=STR,
                nickname=nullable(STR),
                unread=INT,
                must_read_pending=INT,
            ),
        ]
    },
    "Member": obj(
        ["user", "role", "nickname", "name"],
        user={**STR, "description": "user id"},
        role={"type": "string", "enum": ["owner", "admin", "member"]},
        nickname=nullable(STR),
        name={**STR, "description": "display name in the circle: the nickname, else the user's"},
    ),
    "Code": obj(
        ["code", "max_uses", "uses", "expires"],
        code=STR,
        max_uses=nullable(INT),
        uses=INT,
        expires=nullable(MS),
    ),
    "Message": obj(
        ["circle", "seq", "ts", "from", "text", "nonce"],
        circle=STR,
        seq=INT,
        ts=MS,
        **{"from": obj(["id", "name"], id=STR, name=STR)},
        text=STR,
        nonce=STR,
        reply_to=nullable(INT),
    ),
}

_PERSON = obj(["id", "name"], id=STR, name={**STR, "description": "display name in the circle"})

SCHEMAS |= {
    "Post": obj(
        [
            "id",
            "circle",
            "kind",
            "author",
            "text",
            "created",
            "updated",
            "pinned",
            "must_read",
            "likes",
            "liked",
            "comments",
        ],
        id=STR,
        circle=STR,
        kind={
            **STR,
            "description": "highlight (a promoted chat message), post or notice; "
            "accept kinds you do not know",
        },
        author=_PERSON,
        text=STR,
        created=MS,
        updated={**MS, "description": "the last change; `since` compares with it"},
        pinned=BOOL,
        pin_order=nullable({**INT, "description": "place among the pinned posts, from 1"}),
        pinned_until=nullable({**MS, "description": "the pin removes itself at this time"}),
        must_read=BOOL,
        acked={**BOOL, "description": "the caller acknowledged the current version"},
        likes=INT,
        liked={**BOOL, "description": "the caller likes it"},
        comments={**INT, "description": "comment count"},
        source={
            **obj(["seq", "ts", "from"], seq=INT, ts=MS, **{"from": _PERSON}),
            "description": "for a highlight: the chat message it was promoted from",
        },
    ),
    "Tombstone": obj(
        ["id", "circle", "deleted", "updated"],
        id=STR,
        circle=STR,
        deleted={"type": "boolean", "enum": [True]},
        updated=MS,
    ),
    "PostOrTombstone": {"oneOf": [ref("Post"), ref("Tombstone")]},
    "Comment": obj(
        ["id", "post", "author", "text", "created", "reply_to"],
        id=STR,
        post=STR,
        author=_PERSON,
        text=STR,
        created=MS,
        reply_to=nullable({**STR, "description": "the top-level comment this answers"}),
    ),
    "Likes": obj(["likes", "liked"], likes=INT, liked=BOOL),
    "Receipts": obj(
        ["acked", "pending"],
        acked={
            "type": "array",
            "items": obj(["id", "name", "at"], id=STR, name=STR, at=MS),
        },
        pending={"type": "array", "items": obj(["id", "name"], id=STR, name=STR)},
    ),
}

BODIES: dict[str, Schema] = {
    "signup": obj(["handle", "password", "name"], handle=STR, password=STR, name=STR),
    "login": obj(["handle", "password"], handle=STR, password=STR),
    "patch_me": obj([], name=STR),
    "create_circle": obj(
        ["name", "kind", "visibility"],
        name=STR,
        kind=KIND,
        visibility=VISIBILITY,
        description=STR,
    ),
    "patch_circle": obj(
        [],
        name=STR,
        description=STR,
        promote_threshold={**INT, "minimum": 0, "description": "0 turns member promotion off"},
        retention_messages={**INT, "minimum": 1, "description": "chat messages kept"},
        retention_days={**INT, "minimum": 1, "description": "days chat messages are kept"},
        history_for_new_members={
            **BOOL,
            "description": "whether members see chat from before they joined",
        },
    ),
    "join": obj([], code={**STR, "description": "access code; needed for a private circle"}),
    "patch_member": obj(
        [],
        role={"type": "string", "enum": ["owner", "admin", "member"]},
        nickname={**STR, "description": "an empty string clears it"},
    ),
    "create_post": obj(
        ["kind", "text"],
        kind={**STR, "enum": list(POST_KINDS), "description": "notice: owner/admin only"},
        text={**STR, "minLength": 1, "maxLength": POST_TEXT_MAX},
    ),
    "edit_post": obj(["text"], text={**STR, "minLength": 1, "maxLength": POST_TEXT_MAX}),
    "add_comment": obj(
        ["text"],
        text={**STR, "minLength": 1, "maxLength": COMMENT_TEXT_MAX},
        reply_to={**STR, "description": "a top-level comment of the same post (one level)"},
    ),
    "pin": obj([], until={**MS, "description": "unpin by itself at this time (future)"}),
    "reorder_pins": obj(
        ["order"],
        order={
            "type": "array",
            "items": STR,
            "description": "every pinned post's id, in the wanted order",
        },
    ),
    "create_codes": obj(
        ["count"],
        count={**INT, "minimum": 1, "maximum": CODES_MAX},
        max_uses={**INT, "minimum": 1},
        expires_in_s={**INT, "minimum": 1},
    ),
}


HEALTH = obj(
    ["status", "database", "broker"],
    status={"type": "string", "enum": ["ok", "degraded"]},
    database=BOOL,
    broker=BOOL,
)
