"""Codec choice by subprotocol, and what each codec does with bytes that are not quite right."""

from __future__ import annotations

import msgpack
import pytest

from protocol import (
    JSON_CODEC,
    MSGPACK_CODEC,
    SUBPROTOCOL_JSON,
    SUBPROTOCOL_MSGPACK,
    SUBPROTOCOLS,
    ErrorCode,
    JsonCodec,
    MsgpackCodec,
    ProtocolError,
    UnsupportedSubprotocol,
    choose_subprotocol,
    codec_for,
)


def test_subprotocol_names() -> None:
    assert SUBPROTOCOL_JSON == "quanzi.v1.json"
    assert SUBPROTOCOL_MSGPACK == "quanzi.v1.msgpack"
    assert SUBPROTOCOLS == (SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK)


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        ([], None),
        (["quanzi.v1.json"], "quanzi.v1.json"),
        (["quanzi.v1.msgpack"], "quanzi.v1.msgpack"),
        (["quanzi.v1.msgpack", "quanzi.v1.json"], "quanzi.v1.msgpack"),
        (["quanzi.v1.json", "quanzi.v1.msgpack"], "quanzi.v1.json"),
        (["chat", "quanzi.v2.json", "quanzi.v1.msgpack"], "quanzi.v1.msgpack"),
    ],
)
def test_choose_subprotocol_takes_the_first_known(offered: list[str], chosen: str | None) -> None:
    assert choose_subprotocol(offered) == chosen


@pytest.mark.parametrize("offered", [["quanzi.v2.json"], ["chat", "superchat"], ["QUANZI.V1.JSON"]])
def test_only_unknown_subprotocols_are_refused(offered: list[str]) -> None:
    with pytest.raises(UnsupportedSubprotocol) as info:
        choose_subprotocol(offered)
    assert info.value.offered == tuple(offered)
    assert not isinstance(info.value, ProtocolError)


def test_codec_for_each_subprotocol() -> None:
    assert codec_for(None) is JSON_CODEC
    assert codec_for(SUBPROTOCOL_JSON) is JSON_CODEC
    assert codec_for(SUBPROTOCOL_MSGPACK) is MSGPACK_CODEC
    with pytest.raises(UnsupportedSubprotocol):
        codec_for("quanzi.v2.json")


def test_codec_attributes() -> None:
    assert isinstance(JSON_CODEC, JsonCodec)
    assert isinstance(MSGPACK_CODEC, MsgpackCodec)
    assert (JSON_CODEC.name, JSON_CODEC.subprotocol, JSON_CODEC.binary) == (
        "json",
        SUBPROTOCOL_JSON,
        False,
    )
    assert (MSGPACK_CODEC.name, MSGPACK_CODEC.subprotocol, MSGPACK_CODEC.binary) == (
        "msgpack",
        SUBPROTOCOL_MSGPACK,
        True,
    )


def test_wire_bytes_are_what_other_languages_expect() -> None:
    m = {"t": "ping", "id": 1}
    assert JSON_CODEC.encode(m) == b'{"t":"ping","id":1}'
    assert MSGPACK_CODEC.encode(m) == msgpack.packb(m, use_bin_type=True)
    # Binary values go out as msgpack bin, not str, and come back as bytes.
    assert MSGPACK_CODEC.decode(MSGPACK_CODEC.encode({"b": b"\x00\xff"})) == {"b": b"\x00\xff"}


def _bad(codec: JsonCodec | MsgpackCodec, data: bytes | str) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        codec.decode(data)
    assert info.value.code is ErrorCode.BAD_FRAME
    return info.value


def test_msgpack_refuses_text_frames_extra_data_and_foreign_keys() -> None:
    assert "binary" in _bad(MSGPACK_CODEC, '{"t":"ping"}').message
    one = MSGPACK_CODEC.encode({"t": "ping"})
    _bad(MSGPACK_CODEC, one + one)
    _bad(MSGPACK_CODEC, one[:-1])
    _bad(MSGPACK_CODEC, msgpack.packb({1: "int key"}))
    _bad(MSGPACK_CODEC, msgpack.packb({"t": msgpack.ExtType(7, b"x")}))
    _bad(MSGPACK_CODEC, b"\xa2\xff\xfe")  # a str with invalid UTF-8
    _bad(MSGPACK_CODEC, b"\xdd\xff\xff\xff\xff")  # an array claiming 4G items


def test_deep_nesting_is_bad_frame_not_a_crash() -> None:
    _bad(JSON_CODEC, "[" * 100_000 + "]" * 100_000)
    _bad(JSON_CODEC, '{"a":' * 5_000 + "1" + "}" * 5_000)
    _bad(MSGPACK_CODEC, b"\x91" * 100_000 + b"\xc0")
    _bad(MSGPACK_CODEC, b"\x81\xa1a" * 5_000 + b"\xc0")


def test_json_refuses_non_maps_and_bad_text() -> None:
    assert "not a map" in _bad(JSON_CODEC, "[1, 2]").message
    _bad(JSON_CODEC, "null")
    _bad(JSON_CODEC, '{"t":"ping"} {"t":"ping"}')
    _bad(JSON_CODEC, '{"t":"\ud800"}')  # a lone surrogate cannot be UTF-8
    _bad(JSON_CODEC, '{"id": 1e400}')
    _bad(JSON_CODEC, "{'t': 'ping'}")


def test_json_accepts_text_and_bytes_alike() -> None:
    assert JSON_CODEC.decode('{"t":"ping"}') == JSON_CODEC.decode(b'{"t":"ping"}') == {"t": "ping"}
