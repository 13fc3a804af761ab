"""The browser hardening headers on every HTTP answer: the page, its files, the API.

A pure ASGI middleware: it appends fixed, pre-encoded headers to each
`http.response.start` and does nothing else. WebSocket scopes pass straight
through, and under `python -m server` the `/ws` upgrade never reaches the app at
all (uvicorn hands it to server/websocket.py), so chat pays nothing for it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# What the web client needs and nothing more. It is ES modules and a stylesheet
# from this server, builds the DOM with DOM APIs (no inline script or style
# attribute, no eval), and talks to /api/v1 and /ws here: connect-src 'self'
# covers the same host's ws:/wss: in CSP Level 3 browsers (current Chromium,
# Firefox, Safari; tests/browser/test_security_policy.py checks Chromium's). The
# favicon is a `data:` URL, an image that cannot run anything; attachments play in
# <video> and <audio> from /api/v1 here (media-src). No one may frame the
# page (clickjacking an owner's buttons), and <base>, plugins and form posts
# elsewhere are shut off.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # Attachments (/api/v1/attachments/…) are images, video and audio of this
        # origin; a picture being uploaded is previewed from a blob: URL of the page.
        "img-src 'self' data: blob:",
        "media-src 'self'",
        "connect-src 'self'",
        # The app's manifest and its service worker (/sw.js), both from this server.
        "manifest-src 'self'",
        "worker-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    )
)

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    # frame-ancestors for browsers that predate it.
    (b"x-frame-options", b"DENY"),
    # A JSON answer or an uploaded file is never run as a script or page.
    (b"x-content-type-options", b"nosniff"),
    # The page's address can hold a circle's id (and an invite's code, after
    # the #, which browsers never send); a link followed out of a post should
    # tell the other site nothing. Quanzi itself reads no Referer.
    (b"referrer-policy", b"no-referrer"),
)


class SecurityHeaders:
    """Adds ``HEADERS`` to every HTTP response of the app it wraps."""

    __slots__ = ("app",)

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)
