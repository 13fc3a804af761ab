"""JSON Schemas of the API's records and request bodies, for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from server.api.circles import CODES_MAX, KINDS, VISIBILITIES
from server.api.errors import STATUS
from server.api.posts import COMMENT_TEXT_MAX, POST_KINDS, POST_TEXT_MAX
from store import NAME_MAX, PASSWORD_MAX, PASSWORD_MIN

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
    "User": obj(
        ["id", "handle", "name"], id=STR, handle={**STR, "pattern": "^[a-z0-9_.-]{3,32}$"}, name=STR
    ),
    "Auth": obj(["token", "user"], token=STR, user=ref("User")),
    "Session": obj(
        ["id", "created", "last_used", "current"],
        id={**STR, "description": "opaque session id (neither the token nor its hash)"},
        created={**INT, "description": "login time, ms"},
        last_used={
            **INT,
            "description": "last use, ms; recorded at most once per QUANZI_TOKEN_TOUCH_HOURS",
        },
        current={**BOOL, "description": "the caller's own session"},
    ),
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
        last_rev={
            **INT,
            "description": "the rev of the circle's latest change: catch up with "
            "`GET /circles/{id}/events?after=` from here",
        },
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
            "edited",
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
        edited=nullable({**MS, "description": "when the text last changed (null: never)"}),
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
        ["acked", "pending", "counts", "next"],
        acked={
            "type": "array",
            "items": obj(["id", "name", "at"], id=STR, name=STR, at=MS),
            "description": "members of this page who acknowledged, earliest first",
        },
        pending={
            "type": "array",
            "items": obj(["id", "name"], id=STR, name=STR),
            "description": "members of this page who have not yet (the author is never asked)",
        },
        counts=obj(["acked", "pending"], acked=INT, pending=INT),
        next=nullable({**STR, "description": "cursor of the next page of members"}),
    ),
    "Event": {
        **obj(
            ["t", "circle", "rev", "ts", "kind"],
            t={"type": "string", "enum": ["event"]},
            circle=STR,
            rev={**INT, "description": "the change's place in the circle's log, from 1"},
            ts=MS,
            kind={
                **STR,
                "description": "post.created, post.promoted, post.edited, post.deleted, "
                "post.pinned, post.unpinned, pins.reordered, post.must_read, post.acked, "
                "post.liked, comment.added, comment.edited, comment.deleted, "
                "message.starred, message.vetoed, member.joined, member.left, "
                "member.removed, member.updated, circle.updated; accept kinds you do not "
                "know. Each kind's fields: protocol/README.md",
            },
        ),
        "additionalProperties": True,
    },
    "Events": obj(
        ["events", "last_rev", "next", "more", "reset"],
        events={"type": "array", "items": ref("Event")},
        last_rev={**INT, "description": "the circle's latest rev now"},
        next={**INT, "description": "pass as `after` for the next page"},
        more={**BOOL, "description": "more events follow: ask again with after=next"},
        reset={
            **BOOL,
            "description": "the log no longer reaches back to `after`: reload the circle",
        },
    ),
}

# A person's name (and a nickname): what store.validation.display_name takes.
_PERSON_NAME = (
    "one line of visible text, stored in Unicode NFC; control characters, "
    "bidirectional controls and zero-width characters (save a joiner inside an "
    "emoji) are refused with bad_request"
)

BODIES: dict[str, Schema] = {
    "signup": obj(
        ["handle", "password", "name"],
        handle={
            **STR,
            "pattern": "^[A-Za-z0-9_.-]{3,32}$",
            "description": "stored lower-cased: `Ann` is `ann`, and taken if `ann` is",
        },
        password={**STR, "minLength": PASSWORD_MIN, "maxLength": PASSWORD_MAX},
        name={**STR, "minLength": 1, "maxLength": NAME_MAX, "description": _PERSON_NAME},
    ),
    "login": obj(["handle", "password"], handle=STR, password=STR),
    "patch_me": obj(
        [], name={**STR, "minLength": 1, "maxLength": NAME_MAX, "description": _PERSON_NAME}
    ),
    "change_password": obj(
        ["old_password", "new_password"],
        old_password=STR,
        new_password={**STR, "minLength": PASSWORD_MIN, "maxLength": PASSWORD_MAX},
    ),
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
        nickname={
            **STR,
            "maxLength": 32,
            "description": f"an empty string clears it; {_PERSON_NAME}. One's own, or as an "
            "owner anyone's, as an admin a member's (not an owner's or another admin's)",
        },
    ),
    "create_post": obj(
        ["kind", "text"],
        kind={**STR, "enum": list(POST_KINDS), "description": "notice: owner/admin only"},
        text={**STR, "minLength": 1, "maxLength": POST_TEXT_MAX},
    ),
    "edit_post": obj(["text"], text={**STR, "minLength": 1, "maxLength": POST_TEXT_MAX}),
    "edit_comment": obj(["text"], text={**STR, "minLength": 1, "maxLength": COMMENT_TEXT_MAX}),
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
