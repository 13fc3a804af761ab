"""`python -m server media-to-s3`: move a node's media from the local disk to
S3-compatible storage, so that setting ``QUANZI_S3_URL``, ``QUANZI_S3_ACCESS_KEY``
and ``QUANZI_S3_SECRET_KEY`` (and the bucket, if not ``quanzi``) moves the same
circles to it.

Blobs keep their keys (``circles/<circle>/<sha256>`` and thumbnails): the
database does not change. A blob already in the bucket with the same size is
skipped, so the command can run again after an interruption, and once more
right before the switch for what was uploaded meanwhile. The local files stay
until the operator removes ``data/blobs``; nothing reads them once the node
runs with S3.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from store import BlobStore, LocalBlobs


@dataclass
class Moved:
    copied: int = 0
    skipped: int = 0
    bytes: int = 0


async def copy_blobs(source: LocalBlobs, target: BlobStore, spool: Path) -> Moved:
    """Copy every blob of ``source`` that ``target`` lacks (by key and size)."""
    moved = Moved()
    await asyncio.to_thread(spool.mkdir, parents=True, exist_ok=True)
    for key in await asyncio.to_thread(lambda: sorted(source.keys())):
        size = (await asyncio.to_thread(source.path(key).stat)).st_size
        if await target.size(key) == size:
            moved.skipped += 1
            continue
        # `put_file` consumes its file: give it a second name of the same bytes.
        temp = spool / f"move-{os.getpid()}-{os.urandom(8).hex()}"
        await asyncio.to_thread(_second_name, source.path(key), temp)
        try:
            await target.put_file(key, temp)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
        moved.copied += 1
        moved.bytes += size
    return moved


def _second_name(path: Path, temp: Path) -> None:
    try:
        os.link(path, temp)  # the same filesystem: no bytes copied
    except OSError:
        shutil.copyfile(path, temp)
