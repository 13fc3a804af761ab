"""Media keys (server/api/media_keys.py, server/media/keys.py): what <img> and
<video> tags send instead of the bearer token, and the cache headers of media.
The whole app in-process; requests made the way a tag makes them: no
Authorization header, the key in the URL."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

import pytest
from PIL import Image
from starlette.testclient import TestClient

from server.media import keys
from store import token_hash
from tests.server.conftest import Account

API = "/api/v1"
TTL = 12 * 3600


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 90, 200)).save(out, "PNG")
    return out.getvalue()


def upload(client: TestClient, circle: dict, who: Account) -> dict:
    answer = client.post(
        f"{API}/circles/{circle['id']}/uploads",
        params={"name": "photo.png"},
        content=png(),
        headers={**who.auth, "Content-Type": "application/octet-stream"},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def media_key(client: TestClient, who: Account) -> dict:
    answer = client.get(f"{API}/media/key", headers=who.auth)
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return answer.json()


def as_tag(client: TestClient, url: str, key: str):
    """GET ``url`` as an <img> would: cookies of no use, no Authorization."""
    return client.get(url, params={"key": key})


@pytest.fixture
def private_room(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> tuple[dict, Account, Account]:
    """ann's private circle with a photo in it, and cai, who is not a member."""
    ann, cai = signup("ann"), signup("cai")
    circle = make_circle(ann, "Family", visibility="private")
    return upload(client, circle, ann), ann, cai


def test_a_members_key_loads_the_file_and_the_thumb_without_a_token(
    client: TestClient, private_room
) -> None:
    photo, ann, _ = private_room
    answer = media_key(client, ann)
    now_ms = time.time() * 1000
    # Handed out with half the TTL to a full TTL left; renewed half a TTL before it ends.
    assert now_ms + TTL * 500 - 1000 <= answer["expires"] <= now_ms + TTL * 1000
    assert answer["renew"] == answer["expires"] - TTL * 500
    got = as_tag(client, photo["url"], answer["key"])
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    assert got.headers["cache-control"] == "private, max-age=3600"
    thumb = as_tag(client, photo["thumb_url"], answer["key"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    head = client.head(photo["url"], params={"key": answer["key"]})
    assert head.status_code == 200 and head.headers["content-length"] == str(photo["size"])
    seek = client.get(photo["url"], params={"key": answer["key"]}, headers={"Range": "bytes=0-9"})
    assert seek.status_code == 206 and len(seek.content) == 10
    # The same key for the whole window: the URLs a page builds stay the same.
    assert media_key(client, ann)["key"] == answer["key"]


def test_a_non_members_key_finds_no_such_attachment(client: TestClient, private_room) -> None:
    photo, _, cai = private_room
    key = media_key(client, cai)["key"]
    for url in (photo["url"], photo["thumb_url"], f"{API}/attachments/nope"):
        got = as_tag(client, url, key)
        assert got.status_code == 404, url
        assert got.json()["error"]["code"] == "not_found"


def reason(response) -> str:
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthenticated"
    return str(response.json()["error"]["reason"])


def session_of(client: TestClient, who: Account) -> str:
    sessions = client.get(f"{API}/me/sessions", headers=who.auth).json()["sessions"]
    return next(s["id"] for s in sessions if s["current"])


def test_an_expired_key_is_refused(client: TestClient, private_room) -> None:
    photo, ann, _ = private_room
    # Signed as the server signs, with the session's own secret, but a second ago.
    past = keys.sign(session_of(client, ann), token_hash(ann.token), int(time.time()) - 1)
    assert reason(as_tag(client, photo["url"], past)) == "media_key_expired"
    assert reason(as_tag(client, photo["thumb_url"], past)) == "media_key_expired"


def test_a_tampered_or_malformed_key_is_refused(client: TestClient, private_room) -> None:
    photo, ann, cai = private_room
    key = media_key(client, ann)["key"]
    session, expires, signature = key.split(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    later = f"{session}.{int(expires) + 60}.{signature}"
    far = keys.sign(session, token_hash(ann.token), int(expires) + 3 * TTL)  # past any TTL
    cais = media_key(client, cai)["key"].split(".")[0]
    for bad in (
        f"{session}.{expires}.{flipped}",
        later,
        far,
        f"{cais}.{expires}.{signature}",  # someone else's session
        "",
        "x" * 5000,
        "a.b.c",
        key + ".",
    ):
        assert reason(as_tag(client, photo["url"], bad)) == "media_key_invalid", bad


def test_ending_the_session_ends_its_keys(
    client: TestClient, private_room, signup: Callable[..., Account]
) -> None:
    photo, ann, _ = private_room
    key = media_key(client, ann)["key"]
    assert client.post(f"{API}/auth/logout", headers=ann.auth).status_code == 204
    assert reason(as_tag(client, photo["url"], key)) == "media_key_invalid"
    # Ended from another device's sessions list: the same.
    login = client.post(
        f"{API}/auth/login", json={"handle": "ann", "password": "correct horse"}
    ).json()
    phone = Account(ann.id, "ann", ann.name, login["token"])
    laptop_login = client.post(
        f"{API}/auth/login", json={"handle": "ann", "password": "correct horse"}
    ).json()
    laptop = Account(ann.id, "ann", ann.name, laptop_login["token"])
    phone_key = media_key(client, phone)["key"]
    assert as_tag(client, photo["url"], phone_key).status_code == 200
    ended = client.delete(f"{API}/me/sessions/{session_of(client, phone)}", headers=laptop.auth)
    assert ended.status_code == 204
    assert reason(as_tag(client, photo["url"], phone_key)) == "media_key_invalid"


def test_a_key_authenticates_nothing_but_media(client: TestClient, private_room) -> None:
    photo, ann, _ = private_room
    key = media_key(client, ann)["key"]
    for path in ("/me", "/me/circles", "/media/key", f"/circles/{photo['circle']}/posts"):
        answer = client.get(f"{API}{path}", params={"key": key})
        assert answer.status_code == 401, path
    # Nor as a bearer token.
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 401


def test_the_bearer_token_still_works_and_wins_over_a_key(client: TestClient, private_room) -> None:
    photo, ann, _ = private_room
    assert client.get(photo["url"], headers=ann.auth).status_code == 200
    bad = client.get(photo["url"], params={"key": "a.1.b"}, headers=ann.auth)
    assert bad.status_code == 200
    assert client.get(photo["url"]).status_code == 401  # neither


def test_a_public_circles_media_is_cached_for_good(client: TestClient, room) -> None:
    circle, ann, bob = room
    photo = upload(client, circle, bob)
    key = media_key(client, ann)["key"]
    for url in (photo["url"], photo["thumb_url"]):
        got = as_tag(client, url, key)
        assert got.status_code == 200
        assert got.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_the_window_follows_the_ttl() -> None:
    """A 10-minute TTL hands out keys with 5 to 10 minutes left."""
    assert keys.window_s(600) == 300
    now = 1_000_000_123
    assert keys.expiry(now, 600) == 1_000_000_500 and keys.renew_at(1_000_000_500, 600) == (
        1_000_000_200
    )
    for t in range(now, now + 700, 7):
        assert 300 < keys.expiry(t, 600) - t <= 600
