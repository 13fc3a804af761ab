"""Whose connection this is: the peer's address, or behind a trusted reverse
proxy the client address the proxy put in a header (``QUANZI_TRUSTED_PROXIES``,
``QUANZI_CLIENT_IP_HEADER``).

The header is believed only from a trusted peer: anyone else could write any
address in it. `X-Forwarded-For` is a chain that every proxy appends its own
peer to, and a client can start it with anything, so it is read from the right:
the client is the last address that is not itself a trusted proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    """The allowlist, parsed once; ``trusts`` runs once per connection."""

    __slots__ = ("any", "addresses", "networks")

    def __init__(self, listed: str) -> None:
        entries = {entry.strip() for entry in listed.split(",")} - {""}
        self.any = "*" in entries
        self.addresses: set[IpAddress] = set()
        self.networks: list[IpNetwork] = []
        for entry in entries - {"*"}:
            if "/" in entry:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            else:
                self.addresses.add(ipaddress.ip_address(entry))

    def trusts(self, host: str | None) -> bool:
        if host is None:
            return False
        if self.any:
            return True
        address = _address(host)
        if address is None:
            return False
        return address in self.addresses or any(address in net for net in self.networks)

    def client(self, values: Iterable[bytes]) -> str | None:
        """The client's address in a trusted proxy's header values (None: absent
        or nothing usable in it)."""
        hops = [hop.strip() for value in values for hop in value.decode("latin-1").split(",")]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return None  # garbage where the proxy's entry should be
            if not self.trusts(str(address)):
                return str(address)
        first = _address(hops[0]) if hops else None  # every hop a trusted proxy
        return None if first is None else str(first)


def counted_as(address: str) -> str:
    """What an address counts as in the per-address caps: itself, or for IPv6
    its /64, the block one subscriber is given (whoever has one has 2**64
    addresses). Anything that is not an address counts as itself."""
    parsed = _address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return address if parsed is None else str(parsed)


def _address(text: str) -> IpAddress | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
