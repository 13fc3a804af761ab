"""Accounts: signup, login, logout, the caller's own user, sessions and password.

Signups and logins are limited per IP; failed logins slow down the next ones of
their account and IP (`server/login_backoff.py`) before any password is hashed.

Whatever ends sessions hands their token hashes to ``Node.token_revoked``, which
closes their sockets on every node (the store keeps only hashes).
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.auth import authenticate, node_of
from server.api.errors import ApiError
from server.api.inputs import get_str, json_body
from server.api.responses import created, no_content, ok, route
from server.api.throttle import throttle, too_many
from server.client_address import client_ip
from store import Unauthenticated, token_hash

# argon2 hashes whatever it is given; a bound keeps a login from costing megabytes.
PASSWORD_MAX = 1024
# What a new handle may be, as the OpenAPI document says: the store's form
# (store.accounts.HANDLE_RE) in either case. ASCII only: a case-insensitive
# Unicode match would let "\u212a" (Kelvin sign) in as "k".
SIGNUP_HANDLE = re.compile(r"[A-Za-z0-9_.-]{3,32}", re.ASCII)


async def signup(request: Request) -> Response:
    body = await json_body(request)
    handle = get_str(body, "handle", required=True, max_len=64)
    if handle is not None and not SIGNUP_HANDLE.fullmatch(handle):
        raise ApiError(
            "bad_request",
            "handle must be 3 to 32 of a-z, 0-9, '_', '.', '-'",
            reason="handle_invalid",
            params={"min": 3, "max": 32},
        )
    password = get_str(body, "password", required=True, max_len=PASSWORD_MAX)
    name = get_str(body, "name", required=True, max_len=200)
    node = node_of(request)
    await throttle(
        node.limits.signups,
        client_ip(request.scope),
        "too many signups from this address",
        "too_many_signups",
    )
    token, user = await node.store.accounts.signup(handle, password, name)
    return created({"token": token, "user": user})


async def login(request: Request) -> Response:
    body = await json_body(request)
    handle = get_str(body, "handle", required=True, max_len=64)
    password = get_str(body, "password", required=True, max_len=PASSWORD_MAX)
    node = node_of(request)
    ip = client_ip(request.scope)
    await throttle(node.limits.logins, ip, "too many logins from this address", "too_many_logins")
    account = (handle or "").strip().lower()
    failures = node.limits.login_failures
    wait = await failures.wait(account, ip)
    if wait:
        raise too_many(wait, "too many failed logins: wait before trying again", "login_wait")
    try:
        token, user = await node.store.accounts.login(handle, password)
    except Unauthenticated:
        await failures.failed(account, ip)
        raise
    await failures.succeeded(account, ip)
    return ok({"token": token, "user": user})


async def logout(request: Request) -> Response:
    _, token = await authenticate(request)
    node = node_of(request)
    await node.store.accounts.logout(token)
    await node.token_revoked(token_hash(token))
    return no_content()


async def logout_everywhere(request: Request) -> Response:
    user, _ = await authenticate(request)
    node = node_of(request)
    await node.token_revoked(*await node.store.accounts.end_sessions(user["id"]))
    return no_content()


async def my_sessions(request: Request) -> Response:
    user, token = await authenticate(request)
    sessions = await node_of(request).store.accounts.sessions(user["id"], token)
    return ok({"sessions": sessions})


async def end_session(request: Request) -> Response:
    user, _ = await authenticate(request)
    node = node_of(request)
    ended = await node.store.accounts.end_session(user["id"], request.path_params["id"])
    await node.token_revoked(ended)
    return no_content()


async def change_password(request: Request) -> Response:
    user, token = await authenticate(request)
    body = await json_body(request)
    old = get_str(body, "old_password", required=True, max_len=PASSWORD_MAX)
    new = get_str(body, "new_password", required=True, max_len=PASSWORD_MAX)
    node = node_of(request)
    ended = await node.store.accounts.change_password(user["id"], token, old, new)
    await node.token_revoked(*ended)
    return no_content()


async def get_me(request: Request) -> Response:
    user, _ = await authenticate(request)
    return ok(user)


async def patch_me(request: Request) -> Response:
    user, _ = await authenticate(request)
    body = await json_body(request)
    name = get_str(body, "name", max_len=200)
    if name is not None:
        user = await node_of(request).store.accounts.update_user(user["id"], name)
    return ok(user)


async def my_circles(request: Request) -> Response:
    user, _ = await authenticate(request)
    circles = await node_of(request).store.circles.my_circles(user["id"])
    return ok({"circles": circles})


routes = [
    Route("/auth/signup", signup, methods=["POST"]),
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route("/auth/logout-everywhere", logout_everywhere, methods=["POST"]),
    route("/me", get=get_me, patch=patch_me),
    Route("/me/circles", my_circles, methods=["GET"]),
    route("/me/sessions", get=my_sessions, delete=logout_everywhere),
    Route("/me/sessions/{id}", end_session, methods=["DELETE"]),
    Route("/me/password", change_password, methods=["POST"]),
]
