"""The OpenAPI paths and bodies of make-up, leave, the review queue, reminders
and the CSV exports of check-in challenges (server/api/checkin_days.py,
server/api/challenge_csv.py)."""

from __future__ import annotations

from server.api.challenges import PAGE_MAX, REASON_MAX
from server.api.operations import V1, csv_answer, operation, page_params, path_param
from server.api.schemas import BOOL, STR, Schema, nullable, obj, ref
from store import CHECKIN_TEXT_MAX

_CHALLENGE = path_param("id", description="challenge id")
_CHECKIN = path_param("id", description="check-in id")
_DATE: Schema = {**STR, "format": "date", "description": "YYYY-MM-DD, a day of the circle's zone"}
_STANDING_ANSWER = obj(["checkin", "standing"], checkin=ref("CheckIn"), standing=ref("Standing"))
_PAGE = page_params(PAGE_MAX)


def _op(summary: str, answer: Schema | None, status: str = "200", **kw: object) -> Schema:
    return operation(summary, "challenges", answer, status, **kw)  # type: ignore[arg-type]


def _csv(summary: str) -> Schema:
    return csv_answer(_op(summary, None, errors="403 404", params=(_CHALLENGE,)), "the CSV")


CHECKIN_DAY_BODIES: dict[str, Schema] = {
    "make_up": obj(
        ["date"],
        date={**_DATE, "description": "the past day to make up"},
        text={**STR, "maxLength": CHECKIN_TEXT_MAX},
        attachments={"type": "array", "items": STR, "maxItems": 9},
    ),
    "grant_makeup": obj(
        ["user", "date", "reason"],
        user={**STR, "description": "the participant's user id"},
        date=_DATE,
        reason={**STR, "minLength": 1, "maxLength": REASON_MAX, "description": "≤ 512 bytes"},
    ),
    "take_leave": obj([], date={**_DATE, "description": "today (default) or a later day"}),
    "reject_checkin": obj([], reason={**STR, "maxLength": REASON_MAX}),
    "set_reminders": obj(["on"], on=BOOL),
}

CHECKIN_DAY_PATHS: dict[str, Schema] = {
    f"{V1}/challenges/{{id}}/makeups": {
        "post": _op(
            "Make up a past day (`makeup` true): 403 `makeup_strict`, `makeup_not_allowed`, "
            "`makeup_window` (params `days`), `makeup_quota` (params `quota`, `per`), "
            "`not_scheduled`, `not_joined`; 409 `already_checked_in`, `on_leave`; and the "
            "content rules of a check-in",
            _STANDING_ANSWER,
            "201",
            body="make_up",
            errors="403 404 409",
            params=(_CHALLENGE,),
        ),
    },
    f"{V1}/challenges/{{id}}/grants": {
        "post": _op(
            "Grant a participant a make-up of a past day (owners and admins), with a reason; "
            "counts at once, outside the window and quota; audited. 403 `makeup_strict`",
            _STANDING_ANSWER,
            "201",
            body="grant_makeup",
            errors="403 404 409",
            params=(_CHALLENGE,),
        ),
    },
    f"{V1}/challenges/{{id}}/leave": {
        "post": _op(
            "Take a leave day (today or later; neither breaks nor extends a streak): 403 "
            "`leave_strict`, `leave_not_allowed`, `leave_quota`, `leave_window`; 409 "
            "`already_checked_in`, `on_leave`",
            _STANDING_ANSWER,
            "201",
            body="take_leave",
            optional_body=True,
            errors="403 404 409",
            params=(_CHALLENGE,),
        ),
    },
    f"{V1}/challenges/{{id}}/pending": {
        "get": _op(
            "The review queue: pending check-ins, oldest first (owners and admins)",
            obj(
                ["checkins", "next"],
                checkins={"type": "array", "items": ref("CheckIn")},
                next=nullable(STR),
            ),
            errors="403 404",
            params=(_CHALLENGE, *_PAGE),
        ),
    },
    f"{V1}/challenges/{{id}}/reminders": {
        "put": _op(
            "Turn one's reminders of a challenge on or off",
            obj(["standing"], standing=ref("Standing")),
            body="set_reminders",
            errors="403 404",
            params=(_CHALLENGE,),
        ),
    },
    f"{V1}/checkins/{{id}}/approve": {
        "post": _op(
            "Approve a pending check-in (owners and admins): it counts from now; "
            "`checkin.reviewed`; 409 `not_pending`",
            _STANDING_ANSWER,
            errors="403 404 409",
            params=(_CHECKIN,),
        ),
    },
    f"{V1}/checkins/{{id}}/reject": {
        "post": _op(
            "Reject a pending check-in (owners and admins), optionally saying why; audited; "
            "`checkin.reviewed`; 409 `not_pending`",
            _STANDING_ANSWER,
            body="reject_checkin",
            optional_body=True,
            errors="403 404 409",
            params=(_CHECKIN,),
        ),
    },
    f"{V1}/challenges/{{id}}/export.csv": {
        "get": _csv(
            "Every participant's days as CSV (owners and admins): UTF-8 with a byte order "
            "mark; columns user_id, name, date, kind, state, on_time, makeup, leave, "
            "granted_by, invalidated_by, invalidated_by_name, reviewed_by, reason, time; "
            "streamed"
        ),
    },
    f"{V1}/challenges/{{id}}/completed.csv": {
        "get": _csv(
            "Who completed it, in order, as CSV (the deposit-refund list; owners and "
            "admins): rank, user_id, name, total, best, completed_at"
        ),
    },
}
