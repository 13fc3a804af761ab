"""Several nodes: which broker and presence a node uses, and how it catches up.

Without ``QUANZI_REDIS_URL`` a node is alone: the in-process broker and
in-memory presence. With it, Redis carries events and presence between nodes,
and because Redis pub/sub is at-most-once the node also

- checks every ``tail_check_s`` that it delivered each joined circle's last
  seq (one query for all of them) and fills from the store what never came;
- after a broker reconnect (``RESYNC``) brings every joined stream up to date
  from the store, and re-reads what the events it may have missed would have
  told it: revoked tokens and memberships gained or lost.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from store.errors import Unauthenticated

from .broker import ALL, Broker, InProcessBroker
from .presence import LocalPresence, PresenceTracker
from .settings import Settings

if TYPE_CHECKING:
    from .node import Node

log = logging.getLogger(__name__)

# Circles per tail-check query.
TAIL_CHECK_CHUNK = 500


def make_broker(settings: Settings) -> Broker:
    if not settings.redis_url:
        return InProcessBroker()
    from .redis_broker import RedisBroker

    return RedisBroker(
        settings.redis_url,
        prefix=settings.redis_prefix,
        node_id=settings.node_id,
        backoff_max_s=settings.redis_backoff_max_s,
    )


def make_presence(settings: Settings, broker: Broker) -> PresenceTracker:
    if not settings.redis_url:
        return LocalPresence()
    from .redis_presence import RedisPresence

    return RedisPresence(
        settings.redis_url,
        str(broker.info().get("node") or settings.node_id),
        prefix=settings.redis_prefix,
        ttl_s=settings.presence_ttl_s,
        interval_s=settings.presence_interval_s,
    )


async def tail_check_loop(node: Node) -> None:
    """Compare each followed circle's last seq in the store with what was delivered."""
    while True:
        await asyncio.sleep(node.settings.tail_check_s)
        try:
            await tail_check(node)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("tail check failed", exc_info=True)


async def tail_check(node: Node) -> None:
    circles = node.sequencer.circles()
    for i in range(0, len(circles), TAIL_CHECK_CHUNK):
        lasts = await node.store.chat.last_seqs(circles[i : i + TAIL_CHECK_CHUNK])
        for circle, seq in lasts.items():
            node.sequencer.expect(circle, seq)


async def resync(node: Node) -> None:
    """After the broker lost events: streams from the store, then tokens and memberships."""
    node.sequencer.catch_up()
    try:
        await _recheck_tokens(node)
        await _recheck_memberships(node)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.warning("re-reading tokens and memberships after a reconnect failed", exc_info=True)


async def _recheck_tokens(node: Node) -> None:
    for token in {conn.token for conn in node.hub.connections}:
        try:
            await node.store.accounts.authenticate(token)
        except Unauthenticated:
            node._deliver(ALL, {"k": "revoke", "token": token})


async def _recheck_memberships(node: Node) -> None:
    users: dict[str, set[str]] = {}
    for conn in list(node.hub.connections):
        users.setdefault(conn.user_id, set()).update(conn.member_of, conn.streams)
    for user_id, known in users.items():
        now = set(await node.store.circles.circle_ids_of(user_id))
        for circle in known - now:
            node._deliver(
                ALL, {"k": "removed", "circle": circle, "user": user_id, "reason": "removed"}
            )
        for circle in now - known:
            node._deliver(ALL, {"k": "member", "circle": circle, "user": user_id})
