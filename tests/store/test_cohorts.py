"""Cohorts of access codes (store/access_codes.py, store/cohorts.py): a batch with a
label, a term in days and a chat group; each redeemer gets the term and the group;
the managers' list shows the label and who redeemed each code when; a batch's or a
label's unused codes are revoked at once (used ones stay); and a cohort member whose
days are over reads but cannot post (``membership_ended``)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from store import Forbidden, Invalid, NotFound, Record, Store, now_ms, term_dates
from store.models import MEMBERSHIPS
from tests.timing import seconds, sleep

DAY_MS = 86_400_000


async def test_a_cohort_batch_gives_its_term_and_its_chat_group(
    store: Store, private_circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    cid = private_circle["id"]
    group = await store.groups.create(cid, alice["id"], "春季班群", access="invite")
    codes = await store.circles.create_codes(
        cid, alice["id"], 3, max_uses=1, label="2026 春季班", period_days=90, group_id=group["id"]
    )
    assert len({c["batch"] for c in codes}) == 1 and codes[0]["batch"]
    assert {(c["label"], c["period_days"], c["group_id"]) for c in codes} == {
        ("2026 春季班", 90, group["id"])
    }
    other = await store.circles.create_codes(cid, alice["id"], 1, label="2026 秋季班")
    assert other[0]["batch"] != codes[0]["batch"] and other[0]["period_days"] is None

    before = now_ms()
    member = await store.memberships.join(cid, bob["id"], codes[0]["code"])
    after = now_ms()
    assert before + 90 * DAY_MS <= member["ends_at"] <= after + 90 * DAY_MS
    assert bob["id"] in await store.groups.member_ids(group["id"])
    # A code of another cohort: no group, no term.
    plain = await store.memberships.join(cid, carol["id"], other[0]["code"])
    assert plain.get("ends_at") is None
    assert carol["id"] not in await store.groups.member_ids(group["id"])

    # The managers' list: the label, who redeemed which code and when.
    page, _ = await store.codes.page(cid, alice["id"])
    by_code = {c["code"]: c for c in page}
    redeemed = by_code[codes[0]["code"]]["redeemed"]
    assert [(r["user"], r["name"]) for r in redeemed] == [(bob["id"], "Bob")]
    assert before <= redeemed[0]["redeemed"] <= after
    assert by_code[codes[1]["code"]]["redeemed"] == []
    spring, _ = await store.codes.page(cid, alice["id"], label="2026 春季班")
    assert {c["code"] for c in spring} == {c["code"] for c in codes}
    with pytest.raises(Forbidden):
        await store.codes.page(cid, bob["id"])


async def test_bad_cohort_batches_are_refused(
    store: Store, private_circle: Record, circle: Record, alice: Record
) -> None:
    cid = private_circle["id"]
    elsewhere = await store.groups.create(circle["id"], alice["id"], "别处")
    later = now_ms() + DAY_MS
    for bad in (
        {"period_days": 30, "period_months": 1},
        {"period_days": 30, "deadline": later},
        {"period_days": 0},
        {"period_days": 4000},
        {"label": "x" * 81},
        {"label": "a\nb"},
        {"group_id": cid},  # the general group: everyone is in it
    ):
        with pytest.raises(Invalid):
            await store.circles.create_codes(cid, alice["id"], 1, **bad)
    for missing in ("nope", elsewhere["id"]):
        with pytest.raises(NotFound):
            await store.circles.create_codes(cid, alice["id"], 1, group_id=missing)


async def test_revoke_the_unused_codes_of_a_batch_or_a_label(
    store: Store, private_circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    cid = private_circle["id"]
    spring = await store.circles.create_codes(cid, alice["id"], 3, max_uses=1, label="春季班")
    autumn = await store.circles.create_codes(cid, alice["id"], 2, max_uses=1, label="秋季班")
    await store.memberships.join(cid, bob["id"], spring[0]["code"])
    with pytest.raises(Forbidden):  # managers only
        await store.codes.revoke_unused(cid, bob["id"], label="春季班")
    for bad in ({}, {"batch": spring[0]["batch"], "label": "春季班"}):
        with pytest.raises(Invalid):
            await store.codes.revoke_unused(cid, alice["id"], **bad)
    assert await store.codes.revoke_unused(cid, alice["id"], label="春季班") == 2
    assert await store.codes.revoke_unused(cid, alice["id"], label="春季班") == 0
    page, _ = await store.codes.page(cid, alice["id"])
    revoked = {c["code"] for c in page if c["revoked"] is not None}
    assert revoked == {spring[1]["code"], spring[2]["code"]}
    # Bob, who used his, stays; a revoked code admits nobody.
    assert await store.memberships.membership(cid, bob["id"]) is not None
    with pytest.raises(Forbidden):
        await store.memberships.join(cid, carol["id"], spring[1]["code"])
    # By batch: the other cohort's.
    assert await store.codes.revoke_unused(cid, alice["id"], batch=autumn[0]["batch"]) == 2
    acts, _ = await store.audit.page(cid, alice["id"])
    assert [a["action"] for a in acts].count("codes.revoked") == 2


async def test_a_cohort_members_days_end_and_they_read_but_cannot_post(
    store: Store,
    private_circle: Record,
    alice: Record,
    bob: Record,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cid = private_circle["id"]
    notice = await store.posts.create(cid, alice["id"], "post", "第一课的通知")
    # Days short enough to wait out: the same count, a shorter day (long enough
    # that the post before the end is made before it on a busy machine).
    monkeypatch.setattr(term_dates, "DAY_MS", int(seconds(1) * 1000))
    code = (await store.circles.create_codes(cid, alice["id"], 1, period_days=1))[0]["code"]
    member = await store.memberships.join(cid, bob["id"], code)
    ends = member["ends_at"]
    async with store.db.read() as conn:
        stored = (
            await conn.execute(
                select(MEMBERSHIPS.c.ends_at).where(
                    MEMBERSHIPS.c.circle_id == cid, MEMBERSHIPS.c.user_id == bob["id"]
                )
            )
        ).scalar_one()
    assert stored == ends
    await store.posts.create(cid, bob["id"], "post", "作业一")  # before the end
    await sleep(max(0, ends - now_ms() + 20) / 1000)
    assert now_ms() > ends
    with pytest.raises(Forbidden) as refused:
        await store.posts.create(cid, bob["id"], "post", "作业二")
    assert refused.value.reason == "membership_ended"
    assert (await store.posts.get(notice["id"], bob["id"]))["id"] == notice["id"]


async def test_the_list_shows_the_first_redeemers_of_a_code_used_many_times(
    store: Store, private_circle: Record, alice: Record, new_user: Any
) -> None:
    cid = private_circle["id"]
    code = (await store.circles.create_codes(cid, alice["id"], 1, label="开放日"))[0]["code"]
    people = [await new_user(f"guest{i}", f"访客{i}") for i in range(7)]
    for person in people:
        await store.memberships.join(cid, person["id"], code)
    page, _ = await store.codes.page(cid, alice["id"])
    shown = page[0]["redeemed"]
    assert len(shown) == 5 and page[0]["uses"] == 7
    every, _ = await store.codes.redemptions(cid, alice["id"], code)
    first = sorted(every, key=lambda r: (r["redeemed"], r["user"]))[:5]
    assert shown == first and {r["user"] for r in every} == {p["id"] for p in people}
