"""Outgoing webhooks of a circle: its owners and admins (the circle's managers,
as for every other setting) create, change, re-enable and delete them and read
their delivery log. A webhook has a URL (checked for shape here; the server
refuses private addresses), the events it wants (``webhook_outbox.EVENTS``), and
a secret its deliveries are signed with, shown once at creation and on rotation.

What to send is queued by ``webhook_outbox`` in each change's transaction; the
server's senders claim and settle it (``send_due``'s parts live there too).
When a webhook is disabled after repeated failures its owners and admins get a
``reminder`` (store/reminders.py, about ``webhook``) and the act is audited.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from . import reminders, validation, webhook_outbox
from .audit import record_act
from .engine import Service
from .errors import Invalid, NotFound
from .hook_tables import WEBHOOK_DELIVERIES, WEBHOOKS
from .ids import new_id, now_ms
from .lookups import circle_row, require_manager
from .models import MEMBERSHIPS
from .records import MANAGER_ROLES, Record

URL_MAX = 2000
HOOKS_MAX = 20
LOG_MAX = 50


def check_url(value: object, allow_http: bool) -> str:
    """An absolute https URL (http too when ``allow_http``: tests, a LAN operator),
    without credentials. ``Invalid`` with reason ``webhook_url`` otherwise."""
    url = validation.text(value, "url", 1, URL_MAX)
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname or parts.username or parts.password:
        raise Invalid("the webhook needs an https URL", reason="webhook_url")
    return url


def check_events(value: object) -> str:
    if not isinstance(value, list) or not value:
        raise Invalid("choose at least one event", reason="webhook_events")
    for event in value:
        validation.choice(event, "events", webhook_outbox.EVENTS)
    return ",".join(dict.fromkeys(value))


def hook_record(row: Any) -> Record:
    return {
        "id": row.id,
        "circle": row.circle_id,
        "url": row.url,
        "events": webhook_outbox.parse_events(row.events),
        "created": int(row.created),
        "failures": int(row.failures),
        "enabled": row.disabled is None,
        "disabled": None if row.disabled is None else int(row.disabled),
    }


def delivery_record(row: Any) -> Record:
    return {
        "id": row.id,
        "event": row.event,
        "state": row.state,
        "created": int(row.created),
        "attempts": int(row.attempts),
        "status": row.last_status,
        "error": row.last_error,
        "done": None if row.done is None else int(row.done),
        "next_at": int(row.next_at) if row.state == "pending" else None,
    }


class Webhooks(Service):
    """A circle's outgoing webhooks (managers only)."""

    async def create(
        self, circle_id: str, actor_id: str, url: object, events: object, allow_http: bool = False
    ) -> tuple[Record, str]:
        """A new webhook and its secret (shown this once)."""
        url = check_url(url, allow_http)
        wanted = check_events(events)
        secret = secrets.token_hex(32)
        async with self._db.write() as conn:
            await circle_row(conn, circle_id, lock=True)
            await require_manager(conn, circle_id, actor_id)
            count = (
                await conn.execute(select(func.count()).where(WEBHOOKS.c.circle_id == circle_id))
            ).scalar_one()
            if count >= HOOKS_MAX:
                raise Invalid(
                    "this circle has all the webhooks it may have",
                    reason="webhooks_max",
                    params={"max": HOOKS_MAX},
                )
            hook_id = new_id()
            values = {
                "id": hook_id,
                "circle_id": circle_id,
                "url": url,
                "events": wanted,
                "secret": secret,
                "created": now_ms(),
                "created_by": actor_id,
                "failures": 0,
                "disabled": None,
            }
            await conn.execute(WEBHOOKS.insert().values(values))
            await record_act(conn, circle_id, actor_id, "webhook.created", "webhook", hook_id)
            row = await _hook(conn, circle_id, hook_id)
        return hook_record(row), secret

    async def of_circle(self, circle_id: str, actor_id: str) -> list[Record]:
        async with self._db.read() as conn:
            await circle_row(conn, circle_id)
            await require_manager(conn, circle_id, actor_id)
            rows = await conn.execute(
                select(*WEBHOOKS.c)
                .where(WEBHOOKS.c.circle_id == circle_id)
                .order_by(WEBHOOKS.c.created, WEBHOOKS.c.id)
            )
            return [hook_record(r) for r in rows]

    async def update(
        self,
        circle_id: str,
        actor_id: str,
        hook_id: str,
        changes: dict[str, Any],
        allow_http: bool = False,
    ) -> Record:
        """Change ``url``, ``events`` or ``enabled`` (true re-enables a disabled one,
        its failures forgotten; false disables it by hand)."""
        values: dict[str, Any] = {}
        for key, value in changes.items():
            if key == "url":
                values["url"] = check_url(value, allow_http)
            elif key == "events":
                values["events"] = check_events(value)
            elif key == "enabled":
                enabled = validation.boolean(value, "enabled")
                values.update(disabled=None if enabled else now_ms(), failures=0)
            else:
                raise Invalid(f"unknown field {key}")
        async with self._db.write() as conn:
            await require_manager(conn, circle_id, actor_id)
            await _hook(conn, circle_id, hook_id)
            if values:
                await conn.execute(update(WEBHOOKS).where(WEBHOOKS.c.id == hook_id).values(values))
            if values.get("disabled") is not None:
                await webhook_outbox.drop_pending(conn, hook_id, values["disabled"])
            return hook_record(await _hook(conn, circle_id, hook_id))

    async def rotate(self, circle_id: str, actor_id: str, hook_id: str) -> str:
        """A new secret (shown this once); the old one stops signing at once."""
        secret = secrets.token_hex(32)
        async with self._db.write() as conn:
            await require_manager(conn, circle_id, actor_id)
            await _hook(conn, circle_id, hook_id)
            await conn.execute(
                update(WEBHOOKS).where(WEBHOOKS.c.id == hook_id).values(secret=secret)
            )
        return secret

    async def delete(self, circle_id: str, actor_id: str, hook_id: str) -> None:
        async with self._db.write() as conn:
            await require_manager(conn, circle_id, actor_id)
            await _hook(conn, circle_id, hook_id)
            await conn.execute(
                delete(WEBHOOK_DELIVERIES).where(WEBHOOK_DELIVERIES.c.webhook_id == hook_id)
            )
            await conn.execute(delete(WEBHOOKS).where(WEBHOOKS.c.id == hook_id))
            await record_act(conn, circle_id, actor_id, "webhook.deleted", "webhook", hook_id)

    async def deliveries(self, circle_id: str, actor_id: str, hook_id: str) -> list[Record]:
        """The webhook's last deliveries, newest first (pending ones included)."""
        async with self._db.read() as conn:
            await require_manager(conn, circle_id, actor_id)
            await _hook(conn, circle_id, hook_id)
            rows = await conn.execute(
                select(*WEBHOOK_DELIVERIES.c)
                .where(WEBHOOK_DELIVERIES.c.webhook_id == hook_id)
                .order_by(WEBHOOK_DELIVERIES.c.created.desc(), WEBHOOK_DELIVERIES.c.id.desc())
                .limit(LOG_MAX)
            )
            return [delivery_record(r) for r in rows]

    # -- the senders' side (server/webhook_sender.py) -------------------------

    async def claim(
        self, claim_id: str, lease_ms: int, limit: int, now: int | None = None
    ) -> list[webhook_outbox.Due]:
        now = now_ms() if now is None else now
        async with self._db.read() as conn:
            ids = await webhook_outbox.due_ids(conn, now, limit)
        if not ids:
            return []
        async with self._db.write() as conn:
            return await webhook_outbox.claim(conn, claim_id, ids, now, lease_ms)

    async def settle(
        self,
        due: webhook_outbox.Due,
        claim_id: str,
        outcome: webhook_outbox.Outcome,
        *,
        max_attempts: int,
        backoff_ms: int,
        disable_after: int,
    ) -> webhook_outbox.Settled:
        """Record a try; a webhook disabled by it is audited and its circle's owners
        and admins reminded, in the same transaction."""
        async with self._db.write() as conn:
            settled = await webhook_outbox.settle(
                conn,
                due,
                claim_id,
                outcome,
                max_attempts=max_attempts,
                backoff_ms=backoff_ms,
                disable_after=disable_after,
            )
            if settled.disabled is not None:
                await _tell_managers(conn, due, disable_after)
            return settled

    async def prune(self, before_ms: int, batch: int = 500) -> int:
        """Forget settled deliveries older than ``before_ms`` (the log keeps recent ones)."""
        async with self._db.write() as conn:
            old = (
                select(WEBHOOK_DELIVERIES.c.id)
                .where(
                    WEBHOOK_DELIVERIES.c.state != "pending",
                    WEBHOOK_DELIVERIES.c.done < before_ms,
                )
                .limit(batch)
            )
            ids = [r.id for r in await conn.execute(old)]
            if ids:
                await conn.execute(
                    delete(WEBHOOK_DELIVERIES).where(WEBHOOK_DELIVERIES.c.id.in_(ids))
                )
            return len(ids)


async def _hook(conn: AsyncConnection, circle_id: str, hook_id: object) -> Any:
    row = (
        await conn.execute(
            select(*WEBHOOKS.c).where(WEBHOOKS.c.id == hook_id, WEBHOOKS.c.circle_id == circle_id)
        )
    ).first()
    if row is None:
        raise NotFound("no such webhook")
    return row


async def _tell_managers(conn: AsyncConnection, due: webhook_outbox.Due, failures: int) -> None:
    managers = (
        await conn.execute(
            select(MEMBERSHIPS.c.user_id).where(
                MEMBERSHIPS.c.circle_id == due.circle_id,
                MEMBERSHIPS.c.role.in_(MANAGER_ROLES),
            )
        )
    ).scalars()
    await record_act(
        conn,
        due.circle_id,
        "system",
        "webhook.disabled",
        "webhook",
        due.webhook_id,
        data={"failures": failures},
    )
    subject = reminders.about("webhook", due.webhook_id, due.url)
    await reminders.remind(conn, due.circle_id, list(managers), subject)
