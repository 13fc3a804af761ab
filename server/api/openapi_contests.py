"""The OpenAPI paths, records and bodies of contests (README.md, "Contests")."""

from __future__ import annotations

from server.api.contests import PAGE_MAX
from server.api.operations import CIRCLE, V1, csv_answer, operation, path_param, query_param
from server.api.schemas import BOOL, INT, MS, STR, Schema, nullable, obj, ref

_CONTEST = path_param("id", description="contest id")
_ENTRY = path_param("id", description="entry id")
_TIME: Schema = {
    "anyOf": [{**STR, "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$"}, {**INT, "minimum": 1}],
    "description": "YYYY-MM-DDTHH:MM on the circle's clock, or ms since the epoch",
}
_WINDOWS = ("entries_open", "entries_close", "votes_open", "votes_close")


def _op(summary: str, answer: Schema | None, status: str = "200", **kw: object) -> Schema:
    return operation(summary, "contests", answer, status, **kw)  # type: ignore[arg-type]


CONTEST_SCHEMAS: dict[str, Schema] = {
    "ContestEntry": obj(
        ["id", "contest", "user", "name", "text", "attachments", "created", "votes", "rank"],
        id=STR,
        contest=STR,
        user=STR,
        name=STR,
        text=STR,
        attachments={"type": "array", "items": ref("Attachment")},
        created=MS,
        votes=nullable({**INT, "description": "null while the ranking is hidden"}),
        rank=nullable(
            {**INT, "description": "null: not ranked (hidden, or an excluded manager's)"}
        ),
    ),
    "Contest": obj(
        [
            "id",
            "circle",
            "title",
            "rules",
            *_WINDOWS,
            "local",
            "time_zone",
            "entries_per_member",
            "votes_per_member",
            "exclude_managers",
            "ranking",
            "joined_before_voting",
            "created_by",
            "created",
            "entries",
            "status",
            "announced_at",
            "announced_post",
        ],
        id=STR,
        circle=STR,
        title=STR,
        rules=STR,
        **{key: MS for key in _WINDOWS},
        local={
            "type": "object",
            "properties": {key: STR for key in _WINDOWS},
            "description": "the windows on the circle's clock",
        },
        time_zone=STR,
        entries_per_member=INT,
        votes_per_member=INT,
        exclude_managers=BOOL,
        ranking={"type": "string", "enum": ["live", "after_close"]},
        joined_before_voting=BOOL,
        created_by=STR,
        created=MS,
        entries=INT,
        status={"type": "string", "enum": ["upcoming", "entering", "voting", "closed"]},
        announced_at=nullable(MS),
        announced_post=nullable(STR),
        entries_list={"type": "array", "items": ref("ContestEntry")},
        my_votes={"type": "array", "items": STR},
    ),
}

CONTEST_BODIES: dict[str, Schema] = {
    "create_contest": obj(
        ["title", "entries_close", "votes_close"],
        title={**STR, "minLength": 1, "maxLength": 100},
        rules={**STR, "maxLength": 2000},
        entries_open={**_TIME, "description": "default: now"},
        entries_close=_TIME,
        votes_open={**_TIME, "description": "default: when entries close"},
        votes_close=_TIME,
        entries_per_member={**INT, "minimum": 1, "maximum": 50, "default": 1},
        votes_per_member={**INT, "minimum": 1, "maximum": 50, "default": 1},
        exclude_managers={**BOOL, "default": False},
        ranking={"type": "string", "enum": ["live", "after_close"], "default": "after_close"},
        joined_before_voting={**BOOL, "default": True},
    ),
    "enter_contest": obj(
        [],
        text={**STR, "maxLength": 2000},
        attachments={"type": "array", "items": STR, "maxItems": 9},
    ),
    "announce_contest": obj(
        [],
        text={**STR, "maxLength": 2000, "description": "the announcer's words above the winners"},
        places={**INT, "minimum": 1, "maximum": 10, "default": 3},
    ),
}

_VOTES = obj(
    ["contest", "entry", "my_votes"],
    contest=STR,
    entry=STR,
    my_votes={"type": "array", "items": STR},
)


def _csv_export() -> Schema:
    op = _op(
        "Every entry with its votes and rank as CSV (owners and admins; final once voting "
        "closed): UTF-8 with a byte order mark, columns rank, entry_id, user_id, name, votes, "
        "entered_at (ISO 8601, UTC), text, attachments (how many)",
        None,
        errors="403 404",
        params=(_CONTEST,),
    )
    return csv_answer(op, "the results")


CONTEST_PATHS: dict[str, Schema] = {
    f"{V1}/circles/{{id}}/contests": {
        "get": _op(
            "The circle's contests, newest first",
            obj(
                ["contests", "next"],
                contests={"type": "array", "items": ref("Contest")},
                next=nullable(STR),
            ),
            errors="403 404",
            params=(
                CIRCLE,
                query_param("cursor", STR, "the previous page's `next`"),
                query_param("limit", {**INT, "minimum": 1, "maximum": PAGE_MAX}, "page size"),
            ),
        ),
        "post": _op(
            "Open a contest (owners and admins); `contest.created`",
            ref("Contest"),
            "201",
            body="create_contest",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/contests/{{id}}": {
        "get": _op(
            "A contest with its entries (`entries_list`: ranked when the ranking shows) and the "
            "caller's votes",
            ref("Contest"),
            errors="403 404",
            params=(_CONTEST,),
        ),
    },
    f"{V1}/contests/{{id}}/entries": {
        "post": _op(
            "Enter (members who may speak): 403 `entries_not_open`, `entries_closed`; 409 "
            "`entries_used_up`; `contest.entered`",
            ref("ContestEntry"),
            "201",
            body="enter_contest",
            optional_body=True,
            errors="403 404 409",
            params=(_CONTEST,),
        ),
    },
    f"{V1}/contest-entries/{{id}}/vote": {
        "put": _op(
            "Vote for an entry: 403 `voting_not_open`, `voting_closed`, `own_entry`, "
            "`joined_too_late`; 409 `votes_used_up`; `contest.voted`",
            _VOTES,
            errors="403 404 409",
            params=(_ENTRY,),
        ),
        "delete": _op(
            "Take a vote back until voting closes (403 `voting_closed`)",
            _VOTES,
            errors="403 404",
            params=(_ENTRY,),
        ),
    },
    f"{V1}/contests/{{id}}/announce": {
        "post": _op(
            "Announce the winners once voting closed (owners and admins, once): a must-read "
            "notice, `contest_win` points; 409 `voting_open`, `already_announced`",
            obj(
                ["contest", "winners", "post"],
                contest=ref("Contest"),
                winners={"type": "array", "items": ref("ContestEntry")},
                post=STR,
            ),
            body="announce_contest",
            optional_body=True,
            errors="403 404 409",
            params=(_CONTEST,),
        ),
    },
    f"{V1}/contests/{{id}}/results.csv": {"get": _csv_export()},
}
