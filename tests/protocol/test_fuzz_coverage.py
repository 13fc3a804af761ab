"""A coverage-guided fuzz target for the codecs and the frame parser.

Inputs are raw bytes and text, encoded frame-like maps, and valid frames
mutated byte by byte (what a mutational fuzzer feeds a parser). Each run is
traced over protocol/'s lines and the count of lines it reached is handed to
`hypothesis.target`: Hypothesis steers its search towards inputs that reach
more of the parser, instead of sampling blindly.

The property: whatever arrives, decoding yields a client frame that survives
its own round trip through the codec, or a `ProtocolError` with `bad_frame` or
`unknown_type` — never any other exception (a traceback in the server loop).

CI runs a short bounded profile. Operators and reviewers run a long one:

    QUANZI_FUZZ_EXAMPLES=200000 python -m pytest tests/protocol/test_fuzz_coverage.py -p no:cacheprovider

(about a minute per 1,000 examples and test on a busy 2-core machine; failures are
shrunk to a minimal input and printed). `fuzz_one_input` also serves an
external coverage-guided engine: see README, "Fuzzing the protocol".
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import msgpack
import orjson
import pytest
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

import protocol
from protocol import (
    JSON_CODEC,
    MSGPACK_CODEC,
    Codec,
    ErrorCode,
    ProtocolError,
    decode_client,
)
from tests.protocol.test_decode_fuzz import _frame_like, json_values, msgpack_values

PROTOCOL_DIR = str(Path(protocol.__file__).resolve().parent)
EXAMPLES = int(os.environ.get("QUANZI_FUZZ_EXAMPLES", "0"))

# Bounded for every CI run; QUANZI_FUZZ_EXAMPLES picks the long profile.
settings.register_profile(
    "quanzi-fuzz-ci",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "quanzi-fuzz-long",
    max_examples=max(EXAMPLES, 1),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
PROFILE = settings.get_profile("quanzi-fuzz-long" if EXAMPLES else "quanzi-fuzz-ci")

CODECS = [pytest.param(JSON_CODEC, id="json"), pytest.param(MSGPACK_CODEC, id="msgpack")]
# Every line of protocol/ any run reached: reported by the long run.
REACHED: set[tuple[str, int]] = set()


def traced(run: Callable[[], Any]) -> tuple[Any, set[tuple[str, int]]]:
    """``run()``'s result, and the lines of protocol/ it executed."""
    lines: set[tuple[str, int]] = set()

    def local(frame: FrameType, event: str, arg: object) -> Any:
        if event == "line":
            lines.add((frame.f_code.co_filename, frame.f_lineno))
        return local

    def calls(frame: FrameType, event: str, arg: object) -> Any:
        if event == "call" and frame.f_code.co_filename.startswith(PROTOCOL_DIR):
            return local
        return None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        return run(), lines
    finally:
        sys.settrace(previous)


def decode(codec: Codec, data: bytes | str) -> object:
    try:
        return decode_client(codec, data)
    except ProtocolError as exc:
        return exc


def check(codec: Codec, data: bytes | str) -> None:
    """The property, with the run's coverage handed to Hypothesis as its target."""
    outcome, lines = traced(lambda: decode(codec, data))
    REACHED.update(lines)
    target(float(len(lines)), label="protocol lines reached")
    if isinstance(outcome, ProtocolError):
        assert outcome.code in (ErrorCode.BAD_FRAME, ErrorCode.UNKNOWN_TYPE), outcome
        assert outcome.to_map()["t"] == "error"
    else:
        again = decode_client(codec, codec.encode(outcome.to_map()))  # type: ignore[attr-defined]
        assert again == outcome


def _encoded(codec: Codec) -> st.SearchStrategy[bytes]:
    if codec is JSON_CODEC:
        return _frame_like(json_values).map(orjson.dumps)
    return _frame_like(msgpack_values).map(lambda m: msgpack.packb(m, use_bin_type=True))


@st.composite
def mutated(draw: st.DrawFn, codec: Codec) -> bytes:
    """An encoded frame-like map with a few bytes flipped, dropped or inserted."""
    data = bytearray(draw(_encoded(codec)))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data)))
        edit = draw(st.sampled_from(["flip", "drop", "insert"]))
        if edit == "insert" or not data or at == len(data):
            data[at:at] = draw(st.binary(min_size=1, max_size=3))
        elif edit == "drop":
            del data[at]
        else:
            data[at] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


def inputs(codec: Codec) -> st.SearchStrategy[bytes | str]:
    return st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300),
        _encoded(codec),
        mutated(codec),
    )


@pytest.mark.parametrize("codec", CODECS)
def test_whatever_arrives_decodes_to_a_frame_or_a_protocol_error(codec: Codec) -> None:
    @PROFILE
    @given(data=inputs(codec))
    def run(data: bytes | str) -> None:
        check(codec, data)

    run()


def test_the_tracer_sees_the_parser() -> None:
    """The guidance is real: a valid frame reaches more of protocol/ than garbage."""
    _, garbage = traced(lambda: decode(JSON_CODEC, b"\xff"))
    say = {"t": "say", "id": 1, "circle": "c1", "text": "hi", "nonce": "n1"}
    _, frame = traced(lambda: decode(JSON_CODEC, orjson.dumps(say)))
    assert garbage and len(frame) > 2 * len(garbage)


@given(data=st.binary(max_size=300))
def fuzz_one_input_target(data: bytes) -> None:
    """For an external engine: bytes split over both codecs by their first byte."""
    codec = MSGPACK_CODEC if data[:1] and data[0] & 1 else JSON_CODEC
    check(codec, data[1:])


# libFuzzer-style entry point (atheris.Setup(sys.argv, fuzz_one_input)).
fuzz_one_input = fuzz_one_input_target.hypothesis.fuzz_one_input  # type: ignore[attr-defined]


def teardown_module() -> None:
    if EXAMPLES:
        files = {f for f, _ in REACHED}
        print(f"\nfuzz: {len(REACHED)} lines of protocol/ reached in {len(files)} files")
