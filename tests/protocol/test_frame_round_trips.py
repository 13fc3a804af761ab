"""Every frame survives to_map → encode → decode (→ parse) unchanged, in both codecs."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol import (
    JSON_CODEC,
    MSGPACK_CODEC,
    SEQ_MAX,
    Bye,
    ClientFrame,
    Codec,
    ErrorCode,
    Gap,
    Hello,
    Highlight,
    History,
    HistoryReply,
    Join,
    Joined,
    Leave,
    Left,
    Msg,
    Ok,
    Ping,
    Pong,
    Presence,
    ProtocolError,
    Read,
    Say,
    ServerFrame,
    Star,
    Unstar,
    Welcome,
    decode_client,
    error_map,
    msg_map,
)

CODECS = [pytest.param(JSON_CODEC, id="json"), pytest.param(MSGPACK_CODEC, id="msgpack")]

CLIENT_FRAMES: list[ClientFrame] = [
    Hello(1, token="tok-abc"),
    Hello("h", token="t"),
    Join(2, circle="c1"),
    Join("j-2", circle="c1", since=0),
    Join(None, circle="c1", since=41),
    Leave(3, circle="c1"),
    Say(4, circle="c1", text="hello 圈子 👋", nonce="n-1"),
    Say(5, circle="c1", text="", nonce="n-2", reply_to=17),
    History(6, circle="c1"),
    History(7, circle="c1", before=100, limit=200),
    History(8, circle="c1", limit=1),
    Star(9, circle="c1", seq=3),
    Unstar(10, circle="c1", seq=3),
    Read(None, circle="c1", seq=12),
    Ping(11),
    Ping(None),
    Ping(-5),
    Ping(2**63 - 1),
    Ping("x" * 64),
]

SENDER = {"id": "u1", "name": "Ana"}
MESSAGE: dict[str, Any] = {
    "circle": "c1",
    "group": "c1",
    "seq": 7,
    "ts": 1_764_000_000_123,
    "from": SENDER,
    "text": "hi",
    "nonce": "n-7",
    "reply_to": None,
}
POST: dict[str, Any] = {
    "id": "p1",
    "circle": "c1",
    "kind": "highlight",
    "author": SENDER,
    "text": "hi",
    "created": 1_764_000_000_500,
    "pinned": True,
    "must_read": False,
    "source": {"seq": 7, "ts": 1_764_000_000_123, "from": SENDER},
}

SERVER_FRAMES: list[ServerFrame] = [
    Welcome(
        1,
        user={"id": "u1", "name": "Ana"},
        session="s-1",
        heartbeat=25,
        limits={"frame_bytes": 65536, "text_chars": 4000},
    ),
    Joined(2, circle="c1", last_seq=41, online=3),
    Ok(3),
    Ok(4, {"seq": 42, "ts": 1_764_000_000_123}),
    Ok(5, {"stars": 3, "post": POST}),
    Ok(6, {"stars": 1, "post": None}),
    Ok("u", {"stars": 0}),
    HistoryReply(7, circle="c1", messages=[MESSAGE, {**MESSAGE, "seq": 8}], more=True),
    HistoryReply(8, circle="c1", messages=[], more=False),
    Pong(9),
    Pong("p"),
    Msg("c1", 7, 1_764_000_000_123, SENDER, "hi", "n-7"),
    Msg("c1", 8, 1_764_000_000_124, SENDER, "re: hi", "n-8", reply_to=7),
    Highlight("c1", "promoted", POST),
    Highlight("c1", "must_read", {**POST, "must_read": True}),
    Presence("c1", 12),
    Gap("c1", 1, 99),
    Left("c1", "circle_deleted"),
    Bye("restart"),
]


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("frame", CLIENT_FRAMES, ids=repr)
def test_client_frame_round_trip(codec: Codec, frame: ClientFrame) -> None:
    data = codec.encode(frame.to_map())
    assert isinstance(data, bytes)
    assert decode_client(codec, data) == frame


request_ids = st.none() | st.integers(-(2**63), 2**64 - 1) | st.text(max_size=64)
circles = st.text(min_size=1, max_size=64)
seqs = st.integers(0, SEQ_MAX)
optional_seqs = st.none() | seqs
nonces = st.text(min_size=1, max_size=64)
any_client_frame = st.one_of(
    st.builds(Hello, request_ids, st.text(min_size=1)),
    st.builds(Join, request_ids, circles, optional_seqs),
    st.builds(Leave, request_ids, circles),
    st.builds(Say, request_ids, circles, st.text(), nonces, optional_seqs),
    st.builds(History, request_ids, circles, optional_seqs, st.none() | st.integers(1, 200)),
    st.builds(Star, request_ids, circles, seqs),
    st.builds(Unstar, request_ids, circles, seqs),
    st.builds(Read, request_ids, circles, seqs),
    st.builds(Ping, request_ids),
)


@pytest.mark.parametrize("codec", CODECS)
@given(frame=any_client_frame)
def test_any_valid_client_frame_round_trips(codec: Codec, frame: ClientFrame) -> None:
    assert decode_client(codec, codec.encode(frame.to_map())) == frame


def test_client_map_omits_unset_optional_fields() -> None:
    assert Join(1, circle="c").to_map() == {"t": "join", "id": 1, "circle": "c"}
    assert Read(None, circle="c", seq=3).to_map() == {"t": "read", "circle": "c", "seq": 3}
    assert Say(2, "c", "x", "n", reply_to=0).to_map()["reply_to"] == 0


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("frame", SERVER_FRAMES, ids=repr)
def test_server_frame_round_trip(codec: Codec, frame: ServerFrame) -> None:
    m = frame.to_map()
    assert codec.decode(codec.encode(m)) == m


def test_server_maps_have_the_contract_shapes() -> None:
    assert Joined(2, "c1", 41, 3).to_map() == {
        "t": "joined",
        "id": 2,
        "circle": "c1",
        "last_seq": 41,
        "online": 3,
    }
    assert Ok(4, {"seq": 42, "ts": 5}).to_map() == {"t": "ok", "id": 4, "seq": 42, "ts": 5}
    assert Ok(6, {"stars": 1, "post": None}).to_map() == {
        "t": "ok",
        "id": 6,
        "stars": 1,
        "post": None,
    }
    assert HistoryReply(8, "c1", [], False).to_map() == {
        "t": "history",
        "id": 8,
        "circle": "c1",
        "messages": [],
        "more": False,
    }
    assert Gap("c1", 1, 99).to_map() == {"t": "gap", "circle": "c1", "from_seq": 1, "to_seq": 99}
    assert Bye("shutdown").to_map() == {"t": "bye", "reason": "shutdown"}


def test_replies_without_id_omit_it_and_pushes_never_carry_one() -> None:
    assert Pong(None).to_map() == {"t": "pong"}
    assert "id" not in Ok(None, {"seq": 1}).to_map()
    assert "id" not in Welcome(None, {}, "s", 25, {}).to_map()
    for push in (
        Msg("c1", 1, 2, SENDER, "t", "n"),
        Highlight("c1", "pinned", POST),
        Presence("c1", 1),
        Gap("c1", 1, 2),
        Left("c1", "removed"),
        Bye("restart"),
    ):
        assert "id" not in push.to_map()


def test_msg_map_matches_the_typed_msg() -> None:
    stored = {**MESSAGE, "seq": 8, "text": "re: hi", "nonce": "n-8", "reply_to": 7}
    typed = Msg("c1", 8, MESSAGE["ts"], SENDER, "re: hi", "n-8", reply_to=7)
    assert msg_map(stored) == typed.to_map()
    # The store's None reply_to passes through; the typed Msg leaves it out.
    assert msg_map(MESSAGE)["reply_to"] is None
    assert "reply_to" not in Msg("c1", 7, 1, SENDER, "hi", "n").to_map()


@pytest.mark.parametrize("codec", CODECS)
def test_error_frame_round_trip(codec: Codec) -> None:
    err = ProtocolError(ErrorCode.NOT_FOUND, "no such circle", id="req-9")
    m = err.to_map()
    assert m == {"t": "error", "id": "req-9", "code": "not_found", "message": "no such circle"}
    assert codec.decode(codec.encode(m)) == m
    without_id = error_map("too_big", "text over 4000 characters")
    assert codec.decode(codec.encode(without_id)) == {
        "t": "error",
        "code": "too_big",
        "message": "text over 4000 characters",
    }


def test_encode_text_is_the_json_bytes_as_str() -> None:
    m = msg_map({**MESSAGE, "text": '圈子 👋 "quoted"'})
    text = JSON_CODEC.encode_text(m)
    assert isinstance(text, str)
    assert text.encode() == JSON_CODEC.encode(m)
    assert JSON_CODEC.decode(text) == m
