"""The demo seed (server/seed.py, `make seed`): on an empty database, on SQLite and
on PostgreSQL, it makes the demo accounts and the three circles with their kinds'
sections, the teaching circle's cohort (codes with the label, the chat group, the
students' terms) and content; run again it adds nothing; a database with a real
account is refused unless forced; and the command line prints the passwords."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import store
from server import seed
from tests.services import fresh_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
async def url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'seed.db'}"
        return
    async with fresh_postgres_database() as pg:
        yield pg


async def test_the_seed_makes_the_demo_once(url: str) -> None:
    s = await store.Store.open(url, password_time_cost=1)
    try:
        first = await seed.seed(s)
        assert first.created == {"dance", "bank", "cycling"}
        dance, bank, cycling = (first.circles[k] for k in ("dance", "bank", "cycling"))
        assert dance["sections"] == [
            "feed",
            "course",
            "materials",
            "homework",
            "chat",
            "highlights",
            "search",
        ]
        assert bank["sections"] == [
            "chat",
            "feed",
            "events",
            "challenges",
            "contests",
            "materials",
            "highlights",
            "search",
        ]
        assert "challenges" in cycling["sections"]
        assert (dance["members"], bank["members"], cycling["members"]) == (6, 3, 3)
        wang, li = first.users["wang"]["id"], first.users["li"]["id"]
        roles = {m["user"]: m["role"] for m in (await s.memberships.members(dance["id"], wang))[0]}
        assert roles[wang] == "owner" and roles[li] == "admin"
        # The cohort: four codes with the label, each redeemed, the students in its group
        # with a term.
        codes, _ = await s.codes.page(dance["id"], wang, label=seed.COHORT)
        assert len(codes) == 4 and all(len(c["redeemed"]) == 1 for c in codes)
        assert first.cohort_group is not None
        in_group = set(await s.groups.member_ids(first.cohort_group))
        students = {first.users[k]["id"] for k in ("xiaoming", "yunni", "emma", "david")}
        assert students <= in_group
        mine = await s.circles.my_circles(first.users["emma"]["id"])
        assert {c["name"]: "ends_at" in c for c in mine} == {
            dance["name"]: True,
            cycling["name"]: False,
        }
        # The course: three lessons, the next one known; homework with an excellent
        # piece (a highlight of the circle) and one waiting for review.
        plan, next_lesson = await s.lessons.plan(dance["id"], first.users["yunni"]["id"])
        assert len(plan) == 3 and next_lesson == plan[1]["id"]
        assignments, _ = await s.homework.page(dance["id"], wang)
        assert [a["title"] for a in assignments] == ["基本步练习视频 / Basic steps video"]
        posts, _ = await s.posts.feed(dance["id"], wang)
        assert any((p.get("source") or {}).get("kind") == "submission" for p in posts)
        # The bank's activities and the cyclists' ride.
        zhao = first.users["zhao"]["id"]
        assert len((await s.challenges.page(bank["id"], zhao))[0]) == 1
        assert len((await s.contests.page(bank["id"], zhao))[0]) == 1
        party = (await s.gatherings.page(bank["id"], zhao))[0][0]
        assert party["going"] == 2 and party["capacity"] == 30
        # Content: a pinned must-read notice, posts, chat.
        for key in ("dance", "bank", "cycling"):
            circle = first.circles[key]
            owner = first.users[seed.CIRCLES[key][4]]["id"]
            assert circle["last_seq"] >= 2
            posts, _ = await s.posts.feed(circle["id"], owner)
            assert len(posts) >= 1
            if key != "cycling":
                assert posts[0]["pinned"] and posts[0]["must_read"]
        pending = {c["name"]: c["must_read_pending"] for c in mine}
        assert pending[dance["name"]] == 1
        # Inboxes: 张云妮 was mentioned, Emma replied to (and both got the must-read).
        for key, kind in (("yunni", "mention"), ("emma", "reply")):
            inbox, _ = await s.notifications.list(first.users[key]["id"])
            assert kind in {n["kind"] for n in inbox} and "must_read" in {n["kind"] for n in inbox}
        # Again: nothing new, the same circles.
        again = await seed.seed(s)
        assert again.created == set()
        assert {k: c["id"] for k, c in again.circles.items()} == {
            k: c["id"] for k, c in first.circles.items()
        }
        assert again.circles["dance"]["last_seq"] == dance["last_seq"]
        assert again.circles["dance"]["members"] == 6
        assert "quanzi-demo-2026" in seed.report(again)
    finally:
        await s.close()


async def test_a_database_with_real_accounts_is_refused_unless_forced(url: str) -> None:
    s = await store.Store.open(url, password_time_cost=1)
    try:
        await s.accounts.signup("realperson", "a long password", "Real Person")
        with pytest.raises(seed.Refused):
            await seed.seed(s)
        assert await s.demo.user("wang") is None
        forced = await seed.seed(s, force=True)
        assert forced.created == {"dance", "bank", "cycling"}
    finally:
        await s.close()


def test_the_command_prints_the_accounts_and_refuses_a_real_database(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "server", "seed", "--data-dir", str(tmp_path)]
    done = subprocess.run(run, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "password for all: quanzi-demo-2026" in done.stdout
    assert "wang" in done.stdout and "舞蹈基础班" in done.stdout
    again = subprocess.run(run, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0 and "already there" in again.stdout
