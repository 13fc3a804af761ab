"""Keeping ``search_docs`` (and with it the full-text index: store/search_schema.py)
in step with what it indexes, inside the transaction of each write.

Chat messages are indexed by the group commit, one executemany per batch
(`DOC_COLUMNS` rows from `BatchPlan.index_rows`); posts, comments and
attachment names by their own writes. An edit indexes the new text; a message
deleted, recalled or pruned, a post or comment deleted, an attachment
collected, leave the index with it. A text without a single token (only emoji,
say) has no row.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from .models import SEARCH_DOCS
from .search_schema import FTS_FILL, FTS_TABLE
from .search_tokens import tokens

KINDS = ("message", "post", "comment", "attachment")
# The columns of a row `add` inserts, in order (the group commit's tuples).
DOC_COLUMNS = ("circle_id", "kind", "ref", "seq", "post_id", "user_id", "ts", "body", "tokens")
Doc = tuple[str, str, str, int, str | None, str, int, str, str]


def doc(
    circle_id: str,
    kind: str,
    ref: str,
    seq: int,
    user_id: str,
    ts: int,
    body: str,
    post_id: str | None = None,
) -> Doc | None:
    """The row that makes ``body`` searchable; None when it has nothing to find."""
    found = tokens(body)
    if not found:
        return None
    return (circle_id, kind, ref, seq, post_id, user_id, ts, body, found)


async def add(conn: AsyncConnection, docs: Iterable[Doc | None]) -> None:
    """Insert rows (one statement for all of them; on SQLite one more for the FTS5 index)."""
    rows = [dict(zip(DOC_COLUMNS, d, strict=True)) for d in docs if d is not None]
    if not rows:
        return
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        last = (await conn.execute(select(func.max(SEARCH_DOCS.c.id)))).scalar()
    await conn.execute(SEARCH_DOCS.insert(), rows)
    if sqlite:
        await conn.exec_driver_sql(FTS_FILL, (last or 0,))


async def put(conn: AsyncConnection, new: Doc | None, kind: str, ref: str, seq: int = 0) -> None:
    """Index a changed text: its row replaced (or gone, when ``new`` is None)."""
    await remove(conn, kind, [ref], seq)
    await add(conn, [new])


async def remove(conn: AsyncConnection, kind: str, refs: Iterable[str], seq: int = 0) -> None:
    """Take things out of the index: messages of group ``refs[0]`` with ``seq``,
    or posts, comments, attachments by id."""
    refs = list(refs)
    if not refs:
        return
    await conn.execute(
        delete(SEARCH_DOCS).where(
            SEARCH_DOCS.c.kind == kind, SEARCH_DOCS.c.ref.in_(refs), SEARCH_DOCS.c.seq == seq
        )
    )


async def remove_messages(conn: AsyncConnection, group_id: str, seqs: Iterable[int]) -> None:
    """Some messages of a group (deleted, recalled, a deleted account's)."""
    seqs = list(seqs)
    if seqs:
        await conn.execute(
            delete(SEARCH_DOCS).where(
                SEARCH_DOCS.c.kind == "message",
                SEARCH_DOCS.c.ref == group_id,
                SEARCH_DOCS.c.seq.in_(seqs),
            )
        )


async def remove_messages_through(conn: AsyncConnection, group_id: str, last_seq: int) -> None:
    """A group's messages up to ``last_seq`` (retention)."""
    await conn.execute(
        delete(SEARCH_DOCS).where(
            and_(
                SEARCH_DOCS.c.kind == "message",
                SEARCH_DOCS.c.ref == group_id,
                SEARCH_DOCS.c.seq <= last_seq,
            )
        )
    )


async def remove_post(conn: AsyncConnection, post_id: str) -> None:
    """A post and every comment on it."""
    await remove(conn, "post", [post_id])
    await conn.execute(
        delete(SEARCH_DOCS).where(SEARCH_DOCS.c.kind == "comment", SEARCH_DOCS.c.post_id == post_id)
    )


# Pages of the FTS5 index merged per ``compact_some`` call (one short write each).
COMPACT_PAGES = 200


async def compact_some(conn: AsyncConnection, pages: int = COMPACT_PAGES) -> bool:
    """SQLite: merge up to ``pages`` pages of the FTS5 index's segments toward one.
    Deleting rows from FTS5 only adds delete markers; merging drops the old terms,
    and ``secure_delete`` zeroes the pages they were on — how a deleted account's
    words leave the file. True while there is more to merge (PostgreSQL: never)."""
    if conn.dialect.name != "sqlite":
        return False
    changes = text("SELECT total_changes()")
    before = (await conn.execute(changes)).scalar_one()
    merge = text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('merge', :pages)")
    await conn.execute(merge, {"pages": -pages})
    # FTS5: fewer than two changes means nothing was left to merge.
    return bool((await conn.execute(changes)).scalar_one() - before >= 2)
