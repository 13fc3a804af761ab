"""Paid terms against a real server process (a short grace and a quick
housekeeping loop): a member whose end date passes is refused `say` with the
reason, then removed by housekeeping with a `left` push; a renewal lifts
read-only at once on an open socket; a paid cohort's access ends by itself."""

from __future__ import annotations

import time

import orjson
import pytest

from server.api.payments import signature
from store import now_ms
from tests.e2e.harness import Api, Client, ServerProcess
from tests.timing import seconds, sleep

GRACE_S = seconds(3)
SECRET = "whsec_e2e"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.server_env(
        QUANZI_MEMBERSHIP_GRACE_S=str(GRACE_S),
        QUANZI_MEMBERSHIP_CHECK_S="0.2",
        QUANZI_PAYMENT_WEBHOOK_SECRET=SECRET,
    ),
]


async def cohort(api: Api) -> tuple[str, str, str, str]:
    """A private circle: owner Olga, paying member Sam."""
    olga, _ = await api.signup("olga", "Olga")
    sam, sam_user = await api.signup("sam", "山姆")
    circle = await api.circle(olga, "Course", visibility="private")
    codes = await api.call("POST", f"/circles/{circle}/codes", olga, json={"count": 1})
    assert (await api.join(sam, circle, codes.json()["codes"][0]["code"])).status_code == 200
    return circle, olga, sam, sam_user["id"]


def say(circle: str, text: str) -> dict[str, object]:
    return {"t": "say", "circle": circle, "text": text, "nonce": text}


async def until_past(ms: int) -> None:
    while now_ms() <= ms:
        await sleep(0.1)


async def test_past_its_end_a_member_reads_only_and_is_then_removed(
    server: ServerProcess, api: Api
) -> None:
    circle, olga, sam, sam_id = await cohort(api)
    client = await Client.open(server.ws, sam)
    try:
        assert (await client.request({"t": "join", "circle": circle}))["t"] == "joined"
        ends = now_ms() + int(seconds(1) * 1000)
        r = await api.call(
            "PUT", f"/circles/{circle}/members/{sam_id}/term", olga, json={"ends_at": ends}
        )
        assert r.status_code == 200, r.text
        removes = r.json()["removes_at"]
        updated = await client.push("event")
        assert updated["kind"] == "member.updated" and updated["member"]["ends_at"] == ends
        assert (await client.request(say(circle, "still in")))["t"] == "ok"
        await until_past(ends)
        refused = await client.request(say(circle, "after the end"))
        assert refused["t"] == "error" and refused["code"] == "forbidden", refused
        assert refused["reason"] == "membership_ended"
        assert refused["params"] == {"ends_at": ends, "removes_at": removes}
        post = await api.call(
            "POST", f"/circles/{circle}/posts", sam, json={"kind": "post", "text": "x"}
        )
        assert post.status_code == 403 and post.json()["error"]["reason"] == "membership_ended"
        # Reading stays during the grace.
        history = await client.request({"t": "history", "circle": circle})
        assert [m["text"] for m in history["messages"]] == ["still in"]
        left = await client.push("left", timeout=GRACE_S + 10)
        assert left == {"t": "left", "circle": circle, "reason": "removed"}
        assert now_ms() >= removes
    finally:
        await client.close()
    mine = (await api.call("GET", "/me/circles", sam)).json()["circles"]
    assert mine == []
    audit = (await api.call("GET", f"/circles/{circle}/audit", olga)).json()["entries"]
    assert (audit[0]["action"], audit[0]["actor"]["id"]) == ("member.expired", "system")


async def test_a_renewal_lifts_read_only_at_once_on_an_open_socket(
    server: ServerProcess, api: Api
) -> None:
    circle, olga, sam, sam_id = await cohort(api)
    client = await Client.open(server.ws, sam)
    try:
        ends = now_ms() + int(seconds(0.5) * 1000)
        term = f"/circles/{circle}/members/{sam_id}/term"
        assert (await api.call("PUT", term, olga, json={"ends_at": ends})).status_code == 200
        await until_past(ends)
        refused = await client.request(say(circle, "ended"))
        assert refused["reason"] == "membership_ended", refused
        renewed = await api.call("PUT", term, olga, json={"months": 1})
        assert renewed.status_code == 200, renewed.text
        assert (await client.request(say(circle, "renewed")))["t"] == "ok"
    finally:
        await client.close()


async def test_a_paid_cohort_ends_by_itself(server: ServerProcess, api: Api) -> None:
    """Paid through the webhook until a date: read-only at it, gone after the grace,
    with nobody doing anything."""
    olga, _ = await api.signup("olga", "Olga")
    circle = await api.circle(olga, "Spring cohort", visibility="private")
    ends = now_ms() + int(seconds(1) * 1000)
    students = []
    for i in range(3):
        token, user = await api.signup(f"stu{i}", f"Student {i}")
        body = orjson.dumps(
            {"event_id": f"order-{i}", "circle": circle, "user": user["handle"], "until": ends}
        )
        t = int(time.time())
        headers = {
            "Quanzi-Signature": f"t={t},v1={signature(SECRET, t, body)}",
            "Content-Type": "application/json",
        }
        r = await api.client.post("/api/v1/payments/webhook", content=body, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["member"]["ends_at"] == ends
        students.append(token)
    clients = [await Client.open(server.ws, token) for token in students]
    try:
        for client in clients:
            await client.push("left", timeout=GRACE_S + 10)
    finally:
        for client in clients:
            await client.close()
    members = (await api.call("GET", f"/circles/{circle}/members", olga)).json()["members"]
    assert [m["role"] for m in members] == ["owner"]
    circle_now = (await api.call("GET", f"/circles/{circle}", olga)).json()
    assert circle_now["members"] == 1
