"""The browser hardening headers on every HTTP answer: the page, its files, the API.

A pure ASGI middleware: it appends fixed, pre-encoded headers to each
`http.response.start` and does nothing else. WebSocket scopes pass straight
through, and under `python -m server` the `/ws` upgrade never reaches the app at
all (uvicorn hands it to server/websocket.py), so chat pays nothing for it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# What the web client needs and nothing more. It is ES modules and a stylesheet
# from this server, builds the DOM with DOM APIs (no inline script or style
# attribute, no eval), and talks to /api/v1 and /ws here: connect-src 'self'
# covers the same host's ws:/wss: in CSP Level 3 browsers (current Chromium,
# Firefox, Safari; tests/browser/test_security_policy.py checks Chromium's). The
# favicon is a `data:` URL, an image that cannot run anything; attachments play in
# <video> and <audio> from /api/v1 here (media-src). No one may frame the
# page (clickjacking an owner's buttons), and <base>, plugins and form posts
# elsewhere are shut off. Frames: only the live lessons' players of the origins
# an operator lists (Settings.frame_sources; `policy` adds the frame-src).
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


def frame_sources(configured: str) -> tuple[str, ...]:
    """The sources of ``Settings.frame_sources`` that are well formed: a scheme
    (``https:``) or an http(s) origin, its host optionally ``*.``-prefixed."""
    found = []
    for source in configured.replace(",", " ").split():
        if source in ("https:", "http:"):
            found.append(source)
            continue
        parts = urlsplit(source)
        if parts.scheme in ("http", "https") and parts.hostname and parts.path in ("", "/"):
            host = parts.netloc.lower()
            if "*" not in host or (host.startswith("*.") and "*" not in host[2:]):
                found.append(f"{parts.scheme}://{host}")
    return tuple(found)


def policy(sources: tuple[str, ...] = ()) -> str:
    """The content security policy, with a frame-src of these sources (none:
    ``'none'``, as ``default-src`` says): live lessons' embeddable players."""
    frames = " ".join(sources) or "'none'"
    return f"{CONTENT_SECURITY_POLICY}; frame-src {frames}"


class FramePolicy:
    """Which player URLs the page may frame (store/lessons.py asks it when a
    teacher sets an embeddable stream): the same rule as the frame-src the
    browser enforces, so an accepted player is never blocked."""

    def __init__(self, configured: str) -> None:
        self.sources = frame_sources(configured)

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        port = f":{parts.port}" if parts.port else ""
        for source in self.sources:
            if source.endswith(":") and "//" not in source:
                if scheme == source[:-1]:
                    return True
                continue
            want = urlsplit(source)
            if want.scheme != scheme:
                continue
            pattern = want.netloc
            if pattern.startswith("*."):
                if host.endswith(pattern[1:].split(":")[0]) and host != pattern[2:]:
                    return True
            elif pattern == host + port:
                return True
        return False


def headers(configured: str = "") -> tuple[tuple[bytes, bytes], ...]:
    """The hardening headers with the frame-src of ``Settings.frame_sources``."""
    return (
        (b"content-security-policy", policy(frame_sources(configured)).encode()),
        *HEADERS[1:],
    )


HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", policy().encode()),
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
    """Adds ``HEADERS`` (with the configured frame-src) to every HTTP response
    of the app it wraps."""

    __slots__ = ("app", "headers")

    def __init__(self, app: ASGIApp, frame_sources: str = "") -> None:
        self.app = app
        self.headers = headers(frame_sources)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
