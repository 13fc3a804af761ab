"""Resumable (tus) uploads in progress: their bytes and their state, on disk.

Each upload is two files in ``data_dir/tus``: ``<id>.part`` holds the bytes
received so far, ``<id>.json`` the state (owner, circle, declared length, name
and type from ``Upload-Metadata``, times, the sniffed kind, and the attachment
once complete). A sidecar, not a table: the partial bytes are this node's
files anyway, so their state lives and dies with them (one ``rm`` of the folder
cleans both), it survives a restart, and no migration is needed. The sidecar
is replaced atomically (write, then rename).

The offset is never stored: it is the size of the ``.part`` file, so what a
crash or a dropped connection left on disk is exactly what HEAD reports and
the client resumes from. Likewise the SHA-256 is not carried across requests
(a hashlib object cannot be saved): the complete file is hashed once, streamed,
when its last byte arrives.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from server.media.intake import FLUSH_BYTES
from server.media.sniff import HEAD_BYTES
from store import now_ms

_ID = re.compile(r"[0-9a-f]{32}")


@dataclass
class Upload:
    id: str
    owner: str
    circle: str
    length: int
    name: str
    filetype: str
    created: int
    updated: int
    kind: str = ""
    mime: str = ""
    attachment: str | None = None


class TooLong(Exception):
    """The client sent more bytes than the length it declared."""


class Resumable:
    """The uploads in progress under ``folder``; one expires ``expire_s`` after
    its last write (its creation, its last PATCH)."""

    def __init__(self, folder: Path, expire_s: float) -> None:
        self.folder = folder
        self.expire_ms = int(expire_s * 1000)
        # Uploads a PATCH is writing to right now, on this node.
        self.busy: set[str] = set()

    def part(self, upload_id: str) -> Path:
        return self.folder / f"{upload_id}.part"

    def _state(self, upload_id: str) -> Path:
        return self.folder / f"{upload_id}.json"

    def expires(self, upload: Upload) -> int:
        return upload.updated + self.expire_ms

    async def create(
        self, owner: str, circle: str, length: int, name: str, filetype: str
    ) -> Upload:
        now = now_ms()
        upload = Upload(os.urandom(16).hex(), owner, circle, length, name, filetype, now, now)
        await asyncio.to_thread(self.folder.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(self.part(upload.id).touch)
        await self.save(upload)
        return upload

    async def load(self, upload_id: str) -> Upload | None:
        if not _ID.fullmatch(upload_id):
            return None
        try:
            text = await asyncio.to_thread(self._state(upload_id).read_text)
        except FileNotFoundError:
            return None
        try:
            return Upload(**json.loads(text))
        except (ValueError, TypeError):  # not one of ours (or cut short): no such upload
            return None

    async def save(self, upload: Upload) -> None:
        await asyncio.to_thread(_replace, self._state(upload.id), json.dumps(asdict(upload)))

    async def offset(self, upload: Upload) -> int:
        if upload.attachment is not None:
            return upload.length
        try:
            return (await asyncio.to_thread(self.part(upload.id).stat)).st_size
        except FileNotFoundError:
            return 0

    async def remove(self, upload_id: str) -> None:
        for path in (self._state(upload_id), self.part(upload_id)):
            await asyncio.to_thread(path.unlink, missing_ok=True)

    async def open_by(self, owner: str) -> int:
        """How many unfinished, unexpired uploads ``owner`` has."""
        uploads = await asyncio.to_thread(_all, self.folder)
        now = now_ms()
        return sum(
            1
            for u in uploads
            if u.owner == owner and u.attachment is None and self.expires(u) >= now
        )

    async def append(
        self,
        upload: Upload,
        chunks: AsyncIterator[bytes],
        on_head: Callable[[bytes], Awaitable[None]],
    ) -> int:
        """Append the stream to the upload's bytes and answer the new offset. What
        arrived is kept even when the stream breaks (the exception propagates after
        it is written). ``on_head`` gets the first ``HEAD_BYTES`` (fewer for a shorter
        file) as soon as they are on disk, once, to sniff and judge them; ``TooLong``
        when the stream goes past the declared length (what fits is kept)."""
        path = self.part(upload.id)
        offset = await self.offset(upload)
        out: BinaryIO = await asyncio.to_thread(path.open, "ab")
        buffer = bytearray()
        head_at = min(HEAD_BYTES, upload.length)
        try:
            async for chunk in chunks:
                room = upload.length - offset - len(buffer)
                buffer += chunk[:room]
                if len(chunk) > room:
                    raise TooLong("more bytes than Upload-Length")
                if len(buffer) >= FLUSH_BYTES or (
                    not upload.kind and offset < head_at <= offset + len(buffer)
                ):
                    offset = await _flush(out, buffer, offset)
                    if not upload.kind and offset >= head_at:
                        await on_head(await asyncio.to_thread(_head, path))
        finally:
            offset = await _flush(out, buffer, offset)
            await asyncio.to_thread(out.close)
        if not upload.kind and offset >= head_at:
            # Reached by an earlier request that broke off before judging them.
            await on_head(await asyncio.to_thread(_head, path))
        return offset

    async def expire(self, now: int) -> int:
        """Remove uploads (finished or not) whose time has passed, and ``.part``
        files without a state; answer how many uploads went."""
        removed = 0
        for upload in await asyncio.to_thread(_all, self.folder):
            if upload.id not in self.busy and self.expires(upload) < now:
                await self.remove(upload.id)
                removed += 1
        await asyncio.to_thread(_orphans, self.folder, now - self.expire_ms)
        return removed


async def _flush(out: BinaryIO, buffer: bytearray, offset: int) -> int:
    if not buffer:
        return offset
    data = bytes(buffer)
    buffer.clear()
    await asyncio.to_thread(_write, out, data)
    return offset + len(data)


def _write(out: BinaryIO, data: bytes) -> None:
    out.write(data)
    out.flush()


def _head(path: Path) -> bytes:
    with path.open("rb") as source:
        return source.read(HEAD_BYTES)


def _replace(path: Path, text: str) -> None:
    temp = path.with_suffix(f".tmp-{os.getpid()}")
    temp.write_text(text)
    os.replace(temp, path)


def _all(folder: Path) -> list[Upload]:
    uploads: list[Upload] = []
    if not folder.is_dir():
        return uploads
    for path in folder.glob("*.json"):
        try:
            uploads.append(Upload(**json.loads(path.read_text())))
        except (FileNotFoundError, ValueError, TypeError):
            continue
    return uploads


def _orphans(folder: Path, before_ms: int) -> None:
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        try:
            lone = path.suffix == ".part" and not path.with_suffix(".json").exists()
            stale = ".tmp-" in path.name
            if (lone or stale) and path.stat().st_mtime * 1000 < before_ms:
                path.unlink()
        except FileNotFoundError:
            continue
