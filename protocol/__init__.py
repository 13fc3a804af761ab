"""Quanzi wire protocol v1, Sans-I/O: frames, codecs, validation, error and close codes.

No network, no event loop, no storage: the server, the load-test harness and any
tool can share it. `protocol/README.md` documents the protocol for client authors.
"""

from __future__ import annotations

from .client_frames import (
    ClientFrame,
    Hello,
    History,
    Join,
    Leave,
    Ping,
    Read,
    Say,
    Star,
    Unstar,
)
from .close_codes import ABNORMAL, NO_RECONNECT, CloseCode, should_reconnect
from .codec import (
    JSON_CODEC,
    MSGPACK_CODEC,
    SUBPROTOCOL_JSON,
    SUBPROTOCOL_MSGPACK,
    SUBPROTOCOLS,
    Codec,
    JsonCodec,
    Map,
    MsgpackCodec,
    choose_subprotocol,
    codec_for,
)
from .errors import ErrorCode, ProtocolError, RequestId, UnsupportedSubprotocol, error_map
from .events import EVENT_TYPES, MEMBERSHIP_EVENTS, CircleEvent, event_from_map, event_of
from .parse import (
    CIRCLE_MAX_CHARS,
    CLIENT_TYPES,
    HISTORY_LIMIT_DEFAULT,
    HISTORY_LIMIT_MAX,
    ID_MAX_CHARS,
    NONCE_MAX_CHARS,
    SEQ_MAX,
    decode_client,
    parse_client,
)
from .server_frames import (
    Bye,
    ByeReason,
    Gap,
    Highlight,
    HighlightAction,
    HistoryReply,
    Joined,
    Left,
    LeftReason,
    Msg,
    Ok,
    Pong,
    Presence,
    ServerFrame,
    Welcome,
    msg_map,
)

__all__ = [
    # subprotocols and codecs
    "SUBPROTOCOL_JSON",
    "SUBPROTOCOL_MSGPACK",
    "SUBPROTOCOLS",
    "choose_subprotocol",
    "codec_for",
    "Codec",
    "JsonCodec",
    "MsgpackCodec",
    "JSON_CODEC",
    "MSGPACK_CODEC",
    "Map",
    # errors and close codes
    "ErrorCode",
    "ProtocolError",
    "UnsupportedSubprotocol",
    "error_map",
    "CloseCode",
    "ABNORMAL",
    "NO_RECONNECT",
    "should_reconnect",
    # client frames and their validation
    "RequestId",
    "ClientFrame",
    "Hello",
    "Join",
    "Leave",
    "Say",
    "History",
    "Star",
    "Unstar",
    "Read",
    "Ping",
    "parse_client",
    "decode_client",
    "CLIENT_TYPES",
    "ID_MAX_CHARS",
    "CIRCLE_MAX_CHARS",
    "NONCE_MAX_CHARS",
    "HISTORY_LIMIT_MAX",
    "HISTORY_LIMIT_DEFAULT",
    "SEQ_MAX",
    # circle events (the `event` push; protocol.events has one class per kind)
    "CircleEvent",
    "EVENT_TYPES",
    "MEMBERSHIP_EVENTS",
    "event_from_map",
    "event_of",
    # server frames
    "ServerFrame",
    "Welcome",
    "Joined",
    "Ok",
    "HistoryReply",
    "Pong",
    "Msg",
    "msg_map",
    "Highlight",
    "HighlightAction",
    "Presence",
    "Gap",
    "Left",
    "LeftReason",
    "Bye",
    "ByeReason",
]
