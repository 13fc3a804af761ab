"""A circle that hides its history from newcomers hides it from stars over /ws
and from vetoes over HTTP as well: the answer for a message said before the
member joined is the one for a message that does not exist."""

from __future__ import annotations

from starlette.testclient import TestClient

API = "/api/v1"


def say(client: TestClient, circle: dict, who, text: str) -> int:
    chat = client.app.state.node.store.chat
    message, _ = client.portal.call(chat.say, circle["id"], who.id, who.name, text, f"n-{text}")
    return int(message["seq"])


def hide_history(client: TestClient, circle: dict, owner) -> None:
    body = {"history_for_new_members": False}
    response = client.patch(f"{API}/circles/{circle['id']}", json=body, headers=owner.auth)
    assert response.status_code == 200, response.text


def request(ws, frame: dict) -> dict:
    ws.send_json(frame)
    while (reply := ws.receive_json()).get("id") != frame["id"]:
        pass  # pushes (events of the circle) are not the answer
    return reply


def test_a_newcomer_s_star_of_hidden_chat_is_answered_as_for_missing_chat(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)
    hide_history(client, circle, ann)
    old = say(client, circle, ann, "before bob")
    client.post(f"{API}/circles/{circle['id']}/join", headers=bob.auth)
    with client.websocket_connect("/ws") as ws:
        assert request(ws, {"t": "hello", "id": 1, "token": bob.token})["t"] == "welcome"
        answers = {}
        for t in ("star", "unstar"):
            for name, seq in (("hidden", old), ("missing", old + 100)):
                reply = request(
                    ws, {"t": t, "id": f"{t}-{name}", "circle": circle["id"], "seq": seq}
                )
                answers[t, name] = {k: v for k, v in reply.items() if k != "id"}
        assert answers["star", "hidden"] == answers["star", "missing"]
        assert answers["unstar", "hidden"] == answers["unstar", "missing"]
        assert answers["star", "hidden"]["t"] == "error"
        assert answers["star", "hidden"]["code"] == "not_found"
        # What was said after bob joined is his to star.
        later = say(client, circle, ann, "after bob")
        reply = request(ws, {"t": "star", "id": "later", "circle": circle["id"], "seq": later})
        assert (reply["t"], reply["stars"]) == ("ok", 1)


def test_a_veto_of_hidden_chat_by_a_later_admin_is_answered_as_for_missing_chat(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann)
    hide_history(client, circle, ann)
    old = say(client, circle, ann, "before bob")
    client.post(f"{API}/circles/{circle['id']}/join", headers=bob.auth)
    member = f"{API}/circles/{circle['id']}/members/{bob.id}"
    assert client.patch(member, json={"role": "admin"}, headers=ann.auth).status_code == 200
    hidden = f"{API}/circles/{circle['id']}/messages/{old}/veto"
    missing = f"{API}/circles/{circle['id']}/messages/{old + 100}/veto"
    for method in ("put", "delete"):
        refused = getattr(client, method)(hidden, headers=bob.auth)
        assert refused.status_code == 404, refused.text
        assert refused.json() == getattr(client, method)(missing, headers=bob.auth).json()
    # The owner who was there when it was said may veto it.
    assert client.put(hidden, headers=ann.auth).status_code == 204
