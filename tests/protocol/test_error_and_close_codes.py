"""The error-code and close-code tables every client mirrors."""

from __future__ import annotations

import pytest

from protocol import (
    ABNORMAL,
    CloseCode,
    ErrorCode,
    ProtocolError,
    error_map,
    should_reconnect,
)


def test_error_codes_are_the_contracts() -> None:
    assert {c.value for c in ErrorCode} == {
        "bad_frame",
        "unknown_type",
        "unauthenticated",
        "forbidden",
        "not_found",
        "too_big",
        "rate_limited",
        "conflict",
        "internal",
        "bad_request",
    }


def test_close_codes_are_the_contracts() -> None:
    assert {c.name: int(c) for c in CloseCode} == {
        "NORMAL": 1000,
        "TOO_BIG": 1009,
        "RESTART": 1012,
        "UNAUTHENTICATED": 4001,
        "FORBIDDEN": 4003,
        "POLICY": 4008,
        "TOO_SLOW": 4009,
        # This server's addition: a user's sockets past QUANZI_USER_SOCKETS.
        "TOO_MANY": 4029,
    }


@pytest.mark.parametrize(
    ("code", "reconnect"),
    [
        (CloseCode.RESTART, True),
        (CloseCode.TOO_SLOW, True),
        (CloseCode.TOO_MANY, True),  # another of the user's sockets may close
        (ABNORMAL, True),
        (1001, True),  # going away
        (1011, True),  # server error
        (1013, True),  # try again later
        (4999, True),  # unknown: assume transient, backoff bounds the cost
        (None, True),
        (CloseCode.NORMAL, False),
        (CloseCode.UNAUTHENTICATED, False),
        (CloseCode.FORBIDDEN, False),
        (CloseCode.POLICY, False),
        (CloseCode.TOO_BIG, False),
        (1002, False),
        (1007, False),
    ],
)
def test_should_reconnect(code: int | None, reconnect: bool) -> None:
    assert should_reconnect(code) is reconnect


def test_should_reconnect_takes_plain_ints() -> None:
    assert should_reconnect(1012) is True
    assert should_reconnect(4001) is False


def test_protocol_error_carries_code_message_and_id() -> None:
    err = ProtocolError("rate_limited", "slow down", 12)
    assert err.code is ErrorCode.RATE_LIMITED
    assert (err.message, err.id) == ("slow down", 12)
    assert str(err) == "rate_limited: slow down"
    assert err.to_map() == {"t": "error", "id": 12, "code": "rate_limited", "message": "slow down"}
    assert type(err.to_map()["code"]) is str


def test_error_map_omits_a_missing_id_but_keeps_zero() -> None:
    assert error_map(ErrorCode.INTERNAL, "oops") == {
        "t": "error",
        "code": "internal",
        "message": "oops",
    }
    assert error_map(ErrorCode.INTERNAL, "oops", 0)["id"] == 0
    assert error_map(ErrorCode.INTERNAL, "oops", "")["id"] == ""


def test_unknown_error_code_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        ProtocolError("teapot", "no")
