"""The two wire formats, picked by WebSocket subprotocol.

Both carry the same maps. `encode` returns bytes for both, so fan-out can encode
a message once per codec and hand the same bytes to every member; `binary` says
which kind of frame they go in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, Protocol

import msgpack
import orjson

from .errors import ErrorCode, ProtocolError, UnsupportedSubprotocol

SUBPROTOCOL_JSON: Final = "quanzi.v1.json"
SUBPROTOCOL_MSGPACK: Final = "quanzi.v1.msgpack"
SUBPROTOCOLS: Final = (SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK)

Map = dict[str, Any]


class Codec(Protocol):
    name: str
    subprotocol: str
    binary: bool

    def encode(self, m: Map) -> bytes: ...

    def decode(self, data: bytes | str) -> Map: ...


def _not_a_map(found: object) -> ProtocolError:
    return ProtocolError(ErrorCode.BAD_FRAME, f"frame is not a map (got {type(found).__name__})")


class JsonCodec:
    """`quanzi.v1.json`: one JSON object per text frame."""

    name: str = "json"
    subprotocol: str = SUBPROTOCOL_JSON
    binary: bool = False

    def encode(self, m: Map) -> bytes:
        return orjson.dumps(m)

    def encode_text(self, m: Map) -> str:
        """For `send_text`: orjson only produces bytes, and they are always valid UTF-8."""
        return orjson.dumps(m).decode()

    def decode(self, data: bytes | str) -> Map:
        # Bytes are accepted too: a client that sends JSON in a binary frame is
        # sloppy, but the map it means is unambiguous.
        try:
            m = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise ProtocolError(ErrorCode.BAD_FRAME, f"not valid JSON: {exc}") from None
        if not isinstance(m, dict):
            raise _not_a_map(m)
        return m


def _refuse_ext(code: int, data: bytes) -> object:
    # Extension types have no JSON counterpart; the contract's maps never hold one.
    raise ValueError(f"msgpack extension type {code} is not part of the protocol")


class MsgpackCodec:
    """`quanzi.v1.msgpack`: one msgpack map per binary frame."""

    name: str = "msgpack"
    subprotocol: str = SUBPROTOCOL_MSGPACK
    binary: bool = True

    def encode(self, m: Map) -> bytes:
        packed: bytes = msgpack.packb(m, use_bin_type=True)
        return packed

    def decode(self, data: bytes | str) -> Map:
        if isinstance(data, str):
            raise ProtocolError(ErrorCode.BAD_FRAME, "expected a binary frame holding msgpack")
        try:
            # strict_map_key: str/bytes keys only, the nearest msgpack gets to
            # JSON's string keys, so both codecs yield the same kind of map.
            m = msgpack.unpackb(data, raw=False, strict_map_key=True, ext_hook=_refuse_ext)
        except (msgpack.UnpackException, ValueError, TypeError) as exc:
            raise ProtocolError(ErrorCode.BAD_FRAME, f"not valid msgpack: {exc}") from None
        if not isinstance(m, dict):
            raise _not_a_map(m)
        return m


JSON_CODEC: Final = JsonCodec()
MSGPACK_CODEC: Final = MsgpackCodec()

_BY_SUBPROTOCOL: Final[dict[str | None, Codec]] = {
    None: JSON_CODEC,
    SUBPROTOCOL_JSON: JSON_CODEC,
    SUBPROTOCOL_MSGPACK: MSGPACK_CODEC,
}


def choose_subprotocol(offered: Iterable[str]) -> str | None:
    """The subprotocol to accept: the first known one the client offered.

    None when nothing was offered (the contract's default is JSON). Raises
    `UnsupportedSubprotocol` when only unknown ones were offered: the upgrade
    must then be refused rather than silently falling back to JSON.
    """
    offered = list(offered)
    for name in offered:
        if name in SUBPROTOCOLS:
            return name
    if offered:
        raise UnsupportedSubprotocol(offered)
    return None


def codec_for(subprotocol: str | None) -> Codec:
    """The shared codec for an accepted subprotocol (JSON for None)."""
    try:
        return _BY_SUBPROTOCOL[subprotocol]
    except KeyError:
        raise UnsupportedSubprotocol([str(subprotocol)]) from None
