"""Background jobs: a failing run is logged and the next one comes; stop is clean."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest

from server.housekeeping import Housekeeping
from server.settings import Settings
from store import now_ms
from tests import timing


class Flaky:
    """A store's pins, retention and change log whose first calls fail, as a
    database that went away would."""

    def __init__(self) -> None:
        self.expire_calls = 0
        self.expired: list[dict[str, Any]] = []
        self.prune_calls: list[int] = []
        self.backlog = 1200
        self.changes_pruned_before: list[int] = []
        self.notifications_pruned_before: list[int] = []

    async def expire_pins(self, now_ms: int) -> list[dict[str, Any]]:
        self.expire_calls += 1
        if self.expire_calls <= 2:
            raise RuntimeError("database is locked")
        if self.expire_calls == 3:
            self.expired.append({"id": "p1", "circle": "c1", "pinned": False})
            return self.expired
        return []

    async def prune(self, batch: int = 500) -> int:
        self.prune_calls.append(batch)
        if len(self.prune_calls) == 1:
            raise RuntimeError("disk I/O error")
        done = min(batch, self.backlog)
        self.backlog -= done
        return done

    async def prune_changes(self, before_ms: int, batch: int = 500) -> int:
        self.changes_pruned_before.append(before_ms)
        return 0

    async def prune_notifications(self, before_ms: int, batch: int = 500) -> int:
        self.notifications_pruned_before.append(before_ms)
        return 0


async def test_jobs_survive_failures_and_stop_cleanly(caplog: pytest.LogCaptureFixture) -> None:
    posts = Flaky()
    settings = Settings(
        pin_check_s=0.01,
        retention_interval_s=0.01,
        retention_batch=500,
        retention_pause_s=0,
        change_log_days=2,
        notification_days=7,
    )
    store: Any = SimpleNamespace(
        pins=posts,
        retention=posts,
        changes=SimpleNamespace(prune=posts.prune_changes),
        notifications=SimpleNamespace(prune=posts.prune_notifications),
    )
    jobs = Housekeeping(settings, store)
    with caplog.at_level(logging.ERROR, logger="server.housekeeping"):
        jobs.start()
        for _ in range(200):
            if posts.expired and posts.backlog == 0 and posts.notifications_pruned_before:
                break
            await timing.sleep(0.01)
        await jobs.stop()
    assert posts.expired == [{"id": "p1", "circle": "c1", "pinned": False}]
    # The change log is pruned by age: what is older than change_log_days goes.
    assert posts.changes_pruned_before
    assert now_ms() - posts.changes_pruned_before[0] >= 2 * 86_400_000
    # And the inboxes by theirs.
    assert 7 * 86_400_000 <= now_ms() - posts.notifications_pruned_before[0] < 8 * 86_400_000
    # The failed prune was retried; the backlog went in batches of 500 in one run.
    assert posts.backlog == 0 and posts.prune_calls[:4] == [500, 500, 500, 500]
    assert sum("pin expiry failed" in r.getMessage() for r in caplog.records) == 2
    assert any("retention failed" in r.getMessage() for r in caplog.records)
    calls = posts.expire_calls
    await timing.sleep(0.05)
    assert posts.expire_calls == calls  # stopped means stopped
    await jobs.stop()  # and stopping twice is fine


class ExpiredTokens:
    """A store's accounts with a backlog of expired token rows."""

    def __init__(self, backlog: int) -> None:
        self.backlog = backlog
        self.batches: list[int] = []

    async def prune_tokens(self, batch: int) -> int:
        self.batches.append(batch)
        done = min(batch, self.backlog)
        self.backlog -= done
        return done


async def test_expired_tokens_are_deleted_in_small_batches() -> None:
    accounts = ExpiredTokens(1200)
    settings = Settings(
        pin_check_s=3600,
        retention_interval_s=3600,
        token_prune_interval_s=0.01,
        retention_batch=500,
        retention_pause_s=0,
    )
    jobs = Housekeeping(settings, SimpleNamespace(accounts=accounts))  # type: ignore[arg-type]
    jobs.start()
    for _ in range(200):
        if accounts.backlog == 0:
            break
        await timing.sleep(0.01)
    await jobs.stop()
    assert accounts.backlog == 0
    assert accounts.batches[:3] == [500, 500, 500]


async def test_one_reminders_job_asks_every_feature_with_the_time_now() -> None:
    """Events coming and rule 7's homework reminders before due_at: one job asks
    each feature's store for what is due, with one time."""
    asked: list[tuple[str, int]] = []

    def feature(name: str, due: int) -> SimpleNamespace:
        async def remind_due(now: int) -> int:
            asked.append((name, now))
            return due

        return SimpleNamespace(remind_due=remind_due)

    async def lessons_due(now: int) -> list[str]:
        asked.append(("lessons", now))
        return ["l1"]

    before = now_ms()
    store: Any = SimpleNamespace(
        gatherings=feature("gatherings", 2),
        homework=feature("homework", 1),
        checkin_reminders=feature("checkins", 4),
        lessons=SimpleNamespace(remind_due=lessons_due),
    )
    assert await Housekeeping(Settings(), store).send_reminders() == 8
    assert [name for name, _ in asked] == ["gatherings", "homework", "checkins", "lessons"]
    assert len({at for _, at in asked}) == 1 and asked[0][1] >= before
