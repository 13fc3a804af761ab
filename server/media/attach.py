"""The last step of every upload, whole (POST /uploads) or resumable (tus): a
complete spooled file becomes an attachment of its circle.

Same bytes already in the circle: that attachment, nothing stored. Otherwise
an image loses its EXIF and gets a thumbnail, a video or audio file has its
duration (and a video its size and a poster frame, its thumbnail) read, the
blob and the thumbnail go to the blob store (content-addressed) and the row is
written. The spooled file is consumed either way.
"""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

from server.media import av_probe, images
from server.media.intake import Refused
from store import Record

READ_BYTES = 1024 * 1024


async def room(node: Any, circle_id: str, user_id: str) -> int:
    """Bytes the quotas leave for one more file of ``user_id`` in ``circle_id``;
    ``Refused`` (quota_exceeded) when nothing is left."""
    settings = node.settings
    circle_used, user_used = await node.store.attachments.usage(circle_id, user_id)
    left = min(settings.circle_quota_bytes - circle_used, settings.user_quota_bytes - user_used)
    if left <= 0:
        raise Refused("quota_exceeded", "the circle's or your storage quota is used up")
    return left


async def sha256_of(path: Path) -> str:
    """The file's SHA-256 (hex), read in a worker thread a megabyte at a time."""
    return await asyncio.to_thread(_digest, path)


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(READ_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


async def attach(
    node: Any,
    circle_id: str,
    user_id: str,
    name: str,
    path: Path,
    kind: str,
    mime: str,
    sha256: str,
) -> tuple[Record, bool]:
    """The attachment of the file at ``path`` (consumed), and whether it is new."""
    try:
        known = await node.store.attachments.find(circle_id, sha256)
        if known is not None:
            await node.store.attachments.touch(known["id"])
            return known, False
        # Not new after all when the same bytes were stored meanwhile (uploads of
        # one file at the same moment): their attachment, and the same blob.
        return await _store(node, circle_id, user_id, name, path, kind, mime, sha256)
    finally:
        await asyncio.to_thread(path.unlink, missing_ok=True)


async def _store(
    node: Any,
    circle_id: str,
    user_id: str,
    name: str,
    path: Path,
    kind: str,
    mime: str,
    sha256: str,
) -> tuple[Record, bool]:
    media = node.media
    info: images.ImageInfo | av_probe.AvInfo = images.ImageInfo()
    key = f"circles/{circle_id}/{sha256}"
    thumb_key = None
    try:
        info = await _read(node.settings, path, kind, mime)
        size = (await asyncio.to_thread(path.stat)).st_size
        if info.thumb is not None:
            thumb_key = f"{key}.thumb.webp"
            await media.blobs.put_file(thumb_key, info.thumb)
        await media.blobs.put_file(key, path)
        try:
            attachment, fresh = await node.store.attachments.add(
                circle_id,
                user_id,
                sha256=sha256,
                kind=kind,
                mime=mime,
                name=named(name, mime),
                size=size,
                blob_key=key,
                width=info.width,
                height=info.height,
                duration_ms=info.duration_ms if isinstance(info, av_probe.AvInfo) else None,
                thumb_key=thumb_key,
            )
        except Exception:
            if await node.store.attachments.find(circle_id, sha256) is None:
                await media.blobs.delete(key)
                if thumb_key:
                    await media.blobs.delete(thumb_key)
            raise
        return attachment, fresh
    finally:
        if info.thumb is not None:
            await asyncio.to_thread(info.thumb.unlink, missing_ok=True)


async def _read(
    settings: Any, path: Path, kind: str, mime: str
) -> images.ImageInfo | av_probe.AvInfo:
    """What is made of the file in a worker thread: an image's cleaning and thumbnail,
    a video's or audio file's duration (and a video's size and poster)."""
    if kind == "image":
        return await asyncio.to_thread(
            images.process, path, mime, settings.thumb_px, settings.image_pixels_max
        )
    if kind in ("video", "audio"):
        return await asyncio.to_thread(
            av_probe.probe, path, kind, mime, settings.thumb_px, settings.image_pixels_max
        )
    return images.ImageInfo()


# The extension of a file sent without a name, so its download opens in the right app.
_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/webm": ".webm",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/ogg": ".ogg",
    "audio/wav": ".wav",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "text/plain": ".txt",
}


def named(name: str, mime: str) -> str:
    return name if name.strip() else "file" + _EXTENSIONS.get(mime, "")
