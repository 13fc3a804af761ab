"""The links of mails that work without signing in: unsubscribe from digests
(RFC 8058 one-click) and confirm an address. Each carries what it is for, whom
and (for a confirmation) which address and until when, signed with HMAC-SHA256
under a key the node keeps (``mail_key_file``): a link cannot be forged or
turned to another user or purpose."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import time
from urllib.parse import quote

import orjson

from .key_files import kept, path_of
from .settings import Settings

FILE_NAME = "mail-links.key"
# A confirmation link works for a week; an unsubscribe link for ever (RFC 8058:
# the mail may be read long after it was sent).
VERIFY_S = 7 * 86400
PATH = "/api/v1/mail"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class MailLinks:
    def __init__(self, key: bytes, base_url: str) -> None:
        self._key = key
        self.base_url = base_url.rstrip("/")

    @classmethod
    def load(cls, settings: Settings) -> MailLinks:
        path = path_of(settings.mail_key_file, settings.data_dir, FILE_NAME)
        return cls(kept(path, lambda: os.urandom(32)), settings.public_url)

    def token(self, purpose: str, user_id: str, address: str | None = None) -> str:
        claims: dict[str, object] = {"p": purpose, "u": user_id}
        if address is not None:
            claims["a"] = address
            claims["x"] = int(time.time()) + VERIFY_S
        body = _b64(orjson.dumps(claims))
        return f"{body}.{self._sign(body)}"

    def url(self, purpose: str, user_id: str, address: str | None = None) -> str:
        """The absolute link (``/api/v1/mail/<purpose>?token=…``)."""
        token = self.token(purpose, user_id, address)
        return f"{self.base_url}{PATH}/{purpose}?token={quote(token)}"

    def read(self, purpose: str, token: str | None) -> dict[str, object] | None:
        """The claims of a token made for ``purpose``, or None (forged, another
        purpose, expired)."""
        if not token or token.count(".") != 1 or len(token) > 2000:
            return None
        body, signature = token.split(".")
        if not hmac.compare_digest(signature, self._sign(body)):
            return None
        try:
            claims = orjson.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except (binascii.Error, ValueError, orjson.JSONDecodeError):
            return None
        if not isinstance(claims, dict) or claims.get("p") != purpose:
            return None
        expires = claims.get("x")
        if isinstance(expires, int) and expires < time.time():
            return None
        return claims

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
