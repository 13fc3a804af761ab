"""The OpenAPI path and record of search in a circle (README.md, "Search")."""

from __future__ import annotations

from server.api.operations import CIRCLE, V1, operation, query_param
from server.api.schemas import INT, MS, STR, Schema, nullable, obj
from server.api.search import SEARCH_DEFAULT
from store import SEARCH_KINDS, SEARCH_PAGE_MAX, SEARCH_QUERY_MAX

_ID = {**STR, "description": "present for its kind (see `kind`)"}

SEARCH_SCHEMAS: dict[str, Schema] = {
    "SearchResult": obj(
        ["kind", "circle", "author", "ts", "snippet", "marks"],
        kind={**STR, "enum": list(SEARCH_KINDS)},
        circle=STR,
        group={**_ID, "description": "a message's chat group (open it at `seq`)"},
        seq={**INT, "description": "a message's seq in its group"},
        post={**_ID, "description": "a post's id, or a comment's post"},
        comment={**_ID, "description": "a comment's id"},
        attachment={**_ID, "description": "an attachment's id (its name matched)"},
        author=obj(["id", "name"], id=STR, name=STR),
        ts={**MS, "description": "when it was written (uploaded)"},
        snippet={
            **STR,
            "description": "at most 160 characters of the text around the first match; "
            "`…` where it was cut",
        },
        marks={
            "type": "array",
            "description": "the matches in `snippet` as [start, end) offsets in Unicode "
            "code points (not UTF-16 units): mark them, never parse the text as HTML",
            "items": {"type": "array", "items": INT, "minItems": 2, "maxItems": 2},
        },
    ),
}

SEARCH_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/circles/{{id}}/search": {
        "get": operation(
            "Search the circle's chat, posts, comments and attachment names, in Chinese "
            "(a two-character word such as 作业 is found inside a sentence) or English "
            "(the last word as a prefix); best match first, then newest. Only what the "
            "caller may read: chat for members, in their groups, not from before they "
            "joined when the circle hides history; posts and comments as the feed; "
            "attachment names for members. A private circle to a non-member: 404",
            "posts",
            obj(
                ["results", "next"],
                results={"type": "array", "items": {"$ref": "#/components/schemas/SearchResult"}},
                next=nullable({**STR, "description": "cursor of the next page"}),
            ),
            errors="404",
            params=(
                CIRCLE,
                query_param(
                    "q",
                    {**STR, "minLength": 1, "maxLength": SEARCH_QUERY_MAX},
                    "the words (required; blank: 400)",
                ),
                query_param("kind", {**STR, "enum": list(SEARCH_KINDS)}, "only this kind"),
                query_param("cursor", STR, "the `next` of the previous page"),
                query_param(
                    "limit",
                    {**INT, "minimum": 1, "maximum": SEARCH_PAGE_MAX, "default": SEARCH_DEFAULT},
                    "page size",
                ),
            ),
        ),
    },
}
