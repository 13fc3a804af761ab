"""Whatever arrives on the wire, decoding yields a client frame or a ProtocolError — nothing else.

Any other exception would reach the server's connection loop as a crash
instead of an `error` frame.
"""

from __future__ import annotations

from typing import Any

import msgpack
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol import (
    CLIENT_TYPES,
    ID_MAX_CHARS,
    JSON_CODEC,
    MSGPACK_CODEC,
    ClientFrame,
    Codec,
    ErrorCode,
    ProtocolError,
    decode_client,
    parse_client,
)

CODECS = [pytest.param(JSON_CODEC, id="json"), pytest.param(MSGPACK_CODEC, id="msgpack")]
FIELD_NAMES = [
    "id",
    "token",
    "circle",
    "since",
    "text",
    "nonce",
    "reply_to",
    "before",
    "limit",
    "seq",
]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=80)
)
# msgpack also carries bytes, NaN and infinities, which JSON cannot.
msgpack_scalars = json_scalars | st.binary(max_size=80) | st.floats()


def _values(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
        ),
        max_leaves=20,
    )


json_values = _values(json_scalars)
msgpack_values = _values(msgpack_scalars)


def _frame_like(values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Maps that look like client frames: a plausible `t` and the real field names.

    Values lean towards the right types near their limits, so that many maps
    parse and the checks of each field, not just the first one, are reached.
    """
    plausible = st.integers(-2, 300) | st.text(max_size=70) | st.none() | st.booleans()
    field = plausible | plausible | values
    return st.builds(
        lambda t, fields: {"t": t, **fields},
        st.sampled_from(sorted(CLIENT_TYPES) * 4 + ["", "pong", "msg"]) | values,
        st.fixed_dictionaries({}, optional=dict.fromkeys(FIELD_NAMES, field)),
    )


def _outcome(codec: Codec, data: bytes | str) -> ClientFrame | ProtocolError:
    try:
        return decode_client(codec, data)
    except ProtocolError as exc:
        return exc


def _check(m: object, outcome: ClientFrame | ProtocolError) -> None:
    """An error echoes exactly the valid ids; a frame re-parses from its own map."""
    if isinstance(outcome, ProtocolError):
        assert outcome.code in (ErrorCode.BAD_FRAME, ErrorCode.UNKNOWN_TYPE)
        if outcome.id is not None:
            assert isinstance(m, dict) and m.get("id") == outcome.id
            assert not isinstance(outcome.id, bool)
            assert not isinstance(outcome.id, str) or len(outcome.id) <= ID_MAX_CHARS
        assert outcome.to_map()["t"] == "error"
    else:
        assert isinstance(m, dict) and m["t"] == outcome.t
        assert parse_client(outcome.to_map()) == outcome


@pytest.mark.parametrize("codec", CODECS)
@settings(max_examples=300)
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes(codec: Codec, data: bytes) -> None:
    outcome = _outcome(codec, data)
    if isinstance(outcome, ProtocolError):
        assert outcome.code in (ErrorCode.BAD_FRAME, ErrorCode.UNKNOWN_TYPE)


@pytest.mark.parametrize("codec", CODECS)
@settings(max_examples=300)
@given(data=st.text(max_size=200))
def test_arbitrary_text(codec: Codec, data: str) -> None:
    outcome = _outcome(codec, data)
    if codec is MSGPACK_CODEC:
        assert isinstance(outcome, ProtocolError) and outcome.code is ErrorCode.BAD_FRAME


@settings(max_examples=200)
@given(m=st.dictionaries(st.text(max_size=10), json_values, max_size=8) | _frame_like(json_values))
def test_arbitrary_json_maps(m: dict[str, Any]) -> None:
    _check(m, _outcome(JSON_CODEC, orjson.dumps(m)))


@settings(max_examples=200)
@given(
    m=st.dictionaries(st.text(max_size=10) | st.binary(max_size=10), msgpack_values, max_size=8)
    | _frame_like(msgpack_values)
)
def test_arbitrary_msgpack_maps(m: dict[Any, Any]) -> None:
    _check(m, _outcome(MSGPACK_CODEC, msgpack.packb(m, use_bin_type=True)))


@settings(max_examples=200)
@given(value=msgpack_values)
def test_arbitrary_msgpack_values(value: Any) -> None:
    outcome = _outcome(MSGPACK_CODEC, msgpack.packb(value, use_bin_type=True))
    if not isinstance(value, dict):
        assert isinstance(outcome, ProtocolError) and outcome.code is ErrorCode.BAD_FRAME


@settings(max_examples=200)
@given(m=_frame_like(msgpack_values))
def test_parse_client_on_python_maps(m: dict[str, Any]) -> None:
    try:
        outcome: ClientFrame | ProtocolError = parse_client(m)
    except ProtocolError as exc:
        outcome = exc
    _check(m, outcome)
