"""The tables of reaching members who are away (store/push_subscriptions.py,
store/mail_settings.py): a browser's Web Push subscriptions, a user's email
address and digest choice, a circle's "email must-reads at once" switch.
Registered on the same metadata (``models`` imports this)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Table
from sqlmodel import Field, SQLModel

# RFC 8030 does not bound an endpoint; the big push services' are 150-600 characters.
ENDPOINT_MAX = 1000
# RFC 5321: a forward path of at most 256 octets, brackets included.
ADDRESS_MAX = 254


class PushSubscription(SQLModel, table=True):
    """One browser's (device's) subscription: where to post and the keys to
    encrypt for (the browser's PushSubscription). An endpoint is one browser
    profile's: subscribed again by another user, it moves to them."""

    __tablename__ = "push_subscriptions"

    id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(foreign_key="users.id", index=True, max_length=32)
    endpoint: str = Field(max_length=ENDPOINT_MAX, sa_column_kwargs={"unique": True})
    # The browser's P-256 public key (65 bytes) and auth secret (16), base64url.
    p256dh: str = Field(max_length=128)
    auth: str = Field(max_length=64)
    # What the device calls itself in the settings list ("Chrome on Android").
    label: str = Field(default="", max_length=100)
    created: int = Field(sa_type=BigInteger)
    # The last push the service accepted (None: none yet).
    last_sent: int | None = Field(default=None, sa_type=BigInteger)


class MailSetting(SQLModel, table=True):
    """A user's email: the address, when it was verified, the digest they chose
    (``off``, ``daily``, ``weekly``) and the last period a digest was sent for."""

    __tablename__ = "mail_settings"
    __table_args__ = (Index("ix_mail_settings_digest", "digest", "user_id"),)

    user_id: str = Field(primary_key=True, foreign_key="users.id", max_length=32)
    address: str | None = Field(default=None, max_length=ADDRESS_MAX)
    verified: int | None = Field(default=None, sa_type=BigInteger)
    digest: str = Field(default="off", max_length=8)
    # The period the last digest covered ("2026-12-01" daily, "2026-W49" weekly)
    # and when it was sent: a period is sent once, whatever the number of nodes.
    digest_period: str | None = Field(default=None, max_length=16)
    digest_sent: int | None = Field(default=None, sa_type=BigInteger)
    changed: int = Field(sa_type=BigInteger)


class CircleMail(SQLModel, table=True):
    """A circle's email switch: must-reads are emailed to members at once."""

    __tablename__ = "circle_mail"

    circle_id: str = Field(primary_key=True, foreign_key="circles.id", max_length=32)
    must_reads: bool = Field(default=False)
    changed_by: str = Field(max_length=32)
    changed: int = Field(sa_type=BigInteger)


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


PUSH_SUBSCRIPTIONS = _table(PushSubscription)
MAIL_SETTINGS = _table(MailSetting)
CIRCLE_MAIL = _table(CircleMail)

__all__ = [
    "ADDRESS_MAX",
    "CIRCLE_MAIL",
    "ENDPOINT_MAX",
    "MAIL_SETTINGS",
    "PUSH_SUBSCRIPTIONS",
    "CircleMail",
    "MailSetting",
    "PushSubscription",
]
