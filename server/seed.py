# ruff: noqa: RUF001  (the demo is written in Chinese, with its full-width punctuation)
"""`python -m server seed [--force] [--database-url URL | --data-dir DIR]` (`make seed`):
demo accounts and three circles to try Quanzi with — a teaching circle (舞蹈基础班 /
Dance basics: 王老师 teaches, 李助教 assists, four students joined with their cohort's
codes), a bank branch's internal circle, and a weekend-cycling community — with posts,
a pinned must-read notice and chat in each.

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


# The demo content of other features: ONE async function each, taking the Demo. Add
# yours with one line; it runs once, when this run created the circles (check
# ``demo.created`` for the circles you fill; ``demo.circles["dance"]`` is the course).
HOOKS: list[Hook] = [
    _content,
    # TODO(lessons): the course plan of demo.circles["dance"] — lessons, materials, a replay.
    # TODO(homework): an assignment in the dance circle, a submission, a review, an excellent one.
    # TODO(checkins2): a check-in challenge in demo.circles["cycling"] with a few check-ins.
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
