"""Web Push, the away channel of browsers (RFC 8030): a member's notifications
reach their devices while no page of ours is open.

Payloads are encrypted for each subscription (RFC 8291, aes128gcm) and signed
with the server's VAPID key (RFC 8292) by pywebpush; the requests go out over
one aiohttp session. Delivery runs off the request path: ``deliver`` queues (a
bounded queue: past it the batch is dropped and logged; the inbox still has
it), one worker admits each batch against the per-user budget, and sends run
as tasks (``push_concurrency`` at once), each retried with backoff on a 5xx, a
429 or a network error. A subscription the push service says is gone (404,
410) is removed. A user gets at most ``push_per_minute`` pushes a window; the
rest wait and go as one "N new notifications" push when it is over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
import orjson
from pywebpush import WebPusher, WebPushException

from store import PushSubscriptions, Record

from .away_text import describe, text
from .settings import Settings
from .vapid import VapidKeys

log = logging.getLogger(__name__)

# A user's unread count for the badge, when the inbox can say it.
Unread = Callable[[str], Awaitable[int | None]]
_RETRY = frozenset({429}) | frozenset(range(500, 600))
_GONE = frozenset({404, 410})
# Users whose budget window is remembered, before stale ones are forgotten.
_WINDOWS_KEPT = 10_000


class WebPush:
    """The ``webpush`` away channel."""

    name = "webpush"

    def __init__(
        self,
        settings: Settings,
        subscriptions: PushSubscriptions,
        keys: VapidKeys,
        unread: Unread | None = None,
    ) -> None:
        self.settings = settings
        self.subscriptions = subscriptions
        self.keys = keys
        self.unread = unread
        self._queue: asyncio.Queue[tuple[str, str, list[Record]]] = asyncio.Queue(
            settings.push_queue
        )
        self._sending = asyncio.Semaphore(settings.push_concurrency)
        # user -> when their pushes of the current window went (monotonic s).
        self._windows: dict[str, deque[float]] = {}
        # user -> (language, count) of notifications waiting for the window's end.
        self._held: dict[str, list[Any]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._worker: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        # Batches queued and pushes held or being sent; idle when none.
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def start(self) -> None:
        self._session = aiohttp.ClientSession()
        self._worker = asyncio.create_task(self._work())

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        tasks = [t for t in (self._worker, *self._tasks) if t is not None]
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    async def deliver(self, user_id: str, language: str, notifications: list[Record]) -> None:
        """Queue a user's due notifications (the away seam calls it); never waits."""
        if not notifications:
            return
        try:
            self._queue.put_nowait((user_id, language, list(notifications)))
        except asyncio.QueueFull:
            log.warning(
                "push queue full: %d notifications of %s dropped", len(notifications), user_id
            )
            return
        self._busy(1)

    async def idle(self) -> None:
        """Until the queue is empty and no send is running (tests, shutdown)."""
        await self._idle.wait()

    def _busy(self, change: int) -> None:
        self._pending += change
        if self._pending:
            self._idle.clear()
        else:
            self._idle.set()

    # -- admitting against the budget ---------------------------------------------

    async def _work(self) -> None:
        while True:
            user_id, language, notifications = await self._queue.get()
            try:
                self._admit(user_id, language, notifications)
            except Exception:
                log.exception("push of %s failed", user_id)
            finally:
                self._busy(-1)

    def _admit(self, user_id: str, language: str, notifications: Sequence[Record]) -> None:
        now = time.monotonic()
        window = self._window(user_id, now)
        for notification in notifications:
            held = self._held.get(user_id)
            if held is not None:
                held[1] += 1
            elif len(window) < self.settings.push_per_minute:
                window.append(now)
                self._spawn(self._push(user_id, describe(notification, language)))
            else:
                self._held[user_id] = [language, 1]
                self._spawn(self._flush(user_id, window[0] + self.settings.push_window_s))

    def _window(self, user_id: str, now: float) -> deque[float]:
        if len(self._windows) > _WINDOWS_KEPT:
            old = now - self.settings.push_window_s
            for user in [u for u, w in self._windows.items() if not w or w[-1] < old]:
                del self._windows[user]
        window = self._windows.setdefault(user_id, deque())
        while window and window[0] <= now - self.settings.push_window_s:
            window.popleft()
        return window

    async def _flush(self, user_id: str, at: float) -> None:
        """When the window is over: one push that says how many are waiting."""
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        language, count = self._held.pop(user_id)
        self._window(user_id, time.monotonic()).append(time.monotonic())
        summary = {
            "title": text(language, "summary.title", count=count),
            "body": text(language, "summary.body"),
            "url": "/#/",
            "tag": "quanzi-summary",
        }
        await self._push(user_id, summary)

    # -- sending -----------------------------------------------------------------

    async def _push(self, user_id: str, payload: dict[str, Any]) -> None:
        if self.unread is not None:
            payload = {**payload, "unread": await self.unread(user_id)}
        data = orjson.dumps(payload)
        for subscription in await self.subscriptions.of_user(user_id):
            self._spawn(self._send(subscription, data))

    async def _send(self, subscription: Record, data: bytes) -> None:
        s = self.settings
        for attempt in range(1, s.push_attempts + 1):
            async with self._sending:
                status, retry_after = await self._post(subscription, data)
            if status is not None and 200 <= status < 300:
                await self.subscriptions.sent(subscription["id"], int(time.time() * 1000))
                return
            if status in _GONE:
                log.info("push subscription %s is gone (%s): removed", subscription["id"], status)
                await self.subscriptions.gone(subscription["id"])
                return
            if status is not None and status not in _RETRY:
                log.warning("push to %s refused with %s", subscription["id"], status)
                return
            if attempt == s.push_attempts:
                break
            wait = s.push_backoff_s * 2 ** (attempt - 1)
            if retry_after is not None:
                wait = max(wait, retry_after)
            await asyncio.sleep(min(wait, s.push_backoff_max_s))
        log.warning("push to %s failed after %d attempts", subscription["id"], s.push_attempts)

    async def _post(self, subscription: Record, data: bytes) -> tuple[int | None, float | None]:
        """One request: the status (None: the network failed) and Retry-After (s)."""
        assert self._session is not None
        info = {
            "endpoint": subscription["endpoint"],
            "keys": {"p256dh": subscription["p256dh"], "auth": subscription["auth"]},
        }
        headers = self.keys.headers(subscription["endpoint"], int(time.time()))
        headers["Urgency"] = "normal"
        try:
            pusher = WebPusher(info, aiohttp_session=self._session)
            response = await pusher.send_async(
                data,
                headers,
                ttl=self.settings.push_ttl_s,
                timeout=aiohttp.ClientTimeout(total=self.settings.push_timeout_s),
            )
        except WebPushException:
            log.exception("push to %s could not be encrypted", subscription["id"])
            return 400, None
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            log.info("push to %s: %s", subscription["id"], error)
            return None, None
        assert isinstance(response, aiohttp.ClientResponse)
        return response.status, _seconds(response.headers.get("Retry-After"))

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        self._busy(1)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._busy(-1)
        if not task.cancelled() and task.exception() is not None:
            log.error("push failed", exc_info=task.exception())


def _seconds(value: str | None) -> float | None:
    with contextlib.suppress(TypeError, ValueError):
        return max(0.0, float(value))  # type: ignore[arg-type]
    return None
