"""Deleting a circle against a real server process: an owner confirms with its
name; members with the page open are told and leave with `circle_deleted`; the
circle is gone from every road (read, join, directory); its chat, posts and
media are purged in the background."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.harness import Api, Client, ServerProcess
from tests.timing import sleep

pytestmark = [pytest.mark.e2e, pytest.mark.server_env(QUANZI_RETENTION_INTERVAL_S="0.2")]


def blobs(server: ServerProcess) -> list[Path]:
    root = server.data_dir / "blobs" / "circles"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_an_owner_deletes_a_circle_and_everyone_is_out(
    server: ServerProcess, api: Api
) -> None:
    olga, _ = await api.signup("olga", "Olga")
    sam, _ = await api.signup("sam", "Sam")
    circle = await api.circle(olga, "老照片")
    assert (await api.join(sam, circle)).status_code == 200
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (9, 9, 9)).save(out, "PNG")
    r = await api.call(
        "POST", f"/circles/{circle}/uploads?name=a.png", olga, content=out.getvalue()
    )
    photo = r.json()
    r = await api.call(
        "POST",
        f"/circles/{circle}/posts",
        olga,
        json={"kind": "post", "attachments": [photo["id"]]},
    )
    assert r.status_code == 201, r.text
    assert blobs(server)
    member = await Client.open(server.ws, sam)
    try:
        assert (await member.request({"t": "join", "circle": circle}))["t"] == "joined"
        await member.say(circle, "hello")
        refused = await api.call("DELETE", f"/circles/{circle}", olga, json={"confirm": "老照"})
        assert refused.status_code == 400 and refused.json()["error"]["reason"] == "confirm_name"
        by_member = await api.call("DELETE", f"/circles/{circle}", sam, json={"confirm": "老照片"})
        assert by_member.status_code == 403
        r = await api.call("DELETE", f"/circles/{circle}", olga, json={"confirm": "老照片"})
        assert r.status_code == 204, r.text
        event = await member.push("event")
        assert event["kind"] == "circle.deleted" and event["circle"] == circle
        left = await member.push("left")
        assert left == {"t": "left", "circle": circle, "reason": "circle_deleted"}
    finally:
        await member.close()
    assert (await api.call("GET", f"/circles/{circle}", olga)).status_code == 404
    assert (await api.join(sam, circle)).status_code == 404
    listed = (await api.call("GET", "/circles", sam)).json()["circles"]
    assert circle not in [c["id"] for c in listed]
    mine = (await api.call("GET", "/me/circles", olga)).json()["circles"]
    assert mine == []
    # The background purge takes the media too.
    for _ in range(50):
        if not blobs(server):
            break
        await sleep(0.2)
    assert blobs(server) == []
    assert (await api.call("GET", photo["url"], olga)).status_code == 404
