"""Reaching members who are away, the store's part: Web Push devices
(store/push_subscriptions.py) and email settings, digest periods and a
circle's must-read mail switch (store/mail_settings.py, store/digests.py)."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from store import Conflict, Forbidden, Invalid, NotFound, Store
from tests import timing

Record = dict[str, Any]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# Fixed bytes, not random ones: test ids name them, and parallel workers
# (pytest-xdist) must collect the same ids.
P256 = b64(b"\x04" + bytes(range(64)))
AUTH = b64(bytes(range(16)))


async def test_a_device_subscribes_once_moves_with_its_browser_and_goes_when_gone(
    store: Store, alice: Record, bob: Record
) -> None:
    subs = store.push_subscriptions
    url = "https://push.example.org/send/abc"
    first = await subs.subscribe(alice["id"], url, P256, AUTH, "Phone")
    again = await subs.subscribe(alice["id"], url, P256, AUTH, "Phone")
    assert [d["id"] for d in await subs.devices(alice["id"])] == [again["id"]] != [first["id"]]
    assert again["service"] == "push.example.org"
    # The browser is now bob's: alice's pushes no longer reach it.
    await subs.subscribe(bob["id"], url, P256, AUTH)
    assert await subs.devices(alice["id"]) == []
    [row] = await subs.of_user(bob["id"])
    assert (row["endpoint"], row["p256dh"], row["auth"]) == (url, P256, AUTH)
    await subs.sent(row["id"], 123)
    assert (await subs.devices(bob["id"]))[0]["last_sent"] == 123
    with pytest.raises(NotFound):
        await subs.remove(alice["id"], row["id"])  # not hers
    await subs.gone(row["id"])
    assert await subs.of_user(bob["id"]) == []
    with pytest.raises(NotFound):
        await subs.unsubscribe(bob["id"], url)


@pytest.mark.parametrize(
    ("url", "p256dh", "auth", "reason"),
    [
        ("ftp://push.example.org/x", P256, AUTH, "push_endpoint_invalid"),
        ("https:///no-host", P256, AUTH, "push_endpoint_invalid"),
        ("https://push.example.org/x", b64(bytes(65)), AUTH, "push_key_invalid"),
        ("https://push.example.org/x", P256, b64(bytes(15)), "push_key_invalid"),
        ("https://push.example.org/x", "!!", AUTH, "push_key_invalid"),
    ],
)
async def test_a_subscription_is_checked(
    store: Store, alice: Record, url: str, p256dh: str, auth: str, reason: str
) -> None:
    with pytest.raises(Invalid) as refused:
        await store.push_subscriptions.subscribe(alice["id"], url, p256dh, auth)
    assert refused.value.reason == reason


async def test_devices_are_bounded(store: Store, alice: Record) -> None:
    subs = store.push_subscriptions
    for n in range(2):
        await subs.subscribe(alice["id"], f"https://p.example.org/{n}", P256, AUTH, devices_max=2)
    with pytest.raises(Conflict) as refused:
        await subs.subscribe(alice["id"], "https://p.example.org/9", P256, AUTH, devices_max=2)
    assert refused.value.params == {"max": 2}


async def test_an_address_is_verified_for_itself_and_a_period_is_claimed_once(
    store: Store, alice: Record
) -> None:
    mail = store.mail_settings
    assert await mail.get(alice["id"]) == {"address": None, "verified": False, "digest": "off"}
    found, new = await mail.update(alice["id"], {"address": "a@example.org", "digest": "daily"})
    assert new and found == {"address": "a@example.org", "verified": False, "digest": "daily"}
    assert await mail.digest_readers() == []  # not verified
    assert not await mail.verify(alice["id"], "other@example.org")
    assert await mail.verify(alice["id"], "a@example.org")
    _, new = await mail.update(alice["id"], {"address": "a@example.org"})
    assert not new and (await mail.get(alice["id"]))["verified"] is True
    [reader] = await mail.digest_readers()
    assert (reader["user"], reader["digest"], reader["period"]) == (alice["id"], "daily", None)

    assert await mail.claim_digest(alice["id"], "2026-12-01", None)
    assert not await mail.claim_digest(alice["id"], "2026-12-01", None)  # another node
    await mail.release_digest(alice["id"], "2026-12-01", None)  # the mail was lost
    assert await mail.claim_digest(alice["id"], "2026-12-01", None)
    await mail.unsubscribe(alice["id"])
    assert await mail.digest_readers() == []
    with pytest.raises(Invalid):
        await mail.update(alice["id"], {"digest": "hourly"})
    with pytest.raises(Invalid) as bad:
        await mail.update(alice["id"], {"address": "a@b@c"})
    assert bad.value.reason == "email_invalid"
    found, _ = await mail.update(alice["id"], {"address": ""})
    assert found["address"] is None


async def test_owners_switch_must_read_mail_for_members_with_a_verified_address(
    store: Store, alice: Record, bob: Record, carol: Record, circle: Record
) -> None:
    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    await store.memberships.update_member(cid, alice["id"], bob["id"], role="admin")
    for who in (bob, carol):
        await store.mail_settings.update(who["id"], {"address": f"{who['handle']}@example.org"})
        await store.mail_settings.verify(who["id"], f"{who['handle']}@example.org")
    users = [bob["id"], carol["id"]]
    assert await store.mail_settings.must_read_recipients(cid, users) == {}
    with pytest.raises(Forbidden):
        await store.mail_settings.set_circle(cid, bob["id"], True)  # an admin, not an owner
    assert await store.mail_settings.set_circle(cid, alice["id"], True) == {"must_reads": True}
    assert await store.mail_settings.circle(cid, bob["id"]) == {"must_reads": True}
    with pytest.raises(Forbidden):
        await store.mail_settings.circle(cid, carol["id"])  # not a member
    # carol is no member: never mailed the circle's must-reads.
    assert await store.mail_settings.must_read_recipients(cid, users) == {
        bob["id"]: "bob@example.org"
    }


async def test_a_digest_holds_the_unacknowledged_must_reads_and_new_highlights(
    store: Store, alice: Record, bob: Record, circle: Record, say: Callable[..., Awaitable[int]]
) -> None:
    cid = circle["id"]
    await store.memberships.join(cid, bob["id"])
    old = await say(cid, alice, "last week's tip")
    await store.stars.star(cid, old, alice["id"])
    [before] = (await store.digests.missed(bob["id"], since=0))["highlights"]
    since = before["created"]  # the digest before this one was sent then
    await timing.sleep(0.005)  # the next highlight is of a later millisecond
    new = await say(cid, alice, "the speaker is in room 3")
    await store.stars.star(cid, new, alice["id"])
    acked = await store.posts.create(cid, alice["id"], "notice", "Costumes Friday")
    owed = await store.posts.create(cid, alice["id"], "notice", "Recital Saturday")
    for post in (acked, owed):
        await store.must_reads.set_must_read(post["id"], alice["id"], True)
    await store.must_reads.ack(acked["id"], bob["id"])
    missed = await store.digests.missed(bob["id"], since=since)
    assert [p["text"] for p in missed["must_reads"]] == ["Recital Saturday"]
    assert [p["text"] for p in missed["highlights"]] == ["the speaker is in room 3"]
    assert missed["circles"] == {cid: "Tea House"}
