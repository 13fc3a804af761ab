"""Media keys: a short-lived, read-only credential for media URLs (README.md, "Media").

An ``<img>`` or ``<video>`` tag cannot send the bearer token, so a client asks
for a key (``GET /api/v1/media/key``) and appends it to attachment URLs as
``?key=``. A key is ``<session id>.<expiry, s>.<signature>``, the signature
HMAC-SHA256 of the session id and expiry keyed by the session's stored token
hash: no secret besides what the database already holds (every node checks a
key any node made), and ending the session (logout, the sessions list, a new
password) ends its keys.

Expiries fall on window boundaries (half the TTL): the key stays the same for
a whole window, so the URLs a client builds in that time are the same and the
browser's cache hits; a key handed out has between half the TTL and the TTL
left. Pure functions: the route and the check are in server/api/media_keys.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

# Session ids are new_id()'s (12 url-safe characters); 64 is far past any made.
_KEY = re.compile(
    r"(?P<session>[A-Za-z0-9_-]{1,64})\.(?P<expires>[1-9][0-9]{0,11})\.[A-Za-z0-9_-]{43}"
)
# Keeps a media key's signature from meaning anything else signed with the hash.
_LABEL = b"quanzi media key v1\n"


@dataclass(frozen=True)
class MediaKey:
    session: str
    expires: int  # seconds since the epoch
    text: str  # the key as given


def window_s(ttl_s: int) -> int:
    """How long one key is handed out for: half the TTL (at least a second)."""
    return max(1, ttl_s // 2)


def expiry(now_s: float, ttl_s: int) -> int:
    """The expiry of a key made at ``now_s``: the end of the window after the
    current one, so between half the TTL and the TTL away."""
    window = window_s(ttl_s)
    return (int(now_s) // window + 2) * window


def renew_at(expires: int, ttl_s: int) -> int:
    """When a client should fetch the next key (seconds): its window's end."""
    return expires - window_s(ttl_s)


def sign(session_id: str, secret: str, expires: int) -> str:
    message = _LABEL + f"{session_id}.{expires}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    signature = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return f"{session_id}.{expires}.{signature}"


def parse(text: str) -> MediaKey | None:
    """The key's parts, or None for anything that is not a key."""
    match = _KEY.fullmatch(text)
    if match is None:
        return None
    return MediaKey(match["session"], int(match["expires"]), text)


def genuine(key: MediaKey, secret: str) -> bool:
    """Whether the key was signed with the session's secret (constant time)."""
    return hmac.compare_digest(sign(key.session, secret, key.expires), key.text)


__all__ = ["MediaKey", "expiry", "genuine", "parse", "renew_at", "sign", "window_s"]
