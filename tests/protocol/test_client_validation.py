"""Every way a client map can be wrong maps to the contract's code, naming the field and echoing a valid id."""

from __future__ import annotations

from typing import Any

import pytest

from protocol import (
    JSON_CODEC,
    MSGPACK_CODEC,
    ErrorCode,
    History,
    Join,
    Ping,
    ProtocolError,
    Say,
    Star,
    decode_client,
    parse_client,
)

VALID: dict[str, dict[str, Any]] = {
    "hello": {"t": "hello", "id": 1, "token": "tok"},
    "join": {"t": "join", "id": 1, "circle": "c1", "since": 5},
    "leave": {"t": "leave", "id": 1, "circle": "c1"},
    "say": {"t": "say", "id": 1, "circle": "c1", "text": "hi", "nonce": "n", "reply_to": 2},
    "history": {"t": "history", "id": 1, "circle": "c1", "before": 9, "limit": 10},
    "star": {"t": "star", "id": 1, "circle": "c1", "seq": 3},
    "unstar": {"t": "unstar", "id": 1, "circle": "c1", "seq": 3},
    "read": {"t": "read", "id": 1, "circle": "c1", "seq": 3},
    "ping": {"t": "ping", "id": 1},
}


def _error(m: object) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        parse_client(m)
    return info.value


@pytest.mark.parametrize("t", sorted(VALID))
def test_valid_maps_parse_to_their_frame(t: str) -> None:
    frame = parse_client(VALID[t])
    assert frame.t == t
    assert frame.id == 1
    assert frame.to_map() == VALID[t]


@pytest.mark.parametrize("m", [None, [], ["t", "ping"], "ping", 3, b"{}"])
def test_not_a_map_is_bad_frame(m: object) -> None:
    err = _error(m)
    assert err.code is ErrorCode.BAD_FRAME
    assert err.id is None


@pytest.mark.parametrize("t", [None, 1, True, b"ping", ["ping"]])
def test_missing_or_non_string_t_is_bad_frame_with_id(t: object) -> None:
    m: dict[str, Any] = {"id": 7}
    if t is not None:
        m["t"] = t
    err = _error(m)
    assert err.code is ErrorCode.BAD_FRAME
    assert err.id == 7
    assert "'t'" in err.message


@pytest.mark.parametrize("t", ["pong", "welcome", "Ping", "", "msg"])
def test_unknown_type_echoes_id(t: str) -> None:
    err = _error({"t": t, "id": "req-1"})
    assert err.code is ErrorCode.UNKNOWN_TYPE
    assert err.id == "req-1"
    assert err.to_map() == {
        "t": "error",
        "id": "req-1",
        "code": "unknown_type",
        "message": err.message,
    }


def test_unknown_type_message_does_not_reflect_huge_input() -> None:
    err = _error({"t": "x" * 10_000})
    assert err.code is ErrorCode.UNKNOWN_TYPE
    assert len(err.message) < 100


@pytest.mark.parametrize("bad_id", [True, False, 1.5, "x" * 65, [1], {"a": 1}, b"id"])
def test_invalid_id_is_bad_frame_and_not_echoed(bad_id: object) -> None:
    err = _error({"t": "ping", "id": bad_id})
    assert err.code is ErrorCode.BAD_FRAME
    assert err.id is None
    assert "id" not in err.to_map()
    assert "id" in err.message


@pytest.mark.parametrize("good_id", [0, -1, 2**64 - 1, "", "x" * 64, "请求-1"])
def test_valid_ids(good_id: int | str) -> None:
    assert parse_client({"t": "ping", "id": good_id}) == Ping(good_id)


def test_null_id_means_no_id() -> None:
    assert parse_client({"t": "ping", "id": None}) == Ping(None)
    assert _error({"t": "nope", "id": None}).id is None


# (frame type, field, bad value or _MISSING)
_MISSING = object()
FIELD_FAILURES: list[tuple[str, str, object]] = [
    ("hello", "token", _MISSING),
    ("hello", "token", ""),
    ("hello", "token", 5),
    ("join", "circle", _MISSING),
    ("join", "circle", ""),
    ("join", "circle", "c" * 65),
    ("join", "circle", 12),
    ("join", "since", -1),
    ("join", "since", "5"),
    ("join", "since", True),
    ("join", "since", 1.0),
    ("join", "since", 2**63),
    ("leave", "circle", None),
    ("say", "text", _MISSING),
    ("say", "text", 5),
    ("say", "text", b"hi"),
    ("say", "text", ["hi"]),
    ("say", "nonce", _MISSING),
    ("say", "nonce", ""),
    ("say", "nonce", "n" * 65),
    ("say", "nonce", 1),
    ("say", "reply_to", -3),
    ("say", "reply_to", False),
    ("say", "circle", {"id": "c1"}),
    ("history", "before", -1),
    ("history", "before", "9"),
    ("history", "limit", 0),
    ("history", "limit", 201),
    ("history", "limit", -5),
    ("history", "limit", "10"),
    ("history", "limit", True),
    ("star", "seq", _MISSING),
    ("star", "seq", None),
    ("star", "seq", -1),
    ("star", "seq", 3.0),
    ("star", "seq", True),
    ("unstar", "seq", "3"),
    ("read", "seq", _MISSING),
    ("read", "circle", _MISSING),
]


@pytest.mark.parametrize(("t", "field", "value"), FIELD_FAILURES)
def test_bad_field_is_bad_frame_naming_the_field(t: str, field: str, value: object) -> None:
    m = dict(VALID[t], id="r-" + t)
    if value is _MISSING:
        del m[field]
    else:
        m[field] = value
    err = _error(m)
    assert err.code is ErrorCode.BAD_FRAME
    assert f"'{field}'" in err.message
    assert err.id == "r-" + t


def test_text_length_is_left_to_the_server() -> None:
    frame = parse_client(dict(VALID["say"], text="x" * 100_000))
    assert isinstance(frame, Say)
    assert len(frame.text) == 100_000


def test_limits_at_their_bounds_are_accepted() -> None:
    assert parse_client(dict(VALID["history"], limit=200)) == History(1, "c1", 9, 200)
    assert parse_client(dict(VALID["history"], limit=1, before=0)) == History(1, "c1", 0, 1)
    assert parse_client(dict(VALID["join"], circle="c" * 64, since=2**63 - 1)) == Join(
        1, "c" * 64, 2**63 - 1
    )
    assert parse_client(dict(VALID["say"], nonce="n" * 64)).nonce == "n" * 64  # type: ignore[union-attr]


def test_optional_fields_may_be_absent_or_null() -> None:
    assert parse_client({"t": "join", "circle": "c1"}) == Join(None, "c1", None)
    assert parse_client({"t": "join", "circle": "c1", "since": None}) == Join(None, "c1", None)
    assert parse_client({"t": "history", "circle": "c1", "limit": None}) == History(
        None, "c1", None, None
    )
    frame = parse_client({"t": "say", "circle": "c", "text": "", "nonce": "n", "reply_to": None})
    assert frame == Say(None, "c", "", "n", None)


def test_unknown_extra_fields_are_ignored() -> None:
    m = dict(VALID["star"], emoji="⭐", v=2, nested={"a": [1, 2]}, **{"\x00": b"bin"})
    assert parse_client(m) == Star(1, "c1", 3)


@pytest.mark.parametrize(
    ("codec", "data"),
    [
        (JSON_CODEC, b"\xff\xfe"),
        (JSON_CODEC, "{"),
        (JSON_CODEC, "[]"),
        (JSON_CODEC, '"ping"'),
        (JSON_CODEC, ""),
        (MSGPACK_CODEC, b""),
        (MSGPACK_CODEC, b"\xc1"),
        (MSGPACK_CODEC, b"\x91\x01"),
        (MSGPACK_CODEC, '{"t":"ping"}'),
    ],
)
def test_undecodable_or_non_map_frames_are_bad_frame(codec: object, data: bytes | str) -> None:
    with pytest.raises(ProtocolError) as info:
        decode_client(codec, data)  # type: ignore[arg-type]
    assert info.value.code is ErrorCode.BAD_FRAME
    assert info.value.id is None


def test_decode_client_goes_through_both_steps() -> None:
    assert decode_client(JSON_CODEC, '{"t":"ping","id":3}') == Ping(3)
    assert decode_client(JSON_CODEC, b'{"t":"ping","id":3}') == Ping(3)
    data = MSGPACK_CODEC.encode({"t": "say", "id": "s1", "circle": "c"})
    with pytest.raises(ProtocolError) as info:
        decode_client(MSGPACK_CODEC, data)
    assert (info.value.code, info.value.id) == (ErrorCode.BAD_FRAME, "s1")
    assert "'text'" in info.value.message
