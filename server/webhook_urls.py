"""Where a webhook may send: the server must not become a way into its own
network (SSRF). A webhook's host must resolve to public addresses only — no
loopback, private, link-local, multicast or reserved one — unless the operator
allows loopback (``QUANZI_WEBHOOK_ALLOW_LOOPBACK``: tests, a receiver on the
same machine), which also allows plain http.

Checked when a webhook is created or changed (a clear ``webhook_url`` error) and
again before every delivery (a name that resolves elsewhere since is refused,
the try counted as failed). Redirects are never followed. What remains is the
short window between this look-up and the HTTP client's own: DNS rebinding
within it is not prevented.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit


class RefusedTarget(Exception):
    """The URL's host is not one a webhook may reach; the message says why."""


def _allowed(address: str, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not ip.is_multicast


async def check_target(url: str, allow_loopback: bool) -> None:
    """Raise ``RefusedTarget`` unless every address of the URL's host may be reached."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host or parts.scheme not in ("https", "http"):
        raise RefusedTarget("not an http(s) URL")
    if parts.scheme == "http" and not allow_loopback:
        raise RefusedTarget("webhooks are sent over https only")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        raise RefusedTarget(f"{host} does not resolve") from None
    addresses = {str(info[4][0]) for info in infos}
    if not addresses:
        raise RefusedTarget(f"{host} does not resolve")
    for address in sorted(addresses):
        if not _allowed(address, allow_loopback):
            raise RefusedTarget(f"{host} is a private or local address ({address})")
