"""The server's VAPID key pair (RFC 8292): it signs every Web Push request, and
its public key is the ``applicationServerKey`` browsers subscribe with
(``GET /api/v1/push/key``)."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

from .key_files import kept, path_of
from .settings import Settings

FILE_NAME = "vapid-private.pem"
# A push service may refuse a token valid for longer than a day (RFC 8292 § 2).
TOKEN_S = 12 * 3600


def _new_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class VapidKeys:
    def __init__(self, pem: bytes, subject: str) -> None:
        self.vapid = Vapid.from_pem(pem)
        point = self.vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        # The applicationServerKey: the uncompressed P-256 point, base64url unpadded.
        self.public_key = base64.urlsafe_b64encode(point).rstrip(b"=").decode()
        self.subject = subject

    @classmethod
    def load(cls, settings: Settings) -> VapidKeys:
        path: Path = path_of(settings.vapid_key_file, settings.data_dir, FILE_NAME)
        return cls(kept(path, _new_pem), subject_of(settings))

    def headers(self, endpoint: str, now_s: int) -> dict[str, str]:
        """The Authorization header for a push to ``endpoint`` (audience: its origin)."""
        parts = urlsplit(endpoint)
        claims = {
            "aud": f"{parts.scheme}://{parts.netloc}",
            "exp": now_s + TOKEN_S,
            "sub": self.subject,
        }
        return dict(self.vapid.sign(claims))


def subject_of(settings: Settings) -> str:
    """The VAPID ``sub``: the setting, else mailto: the From address, else the site."""
    if settings.vapid_subject:
        return settings.vapid_subject
    if settings.mail_from:
        address = settings.mail_from.rpartition("<")[2].rstrip(">").strip()
        return f"mailto:{address}"
    return settings.public_url or "mailto:admin@localhost"
