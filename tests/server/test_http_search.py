"""Search over HTTP (server/api/search.py): GET /circles/{id}/search finds 作业
and English words with their marks, pages with `next`; `posts?q=` filters the
feed through the same search; a private circle answers a non-member 404; bad
input is a 400, never a 500."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.server.conftest import Account

API = "/api/v1"


def say(client: TestClient, circle: dict, who: Account, text: str) -> int:
    chat = client.app.state.node.store.chat  # type: ignore[attr-defined]
    message, _ = client.portal.call(chat.say, circle["id"], who.id, who.name, text, f"n-{text}")  # type: ignore[union-attr]
    return int(message["seq"])


def search(client: TestClient, circle: dict, who: Account, **params):
    return client.get(f"{API}/circles/{circle['id']}/search", params=params, headers=who.auth)


@pytest.fixture
def people(client: TestClient, signup, make_circle) -> tuple[dict, Account, Account]:
    """ann owns a public circle; bob is a member."""
    ann, bob = signup("ann"), signup("bob", "鲍勃")
    circle = make_circle(ann, "舞蹈班")
    assert client.post(f"{API}/circles/{circle['id']}/join", headers=bob.auth).status_code == 200
    return circle, ann, bob


def test_search_finds_chinese_and_english_with_marks(client: TestClient, people) -> None:
    circle, ann, bob = people
    seq = say(client, circle, bob, "今天的作业是跳舞")
    say(client, circle, bob, "The price list is out")
    answer = search(client, circle, ann, q="作业")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["next"] is None
    assert body["results"] == [
        {
            "kind": "message",
            "circle": circle["id"],
            "group": circle["id"],
            "seq": seq,
            "author": {"id": bob.id, "name": "鲍勃"},
            "ts": body["results"][0]["ts"],
            "snippet": "今天的作业是跳舞",
            "marks": [[3, 5]],
        }
    ]
    english = search(client, circle, ann, q="Price li").json()["results"]
    assert [(r["snippet"], r["marks"]) for r in english] == [
        ("The price list is out", [[4, 9], [10, 12]])
    ]


def test_search_pages(client: TestClient, people) -> None:
    circle, ann, _ = people
    for i in range(5):
        say(client, circle, ann, f"直播 {i}")
    seen: list[int] = []
    params = {"q": "直播", "limit": "2"}
    while True:
        body = search(client, circle, ann, **params).json()
        assert len(body["results"]) <= 2
        seen += [r["seq"] for r in body["results"]]
        if body["next"] is None:
            break
        params["cursor"] = body["next"]
    assert sorted(seen) == [1, 2, 3, 4, 5] and len(seen) == 5


def test_posts_q_filters_the_feed(client: TestClient, people) -> None:
    circle, ann, bob = people
    url = f"{API}/circles/{circle['id']}/posts"
    match = client.post(url, json={"kind": "post", "text": "本周直播安排"}, headers=ann.auth).json()
    client.post(url, json={"kind": "post", "text": "别的事"}, headers=ann.auth)
    found = client.get(url, params={"q": "直播"}, headers=bob.auth)
    assert found.status_code == 200, found.text
    assert [p["id"] for p in found.json()["posts"]] == [match["id"]]
    assert found.json()["next"] is None
    assert len(client.get(url, headers=bob.auth).json()["posts"]) == 2
    both = client.get(url, params={"q": "直播", "since": "0"}, headers=bob.auth)
    assert both.status_code == 400


def test_a_private_circle_is_404_to_a_non_member(client: TestClient, signup, make_circle) -> None:
    ann, eve = signup("ann"), signup("eve")
    circle = make_circle(ann, "密室", visibility="private")
    say(client, circle, ann, "作业")
    assert search(client, circle, ann, q="作业").json()["results"]
    answer = search(client, circle, eve, q="作业")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "x" * 101},
        {"q": "tea", "kind": "homework"},
        {"q": "tea", "cursor": "garbage"},
        {"q": "tea", "limit": "0"},
        {"q": "tea", "limit": "51"},
        {"q": "tea\x00"},
    ],
)
def test_bad_input_is_a_400(client: TestClient, people, params: dict) -> None:
    circle, ann, _ = people
    answer = search(client, circle, ann, **params)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "bad_request"
