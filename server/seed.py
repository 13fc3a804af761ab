# ruff: noqa: RUF001  (the demo is written in Chinese, with its full-width punctuation)
"""`python -m server seed [--force] [--database-url URL | --data-dir DIR]` (`make seed`):
demo accounts and three circles to try Quanzi with — a teaching circle (舞蹈基础班 /
Dance basics: 王老师 teaches, 李助教 assists, four students joined with their cohort's
codes; a course plan of three lessons and homework, one piece reviewed and excellent),
a bank branch's internal circle (daily reading check-ins, a photo contest, a birthday
party), and a weekend-cycling community (a ride) — with posts, a pinned must-read
notice and chat in each.

Idempotent: accounts and circles already there are kept (found by handle, and by
name among the owner's circles), nothing is written twice. It refuses a database
that holds any account besides the demo's own unless ``--force``.

Other features add their demo content as ONE function each in ``HOOKS`` (an async
function taking the ``Demo``); hooks run once, when this run created the circles
(``demo.created``), so a second run adds nothing.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import store

# Every demo account signs in with this password (a demo: never on a real server).
PASSWORD = "quanzi-demo-2026"

# key → (handle, name)
PEOPLE: dict[str, tuple[str, str]] = {
    "wang": ("wang", "王老师"),
    "li": ("lizhujiao", "李助教"),
    "xiaoming": ("xiaoming", "王小明"),
    "yunni": ("yunni", "张云妮"),
    "emma": ("emma", "Emma Li"),
    "david": ("david", "David Chen"),
    "zhao": ("zhaohang", "赵行长"),
    "qian": ("qianjl", "钱经理"),
    "sun": ("sunjy", "孙柜员"),
}

# key → (name, kind, visibility, description, owner, admins, members)
CIRCLES: dict[str, tuple[str, str, str, str, str, tuple[str, ...], tuple[str, ...]]] = {
    "dance": (
        "舞蹈基础班 / Dance basics",
        "teaching",
        "private",
        "零基础舞蹈课，每周六上午十点 · Beginners' dance, Saturdays 10:00",
        "wang",
        ("li",),
        ("xiaoming", "yunni", "emma", "david"),
    ),
    "bank": (
        "深圳分行 营业部 / Shenzhen branch team",
        "internal",
        "private",
        "营业部内部沟通 · The branch's own channel",
        "zhao",
        ("qian",),
        ("sun",),
    ),
    "cycling": (
        "周末骑行 / Weekend cycling",
        "community",
        "public",
        "每周末一起骑车 · Riding together every weekend",
        "david",
        (),
        ("emma", "xiaoming"),
    ),
}

COHORT = "2026 春季班"


@dataclass
class Demo:
    """What the seed made or found: users and circles by key, the circles this run
    created, and the cohort's chat group of the teaching circle."""

    store: store.Store
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    circles: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: set[str] = field(default_factory=set)
    cohort_group: str | None = None


Hook = Callable[[Demo], Awaitable[None]]


async def _content(demo: Demo) -> None:
    """Posts, a pinned must-read notice and chat in each circle this run created."""
    s, u, c = demo.store, demo.users, demo.circles
    nonce = iter(range(1_000_000))

    async def say(circle: str, who: str, text: str) -> None:
        user = u[who]
        await s.chat.say(c[circle]["id"], user["id"], user["name"], text, f"seed-{next(nonce)}")

    async def notice(circle: str, who: str, text: str) -> None:
        post = await s.posts.create(c[circle]["id"], u[who]["id"], "notice", text)
        await s.must_reads.set_must_read(post["id"], u[who]["id"], True)
        await s.pins.pin(post["id"], u[who]["id"])

    if "dance" in demo.created:
        await notice(
            "dance",
            "wang",
            "欢迎来到舞蹈基础班！第一课：本周六上午十点，请穿舒适的衣服和软底鞋。\n"
            "Welcome to Dance basics! First lesson this Saturday 10:00: comfortable "
            "clothes and soft shoes, please.",
        )
        await s.posts.create(
            c["dance"]["id"], u["wang"]["id"], "post", "热身动作要领：肩膀放松，膝盖微屈。"
        )
        await say("dance", "wang", "大家好，我是王老师，欢迎加入！")
        await say("dance", "emma", "Hi everyone, I'm Emma — excited to start!")
        await say("dance", "xiaoming", "老师好！周六见～")
        await say("dance", "li", "有问题随时在群里问我 😊")
    if "bank" in demo.created:
        await notice(
            "bank",
            "zhao",
            "本周五下午三点合规培训，全员参加。Compliance training Friday 15:00, everyone.",
        )
        await s.posts.create(
            c["bank"]["id"], u["qian"]["id"], "post", "本月网点业绩已更新，请查看共享资料。"
        )
        await say("bank", "qian", "今天柜台排班已发，请大家确认。")
        await say("bank", "sun", "收到，谢谢钱经理。")
    if "cycling" in demo.created:
        await s.posts.create(
            c["cycling"]["id"],
            u["david"]["id"],
            "post",
            "Saturday ride: 40 km along the bay, meet 7:30 at the park gate. 周六湾区 40 公里。",
        )
        await say("cycling", "david", "Weather looks good for Saturday 🚴")
        await say("cycling", "emma", "I'm in! 我也去")
        await say("cycling", "xiaoming", "算我一个")


DAY_MS = 24 * 3600 * 1000


async def _course(demo: Demo) -> None:
    """The teaching circle's course: a plan of three lessons (the first one given,
    with its replay), homework on the first — one piece reviewed and marked
    excellent, one waiting for review."""
    if "dance" not in demo.created:
        return
    s, u, c = demo.store, demo.users, demo.circles["dance"]
    teacher, now = u["wang"]["id"], store.now_ms()
    lessons = []
    for days, title, about in (
        (
            -7,
            "第一课：基本步 / Basic steps",
            "站姿、重心和基本步。Posture, weight and the basic step.",
        ),
        (0, "第二课：节奏 / Rhythm", "跟着音乐数拍子。Counting the beat with the music."),
        (7, "第三课：组合 / Putting it together", "把基本步连成一段组合。A first short routine."),
    ):
        lessons.append(
            await s.lessons.create(
                c["id"],
                teacher,
                {
                    "title": title,
                    "description": about,
                    "starts_at": now + days * DAY_MS + 3_600_000,
                },
            )
        )
    await s.lessons.update(
        lessons[0]["id"], teacher, {"replay_url": "https://example.com/replay/lesson-1"}
    )
    task = await s.homework.create(
        c["id"],
        teacher,
        {
            "title": "基本步练习视频 / Basic steps video",
            "instructions": "录一段 30 秒的基本步练习。Film 30 seconds of the basic step.",
            "due_at": now + 5 * DAY_MS,
            "peer_visibility": "after_submit",
            "lesson_id": lessons[0]["id"],
        },
    )
    good = await s.homework.submit(task["id"], u["yunni"]["id"], "老师好，这是我的练习！")
    await s.homework.review(good["id"], teacher, score=95, comment="节奏很稳，继续保持！")
    await s.homework.excellent(good["id"], teacher)
    await s.homework.submit(task["id"], u["emma"]["id"], "Here is my practice, take a look!")


async def _activities(demo: Demo) -> None:
    """The bank's daily reading check-ins, its photo contest and a birthday party;
    the cyclists' Saturday ride."""
    s, u, c = demo.store, demo.users, demo.circles
    now = store.now_ms()
    if "bank" in demo.created:
        bank, boss = c["bank"]["id"], u["zhao"]["id"]
        reading = await s.challenges.create(
            bank,
            boss,
            {
                "title": "每天读书一小时 / Read an hour a day",
                "type": "continuous",
                "required_days": 21,
            },
        )
        for who, text in (("qian", "读完《金融的本质》第一章"), ("sun", "今天读了四十页")):
            await s.challenges.join(reading["id"], u[who]["id"])
            await s.checkins.check_in(reading["id"], u[who]["id"], text)
        await s.contests.create(
            bank,
            boss,
            {
                "title": "手机摄影大赛 / Phone photo contest",
                "rules": "每人一张作品，每人三票。One photo each, three votes each.",
                "entries_close": now + 7 * DAY_MS,
                "votes_open": now + 7 * DAY_MS,
                "votes_close": now + 10 * DAY_MS,
                "votes_per_member": 3,
            },
        )
        party = await s.gatherings.create(
            bank,
            boss,
            {
                "title": "十二月生日会 / December birthdays",
                "starts_at": now + 3 * DAY_MS,
                "place": "三楼活动室",
                "capacity": 30,
            },
        )
        for who in ("qian", "sun"):
            await s.gatherings.answer(party["id"], u[who]["id"], "going")
    if "cycling" in demo.created:
        ride = await s.gatherings.create(
            c["cycling"]["id"],
            u["david"]["id"],
            {
                "title": "Saturday bay ride / 周六湾区骑行",
                "starts_at": now + 2 * DAY_MS,
                "place": "Park gate 公园门口",
            },
        )
        await s.gatherings.answer(ride["id"], u["emma"]["id"], "going")
        await s.gatherings.answer(ride["id"], u["xiaoming"]["id"], "maybe")


async def _mentions(demo: Demo) -> None:
    """A mention and a reply in the teaching circle's chat: 张云妮's and Emma's bells
    ring (the must-read notices already rang everyone's)."""
    if "dance" not in demo.created:
        return
    s, u, cid = demo.store, demo.users, demo.circles["dance"]["id"]
    wang, emma = u["wang"], u["emma"]
    await s.chat.say(
        cid, wang["id"], wang["name"], "@张云妮 作业完成得很好，大家向她学习！", "seed-mention-1"
    )
    asked, _ = await s.chat.say(
        cid, emma["id"], emma["name"], "Is Saturday's class at 10:00 as usual?", "seed-mention-2"
    )
    await s.chat.say(
        cid,
        wang["id"],
        wang["name"],
        "对，照常十点。Yes, 10:00.",
        "seed-mention-3",
        reply_to=asked["seq"],
    )


# The demo content of other features: ONE async function each, taking the Demo. Add
# yours with one line; it runs once, when this run created the circles (check
# ``demo.created`` for the circles you fill; ``demo.circles["dance"]`` is the course).
HOOKS: list[Hook] = [
    _content,
    _course,
    _activities,
    _mentions,
]


class Refused(Exception):
    """The database holds other accounts than the demo's (and no ``--force``)."""


async def seed(s: store.Store, force: bool = False) -> Demo:
    """Make (or find) the demo accounts and circles; see the module's doc."""
    handles = {handle for handle, _ in PEOPLE.values()}
    others = await s.demo.others(handles)
    if others and not force:
        raise Refused(
            f"this database has {others} account(s) besides the demo's: "
            "seed a fresh database, or pass --force to add the demo anyway"
        )
    demo = Demo(s)
    for key, (handle, name) in PEOPLE.items():
        found = await s.demo.user(handle)
        if found is None:
            _, found = await s.accounts.signup(handle, PASSWORD, name)
        demo.users[key] = found
    for key, (name, kind, visibility, about, owner, admins, members) in CIRCLES.items():
        owner_id = demo.users[owner]["id"]
        mine = [c for c in await s.circles.my_circles(owner_id) if c["name"] == name]
        if mine:
            demo.circles[key] = await s.circles.get(mine[0]["id"], owner_id)
            continue
        circle = await s.circles.create(owner_id, name, kind, visibility, about)
        demo.circles[key], cid = circle, circle["id"]
        demo.created.add(key)
        if kind == "teaching":
            # The cohort: its chat group, and one single-use code per student.
            group = await s.groups.create(
                cid, owner_id, "春季班群 / Spring cohort", access="invite"
            )
            demo.cohort_group = group["id"]
            codes = await s.circles.create_codes(
                cid, owner_id, len(members), 1, label=COHORT, period_days=120, group_id=group["id"]
            )
            admitted = [(who, code["code"]) for who, code in zip(members, codes, strict=True)]
            joining = [(who, None) for who in admins] + admitted
        else:
            code = None
            if visibility == "private":
                code = (await s.circles.create_codes(cid, owner_id, 1))[0]["code"]
            joining = [(who, code) for who in (*admins, *members)]
        for who, code in joining:
            if code is None and visibility == "private":
                code = (await s.circles.create_codes(cid, owner_id, 1, 1))[0]["code"]
            await s.memberships.join(cid, demo.users[who]["id"], code)
        for who in admins:
            await s.memberships.update_member(cid, owner_id, demo.users[who]["id"], role="admin")
    if demo.created:
        for hook in HOOKS:
            await hook(demo)
    # The circles as they are now (sections, member counts).
    for key, circle in demo.circles.items():
        owner_id = demo.users[CIRCLES[key][4]]["id"]
        demo.circles[key] = await s.circles.get(circle["id"], owner_id)
    return demo


def report(demo: Demo) -> str:
    """What a person needs to try it: who to log in as, and the circles."""
    lines = [f"Demo accounts (password for all: {PASSWORD}):"]
    lines += [f"  {handle:<10} {name}" for handle, name in PEOPLE.values()]
    lines.append("Circles:")
    for key, circle in demo.circles.items():
        made = "created" if key in demo.created else "already there"
        lines.append(
            f"  {circle['name']} [{circle['kind']}, {circle['visibility']}] {circle['id']}"
            f" — {made}; sections: {', '.join(circle['sections'])}"
        )
    return "\n".join(lines)


def run(url: str, force: bool) -> None:
    """The `seed` command (server/__main__.py parses its options): seed, print the report;
    a refused database exits with the reason."""
    try:
        demo = asyncio.run(_run(url, force))
    except Refused as refused:
        sys.exit(f"seed: {refused}")
    print(report(demo), flush=True)


async def _run(url: str, force: bool) -> Demo:
    s = await store.Store.open(url, password_time_cost=1)
    try:
        return await seed(s, force)
    finally:
        await s.close()
