"""Two people chatting through a real server, in both codecs."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests import timing
from tests.e2e.harness import Api, Client, ServerProcess, seconds


async def _two_members(api: Api) -> tuple[str, str, str]:
    ann, _ = await api.signup("ann")
    bob, _ = await api.signup("bob")
    circle = await api.circle(ann, "Bakers")
    r = await api.join(bob, circle)
    assert r.status_code == 200, r.text
    return ann, bob, circle


async def test_two_users_chat_live(server: ServerProcess, api: Api, codec: str) -> None:
    ann_token, bob_token, circle = await _two_members(api)
    ann = await Client.open(server.ws, ann_token, codec)
    bob = await Client.open(server.ws, bob_token, codec)
    joined = await ann.request({"t": "join", "circle": circle})
    assert joined["t"] == "joined" and joined["last_seq"] == 0
    await bob.request({"t": "join", "circle": circle})

    ok = await ann.say(circle, "hello bob", nonce="a1")
    assert ok["seq"] == 1 and isinstance(ok["ts"], int)
    got = await bob.push("msg")
    assert got["text"] == "hello bob" and got["seq"] == 1 and got["nonce"] == "a1"
    assert got["from"]["name"] == "ann" and got["circle"] == circle
    assert (await ann.push("msg"))["seq"] == 1  # the sender sees its own message too

    await bob.say(circle, "hi ann")
    got = await ann.push("msg")
    assert (got["seq"], got["text"], got["from"]["name"]) == (2, "hi ann", "bob")
    await ann.close()
    await bob.close()


async def test_rejoin_with_since_gets_exactly_the_missed(
    server: ServerProcess, api: Api, codec: str
) -> None:
    ann_token, bob_token, circle = await _two_members(api)
    ann = await Client.open(server.ws, ann_token, codec)
    bob = await Client.open(server.ws, bob_token, codec)
    await ann.request({"t": "join", "circle": circle})
    await bob.request({"t": "join", "circle": circle})
    await ann.say(circle, "before")
    last_seen = (await bob.push("msg"))["seq"]
    await bob.close()

    for i in range(50):
        await ann.say(circle, f"missed {i}")
    bob = await Client.open(server.ws, bob_token, codec)
    joined = await bob.request({"t": "join", "circle": circle, "since": last_seen})
    assert joined["last_seq"] == last_seen + 50
    replayed = await bob.messages(50)
    assert [m["seq"] for m in replayed] == list(range(last_seen + 1, last_seen + 51))
    assert [m["text"] for m in replayed] == [f"missed {i}" for i in range(50)]
    # Then live, with nothing twice.
    await ann.say(circle, "live")
    live = await bob.push("msg")
    assert (live["seq"], live["text"]) == (last_seen + 51, "live")
    with pytest.raises(TimeoutError):
        await bob.push("msg", timeout=0.3)
    await ann.close()
    await bob.close()


async def test_seam_between_replay_and_live_loses_nothing(server: ServerProcess, api: Api) -> None:
    """Messages keep arriving while a member rejoins: each shows up exactly once."""
    ann_token, bob_token, circle = await _two_members(api)
    ann = await Client.open(server.ws, ann_token)
    await ann.request({"t": "join", "circle": circle})
    stop = asyncio.Event()

    async def chatter() -> int:
        n = 0
        while not stop.is_set():
            await ann.say(circle, f"m{n}")
            n += 1
        return n

    sender = asyncio.create_task(chatter())
    await timing.sleep(0.2)
    bob = await Client.open(server.ws, bob_token)
    await bob.request({"t": "join", "circle": circle, "since": 0})
    await timing.sleep(0.3)
    stop.set()
    total = await sender
    seqs = [m["seq"] for m in await bob.messages(total)]
    assert seqs == list(range(1, total + 1))
    await ann.close()
    await bob.close()


async def test_history_and_nonce_idempotency(server: ServerProcess, api: Api, codec: str) -> None:
    ann_token, _, circle = await _two_members(api)
    ann = await Client.open(server.ws, ann_token, codec)
    first = await ann.say(circle, "once", nonce="same")
    again = await ann.say(circle, "once", nonce="same")
    assert again["seq"] == first["seq"]
    await ann.say(circle, "twice")
    hist = await ann.request({"t": "history", "circle": circle, "limit": 10})
    assert [m["text"] for m in hist["messages"]] == ["once", "twice"]
    assert hist["more"] is False
    older = await ann.request({"t": "history", "circle": circle, "before": 2, "limit": 1})
    assert [m["seq"] for m in older["messages"]] == [1]
    await ann.close()


async def test_non_member_is_refused(server: ServerProcess, api: Api, codec: str) -> None:
    _, _, circle = await _two_members(api)
    eve_token, _ = await api.signup("eve")
    eve = await Client.open(server.ws, eve_token, codec)
    for frame in (
        {"t": "join", "circle": circle},
        {"t": "say", "circle": circle, "text": "hi", "nonce": "x"},
        {"t": "history", "circle": circle},
    ):
        reply = await eve.request(frame)
        assert (reply["t"], reply["code"]) == ("error", "forbidden")
    assert (await eve.request({"t": "ping"}))["t"] == "pong"
    await eve.close()


async def test_private_circle_needs_an_access_code(server: ServerProcess, api: Api) -> None:
    owner, _ = await api.signup("owner")
    guest, _ = await api.signup("guest")
    circle = await api.circle(owner, "Secret", visibility="private")
    assert (await api.join(guest, circle)).status_code == 403
    r = await api.call("POST", f"/circles/{circle}/codes", owner, json={"count": 1, "max_uses": 1})
    code = r.json()["codes"][0]["code"]
    assert (await api.join(guest, circle, code)).status_code == 200
    client = await Client.open(server.ws, guest)
    assert (await client.request({"t": "join", "circle": circle}))["t"] == "joined"
    await client.close()


async def test_presence_counts_joined_members(server: ServerProcess, api: Api) -> None:
    ann_token, bob_token, circle = await _two_members(api)
    ann = await Client.open(server.ws, ann_token)
    joined = await ann.request({"t": "join", "circle": circle})
    assert joined["online"] == 1
    bob = await Client.open(server.ws, bob_token)
    joined = await bob.request({"t": "join", "circle": circle})
    assert joined["online"] == 2
    assert (await ann.push("presence", timeout=3))["online"] == 2
    await bob.close()
    assert (await ann.push("presence", timeout=3))["online"] == 1
    await ann.close()


async def test_unknown_subprotocol_is_refused(server: ServerProcess) -> None:
    with pytest.raises(InvalidStatus):
        await connect(server.ws, subprotocols=["chat.v9"], open_timeout=seconds(5))
