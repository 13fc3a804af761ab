"""Reminders: a nudge for one member at a time, as a personal ``reminder`` change.

The one road for every reminder a feature sends — a lesson about to start,
homework due, a check-in streak at risk, an event coming — so that they reach
members the same way (live to the member's open connections only, and when the
member catches up) and the notification inbox and its channels can take them
from one place. A feature decides who is reminded and when, and keeps its own
"already reminded" mark; ``remind`` logs one change per member, inside the
feature's write transaction, in two statements however many members.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncConnection

from . import validation
from .changes import Change, record_many
from .records import Record

# ``checkin``: a challenge's daily reminder; ``streak``: its evening nudge to a
# member whose streak ends tonight without a check-in (``count``: the streak);
# ``webhook``: a circle's webhook disabled after failures (store/webhooks.py).
ABOUT_KINDS = ("lesson", "homework", "checkin", "streak", "gathering", "webhook")
TITLE_MAX = 200


def about(
    kind: str, item_id: str, title: str, at: int | None = None, count: int | None = None
) -> Record:
    """What a reminder is about: a feature's item, its title, when it happens (ms)
    and a number it tells (a streak's days)."""
    validation.choice(kind, "kind", ABOUT_KINDS)
    if not isinstance(item_id, str) or not item_id:
        raise ValueError("a reminder names the item it is about")
    found: Record = {"kind": kind, "id": item_id, "title": str(title)[:TITLE_MAX]}
    if at is not None:
        found["at"] = int(at)
    if count is not None:
        found["count"] = int(count)
    return found


async def remind(
    conn: AsyncConnection, circle_id: str, user_ids: Iterable[str], subject: Record
) -> list[Change]:
    """Remind each member (once each, in the order given) of ``subject`` (``about``)."""
    users = list(dict.fromkeys(user_ids))
    return await record_many(
        conn, circle_id, "reminder", [{"user": u, "about": subject} for u in users]
    )
