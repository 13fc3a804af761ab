"""Accounts over HTTP: signup, login, logout, me."""

from __future__ import annotations

from starlette.testclient import TestClient

API = "/api/v1"


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    # A refusal may add its finer `reason` (and `params`): the contract's shape plus those.
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "reason", "params"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def test_signup_returns_token_and_user(client: TestClient) -> None:
    body = {"handle": "ann", "password": "correct horse", "name": "Ann"}
    response = client.post(f"{API}/auth/signup", json=body)
    assert response.status_code == 201
    data = response.json()
    assert isinstance(data["token"], str) and data["token"]
    assert data["user"]["handle"] == "ann"
    assert data["user"]["name"] == "Ann"
    assert isinstance(data["user"]["id"], str)


def test_signup_with_a_taken_handle_is_a_conflict(client: TestClient, signup) -> None:
    signup("ann")
    body = {"handle": "ann", "password": "another one", "name": "Other Ann"}
    assert_error(client.post(f"{API}/auth/signup", json=body), 409, "conflict")


def test_signup_rules_of_the_store_are_bad_requests(client: TestClient) -> None:
    short = {"handle": "ann", "password": "short", "name": "Ann"}
    assert_error(client.post(f"{API}/auth/signup", json=short), 400, "bad_request")
    bad_handle = {"handle": "A n n!", "password": "correct horse", "name": "Ann"}
    assert_error(client.post(f"{API}/auth/signup", json=bad_handle), 400, "bad_request")


def test_login_gives_a_working_token(client: TestClient, signup) -> None:
    ann = signup("ann")
    response = client.post(f"{API}/auth/login", json={"handle": "ann", "password": "correct horse"})
    assert response.status_code == 200
    data = response.json()
    assert data["user"]["id"] == ann.id
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {data['token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == ann.id


def test_login_with_a_wrong_password_or_handle_is_unauthenticated(
    client: TestClient, signup
) -> None:
    signup("ann")
    wrong = {"handle": "ann", "password": "wrong horse"}
    assert_error(client.post(f"{API}/auth/login", json=wrong), 401, "unauthenticated")
    nobody = {"handle": "nobody", "password": "correct horse"}
    assert_error(client.post(f"{API}/auth/login", json=nobody), 401, "unauthenticated")


def test_logout_revokes_only_that_token(client: TestClient, signup) -> None:
    ann = signup("ann")
    login = client.post(f"{API}/auth/login", json={"handle": "ann", "password": "correct horse"})
    other = {"Authorization": f"Bearer {login.json()['token']}"}
    response = client.post(f"{API}/auth/logout", headers=ann.auth)
    assert response.status_code == 204
    assert response.content == b""
    assert_error(client.get(f"{API}/me", headers=ann.auth), 401, "unauthenticated")
    assert_error(client.post(f"{API}/auth/logout", headers=ann.auth), 401, "unauthenticated")
    assert client.get(f"{API}/me", headers=other).status_code == 200


def test_no_or_bad_authorization_is_unauthenticated(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"}):
        response = client.get(f"{API}/me", headers=headers)
        assert_error(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"] == "Bearer"
    assert_error(
        client.get(f"{API}/me", headers={"Authorization": "Bearer not-a-token"}),
        401,
        "unauthenticated",
    )
    for path in ("/me/circles", "/circles", "/circles/x", "/circles/x/messages"):
        assert_error(client.get(f"{API}{path}"), 401, "unauthenticated")


def test_get_and_patch_me(client: TestClient, signup) -> None:
    ann = signup("ann")
    assert client.get(f"{API}/me", headers=ann.auth).json() == {
        "id": ann.id,
        "handle": "ann",
        "name": "Ann",
    }
    response = client.patch(f"{API}/me", json={"name": "Ann Lee"}, headers=ann.auth)
    assert response.status_code == 200
    assert response.json()["name"] == "Ann Lee"
    assert client.get(f"{API}/me", headers=ann.auth).json()["name"] == "Ann Lee"
    # No field: nothing changes.
    assert client.patch(f"{API}/me", json={}, headers=ann.auth).json()["name"] == "Ann Lee"
    assert_error(client.patch(f"{API}/me", json={"name": 5}, headers=ann.auth), 400, "bad_request")
    assert_error(client.patch(f"{API}/me", json={"name": ""}, headers=ann.auth), 400, "bad_request")


def test_me_circles_carries_role_nickname_and_counts(
    client: TestClient, signup, make_circle
) -> None:
    ann, bob = signup("ann"), signup("bob")
    assert client.get(f"{API}/me/circles", headers=ann.auth).json() == {"circles": []}
    circle = make_circle(ann, "Readers")
    client.post(f"{API}/circles/{circle['id']}/join", headers=bob.auth)
    client.patch(
        f"{API}/circles/{circle['id']}/members/{bob.id}", json={"nickname": "B"}, headers=bob.auth
    )
    mine = client.get(f"{API}/me/circles", headers=bob.auth).json()["circles"]
    assert len(mine) == 1
    entry = mine[0]
    assert entry["id"] == circle["id"] and entry["name"] == "Readers"
    assert entry["role"] == "member"
    assert entry["nickname"] == "B"
    assert entry["unread"] == 0
    assert entry["must_read_pending"] == 0
    owner_entry = client.get(f"{API}/me/circles", headers=ann.auth).json()["circles"][0]
    assert owner_entry["role"] == "owner"


def test_a_signup_handle_is_the_documented_form_in_either_case(client: TestClient) -> None:
    upper = {"handle": "Ann", "password": "correct horse", "name": "Ann"}
    response = client.post(f"{API}/auth/signup", json=upper)
    assert response.status_code == 201
    assert response.json()["user"]["handle"] == "ann"
    for handle in (" bob ", "\u212aate", "bo"):  # spaces, a Kelvin sign, too short
        body = {"handle": handle, "password": "correct horse", "name": "Bob"}
        assert_error(client.post(f"{API}/auth/signup", json=body), 400, "bad_request")


def test_a_null_field_is_bad_input_not_left_out(client: TestClient, signup) -> None:
    ann = signup("ann")
    response = client.patch(f"{API}/me", json={"name": None}, headers=ann.auth)
    assert_error(response, 400, "bad_request")
    assert client.get(f"{API}/me", headers=ann.auth).json()["name"] == "Ann"


def _reason(response, status: int, reason: str, params: dict | None = None) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["reason"] == reason, error
    assert error.get("params") == params, error


def test_signup_refusals_carry_a_reason_a_client_translates(client: TestClient, signup) -> None:
    def try_signup(handle: str, password: str = "correct horse", name: str = "Ann"):
        body = {"handle": handle, "password": password, "name": name}
        return client.post(f"{API}/auth/signup", json=body)

    bounds = {"min": 3, "max": 32}
    _reason(try_signup("张三"), 400, "handle_invalid", bounds)
    _reason(try_signup("ab"), 400, "handle_invalid", bounds)
    _reason(try_signup("ann", password="short"), 400, "password_too_short", {"min": 8})
    _reason(try_signup("ann", name="   "), 400, "name_required")
    _reason(try_signup("ann", name="x" * 65), 400, "name_too_long", {"max": 64})
    _reason(try_signup("ann", name="A\u0007nn"), 400, "name_invalid")
    signup("ann")
    _reason(try_signup("ANN"), 409, "handle_taken")


def test_a_chinese_display_name_and_a_phone_like_login_name_sign_up(client: TestClient) -> None:
    body = {"handle": "13800138000", "password": "correct horse", "name": "张云妮 🌸"}
    response = client.post(f"{API}/auth/signup", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["user"]["name"] == "张云妮 🌸"
    login = client.post(
        f"{API}/auth/login", json={"handle": "13800138000", "password": "correct horse"}
    )
    assert login.status_code == 200


def test_login_refusals_say_one_reason_for_a_wrong_handle_and_a_wrong_password(
    client: TestClient, signup
) -> None:
    signup("ann")
    wrong = client.post(f"{API}/auth/login", json={"handle": "ann", "password": "wrong horse"})
    _reason(wrong, 401, "login_failed")
    nobody = client.post(f"{API}/auth/login", json={"handle": "nob", "password": "wrong horse"})
    _reason(nobody, 401, "login_failed")


def test_a_wrong_old_password_says_so(client: TestClient, signup) -> None:
    ann = signup("ann")
    body = {"old_password": "not the one", "new_password": "battery staple"}
    _reason(client.post(f"{API}/me/password", json=body, headers=ann.auth), 403, "password_wrong")
    short = {"old_password": "correct horse", "new_password": "short"}
    response = client.post(f"{API}/me/password", json=short, headers=ann.auth)
    _reason(response, 400, "password_too_short", {"min": 8})
