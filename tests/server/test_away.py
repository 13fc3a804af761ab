"""The seam for the channels of members who are away (server/away.py): the due
notifications reach every registered channel, member by member, in their
language, once; quiet hours hold them; a failing channel is logged and does not
keep the others (or the next run) from theirs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from server.away import AwayDelivery
from server.housekeeping import Housekeeping
from server.settings import Settings
from store import Store, notifications, now_ms
from store.ids import new_id
from store.models import USERS
from tests import timing

Record = dict[str, Any]


class Recording:
    """An away channel that keeps what it was handed."""

    def __init__(self, name: str = "recording") -> None:
        self.name = name
        self.delivered: list[tuple[str, str, list[Record]]] = []

    async def deliver(self, user_id: str, language: str, items: list[Record]) -> None:
        self.delivered.append((user_id, language, items))


class Broken:
    name = "broken"

    def __init__(self) -> None:
        self.calls = 0

    async def deliver(self, user_id: str, language: str, items: list[Record]) -> None:
        self.calls += 1
        raise ConnectionError("the push service is down")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'q.db'}", password_time_cost=1)
    try:
        yield s
    finally:
        await s.close()


async def _users(store: Store, *names: str) -> list[str]:
    ids = [new_id() for _ in names]
    async with store.db.write() as conn:
        await conn.execute(
            USERS.insert(),
            [
                {"id": i, "handle": n, "name": n, "password_hash": "x", "created": now_ms()}
                for i, n in zip(ids, names, strict=True)
            ],
        )
    return ids


async def _notify(store: Store, user: str, seq: int) -> Record:
    about = {"circle": "c1", "group": "c1", "seq": seq, "excerpt": "hi"}
    async with store.db.write() as conn:
        return (await notifications.add(conn, [(user, "c1", "mention", about)]))[0]


async def test_every_channel_gets_each_members_due_notifications_once(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    ann, bob, cid = await _users(store, "ann", "bob", "cid")
    await store.notification_settings.update_settings(bob, {"language": "en"})
    # Cid is in quiet hours now (from an hour ago to two hours on): held.
    hour = datetime.now(UTC).hour
    quiet = {"quiet_from": f"{(hour - 1) % 24:02d}:00", "quiet_to": f"{(hour + 2) % 24:02d}:00"}
    await store.notification_settings.update_settings(cid, {**quiet, "time_zone": "UTC"})
    a1, a2 = await _notify(store, ann, 1), await _notify(store, ann, 2)
    b1 = await _notify(store, bob, 3)
    await _notify(store, cid, 4)
    recording, broken, second = Recording(), Broken(), Recording("second")
    away = AwayDelivery(store, batch=2)
    away.channels.extend([recording, broken, second])
    with caplog.at_level(logging.ERROR, logger="server.away"):
        handed = await away.deliver_away()
    assert handed == 3
    by_user = {
        user: (language, [n["id"] for n in items]) for user, language, items in recording.delivered
    }
    assert by_user == {ann: ("zh-CN", [a1["id"], a2["id"]]), bob: ("en", [b1["id"]])}
    assert recording.delivered == second.delivered
    # What a channel gets is what the inbox shows.
    assert recording.delivered[0][2][0] == notifications.public(a1)
    assert broken.calls == 2
    assert sum("away channel broken failed" in r.getMessage() for r in caplog.records) == 2
    # Handed once: the next run has nothing (cid's still wait).
    assert await away.deliver_away() == 0
    assert len(recording.delivered) == 2


async def test_read_ones_never_go_out(store: Store) -> None:
    (ann,) = await _users(store, "ann")
    first = await _notify(store, ann, 1)
    second = await _notify(store, ann, 2)
    await store.notifications.mark_read(ann, ids=[first["id"]])
    recording = Recording()
    away = AwayDelivery(store)
    away.channels.append(recording)
    assert await away.deliver_away() == 1
    assert [[n["id"] for n in items] for _, _, items in recording.delivered] == [[second["id"]]]


async def test_housekeeping_runs_it_every_away_check(store: Store) -> None:
    (ann,) = await _users(store, "ann")
    jobs = Housekeeping(Settings(away_check_s=0.01), store)
    recording = Recording()
    jobs.away.channels.append(recording)
    jobs.start()
    try:
        made = await _notify(store, ann, 1)
        for _ in range(500):
            if recording.delivered:
                break
            await timing.sleep(0.01)
    finally:
        await jobs.stop()
    assert [n["id"] for n in recording.delivered[0][2]] == [made["id"]]
