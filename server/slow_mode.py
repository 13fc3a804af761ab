"""Slow mode: in a group whose ``slow_mode_s`` is set, a member (not an admin)
says one message per that many seconds.

Counted on this node, in memory: a member connected to two nodes at once could
say twice per interval (one message per node), which slow mode tolerates — it
paces a busy chat, it is not a quota. The rate limits of ``ratelimit.py`` are
the ones that hold across nodes.
"""

from __future__ import annotations

# Entries older than this are forgotten (the longest interval: store's SLOW_MODE_MAX_S).
FORGET_AFTER_MS = 3_600_000
# Sweep forgotten entries when the table grows past this many.
SWEEP_AT = 50_000


class SlowMode:
    def __init__(self) -> None:
        self._last: dict[tuple[str, str], int] = {}

    def wait_ms(self, group: str, user: str, interval_s: int, now: int) -> int:
        """0 when the user may say now (and it counts as said); else how long to wait."""
        key = (group, user)
        last = self._last.get(key)
        if last is not None and now - last < interval_s * 1000:
            return interval_s * 1000 - (now - last)
        self._last[key] = now
        if len(self._last) > SWEEP_AT:
            self._sweep(now)
        return 0

    def _sweep(self, now: int) -> None:
        self._last = {k: t for k, t in self._last.items() if now - t < FORGET_AFTER_MS}
