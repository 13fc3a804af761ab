"""Where a string is still readable in the database: every string column of
every table, found through the models' metadata (a new table or column is
covered without touching the tests)."""

from __future__ import annotations

from sqlalchemy import Column, String, select
from sqlalchemy.ext.asyncio import AsyncConnection

from store.models import metadata


async def columns_containing(conn: AsyncConnection, marker: str) -> list[str]:
    """``table.column`` of every text column that holds ``marker`` in some row."""
    found = []
    for table in metadata.sorted_tables:
        for column in table.columns:
            if not _is_text(column):
                continue
            hit = await conn.execute(
                select(column).where(column.contains(marker, autoescape=True)).limit(1)
            )
            if hit.first() is not None:
                found.append(f"{table.name}.{column.name}")
    return found


def _is_text(column: Column) -> bool:  # type: ignore[type-arg]
    # SQLModel's AutoString is a String under a TypeDecorator.
    kind = getattr(column.type, "impl", column.type)
    return isinstance(kind, String) or isinstance(column.type, String)
