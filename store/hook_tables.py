"""The tables of webhooks and bots (store/webhooks.py, store/webhook_outbox.py,
store/incoming_hooks.py, store/bots.py), beside ``models.py``. A bot is a row of
``users`` whose ``bot_owner`` is set (models.py); these hold the rest."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Table
from sqlmodel import Field, SQLModel


class Webhook(SQLModel, table=True):
    """An outgoing webhook of a circle: where its events go, which ones, the secret
    they are signed with, and its health (consecutive failures; disabled when)."""

    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_circle", "circle_id", "created"),)

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(max_length=32)
    url: str = Field(max_length=2000)
    # Comma-separated event names (webhook_outbox.EVENTS).
    events: str = Field(max_length=1000)
    secret: str = Field(max_length=64)
    created: int = Field(sa_type=BigInteger)
    created_by: str = Field(max_length=32)
    failures: int = Field(default=0)
    disabled: int | None = Field(default=None, sa_type=BigInteger)


class WebhookDelivery(SQLModel, table=True):
    """One event for one webhook: the outbox row a sender claims, tries, retries,
    and then the delivery log's entry (``state`` delivered or failed)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "state", "next_at"),
        Index("ix_webhook_deliveries_hook", "webhook_id", "created"),
    )

    id: str = Field(primary_key=True, max_length=32)
    webhook_id: str = Field(max_length=32)
    circle_id: str = Field(max_length=32)
    event: str = Field(max_length=40)
    body: str
    created: int = Field(sa_type=BigInteger)
    # pending (waiting or being tried), delivered, failed (out of attempts).
    state: str = Field(max_length=16)
    next_at: int = Field(sa_type=BigInteger)
    attempts: int = Field(default=0)
    # A sender's claim: until when the row is theirs (a node that dies lets it lapse).
    claimed_until: int = Field(default=0, sa_type=BigInteger)
    claim: str | None = Field(default=None, max_length=32)
    last_status: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=300)
    done: int | None = Field(default=None, sa_type=BigInteger)


class IncomingHook(SQLModel, table=True):
    """A secret URL that posts into a circle's chat or feed as its own bot."""

    __tablename__ = "incoming_hooks"

    id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(max_length=32, index=True)
    # SHA-256 hex of the URL's token: a leaked table does not leak the URLs.
    token_hash: str = Field(max_length=64, unique=True)
    bot_id: str = Field(max_length=32)
    target: str = Field(max_length=8)
    created: int = Field(sa_type=BigInteger)
    created_by: str = Field(max_length=32)


class BotScope(SQLModel, table=True):
    """A circle a bot's owner lets it into (its circle's managers still add it)."""

    __tablename__ = "bot_scopes"

    bot_id: str = Field(primary_key=True, max_length=32)
    circle_id: str = Field(primary_key=True, max_length=32, index=True)


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


WEBHOOKS = _table(Webhook)
WEBHOOK_DELIVERIES = _table(WebhookDelivery)
INCOMING_HOOKS = _table(IncomingHook)
BOT_SCOPES = _table(BotScope)

__all__ = [
    "BOT_SCOPES",
    "INCOMING_HOOKS",
    "WEBHOOKS",
    "WEBHOOK_DELIVERIES",
    "BotScope",
    "IncomingHook",
    "Webhook",
    "WebhookDelivery",
]
