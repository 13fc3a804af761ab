"""An upload as it streams in: sniffed, bounded, hashed and spooled to disk.

Nothing holds the file in memory: the first ``HEAD_BYTES`` are kept to sniff
the type, then bytes go to a temporary file in writes of up to ``FLUSH_BYTES``
(hashed in the same worker thread: hashlib releases the GIL). The limit (the
kind's per-file limit, or what the quotas leave, whichever is smaller) is
checked at every chunk: a body that passes it is refused at once and its
temporary file removed.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from server.media.sniff import HEAD_BYTES, sniff


class Refused(Exception):
    """The upload cannot be taken: ``reason`` is ``type_not_allowed``,
    ``file_too_big``, ``quota_exceeded`` or ``empty``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# Bytes gathered before one write: few thread hops, a bounded buffer per upload.
FLUSH_BYTES = 1024 * 1024


class Intake:
    """Feed it the body's chunks, then ``finish``; ``close`` removes the spool
    file unless ``keep`` took it."""

    def __init__(
        self,
        path: Path,
        kind_limit: Callable[[str], int],
        room: int,
        declared: int | None = None,
    ) -> None:
        self.path = path
        self._kind_limit = kind_limit
        self._room = room
        self._declared = declared
        self.kind = ""
        self.mime = ""
        self.size = 0
        self._limit = 0
        self._buffer = bytearray()
        self._hash = hashlib.sha256()
        self._file: BinaryIO | None = None

    async def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.size += len(chunk)
        self._buffer += chunk
        if not self.kind:
            if len(self._buffer) < HEAD_BYTES:
                return
            self._decide()
        self._check()
        if len(self._buffer) >= FLUSH_BYTES:
            await self._flush()

    async def finish(self) -> str:
        """The whole body is in: its SHA-256 (hex); the spool file is complete."""
        if not self.kind:
            if not self._buffer:
                raise Refused("empty", "the file is empty")
            self._decide()
            self._check()
        await self._flush()
        assert self._file is not None
        await asyncio.to_thread(self._file.close)
        return self._hash.hexdigest()

    def keep(self) -> Path:
        """Hand the spool file over (the caller stores or deletes it)."""
        path, self.path = self.path, Path()
        return path

    def close(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()
        if self.path != Path():
            self.path.unlink(missing_ok=True)

    def _decide(self) -> None:
        self.kind, self.mime = judge(
            bytes(self._buffer[:HEAD_BYTES]), self._kind_limit, self._room, self._declared
        )
        self._limit = min(self._kind_limit(self.kind), self._room)

    def _check(self) -> None:
        if self.size > self._limit:
            refuse_size(self.size, self.kind, self._kind_limit)

    async def _flush(self) -> None:
        if not self._buffer:
            return
        data, self._buffer = bytes(self._buffer), bytearray()
        if self._file is None:
            self._file = await asyncio.to_thread(self.path.open, "wb")
        await asyncio.to_thread(_write, self._file, self._hash, data)


def judge(
    head: bytes, kind_limit: Callable[[str], int], room: int, declared: int | None = None
) -> tuple[str, str]:
    """The kind and MIME type of a file from its first ``HEAD_BYTES``; ``Refused`` when
    the type is not accepted or ``declared`` (its announced length) passes the kind's
    limit or ``room`` (what the quotas leave). Every upload, whole or resumable, is
    judged here."""
    found = sniff(head)
    if found is None:
        raise Refused(
            "type_not_allowed",
            "this type of file is not accepted (images, video, audio, PDF, office "
            "documents, ZIP and plain text are)",
        )
    kind, _ = found
    if declared is not None and declared > min(kind_limit(kind), room):
        refuse_size(declared, kind, kind_limit)
    return found


def refuse_size(amount: int, kind: str, kind_limit: Callable[[str], int]) -> None:
    """Raise the right ``Refused`` for ``amount`` bytes of a ``kind`` that do not fit."""
    per_file = kind_limit(kind)
    if amount <= per_file:
        raise Refused("quota_exceeded", "the circle's or your storage quota is used up")
    raise Refused("file_too_big", f"a {kind} may be at most {per_file} bytes")


def _write(out: BinaryIO, digest: hashlib._Hash, data: bytes) -> None:
    digest.update(data)
    out.write(data)
