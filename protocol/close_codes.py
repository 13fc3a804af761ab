"""WebSocket close codes of the contract, and whether a client should come back.

The web client and the load-test harness mirror `should_reconnect`, so a change
here is a change in how every client behaves after a close.
"""

from __future__ import annotations

from enum import IntEnum


class CloseCode(IntEnum):
    NORMAL = 1000
    TOO_BIG = 1009
    RESTART = 1012
    UNAUTHENTICATED = 4001
    FORBIDDEN = 4003
    POLICY = 4008
    TOO_SLOW = 4009
    # Not in the contract: the user has as many sockets open on this server as it
    # allows (QUANZI_USER_SOCKETS). Come back later: when another one closes.
    TOO_MANY = 4029


ABNORMAL = 1006
"""What a client sees when the connection dropped without a close frame (never sent)."""

# Closes after which the same client, reconnecting with the same token and the
# same behaviour, would only be closed again: it needs a new token (4001), a
# user's decision (1000, 4003) or a fixed client (the rest). The RFC 6455 codes
# 1002/1003/1007/1008/1010 say "your frames were wrong" just as 4008 and 1009 do.
NO_RECONNECT: frozenset[int] = frozenset(
    {
        CloseCode.NORMAL,
        CloseCode.TOO_BIG,
        CloseCode.UNAUTHENTICATED,
        CloseCode.FORBIDDEN,
        CloseCode.POLICY,
        1002,  # protocol error
        1003,  # unsupported data
        1007,  # invalid payload (e.g. bad UTF-8 in a text frame)
        1008,  # generic policy violation
        1010,  # client required an extension the server lacks
    }
)


def should_reconnect(code: int | None) -> bool:
    """True if a client should reconnect (with backoff and jitter) and rejoin with `since`.

    Restart (1012), too slow (4009), an abnormal drop (1006, or None when no
    close code is known) and any code not listed in `NO_RECONNECT` mean yes: a
    transient condition is the safe guess for a code this version doesn't know,
    and backoff keeps a wrong guess cheap.
    """
    if code is None:
        return True
    return code not in NO_RECONNECT
