"""Paid terms in the store: an end date from an owner or admin, from a paid code
or from a payment; read-only after it, removed after the grace; every act in the
audit log."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from store import Conflict, Forbidden, Invalid, NotFound, Record, Store, now_ms
from store.term_dates import add_months, renewed_end
from tests.timing import sleep


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record, alice: Record) -> Record:
    """Alice owns it, Bob is an admin, Carol a member."""
    await store.memberships.join(circle["id"], bob["id"])
    await store.memberships.join(circle["id"], carol["id"])
    await store.memberships.update_member(circle["id"], alice["id"], bob["id"], role="admin")
    return circle


def _ms(*date: int) -> int:
    return int(datetime(*date, tzinfo=UTC).timestamp() * 1000)  # type: ignore[misc]


def test_months_are_calendar_months() -> None:
    assert add_months(_ms(2026, 1, 31, 12), 1) == _ms(2026, 2, 28, 12)
    assert add_months(_ms(2026, 11, 15), 3) == _ms(2027, 2, 15)
    assert add_months(_ms(2024, 2, 29), 12) == _ms(2025, 2, 28)


def test_a_renewal_starts_from_the_later_of_the_end_and_now() -> None:
    now = _ms(2026, 12, 1)
    # Early: from the end; in grace: from now; a new member: from now.
    assert renewed_end(_ms(2027, 1, 10), True, now, 1, None) == _ms(2027, 2, 10)
    assert renewed_end(_ms(2026, 11, 20), True, now, 1, None) == _ms(2027, 1, 1)
    assert renewed_end(None, False, now, 2, None) == _ms(2027, 2, 1)
    # A date never moves the end earlier; a membership without end keeps none.
    assert renewed_end(_ms(2027, 5, 1), True, now, None, _ms(2027, 3, 1)) == _ms(2027, 5, 1)
    assert renewed_end(None, True, now, 1, None) is None


async def test_a_membership_past_its_end_date_becomes_read_only_then_removed(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    post = await store.posts.create(room["id"], alice["id"], "post", "第一课")
    ends = now_ms() + 300
    member = await store.terms.set_end(room["id"], bob["id"], carol["id"], ends_at=ends)
    assert member["ends_at"] == ends
    assert member["removes_at"] == ends + store.terms.grace_ms
    # Before the end: a member like any other.
    await store.posts.create(room["id"], carol["id"], "post", "作业")
    while now_ms() <= ends:
        await sleep(0.1)
    attempts: list[Callable[[], Awaitable[object]]] = [
        lambda: store.posts.create(room["id"], carol["id"], "post", "more"),
        lambda: store.comments.add_comment(post["id"], carol["id"], "more"),
        lambda: store.reactions.set_on_post(post["id"], carol["id"], "👍", True),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden) as refused:
            await attempt()
        assert refused.value.reason == "membership_ended"
        assert refused.value.params == {"ends_at": ends, "removes_at": member["removes_at"]}
    # Reading stays, during the grace.
    assert (await store.posts.get(post["id"], carol["id"]))["id"] == post["id"]
    assert await store.terms.expire(now_ms()) == 0
    assert await store.memberships.membership(room["id"], carol["id"]) is not None
    # After the grace: removed, through the one road out.
    assert await store.terms.expire(member["removes_at"]) == 1
    assert await store.memberships.membership(room["id"], carol["id"]) is None
    assert await store.terms.expire(member["removes_at"]) == 0
    kinds = [c.kind for c in await store.changes.since(room["id"], 0, 200)]
    assert kinds[-1] == "member.removed"
    acts = [
        (e["action"], e["actor"]["id"])
        for e in (await store.audit.page(room["id"], alice["id"]))[0]
    ]
    assert acts[:2] == [("member.expired", "system"), ("member.term", bob["id"])]


async def test_a_renewal_lifts_read_only_at_once(
    store: Store, room: Record, bob: Record, carol: Record
) -> None:
    ends = now_ms() + 200
    await store.terms.set_end(room["id"], bob["id"], carol["id"], ends_at=ends)
    while now_ms() <= ends:
        await sleep(0.1)
    with pytest.raises(Forbidden):
        await store.posts.create(room["id"], carol["id"], "post", "ended")
    renewed = await store.terms.set_end(room["id"], bob["id"], carol["id"], months=1)
    assert renewed["ends_at"] > now_ms() + 27 * 86_400_000
    membership = await store.memberships.membership(room["id"], carol["id"])
    assert membership is not None and membership.ends_at == renewed["ends_at"]
    await store.posts.create(room["id"], carol["id"], "post", "back")
    cleared = await store.terms.clear_end(room["id"], bob["id"], carol["id"])
    assert "ends_at" not in cleared
    assert await store.terms.expire(renewed["removes_at"] + 1) == 0


async def test_who_may_set_an_end_date(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    later = now_ms() + 86_400_000
    with pytest.raises(Forbidden):  # a member
        await store.terms.set_end(room["id"], carol["id"], bob["id"], ends_at=later)
    with pytest.raises(Forbidden):  # an admin on an owner, on an admin (themselves too)
        await store.terms.set_end(room["id"], bob["id"], alice["id"], ends_at=later)
    with pytest.raises(Forbidden):
        await store.terms.set_end(room["id"], bob["id"], bob["id"], ends_at=later)
    with pytest.raises(Forbidden):  # an owner's membership never ends
        await store.terms.set_end(room["id"], alice["id"], alice["id"], ends_at=later)
    with pytest.raises(NotFound):
        await store.terms.set_end(room["id"], alice["id"], "nobody", ends_at=later)
    for bad in ({"ends_at": now_ms() - 1}, {"months": 0}, {"months": 1, "ends_at": later}, {}):
        with pytest.raises(Invalid):
            await store.terms.set_end(room["id"], alice["id"], carol["id"], **bad)
    # An owner sets an admin's; promoting a member to owner takes their end away.
    await store.terms.set_end(room["id"], alice["id"], bob["id"], ends_at=later)
    await store.terms.set_end(room["id"], alice["id"], carol["id"], ends_at=later)
    owner = await store.memberships.update_member(
        room["id"], alice["id"], carol["id"], role="owner"
    )
    assert "ends_at" not in owner


async def test_a_paid_code_sets_the_term_and_renews_it(
    store: Store, private_circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    room = private_circle["id"]
    (monthly,) = await store.circles.create_codes(room, alice["id"], 1, period_months=3)
    assert monthly["period_months"] == 3 and monthly["deadline"] is None
    before = now_ms()
    joined = await store.memberships.join(room, bob["id"], monthly["code"])
    assert add_months(before, 3) <= joined["ends_at"] <= add_months(now_ms(), 3)
    # Redeeming a paid code again renews from the current end.
    (again,) = await store.circles.create_codes(room, alice["id"], 1, period_months=1)
    renewed = await store.memberships.join(room, bob["id"], again["code"])
    assert renewed["ends_at"] == add_months(joined["ends_at"], 1)
    # A deadline code: everyone ends on the date.
    deadline = now_ms() + 30 * 86_400_000
    (cohort,) = await store.circles.create_codes(room, alice["id"], 1, deadline=deadline)
    assert (await store.memberships.join(room, carol["id"], cohort["code"]))["ends_at"] == deadline
    # A plain code neither renews nor spends a use for a member.
    (plain,) = await store.circles.create_codes(room, alice["id"], 1, max_uses=1)
    same = await store.memberships.join(room, carol["id"], plain["code"])
    assert same["ends_at"] == deadline
    listed, _ = await store.codes.page(room, alice["id"])
    assert {c["code"]: c["uses"] for c in listed}[plain["code"]] == 0
    acts = [e["action"] for e in (await store.audit.page(room, alice["id"]))[0]]
    assert acts.count("member.term") == 3
    with pytest.raises(Invalid):
        await store.circles.create_codes(room, alice["id"], 1, period_months=1, deadline=deadline)
    with pytest.raises(Invalid):
        await store.circles.create_codes(room, alice["id"], 1, deadline=now_ms() - 1)


async def test_a_payment_grants_renews_once_and_refuses_the_banned(
    store: Store,
    private_circle: Record,
    alice: Record,
    bob: Record,
    carol: Record,
) -> None:
    room = private_circle["id"]
    member, replayed = await store.payments.apply("evt_1", room, "bob", months=1)
    assert not replayed and member["user"] == bob["id"] and member["ends_at"] > now_ms()
    again, replayed = await store.payments.apply("evt_1", room, bob["id"], months=1)
    assert replayed and again["ends_at"] == member["ends_at"]
    renewed, _ = await store.payments.apply("evt_2", room, bob["id"], months=1)
    assert renewed["ends_at"] == add_months(member["ends_at"], 1)
    # Banned: refused, and nothing is stored (the same event may be sent again later).
    await store.sanctions.ban(room, alice["id"], carol["id"])
    with pytest.raises(Forbidden) as refused:
        await store.payments.apply("evt_3", room, "carol", months=1)
    assert refused.value.reason == "banned"
    await store.sanctions.unban(room, alice["id"], carol["id"])
    joined, replayed = await store.payments.apply("evt_3", room, "carol")
    assert not replayed and "ends_at" not in joined  # no term: no end
    with pytest.raises(NotFound):
        await store.payments.apply("evt_4", room, "nobody", months=1)
    with pytest.raises(Invalid):
        await store.payments.apply("evt_5", room, "bob", months=1, until=now_ms() + 1000)
    entries, _ = await store.audit.page(room, alice["id"])
    paid = [e for e in entries if e["action"] == "member.paid"]
    assert len(paid) == 3 and all(e["actor"]["id"] == "payments" for e in paid)
    assert paid[-1]["data"]["event_id"] == "evt_1"
    # A login name in any case; a retry after they left is still a replay (not a 404).
    renewed_again, _ = await store.payments.apply("evt_6", room, " BOB ", months=1)
    assert renewed_again["ends_at"] == add_months(renewed["ends_at"], 1)
    await store.memberships.leave(room, bob["id"])
    assert await store.payments.apply("evt_1", room, "bob", months=1) == (None, True)


async def test_the_same_payment_sent_twice_at_once_applies_once(
    store: Store, private_circle: Record, bob: Record
) -> None:
    room = private_circle["id"]
    calls = [store.payments.apply("evt_race", room, "bob", months=1) for _ in range(2)]
    results = await asyncio.gather(*calls)
    assert sorted(replayed for _, replayed in results) == [False, True]
    first, second = (member for member, _ in results)
    assert first is not None and second is not None and first["ends_at"] == second["ends_at"]


async def test_expiry_skips_owners_and_takes_small_batches(
    store: Store, room: Record, alice: Record, add_members: Callable[..., Awaitable[list[Record]]]
) -> None:
    people = await add_members(room["id"], 5)
    ends = now_ms() + 60_000
    for person in people:
        await store.terms.set_end(room["id"], alice["id"], person["id"], ends_at=ends)
    removes = ends + store.terms.grace_ms
    assert await store.terms.expire(removes, batch=2) == 2
    assert await store.terms.expire(removes, batch=2) == 2
    assert await store.terms.expire(removes, batch=2) == 1
    assert await store.terms.expire(removes, batch=2) == 0
    with pytest.raises(Conflict):
        await store.memberships.leave(room["id"], alice["id"])  # still the last owner
