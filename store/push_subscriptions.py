"""Web Push subscriptions, one per browser (device) of a user: what the
browser's ``PushManager.subscribe`` answered — an endpoint at its push service
and the keys a payload is encrypted for (RFC 8291). The server's sender
(server/webpush.py) reads them, marks successes and drops a subscription the
push service says is gone (404, 410)."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update

from . import validation
from .away_tables import ENDPOINT_MAX, PUSH_SUBSCRIPTIONS
from .engine import Service
from .errors import Conflict, Invalid, NotFound
from .ids import new_id, now_ms
from .records import Record

LABEL_MAX = 100
_T = PUSH_SUBSCRIPTIONS
# What a member sees of a device in their settings: never the keys.
_PUBLIC = (_T.c.id, _T.c.endpoint, _T.c.label, _T.c.created, _T.c.last_sent)


def _key(value: object, field: str, size: int) -> str:
    """A base64url key of ``size`` bytes (padding optional), as the browser gives it."""
    text = validation.text(value, field, 1, 128)
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise Invalid(f"{field} must be base64url", "push_key_invalid") from None
    if len(raw) != size or (size == 65 and raw[0] != 4):
        raise Invalid(f"{field} must be a {size}-byte key", "push_key_invalid")
    return text.rstrip("=")


def endpoint(value: object) -> str:
    """An absolute http(s) URL with a host (whether plain http is allowed is the
    server's policy, server/api/push.py)."""
    text = validation.text(value, "endpoint", 1, ENDPOINT_MAX)
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Invalid("endpoint must be an https URL", "push_endpoint_invalid")
    return text


class PushSubscriptions(Service):
    async def subscribe(
        self,
        user_id: str,
        url: object,
        p256dh: object,
        auth: object,
        label: object = "",
        devices_max: int = 20,
    ) -> Record:
        """Add (or refresh) this browser's subscription for the user; the endpoint
        is unique, so the same browser subscribing again (or for another user who
        signed in on it) replaces the row. ``Conflict`` (reason ``push_devices_max``)
        past ``devices_max`` devices."""
        values: dict[str, Any] = {
            "endpoint": endpoint(url),
            "p256dh": _key(p256dh, "keys.p256dh", 65),
            "auth": _key(auth, "keys.auth", 16),
            "label": validation.text(label, "label", 0, LABEL_MAX),
        }
        async with self._db.write() as conn:
            await conn.execute(delete(_T).where(_T.c.endpoint == values["endpoint"]))
            count = (
                await conn.execute(select(func.count()).where(_T.c.user_id == user_id))
            ).scalar_one()
            if count >= devices_max:
                raise Conflict(
                    f"at most {devices_max} devices get push notifications",
                    "push_devices_max",
                    {"max": devices_max},
                )
            row = {"id": new_id(), "user_id": user_id, "created": now_ms(), **values}
            await conn.execute(_T.insert().values(**row))
        return _public(row)

    async def unsubscribe(self, user_id: str, url: object) -> None:
        """Forget this browser's subscription (``NotFound`` when the user has none
        with that endpoint)."""
        async with self._db.write() as conn:
            result = await conn.execute(
                delete(_T).where(_T.c.user_id == user_id, _T.c.endpoint == endpoint(url))
            )
        if result.rowcount == 0:
            raise NotFound("no such push subscription")

    async def remove(self, user_id: str, subscription_id: object) -> None:
        """Forget one of the user's devices by id (the settings list)."""
        ident = validation.text(subscription_id, "id", 1, 32)
        async with self._db.write() as conn:
            result = await conn.execute(delete(_T).where(_T.c.user_id == user_id, _T.c.id == ident))
        if result.rowcount == 0:
            raise NotFound("no such push subscription")

    async def devices(self, user_id: str) -> list[Record]:
        """The user's devices, oldest first, without their keys."""
        query = select(*_PUBLIC).where(_T.c.user_id == user_id).order_by(_T.c.created, _T.c.id)
        async with self._db.read() as conn:
            return [_public(dict(row._mapping)) for row in await conn.execute(query)]

    async def of_user(self, user_id: str) -> list[Record]:
        """The user's subscriptions with their keys, for the sender."""
        query = select(_T).where(_T.c.user_id == user_id).order_by(_T.c.created, _T.c.id)
        async with self._db.read() as conn:
            return [dict(row._mapping) for row in await conn.execute(query)]

    async def sent(self, subscription_id: str, at: int) -> None:
        """The push service accepted a push for this subscription."""
        async with self._db.write() as conn:
            await conn.execute(update(_T).where(_T.c.id == subscription_id).values(last_sent=at))

    async def gone(self, subscription_id: str) -> None:
        """The push service says the subscription no longer exists (404, 410)."""
        async with self._db.write() as conn:
            await conn.execute(delete(_T).where(_T.c.id == subscription_id))


def _public(row: Record) -> Record:
    """A device as its owner sees it: the push service's host, not the whole URL
    (which is a capability to send to that browser)."""
    return {
        "id": row["id"],
        "service": urlsplit(row["endpoint"]).hostname,
        "label": row["label"],
        "created": row["created"],
        "last_sent": row.get("last_sent"),
    }
