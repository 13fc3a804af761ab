"""Resumable uploads (tus 1.0, server/api/tus.py), the whole app in-process: the
protocol's answers, chunks that end as an attachment equal to the bytes, wrong
offsets, versions and content types, other users, limits, quotas, expiry."""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.limits import GENEROUS
from tests.server.conftest import Account
from tests.timing import sleep_blocking

API = "/api/v1"
KB = 1024
MB = 1024 * KB
TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = {"Content-Type": "application/offset+octet-stream"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        password_time_cost=1,
        upload_image_bytes=1 * MB,
        upload_file_bytes=4 * MB,
        upload_video_bytes=3 * MB,
        upload_audio_bytes=1 * MB,
        user_quota_bytes=6 * MB,
        upload_open_max=3,
        **GENEROUS,  # type: ignore[arg-type]
    )


def pdf(size: int) -> bytes:
    return b"%PDF-1.7\n" + os.urandom(size - 9)


def metadata(**pairs: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


def create(client: TestClient, circle: dict, who: Account, length: int, **headers: str):
    return client.post(
        f"{API}/circles/{circle['id']}/uploads/tus",
        headers={
            **who.auth,
            **TUS,
            "Upload-Length": str(length),
            "Upload-Metadata": metadata(filename="课程 lesson.pdf", filetype="application/pdf"),
            **headers,
        },
    )


def patch(client: TestClient, url: str, who: Account, offset: int, data: bytes, **headers: str):
    return client.patch(
        url,
        content=data,
        headers={**who.auth, **TUS, **OCTETS, "Upload-Offset": str(offset), **headers},
    )


def test_options_says_version_extensions_and_largest_size(client: TestClient, room) -> None:
    circle, _, _ = room
    answer = client.options(f"{API}/circles/{circle['id']}/uploads/tus")
    assert answer.status_code == 204
    assert answer.headers["Tus-Resumable"] == "1.0.0"
    assert answer.headers["Tus-Version"] == "1.0.0"
    assert set(answer.headers["Tus-Extension"].split(",")) == {
        "creation",
        "termination",
        "expiration",
    }
    assert answer.headers["Tus-Max-Size"] == str(4 * MB)


def test_three_chunks_become_an_attachment_equal_to_the_bytes(client: TestClient, room) -> None:
    circle, _, bob = room
    data = pdf(2 * MB + 123)
    made = create(client, circle, bob, len(data))
    assert made.status_code == 201, made.text
    assert made.headers["Tus-Resumable"] == "1.0.0" and made.headers["Upload-Expires"]
    url = made.headers["Location"]
    assert url.startswith(f"{API}/circles/{circle['id']}/uploads/tus/")
    cuts = [0, 1000, MB + 7, len(data)]
    for start, end in itertools.pairwise(cuts):
        head = client.head(url, headers={**bob.auth, **TUS})
        assert head.status_code == 200
        assert head.headers["Upload-Offset"] == str(start)
        assert head.headers["Upload-Length"] == str(len(data))
        assert head.headers["Cache-Control"] == "no-store"
        answer = patch(client, url, bob, start, data[start:end])
        assert answer.status_code == 204, answer.text
        assert answer.headers["Upload-Offset"] == str(end)
        assert answer.headers["Tus-Resumable"] == "1.0.0"
    attachment_id = answer.headers["Quanzi-Attachment"]
    head = client.head(url, headers={**bob.auth, **TUS})
    assert head.headers["Quanzi-Attachment"] == attachment_id
    status = client.get(url, headers=bob.auth).json()
    assert status["offset"] == status["length"] == len(data)
    assert status["attachment"]["id"] == attachment_id
    assert status["attachment"]["name"] == "课程 lesson.pdf"
    assert status["attachment"]["sha256"] == hashlib.sha256(data).hexdigest()
    back = client.get(f"{API}/attachments/{attachment_id}", headers=bob.auth)
    assert back.status_code == 200 and back.content == data
    # Same bytes again, resumably: the circle's attachment, stored once.
    again = create(client, circle, bob, len(data)).headers["Location"]
    answer = patch(client, again, bob, 0, data)
    assert answer.headers["Quanzi-Attachment"] == attachment_id
    # A finished upload takes nothing more.
    late = patch(client, url, bob, len(data), b"x")
    assert late.status_code == 409


def test_a_wrong_offset_is_409_and_says_where_it_is(client: TestClient, room) -> None:
    circle, _, bob = room
    data = pdf(10 * KB)
    url = create(client, circle, bob, len(data)).headers["Location"]
    assert patch(client, url, bob, 0, data[:5000]).status_code == 204
    answer = patch(client, url, bob, 4000, data[4000:])
    assert answer.status_code == 409
    assert answer.json()["error"]["reason"] == "upload_offset_mismatch"
    assert answer.headers["Upload-Offset"] == "5000"
    assert answer.headers["Tus-Resumable"] == "1.0.0"
    assert patch(client, url, bob, 5000, data[5000:]).status_code == 204


def test_requests_without_the_version_are_412(client: TestClient, room) -> None:
    circle, _, bob = room
    answer = client.post(
        f"{API}/circles/{circle['id']}/uploads/tus", headers={**bob.auth, "Upload-Length": "10"}
    )
    assert answer.status_code == 412
    assert answer.headers["Tus-Version"] == "1.0.0"
    assert answer.json()["error"]["reason"] == "tus_version"
    url = create(client, circle, bob, 100).headers["Location"]
    bare = {**bob.auth, **OCTETS, "Upload-Offset": "0"}
    assert client.patch(url, content=b"%PDF-", headers=bare).status_code == 412
    old = client.head(url, headers={**bob.auth, "Tus-Resumable": "0.2.2"})
    assert old.status_code == 412


def test_a_wrong_content_type_is_415(client: TestClient, room) -> None:
    circle, _, bob = room
    url = create(client, circle, bob, 100).headers["Location"]
    answer = patch(client, url, bob, 0, b"%PDF-", **{"Content-Type": "application/pdf"})
    assert answer.status_code == 415
    assert answer.headers["Tus-Resumable"] == "1.0.0"


def test_an_upload_is_its_creators_alone(client: TestClient, room, signup) -> None:
    circle, ann, bob = room
    url = create(client, circle, bob, 100).headers["Location"]
    for who in (ann, signup("cat")):
        assert client.head(url, headers={**who.auth, **TUS}).status_code == 404
        assert patch(client, url, who, 0, b"%PDF-1.7\n").status_code == 404
        assert client.delete(url, headers={**who.auth, **TUS}).status_code == 404
    assert client.head(url, headers=TUS).status_code == 401
    # Bob leaves the circle: his upload cannot go on.
    assert client.post(f"{API}/circles/{circle['id']}/leave", headers=bob.auth).status_code < 300
    assert patch(client, url, bob, 0, b"%PDF-1.7\n").status_code == 403
    outsider = signup("dan")
    assert create(client, circle, outsider, 100).status_code == 403


def test_declared_lengths_past_the_limits_are_413(client: TestClient, room) -> None:
    circle, _, bob = room
    too_big = create(client, circle, bob, 4 * MB + 1)
    assert too_big.status_code == 413
    assert too_big.json()["error"]["reason"] == "file_too_big"
    over_quota = create(client, circle, bob, 6 * MB + 1)
    assert over_quota.status_code == 413
    # 2 MB is fine for a file, too much for an image: refused once its first bytes show it.
    png = b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + os.urandom(8 * KB)
    url = create(client, circle, bob, 2 * MB).headers["Location"]
    answer = patch(client, url, bob, 0, png)
    assert answer.status_code == 413
    assert answer.json()["error"]["reason"] == "file_too_big"
    assert client.head(url, headers={**bob.auth, **TUS}).status_code == 404
    empty = create(client, circle, bob, 0)
    assert empty.status_code == 400 and empty.json()["error"]["reason"] == "file_empty"


def test_a_type_not_accepted_is_415_and_the_upload_gone(client: TestClient, room) -> None:
    circle, _, bob = room
    url = create(client, circle, bob, 9000).headers["Location"]
    answer = patch(client, url, bob, 0, b"MZ\x90\x00" + os.urandom(8996))
    assert answer.status_code == 415
    assert answer.json()["error"]["reason"] == "type_not_allowed"
    assert client.head(url, headers={**bob.auth, **TUS}).status_code == 404


def test_termination_removes_the_upload(client: TestClient, room, settings: Settings) -> None:
    circle, _, bob = room
    url = create(client, circle, bob, 9000).headers["Location"]
    assert patch(client, url, bob, 0, pdf(9000)[:5000]).status_code == 204
    answer = client.delete(url, headers={**bob.auth, **TUS})
    assert answer.status_code == 204 and answer.headers["Tus-Resumable"] == "1.0.0"
    assert client.head(url, headers={**bob.auth, **TUS}).status_code == 404
    assert list((settings.data_dir / "tus").iterdir()) == []


def test_bytes_past_the_declared_length_are_refused(client: TestClient, room) -> None:
    circle, _, bob = room
    url = create(client, circle, bob, 100).headers["Location"]
    data = pdf(150)
    assert patch(client, url, bob, 0, data).status_code == 400
    # What fits is kept; an empty PATCH at the end completes it.
    assert client.head(url, headers={**bob.auth, **TUS}).headers["Upload-Offset"] == "100"
    done = patch(client, url, bob, 100, b"")
    assert done.status_code == 204
    back = client.get(f"{API}/attachments/{done.headers['Quanzi-Attachment']}", headers=bob.auth)
    assert back.content == data[:100]


@pytest.fixture
def short_expiry(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        password_time_cost=1,
        upload_expire_s=1.0,
        upload_expire_check_s=0.2,
        **GENEROUS,  # type: ignore[arg-type]
    )


def ann_with_a_circle(client: TestClient) -> tuple[dict[str, str], str]:
    """Ann signed up on an app of the test's own settings, and her public circle."""
    token = client.post(
        f"{API}/auth/signup",
        json={"handle": "ann", "password": "correct horse", "name": "Ann"},
    ).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    circle = client.post(
        f"{API}/circles",
        json={"name": "Dance", "kind": "community", "visibility": "public"},
        headers=auth,
    ).json()["id"]
    return auth, circle


def test_abandoned_uploads_expire_and_housekeeping_removes_them(short_expiry: Settings) -> None:
    with TestClient(create_app(short_expiry)) as client:
        auth, circle = ann_with_a_circle(client)
        made = client.post(
            f"{API}/circles/{circle}/uploads/tus",
            headers={**auth, **TUS, "Upload-Length": "9000"},
        )
        url = made.headers["Location"]
        sent = client.patch(
            url, content=pdf(9000)[:3000], headers={**auth, **TUS, **OCTETS, "Upload-Offset": "0"}
        )
        assert sent.status_code == 204
        folder = short_expiry.data_dir / "tus"
        assert len(list(folder.iterdir())) == 2
        deadline = time.monotonic() + 30
        while list(folder.iterdir()) and time.monotonic() < deadline:
            sleep_blocking(0.1)
        assert list(folder.iterdir()) == []
        assert client.head(url, headers={**auth, **TUS}).status_code == 404


def test_past_its_time_an_upload_is_410_until_swept(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        password_time_cost=1,
        upload_expire_s=0.3,
        upload_expire_check_s=3600.0,
        **GENEROUS,  # type: ignore[arg-type]
    )
    with TestClient(create_app(settings)) as client:
        auth, circle = ann_with_a_circle(client)
        url = client.post(
            f"{API}/circles/{circle}/uploads/tus",
            headers={**auth, **TUS, "Upload-Length": "9000"},
        ).headers["Location"]
        sleep_blocking(0.5)
        late = client.patch(
            url, content=pdf(9000), headers={**auth, **TUS, **OCTETS, "Upload-Offset": "0"}
        )
        assert late.status_code == 410
        assert late.json()["error"]["reason"] == "upload_expired"
        assert late.headers["Tus-Resumable"] == "1.0.0"
        assert client.head(url, headers={**auth, **TUS}).status_code == 410


def test_refusals_carry_the_tus_version_too(client: TestClient, room) -> None:
    circle, _, bob = room
    url = create(client, circle, bob, 100).headers["Location"]
    anonymous = client.head(url, headers=TUS)
    assert anonymous.status_code == 401 and anonymous.headers["Tus-Resumable"] == "1.0.0"
    missing = client.head(url + "0", headers={**bob.auth, **TUS})
    assert missing.status_code == 404 and missing.headers["Tus-Resumable"] == "1.0.0"


def test_one_person_has_a_bounded_number_of_unfinished_uploads(client: TestClient, room) -> None:
    circle, ann, bob = room
    urls = [create(client, circle, bob, 100).headers["Location"] for _ in range(3)]
    refused = create(client, circle, bob, 100)
    assert refused.status_code == 429
    assert refused.json()["error"]["reason"] == "uploads_open"
    assert refused.json()["error"]["params"] == {"max": 3}
    assert create(client, circle, ann, 100).status_code == 201  # others are not held up
    assert client.delete(urls[0], headers={**bob.auth, **TUS}).status_code == 204
    assert create(client, circle, bob, 100).status_code == 201
