"""A push service for the tests, in the test process (a thread with an HTTP
server on a free port), playing both sides a browser leaves to others:

- ``Browser`` makes a subscription the way a browser does (a P-256 key pair and
  a 16-byte auth secret; the endpoint is this server) and
- the server receives the pushes: it checks the VAPID token (RFC 8292: an ES256
  JWT whose ``aud`` is its origin, signed by the key in ``k``, which must be the
  key the Quanzi server publishes), decrypts the body (RFC 8291, aes128gcm) with
  the browser's private key, and keeps what it got; it answers each push with
  the next status the test queued for that endpoint (201 when none).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.timing import seconds, sleep_blocking


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """One browser's subscription: its keys stay here, the server gets ``subscription``."""

    endpoint: str
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def subscription(self) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` gives."""
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64(point), "auth": b64(self.auth)},
        }


@dataclass
class Push:
    path: str
    payload: dict[str, Any]
    ttl: int
    status: int
    at: float


class PushService:
    def __init__(self) -> None:
        self.server_key = ""  # the Quanzi server's applicationServerKey
        self.browsers: dict[str, Browser] = {}
        self.answers: dict[str, list[int]] = {}
        self.received: list[Push] = []
        self.refused: list[str] = []  # why requests were refused (bad token, bad body)
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status = service._receive(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def browser(self) -> Browser:
        path = f"/push/{secrets.token_urlsafe(8)}"
        browser = Browser(self.origin + path)
        self.browsers[path] = browser
        return browser

    def answer(self, browser: Browser, *statuses: int) -> None:
        """The next pushes to this browser get these statuses, in order."""
        path = browser.endpoint.removeprefix(self.origin)
        self.answers.setdefault(path, []).extend(statuses)

    def pushes(self, browser: Browser, status: int | None = 201) -> list[dict[str, Any]]:
        path = browser.endpoint.removeprefix(self.origin)
        with self._lock:
            return [
                p.payload
                for p in self.received
                if p.path == path and (status is None or p.status == status)
            ]

    def wait(
        self, browser: Browser, count: int, status: int | None = 201, within: float = 10
    ) -> list[dict[str, Any]]:
        """Until ``count`` pushes reached the browser (with that status); then them."""
        deadline = time.monotonic() + seconds(within)
        while time.monotonic() < deadline:
            got = self.pushes(browser, status)
            if len(got) >= count:
                return got
            sleep_blocking(0.02)
        raise AssertionError(
            f"{len(self.pushes(browser, status))} pushes of {count} arrived; refused: {self.refused}"
        )

    # -- the receiving side ---------------------------------------------------------

    def _receive(self, path: str, headers: dict[str, str], body: bytes) -> int:
        browser = self.browsers.get(path)
        if browser is None:
            return 404
        lowered = {k.lower(): v for k, v in headers.items()}
        problem = self._check_vapid(lowered.get("authorization", ""))
        if problem is None and lowered.get("content-encoding") != "aes128gcm":
            problem = f"content-encoding {lowered.get('content-encoding')}"
        if problem is not None:
            self.refused.append(problem)
            return 401 if "token" in problem else 400
        try:
            plain = http_ece.decrypt(
                body, private_key=browser.key, auth_secret=browser.auth, version="aes128gcm"
            )
            payload = json.loads(plain)
        except Exception as error:
            self.refused.append(f"undecryptable: {error!r}")
            return 400
        with self._lock:
            queued = self.answers.get(path)
            status = queued.pop(0) if queued else 201
            self.received.append(
                Push(path, payload, int(lowered.get("ttl", "0")), status, time.monotonic())
            )
        return status

    def _check_vapid(self, authorization: str) -> str | None:
        scheme, _, rest = authorization.partition(" ")
        if scheme.lower() != "vapid":
            return f"token scheme {scheme!r}"
        parts = dict(p.split("=", 1) for p in rest.split(",") if "=" in p)
        if parts.get("k") != self.server_key:
            return "token key is not the server's published key"
        try:
            head, claims_b64, signature = parts["t"].split(".")
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(parts["k"]))
            raw = unb64(signature)
            der = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
            public.verify(der, f"{head}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except (KeyError, ValueError, InvalidSignature) as error:
            return f"token signature: {error!r}"
        claims = json.loads(unb64(claims_b64))
        if json.loads(unb64(head)).get("alg") != "ES256":
            return "token alg"
        if claims.get("aud") != self.origin:
            return f"token aud {claims.get('aud')}"
        if not claims.get("exp", 0) > time.time():
            return "token expired"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            return "token sub"
        return None
