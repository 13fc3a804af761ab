"""What the home page reads: each circle's last message in /me/circles (by the one
access rule: hidden history stays hidden), and the invite preview a logged-out
visitor sees (a private circle only with a code that would admit)."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.server.test_http_uploads import png

API = "/api/v1"


def say(client: TestClient, circle: dict, who, text: str) -> int:
    chat = client.app.state.node.store.chat
    message, _ = client.portal.call(
        chat.say, circle["id"], who.id, who.name, text, f"n-{text[:20]}"
    )
    return int(message["seq"])


def my_circles(client: TestClient, who) -> dict[str, dict]:
    response = client.get(f"{API}/me/circles", headers=who.auth)
    assert response.status_code == 200, response.text
    return {c["id"]: c for c in response.json()["circles"]}


def code_of(client: TestClient, circle: dict, owner, **limits) -> str:
    body = {"count": 1, **limits}
    response = client.post(f"{API}/circles/{circle['id']}/codes", json=body, headers=owner.auth)
    assert response.status_code == 201, response.text
    return str(response.json()["codes"][0]["code"])


def test_my_circles_carry_the_last_message_and_the_last_activity(
    client: TestClient, signup, make_circle
) -> None:
    ann = signup("ann", "张云妮")
    quiet, busy = make_circle(ann, "读书打卡"), make_circle(ann, "周末舞蹈班")
    before = my_circles(client, ann)
    assert before[quiet["id"]]["last_message"] is None
    assert before[busy["id"]]["last_message"] is None
    say(client, busy, ann, "first")
    seq = say(client, busy, ann, "周六上午九点见 " + "x" * 300)
    mine = my_circles(client, ann)
    last = mine[busy["id"]]["last_message"]
    assert last["seq"] == seq and last["group"] == busy["id"]
    assert last["author"] == ann.id and last["author_name"] == "张云妮"
    assert last["text"].startswith("周六上午九点见 ") and len(last["text"]) == 200
    assert mine[busy["id"]]["last_activity"] == last["ts"]
    assert mine[quiet["id"]]["last_message"] is None
    assert mine[quiet["id"]]["last_activity"] >= quiet["created"]


def test_hidden_history_hides_the_last_message_from_a_newcomer(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)
    hidden = {"history_for_new_members": False}
    assert client.patch(f"{API}/circles/{circle['id']}", json=hidden, headers=ann.auth).is_success
    say(client, circle, ann, "before bob")
    assert client.post(f"{API}/circles/{circle['id']}/join", headers=bob.auth).is_success
    assert my_circles(client, bob)[circle["id"]]["last_message"] is None
    assert my_circles(client, ann)[circle["id"]]["last_message"]["text"] == "before bob"
    say(client, circle, ann, "after bob")
    assert my_circles(client, bob)[circle["id"]]["last_message"]["text"] == "after bob"


def test_the_invite_preview_shows_a_public_circle_to_anyone(
    client: TestClient, signup, make_circle
) -> None:
    ann = signup("ann")
    circle = make_circle(
        ann, "周末舞蹈班", visibility="public", kind="teaching", description="跳舞"
    )
    response = client.get(f"{API}/circles/{circle['id']}/invite")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": circle["id"],
        "name": "周末舞蹈班",
        "description": "跳舞",
        "kind": "teaching",
        "visibility": "public",
        "member_count": 1,
        "code_admits": True,
        "join_approval": False,
        "join_question": "",
    }


def test_the_invite_preview_of_a_private_circle_needs_a_code_that_admits(
    client: TestClient, signup, make_circle
) -> None:
    ann = signup("ann")
    circle = make_circle(ann, "Bakers", visibility="private")
    other = make_circle(ann, "Other", visibility="private")
    good = code_of(client, circle, ann)
    used_up = code_of(client, circle, ann, max_uses=1)
    elsewhere = code_of(client, other, ann)
    bob = signup("bob")
    body = {"code": used_up}
    assert client.post(f"{API}/circles/{circle['id']}/join", json=body, headers=bob.auth).is_success

    url = f"{API}/circles/{circle['id']}/invite"
    response = client.get(url, params={"code": good.lower()})
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Bakers" and response.json()["member_count"] == 2

    missing = client.get(f"{API}/circles/nosuchcircle/invite", params={"code": good})
    assert missing.status_code == 404
    for code in (None, "WRONGCODE", used_up, elsewhere):
        refused = client.get(url, params={} if code is None else {"code": code})
        # Exactly the answer for a circle that does not exist.
        assert refused.status_code == 404, code
        assert refused.json() == missing.json()


def test_the_last_message_names_what_it_carries(client: TestClient, signup, make_circle) -> None:
    ann = signup("ann7", "Ann")
    circle = make_circle(ann, "Photos")
    uploaded = client.post(
        f"{API}/circles/{circle['id']}/uploads?name=a.png", content=png(), headers=ann.auth
    ).json()
    store = client.app.state.node.store
    carried = client.portal.call(store.attachments.resolve, circle["id"], [uploaded["id"]])
    client.portal.call(
        lambda: store.chat.say(circle["id"], ann.id, ann.name, "", "p1", attachments=carried)
    )
    last = my_circles(client, ann)[circle["id"]]["last_message"]
    assert last["text"] == "" and last["attachment_kinds"] == ["image"]
