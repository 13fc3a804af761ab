"""A node's background jobs: pins that expire, chat retention, the change log's
age, deleted circles' content, what deleted accounts wrote, expired sessions,
abandoned resumable uploads, attachments nothing uses, members whose paid term
and grace are over, notifications for the channels of members who are away.

What they change reaches members as circle events, like any other change (the
store logs it): nothing here chooses a push.

Each job runs on its own interval in its own task. A failing run is logged
and the next one comes on time: housekeeping never takes the node down, and
stopping it lets a run in progress finish its transaction instead of
cancelling it halfway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from store import Record, Store, now_ms

from .away import AwayDelivery
from .digests import Digests
from .media.storage import Media
from .settings import Settings

log = logging.getLogger(__name__)

DAY_MS = 86_400_000


class Housekeeping:
    def __init__(self, settings: Settings, store: Store, media: Media | None = None) -> None:
        self.settings = settings
        self.store = store
        self.media = media
        self.uploads = None if media is None else media.resumable
        # The channels that reach members who are away (server/away.py); server/app.py
        # registers them.
        self.away = AwayDelivery(store, settings.away_batch)
        # Email digests (server/digests.py); the node sets it.
        self.digests: Digests | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        s = self.settings
        self._tasks = [
            asyncio.create_task(self._every(s.pin_check_s, self.expire_pins, "pin expiry")),
            asyncio.create_task(self._every(s.retention_interval_s, self.prune, "retention")),
            asyncio.create_task(
                self._every(s.retention_interval_s, self.purge_circles, "deleted circles")
            ),
            asyncio.create_task(
                self._every(s.retention_interval_s, self.erase_accounts, "deleted accounts")
            ),
            asyncio.create_task(
                self._every(s.token_prune_interval_s, self.prune_tokens, "token cleanup")
            ),
            asyncio.create_task(
                self._every(s.membership_check_s, self.expire_terms, "membership expiry")
            ),
            asyncio.create_task(self._every(s.reminder_check_s, self.send_reminders, "reminders")),
            asyncio.create_task(
                self._every(s.away_check_s, self.away.deliver_away, "away notifications")
            ),
        ]
        if self.digests is not None:
            self._tasks.append(
                asyncio.create_task(self._every(s.digest_check_s, self.send_digests, "digests"))
            )
        if self.media is not None:
            self._tasks += [
                asyncio.create_task(
                    self._every(s.upload_expire_check_s, self.expire_uploads, "upload expiry")
                ),
                asyncio.create_task(
                    self._every(
                        s.attachment_collect_s, self.collect_attachments, "attachment cleanup"
                    )
                ),
            ]

    async def stop(self) -> None:
        """Let the runs in progress finish (up to the shutdown grace), then cancel."""
        self._stop.set()
        tasks, self._tasks = self._tasks, []
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=self.settings.shutdown_grace_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def expire_pins(self) -> int:
        """Unpin every pin whose time has come (each is a `post.unpinned` event)."""
        return len(await self.store.pins.expire_pins(now_ms()))

    async def expire_terms(self) -> int:
        """Remove the members whose paid term ended more than the grace ago (each a
        `member.removed`: their sockets get `left` on every node), a batch at a time.
        Every node runs it; a member is removed once (store/terms.py)."""
        s = self.settings
        total = 0
        while True:
            removed = await self.store.terms.expire(now_ms(), batch=s.membership_batch)
            total += removed
            if removed < s.membership_batch or await self._pause(s.retention_pause_s):
                break
        if total:
            log.info("removed %d members whose paid term ended", total)
        return total

    async def send_reminders(self) -> int:
        """Every reminder that is due, feature by feature (store/reminders.py is
        their one road to members); how many items were reminded of: events
        coming, homework not handed in at the offsets before its due time, check-ins
        (rule 7) and lessons starting soon."""
        now = now_ms()
        return (
            await self.store.gatherings.remind_due(now)
            + await self.store.homework.remind_due(now)
            + await self.store.checkin_reminders.remind_due(now)
            + len(await self.store.lessons.remind_due(now))
        )

    async def send_digests(self) -> int:
        """Queue the email digests that are due (server/digests.py)."""
        return 0 if self.digests is None else await self.digests.send_due(now_ms())

    async def prune(self) -> int:
        """Prune chat beyond each circle's retention, the change log and the inboxes
        beyond their ages, one small batch at a time."""
        s = self.settings
        now = now_ms()
        before = now - int(s.change_log_days * DAY_MS)
        notified_before = now - int(s.notification_days * DAY_MS)
        jobs: list[Callable[[], Awaitable[int]]] = [
            lambda: self.store.retention.prune(batch=s.retention_batch),
            lambda: self.store.changes.prune(before, batch=s.retention_batch),
            lambda: self.store.notifications.prune(notified_before, batch=s.retention_batch),
        ]
        total = 0
        for job in jobs:
            while True:
                pruned = await job()
                total += pruned
                if pruned < s.retention_batch or await self._pause(s.retention_pause_s):
                    break
        if total:
            log.info("retention pruned %d chat messages, changes and notifications", total)
        return total

    async def prune_tokens(self) -> int:
        """Delete expired tokens' rows, one small batch at a time (they no longer
        authenticate anyway: this only keeps the table from growing)."""
        s = self.settings
        total = 0
        while True:
            pruned = await self.store.accounts.prune_tokens(batch=s.retention_batch)
            total += pruned
            if pruned < s.retention_batch or await self._pause(s.retention_pause_s):
                break
        if total:
            log.info("deleted %d expired tokens", total)
        return total

    async def expire_uploads(self) -> int:
        """Remove resumable uploads nobody continued within ``upload_expire_s``
        (their partial bytes with them), and finished ones' records as old."""
        if self.uploads is None:
            return 0
        removed = await self.uploads.expire(now_ms())
        if removed:
            log.info("removed %d expired resumable uploads", removed)
        return removed

    async def collect_attachments(self) -> int:
        """Delete attachments nothing uses (no message, post or comment: retention
        pruned their message, their post was deleted, or they were never sent)
        ``attachment_grace_s`` after their last upload, and then their blobs."""
        if self.media is None:
            return 0
        s = self.settings
        cutoff = now_ms() - int(s.attachment_grace_s * 1000)
        total = 0
        while True:
            gone = await self.store.attachments.collect(cutoff, limit=s.retention_batch)
            await self._delete_blobs(gone)
            total += len(gone)
            if len(gone) < s.retention_batch or await self._pause(s.retention_pause_s):
                break
        if total:
            log.info("deleted %d attachments nothing used", total)
        return total

    async def purge_circles(self) -> int:
        """Delete the content of deleted circles, a batch per transaction, and the
        blobs of their attachments (store/deleted_circles.py)."""
        s = self.settings
        total = 0
        while True:
            count, attachments = await self.store.deleted_circles.purge(batch=s.retention_batch)
            await self._delete_blobs(attachments)
            total += count
            if not count or await self._pause(s.retention_pause_s):
                break
        if total:
            log.info("purged %d rows of deleted circles", total)
        return total

    async def erase_accounts(self) -> int:
        """Erase what deleted accounts wrote, a batch per transaction
        (store/account_deletion.py); their media is released, and collected with
        every other attachment nothing uses."""
        s = self.settings
        total = 0
        while True:
            count = await self.store.account_deletion.erase(batch=s.retention_batch)
            total += count
            if not count or await self._pause(s.retention_pause_s):
                break
        if total:
            log.info("erased %d things deleted accounts wrote", total)
        return total

    async def _delete_blobs(self, attachments: list[Record]) -> None:
        """The blobs of attachments whose rows are gone (rows first: a row never
        points at a missing blob)."""
        if self.media is None:
            return
        for attachment in attachments:
            # The same bytes uploaded again since the row went share its blob's key.
            if await self.store.attachments.find(attachment["circle"], attachment["sha256"]):
                continue
            for key in (attachment["blob_key"], attachment["thumb_key"]):
                if key:
                    await self.media.blobs.delete(key)

    async def _every(self, interval: float, job: Callable[[], Awaitable[int]], name: str) -> None:
        while not await self._pause(interval):
            try:
                await job()
            except Exception:
                log.exception("%s failed; retrying in %s s", name, interval)

    async def _pause(self, seconds: float) -> bool:
        """Sleep unless stopped meanwhile; True when housekeeping is stopping."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stop.wait()
        return self._stop.is_set()
