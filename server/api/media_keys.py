"""Media keys over HTTP (README.md, "Media"; the keys themselves: server/media/keys.py).

``GET /media/key`` hands the caller's session its current key. ``media_reader``
is who reads an attachment: the bearer token when ``Authorization`` is sent,
else the ``key`` query parameter. Only the attachment routes call it: a key
authenticates nothing else.
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.errors import ApiError
from server.api.responses import ok, route
from server.media import keys
from store import Record, Unauthenticated, token_hash

# A key is a credential: no cache keeps the answer that carries it.
_NO_STORE = {"Cache-Control": "no-store"}


async def media_key(request: Request) -> Response:
    """GET /media/key: ``{key, expires, renew}`` (ms) for the caller's session."""
    _, token = await authenticate(request)
    node = node_of(request)
    ttl = node.settings.media_key_ttl_s
    session_id = await node.store.accounts.session_id(token)
    expires = keys.expiry(time.time(), ttl)
    answer = {
        "key": keys.sign(session_id, token_hash(token), expires),
        "expires": expires * 1000,
        "renew": keys.renew_at(expires, ttl) * 1000,
    }
    response = ok(answer)
    response.headers.update(_NO_STORE)
    return response


def _refused(reason: str = "media_key_invalid", message: str = "not a valid media key") -> ApiError:
    return ApiError("unauthenticated", message, {"WWW-Authenticate": "Bearer"}, reason=reason)


async def media_reader(request: Request) -> Record:
    """The user reading an attachment: by bearer token, or by media key. 401
    ``media_key_expired`` for a key past its time, ``media_key_invalid`` for one
    that is malformed, forged, or of a session that ended."""
    text = request.query_params.get("key")
    if "authorization" in request.headers or text is None:
        user, _ = await authenticate(request)
        return user
    key = keys.parse(text)
    if key is None:
        raise _refused()
    node, now = node_of(request), time.time()
    if key.expires <= now:
        raise _refused("media_key_expired", "this media key has expired: fetch a new one")
    if key.expires > now + node.settings.media_key_ttl_s:
        raise _refused()  # made under a longer TTL than today's
    try:
        user, secret = await node.store.accounts.session_by_id(key.session)
    except Unauthenticated:
        raise _refused() from None
    if not keys.genuine(key, secret):
        raise _refused()
    return user


routes = [route("/media/key", get=media_key)]

__all__ = ["media_reader", "routes"]
