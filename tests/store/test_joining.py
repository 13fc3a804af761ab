"""Join requests with approval, and access codes as managers see them (list,
redemptions, revoke): store/join_requests.py, store/access_codes.py."""

from __future__ import annotations

from typing import Any

import pytest

from store import Conflict, Forbidden, Invalid, NotFound, Store

Record = dict[str, Any]


async def kinds(store: Store, circle_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [(c.kind, c.data) for c in await store.changes.since(circle_id, 0, 1000)]


async def approval_on(store: Store, circle: Record, owner: Record, question: str = "") -> None:
    changes = {"join_approval": True, "join_question": question}
    await store.circles.update(circle["id"], owner["id"], changes)


async def test_settings_and_preview(
    store: Store, alice: Record, bob: Record, private_circle: Record
) -> None:
    cid = private_circle["id"]
    assert private_circle["join_approval"] is False
    # Without approval a private circle's address shows nothing.
    with pytest.raises(NotFound):
        await store.circles.invite_preview(cid, None)
    with pytest.raises(Invalid):
        await store.circles.update(cid, alice["id"], {"join_approval": "yes"})
    with pytest.raises(Invalid):
        await store.circles.update(cid, alice["id"], {"join_question": "x" * 501})
    await approval_on(store, private_circle, alice, "Which class are you in?")
    circle = await store.circles.get(cid, alice["id"])
    assert circle["join_approval"] is True
    assert circle["join_question"] == "Which class are you in?"
    preview = await store.circles.invite_preview(cid, None)
    assert preview["join_approval"] is True
    assert preview["code_admits"] is False
    assert preview["join_question"] == "Which class are you in?"
    # Without a code, joining says to ask.
    with pytest.raises(Forbidden) as refused:
        await store.memberships.join(cid, bob["id"])
    assert refused.value.reason == "approval_required"


async def test_request_approve(
    store: Store, alice: Record, bob: Record, carol: Record, private_circle: Record
) -> None:
    cid = private_circle["id"]
    with pytest.raises(Forbidden) as closed:
        await store.join_requests.request(cid, bob["id"], "hi")
    assert closed.value.reason == "requests_closed"
    await approval_on(store, private_circle, alice, "Why?")
    asked = await store.join_requests.request(cid, bob["id"], " Tea lover ")
    assert asked["state"] == "pending"
    assert asked["answer"] == "Tea lover"
    assert asked["name"] == "Bob"
    # Idempotent: asking again returns the same request.
    assert await store.join_requests.request(cid, bob["id"], "again") == asked
    await store.join_requests.request(cid, carol["id"])
    page, cursor, count = await store.join_requests.pending(cid, alice["id"], limit=1)
    assert count == 2 and cursor is not None
    assert [r["user"] for r in page] == [carol["id"]]  # newest first
    page, cursor, _ = await store.join_requests.pending(cid, alice["id"], cursor=cursor)
    assert [r["user"] for r in page] == [bob["id"]] and cursor is None
    # Not managers: refused.
    with pytest.raises(Forbidden):
        await store.join_requests.pending(cid, bob["id"])
    with pytest.raises(Forbidden):
        await store.join_requests.approve(cid, bob["id"], carol["id"])
    approved = await store.join_requests.approve(cid, alice["id"], bob["id"])
    assert approved["state"] == "approved"
    assert await store.memberships.membership(cid, bob["id"]) is not None
    assert (await store.join_requests.mine(cid, bob["id"]))["state"] == "approved"
    with pytest.raises(Conflict) as twice:
        await store.join_requests.approve(cid, alice["id"], bob["id"])
    assert twice.value.reason == "request_decided"
    with pytest.raises(Conflict) as member:
        await store.join_requests.request(cid, bob["id"])
    assert member.value.reason == "already_member"
    log = await kinds(store, cid)
    requested = [data for kind, data in log if kind == "join.requested"]
    assert [d["pending"] for d in requested] == [1, 2]
    decided = [data for kind, data in log if kind == "join.decided"]
    assert decided == [{"user": bob["id"], "state": "approved", "pending": 1}]
    joined = [data for kind, data in log if kind == "member.joined"]
    assert joined[-1]["member"]["user"] == bob["id"] and joined[-1]["members"] == 2
    acts, _ = await store.audit.page(cid, alice["id"])
    assert acts[0]["action"] == "join.approved"
    assert acts[0]["target"] == {"kind": "member", "id": bob["id"], "name": "Bob"}


async def test_reject_and_ask_again(
    store: Store, alice: Record, bob: Record, private_circle: Record
) -> None:
    cid = private_circle["id"]
    await approval_on(store, private_circle, alice)
    with pytest.raises(NotFound):
        await store.join_requests.mine(cid, bob["id"])
    with pytest.raises(NotFound):
        await store.join_requests.reject(cid, alice["id"], bob["id"])
    await store.join_requests.request(cid, bob["id"])
    rejected = await store.join_requests.reject(cid, alice["id"], bob["id"], "full")
    assert rejected["state"] == "rejected" and rejected["reason"] == "full"
    assert await store.memberships.membership(cid, bob["id"]) is None
    with pytest.raises(Conflict):
        await store.join_requests.approve(cid, alice["id"], bob["id"])
    acts, _ = await store.audit.page(cid, alice["id"])
    assert (acts[0]["action"], acts[0]["reason"]) == ("join.rejected", "full")
    again = await store.join_requests.request(cid, bob["id"], "please")
    assert again["state"] == "pending" and again["reason"] is None
    _, _, count = await store.join_requests.pending(cid, alice["id"])
    assert count == 1


async def test_a_code_still_admits_and_settles_the_request(
    store: Store, alice: Record, bob: Record, private_circle: Record
) -> None:
    cid = private_circle["id"]
    await approval_on(store, private_circle, alice)
    await store.join_requests.request(cid, bob["id"])
    [code] = await store.circles.create_codes(cid, alice["id"], 1)
    await store.memberships.join(cid, bob["id"], code["code"])
    assert (await store.join_requests.mine(cid, bob["id"]))["state"] == "approved"
    _, _, count = await store.join_requests.pending(cid, alice["id"])
    assert count == 0


async def test_codes_list_redemptions_revoke(
    store: Store, alice: Record, bob: Record, carol: Record, private_circle: Record
) -> None:
    cid = private_circle["id"]
    [first] = await store.circles.create_codes(cid, alice["id"], 1, max_uses=5)
    [second] = await store.circles.create_codes(cid, alice["id"], 1, expires_in_s=3600)
    codes, _ = await store.codes.page(cid, alice["id"])
    assert {c["code"] for c in codes} == {first["code"], second["code"]}
    listed = next(c for c in codes if c["code"] == first["code"])
    assert listed["max_uses"] == 5 and listed["uses"] == 0
    assert listed["created_by"] == alice["id"] and listed["revoked"] is None
    await store.memberships.join(cid, bob["id"], first["code"].lower())
    found, _ = await store.codes.redemptions(cid, alice["id"], first["code"])
    assert [(r["user"], r["name"]) for r in found] == [(bob["id"], "Bob")]
    assert found[0]["redeemed"] > 0
    # A member who is not a manager sees none of it.
    for call in (
        store.codes.page(cid, bob["id"]),
        store.codes.redemptions(cid, bob["id"], first["code"]),
        store.codes.revoke(cid, bob["id"], first["code"]),
    ):
        with pytest.raises(Forbidden):
            await call
    with pytest.raises(NotFound):
        await store.codes.revoke(cid, alice["id"], "NOSUCHCODE")
    revoked = await store.codes.revoke(cid, alice["id"], first["code"])
    assert revoked["revoked"] is not None
    assert (await store.codes.revoke(cid, alice["id"], first["code"])) == revoked
    # It stops admitting at once, and answers as an unknown code.
    with pytest.raises(Forbidden) as refused:
        await store.memberships.join(cid, carol["id"], first["code"])
    assert "not valid" in refused.value.message
    with pytest.raises(NotFound):
        await store.circles.invite_preview(cid, first["code"])
    assert (await store.circles.invite_preview(cid, second["code"]))["code_admits"] is True
    acts, _ = await store.audit.page(cid, alice["id"])
    assert [(a["action"], a["target"]["id"]) for a in acts] == [("code.revoked", first["code"])]
