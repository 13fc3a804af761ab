"""The node's blob store, chosen by settings: S3-compatible storage when
``QUANZI_S3_URL`` is set, the local disk under the data dir otherwise."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path

from server.media.resumable import Resumable
from server.settings import Settings
from store import BlobStore, LocalBlobs, S3Blobs

log = logging.getLogger(__name__)
# A spool file lives as long as its upload: a 2 GB video over a slow phone line
# takes well under a day. Older ones were left by a process that died (several
# processes may share the folder, so a young file may be another's upload).
SPOOL_MAX_AGE_S = 86400.0


class Media:
    """The blob store and where uploads are spooled before they are stored."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.blobs: BlobStore
        if settings.s3_url:
            self.blobs = s3_blobs(settings)
            self._spool = settings.data_dir / "spool"
            self._spool.mkdir(parents=True, exist_ok=True)
        else:
            local = LocalBlobs(settings.data_dir / "blobs")
            self.blobs = local
            # On the blobs' filesystem: storing an upload is then a rename.
            self._spool = local.tmp
        # Resumable uploads in progress (server/media/resumable.py): on this node's disk.
        self.resumable = Resumable(settings.data_dir / "tus", settings.upload_expire_s)

    async def ready(self) -> None:
        """Sweep spool files a crash left behind; create the S3 bucket if it is
        missing (a store that cannot be reached now is logged, not fatal: chat
        works without media)."""
        swept = await asyncio.to_thread(_sweep, self._spool, time.time() - SPOOL_MAX_AGE_S)
        if swept:
            log.info("media: removed %d spool files left by an earlier run", swept)
        if isinstance(self.blobs, S3Blobs):
            try:
                await self.blobs.ensure_bucket()
            except Exception:
                log.exception("media: the S3 bucket %s cannot be reached", self.settings.s3_bucket)

    def spool_file(self) -> Path:
        return self._spool / f"up-{os.getpid()}-{os.urandom(8).hex()}"

    def kind_limit(self, kind: str) -> int:
        s = self.settings
        return {
            "image": s.upload_image_bytes,
            "video": s.upload_video_bytes,
            "audio": s.upload_audio_bytes,
        }.get(kind, s.upload_file_bytes)

    async def close(self) -> None:
        await self.blobs.close()


def s3_blobs(settings: Settings) -> S3Blobs:
    """The S3-compatible store the ``QUANZI_S3_*`` settings name."""
    return S3Blobs(
        settings.s3_url,
        settings.s3_bucket,
        settings.s3_access_key,
        settings.s3_secret_key,
        settings.s3_region,
        settings.s3_part_bytes,
    )


def _sweep(folder: Path, before: float) -> int:
    swept = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < before:
                path.unlink()
                swept += 1
        except FileNotFoundError:
            continue
    return swept
