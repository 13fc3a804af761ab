"""The OpenAPI paths of posts: feed, catch-up, writing, comments, likes, pins,
must-reads and receipts (HTTP-API.md, "Posts")."""

from __future__ import annotations

from server.api.operations import (
    CIRCLE,
    V1,
    list_of,
    operation,
    page_params,
    path_param,
    query_param,
)
from server.api.posts import (
    COMMENTS_DEFAULT,
    COMMENTS_MAX,
    FEED_DEFAULT,
    FEED_MAX,
    MS_MAX,
    RECEIPTS_DEFAULT,
    RECEIPTS_MAX,
)
from server.api.schemas import INT, MS, STR, Schema, nullable, ref
from store import SEARCH_PAGE_MAX, SEARCH_QUERY_MAX

POST = path_param("id", description="post id")
# Told apart by `next`: a feed page always has it, a catch-up answer never.
_FEED = {
    "oneOf": [
        list_of("posts", "Post", next=nullable({**STR, "description": "cursor of the next page"})),
        {
            **list_of("posts", "PostOrTombstone"),
            "not": {"required": ["next"]},
            "description": "with `since`: changed posts, oldest change first (no `next`)",
        },
    ]
}


def _post_op(
    summary: str,
    answer: Schema | None,
    status: str = "200",
    body: str | None = None,
    errors: str = "",
    optional_body: bool = False,
    params: tuple[Schema, ...] = (),
) -> Schema:
    """An operation on one post, where 403 and 404 are always possible."""
    return operation(
        summary,
        "posts",
        answer,
        status,
        body,
        f"403 404 {errors}".strip(),
        (POST, *params),
        optional_body=optional_body,
    )


COMMENT = path_param("id", description="comment id")
_NEXT = nullable({**STR, "description": "cursor of the next page"})


POST_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/circles/{{id}}/posts": {
        "get": operation(
            "The feed: pinned posts first (in pin order), then newest; "
            "or, with `since`, every post created, changed or deleted after that time",
            "posts",
            _FEED,
            errors="403 404",
            params=(
                CIRCLE,
                query_param("cursor", STR, "the `next` of the previous page"),
                query_param(
                    "limit",
                    {**INT, "minimum": 1, "maximum": FEED_MAX, "default": FEED_DEFAULT},
                    "page size (pinned posts come on top of the first page)",
                ),
                query_param(
                    "since",
                    {**MS, "minimum": 0, "maximum": MS_MAX},
                    "catch up after a reconnect: posts whose `updated` is later, "
                    "deleted ones as tombstones; not with `cursor`",
                ),
                query_param(
                    "q",
                    {**STR, "maxLength": SEARCH_QUERY_MAX},
                    "only the posts matching these words (Chinese or English, as "
                    "`GET /circles/{id}/search`), best match first, no pins on top, "
                    f"at most {SEARCH_PAGE_MAX} a page; not with `since`",
                ),
            ),
        ),
        "post": operation(
            "Write a post (a notice: owner/admin)",
            "posts",
            ref("Post"),
            "201",
            "create_post",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/circles/{{id}}/pins": {
        "put": operation(
            "Reorder the pinned posts (owner/admin); members get `pins.reordered`",
            "posts",
            list_of("posts", "Post"),
            body="reorder_pins",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{V1}/posts/{{id}}": {
        "get": _post_op("One post", ref("Post")),
        "patch": _post_op(
            "Edit (author or owner/admin); a must-read must be acknowledged again; "
            "members get `post.edited`",
            ref("Post"),
            body="edit_post",
        ),
        "delete": _post_op(
            "Delete (author or owner/admin); deleting a highlight un-promotes it (owner/admin) "
            "and the chat message stays; members get `post.deleted` with the tombstone",
            None,
            status="204",
        ),
    },
    f"{V1}/posts/{{id}}/comments": {
        "get": _post_op(
            "A page of comments, oldest first",
            list_of("comments", "Comment", next=_NEXT),
            params=page_params(COMMENTS_MAX, COMMENTS_DEFAULT, "comments per page"),
        ),
        "post": _post_op(
            "Comment, or answer a top-level comment (one level)",
            ref("Comment"),
            status="201",
            body="add_comment",
        ),
    },
    f"{V1}/comments/{{id}}": {
        "patch": operation(
            "Edit a comment (its author, or owner/admin)",
            "posts",
            ref("Comment"),
            body="edit_comment",
            errors="403 404",
            params=(COMMENT,),
        ),
        "delete": operation(
            "Delete a comment and its replies (its author, or owner/admin)",
            "posts",
            None,
            "204",
            errors="403 404",
            params=(COMMENT,),
        ),
    },
    f"{V1}/posts/{{id}}/like": {
        "put": _post_op("Like (twice counts once)", ref("Likes")),
        "delete": _post_op("Withdraw a like", ref("Likes")),
    },
    f"{V1}/posts/{{id}}/pin": {
        "put": _post_op(
            "Pin (owner/admin; at most 10 per circle: 409 for the 11th); members get `post.pinned`",
            ref("Post"),
            body="pin",
            optional_body=True,
            errors="409",
        ),
        "delete": _post_op("Unpin (owner/admin); members get `post.unpinned`", ref("Post")),
    },
    f"{V1}/posts/{{id}}/must-read": {
        "put": _post_op("Flag must-read (owner/admin); members get `post.must_read`", ref("Post")),
        "delete": _post_op(
            "Clear must-read (owner/admin); members get `post.must_read`", ref("Post")
        ),
    },
    f"{V1}/posts/{{id}}/ack": {
        "put": _post_op(
            "Acknowledge the current version of a must-read (409 if it is not one)",
            ref("Post"),
            errors="409",
        ),
    },
    f"{V1}/posts/{{id}}/receipts": {
        "get": _post_op(
            "Who acknowledged a must-read, and who not yet (owner/admin), a page of "
            "members at a time, with the counts over the whole circle",
            ref("Receipts"),
            errors="409",
            params=page_params(RECEIPTS_MAX, RECEIPTS_DEFAULT, "members per page"),
        ),
    },
    f"{V1}/me/must-read": {
        "get": operation(
            "The caller's unacknowledged must-reads, over all circles",
            "posts",
            list_of("posts", "Post"),
        ),
    },
}
