"""Search in a circle: its chat, posts, comments and attachment names, in Chinese
as in English (store/search_tokens.py), ranked, paged, and only what the
searcher may read by the rules of the reads:

- chat: members, in the groups they may read, above their history floor
  (`group_access.access_of`, the one rule);
- posts and comments: as the feed (anyone for a public circle, members for a
  private one);
- attachment names: members (as `Attachments.get`);
- a private circle to a non-member, an unknown or deleted circle: ``NotFound``
  alike (a search tells nothing of what such a circle holds).

Deleted, recalled and pruned content is not in the index (store/search_index.py).
Results are ranked (bm25 on SQLite, ts_rank on PostgreSQL), then newest first,
keyset-paged on (rank, ts, row), among the newest ``CANDIDATES`` matches; a rank
moves a little as the index grows, so a page asked much later may repeat or skip
a result near its edge.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .engine import Database, Service
from .errors import Forbidden, Invalid, NotFound
from .group_access import access_of
from .ids import decode_cursor, encode_cursor
from .lookups import circle_row, display_names, require_visible, role_of
from .models import GROUPS, POSTS
from .records import AnyRow, Record, post_record, post_view
from .search_index import KINDS
from .search_snippets import snippet
from .search_tokens import QUERY_MAX, Term, fts5_query, query_terms, tsquery

PAGE_DEFAULT = 20
PAGE_MAX = 50
# The rank is kept as an integer (× this) so that pages are exact keysets.
RANK_SCALE = 1_000_000_000
_KEY = re.compile(r"(0|[1-9][0-9]{0,18})-(0|[1-9][0-9]{0,18})")

# Ranked among the newest matches the searcher may read: ranking every match of a
# common word in a million messages costs hundreds of ms; the newest 2,000, a few.
CANDIDATES = 2000

# FTS5 hands out the matches newest first (rowid order), each looked up and kept if
# the searcher may read it, until there are enough.
_SQLITE = (
    "SELECT d.id, d.kind, d.ref, d.seq, d.post_id, d.user_id, d.ts, d.body,"
    " CAST(-bm25(search_fts) * {scale} AS INTEGER) AS score"
    " FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid"
    " WHERE search_fts MATCH :q AND d.circle_id = :circle AND ({allowed})"
    " ORDER BY search_fts.rowid DESC LIMIT {cap}"
)
_POSTGRESQL = (
    "SELECT d.id, d.kind, d.ref, d.seq, d.post_id, d.user_id, d.ts, d.body,"
    " CAST(ts_rank(to_tsvector('simple'::regconfig, d.tokens),"
    " to_tsquery('simple'::regconfig, :q)) * {scale} AS BIGINT) AS score"
    " FROM search_docs d WHERE d.id IN (SELECT d.id FROM search_docs d"
    " WHERE to_tsvector('simple'::regconfig, d.tokens) @@ to_tsquery('simple'::regconfig, :q)"
    " AND d.circle_id = :circle AND ({allowed}) ORDER BY d.id DESC LIMIT {cap})"
)
_PAGE = (
    "SELECT * FROM ({inner}) r WHERE {after}"
    " ORDER BY r.score DESC, r.ts DESC, r.id DESC LIMIT :limit"
)
_AFTER = (
    "(r.score < :a_score OR (r.score = :a_score AND"
    " (r.ts < :a_ts OR (r.ts = :a_ts AND r.id < :a_id))))"
)


class Search(Service):
    def __init__(self, db: Database, index_now: Callable[[], Awaitable[None]]) -> None:
        super().__init__(db)
        # Chat reaches the index a little after its group commit (store/search_backlog.py):
        # this brings it up to date before a search reads it.
        self._index_now = index_now

    async def circle(
        self,
        circle_id: str,
        user_id: str | None,
        q: object,
        kind: str | None = None,
        cursor: str | None = None,
        limit: int = PAGE_DEFAULT,
    ) -> tuple[list[Record], str | None]:
        """A page of what matches ``q`` in the circle (of one ``kind`` if given),
        best first, and the cursor of the next page (None on the last). Each result:
        ``kind``, ``circle``, ``group``/``seq`` (message), ``post`` (post,
        comment), ``comment``, ``attachment``, ``author`` ``{id, name}``, ``ts``,
        ``snippet`` and ``marks`` (``[[start, end], …]``, code points into it).
        ``Invalid`` (empty or too long ``q``, bad kind, cursor or limit),
        ``NotFound`` (circle, or private and not a member)."""
        q = validation.text(q, "q", 1, QUERY_MAX)
        if kind is not None:
            kind = validation.choice(kind, "kind", KINDS)
        limit = validation.limit(limit, high=PAGE_MAX)
        after = _decode(cursor) if cursor is not None else None
        terms = query_terms(q)
        if terms and kind in (None, "message"):
            await self._index_now()
        async with self._db.read() as conn:
            circle = await _visible_circle(conn, circle_id, user_id)
            member = user_id is not None and await role_of(conn, circle.id, user_id) is not None
            if not terms:
                return [], None
            allowed, params = await _allowed(conn, circle, user_id, member, kind)
            if allowed is None:
                return [], None
            postgres = conn.dialect.name == "postgresql"
            inner = (_POSTGRESQL if postgres else _SQLITE).format(
                scale=RANK_SCALE, allowed=allowed, cap=CANDIDATES
            )
            params.update(
                q=tsquery(terms) if postgres else fts5_query(terms),
                circle=circle.id,
                limit=limit + 1,
            )
            if after is not None:
                params.update(a_score=after[0], a_ts=after[1], a_id=after[2])
            query = _PAGE.format(inner=inner, after=_AFTER if after is not None else "1 = 1")
            rows = (await conn.execute(text(query), params)).all()
            names = await display_names(conn, circle.id, {row.user_id for row in rows[:limit]})
        page = [_result(circle.id, row, names, terms) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = encode_cursor(int(last.score), f"{int(last.ts)}-{int(last.id)}")
        return page, next_cursor

    async def posts(
        self,
        circle_id: str,
        viewer_id: str | None,
        q: object,
        cursor: str | None = None,
        limit: int = PAGE_DEFAULT,
    ) -> tuple[list[Record], str | None]:
        """The feed filtered by ``q`` (``posts?q=``): the matching posts as the feed
        shows them, best match first; the cursor of the next page."""
        found, next_cursor = await self.circle(
            circle_id, viewer_id, q, kind="post", cursor=cursor, limit=limit
        )
        ids = [r["post"] for r in found]
        if not ids:
            return [], next_cursor
        async with self._db.read() as conn:
            query = post_view(viewer_id).where(POSTS.c.id.in_(ids), ~POSTS.c.deleted)
            rows = {row.id: post_record(row) for row in await conn.execute(query)}
        return [rows[i] for i in ids if i in rows], next_cursor


async def _visible_circle(conn: AsyncConnection, circle_id: str, user_id: str | None) -> AnyRow:
    if not isinstance(circle_id, str):
        raise NotFound("no such circle")
    circle = await circle_row(conn, circle_id)
    try:
        await require_visible(conn, circle, user_id)
    except Forbidden:
        raise NotFound("no such circle") from None
    return circle


async def _allowed(
    conn: AsyncConnection, circle: AnyRow, user_id: str | None, member: bool, kind: str | None
) -> tuple[str | None, dict[str, Any]]:
    """The SQL condition on ``d`` of what the searcher may find (None: nothing)."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    if member and user_id is not None and kind in (None, "message"):
        groups = (
            await conn.execute(select(*GROUPS.c).where(GROUPS.c.circle_id == circle.id))
        ).all()
        readable: list[str] = []
        for group in groups:
            try:
                access = await access_of(conn, circle, group, user_id)
            except Forbidden:
                continue
            n = len(readable)
            params[f"g{n}"], params[f"f{n}"] = access.group, access.floor
            readable.append(f"(d.ref = :g{n} AND d.seq > :f{n})")
        if readable:
            parts.append(f"(d.kind = 'message' AND ({' OR '.join(readable)}))")
    # The circle is visible to the searcher (checked): its posts and comments are.
    for shown in ("post", "comment"):
        if kind in (None, shown):
            parts.append(f"d.kind = '{shown}'")
    if member and kind in (None, "attachment"):
        parts.append("d.kind = 'attachment'")
    return (" OR ".join(parts) if parts else None), params


def _result(circle_id: str, row: Any, names: dict[str, str], terms: list[Term]) -> Record:
    cut, marks = snippet(row.body, terms)
    result: Record = {
        "kind": row.kind,
        "circle": circle_id,
        "author": {"id": row.user_id, "name": names.get(row.user_id, "")},
        "ts": int(row.ts),
        "snippet": cut,
        "marks": marks,
    }
    if row.kind == "message":
        result.update(group=row.ref, seq=int(row.seq))
    elif row.kind == "post":
        result["post"] = row.ref
    elif row.kind == "comment":
        result.update(comment=row.ref, post=row.post_id)
    else:
        result["attachment"] = row.ref
    return result


def _decode(cursor: object) -> tuple[int, int, int]:
    score, key = decode_cursor(cursor)
    match = _KEY.fullmatch(key)
    if match is None:
        raise Invalid("bad cursor")
    ts, doc_id = int(match[1]), int(match[2])
    if ts > validation.INT64_MAX or doc_id > validation.INT64_MAX:
        raise Invalid("bad cursor")
    return score, ts, doc_id
