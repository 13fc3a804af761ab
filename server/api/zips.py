"""ZIP files written as they go, for the exports (``GET /me/export``, a whole
circle's ``export.zip``): ``zipfile`` writes into a small sink whose bytes are
taken out after each page, so memory stays bounded however big the archive.

The sink is unseekable, so every member carries a data descriptor; a member
whose size is not known in advance (a video from the media store) is written
with ZIP64 sizes. File names go in as UTF-8 (``zipfile`` sets the flag for any
name beyond ASCII), so Chinese names survive.
"""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import IO, Any

import orjson

from store import Record


class _Sink:
    """A write-only file for ``zipfile`` (unseekable: it writes data descriptors)
    whose bytes are taken out as they come."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self._chunks = b"".join(self._chunks), []
        return out


class ZipStream:
    """A ZIP being written: add members, ``take()`` what is ready to send."""

    def __init__(self) -> None:
        self._sink = _Sink()
        self._zip = zipfile.ZipFile(self._sink, "w", compression=zipfile.ZIP_DEFLATED)  # type: ignore[call-overload]

    def write(self, name: str, data: bytes) -> None:
        """A small member, whole."""
        self._zip.writestr(name, data)

    def open(self, name: str, *, stored: bool = False) -> IO[bytes]:
        """A member to write a piece at a time; ``stored``: not compressed again
        (photos, videos and voice are compressed already), sizes in ZIP64."""
        if not stored:
            return self._zip.open(name, "w")
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_STORED
        return self._zip.open(info, "w", force_zip64=True)

    def take(self) -> bytes:
        return self._sink.take()

    def close(self) -> bytes:
        """The central directory: the last bytes."""
        self._zip.close()
        return self._sink.take()


def json_bytes(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2)


def json_items(rows: Iterable[Record], first: bool) -> bytes:
    """Rows as the next items of a JSON array being written (``first``: none yet)."""
    parts = []
    for row in rows:
        parts.append((b"\n" if first else b",\n") + orjson.dumps(row))
        first = False
    return b"".join(parts)


async def json_array(
    archive: ZipStream,
    name: str,
    pages: AsyncIterable[list[Record]],
    counted: list[int] | None = None,
) -> AsyncIterator[bytes]:
    """A member holding a JSON array, written a page of rows at a time; yields
    the bytes ready after each page. ``counted`` (one int) adds up the rows."""
    with archive.open(name) as out:
        out.write(b"[")
        first = True
        async for rows in pages:
            out.write(json_items(rows, first))
            first = first and not rows
            if counted is not None:
                counted[0] += len(rows)
            yield archive.take()
        out.write(b"\n]\n")
    yield archive.take()
