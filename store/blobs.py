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
import io
import os
import re
import tempfile
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

    Files of more than one part go up as a multipart upload, a failed one is
    aborted so no orphan parts are billed. No part is ever held in memory: the
    client gets each as a ``FilePart`` of the spooled file and reads it in
    chunks of at most 1 MiB (to hash and sign it, then to send it)."""

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
        key = check_key(key)
        try:
            size = (await asyncio.to_thread(path.stat)).st_size
            fd = await asyncio.to_thread(os.open, path, os.O_RDONLY)
            try:
                await self._upload(key, fd, size)
            finally:
                os.close(fd)
            return size
        finally:
            await asyncio.to_thread(path.unlink, True)

    async def put(self, key: str, chunks: AsyncIterator[bytes]) -> int:
        """Spooled to a temporary file first, so its size is known and no part
        is gathered in memory."""
        check_key(key)
        fd, name = await asyncio.to_thread(tempfile.mkstemp, prefix="quanzi-blob-")
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                async for chunk in chunks:
                    await asyncio.to_thread(out.write, chunk)
            return await self.put_file(key, path)
        finally:
            await asyncio.to_thread(path.unlink, True)

    async def _upload(self, key: str, fd: int, size: int) -> int:
        """The ``size`` bytes of the open file ``fd``: one PUT when they fit in a
        part, else a multipart upload of ``part_bytes`` parts (the last one
        shorter), each sent as a ``FilePart`` the client reads in small chunks."""
        s3 = await self._s3()
        if size <= self.part_bytes:
            await s3.put_object(Bucket=self.bucket, Key=key, Body=FilePart(fd, 0, size))
            return size
        upload = await s3.create_multipart_upload(Bucket=self.bucket, Key=key)
        upload_id = upload["UploadId"]
        done: list[dict[str, Any]] = []
        try:
            for number, offset in enumerate(range(0, size, self.part_bytes), start=1):
                answer = await s3.upload_part(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=FilePart(fd, offset, min(self.part_bytes, size - offset)),
                )
                done.append({"PartNumber": number, "ETag": answer["ETag"]})
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
        return size

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


class FilePart(io.RawIOBase):
    """Bytes ``[offset, offset + length)`` of the open file ``fd`` as a read-only,
    seekable stream of their own: positions count from ``offset``, the end is
    ``length``. Reads use ``os.pread``, so parts may share one descriptor and
    threads. Handed to botocore as a request body, a part is read in bounded
    chunks (hashed, signed, then sent by aiohttp) and rewound by seeking to 0
    for a retry; as ``bytes`` it would be held whole, and copied once more
    (botocore wraps bytes in a BytesIO that aiohttp's payload un-shares)."""

    def __init__(self, fd: int, offset: int, length: int) -> None:
        super().__init__()
        if offset < 0 or length < 0:
            raise ValueError("a part cannot start or end before its file")
        self._fd, self._offset, self._length, self._pos = fd, offset, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        bases = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}
        if whence not in bases:
            raise ValueError(f"bad whence {whence}")
        if bases[whence] + offset < 0:
            raise ValueError("negative seek position")
        self._pos = bases[whence] + offset
        return self._pos

    def read(self, size: int | None = -1, /) -> bytes:
        left = self._length - self._pos
        want = left if size is None or size < 0 else min(size, left)
        if want <= 0:
            return b""
        data = os.pread(self._fd, want, self._offset + self._pos)
        self._pos += len(data)
        return data

    def readall(self) -> bytes:
        return self.read()


def _missing(exc: Exception) -> bool:
    response = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")
