"""The broker's publishing connection (server/redis_publisher.py): replies counted
from any split of the bytes, messages reaching a real Redis's subscribers in
order, a password, and what a lost connection leaves unanswered handed back."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import redis.asyncio as redis_asyncio

from server.redis_client import RedisUrlError
from server.redis_publisher import Publisher, Replies, Sent, command, publish_command
from tests import timing
from tests.services import RedisServer, redis_url, wait_for


def test_commands_are_resp() -> None:
    assert command(b"AUTH", b"pw") == b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"
    assert publish_command(b"k", b"\x00\r\n") == command(b"PUBLISH", b"k", b"\x00\r\n")


@pytest.mark.parametrize("split", [1, 2, 3, 5, 100])
def test_replies_are_counted_however_the_bytes_arrive(split: int) -> None:
    wire = b":1\r\n:0\r\n-ERR no\r\n:12\r\n"
    replies = Replies()
    counted = sum(replies.feed(wire[i : i + split]) for i in range(0, len(wire), split))
    assert counted == 4
    assert replies.errors == [b"ERR no"]


async def _subscriber(url: str, key: bytes) -> tuple[redis_asyncio.Redis, object]:
    client = redis_asyncio.Redis.from_url(url)
    pubsub = client.pubsub()
    await pubsub.subscribe(key)
    assert (await pubsub.get_message(timeout=timing.seconds(2)))["type"] == "subscribe"
    return client, pubsub


async def test_messages_reach_subscribers_in_order_and_are_answered() -> None:
    url = redis_url()
    key = f"pub{secrets.token_hex(4)}:c".encode()
    client, pubsub = await _subscriber(url, key)
    lost: list[Sent] = []
    publisher = Publisher(url, lost.extend)
    await publisher.connect()
    try:
        for n in range(300):  # one turn of the loop: one write
            publisher.publish("c", key, b"m%d" % n)
        await publisher.drain(timing.seconds(5))
        assert publisher.unanswered == 0
        heard: list[bytes] = []
        while len(heard) < 300:
            message = await pubsub.get_message(timeout=timing.seconds(2))  # type: ignore[attr-defined]
            assert message is not None, f"heard {len(heard)} of 300"
            heard.append(message["data"])
        assert heard == [b"m%d" % n for n in range(300)]
        assert lost == []
    finally:
        await publisher.close()
        await pubsub.aclose()  # type: ignore[attr-defined]
        await client.aclose()


async def test_a_password_is_sent_and_a_wrong_one_refused(tmp_path: Path) -> None:
    server = RedisServer(tmp_path, password="s3cret").start()
    try:
        good = Publisher(f"redis://:s3cret@127.0.0.1:{server.port}/0", lambda _: None)
        await good.connect()
        assert good.connected
        await good.close()
        bad = Publisher(f"redis://:nope@127.0.0.1:{server.port}/0", lambda _: None)
        with pytest.raises(ConnectionError, match="AUTH"):
            await bad.connect()
        assert not bad.connected
    finally:
        server.stop()


async def test_what_a_lost_connection_left_unanswered_is_handed_back(tmp_path: Path) -> None:
    server = RedisServer(tmp_path).start()
    lost: list[Sent] = []
    publisher = Publisher(server.url, lost.extend)
    await publisher.connect()
    try:
        publisher.publish("c", b"k", b"answered")
        await publisher.drain(timing.seconds(5))
        server.stop()
        await wait_for(lambda: not publisher.connected, 5)
        # Written into a connection that is gone, or never written: handed back.
        publisher.publish("c", b"k", b"late")
        await wait_for(lambda: lost == [("c", b"late")], 5)
    finally:
        await publisher.close()


async def test_an_unknown_scheme_is_refused() -> None:
    with pytest.raises(RedisUrlError):
        await Publisher("http://127.0.0.1:6379", lambda _: None).connect()
