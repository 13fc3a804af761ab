"""Versioned schema changes: Alembic migrations in ``store/migrations/``.

`open_database` applies them on every start (`python -m server migrate` does
it alone), inside one write transaction: on PostgreSQL under an advisory lock
and with transactional DDL, so nodes starting together apply each migration
once and a failed one leaves nothing behind; on SQLite under the write lock.

A database made before migrations existed (tables, no ``alembic_version``) gets
its missing tables and is stamped with the latest version.

New migration: change `store/models.py`, then
``QUANZI_DATABASE_URL=sqlite+aiosqlite:///data/quanzi.db alembic -c store/alembic.ini
revision --autogenerate -m "what changed"`` against a database at the latest
version, and read what it wrote (SQLite alters tables in batch mode).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

from . import search_schema
from .models import metadata

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# pg_advisory_xact_lock key: "quanzi" in ASCII.
LOCK_KEY = 0x7175616E7A69


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The latest migration's revision."""
    revision = ScriptDirectory.from_config(config()).get_current_head()
    assert revision is not None
    return revision


def current(connection: Connection) -> str | None:
    """The revision the database is at (None before any)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection) -> None:
    """Bring the schema to the latest version (synchronous: use ``run_sync``)."""
    tables = set(inspect(connection).get_table_names())
    cfg = config(connection)
    if "alembic_version" not in tables and tables & set(metadata.tables):
        metadata.create_all(connection)
        # What no model describes: the database's full-text index, and its rows.
        search_schema.create(connection)
        search_schema.backfill(connection)
        command.stamp(cfg, "head")
        return
    if current(connection) == head():
        return  # the usual start: nothing to do, no scripts to run
    command.upgrade(cfg, "head")
