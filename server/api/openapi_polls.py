"""The OpenAPI paths, records and bodies of polls (README.md, "Polls")."""

from __future__ import annotations

from server.api.operations import V1, operation, path_param, query_param
from server.api.polls import LIST_DEFAULT
from server.api.schemas import BOOL, INT, MS, STR, Schema, nullable, obj, ref
from store import POLL_OPTION_MAX, POLL_OPTIONS_MAX, POLL_QUESTION_MAX, POLLS_LIST_MAX

_GROUP = path_param("id", description="group id (a circle's id: its general group)")
_POST = path_param("id", description="post id")
_POLL = path_param("id", description="poll id")
_ANSWER = obj(["poll"], poll=ref("Poll"))
_INDICES: Schema = {"type": "array", "items": {**INT, "minimum": 0}}

POLL_SCHEMAS: dict[str, Schema] = {
    "Poll": obj(
        [
            "id",
            "circle",
            "group",
            "seq",
            "post",
            "author",
            "question",
            "options",
            "multiple",
            "anonymous",
            "closes_at",
            "closed",
            "created",
            "counts",
            "voters",
        ],
        id=STR,
        circle=STR,
        group=nullable({**STR, "description": "the chat group of a chat poll"}),
        seq=nullable({**INT, "description": "its chat message's seq in the group"}),
        post=nullable({**STR, "description": "the post of a post poll"}),
        author={**STR, "description": "user id of who asked it"},
        question=STR,
        options={"type": "array", "items": STR},
        multiple={**BOOL, "description": "members may choose several options"},
        anonymous={**BOOL, "description": "nobody learns who voted for what"},
        closes_at=nullable({**MS, "description": "the deadline, if any"}),
        closed={**BOOL, "description": "closed, or past its deadline: no more votes"},
        created=MS,
        counts={"type": "array", "items": INT, "description": "votes per option"},
        voters={**INT, "description": "members who voted"},
        mine={**_INDICES, "description": "the caller's own choice (not in events)"},
    ),
    "PollVoter": obj(["user", "name", "options"], user=STR, name=STR, options=_INDICES),
}

# What every poll is asked with, in a group's chat or on a post.
_NEW_POLL: dict[str, Schema] = {
    "question": {**STR, "minLength": 1, "maxLength": POLL_QUESTION_MAX},
    "options": {
        "type": "array",
        "minItems": 2,
        "maxItems": POLL_OPTIONS_MAX,
        "items": {**STR, "minLength": 1, "maxLength": POLL_OPTION_MAX},
        "description": "distinct options",
    },
    "multiple": {**BOOL, "default": False},
    "anonymous": {**BOOL, "default": False},
    "closes_at": {**MS, "minimum": 1, "description": "a deadline in the future"},
}

POLL_BODIES: dict[str, Schema] = {
    "create_poll": obj(["question", "options"], **_NEW_POLL),
    "create_group_poll": obj(
        ["question", "options"],
        **_NEW_POLL,
        nonce={
            **STR,
            "minLength": 1,
            "maxLength": 64,
            "description": "idempotency key of its chat message: the same again "
            "returns the poll already made (409 if it named a message that asks none)",
        },
    ),
    "vote_poll": obj(
        ["options"],
        options={
            **_INDICES,
            "maxItems": POLL_OPTIONS_MAX,
            "description": "the caller's whole choice, replacing the last (single "
            "choice: at most one; empty: no vote)",
        },
    ),
}


def _op(summary: str, answer: Schema | None, status: str = "200", **kw: object) -> Schema:
    return operation(summary, "polls", answer, status, **kw)  # type: ignore[arg-type]


POLL_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/groups/{{id}}/polls": {
        "get": _op(
            "The group's polls, newest first (who may read the group), with counts "
            "and the caller's choice",
            obj(["polls"], polls={"type": "array", "items": ref("Poll")}),
            errors="403 404",
            params=(
                _GROUP,
                query_param(
                    "limit",
                    {**INT, "minimum": 1, "maximum": POLLS_LIST_MAX, "default": LIST_DEFAULT},
                    "how many",
                ),
            ),
        ),
        "post": _op(
            "Ask a poll in the group: its chat message says “📊 question” (who may "
            "say there); `seq` is that message's; a `nonce` of another message: 409",
            obj(["poll", "seq"], poll=ref("Poll"), seq=INT),
            "201",
            body="create_group_poll",
            errors="403 404 409",
            params=(_GROUP,),
        ),
    },
    f"{V1}/posts/{{id}}/poll": {
        "get": _op(
            "The post's poll, or null (members of its circle)",
            obj(["poll"], poll={"oneOf": [ref("Poll"), {"type": "null"}]}),
            errors="403 404",
            params=(_POST,),
        ),
        "post": _op(
            "Attach a poll to one's own post (one per post: 409)",
            _ANSWER,
            "201",
            body="create_poll",
            errors="403 404 409",
            params=(_POST,),
        ),
    },
    f"{V1}/polls/{{id}}": {
        "get": _op(
            "A poll with its counts and the caller's choice (`mine`)",
            _ANSWER,
            errors="403 404",
            params=(_POLL,),
        ),
    },
    f"{V1}/polls/{{id}}/votes": {
        "put": _op(
            "Set the caller's choice (closed or past its deadline: 409)",
            _ANSWER,
            body="vote_poll",
            errors="403 404 409",
            params=(_POLL,),
        ),
    },
    f"{V1}/polls/{{id}}/close": {
        "post": _op(
            "Close the poll (its author, or the circle's owners/admins); closed already: 409",
            _ANSWER,
            errors="403 404 409",
            params=(_POLL,),
        ),
    },
    f"{V1}/polls/{{id}}/voters": {
        "get": _op(
            "Who voted for what (not for an anonymous poll: 403)",
            obj(["voters"], voters={"type": "array", "items": ref("PollVoter")}),
            errors="403 404",
            params=(_POLL,),
        ),
    },
}
