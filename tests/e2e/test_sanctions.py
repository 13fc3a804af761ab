"""Mutes, bans, slow mode and admins-only chat against a real server process:
each takes effect at once on open sockets, is refused with a code and a reason
a client can show, and ends on time."""

from __future__ import annotations

import pytest

from store import now_ms
from tests.e2e.harness import Api, Client, ServerProcess
from tests.timing import seconds, sleep

pytestmark = pytest.mark.e2e


async def room(api: Api) -> tuple[str, str, str, str]:
    """A public circle: owner Olga, member Sam (who will misbehave)."""
    olga, _ = await api.signup("olga", "Olga")
    sam, sam_user = await api.signup("sam", "山姆")
    circle = await api.circle(olga, "Hobby")
    assert (await api.join(sam, circle)).status_code == 200
    return circle, olga, sam, sam_user["id"]


def say(circle: str, text: str, group: str | None = None) -> dict[str, object]:
    frame: dict[str, object] = {"t": "say", "circle": circle, "text": text, "nonce": text}
    return frame | ({"group": group} if group else {})


async def test_a_mute_takes_effect_on_an_open_socket_and_ends_on_time(
    server: ServerProcess, api: Api
) -> None:
    circle, olga, sam, sam_id = await room(api)
    client = await Client.open(server.ws, sam)
    try:
        assert (await client.request(say(circle, "first")))["t"] == "ok"
        until = now_ms() + int(seconds(2) * 1000)
        r = await api.call(
            "PUT", f"/circles/{circle}/members/{sam_id}/mute", olga, json={"until": until}
        )
        assert r.status_code == 200 and r.json()["muted_until"] == until, r.text
        refused = await client.request(say(circle, "spam"))
        assert refused["t"] == "error" and refused["code"] == "forbidden", refused
        assert refused["reason"] == "muted" and refused["params"] == {"until": until}
        post = await api.call(
            "POST", f"/circles/{circle}/posts", sam, json={"kind": "post", "text": "x"}
        )
        assert post.status_code == 403 and post.json()["error"]["reason"] == "muted"
        while now_ms() <= until:
            await sleep(0.2)
        assert (await client.request(say(circle, "back")))["t"] == "ok"
    finally:
        await client.close()


async def test_a_member_cannot_mute_and_an_unknown_body_is_a_400(
    server: ServerProcess, api: Api
) -> None:
    circle, olga, sam, sam_id = await room(api)
    r = await api.call("PUT", f"/circles/{circle}/members/{sam_id}/mute", sam, json={})
    assert r.status_code == 403  # a member, even on oneself
    olga_id = (await api.call("GET", "/me", olga)).json()["id"]
    r = await api.call("PUT", f"/circles/{circle}/members/{olga_id}/mute", sam, json={})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = await api.call("PUT", f"/circles/{circle}/members/{sam_id}/mute", olga, json={"minutes": 0})
    assert r.status_code == 400
    r = await api.call(
        "PUT", f"/circles/{circle}/members/{sam_id}/mute", olga, json={"minutes": 5, "until": 1}
    )
    assert r.status_code == 400
    olga_is = await api.call("PUT", f"/circles/{circle}/members/{olga_id}/mute", olga, json={})
    assert olga_is.status_code == 409  # an owner, oneself


async def test_a_ban_closes_the_circle_to_an_open_socket_and_to_every_way_back(
    server: ServerProcess, api: Api
) -> None:
    circle, olga, sam, sam_id = await room(api)
    client = await Client.open(server.ws, sam)
    try:
        assert (await client.request({"t": "join", "circle": circle}))["t"] == "joined"
        r = await api.call("PUT", f"/circles/{circle}/bans/{sam_id}", olga, json={"reason": "广告"})
        assert r.status_code == 200 and r.json()["reason"] == "广告", r.text
        left = await client.push("left")
        assert left["circle"] == circle
        refused = await client.request({"t": "join", "circle": circle})
        assert refused["t"] == "error", refused
    finally:
        await client.close()
    again = await api.join(sam, circle)
    assert again.status_code == 403 and again.json()["error"]["reason"] == "banned"
    bans = (await api.call("GET", f"/circles/{circle}/bans?q=山", olga)).json()
    assert [b["user"]["id"] for b in bans["bans"]] == [sam_id] and bans["next"] is None
    assert (await api.call("GET", f"/circles/{circle}/bans", sam)).status_code == 403
    assert (await api.call("DELETE", f"/circles/{circle}/bans/{sam_id}", olga)).status_code == 204
    assert (await api.join(sam, circle)).status_code == 200
    audit = (await api.call("GET", f"/circles/{circle}/members", olga)).status_code
    assert audit == 200


async def test_slow_mode_paces_members_not_admins_and_admins_only_chat(
    server: ServerProcess, api: Api
) -> None:
    circle, olga, sam, _ = await room(api)
    r = await api.call("PATCH", f"/groups/{circle}", olga, json={"slow_mode_s": 30})
    assert r.status_code == 200 and r.json()["group"]["slow_mode_s"] == 30, r.text
    member = await Client.open(server.ws, sam)
    owner = await Client.open(server.ws, olga)
    try:
        assert (await member.request(say(circle, "one")))["t"] == "ok"
        refused = await member.request(say(circle, "two"))
        assert refused["code"] == "rate_limited" and refused["reason"] == "slow_mode", refused
        assert 0 < refused["params"]["wait_ms"] <= 30_000
        for text in ("a", "b", "c"):
            assert (await owner.request(say(circle, text)))["t"] == "ok"
        # Only admins may post: the general group made read-only.
        r = await api.call(
            "PATCH", f"/groups/{circle}", olga, json={"read_only": True, "slow_mode_s": 0}
        )
        assert r.status_code == 200, r.text
        refused = await member.request(say(circle, "three"))
        assert refused["code"] == "forbidden", refused
        assert (await owner.request(say(circle, "announcement")))["t"] == "ok"
    finally:
        await member.close()
        await owner.close()
