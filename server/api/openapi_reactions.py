"""The OpenAPI paths and schemas of emoji reactions on chat messages and posts
(README.md, "Reactions")."""

from __future__ import annotations

from server.api.operations import V1, operation, path_param, query_param
from server.api.reactions import SEQ_MAX
from server.api.schemas import BOOL, INT, STR, Schema, obj, ref
from store import EMOJI_MAX, EMOJI_PER_TARGET, REACTIONS_RANGE_MAX

GROUP = path_param("id", description="group id (a circle's id: its general group)")
POST = path_param("id", description="post id")
SEQ = path_param("seq", {**INT, "minimum": 1})
EMOJI = path_param(
    "emoji",
    {**STR, "minLength": 1, "maxLength": EMOJI_MAX},
    "one emoji, URL-encoded (%F0%9F%91%8D for 👍): text, spaces and control characters are 400",
)
_RANGE = {**INT, "minimum": 1, "maximum": SEQ_MAX}
_COUNT = ref("ReactionCount")
_CAP = f"a message or post carries at most {EMOJI_PER_TARGET} different emoji (409)"

REACTION_SCHEMAS: dict[str, Schema] = {
    "ReactionCount": obj(
        ["emoji", "count", "mine"],
        emoji=STR,
        count={**INT, "description": "members who reacted with it"},
        mine={**BOOL, "description": "the caller is one of them"},
    ),
    "Reactions": {
        "type": "array",
        "items": ref("ReactionCount"),
        "description": "each emoji on it, in the order they were first given",
    },
    "Reacted": obj(
        ["emoji", "count", "mine"],
        emoji=STR,
        count={**INT, "description": "the emoji's count on it now"},
        mine={**BOOL, "description": "whether the caller's reaction is on it now"},
    ),
    "ReactionUsers": obj(
        ["emoji", "count", "users"],
        emoji=STR,
        count=INT,
        users={
            "type": "array",
            "items": obj(["id", "name"], id=STR, name=STR),
            "description": "who reacted, earliest first (at most 500 names per read)",
        },
    ),
}

_WHO = obj(["reactions"], reactions={"type": "array", "items": ref("ReactionUsers")})
_RANGE_ANSWER = obj(
    ["messages"],
    messages={
        "type": "array",
        "items": obj(["seq", "reactions"], seq=INT, reactions=ref("Reactions")),
        "description": "the messages of the range with any reaction, by seq",
    },
)


def _react(summary: str, target: Schema, errors: str, params: tuple[Schema, ...]) -> Schema:
    return operation(summary, "reactions", ref("Reacted"), errors=errors, params=(target, *params))


REACTION_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/groups/{{id}}/reactions": {
        "get": operation(
            "The reactions on a range of the group's messages the caller may read "
            f"(at most {REACTIONS_RANGE_MAX} seqs; both bounds required)",
            "reactions",
            _RANGE_ANSWER,
            errors="403 404",
            params=(
                GROUP,
                query_param("from_seq", _RANGE, "first seq of the range"),
                query_param("to_seq", _RANGE, "last seq of the range"),
            ),
        ),
    },
    f"{V1}/groups/{{id}}/messages/{{seq}}/reactions": {
        "get": operation(
            "Who reacted with what to a message (its readers)",
            "reactions",
            _WHO,
            errors="403 404",
            params=(GROUP, SEQ),
        ),
    },
    f"{V1}/groups/{{id}}/messages/{{seq}}/reactions/{{emoji}}": {
        "put": _react(
            f"React to a message one may read (twice counts once); {_CAP}",
            GROUP,
            "403 404 409",
            (SEQ, EMOJI),
        ),
        "delete": _react(
            "Withdraw one's reaction (one not given: nothing changes)",
            GROUP,
            "403 404",
            (SEQ, EMOJI),
        ),
    },
    f"{V1}/posts/{{id}}/reactions": {
        "get": operation(
            "Who reacted with what to a post (whoever may see it); the counts come "
            "with the post itself (`reactions`)",
            "reactions",
            _WHO,
            errors="403 404",
            params=(POST,),
        ),
    },
    f"{V1}/posts/{{id}}/reactions/{{emoji}}": {
        "put": _react(
            f"React to a post of one's circle (twice counts once); {_CAP}",
            POST,
            "403 404 409",
            (EMOJI,),
        ),
        "delete": _react(
            "Withdraw one's reaction (one not given: nothing changes)",
            POST,
            "403 404",
            (EMOJI,),
        ),
    },
}
