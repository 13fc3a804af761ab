"""Live items of a circle's stream in order, none twice: chat messages by seq
(of the circles joined here), circle events by rev (of the circles that
connections here belong to). One class for both: `position` and `circle_of`
read an item's place.

The broker may deliver a circle's messages out of order (two nodes publish
over two connections) or lose some (Redis pub/sub is at-most-once). The store
is the truth: each circle's seqs have no gaps. So per circle with local
listeners this node keeps the last seq it handed to the hub, and:

- the next seq goes to the hub at once, with whatever was held behind it;
- a later one is held for ``wait_s``; if the missing ones have not come by
  then, they are read from the store (``fetch``) and the held ones follow;
- an older one, or one seen before, is dropped;
- ``expect(circle, seq)`` says "seq exists" (the node's tail check, a broker
  reconnect): unless it arrives within ``wait_s`` it is read from the store.

A circle is followed from its first local listener (``restart``, before the
store's last seq is read) and ``begin(circle, last)`` sets where it starts;
messages that arrive in between are held and sorted out then.
"""

from __future__ import annotations

import asyncio
import logging
import operator
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from . import metrics

log = logging.getLogger(__name__)

Message = Any
Fetch = Callable[[str, int, int], Awaitable[list[Message]]]
Deliver = Callable[[Message], None]
Listened = Callable[[str], bool]
# A chat message's place (C-level getters: the fan-out hot path).
SEQ = operator.itemgetter("seq")
CIRCLE = operator.itemgetter("circle")

# Held messages per circle before the gap is filled without waiting further.
HELD_MAX = 10_000
# A target meaning "whatever the store has".
_UNTIL_DRY = 2**62


@dataclass(slots=True, eq=False)
class _Feed:
    last: int | None = None  # None until `begin`
    held: dict[int, Message] = field(default_factory=dict)
    # The highest seq known to exist (held or expected).
    target: int = 0
    timer: asyncio.TimerHandle | None = None
    filling: asyncio.Task[None] | None = None


class Sequencer:
    def __init__(
        self,
        fetch: Fetch,
        deliver: Deliver,
        listened: Listened,
        wait_s: float = 0.1,
        page: int = 500,
        position: Callable[[Message], int] = SEQ,
        circle_of: Callable[[Message], str] = CIRCLE,
    ) -> None:
        self._position = position
        self._circle_of = circle_of
        self._fetch = fetch
        self._deliver = deliver
        self._listened = listened
        self._wait_s = wait_s
        self._page = page
        self._feeds: dict[str, _Feed] = {}
        self.filled = 0  # messages read from the store to fill gaps (metrics, tests)

    # -- the circles followed ---------------------------------------------------

    def restart(self, circle: str) -> None:
        """The circle's first local listener arrived: follow it afresh."""
        self._stop(circle)
        self._feeds[circle] = _Feed()

    def begin(self, circle: str, last: int) -> None:
        """Start at `last` (the store's last seq, read after subscribing) unless started."""
        feed = self._feeds.get(circle)
        if feed is None or feed.last is not None:
            return
        feed.last = last
        self._release(circle, feed)

    def delivered(self, circle: str) -> int:
        """The last seq handed to the hub (0 when the circle is not followed yet)."""
        feed = self._feeds.get(circle)
        return 0 if feed is None or feed.last is None else feed.last

    def started(self, circle: str) -> int | None:
        """The last seq handed to the hub, None when the circle is not followed
        or not started yet (its last seq is the store's business then)."""
        feed = self._feeds.get(circle)
        return None if feed is None else feed.last

    def circles(self) -> list[str]:
        """Circles followed and started, dropping those nobody listens to any more."""
        for circle in [c for c in self._feeds if not self._listened(c)]:
            self._stop(circle)
        return [c for c, feed in self._feeds.items() if feed.last is not None]

    def close(self) -> None:
        for circle in list(self._feeds):
            self._stop(circle)

    # -- what arrives -------------------------------------------------------------

    def message(self, message: Message) -> None:
        """A live message from the broker."""
        circle = self._circle_of(message)
        feed = self._feeds.get(circle)
        if feed is None:
            return
        if not self._listened(circle):
            self._stop(circle)
            return
        seq = self._position(message)
        if feed.last is None or seq > feed.last + 1:
            if seq not in feed.held:
                feed.held[seq] = message
            feed.target = max(feed.target, seq)
            if feed.last is not None:
                self._arm(circle, feed, now=len(feed.held) >= HELD_MAX)
            return
        if seq <= feed.last:
            return
        self._hand(feed, message)
        self._release(circle, feed)

    def expect(self, circle: str, seq: int) -> None:
        """Seq exists in the store: fill up to it unless it arrives within the wait."""
        feed = self._feeds.get(circle)
        if feed is None or feed.last is None or seq <= feed.last:
            return
        feed.target = max(feed.target, seq)
        self._arm(circle, feed)

    def catch_up(self) -> None:
        """After a broker reconnect: read every followed circle's news from the store now."""
        for circle in self.circles():
            feed = self._feeds[circle]
            feed.target = _UNTIL_DRY
            self._arm(circle, feed, now=True)

    # -- internals ------------------------------------------------------------------

    def _hand(self, feed: _Feed, message: Message) -> None:
        feed.last = self._position(message)
        try:
            self._deliver(message)
        except Exception:
            log.exception(
                "delivering %s of %s failed", self._position(message), self._circle_of(message)
            )

    def _release(self, circle: str, feed: _Feed) -> None:
        """Hand over what is held behind the last seq; wait (or fill) for a gap."""
        assert feed.last is not None
        for seq in sorted(feed.held):
            if seq <= feed.last:
                del feed.held[seq]
            elif seq == feed.last + 1:
                self._hand(feed, feed.held.pop(seq))
            else:
                break
        if feed.held:
            feed.target = max(feed.target, max(feed.held))
        if feed.target <= feed.last:
            feed.target = feed.last
            self._disarm(feed)
        elif feed.filling is None:
            self._arm(circle, feed)

    def _arm(self, circle: str, feed: _Feed, now: bool = False) -> None:
        if feed.filling is not None:
            return  # the running fill re-checks when it ends
        if now:
            self._disarm(feed)
            self._fill_soon(circle, feed)
        elif feed.timer is None:
            loop = asyncio.get_running_loop()
            feed.timer = loop.call_later(self._wait_s, self._fill_soon, circle, feed)

    def _disarm(self, feed: _Feed) -> None:
        if feed.timer is not None:
            feed.timer.cancel()
            feed.timer = None

    def _fill_soon(self, circle: str, feed: _Feed) -> None:
        feed.timer = None
        if self._feeds.get(circle) is not feed or feed.filling is not None:
            return
        feed.filling = asyncio.create_task(self._fill(circle, feed))

    async def _fill(self, circle: str, feed: _Feed) -> None:
        failed = False
        try:
            while feed.last is not None and feed.target > feed.last:
                page = await self._fetch(circle, feed.last, self._page)
                if self._feeds.get(circle) is not feed:
                    return
                for message in page:
                    # Pruned seqs (retention) are not waited for: jump over them.
                    if self._position(message) > feed.last:
                        self.filled += 1
                        metrics.gap_filled.inc()
                        self._hand(feed, message)
                if len(page) < self._page:
                    # The store has nothing more: what is expected beyond is not
                    # waited for (held messages raise the target again below).
                    feed.target = min(feed.target, feed.last)
                    break
        except asyncio.CancelledError:
            raise
        except Exception:
            failed = True
            log.exception("filling the gap of circle %s from the store failed", circle)
        finally:
            feed.filling = None
        if self._feeds.get(circle) is not feed or feed.last is None:
            return
        self._release(circle, feed)
        if failed and feed.target > feed.last:
            self._arm(circle, feed)

    def _stop(self, circle: str) -> None:
        feed = self._feeds.pop(circle, None)
        if feed is None:
            return
        self._disarm(feed)
        if feed.filling is not None:
            feed.filling.cancel()
