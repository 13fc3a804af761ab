"""Homework (store/homework.py): the state machine of rule 8 with every illegal
move refused by its reason, media limits, late work, closing, peer visibility
(the one check and the events' audience), "excellent" as exactly one highlight
with its provenance (store/promotion.py), the roster, reminders and grades."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable
from typing import Any

import pytest
from sqlalchemy import update

from store import Conflict, Forbidden, Invalid, NotFound, Record, Store
from store.homework import TRANSITIONS, peer_may_see
from store.models import MEMBERSHIPS

HOUR = 3_600_000


@pytest.fixture
async def room(store: Store, circle: Record, bob: Record, carol: Record) -> Record:
    for user in (bob, carol):
        await store.memberships.join(circle["id"], user["id"])
    return circle


async def make(store: Store, circle: Record, owner: Record, **fields: Any) -> Record:
    return await store.homework.create(circle["id"], owner["id"], {"title": "第一课作业"} | fields)


async def media(store: Store, circle: Record, user: Record, data: bytes, kind: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    mime = {"image": "image/jpeg", "video": "video/mp4", "audio": "audio/mpeg"}.get(
        kind, "application/pdf"
    )
    found, _ = await store.attachments.add(
        circle["id"],
        user["id"],
        sha256=digest,
        kind=kind,
        mime=mime,
        name="x",
        size=len(data),
        blob_key=f"circles/{circle['id']}/{digest}",
    )
    return str(found["id"])


async def reason_of(call: Awaitable[Any]) -> str | None:
    try:
        await call
    except (Forbidden, Conflict, Invalid) as refused:
        return refused.reason
    raise AssertionError("not refused")


async def kinds_after(store: Store, circle: Record, viewer: Record, rev: int) -> list[str]:
    page = await store.changes.after(circle["id"], viewer["id"], rev)
    return [c.kind for c in page.changes]


async def test_assignment_create_edit_rights(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    pdf = await media(store, room, alice, b"%PDF-1.4 brief", "file")
    lesson = await store.lessons.create(
        room["id"], alice["id"], {"title": "第一课", "starts_at": "2027-03-01T19:00"}
    )
    with pytest.raises(NotFound):
        await make(store, room, alice, lesson_id="L1")
    made = await make(store, room, alice, attachments=[pdf], due_at=10**13, lesson_id=lesson["id"])
    assert made["limits"] == {"text": 2000, "visual": 9, "video": 3, "audio": 10, "files": 9}
    assert made["peer_visibility"] == "hidden" and made["allow_late"] is True
    assert [a["id"] for a in made["attachments"]] == [pdf] and made["lesson_id"] == lesson["id"]
    with pytest.raises(Forbidden):
        await make(store, room, bob)
    for bad in (
        {"title": ""},
        {"peer_visibility": "friends"},
        {"limits": {"video": -1}},
        {"limits": {"pages": 3}},
        {"due_at": "tomorrow"},
        {"allow_late": "yes"},
        {"points": 5},
    ):
        with pytest.raises(Invalid):
            await make(store, room, alice, **bad)
    changed = await store.homework.update(made["id"], alice["id"], {"closed": True})
    assert changed["closed"] is True
    with pytest.raises(Forbidden):
        await store.homework.update(made["id"], bob["id"], {"closed": False})
    listed, _ = await store.homework.page(room["id"], bob["id"])
    assert listed[0]["mine"]["state"] == "assigned" and "counts" not in listed[0]
    listed, _ = await store.homework.page(room["id"], alice["id"])
    assert listed[0]["counts"]["students"] == 2


async def test_state_machine_and_every_illegal_move(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    task = await make(store, room, alice)
    h = store.homework
    sub = await h.submit(task["id"], bob["id"], "my essay")
    assert sub["state"] == "submitted" and sub["review"] is None
    # submitted: no second submit, no foreign edit or withdrawal.
    assert await reason_of(h.submit(task["id"], bob["id"], "again")) == "already_submitted"
    with pytest.raises(Forbidden):
        await h.edit(sub["id"], alice["id"], "not mine")
    edited = await h.edit(sub["id"], bob["id"], "my better essay")
    assert edited["text"] == "my better essay" and edited["edited"] is not None
    back = await h.withdraw(sub["id"], bob["id"])
    assert back["state"] == "assigned" and back["text"] == ""
    # assigned: nothing to edit, withdraw, review, return or feature.
    assert await reason_of(h.edit(sub["id"], bob["id"], "x")) == "not_submitted"
    assert await reason_of(h.withdraw(sub["id"], bob["id"])) == "not_submitted"
    assert await reason_of(h.review(sub["id"], alice["id"], score=90)) == "not_submitted"
    assert await reason_of(h.review(sub["id"], alice["id"], redo=True)) == "not_submitted"
    assert await reason_of(h.excellent(sub["id"], alice["id"])) == "not_submitted"
    await h.submit(task["id"], bob["id"], "final essay")
    with pytest.raises(Forbidden):
        await h.review(sub["id"], bob["id"], score=100)  # a student is no teacher
    assert await reason_of(h.review(sub["id"], alice["id"])) == "score_or_grade_required"
    returned = await h.review(sub["id"], alice["id"], comment="redo the ending", redo=True)
    assert returned["state"] == "returned" and returned["review"]["comment"] == "redo the ending"
    # returned: only a new submission.
    for call in (
        h.edit(sub["id"], bob["id"], "x"),
        h.withdraw(sub["id"], bob["id"]),
        h.review(sub["id"], alice["id"], score=1),
        h.review(sub["id"], alice["id"], redo=True),
        h.excellent(sub["id"], alice["id"]),
    ):
        assert await reason_of(call) == "returned_for_redo"
    again = await h.submit(task["id"], bob["id"], "the ending, redone")
    assert again["state"] == "resubmitted" and again["id"] == sub["id"]
    assert (await h.withdraw(sub["id"], bob["id"]))["state"] == "returned"
    await h.submit(task["id"], bob["id"], "the ending, redone twice")
    done = await h.review(sub["id"], alice["id"], score=92.5, grade="A-", comment="好")
    assert done["state"] == "reviewed" and done["review"]["score"] == 92.5
    # reviewed: final.
    for call in (
        h.submit(task["id"], bob["id"], "x"),
        h.edit(sub["id"], bob["id"], "x"),
        h.withdraw(sub["id"], bob["id"]),
        h.review(sub["id"], alice["id"], score=1),
        h.review(sub["id"], alice["id"], redo=True),
    ):
        assert await reason_of(call) == "already_reviewed"
    # The table is the whole machine.
    assert TRANSITIONS["submit"] == {"assigned": "submitted", "returned": "resubmitted"}
    for bad in (-1, True, "90", 10**9):
        with pytest.raises(Invalid):
            await h.review(sub["id"], alice["id"], score=bad)


async def test_limits_late_and_closed(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    now = 10**12
    task = await make(
        store, room, alice, due_at=now, allow_late=False, limits={"text": 10, "video": 1}
    )
    h = store.homework
    assert await reason_of(h.submit(task["id"], bob["id"], "", None, now - 1)) == (
        "empty_submission"
    )
    assert await reason_of(h.submit(task["id"], bob["id"], "x" * 11, None, now - 1)) == (
        "text_too_long"
    )
    v1 = await media(store, room, bob, b"v1", "video")
    v2 = await media(store, room, bob, b"v2", "video")
    assert await reason_of(h.submit(task["id"], bob["id"], "", [v1, v2], now - 1)) == (
        "too_many_videos"
    )
    pics = [await media(store, room, bob, f"p{i}".encode(), "image") for i in range(9)]
    assert await reason_of(h.submit(task["id"], bob["id"], "", [v1, *pics], now - 1)) == (
        "too_many_media"
    )
    clips = [await media(store, room, bob, f"a{i}".encode(), "audio") for i in range(11)]
    assert await reason_of(h.submit(task["id"], bob["id"], "", clips, now - 1)) == (
        "too_many_audio"
    )
    on_time = await h.submit(task["id"], bob["id"], "ok", [v1, *pics[:8]], now - 1)
    assert on_time["late"] is False and len(on_time["attachments"]) == 9
    assert await reason_of(h.submit(task["id"], carol["id"], "late", None, now + 1)) == "past_due"
    await h.update(task["id"], alice["id"], {"allow_late": True})
    late = await h.submit(task["id"], carol["id"], "late", None, now + 1)
    assert late["late"] is True
    await h.update(task["id"], alice["id"], {"closed": True})
    assert await reason_of(h.edit(late["id"], carol["id"], "more")) == "assignment_closed"
    roster = await h.roster(task["id"], alice["id"])
    assert roster["handed_in"] == 2 and roster["missing"] == 0 and roster["late"] == 1


@pytest.mark.parametrize("visibility", ["hidden", "after_submit", "after_review", "always"])
async def test_peer_visibility(
    store: Store,
    room: Record,
    alice: Record,
    bob: Record,
    carol: Record,
    visibility: str,
) -> None:
    h = store.homework
    task = await make(store, room, alice, peer_visibility=visibility)
    start = (await store.changes.after(room["id"], alice["id"], 0)).last_rev
    sub = await h.submit(task["id"], bob["id"], "bob's work")

    async def carol_sees() -> bool:
        try:
            await h.read(sub["id"], carol["id"])
        except Forbidden as refused:
            assert refused.reason == "submission_hidden"
            listed, _ = await h.submissions(task["id"], carol["id"])
            assert [s["user"] for s in listed if s["user"] != carol["id"]] == []
            return False
        listed, _ = await h.submissions(task["id"], carol["id"])
        others = [s for s in listed if s["user"] != carol["id"]]
        assert [s["id"] for s in others] == [sub["id"]] and "review" not in others[0]
        return True

    assert (await h.read(sub["id"], alice["id"]))["text"] == "bob's work"
    assert await carol_sees() is (visibility == "always")
    await h.submit(task["id"], carol["id"], "carol's work")
    assert await carol_sees() is (visibility in ("always", "after_submit"))
    await h.review(sub["id"], alice["id"], score=80, comment="private words")
    assert await carol_sees() is (visibility != "hidden")
    for helper in (True, False):
        assert peer_may_see(visibility, "submitted", True, helper) is True
    # The audience of each event of bob's submission, as carol's catch-up reads it.
    page = await store.changes.after(room["id"], carol["id"], start)
    updated = [c for c in page.changes if c.kind == "submission.updated"]
    bobs = [c.data["audience"] for c in updated if c.data["student"] == bob["id"]]
    if visibility == "hidden":
        assert bobs == [[], []]
    elif visibility == "always":
        assert bobs == [None, None]
    elif visibility == "after_submit":
        assert bobs == [[], [carol["id"]]]
    else:
        assert bobs == [[], None]
    reviewed = [c for c in page.changes if c.kind == "submission.reviewed"]
    assert [c.data["audience"] for c in reviewed] == [[]]


async def test_comments_and_likes_follow_visibility(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    h = store.homework
    task = await make(store, room, alice, peer_visibility="after_submit")
    sub = await h.submit(task["id"], bob["id"], "bob's work")
    assert await reason_of(h.comment(sub["id"], carol["id"], "nice")) == "submission_hidden"
    assert await reason_of(h.like(sub["id"], carol["id"], True)) == "submission_hidden"
    await h.submit(task["id"], carol["id"], "carol's work")
    said = await h.comment(sub["id"], carol["id"], "写得好")
    assert said["author"]["id"] == carol["id"]
    assert await h.like(sub["id"], carol["id"], True) == {"likes": 1, "liked": True}
    assert await h.like(sub["id"], carol["id"], True) == {"likes": 1, "liked": True}
    seen = await h.read(sub["id"], carol["id"])
    assert seen["likes"] == 1 and seen["liked"] is True and seen["comments"] == 1
    assert [c["text"] for c in await h.comments(sub["id"], bob["id"])] == ["写得好"]
    assert await h.like(sub["id"], carol["id"], False) == {"likes": 0, "liked": False}


async def test_excellent_is_one_highlight_with_provenance(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    h = store.homework
    task = await make(store, room, alice)
    photo = await media(store, room, bob, b"photo", "image")
    sub = await h.submit(task["id"], bob["id"], "my painting", [photo])
    start = (await store.changes.after(room["id"], alice["id"], 0)).last_rev
    with pytest.raises(Forbidden):
        await h.excellent(sub["id"], carol["id"])
    marked, post, fresh = await h.excellent(sub["id"], alice["id"])
    assert fresh and marked["excellent"] and marked["post"] == post["id"]
    assert post["kind"] == "highlight" and post["author"]["id"] == bob["id"]
    assert post["text"] == "my painting" and [a["id"] for a in post["attachments"]] == [photo]
    source = post["source"]
    assert source["kind"] == "submission" and source["id"] == sub["id"]
    assert source["parent"] == task["id"] and source["title"] == "第一课作业"
    assert source["from"]["id"] == bob["id"]
    assert source["link"] == f"#/c/{room['id']}/homework/{task['id']}/{sub['id']}"
    _, again, fresh2 = await h.excellent(sub["id"], alice["id"])
    assert again["id"] == post["id"] and not fresh2
    kinds = await kinds_after(store, room, carol, start)
    assert kinds.count("post.promoted") == 1 and kinds.count("submission.updated") == 1
    # Excellent work is everyone's, whatever the peer visibility (hidden here).
    assert (await h.read(sub["id"], carol["id"]))["excellent"] is True
    showcase, _ = await h.submissions(task["id"], carol["id"], excellent=True)
    assert [s["id"] for s in showcase] == [sub["id"]]
    feed, _ = await store.posts.feed(room["id"], carol["id"])
    assert [p["id"] for p in feed if p["kind"] == "highlight"] == [post["id"]]
    # Taken down, it is a tombstone; the teacher's act brings the same post back.
    await store.posts.unpromote(post["id"], alice["id"])
    feed, _ = await store.posts.feed(room["id"], carol["id"])
    assert [p for p in feed if p["kind"] == "highlight"] == []
    _, revived, fresh3 = await h.excellent(sub["id"], alice["id"])
    assert fresh3 and revived["id"] == post["id"] and revived["text"] == "my painting"


async def test_roster_remind_and_grades(
    store: Store, room: Record, alice: Record, bob: Record, carol: Record
) -> None:
    h = store.homework
    task = await make(store, room, alice, due_at=10**13)
    sub = await h.submit(task["id"], bob["id"], "done")
    await h.review(sub["id"], alice["id"], score=88, grade="B+")
    with pytest.raises(Forbidden):
        await h.roster(task["id"], bob["id"])
    with pytest.raises(Forbidden):
        await h.remind(task["id"], bob["id"])
    start = (await store.changes.after(room["id"], alice["id"], 0)).last_rev
    assert await h.remind(task["id"], alice["id"]) == [carol["id"]]
    page = await store.changes.after(room["id"], alice["id"], start)
    assert [(c.kind, c.data) for c in page.changes] == [
        (
            "reminder",
            {
                "user": carol["id"],
                "about": {
                    "kind": "homework",
                    "id": task["id"],
                    "title": "第一课作业",
                    "at": 10**13,
                },
            },
        )
    ]
    _, rows = await h.grades(task["id"], alice["id"])
    by_user = {r["user"]: r for r in rows}
    assert by_user[bob["id"]]["score"] == 88 and by_user[bob["id"]]["grade"] == "B+"
    assert by_user[carol["id"]]["state"] == "assigned"


async def test_automatic_reminders_at_offsets(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    h = store.homework
    due = 10**13
    await make(store, room, alice, due_at=due)
    start = (await store.changes.after(room["id"], alice["id"], 0)).last_rev
    assert await h.remind_due(due - 25 * HOUR) == 0
    assert await h.remind_due(due - 23 * HOUR) == 1
    assert await h.remind_due(due - 22 * HOUR) == 0  # once per offset
    assert await h.remind_due(due - HOUR // 2) == 1
    assert await h.remind_due(due + 1) == 0
    kinds = await kinds_after(store, room, alice, start)
    assert kinds == ["reminder"] * 4  # bob and carol, at -24 h and at -1 h


async def test_a_member_whose_term_ended_reads_but_cannot_hand_in(
    store: Store, room: Record, alice: Record, bob: Record
) -> None:
    task = await make(store, room, alice, peer_visibility="always")
    async with store.db.write() as conn:
        await conn.execute(
            update(MEMBERSHIPS)
            .where(MEMBERSHIPS.c.circle_id == room["id"], MEMBERSHIPS.c.user_id == bob["id"])
            .values(ends_at=1, removes_at=10**13)
        )
    assert await reason_of(store.homework.submit(task["id"], bob["id"], "x")) == (
        "membership_ended"
    )
    listed, _ = await store.homework.page(room["id"], bob["id"])
    assert [a["id"] for a in listed] == [task["id"]]


async def test_due_time_is_on_the_circles_clock(store: Store, room: Record, alice: Record) -> None:
    """A teacher sets the due time as the circle's wall clock (Shanghai by default),
    whatever the device's zone; the assignment carries it back both ways."""
    made = await make(store, room, alice, due_at="2027-03-01T20:00")
    # 20:00 in Shanghai (UTC+8) is 12:00 UTC.
    assert made["due_at"] == 1_803_902_400_000
    assert made["due_local"] == "2027-03-01T20:00"
    moved = await store.homework.update(made["id"], alice["id"], {"due_at": 1_803_906_000_000})
    assert moved["due_local"] == "2027-03-01T21:00"
    cleared = await store.homework.update(made["id"], alice["id"], {"due_at": None})
    assert cleared["due_at"] is None and cleared["due_local"] is None
    listed, _ = await store.homework.page(room["id"], alice["id"])
    assert listed[0]["due_local"] is None
