"""The OpenAPI paths, records and bodies of events — gatherings in the paths
(README.md, "Events")."""

from __future__ import annotations

from server.api.gatherings import PAGE_DEFAULT, PAGE_MAX, RSVPS_DEFAULT, RSVPS_MAX
from server.api.operations import (
    CIRCLE,
    V1,
    csv_answer,
    operation,
    page_params,
    path_param,
    query_param,
)
from server.api.schemas import BOOL, INT, LOCAL_TIME, MS, STR, Schema, nullable, obj, ref

_GATHERING = path_param("id", description="event (gathering) id")
_LOCAL = LOCAL_TIME
_ANSWER: Schema = {"type": "string", "enum": ["going", "maybe", "not_going"]}
_STATUS: Schema = {"type": "string", "enum": ["upcoming", "ongoing", "over", "cancelled"]}
_CSV_EXAMPLE = "\ufeffuser_id,name,answer,waiting,answered_at\r\n"


def _op(summary: str, answer: Schema | None, status: str = "200", **kw: object) -> Schema:
    return operation(summary, "events", answer, status, **kw)  # type: ignore[arg-type]


GATHERING_SCHEMAS: dict[str, Schema] = {
    "Rsvp": obj(["answer", "waiting", "at"], answer=_ANSWER, waiting=BOOL, at=MS),
    "Gathering": obj(
        [
            "id",
            "circle",
            "title",
            "description",
            "starts_at",
            "starts_local",
            "ends_at",
            "ends_local",
            "time_zone",
            "place",
            "link",
            "capacity",
            "remind_before_min",
            "created_by",
            "created",
            "cancelled",
            "going",
            "maybe",
            "not_going",
            "waiting",
            "status",
        ],
        id=STR,
        circle=STR,
        title=STR,
        description=STR,
        starts_at=MS,
        starts_local={**STR, "description": "YYYY-MM-DDTHH:MM on the circle's clock"},
        ends_at=nullable(MS),
        ends_local=nullable(STR),
        time_zone=STR,
        place=STR,
        link=nullable(STR),
        capacity=nullable({**INT, "description": "seats for `going`; beyond: the waiting list"}),
        remind_before_min=nullable(INT),
        created_by=STR,
        created=MS,
        cancelled=nullable(MS),
        going={**INT, "description": "seated"},
        maybe=INT,
        not_going=INT,
        waiting={**INT, "description": "going, on the waiting list"},
        status=_STATUS,
        me={"anyOf": [ref("Rsvp"), {"type": "null"}], "description": "the caller's answer"},
    ),
    "RsvpEntry": obj(
        ["user", "name", "answer", "waiting", "at"],
        user=STR,
        name=STR,
        answer=_ANSWER,
        waiting=BOOL,
        at=MS,
    ),
}

_FIELDS: dict[str, Schema] = {
    "title": {**STR, "minLength": 1, "maxLength": 100},
    "description": {**STR, "maxLength": 2000},
    "starts_at": _LOCAL,
    "ends_at": {"anyOf": [_LOCAL, {"type": "null"}]},
    "place": {**STR, "maxLength": 200},
    "link": nullable({**STR, "maxLength": 500, "description": "http(s) address"}),
    "capacity": nullable({**INT, "minimum": 1, "maximum": 100_000}),
    "remind_before_min": nullable(
        {**INT, "minimum": 1, "maximum": 10080, "description": "default 60 (a new event)"}
    ),
}

GATHERING_BODIES: dict[str, Schema] = {
    "create_gathering": obj(["title", "starts_at"], **_FIELDS),
    "update_gathering": obj([], **_FIELDS),
    "rsvp": obj(["answer"], answer=_ANSWER),
}

GATHERING_PATHS: dict[str, Schema] = {
    f"{V1}/circles/{{id}}/gatherings": {
        "get": _op(
            "The circle's events: `upcoming` (soonest first, cancelled ones marked) or `past` "
            "(latest first), each with the caller's answer",
            obj(
                ["gatherings", "next"],
                gatherings={"type": "array", "items": ref("Gathering")},
                next=nullable(STR),
            ),
            errors="403 404",
            params=(
                CIRCLE,
                query_param(
                    "when",
                    {"type": "string", "enum": ["upcoming", "past"], "default": "upcoming"},
                    "which events",
                ),
                *page_params(PAGE_MAX, PAGE_DEFAULT),
            ),
        ),
        "post": _op(
            "Announce an event (owners and admins); `gathering.created`",
            ref("Gathering"),
            "201",
            body="create_gathering",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/gatherings/{{id}}": {
        "get": _op(
            "An event, its counts and the caller's answer",
            ref("Gathering"),
            errors="403 404",
            params=(_GATHERING,),
        ),
        "patch": _op(
            "Change an event (owners and admins); a raised capacity seats who waits; "
            "`gathering.updated`; cancelled: 409 `gathering_cancelled`",
            ref("Gathering"),
            body="update_gathering",
            errors="403 404 409",
            params=(_GATHERING,),
        ),
    },
    f"{V1}/gatherings/{{id}}/cancel": {
        "post": _op(
            "Call an event off (owners and admins); `gathering.cancelled`",
            ref("Gathering"),
            errors="403 404 409",
            params=(_GATHERING,),
        ),
    },
    f"{V1}/gatherings/{{id}}/rsvp": {
        "put": _op(
            "Answer (members who may speak: 403 `muted`, `membership_ended`); going to a full "
            "event waits; 409 `gathering_cancelled`, `gathering_over`; `rsvp.changed`",
            obj(["gathering", "rsvp"], gathering=ref("Gathering"), rsvp=ref("Rsvp")),
            body="rsvp",
            errors="403 404 409",
            params=(_GATHERING,),
        ),
    },
    f"{V1}/gatherings/{{id}}/rsvps": {
        "get": _op(
            "Who answered, in the order they did (the waiting list: going with `waiting`)",
            obj(
                ["rsvps", "next"],
                rsvps={"type": "array", "items": ref("RsvpEntry")},
                next=nullable(STR),
            ),
            errors="403 404",
            params=(
                _GATHERING,
                query_param("answer", _ANSWER, "only this answer"),
                *page_params(RSVPS_MAX, RSVPS_DEFAULT),
            ),
        ),
    },
    f"{V1}/gatherings/{{id}}/rsvps.csv": {"get": None},
}


def _csv_export() -> Schema:
    op = _op(
        "Every answer as CSV (owners and admins): UTF-8 with a byte order mark, columns "
        "user_id, name, answer, waiting (yes/no), answered_at (ISO 8601, UTC)",
        None,
        errors="403 404",
        params=(_GATHERING,),
    )
    return csv_answer(op, "the answers", _CSV_EXAMPLE)


GATHERING_PATHS[f"{V1}/gatherings/{{id}}/rsvps.csv"] = {"get": _csv_export()}
