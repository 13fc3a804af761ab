"""The blob stores (store/blobs.py): the local disk, and S3 against a real
S3-compatible server (moto's standalone server on a free port, not a mock of
the client), through the same checks."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from store.blobs import BlobStore, FilePart, LocalBlobs, S3Blobs, check_key
from tests.s3 import moto_s3

# Two and a half 5 MiB parts: the S3 store's multipart path (S3's smallest part).
PART = 5 * 1024 * 1024
BIG = PART * 2 + 1234567


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    with moto_s3() as url:
        yield url


@pytest.fixture(params=["local", "s3"])
async def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BlobStore]:
    if request.param == "local":
        store: BlobStore = LocalBlobs(tmp_path / "blobs")
    else:
        url = request.getfixturevalue("s3_server")
        s3 = S3Blobs(url, f"b{os.urandom(4).hex()}", "test", "test", part_bytes=PART)
        await s3.ensure_bucket()
        store = s3
    try:
        yield store
    finally:
        await store.close()


def spooled(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / f"spool-{os.urandom(4).hex()}"
    path.write_bytes(data)
    return path


async def read(blobs: BlobStore, key: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in blobs.open(key, start, end)])


async def test_a_file_put_reads_back_whole_and_by_range(blobs: BlobStore, tmp_path: Path) -> None:
    data = os.urandom(BIG)
    source = spooled(tmp_path, data)
    assert await blobs.put_file("circles/c1/abc", source) == BIG
    assert not source.exists()  # consumed
    assert await blobs.size("circles/c1/abc") == BIG
    assert await blobs.exists("circles/c1/abc")
    assert hashlib.sha256(await read(blobs, "circles/c1/abc")).digest() == (
        hashlib.sha256(data).digest()
    )
    assert await read(blobs, "circles/c1/abc", 100, 200) == data[100:200]
    assert await read(blobs, "circles/c1/abc", BIG - 10) == data[-10:]


async def test_a_stream_put_is_stored_and_a_delete_removes_it(blobs: BlobStore) -> None:
    pieces = [os.urandom(1024 * 1024) for _ in range(12)]

    async def stream() -> AsyncIterator[bytes]:
        for piece in pieces:
            yield piece

    assert await blobs.put("k/stream", stream()) == 12 * 1024 * 1024
    assert await read(blobs, "k/stream") == b"".join(pieces)
    small = [b"tiny"]

    async def one() -> AsyncIterator[bytes]:
        for piece in small:
            yield piece

    assert await blobs.put("k/small", one()) == 4
    assert await read(blobs, "k/small") == b"tiny"
    await blobs.delete("k/stream")
    assert not await blobs.exists("k/stream")
    assert await blobs.size("k/stream") is None
    await blobs.delete("k/stream")  # gone already: no error


async def test_a_missing_blob_is_none_and_reading_it_fails(blobs: BlobStore) -> None:
    assert await blobs.size("nothing/here") is None
    with pytest.raises(FileNotFoundError):
        await read(blobs, "nothing/here")


def test_keys_cannot_climb_out() -> None:
    for bad in ("../etc/passwd", "a/../../b", "/abs", "a//b", "a/./b", "sp ace", ""):
        with pytest.raises(ValueError):
            check_key(bad)
    assert check_key("circles/abc/0f.thumb.webp") == "circles/abc/0f.thumb.webp"


@pytest.mark.parametrize("size", [0, 1, PART, PART + 1, 2 * PART])
async def test_sizes_at_the_part_boundaries_store_every_byte(
    blobs: BlobStore, tmp_path: Path, size: int
) -> None:
    # On S3: empty and one byte and exactly one part are one PUT; one byte more
    # is two parts, the last of one byte; exactly two parts has no empty third.
    data = os.urandom(size)
    assert await blobs.put_file(f"edge/{size}", spooled(tmp_path, data)) == size
    assert await blobs.size(f"edge/{size}") == size
    assert await read(blobs, f"edge/{size}") == data


def test_a_file_part_is_its_own_range_of_the_file(tmp_path: Path) -> None:
    data = bytes(range(256)) * 4
    path = spooled(tmp_path, data)
    fd = os.open(path, os.O_RDONLY)
    try:
        part = FilePart(fd, 10, 20)
        assert part.read() == data[10:30]
        assert part.read() == b"" and part.read(5) == b""  # at its end, not the file's
        assert part.seek(0) == 0 and part.tell() == 0
        assert [part.read(7) for _ in range(4)] == [data[10:17], data[17:24], data[24:30], b""]
        assert part.seek(0, os.SEEK_END) == 20  # how botocore learns the length
        assert part.seek(-5, os.SEEK_CUR) == 15 and part.read(100) == data[25:30]
        part.seek(3)
        assert part.readall() == data[13:30]
        with pytest.raises(ValueError):
            part.seek(-1)
        # Parts share the descriptor without moving each other.
        first, last = FilePart(fd, 0, 1000), FilePart(fd, 1000, 1000)
        assert first.read(3) == data[:3] and last.read() == data[1000:]  # the file's end
        assert first.read(2) == data[3:5]
        assert FilePart(fd, len(data), 0).read() == b""
    finally:
        os.close(fd)
    with pytest.raises(ValueError):
        FilePart(fd, -1, 5)


async def test_a_failed_multipart_upload_is_aborted(s3_server: str, tmp_path: Path) -> None:
    # The failure comes from the S3 client itself (a botocore event hook refuses
    # the second part before it is sent), the rest is moto's real server.
    s3 = S3Blobs(s3_server, f"b{os.urandom(4).hex()}", "test", "test", part_bytes=PART)
    await s3.ensure_bucket()
    client = await s3._s3()

    def refuse_second_part(params: dict[str, object], **_: object) -> None:
        if params.get("PartNumber") == 2:
            raise ConnectionError("the network went away")

    client.meta.events.register("before-parameter-build.s3.UploadPart", refuse_second_part)
    source = spooled(tmp_path, os.urandom(BIG))
    try:
        with pytest.raises(ConnectionError):
            await s3.put_file("k/failed", source)
        assert not source.exists()  # consumed anyway
        assert not await s3.exists("k/failed")
        pending = await client.list_multipart_uploads(Bucket=s3.bucket)
        assert pending.get("Uploads", []) == []
    finally:
        await s3.close()
