"""The notification inbox over HTTP and /ws: a mention said over the socket reaches
the mentioned member's every open connection live (`notification`, with the unread
count), the inbox pages and catches up by id, marks read reach the other tabs, and
the settings are the member's own."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.server.test_http_live import frames_until_pong, hello, join_stream, wait_for

API = "/api/v1"


def _say(ws, circle: str, text: str, nonce: str, reply_to: int | None = None) -> dict:
    frame = {"t": "say", "id": nonce, "circle": circle, "text": text, "nonce": nonce}
    if reply_to is not None:
        frame["reply_to"] = reply_to
    ws.send_json(frame)
    return wait_for(ws, "ok")


def test_a_mention_reaches_every_tab_live_and_the_inbox(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob, cai = signup("ann", "王老师"), signup("bob", "小明"), signup("cai")
    circle = make_circle(ann, "舞蹈班")["id"]
    for who in (bob, cai):
        assert client.post(f"{API}/circles/{circle}/join", headers=who.auth).status_code == 200
    with (
        client.websocket_connect("/ws") as ann_ws,
        client.websocket_connect("/ws") as bob_tab1,
        client.websocket_connect("/ws") as bob_tab2,
        client.websocket_connect("/ws") as cai_ws,
    ):
        join_stream(ann_ws, ann.token, circle)
        for ws, who in ((bob_tab1, bob), (bob_tab2, bob), (cai_ws, cai)):
            hello(ws, who.token)
        said = _say(ann_ws, circle, "@小明 明天交作业", "n1")
        pushed = [wait_for(ws, "notification") for ws in (bob_tab1, bob_tab2)]
        assert pushed[0] == pushed[1]
        note = pushed[0]
        assert note["unread"] == 1
        assert note["notification"]["kind"] == "mention"
        assert note["notification"]["about"] == {
            "circle": circle,
            "group": circle,
            "seq": said["seq"],
            "excerpt": "@小明 明天交作业",
            "actor": {"id": ann.id, "name": "王老师"},
        }
        assert not [f for f in frames_until_pong(cai_ws, "c") if f["t"] == "notification"]
        assert not [f for f in frames_until_pong(ann_ws, "a") if f["t"] == "notification"]
        # The message carries its mentions.
        history = client.get(f"{API}/circles/{circle}/messages", headers=ann.auth).json()
        assert history["messages"][-1]["mentions"] == [{"id": bob.id, "name": "小明"}]

        # A reply notifies bob too; his inbox pages newest first, with the count.
        asked = _say(bob_tab1, circle, "几点交吗", "b1")
        _say(ann_ws, circle, "中午前", "n2", reply_to=asked["seq"])
        # Replying to one's own message notifies no one.
        _say(ann_ws, circle, "还有一件事", "n3", reply_to=said["seq"])
        inbox = client.get(f"{API}/me/notifications", headers=bob.auth).json()
        assert [n["kind"] for n in inbox["notifications"]] == ["reply", "mention"]
        assert inbox["unread"] == 2 and inbox["more"] is False
        first, second = inbox["notifications"][1]["id"], inbox["notifications"][0]["id"]
        # The catch-up: after the last id a client has.
        after = client.get(f"{API}/me/notifications?after={first}", headers=bob.auth).json()
        assert [n["id"] for n in after["notifications"]] == [second]
        older = client.get(f"{API}/me/notifications?before={second}", headers=bob.auth).json()
        assert [n["id"] for n in older["notifications"]] == [first]

        # Marking one read in one tab: the other hears it, with the count.
        r = client.post(f"{API}/me/notifications/{first}/read", headers=bob.auth)
        assert r.status_code == 200 and r.json() == {"unread": 1}
        read = wait_for(bob_tab2, "notifications_read")
        assert read == {"t": "notifications_read", "ids": [first], "up_to": None, "unread": 1}
        # Cai cannot read bob's.
        r = client.post(f"{API}/me/notifications/read", json={"ids": [second]}, headers=cai.auth)
        assert r.json() == {"unread": 0}
        assert client.get(f"{API}/me/notifications/unread", headers=bob.auth).json() == {
            "unread": 1
        }
        r = client.post(f"{API}/me/notifications/read", json={"up_to": second}, headers=bob.auth)
        assert r.json() == {"unread": 0}


def test_bad_requests_get_a_clear_400(client: TestClient, signup) -> None:
    ann = signup("ann")
    for url in (
        "/me/notifications?before=1&after=2",
        "/me/notifications?limit=0",
        "/me/notifications?limit=201",
        "/me/notifications?after=x",
    ):
        r = client.get(API + url, headers=ann.auth)
        assert r.status_code == 400, url
        assert r.json()["error"]["code"] == "bad_request"
    for body in ({"ids": "1"}, {"up_to": True}, {"ids": [1], "up_to": 2}, {"all": True}):
        r = client.post(f"{API}/me/notifications/read", json=body, headers=ann.auth)
        assert r.status_code == 400, body
    r = client.post(f"{API}/me/notifications/abc/read", headers=ann.auth)
    assert r.status_code == 400
    assert client.get(f"{API}/me/notifications").status_code == 401


def test_settings_are_the_members_own(client: TestClient, signup, make_circle) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)["id"]
    assert client.post(f"{API}/circles/{circle}/join", headers=bob.auth).status_code == 200
    url = f"{API}/me/notifications/settings"
    assert client.get(url, headers=bob.auth).json()["circles"] == {}
    body = {
        "circles": {circle: "none"},
        "quiet_from": "22:30",
        "quiet_to": "07:00",
        "time_zone": "Asia/Shanghai",
        "language": "en",
    }
    r = client.patch(url, json=body, headers=bob.auth)
    assert r.status_code == 200, r.text
    assert r.json()["circles"] == {circle: "none"} and r.json()["quiet_from"] == "22:30"
    assert client.get(url, headers=ann.auth).json()["circles"] == {}
    bad = client.patch(url, json={"language": "fr"}, headers=bob.auth)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
    # Muted circle: a mention makes nothing.
    with client.websocket_connect("/ws") as ann_ws:
        join_stream(ann_ws, ann.token, circle)
        _say(ann_ws, circle, "@Bob hi", "m1")
    assert client.get(f"{API}/me/notifications", headers=bob.auth).json()["notifications"] == []
