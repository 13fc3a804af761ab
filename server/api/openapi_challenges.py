"""The OpenAPI paths, records and bodies of check-in challenges (README.md,
"Check-in challenges")."""

from __future__ import annotations

from server.api.challenges import PAGE_MAX, REASON_MAX
from server.api.operations import CIRCLE, V1, operation, page_params, path_param, query_param
from server.api.schemas import BOOL, INT, MS, STR, Schema, nullable, obj, ref
from store import CHECKIN_TEXT_MAX

_CHALLENGE = path_param("id", description="challenge id")
_CHECKIN = path_param("id", description="check-in id")
_DATE: Schema = {**STR, "format": "date", "description": "YYYY-MM-DD, a day of the circle's zone"}
_MINUTES: Schema = {**STR, "pattern": "^[0-2][0-9]:[0-5][0-9]$", "description": "HH:MM"}
_SCHEDULE = obj(
    ["every"],
    every={"type": "string", "enum": ["day", "weekdays", "dates"]},
    weekdays={
        "type": "array",
        "items": {**INT, "minimum": 0, "maximum": 6},
        "description": "0 = Monday",
    },
    dates={"type": "array", "items": _DATE},
    slot=obj(["from", "to"], **{"from": _MINUTES, "to": _MINUTES}),
)
_PAGE = page_params(PAGE_MAX)
_MEDIA_KINDS: Schema = {
    "type": "array",
    "items": {"type": "string", "enum": ["image", "video", "audio"]},
}


_RULES: dict[str, Schema] = {
    "makeup_days": {**INT, "minimum": 0, "description": "make-up look-back in days; 0: off"},
    "makeup_quota": {**INT, "minimum": 0, "description": "make-ups per member per period"},
    "makeup_per": {"type": "string", "enum": ["month", "challenge"]},
    "leave_days": {**INT, "minimum": 0, "description": "leave days per member; 0: none"},
    "strict": {**BOOL, "description": "deposit mode: no make-up, no leave"},
    "review": {**BOOL, "description": "check-ins wait as pending until approved"},
    "remind_at": nullable({**_MINUTES, "description": "the daily reminder, HH:MM; none: off"}),
    "nudge_at": nullable(
        {
            **_MINUTES,
            "description": "the evening's streak-at-risk nudge, HH:MM (default 20:00); null: off",
        }
    ),
}


def _op(summary: str, answer: Schema | None, status: str = "200", **kw: object) -> Schema:
    return operation(summary, "challenges", answer, status, **kw)  # type: ignore[arg-type]


CHALLENGE_SCHEMAS: dict[str, Schema] = {
    "Standing": obj(
        ["user", "joined", "streak", "streak_last", "best", "total", "completed", "completed_at"],
        user=STR,
        joined=MS,
        streak={**INT, "description": "the current run of scheduled days checked in"},
        streak_last=nullable(_DATE),
        best={**INT, "description": "the longest run"},
        total={**INT, "description": "valid days in all"},
        completed={**BOOL, "description": "computed by the server from required_days"},
        completed_at=nullable(MS),
        reminders={**BOOL, "description": "whether the member gets this challenge's reminders"},
    ),
    "Challenge": obj(
        [
            "id",
            "circle",
            "title",
            "description",
            "type",
            "schedule",
            "starts_on",
            "ends_on",
            "required_days",
            "min_text",
            "media_kinds",
            "created_by",
            "created",
            "participants",
            "status",
        ],
        id=STR,
        circle=STR,
        title=STR,
        description=STR,
        type={"type": "string", "enum": ["continuous", "accumulated"]},
        schedule=_SCHEDULE,
        starts_on=_DATE,
        ends_on=nullable(_DATE),
        required_days=nullable(INT),
        min_text=INT,
        media_kinds=_MEDIA_KINDS,
        created_by=STR,
        created=MS,
        participants=INT,
        status=nullable({"type": "string", "enum": ["upcoming", "ongoing", "over"]}),
        me={"anyOf": [ref("Standing"), {"type": "null"}], "description": "the caller's standing"},
        **_RULES,
        today=_DATE,
        checked_in_today=BOOL,
    ),
    "CheckIn": obj(
        [
            "id",
            "challenge",
            "circle",
            "user",
            "name",
            "date",
            "created",
            "edited",
            "text",
            "attachments",
            "state",
            "reason",
        ],
        id=STR,
        challenge=STR,
        circle=STR,
        user=STR,
        name=nullable(STR),
        date=_DATE,
        created=MS,
        edited=nullable(MS),
        text={**STR, "description": "empty once invalidated"},
        attachments={"type": "array", "items": ref("Attachment")},
        state={"type": "string", "enum": ["valid", "pending", "rejected", "invalidated"]},
        reason=nullable({**STR, "description": "why it was invalidated, rejected or granted"}),
        kind={"type": "string", "enum": ["checkin", "leave"]},
        makeup={**BOOL, "description": "a make-up (补卡) of a past day"},
        granted_by=nullable({**STR, "description": "the admin who granted the make-up"}),
        reviewed_by=nullable({**STR, "description": "who approved or rejected it"}),
        featured={**BOOL, "description": "精选: a highlight of the circle"},
    ),
    "BoardEntry": obj(
        ["rank", "user", "name", "streak", "best", "total", "completed"],
        rank=nullable(INT),
        user=STR,
        name=STR,
        streak=INT,
        best=INT,
        total=INT,
        completed=BOOL,
        completed_at=nullable(MS),
        featured={
            **INT,
            "description": "on the boards: the member's 精选 in this challenge (rule 5's second tie-break)",
        },
    ),
}

CHALLENGE_BODIES: dict[str, Schema] = {
    "create_challenge": obj(
        ["title"],
        title={**STR, "minLength": 1, "maxLength": 100},
        description={**STR, "maxLength": 2000},
        type={"type": "string", "enum": ["continuous", "accumulated"], "default": "accumulated"},
        schedule=_SCHEDULE,
        starts_on={**_DATE, "description": "default: today in the circle's zone"},
        ends_on=nullable({**_DATE, "description": "none: open-ended"}),
        required_days=nullable({**INT, "minimum": 1, "description": "none: nothing to complete"}),
        min_text={**INT, "minimum": 0, "maximum": 2000},
        media_kinds=_MEDIA_KINDS,
        **_RULES,
    ),
    "check_in": obj(
        [],
        text={**STR, "maxLength": CHECKIN_TEXT_MAX},
        attachments={"type": "array", "items": STR, "maxItems": 9},
    ),
    "invalidate_checkin": obj(["reason"], reason={**STR, "minLength": 1, "maxLength": REASON_MAX}),
}

_STANDING_ANSWER = obj(["checkin", "standing"], checkin=ref("CheckIn"), standing=ref("Standing"))
_ENTRIES = {"type": "array", "items": ref("BoardEntry")}

CHALLENGE_PATHS: dict[str, Schema] = {
    f"{V1}/circles/{{id}}/challenges": {
        "get": _op(
            "The circle's challenges, newest first, with the caller's standing",
            obj(
                ["challenges", "next"],
                challenges={"type": "array", "items": ref("Challenge")},
                next=nullable(STR),
            ),
            errors="403 404",
            params=(CIRCLE, *_PAGE),
        ),
        "post": _op(
            "Start a challenge (owners and admins); `challenge.created`",
            ref("Challenge"),
            "201",
            body="create_challenge",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/challenges/{{id}}": {
        "get": _op(
            "A challenge, its status and the caller's standing",
            ref("Challenge"),
            errors="403 404",
            params=(_CHALLENGE,),
        ),
    },
    f"{V1}/challenges/{{id}}/join": {
        "post": _op(
            "Join a challenge (members; idempotent); over: 409 `challenge_over`",
            obj(["standing"], standing=ref("Standing")),
            errors="403 404 409",
            params=(_CHALLENGE,),
        ),
    },
    f"{V1}/challenges/{{id}}/checkins": {
        "get": _op(
            "A day's check-ins (today by default), newest first",
            obj(
                ["checkins", "next"],
                checkins={"type": "array", "items": ref("CheckIn")},
                next=nullable(STR),
            ),
            errors="403 404",
            params=(_CHALLENGE, query_param("date", _DATE, "the day"), *_PAGE),
        ),
        "post": _op(
            "Check in today: 403 `not_joined`, `challenge_not_started`, `challenge_over`, "
            "`not_scheduled`, `window_not_open`, `window_closed`, `muted`; 409 "
            "`already_checked_in`, `duplicate_media`; 400 `text_too_short`, `media_required`",
            _STANDING_ANSWER,
            "201",
            body="check_in",
            optional_body=True,
            errors="403 404 409",
            params=(_CHALLENGE,),
        ),
    },
    f"{V1}/challenges/{{id}}/board": {
        "get": _op(
            "A board, best first (ties: who reached it first), with ranks and the caller's entry",
            obj(
                ["entries", "next", "me"],
                entries=_ENTRIES,
                next=nullable(STR),
                me={"anyOf": [ref("BoardEntry"), {"type": "null"}]},
            ),
            errors="403 404",
            params=(
                _CHALLENGE,
                query_param(
                    "by",
                    {"type": "string", "enum": ["streak", "total"], "default": "streak"},
                    "which board",
                ),
                *_PAGE,
            ),
        ),
    },
    f"{V1}/challenges/{{id}}/completed": {
        "get": _op(
            "Who completed it, in the order they did (the deposit-refund list)",
            obj(["entries", "next"], entries=_ENTRIES, next=nullable(STR)),
            errors="403 404",
            params=(_CHALLENGE, *_PAGE),
        ),
    },
    f"{V1}/challenges/{{id}}/missing": {
        "get": _op(
            "Participants not yet checked in today (owners and admins)",
            obj(["entries", "next", "count"], entries=_ENTRIES, next=nullable(STR), count=INT),
            errors="403 404",
            params=(_CHALLENGE, *_PAGE),
        ),
    },
    f"{V1}/challenges/{{id}}/calendar/{{user_id}}": {
        "get": _op(
            "A participant's days (`me`: the caller's) and standing",
            obj(
                ["days", "standing"],
                days={
                    "type": "array",
                    "items": obj(
                        ["date", "state", "id"],
                        date=_DATE,
                        state=STR,
                        id=STR,
                        kind=STR,
                        makeup=BOOL,
                    ),
                },
                standing={"anyOf": [ref("Standing"), {"type": "null"}]},
            ),
            errors="403 404",
            params=(_CHALLENGE, path_param("user_id", description="user id, or `me`")),
        ),
    },
    f"{V1}/checkins/{{id}}": {
        "patch": _op(
            "Edit one's own check-in until its slot closes (403 `window_closed`)",
            obj(["checkin"], checkin=ref("CheckIn")),
            body="check_in",
            errors="403 404 409",
            params=(_CHECKIN,),
        ),
    },
    f"{V1}/checkins/{{id}}/feature": {
        "post": _op(
            "精选: the check-in becomes a highlight of the circle with its provenance (owners and "
            "admins), once (`promoted`: this call made it); `post.promoted`; the member earns "
            "the `excellent` points; not counted: 409 `checkin_not_valid`",
            obj(
                ["checkin", "post", "promoted"],
                checkin=ref("CheckIn"),
                post=ref("Post"),
                promoted=BOOL,
            ),
            errors="403 404 409",
            params=(_CHECKIN,),
        ),
    },
    f"{V1}/checkins/{{id}}/invalidate": {
        "post": _op(
            "Take a check-in out of every count (owners and admins), with a reason; audited",
            _STANDING_ANSWER,
            body="invalidate_checkin",
            errors="403 404 409",
            params=(_CHECKIN,),
        ),
    },
}
