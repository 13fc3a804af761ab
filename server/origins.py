"""Which web pages may open `/ws`: the `Origin` check of the upgrade, on both /ws paths.

A browser sends the page's origin with every WebSocket upgrade and lets the page
set no header of its own; nothing stops a page on another site from opening
`/ws` with a visitor's browser otherwise (WebSockets have no same-origin rule).
Quanzi authenticates with a token in `hello`, not a cookie, so such a page gets
no account by it; the check keeps it that way should a cookie ever be added,
and keeps other sites from using visitors' browsers as clients of this server.

Allowed: a request without `Origin` (non-browser clients — the load-test
harness, `websockets` clients, the Python example — send none, and an Origin
check defends browsers only), the server's own origin, and what
`QUANZI_ALLOWED_ORIGINS` lists (`*`: any).

The own origin is the host the request came to — its `Host`, or the
`X-Forwarded-Host` a reverse proxy set — over http or https. The scheme is not
compared: behind a proxy that ends TLS the server sees http for an https page,
and `X-Forwarded-Proto` is often missing; an http page of the same host is the
same site's. Forwarded headers are trusted without a proxy allowlist because a
page can set no header on an upgrade: a foreign page cannot claim a host, and a
non-browser client can send any `Origin` anyway. A proxy that rewrites `Host` to
its upstream and sets no `X-Forwarded-Host` hides the page's host: there, list
the public origin in `QUANZI_ALLOWED_ORIGINS` (or pass `Host` through).
"""

from __future__ import annotations

from collections.abc import Iterable

# The body of the 403 on both /ws paths.
ORIGIN_REFUSED = "This page's Origin may not open /ws on this server.\n"
# The schemes a page of this server is served over.
_WEB_SCHEMES = ("http://", "https://")


class OriginPolicy:
    """The allowlist, parsed once per app; ``allows`` runs once per upgrade."""

    __slots__ = ("any", "listed")

    def __init__(self, allowed: str = "") -> None:
        entries = {entry.strip().rstrip("/").lower() for entry in allowed.split(",")}
        entries.discard("")
        self.any = "*" in entries
        self.listed = frozenset(entries - {"*"})

    def allows(self, origin: str | None, hosts: Iterable[str]) -> bool:
        """Whether an upgrade with this `Origin` (None: the header is absent) may
        proceed; ``hosts`` are the request's `Host` and `X-Forwarded-Host` values."""
        if origin is None or self.any:
            return True
        origin = origin.strip().lower()
        if origin in self.listed:
            return True
        for scheme in _WEB_SCHEMES:
            if origin.startswith(scheme):
                netloc = origin[len(scheme) :]
                return bool(netloc) and netloc in _own_hosts(hosts)
        return False  # "null" (a sandboxed frame, a file), or another scheme


def _own_hosts(values: Iterable[str]) -> set[str]:
    # X-Forwarded-Host may hold a comma-separated chain of proxies' hosts.
    return {host.strip().lower() for value in values if value for host in value.split(",")} - {""}
