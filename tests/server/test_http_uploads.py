"""Uploads and downloads over HTTP (server/api/uploads.py), the whole app
in-process, on the local disk and on S3 (moto's standalone server): round trip
by hash, dedupe, sniffing, limits, quotas, who may read, ranges, EXIF, names."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.limits import GENEROUS
from tests.s3 import moto_s3
from tests.server.conftest import Account

API = "/api/v1"
KB = 1024
MB = 1024 * KB
# Small limits, so the tests cross them with small files.
LIMITS = {
    "upload_image_bytes": 2 * MB,
    "upload_video_bytes": 3 * MB,
    "upload_audio_bytes": 1 * MB,
    "upload_file_bytes": 4 * MB,
}


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    with moto_s3() as url:
        yield url


@pytest.fixture(params=["local", "s3"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    extra: dict[str, object] = {}
    if request.param == "s3":
        extra = {
            "s3_url": request.getfixturevalue("s3_url"),
            "s3_bucket": f"media-{os.urandom(4).hex()}",
            "s3_access_key": "test",
            "s3_secret_key": "test",
        }
    return Settings(
        data_dir=tmp_path,
        password_time_cost=1,
        **GENEROUS,  # type: ignore[arg-type]
        **LIMITS,  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


def upload(client: TestClient, circle: dict, who: Account, data: bytes, name: str = "x.bin", **kw):
    return client.post(
        f"{API}/circles/{circle['id']}/uploads",
        params={"name": name},
        content=data,
        headers={**who.auth, "Content-Type": "application/octet-stream", **kw},
    )


def pdf(size: int) -> bytes:
    return b"%PDF-1.7\n" + os.urandom(size - 9)


def jpeg_with_gps(width: int = 1200, height: int = 800) -> bytes:
    image = Image.new("RGB", (width, height), (200, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # shown rotated a quarter turn clockwise
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (31.0, 14.0, 5.0)
    gps[3], gps[4] = "E", (121.0, 28.0, 7.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 90, 200, 128)).save(out, "PNG")
    return out.getvalue()


def test_a_file_goes_up_and_comes_back_byte_for_byte(client: TestClient, room) -> None:
    circle, ann, bob = room
    data = pdf(3 * MB + 17)
    answer = upload(client, circle, bob, data, name="lesson.pdf")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["kind"] == "file" and body["mime"] == "application/pdf"
    assert body["name"] == "lesson.pdf" and body["size"] == len(data)
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["uploader"] == bob.id and body["circle"] == circle["id"]
    assert body["url"] == f"{API}/attachments/{body['id']}" and body["thumb_url"] is None
    got = client.get(body["url"], headers=ann.auth)
    assert got.status_code == 200
    assert hashlib.sha256(got.content).hexdigest() == body["sha256"]
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["cache-control"] == "public, max-age=31536000, immutable"  # public circle
    assert got.headers["x-content-type-options"] == "nosniff"
    assert any("sandbox" in p for p in got.headers.get_list("content-security-policy"))
    assert got.headers["etag"] == f'"{body["sha256"]}"'
    again = client.get(body["url"], headers={**ann.auth, "If-None-Match": got.headers["etag"]})
    assert again.status_code == 304 and not again.content
    head = client.head(body["url"], headers=ann.auth)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(data))


def test_the_same_bytes_twice_in_a_circle_are_one_attachment(
    client: TestClient, room, settings: Settings, make_circle
) -> None:
    circle, ann, bob = room
    data = pdf(200 * KB)
    first = upload(client, circle, ann, data, name="a.pdf")
    second = upload(client, circle, bob, data, name="b.pdf")
    assert first.status_code == 201 and second.status_code == 200
    assert second.json() == first.json()
    if not settings.s3_url:
        stored = list((settings.data_dir / "blobs" / "circles" / circle["id"]).iterdir())
        assert len(stored) == 1
    # Another circle keeps its own copy.
    other = make_circle(ann, "Other")
    third = upload(client, other, ann, data)
    assert third.status_code == 201 and third.json()["id"] != first.json()["id"]


def test_the_type_comes_from_the_bytes_not_the_name(client: TestClient, room) -> None:
    circle, ann, _ = room
    image = upload(client, circle, ann, png(), name="setup.exe")
    assert image.status_code == 201, image.text
    assert (image.json()["kind"], image.json()["mime"]) == ("image", "image/png")
    assert (image.json()["width"], image.json()["height"]) == (64, 48)
    served = client.get(image.json()["url"], headers=ann.auth)
    assert served.headers["content-type"] == "image/png"
    assert served.headers["content-disposition"].startswith("inline;")
    refused = {
        "program.png": b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(5000),
        "page.png": b"<!DOCTYPE html><html><script>alert(1)</script></html>",
        "logo.png": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
        "elf.jpg": b"\x7fELF\x02\x01\x01" + os.urandom(3000),
        "tricky.txt": b"hello\n<script>alert(1)</script>",
    }
    for name, data in refused.items():
        answer = upload(client, circle, ann, data, name=name)
        assert answer.status_code == 415, name
        assert answer.json()["error"]["code"] == "bad_request"
        assert answer.json()["error"]["reason"] == "type_not_allowed"
    assert upload(client, circle, ann, b"").status_code == 400
    text = upload(client, circle, ann, "作业 第 3 页\n".encode(), name="note.txt")
    assert text.status_code == 201 and text.json()["mime"] == "text/plain"
    served = client.get(text.json()["url"], headers=ann.auth)
    assert served.headers["content-disposition"].startswith("attachment;")


def test_a_file_past_its_kinds_limit_is_refused_and_nothing_kept(
    client: TestClient, room, settings: Settings
) -> None:
    circle, ann, _ = room
    too_big = b"\xff\xd8\xff\xe0" + os.urandom(2 * MB)  # a "JPEG" over 2 MB
    answer = upload(client, circle, ann, too_big, name="big.jpg")
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_big"
    assert answer.json()["error"]["reason"] == "file_too_big"
    # The same size as a file (4 MB limit) goes through.
    assert upload(client, circle, ann, pdf(2 * MB + 10)).status_code == 201
    listing = client.get(f"{API}/circles/{circle['id']}", headers=ann.auth)
    assert listing.status_code == 200
    if not settings.s3_url:
        spool = settings.data_dir / "blobs" / ".tmp"
        assert list(spool.iterdir()) == []
        stored = list((settings.data_dir / "blobs" / "circles" / circle["id"]).iterdir())
        assert len(stored) == 1


def test_only_members_upload_and_only_members_read(
    client: TestClient, room, signup, make_circle
) -> None:
    circle, _, bob = room
    eve = signup("eve")
    assert upload(client, circle, eve, pdf(1000)).status_code == 403
    assert (
        client.post(f"{API}/circles/nope/uploads", content=b"%PDF-1", headers=eve.auth).status_code
        == 404
    )
    assert (
        client.post(f"{API}/circles/{circle['id']}/uploads", content=b"%PDF-1").status_code == 401
    )
    attachment = upload(client, circle, bob, pdf(1000)).json()
    # eve runs a circle of her own: still not a member of ann's.
    make_circle(eve, "Eve's")
    for path in (attachment["url"], f"{API}/attachments/no-such-id"):
        answer = client.get(path, headers=eve.auth)
        assert answer.status_code == 404
        assert answer.json()["error"] == {"code": "not_found", "message": "no such attachment"}
    assert client.get(attachment["url"]).status_code == 401
    # bob leaves: the file is no longer his to read.
    assert client.post(f"{API}/circles/{circle['id']}/leave", headers=bob.auth).status_code in (
        200,
        204,
    )
    assert client.get(attachment["url"], headers=bob.auth).status_code == 404


def test_ranges_let_a_player_seek(client: TestClient, room) -> None:
    circle, ann, bob = room
    data = b"\x00\x00\x00\x18ftypmp42" + os.urandom(1 * MB)
    video = upload(client, circle, ann, data, name="dance.mp4").json()
    assert (video["kind"], video["mime"]) == ("video", "video/mp4")
    part = client.get(video["url"], headers={**bob.auth, "Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.content == data[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
    assert part.headers["content-length"] == "1000"
    assert part.headers["content-disposition"].startswith("inline;")
    tail = client.get(video["url"], headers={**bob.auth, "Range": "bytes=-100"})
    assert tail.status_code == 206 and tail.content == data[-100:]
    rest = client.get(video["url"], headers={**bob.auth, "Range": f"bytes={len(data) - 5}-"})
    assert rest.status_code == 206 and rest.content == data[-5:]
    past = client.get(video["url"], headers={**bob.auth, "Range": f"bytes={len(data)}-"})
    assert past.status_code == 416
    assert past.headers["content-range"] == f"bytes */{len(data)}"
    stale = client.get(
        video["url"], headers={**bob.auth, "Range": "bytes=0-9", "If-Range": '"other"'}
    )
    assert stale.status_code == 200 and stale.content == data


def test_a_photo_loses_its_gps_and_gets_upright_with_a_thumbnail(client: TestClient, room) -> None:
    circle, ann, bob = room
    original = jpeg_with_gps()
    assert b"PhoneMaker" in original
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(0x8825)  # the test photo does carry GPS
    photo = upload(client, circle, ann, original, name="IMG_0001.jpg").json()
    assert (photo["kind"], photo["mime"]) == ("image", "image/jpeg")
    # Orientation 6 applied: the 1200x800 pixels stand upright as 800x1200.
    assert (photo["width"], photo["height"]) == (800, 1200)
    assert photo["sha256"] == hashlib.sha256(original).hexdigest()  # of what was uploaded
    served = client.get(photo["url"], headers=bob.auth).content
    assert len(served) == photo["size"]
    assert b"PhoneMaker" not in served and b"Exif" not in served
    with Image.open(io.BytesIO(served)) as image:
        assert image.size == (800, 1200)
        assert not image.getexif()
    thumb = client.get(photo["thumb_url"], headers=bob.auth)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    with Image.open(io.BytesIO(thumb.content)) as small:
        assert small.format == "WEBP" and small.size == (320, 480)


def test_an_animated_gif_is_kept_as_it_is(client: TestClient, room) -> None:
    circle, ann, _ = room
    frames = [Image.new("P", (40, 30), i * 40) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    gif = upload(client, circle, ann, out.getvalue(), name="dance.gif").json()
    assert gif["mime"] == "image/gif" and gif["thumb_url"]
    assert client.get(gif["url"], headers=ann.auth).content == out.getvalue()


def test_chinese_names_reach_the_download(client: TestClient, room) -> None:
    circle, ann, bob = room
    name = '第三课 作业"答案".pdf'
    by_query = upload(client, circle, ann, pdf(500), name=name).json()
    assert by_query["name"] == name
    header = client.get(by_query["url"], headers=bob.auth).headers["content-disposition"]
    assert header == (
        "attachment; filename=\"___ ______.pdf\"; filename*=UTF-8''" + quote(name, safe="")
    )
    by_header = client.post(
        f"{API}/circles/{circle['id']}/uploads",
        content=pdf(600),
        headers={**ann.auth, "X-File-Name": quote("期末复习.pdf")},
    ).json()
    assert by_header["name"] == "期末复习.pdf"
    nameless = client.post(
        f"{API}/circles/{circle['id']}/uploads", content=png(), headers=ann.auth
    ).json()
    assert nameless["name"] == "file.png"


def test_quotas_refuse_what_does_not_fit(tmp_path: Path, signup_in) -> None:
    settings = Settings(
        data_dir=tmp_path,
        password_time_cost=1,
        circle_quota_bytes=1 * MB,
        user_quota_bytes=int(1.5 * MB),
        **GENEROUS,  # type: ignore[arg-type]
    )
    with TestClient(create_app(settings)) as client:
        ann, bob = signup_in(client, "ann"), signup_in(client, "bob")
        one = client.post(
            f"{API}/circles",
            json={"name": "One", "kind": "community", "visibility": "public"},
            headers=ann.auth,
        ).json()
        two = client.post(
            f"{API}/circles",
            json={"name": "Two", "kind": "community", "visibility": "public"},
            headers=ann.auth,
        ).json()
        client.post(f"{API}/circles/{one['id']}/join", headers=bob.auth)
        assert upload(client, one, ann, pdf(700 * KB)).status_code == 201
        over = upload(client, one, bob, pdf(400 * KB))  # the circle has 324 KB left
        assert over.status_code == 413 and over.json()["error"]["reason"] == "quota_exceeded"
        assert upload(client, one, bob, pdf(300 * KB)).status_code == 201
        # ann has 800 KB of her 1.5 MB left, in any circle.
        mine = upload(client, two, ann, pdf(900 * KB))
        assert mine.status_code == 413 and "quota_exceeded" in mine.json()["error"]["message"]
        assert upload(client, two, ann, pdf(700 * KB)).status_code == 201


@pytest.fixture
def signup_in() -> Callable[[TestClient, str], Account]:
    def make(client: TestClient, handle: str) -> Account:
        body = {"handle": handle, "password": "correct horse", "name": handle.title()}
        data = client.post(f"{API}/auth/signup", json=body).json()
        return Account(data["user"]["id"], handle, handle.title(), data["token"])

    return make


def test_spool_files_a_crash_left_are_swept_at_start(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, password_time_cost=1)
    spool = tmp_path / "blobs" / ".tmp"
    spool.mkdir(parents=True)
    old, young = spool / "up-1-old", spool / "up-1-young"
    old.write_bytes(b"half an upload")
    young.write_bytes(b"another process's upload")
    os.utime(old, (1, 1))
    with TestClient(create_app(settings)):
        assert not old.exists() and young.exists()
