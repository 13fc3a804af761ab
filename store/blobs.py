"""Where media bytes live: a ``BlobStore`` on the local disk or in S3-compatible storage.

The database holds attachments' metadata and their blobs' keys, never bytes.
An upload is spooled to a local temporary file first (hashed and checked as it
streams in, see server/api/uploads.py), then handed over with ``put_file``: a
rename on the local disk, a multipart upload to S3. Reads stream a byte range
in chunks; nothing here holds a whole file in memory.

Keys are ``/``-separated paths of safe characters (``circles/<id>/<sha256>``);
``check_key`` refuses anything else, so a key can never climb out of the
blob directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, Protocol

# Bytes read (and yielded) at a time: large enough for few system calls, small
# enough that a hundred downloads at once hold a few MB.
CHUNK = 256 * 1024
_KEY = re.compile(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*")


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key) or any(part in (".", "..") for part in key.split("/")):
        raise ValueError(f"bad blob key {key!r}")
    return key


class BlobStore(Protocol):
    """Blobs by key. ``start``/``end`` of ``open`` are a byte range, ``end`` exclusive."""

    async def put_file(self, key: str, path: Path) -> int:
        """Store the file at ``path`` under ``key`` (replacing it) and return its
        size; the file is consumed (moved or deleted)."""
        ...

    async def put(self, key: str, chunks: AsyncIterator[bytes]) -> int:
        """Store a stream under ``key``; returns its size."""
        ...

    def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The blob's bytes ``[start, end)`` in chunks; ``FileNotFoundError`` if absent."""
        ...

    async def size(self, key: str) -> int | None:
        """The blob's size, None when there is no such blob."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove the blob; no error when it is already gone."""
        ...

    async def close(self) -> None: ...


class LocalBlobs:
    """Blobs as files under ``root``: written to a temporary name, then renamed,
    so a reader never sees half a blob and a crash leaves no truncated one."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / ".tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def keys(self) -> Iterator[str]:
        """Every blob's key (not the temporary files), in no particular order."""
        for path in self.root.rglob("*"):
            relative = path.relative_to(self.root)
            if relative.parts[0] != self.tmp.name and path.is_file():
                yield relative.as_posix()

    def temp_file(self) -> Path:
        """A fresh name on the blobs' own filesystem (the rename stays atomic)."""
        return self.tmp / f"{os.getpid()}-{os.urandom(8).hex()}"

    async def put_file(self, key: str, path: Path) -> int:
        target = self.path(key)
        return await asyncio.to_thread(_move, path, target)

    async def put(self, key: str, chunks: AsyncIterator[bytes]) -> int:
        temp = self.temp_file()
        size = 0
        try:
            with temp.open("wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    await asyncio.to_thread(out.write, chunk)
            await self.put_file(key, temp)
        finally:
            temp.unlink(missing_ok=True)
        return size

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        path = self.path(key)
        handle = await asyncio.to_thread(path.open, "rb")
        try:
            await asyncio.to_thread(handle.seek, start)
            left = None if end is None else end - start
            while left is None or left > 0:
                want = CHUNK if left is None else min(CHUNK, left)
                chunk = await asyncio.to_thread(handle.read, want)
                if not chunk:
                    break
                if left is not None:
                    left -= len(chunk)
                yield chunk
        finally:
            handle.close()

    async def size(self, key: str) -> int | None:
        try:
            return (await asyncio.to_thread(self.path(key).stat)).st_size
        except FileNotFoundError:
            return None

    async def exists(self, key: str) -> bool:
        return await self.size(key) is not None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, True)

    async def close(self) -> None:
        return None


def _move(source: Path, target: Path) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    size = source.stat().st_size
    os.replace(source, target)
    return size


class S3Blobs:
    """Blobs as objects of one bucket of S3-compatible storage (aiobotocore).

    Files of more than one part go up as a multipart upload, one part in memory
    at a time; a failed one is aborted so no orphan parts are billed."""

    def __init__(
        self,
        url: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        region: str = "us-east-1",
        part_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        self.url, self.bucket, self.region = url, bucket, region
        self._keys = (access_key, secret_key)
        self.part_bytes = max(part_bytes, 5 * 1024 * 1024)
        self._stack = contextlib.AsyncExitStack()
        self._client: Any = None
        self._lock = asyncio.Lock()

    async def _s3(self) -> Any:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    from aiobotocore.session import get_session

                    session = get_session()
                    self._client = await self._stack.enter_async_context(
                        session.create_client(
                            "s3",
                            endpoint_url=self.url,
                            region_name=self.region,
                            aws_access_key_id=self._keys[0],
                            aws_secret_access_key=self._keys[1],
                        )
                    )
        return self._client

    async def ensure_bucket(self) -> None:
        """Create the bucket if it is missing (tests, a fresh MinIO)."""
        s3 = await self._s3()
        try:
            await s3.head_bucket(Bucket=self.bucket)
        except Exception:
            await s3.create_bucket(Bucket=self.bucket)

    async def put_file(self, key: str, path: Path) -> int:
        try:
            size = (await asyncio.to_thread(path.stat)).st_size
            source = await asyncio.to_thread(path.open, "rb")
            try:

                async def parts() -> AsyncIterator[bytes]:
                    while chunk := await asyncio.to_thread(source.read, self.part_bytes):
                        yield chunk

                await self._upload(check_key(key), parts(), size)
            finally:
                source.close()
            return size
        finally:
            await asyncio.to_thread(path.unlink, True)

    async def put(self, key: str, chunks: AsyncIterator[bytes]) -> int:
        async def parts() -> AsyncIterator[bytes]:
            buffer = bytearray()
            async for chunk in chunks:
                buffer += chunk
                while len(buffer) >= self.part_bytes:
                    yield bytes(buffer[: self.part_bytes])
                    del buffer[: self.part_bytes]
            if buffer:
                yield bytes(buffer)

        return await self._upload(check_key(key), parts(), None)

    async def _upload(self, key: str, parts: AsyncIterator[bytes], size: int | None) -> int:
        s3 = await self._s3()
        if size is not None and size <= self.part_bytes:
            body = b"".join([part async for part in parts])
            await s3.put_object(Bucket=self.bucket, Key=key, Body=body)
            return len(body)
        first = await anext(parts, b"")
        second = await anext(parts, None)
        if second is None:
            await s3.put_object(Bucket=self.bucket, Key=key, Body=first)
            return len(first)
        upload = await s3.create_multipart_upload(Bucket=self.bucket, Key=key)
        upload_id = upload["UploadId"]
        done: list[dict[str, Any]] = []
        total = 0
        try:

            async def all_parts() -> AsyncIterator[bytes]:
                yield first
                yield second
                async for part in parts:
                    yield part

            async for part in all_parts():
                number = len(done) + 1
                answer = await s3.upload_part(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=part,
                )
                done.append({"PartNumber": number, "ETag": answer["ETag"]})
                total += len(part)
            await s3.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": done},
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise
        return total

    async def open(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        s3 = await self._s3()
        extra: dict[str, str] = {}
        if start or end is not None:
            last = "" if end is None else str(end - 1)
            extra["Range"] = f"bytes={start}-{last}"
        try:
            answer = await s3.get_object(Bucket=self.bucket, Key=check_key(key), **extra)
        except Exception as exc:
            if _missing(exc):
                raise FileNotFoundError(key) from None
            raise
        async with answer["Body"] as body:
            while chunk := await body.read(CHUNK):
                yield chunk

    async def size(self, key: str) -> int | None:
        s3 = await self._s3()
        try:
            head = await s3.head_object(Bucket=self.bucket, Key=check_key(key))
        except Exception as exc:
            if _missing(exc):
                return None
            raise
        return int(head["ContentLength"])

    async def exists(self, key: str) -> bool:
        return await self.size(key) is not None

    async def delete(self, key: str) -> None:
        s3 = await self._s3()
        await s3.delete_object(Bucket=self.bucket, Key=check_key(key))

    async def close(self) -> None:
        await self._stack.aclose()
        self._client = None


def _missing(exc: Exception) -> bool:
    response = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")
