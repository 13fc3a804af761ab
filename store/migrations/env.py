"""Alembic's environment for Quanzi's store.

Migrations run on a connection handed over by `store.migrate` (inside the
store's own write transaction, so two nodes starting at once never race the
DDL) or, from the ``alembic`` command line, on ``sqlalchemy.url`` /
``QUANZI_DATABASE_URL`` (the same async URL the server uses).
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import create_async_engine

from store.models import metadata
from store.search_schema import is_outside_models

config = context.config


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("QUANZI_DATABASE_URL", "")
    if not url:
        raise RuntimeError("set QUANZI_DATABASE_URL (or sqlalchemy.url) to migrate")
    return url


def _configure(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        # SQLite alters tables by copying them ("batch" mode).
        render_as_batch=True,
        compare_type=True,
        # The full-text index is the database's own (store/search_schema.py).
        include_name=lambda name, type_, parents: not is_outside_models(name),
    )


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: object) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_on_own_engine() -> None:
    engine = create_async_engine(_url(), poolclass=pool.NullPool)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_run)
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_on_own_engine())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
