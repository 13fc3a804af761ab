"""The payment webhook (docs/payments.md): a payment provider or the operator's
shop grants or renews a membership after a payment. Payment itself stays
outside Quanzi.

``POST /api/v1/payments/webhook`` needs no session: it is signed. The header
``Quanzi-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``
(several ``v1=`` while a secret is rotated) is checked in constant time against
QUANZI_PAYMENT_WEBHOOK_SECRET, and ``t`` must be within
QUANZI_PAYMENT_WEBHOOK_TOLERANCE_S of the server's clock, so a captured call
cannot be replayed later. Without a secret the endpoint does not exist (404).
A refused call (bad signature 401, stale 401, malformed 400, banned 403, unknown
circle or user 404) changes nothing; a call whose ``event_id`` was applied
before changes nothing either and answers ``replayed: true`` (store/payments.py).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

import orjson
from starlette.requests import Request
from starlette.responses import Response

from server.api.auth import node_of
from server.api.errors import ApiError
from server.api.inputs import bad, get_int, get_str, raw_body
from server.api.responses import ok, route
from server.client_address import client_ip

log = logging.getLogger(__name__)

HEADER = "quanzi-signature"
BODY_MAX = 16 * 1024
EVENT_ID_MAX = 100
MONTHS_MAX = 120
MS_MAX = 2**53 - 1


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` with the shared secret."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(secret: str, header: str, body: bytes, now_s: float, tolerance_s: int) -> None:
    """Check the signature header, or raise 401 saying why (reason
    ``bad_signature`` or ``stale_signature``)."""
    timestamp: int | None = None
    offered: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1":
            offered.append(value)
    if timestamp is None or not offered:
        raise ApiError(
            "unauthenticated", "a Quanzi-Signature header is needed", reason="bad_signature"
        )
    expected = signature(secret, timestamp, body)
    # compare_digest on every offer: no early exit tells which byte differed.
    matches = [hmac.compare_digest(expected.encode(), v.encode()) for v in offered]
    if not any(matches):
        raise ApiError("unauthenticated", "the signature does not match", reason="bad_signature")
    if abs(now_s - timestamp) > tolerance_s:
        raise ApiError(
            "unauthenticated",
            "the signature's timestamp is too old or in the future",
            reason="stale_signature",
        )


async def webhook(request: Request) -> Response:
    node = node_of(request)
    settings = node.settings
    if not settings.payment_webhook_secret:
        raise ApiError("not_found", "the payment webhook is not configured")
    body = await raw_body(request, BODY_MAX)
    try:
        verify(
            settings.payment_webhook_secret,
            request.headers.get(HEADER, ""),
            body,
            time.time(),
            settings.payment_webhook_tolerance_s,
        )
    except ApiError as refusal:
        log.warning(
            "payment webhook refused from %s: %s", client_ip(request.scope), refusal.message
        )
        raise
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise bad("the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise bad("the body must be a JSON object")
    event_id = get_str(payload, "event_id", required=True, max_len=EVENT_ID_MAX)
    circle_id = get_str(payload, "circle", required=True, max_len=64)
    user = get_str(payload, "user", required=True, max_len=64)
    months = get_int(payload, "months", minimum=1, maximum=MONTHS_MAX)
    until = get_int(payload, "until", minimum=0, maximum=MS_MAX)
    member, replayed = await node.store.payments.apply(event_id, circle_id, user, months, until)
    return ok({"member": member, "replayed": replayed})


routes = [route("/payments/webhook", post=webhook)]
