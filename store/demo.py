"""What the demo seed (server/seed.py) asks of the store beyond the services: who
is in the database besides the demo's own accounts (the seed refuses to mix demo
accounts into a database of real people), and a demo account by its handle."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select

from .engine import Service
from .models import USERS
from .records import Record


class Demo(Service):
    """Look-ups for the demo seed."""

    async def others(self, handles: Collection[str]) -> int:
        """How many accounts have a handle not in ``handles`` (deleted ones too)."""
        query = select(func.count()).select_from(USERS)
        if handles:
            query = query.where(USERS.c.handle.not_in(list(handles)))
        async with self._db.read() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def user(self, handle: str) -> Record | None:
        """The account with this handle: ``{"id", "handle", "name"}``, or None."""
        query = select(USERS.c.id, USERS.c.handle, USERS.c.name).where(USERS.c.handle == handle)
        async with self._db.read() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else {"id": row.id, "handle": row.handle, "name": row.name}
