"""精选 (store/checkin_features.py) on both databases: a teacher features a counted
check-in once — a highlight with its provenance and link, the member's excellent
points, the check-in marked featured — and a taken-down highlight comes back as the
same post; only owners and admins, and only counted check-ins."""

from __future__ import annotations

import pytest

from store import Conflict, Forbidden, Record, Store


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    for user in (bob, carol):
        await store.memberships.join(circle["id"], user["id"])
    return circle


async def test_a_featured_checkin_is_a_highlight_once(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    challenge = await store.challenges.create(room["id"], alice["id"], {"title": "每日阅读"})
    await store.challenges.join(challenge["id"], bob["id"])
    checkin, _ = await store.checkins.check_in(challenge["id"], bob["id"], "读完了《活着》")
    with pytest.raises(Forbidden):
        await store.checkin_features.feature(checkin["id"], carol["id"])
    featured, post, fresh = await store.checkin_features.feature(checkin["id"], alice["id"])
    assert fresh and featured["featured"] is True
    assert post["kind"] == "highlight" and post["text"] == "读完了《活着》"
    assert post["author"]["id"] == bob["id"]
    source = post["source"]
    assert (source["kind"], source["id"], source["parent"], source["title"]) == (
        "checkin",
        checkin["id"],
        challenge["id"],
        "每日阅读",
    )
    assert source["link"] == f"#/c/{room['id']}/challenges/{challenge['id']}/{checkin['id']}"
    again = await store.checkin_features.feature(checkin["id"], alice["id"])
    assert again[1]["id"] == post["id"] and again[2] is False
    page = await store.changes.after(room["id"], carol["id"], 0, 500)
    assert [c.kind for c in page.changes].count("post.promoted") == 1
    day, _ = await store.checkins.day(challenge["id"], carol["id"])
    assert [k["featured"] for k in day] == [True]
    entries, _, points = await store.points.ledger(room["id"], bob["id"], bob["id"])
    assert ("excellent", 5) in [(e["action"], e["points"]) for e in entries] and points == 6
    # Taken down, then featured again: the same post comes back.
    await store.posts.unpromote(post["id"], alice["id"])
    day, _ = await store.checkins.day(challenge["id"], carol["id"])
    assert [k["featured"] for k in day] == [False]
    back = await store.checkin_features.feature(checkin["id"], alice["id"])
    assert back[1]["id"] == post["id"] and back[2] is True


async def test_only_a_counted_checkin_is_featured(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    challenge = await store.challenges.create(
        room["id"], alice["id"], {"title": "晨读", "review": True}
    )
    await store.challenges.join(challenge["id"], bob["id"])
    waiting, _ = await store.checkins.check_in(challenge["id"], bob["id"], "读了十页")
    with pytest.raises(Conflict) as refused:
        await store.checkin_features.feature(waiting["id"], alice["id"])
    assert refused.value.reason == "checkin_not_valid"
