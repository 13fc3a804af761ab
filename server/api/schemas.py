"""JSON Schemas of the API's records and request bodies, for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from server.api.circles import CODES_MAX, KINDS, VISIBILITIES
from server.api.errors import STATUS
from server.api.groups import MAX_MEMBERS_MAX, POSITION_MAX
from server.api.posts import COMMENT_TEXT_MAX, POST_KINDS, POST_TEXT_MAX
from store import (
    ATTACHMENT_ID_MAX,
    ATTACHMENTS_PER_OWNER,
    GROUP_ACCESS,
    GROUP_NAME_MAX,
    GROUP_ROLES,
    GROUP_SLOW_MODE_MAX_S,
    GROUP_TOPIC_MAX,
    NAME_MAX,
    PASSWORD_MAX,
    PASSWORD_MIN,
    SECTION_KEYS,
)

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: list[str], **props: Schema) -> Schema:
    return {"type": "object", "required": required, "properties": props}


# A membership's paid term (store/terms.py), only when it has one.
_TERM: dict[str, Schema] = {
    "ends_at": {"type": "integer", "description": "only with a paid term: read-only from then"},
    "removes_at": {"type": "integer", "description": "only with a paid term: removed then"},
}
# A paid access code's term (store/access_codes.py); both null: no end.
CODE_TERM: dict[str, Schema] = {
    "period_months": {"type": ["integer", "null"], "description": "months from redeeming"},
    "deadline": {"type": ["integer", "null"], "description": "everyone's end (ms)"},
    # A cohort (store/access_codes.py, server/api/cohorts.py).
    "period_days": {"type": ["integer", "null"], "description": "days from redeeming"},
    "batch": {"type": ["string", "null"], "description": "the batch it was made in"},
    "label": {"type": ["string", "null"], "description": "the cohort's label"},
    "group_id": {"type": ["string", "null"], "description": "the cohort's chat group"},
    "redeemed": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["user", "name", "redeemed"],
            "properties": {
                "user": {"type": "string"},
                "name": {"type": "string"},
                "redeemed": {"type": "integer", "description": "ms"},
            },
        },
        "description": "who redeemed it and when, oldest first (the first 5)",
    },
}


STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
MS: Schema = {"type": "integer", "description": "ms since the Unix epoch"}
# A time given on the circle's clock (store/calendar.parse_local_time).
LOCAL_TIME: Schema = {
    "anyOf": [
        {**STR, "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$"},
        {**INT, "minimum": 1},
    ],
    "description": "YYYY-MM-DDTHH:MM on the circle's clock (its time_zone), or ms since the epoch",
}
KIND: Schema = {"type": "string", "enum": list(KINDS)}
VISIBILITY: Schema = {"type": "string", "enum": list(VISIBILITIES)}
SECTION: Schema = {"type": "string", "enum": list(SECTION_KEYS)}


def nullable(schema: Schema) -> Schema:
    return {**schema, "type": [schema["type"], "null"]}


# What a message, a post or a comment carries (Attachment: openapi_uploads.py).
ATTACHMENTS = {"type": "array", "items": ref("Attachment"), "maxItems": ATTACHMENTS_PER_OWNER}
# Ids of the circle's uploads to attach (POST /circles/{id}/uploads answers them).
ATTACHMENT_IDS = {
    "type": "array",
    "items": {**STR, "minLength": 1, "maxLength": ATTACHMENT_ID_MAX},
    "maxItems": ATTACHMENTS_PER_OWNER,
    "uniqueItems": True,
    "description": "ids of the circle's attachments (uploads); with some, text may be "
    "empty or absent",
}

SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        ["error"],
        error=obj(
            ["code", "message"],
            code={"type": "string", "enum": list(STATUS)},
            message={**STR, "description": "English, for logs: clients show `reason`/`code`"},
            reason={
                **STR,
                "description": "a finer stable code some refusals carry, for the client to "
                "translate (handle_invalid, handle_taken, password_too_short, "
                "password_too_long, name_required, name_too_long, name_invalid, "
                "login_failed, login_wait, password_wrong, too_many_signups, "
                "too_many_logins, too_many_requests; protocol/README.md); more may come",
            },
            params={
                "type": "object",
                "additionalProperties": INT,
                "description": "numbers the reason's sentence needs: min, max, seconds",
            },
        ),
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
        follower_count={**INT, "description": "followers (not members: counted apart)"},
        following={
            **BOOL,
            "description": "whether the caller follows it (the circle and the directory)",
        },
        promote_threshold=INT,
        retention_messages={**INT, "description": "chat messages kept; older ones are pruned"},
        retention_days={**INT, "description": "days chat messages are kept"},
        history_for_new_members=BOOL,
        join_approval={
            **BOOL,
            "description": "a private circle that takes join requests (a code still admits)",
        },
        join_question={**STR, "description": "what a requester is asked (empty: nothing)"},
        time_zone={**STR, "description": "the circle's IANA time zone: its days (check-ins)"},
        day_closes_after={
            **INT,
            "description": "minutes after midnight a day stays open (720: until noon the next)",
        },
        quiet_from=nullable({**STR, "description": "quiet hours start, HH:MM (no reminders)"}),
        quiet_to=nullable({**STR, "description": "quiet hours end, HH:MM"}),
        sections={
            "type": "array",
            "items": SECTION,
            "description": "the sections members see, in order (the kind's template at "
            "creation; settings is always there). Presentation, not permission",
        },
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
                last_message={
                    "anyOf": [ref("LastMessage"), {"type": "null"}],
                    "description": "the newest message of the general group the caller may "
                    "read (null: none yet)",
                },
                last_activity={**MS, "description": "the last message's time, else joining"},
                muted_until={
                    **MS,
                    "description": "only while the caller is muted here: until when",
                },
                **_TERM,
            ),
        ]
    },
    "LastMessage": obj(
        ["group", "seq", "ts", "author", "author_name", "text"],
        group={**STR, "description": "the chat group (the circle's general group)"},
        seq=INT,
        ts=MS,
        author={**STR, "description": "user id"},
        author_name={**STR, "description": "display name in the circle"},
        text={**STR, "description": "the text, cut at 200 characters"},
        attachment_kinds={
            "type": "array",
            "items": STR,
            "description": "the kind of each attachment it carries (image, video, audio, file)",
        },
    ),
    "InvitePreview": obj(
        ["id", "name", "description", "kind", "visibility", "member_count"],
        id=STR,
        name=STR,
        description=STR,
        kind=KIND,
        visibility=VISIBILITY,
        member_count=INT,
        code_admits={**BOOL, "description": "the code given admits by itself (public: true)"},
        join_approval={
            **BOOL,
            "description": "no admitting code, but the circle takes join requests: ask",
        },
        join_question={**STR, "description": "what a requester is asked (empty: nothing)"},
    ),
    "Member": obj(
        ["user", "role", "nickname", "name"],
        user={**STR, "description": "user id"},
        role={"type": "string", "enum": ["owner", "admin", "member"]},
        nickname=nullable(STR),
        name={**STR, "description": "display name in the circle: the nickname, else the user's"},
        bot={**BOOL, "description": "only for a bot (docs/webhooks.md): always true"},
        muted_until={
            **MS,
            "description": "only while muted: until when (9007199254740991: until lifted)",
        },
        **_TERM,
    ),
    "Code": obj(
        ["code", "max_uses", "uses", "expires"],
        code=STR,
        max_uses=nullable(INT),
        uses=INT,
        expires=nullable(MS),
        **CODE_TERM,
    ),
    "Message": obj(
        ["circle", "seq", "ts", "from", "text", "nonce"],
        circle=STR,
        group={**STR, "description": "the chat group (the circle's id: its general group)"},
        seq=INT,
        ts=MS,
        **{"from": obj(["id", "name"], id=STR, name=STR)},
        text=STR,
        nonce=STR,
        reply_to=nullable(INT),
        attachments={**ATTACHMENTS, "description": "present only when it has some"},
        deleted={
            "type": "string",
            "enum": ["author", "admin", "account"],
            "description": "a tombstone (text empty, no attachments): recalled by its "
            "author, deleted by an admin, or erased with its author's deleted account; "
            "present only then",
        },
        edited={**MS, "description": "when its author last edited it; present only then"},
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
        reactions={
            **ref("Reactions"),
            "description": "emoji counts with the caller's own (the feed and GET /posts/{id} "
            "carry them; events do not: keep what you have)",
        },
        source={
            **obj(
                ["seq", "ts", "from"],
                group={**STR, "description": "the chat group it was said in"},
                seq=INT,
                ts=MS,
                **{"from": _PERSON},
            ),
            "description": "for a highlight: the chat message it was promoted from",
        },
        attachments={**ATTACHMENTS, "description": "a highlight's are its message's"},
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
        attachments=ATTACHMENTS,
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
                "member.removed, member.updated, circle.updated, group.created, "
                "group.updated, group.joined, group.left, group.requested, reaction.changed, "
                "poll.created, poll.voted, poll.closed; accept kinds you do not "
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

_GROUP_ACCESS: Schema = {
    "type": "string",
    "enum": list(GROUP_ACCESS),
    "description": "open: members join; request: a group admin approves; "
    "invite: a group admin adds",
}
_GROUP_ROLE: Schema = {"type": "string", "enum": list(GROUP_ROLES)}

SCHEMAS |= {
    "Group": obj(
        [
            "id",
            "circle",
            "name",
            "topic",
            "general",
            "access",
            "max_members",
            "read_only",
            "position",
            "archived",
            "created",
            "last_seq",
            "members",
        ],
        id={**STR, "description": "a circle's general group has the circle's id"},
        circle=STR,
        name=STR,
        topic=STR,
        general={**BOOL, "description": "the circle's general group: every member is in it"},
        access=_GROUP_ACCESS,
        max_members=nullable({**INT, "description": "the cap on members (null: none)"}),
        read_only={**BOOL, "description": "only its admins and the circle's owners/admins say"},
        slow_mode_s={
            **INT,
            "description": "slow mode: a member says once per this many seconds (0: off)",
        },
        position={**INT, "description": "the order of the circle's groups, lowest first"},
        archived={**BOOL, "description": "kept and readable, never written again"},
        created=MS,
        last_seq={**INT, "description": "the group's last chat seq"},
        members={**INT, "description": "member count"},
    ),
    "MyGroup": {
        "allOf": [
            ref("Group"),
            obj(
                ["joined", "role", "requested", "unread"],
                joined={**BOOL, "description": "the caller is a member of the group"},
                role=nullable({**_GROUP_ROLE, "description": "the caller's role in the group"}),
                requested={**BOOL, "description": "the caller's request awaits approval"},
                unread=nullable({**INT, "description": "unread messages (null: not joined)"}),
            ),
        ]
    },
    "GroupMember": obj(
        ["user", "name", "role", "approved"],
        user={**STR, "description": "user id"},
        name={**STR, "description": "display name in the circle"},
        role=_GROUP_ROLE,
        approved={**BOOL, "description": "false: a request to join (shown to group admins)"},
    ),
    "GroupStanding": obj(
        ["group", "user", "role", "approved"],
        group=STR,
        user={**STR, "description": "user id"},
        role=_GROUP_ROLE,
        approved={**BOOL, "description": "false: the request awaits a group admin"},
    ),
}

_GROUP_NAME: Schema = {**STR, "minLength": 1, "maxLength": GROUP_NAME_MAX}
_GROUP_TOPIC: Schema = {**STR, "maxLength": GROUP_TOPIC_MAX}
_MAX_MEMBERS: Schema = {
    **INT,
    "minimum": 0,
    "maximum": MAX_MEMBERS_MAX,
    "description": "cap on members, at least 2; 0: no cap",
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
        join_approval={
            **BOOL,
            "description": "a private circle takes join requests (its address is a "
            "request link; off revokes that)",
        },
        join_question={**STR, "maxLength": 500, "description": "asked of requesters"},
        time_zone={
            **STR,
            "maxLength": 64,
            "description": "an IANA time zone (Asia/Shanghai by default); past check-in "
            "days keep their dates",
        },
        day_closes_after={**INT, "minimum": 0, "maximum": 720, "description": "minutes"},
        quiet_from={**STR, "maxLength": 5, "description": "HH:MM; empty: no quiet hours"},
        quiet_to={**STR, "maxLength": 5, "description": "HH:MM; empty: no quiet hours"},
        sections={
            "type": "array",
            "items": SECTION,
            "minItems": 1,
            "uniqueItems": True,
            "description": "owners only: the sections members see, in order; the others "
            "are off (hidden in clients, not refused)",
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
    "delete_circle": obj(
        ["confirm"],
        confirm={**STR, "maxLength": 200, "description": "the circle's name, exactly as shown"},
    ),
    "create_post": obj(
        ["kind", "text"],
        kind={**STR, "enum": list(POST_KINDS), "description": "notice: owner/admin only"},
        text={**STR, "minLength": 1, "maxLength": POST_TEXT_MAX},
        attachments=ATTACHMENT_IDS,
    ),
    "edit_post": obj(["text"], text={**STR, "minLength": 1, "maxLength": POST_TEXT_MAX}),
    "edit_comment": obj(["text"], text={**STR, "minLength": 1, "maxLength": COMMENT_TEXT_MAX}),
    "add_comment": obj(
        ["text"],
        text={**STR, "minLength": 1, "maxLength": COMMENT_TEXT_MAX},
        reply_to={**STR, "description": "a top-level comment of the same post (one level)"},
        attachments=ATTACHMENT_IDS,
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
    "create_group": obj(
        ["name"],
        name=_GROUP_NAME,
        topic=_GROUP_TOPIC,
        access={**_GROUP_ACCESS, "default": "open"},
        max_members=_MAX_MEMBERS,
        read_only={**BOOL, "default": False},
    ),
    "patch_group": obj(
        [],
        name=_GROUP_NAME,
        topic=_GROUP_TOPIC,
        access={**_GROUP_ACCESS, "description": "circle owners/admins only; not general's"},
        max_members={
            **_MAX_MEMBERS,
            "description": f"{_MAX_MEMBERS['description']}; not general's",
        },
        read_only=BOOL,
        slow_mode_s={
            **INT,
            "minimum": 0,
            "maximum": GROUP_SLOW_MODE_MAX_S,
            "description": "one message per member per this many seconds (0: off)",
        },
        position={
            **INT,
            "minimum": 0,
            "maximum": POSITION_MAX,
            "description": "circle owners/admins only",
        },
        archived={**BOOL, "description": "circle owners/admins only; not general"},
    ),
    "edit_message": obj(["text"], text={**STR, "description": "the new text"}),
    "delete_message": obj(
        [], reason={**STR, "maxLength": 500, "description": "for the audit log (admins)"}
    ),
    "put_group_member": obj(
        [], role={**_GROUP_ROLE, "default": "member", "description": "the role in the group"}
    ),
    "create_codes": obj(
        ["count"],
        count={**INT, "minimum": 1, "maximum": CODES_MAX},
        max_uses={**INT, "minimum": 1},
        expires_in_s={**INT, "minimum": 1},
        period_months={
            **INT,
            "minimum": 1,
            "maximum": 120,
            "description": "a paid code: the membership ends this many calendar months "
            "after redeeming",
        },
        deadline={**MS, "description": "or a paid code whose members all end at this date"},
        period_days={
            **INT,
            "minimum": 1,
            "maximum": 3660,
            "description": "or a cohort's term: the membership ends this many days after "
            "redeeming (one of period_months, deadline, period_days)",
        },
        label={**STR, "maxLength": 80, "description": "the cohort's label, e.g. 2026 春季班"},
        group_id={
            **STR,
            "description": "a chat group of the circle (not its general one) each redeemer "
            "joins: the cohort's chat",
        },
    ),
}


HEALTH = obj(
    ["status", "database", "broker"],
    status={"type": "string", "enum": ["ok", "degraded"]},
    database=BOOL,
    broker=BOOL,
    # `python -m server --workers N`: which worker answered (null: one process),
    # and whether it runs the cluster-wide background jobs.
    worker=nullable(INT),
    background_jobs=BOOL,
)
