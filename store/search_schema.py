"""The full-text index over ``search_docs.tokens``: each database's own, built by
migration 0016 (and for a database from before migrations, by `migrate.upgrade`).

- SQLite: an FTS5 table ``search_fts`` with ``search_docs`` as its external
  content (``unicode61`` splits the space-separated tokens; diacritics kept, as
  on PostgreSQL). New rows are added to it by the writer that inserts them, in
  the same transaction, with one ``INSERT … SELECT`` over the rows just written
  (`FTS_FILL`: under half the CPU of an insert trigger, which fires row by row);
  deletes and updates reach it by trigger, whoever makes them. Ranked with ``bm25``.
- PostgreSQL: a GIN index on ``to_tsvector('simple', tokens)`` (``simple``: no
  stemming, no stop words — the tokens are already what they should be), ranked
  with ``ts_rank``.

Neither is in the models (`OUTSIDE_MODELS`: the schema comparison leaves them out).
``backfill`` indexes what was written before the index existed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from .search_tokens import tokens

FTS_TABLE = "search_fts"
TSV_INDEX = "ix_search_docs_tsv"
# The index's parts no model describes (FTS5 keeps its own shadow tables).
OUTSIDE_MODELS = (FTS_TABLE, TSV_INDEX)

_SQLITE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(tokens,"
    " content='search_docs', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER IF NOT EXISTS search_docs_ad AFTER DELETE ON search_docs BEGIN"
    f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, tokens) VALUES ('delete', old.id, old.tokens);"
    " END",
    "CREATE TRIGGER IF NOT EXISTS search_docs_au AFTER UPDATE ON search_docs BEGIN"
    f" INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, tokens) VALUES ('delete', old.id, old.tokens);"
    f" INSERT INTO {FTS_TABLE}(rowid, tokens) VALUES (new.id, new.tokens); END",
)
# The rows of search_docs past ``id`` into the FTS5 index (SQLite, after inserting them).
FTS_FILL = f"INSERT INTO {FTS_TABLE}(rowid, tokens) SELECT id, tokens FROM search_docs WHERE id > ?"
_FTS_REBUILD = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"

_POSTGRESQL = (
    f"CREATE INDEX IF NOT EXISTS {TSV_INDEX} ON search_docs"
    " USING gin (to_tsvector('simple'::regconfig, tokens))",
)


def is_outside_models(name: str | None) -> bool:
    """A table or index of the full-text index (FTS5's shadow tables included)."""
    return name is not None and name.startswith(OUTSIDE_MODELS)


def create(conn: Connection) -> None:
    """Create the dialect's full-text index (nothing if it exists)."""
    ddl = _SQLITE if conn.dialect.name == "sqlite" else _POSTGRESQL
    for statement in ddl:
        conn.execute(text(statement))


def drop(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for trigger in ("search_docs_ad", "search_docs_au"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
        conn.execute(text(f"DROP TABLE IF EXISTS {FTS_TABLE}"))
    else:
        conn.execute(text(f"DROP INDEX IF EXISTS {TSV_INDEX}"))


# What was searchable before the index: live messages, posts and comments, and
# attachment names, of circles not deleted. Each with (circle, kind, ref, seq,
# post, user, ts, body) and a keyset (k1, k2) to read it in chunks.
_SOURCES = (
    "SELECT g.circle_id AS c, 'message' AS kind, m.group_id AS ref, m.seq AS seq, NULL AS post,"
    " m.user_id AS u, m.ts AS ts, m.text AS body,"
    " m.group_id AS k1, m.seq AS k2 FROM messages m"
    " JOIN chat_groups g ON g.id = m.group_id JOIN circles c ON c.id = g.circle_id"
    " WHERE m.deleted IS NULL AND c.deleted IS NULL",
    "SELECT p.circle_id AS c, 'post' AS kind, p.id AS ref, 0 AS seq, NULL AS post,"
    " p.author_id AS u, p.created AS ts, p.text AS body,"
    " p.id AS k1, 0 AS k2 FROM posts p JOIN circles c ON c.id = p.circle_id"
    " WHERE NOT p.deleted AND c.deleted IS NULL",
    "SELECT p.circle_id AS c, 'comment' AS kind, k.id AS ref, 0 AS seq, k.post_id AS post,"
    " k.author_id AS u, k.created AS ts, k.text AS body,"
    " k.id AS k1, 0 AS k2 FROM comments k JOIN posts p ON p.id = k.post_id"
    " JOIN circles c ON c.id = p.circle_id WHERE NOT p.deleted AND c.deleted IS NULL",
    "SELECT a.circle_id AS c, 'attachment' AS kind, a.id AS ref, 0 AS seq, NULL AS post,"
    " a.uploader_id AS u, a.created AS ts, a.name AS body,"
    " a.id AS k1, 0 AS k2 FROM attachments a JOIN circles c ON c.id = a.circle_id"
    " WHERE c.deleted IS NULL",
)
_INSERT = text(
    "INSERT INTO search_docs (circle_id, kind, ref, seq, post_id, user_id, ts, body, tokens)"
    " VALUES (:circle_id, :kind, :ref, :seq, :post_id, :user_id, :ts, :body, :tokens)"
)
_CHUNK = 2000


def backfill(conn: Connection) -> int:
    """Index everything already written (once: an index with rows is left alone);
    returns how many rows it added."""
    if conn.execute(text("SELECT 1 FROM search_docs LIMIT 1")).first() is not None:
        return 0
    added = 0
    for source in _SOURCES:
        after: tuple[Any, Any] = ("", -1)
        while True:
            chunk = conn.execute(
                text(
                    f"SELECT * FROM ({source}) s WHERE s.k1 > :a1 OR (s.k1 = :a1 AND s.k2 > :a2)"
                    f" ORDER BY s.k1, s.k2 LIMIT {_CHUNK}"
                ),
                {"a1": after[0], "a2": after[1]},
            ).all()
            if not chunk:
                break
            rows = [_doc(row) for row in chunk]
            rows = [r for r in rows if r["tokens"]]
            if rows:
                conn.execute(_INSERT, rows)
                added += len(rows)
            after = (chunk[-1][-2], chunk[-1][-1])
    if added and conn.dialect.name == "sqlite":
        conn.execute(text(_FTS_REBUILD))
    return added


def _doc(row: Any) -> dict[str, Any]:
    circle_id, kind, ref, seq, post_id, user_id, ts, body = tuple(row)[:8]
    return {
        "circle_id": circle_id,
        "kind": kind,
        "ref": ref,
        "seq": seq,
        "post_id": post_id,
        "user_id": user_id,
        "ts": ts,
        "body": body or "",
        "tokens": tokens(body or ""),
    }
