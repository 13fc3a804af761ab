"""The OpenAPI paths, records and bodies of points (README.md, "Points")."""

from __future__ import annotations

from server.api.operations import (
    CIRCLE,
    V1,
    csv_answer,
    operation,
    page_params,
    path_param,
    query_param,
)
from server.api.points import BOARD_DEFAULT, BOARD_MAX, LEDGER_DEFAULT, LEDGER_MAX
from server.api.schemas import BOOL, INT, MS, STR, Schema, nullable, obj, ref
from store import POINT_ACTIONS, POINT_PERIODS

_RULES: Schema = {
    "type": "object",
    "properties": {a: {**INT, "minimum": -1000, "maximum": 1000} for a in POINT_ACTIONS},
    "additionalProperties": False,
    "description": "points per action (0: none)",
}
_CSV_EXAMPLE = "\ufefftime,user_id,name,action,points,source_kind,source_id\r\n"


def _op(summary: str, answer: Schema | None, status: str = "200", **kw: object) -> Schema:
    return operation(summary, "points", answer, status, **kw)  # type: ignore[arg-type]


POINT_SCHEMAS: dict[str, Schema] = {
    "PointRules": obj(
        ["rules", "exclude_managers", "updated"],
        rules=_RULES,
        exclude_managers={**BOOL, "description": "owners and admins earn nothing"},
        updated=nullable({**MS, "description": "when the table last changed (null: defaults)"}),
    ),
    "PointEntry": obj(
        ["id", "user", "action", "points", "source", "created"],
        id=STR,
        user=STR,
        action={**STR, "description": "an action, or `<action>_revoked` taking one back"},
        points=INT,
        source=obj(["kind", "id"], kind=STR, id=STR),
        created=MS,
    ),
    "PointsRow": obj(["rank", "user", "name", "points"], rank=INT, user=STR, name=STR, points=INT),
}

POINT_BODIES: dict[str, Schema] = {
    "set_point_rules": obj(["rules"], rules=_RULES, exclude_managers=BOOL),
}


def _csv_export() -> Schema:
    op = _op(
        "Every points entry as CSV (owners and admins), oldest first: UTF-8 with a byte "
        "order mark, columns time (ISO 8601, UTC), user_id, name, action, points, "
        "source_kind, source_id; streamed",
        None,
        errors="403 404",
        params=(CIRCLE,),
    )
    return csv_answer(op, "the ledger", _CSV_EXAMPLE)


POINT_PATHS: dict[str, Schema] = {
    f"{V1}/circles/{{id}}/points/rules": {
        "get": _op(
            "The circle's published points table",
            ref("PointRules"),
            errors="403 404",
            params=(CIRCLE,),
        ),
        "put": _op(
            "Change the table (owners and admins): from now on, never rewriting the ledger; "
            "stamped, audited, `points.rules`",
            ref("PointRules"),
            body="set_point_rules",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/points/board": {
        "get": _op(
            "The points board of a period on the circle's clock, best first (ties: who got "
            "there first), with the caller's row",
            obj(
                ["period", "entries", "next", "me"],
                period=STR,
                entries={"type": "array", "items": ref("PointsRow")},
                next=nullable(STR),
                me={"anyOf": [ref("PointsRow"), {"type": "null"}]},
            ),
            errors="403 404",
            params=(
                CIRCLE,
                query_param(
                    "period",
                    {"type": "string", "enum": list(POINT_PERIODS), "default": "all"},
                    "week (from Monday), month, or all time",
                ),
                *page_params(BOARD_MAX, BOARD_DEFAULT),
            ),
        ),
    },
    f"{V1}/circles/{{id}}/points/ledger/{{user_id}}": {
        "get": _op(
            "A member's entries, newest first, and their total (one's own: `me`; owners and "
            "admins: anyone's)",
            obj(
                ["entries", "next", "total"],
                entries={"type": "array", "items": ref("PointEntry")},
                next=nullable(STR),
                total=INT,
            ),
            errors="403 404",
            params=(
                CIRCLE,
                path_param("user_id", description="user id, or `me`"),
                *page_params(LEDGER_MAX, LEDGER_DEFAULT),
            ),
        ),
    },
    f"{V1}/circles/{{id}}/points.csv": {"get": _csv_export()},
}
