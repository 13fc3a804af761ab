"""The node's blob store, chosen by settings: S3-compatible storage when
``QUANZI_S3_URL`` is set, the local disk under the data dir otherwise."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from server.settings import Settings
from store import BlobStore, LocalBlobs, S3Blobs

log = logging.getLogger(__name__)


class Media:
    """The blob store and where uploads are spooled before they are stored."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.blobs: BlobStore
        if settings.s3_url:
            self.blobs = S3Blobs(
                settings.s3_url,
                settings.s3_bucket,
                settings.s3_access_key,
                settings.s3_secret_key,
                settings.s3_region,
                settings.s3_part_bytes,
            )
            self._spool = settings.data_dir / "spool"
            self._spool.mkdir(parents=True, exist_ok=True)
        else:
            local = LocalBlobs(settings.data_dir / "blobs")
            self.blobs = local
            # On the blobs' filesystem: storing an upload is then a rename.
            self._spool = local.tmp

    async def ready(self) -> None:
        """Create the S3 bucket if it is missing; a store that cannot be reached
        now is logged, not fatal (chat works without media)."""
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
