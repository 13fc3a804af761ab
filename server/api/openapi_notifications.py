"""The OpenAPI paths and schemas of the notification inbox (README.md,
"Mentions and the notification inbox")."""

from __future__ import annotations

from server.api.notifications import PAGE_DEFAULT
from server.api.operations import V1, operation, path_param, query_param
from server.api.schemas import BOOL, INT, MS, STR, Schema, nullable, obj, ref
from store import NOTIFICATION_KINDS, NOTIFICATION_LEVELS, NOTIFICATIONS_PAGE_MAX

_LEVEL = {"type": "string", "enum": list(NOTIFICATION_LEVELS)}
_LEVELS_BY_KIND = {
    "type": "object",
    "propertyNames": {"enum": list(NOTIFICATION_KINDS)},
    "additionalProperties": nullable(_LEVEL),
}
_LEVELS_BY_CIRCLE = {"type": "object", "additionalProperties": nullable(_LEVEL)}
_HHMM = {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}
_UNREAD = obj(["unread"], unread={**INT, "description": "unread notifications now"})

NOTIFICATION_SCHEMAS: dict[str, Schema] = {
    "Notification": obj(
        ["id", "circle", "kind", "about", "created", "read"],
        id={**INT, "description": "grows with every notification: page and catch up by it"},
        circle=STR,
        kind={"type": "string", "enum": list(NOTIFICATION_KINDS)},
        about={
            "type": "object",
            "description": (
                "what to open: `circle` and, by kind, `group` and `seq` (a chat message), "
                "`post` (and `comment`), `assignment` and `submission` (a review: `state`, "
                "`grade`, `score`), `item` `{kind,id,title,at}` (a reminder), `action`, "
                "`reason`, `until` (moderation of the member), `report`, `target`, `outcome` "
                "(a report resolved), `state` (a join request decided); `excerpt` (at most "
                "140 characters), `actor` `{id,name}` (who set it off, name as in the "
                "circle) and `all` (true: by @all) where they apply"
            ),
        },
        created=MS,
        read=nullable({**MS, "description": "when it was marked read"}),
    ),
    "NotificationPage": obj(
        ["notifications", "more", "unread"],
        notifications={"type": "array", "items": ref("Notification")},
        more={**BOOL, "description": "more past this page (ask again from its last id)"},
        unread=INT,
    ),
    "Unread": _UNREAD,
    "NotificationSettings": obj(
        ["circles", "kinds", "quiet_from", "quiet_to", "time_zone", "language"],
        circles={**_LEVELS_BY_CIRCLE, "description": "level by circle id (absent: all)"},
        kinds={**_LEVELS_BY_KIND, "description": "level by kind (absent: all)"},
        quiet_from=nullable(_HHMM),
        quiet_to=nullable(_HHMM),
        time_zone={**STR, "description": "IANA zone of the quiet hours"},
        language={"type": "string", "enum": ["zh-CN", "en"]},
    ),
}

NOTIFICATION_BODIES: dict[str, Schema] = {
    "mark_notifications_read": {
        **obj(
            [],
            ids={"type": "array", "items": INT, "minItems": 1, "maxItems": 500},
            up_to={**INT, "description": "every notification up to this id"},
        ),
        "description": "ids, or up_to, or neither (all)",
    },
    "notification_settings": obj(
        [],
        circles={**_LEVELS_BY_CIRCLE, "description": "merged; null or all clears one"},
        kinds={**_LEVELS_BY_KIND, "description": "merged; null or all clears one"},
        quiet_from=nullable(_HHMM),
        quiet_to=nullable(_HHMM),
        time_zone=STR,
        language={"type": "string", "enum": ["zh-CN", "en"]},
    ),
}


def _op(summary: str, answer: Schema | None, **kw: object) -> Schema:
    return operation(summary, "notifications", answer, **kw)  # type: ignore[arg-type]


_ID = {**INT, "minimum": 0}

NOTIFICATION_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/me/notifications": {
        "get": _op(
            "The caller's notifications over every circle: newest first (`before` an id), "
            "or with `after` the ones after an id, oldest first (the catch-up after a "
            "reconnect); with the unread count",
            ref("NotificationPage"),
            params=(
                query_param("before", _ID, "older than this id"),
                query_param("after", _ID, "newer than this id (oldest first)"),
                query_param(
                    "limit",
                    {
                        **INT,
                        "minimum": 1,
                        "maximum": NOTIFICATIONS_PAGE_MAX,
                        "default": PAGE_DEFAULT,
                    },
                    "per page",
                ),
            ),
        ),
    },
    f"{V1}/me/notifications/unread": {
        "get": _op("The caller's unread count", ref("Unread")),
    },
    f"{V1}/me/notifications/read": {
        "post": _op(
            "Mark notifications read: `ids`, every one `up_to` an id, or (empty body) all; "
            "the caller's other tabs get `notifications_read`",
            ref("Unread"),
            body="mark_notifications_read",
            optional_body=True,
        ),
    },
    f"{V1}/me/notifications/{{id}}/read": {
        "post": _op(
            "Mark one notification read (another member's id changes nothing)",
            ref("Unread"),
            params=(path_param("id", _ID, "notification id"),),
        ),
    },
    f"{V1}/me/notifications/settings": {
        "get": _op("The caller's notification settings", ref("NotificationSettings")),
        "patch": _op(
            "Change notification settings: a level (all, mentions, none) per circle and per "
            "kind, quiet hours (HH:MM to HH:MM, both or neither) in an IANA time zone, the "
            "language of email and push",
            ref("NotificationSettings"),
            body="notification_settings",
        ),
    },
}
