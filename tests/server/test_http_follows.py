"""Following over HTTP: follow and unfollow (idempotent), who may, the managers'
follower list (pages, name search in any script), the caller's followed circles,
and what circles say of it (`follower_count`, `following`)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from tests.server.conftest import Account

API = "/api/v1"


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    return dict(response.json()["error"])


def test_follow_unfollow_and_what_circles_say(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    olga, fan = signup("olga"), signup("fan", "粉丝")
    circle = make_circle(olga, "Creator")
    path = f"{API}/circles/{circle['id']}/follow"
    assert circle["follower_count"] == 0
    for _ in range(2):  # idempotent
        answer = client.post(path, headers=fan.auth)
        assert answer.status_code == 200 and answer.json() == {"following": True, "followers": 1}
    seen = client.get(f"{API}/circles/{circle['id']}", headers=fan.auth).json()
    assert seen["following"] is True and seen["follower_count"] == 1 and seen["members"] == 1
    listed = client.get(f"{API}/circles", headers=fan.auth).json()["circles"]
    assert [(c["id"], c["following"]) for c in listed] == [(circle["id"], True)]
    mine = client.get(f"{API}/me/following", headers=fan.auth).json()
    assert [c["id"] for c in mine["circles"]] == [circle["id"]] and mine["next"] is None
    # A follower is not a member: not in "my circles", not among the members. They
    # read the feed as anyone reads a public circle's; the chat stays the members'.
    assert client.get(f"{API}/me/circles", headers=fan.auth).json()["circles"] == []
    note = {"kind": "post", "text": "for the fans"}
    assert (
        client.post(f"{API}/circles/{circle['id']}/posts", json=note, headers=olga.auth).status_code
        == 201
    )
    posts = client.get(f"{API}/circles/{circle['id']}/posts", headers=fan.auth)
    assert [p["text"] for p in posts.json()["posts"]] == ["for the fans"]
    error_of(client.get(f"{API}/circles/{circle['id']}/messages", headers=fan.auth), 403)
    error_of(client.post(f"{API}/circles/{circle['id']}/posts", json=note, headers=fan.auth), 403)
    for _ in range(2):
        answer = client.delete(path, headers=fan.auth)
        assert answer.status_code == 200 and answer.json() == {"following": False, "followers": 0}
    assert client.get(f"{API}/me/following", headers=fan.auth).json()["circles"] == []
    error_of(client.post(path), 401)


def test_who_may_follow(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    olga, fan, spam = signup("olga"), signup("fan"), signup("spam")
    public = make_circle(olga, "Open")
    private = make_circle(olga, "Closed", visibility="private")
    # A private circle: the answer a non-member gets for it anyway.
    refused = error_of(client.post(f"{API}/circles/{private['id']}/follow", headers=fan.auth), 403)
    as_non_member = error_of(client.get(f"{API}/circles/{private['id']}", headers=fan.auth), 403)
    assert refused == as_non_member
    error_of(client.post(f"{API}/circles/nope/follow", headers=fan.auth), 404)
    member = error_of(client.post(f"{API}/circles/{public['id']}/follow", headers=olga.auth), 409)
    assert member["code"] == "conflict" and member["reason"] == "already_member"
    ban = client.put(f"{API}/circles/{public['id']}/bans/{spam.id}", json={}, headers=olga.auth)
    assert ban.status_code == 200, ban.text
    banned = error_of(client.post(f"{API}/circles/{public['id']}/follow", headers=spam.auth), 403)
    assert banned["reason"] == "banned"


def test_followers_page_and_search(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> None:
    olga, ada = signup("olga"), signup("ada")
    circle = make_circle(olga, "Creator")
    assert client.post(f"{API}/circles/{circle['id']}/join", headers=ada.auth).status_code == 200
    names = ["张伟", "王芳", "李娜", "Zhang Min", "Wang Lei"]
    fans = [signup(f"fan{i}", name) for i, name in enumerate(names)]
    for fan in fans:
        assert (
            client.post(f"{API}/circles/{circle['id']}/follow", headers=fan.auth).status_code == 200
        )
    path = f"{API}/circles/{circle['id']}/followers"
    # Owners and admins only: a member, a follower, a stranger get 403.
    for who in (ada, fans[0]):
        assert error_of(client.get(path, headers=who.auth), 403)["code"] == "forbidden"
    error_of(client.get(f"{API}/circles/nope/followers", headers=olga.auth), 404)
    seen, cursor = [], None
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get(path, params=query, headers=olga.auth)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["followers"]) <= 2
        seen += [f["name"] for f in body["followers"]]
        cursor = body["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(names)
    found = client.get(path, params={"q": "王"}, headers=olga.auth).json()["followers"]
    assert [f["name"] for f in found] == ["王芳"]
    found = client.get(path, params={"q": "WANG"}, headers=olga.auth).json()["followers"]
    assert [f["name"] for f in found] == ["Wang Lei"]
    assert set(found[0]) == {"user", "name", "handle", "since"}
    error_of(client.get(path, params={"limit": 201}, headers=olga.auth), 400)
    error_of(client.get(path, params={"cursor": "garbage"}, headers=olga.auth), 400)
