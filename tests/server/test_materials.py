"""A circle's materials (server/api/materials.py): its attachments newest first,
by kind, in pages, to members only; the whole app in-process."""

from __future__ import annotations

import io
import os
from collections.abc import Callable

from PIL import Image
from starlette.testclient import TestClient

from tests.server.conftest import Account

API = "/api/v1"


def png() -> bytes:
    out = io.BytesIO()
    color = tuple(os.urandom(3))
    Image.new("RGB", (32, 24), color).save(out, "PNG")  # type: ignore[arg-type]
    return out.getvalue()


# One of each kind, the type told by the first bytes (server/media/sniff.py).
FILES = {
    "image": png,
    "video": lambda: b"\x00\x00\x00\x18ftypisom" + os.urandom(200),
    "audio": lambda: b"RIFF\x24\x00\x00\x00WAVEfmt " + os.urandom(200),
    "file": lambda: b"%PDF-1.7\n" + os.urandom(200),
}


def upload(client: TestClient, circle: dict, who: Account, kind: str, name: str) -> dict:
    answer = client.post(
        f"{API}/circles/{circle['id']}/uploads",
        params={"name": name},
        content=FILES[kind](),
        headers={**who.auth, "Content-Type": "application/octet-stream"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["kind"] == kind
    return answer.json()


def listing(client: TestClient, circle: dict, who: Account, **params):
    return client.get(f"{API}/circles/{circle['id']}/attachments", params=params, headers=who.auth)


def walk(client: TestClient, circle: dict, who: Account, **params) -> list[dict]:
    """Every page, following `next`."""
    found: list[dict] = []
    cursor = None
    while True:
        answer = listing(client, circle, who, **params, **({"cursor": cursor} if cursor else {}))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert len(body["attachments"]) <= params.get("limit", 50)
        found += body["attachments"]
        cursor = body["next"]
        if cursor is None:
            return found


def newest_first(items: list[dict]) -> list[str]:
    return [a["id"] for a in sorted(items, key=lambda a: (a["created"], a["id"]), reverse=True)]


def test_members_page_through_the_files_newest_first_by_kind(client: TestClient, room) -> None:
    circle, ann, bob = room
    uploaded = [
        upload(client, circle, who, kind, f"{kind}-{n}")
        for n, (who, kind) in enumerate(
            [(ann, "image"), (bob, "file"), (bob, "video"), (ann, "audio"), (bob, "image")] * 2
        )
    ]
    every = walk(client, circle, ann, limit=3)
    assert [a["id"] for a in every] == newest_first(uploaded)
    first = every[-1]  # the oldest: ann's first image
    assert first["name"] == "image-0" and first["uploader"] == ann.id
    assert first["uploader_name"] == "Ann" and first["mime"] == "image/png"
    assert first["url"] == f"{API}/attachments/{first['id']}"
    assert first["thumb_url"] == f"{API}/attachments/{first['id']}/thumb"
    assert set(first) >= {"size", "kind", "created", "width", "height", "sha256"}
    assert "blob_key" not in first and "thumb_key" not in first
    for kind in FILES:
        mine = walk(client, circle, bob, kind=kind, limit=1)
        assert [a["id"] for a in mine] == newest_first([a for a in uploaded if a["kind"] == kind])
    one = listing(client, circle, ann, limit=200).json()
    assert len(one["attachments"]) == 10 and one["next"] is None


def test_a_former_member_is_still_named(client: TestClient, room) -> None:
    circle, ann, bob = room
    upload(client, circle, bob, "file", "notes.pdf")
    assert client.post(f"{API}/circles/{circle['id']}/leave", headers=bob.auth).status_code == 204
    (listed,) = listing(client, circle, ann).json()["attachments"]
    assert listed["uploader"] == bob.id and listed["uploader_name"] == "Bob"


def test_only_members_see_the_list(
    client: TestClient, room, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    circle, ann, _ = room
    cai = signup("cai")
    upload(client, circle, ann, "image", "photo.png")
    private = make_circle(ann, "Family", visibility="private")
    upload(client, private, ann, "file", "will.pdf")
    for where in (circle, private):  # public or private, the files are the members'
        answer = listing(client, where, cai)
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == "forbidden"
    assert listing(client, {"id": "nope"}, ann).status_code == 404
    assert client.get(f"{API}/circles/{circle['id']}/attachments").status_code == 401


def test_bad_queries_are_refused(client: TestClient, room) -> None:
    circle, ann, _ = room
    for params in (
        {"kind": "photo"},
        {"limit": "0"},
        {"limit": "201"},
        {"limit": "ten"},
        {"cursor": "not-a-cursor"},
        {"cursor": "x" * 501},
    ):
        answer = listing(client, circle, ann, **params)
        assert answer.status_code == 400, params
        assert answer.json()["error"]["code"] == "bad_request"
