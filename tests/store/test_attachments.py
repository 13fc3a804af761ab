"""Attachments (store/attachments.py): who may upload and read, deduplication per
circle by sha256, usage for quotas; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from store import Forbidden, NotFound, Store
from store.attachments import clean_name

Record = dict[str, Any]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def add(
    store: Store, circle: Record, user: Record, data: bytes, **kw: Any
) -> tuple[Record, bool]:
    digest = sha(data)
    values: dict[str, Any] = {
        "sha256": digest,
        "kind": "file",
        "mime": "application/pdf",
        "name": "notes.pdf",
        "size": len(data),
        "blob_key": f"circles/{circle['id']}/{digest}",
    }
    return await store.attachments.add(circle["id"], user["id"], **(values | kw))


async def test_a_member_uploads_and_members_read_it(
    store: Store, circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    await store.memberships.join(circle["id"], bob["id"])
    assert await store.attachments.may_upload(circle["id"], bob["id"]) == "member"
    attachment, fresh = await add(store, circle, bob, b"%PDF-1.7 one", name="作业/第一课.pdf")
    assert fresh and attachment["uploader"] == bob["id"] and attachment["name"] == "第一课.pdf"
    assert (await store.attachments.get(attachment["id"], alice["id"]))["sha256"] == sha(
        b"%PDF-1.7 one"
    )
    # A non-member is told there is no such attachment, not that it is private.
    with pytest.raises(NotFound):
        await store.attachments.get(attachment["id"], carol["id"])
    with pytest.raises(NotFound):
        await store.attachments.get("nope", alice["id"])


async def test_only_members_upload(store: Store, circle: Record, carol: Record) -> None:
    with pytest.raises(Forbidden):
        await store.attachments.may_upload(circle["id"], carol["id"])
    with pytest.raises(Forbidden):
        await add(store, circle, carol, b"x")
    with pytest.raises(NotFound):
        await store.attachments.may_upload("no-such-circle", carol["id"])


async def test_the_same_bytes_are_stored_once_per_circle(
    store: Store, circle: Record, private_circle: Record, alice: Record, bob: Record
) -> None:
    await store.memberships.join(circle["id"], bob["id"])
    first, fresh = await add(store, circle, alice, b"same bytes", name="a.pdf")
    again, fresh_again = await add(store, circle, bob, b"same bytes", name="b.pdf")
    assert fresh and not fresh_again
    assert again == first  # the first upload's id, name and uploader
    other, fresh_other = await add(store, private_circle, alice, b"same bytes")
    assert fresh_other and other["id"] != first["id"]
    assert await store.attachments.find(circle["id"], sha(b"same bytes")) == first
    assert await store.attachments.usage(circle["id"], bob["id"]) == (10, 0)
    assert await store.attachments.usage(circle["id"], alice["id"]) == (10, 20)


def test_names_lose_paths_and_control_characters() -> None:
    assert clean_name("C:\\Users\\me\\照片.jpg") == "照片.jpg"
    assert clean_name("../../etc/passwd") == "passwd"
    assert clean_name("a\x00b\nc.txt") == "abc.txt"
    assert clean_name("") == "file"
    long = clean_name("x" * 400 + ".docx")
    assert len(long) == 255 and long.endswith(".docx")


async def test_materials_are_the_circles_files_newest_first(
    store: Store, circle: Record, alice: Record, bob: Record, carol: Record
) -> None:
    await store.memberships.join(circle["id"], bob["id"])
    made = [
        (await add(store, circle, who, f"%PDF-1.7 {n}".encode(), kind=kind, name=f"f{n}"))[0]
        for n, (who, kind) in enumerate([(alice, "file"), (bob, "image"), (alice, "image")] * 3)
    ]
    order = [a["id"] for a in sorted(made, key=lambda a: (a["created"], a["id"]), reverse=True)]
    seen, cursor = [], None
    while True:
        page, cursor = await store.attachments.materials(
            circle["id"], bob["id"], cursor=cursor, limit=4
        )
        seen += page
        if cursor is None:
            break
    assert [a["id"] for a in seen] == order
    assert {a["uploader_name"] for a in seen} == {alice["name"], bob["name"]}
    images, more = await store.attachments.materials(circle["id"], alice["id"], kind="image")
    assert more is None and [a["id"] for a in images] == [
        i for i in order if i in {a["id"] for a in made if a["kind"] == "image"}
    ]
    with pytest.raises(Forbidden):
        await store.attachments.materials(circle["id"], carol["id"])
    with pytest.raises(NotFound):
        await store.attachments.materials("no-such-circle", alice["id"])
