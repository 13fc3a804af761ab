"""The connection caps' counts (server/admission.py) and whose address a
connection is (server/client_address.py), without sockets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.admission import (
    IP_CONNECTIONS,
    IP_PENDING,
    NODE_FULL,
    Admission,
    Ticket,
    TooManySockets,
    connections_cap,
)
from server.client_address import TrustedProxies
from server.settings import Settings

SETTINGS = replace(
    Settings(), ip_pending_connections=2, ip_connections=3, user_sockets=2, connections_max=5
)


def _ticket(admission: Admission, peer: str) -> Ticket:
    ticket = admission.connect(peer)
    assert isinstance(ticket, Ticket), ticket
    return ticket


def test_an_address_is_capped_in_progress_and_open() -> None:
    admission = Admission(SETTINGS, open_files=10_000)
    a, b = _ticket(admission, "203.0.113.1"), _ticket(admission, "203.0.113.1")
    assert admission.connect("203.0.113.1") is IP_PENDING
    assert a.head_arrived([]) is None
    c = _ticket(admission, "203.0.113.1")
    b.head_arrived([])
    c.head_arrived([])
    assert admission.connect("203.0.113.1") is IP_CONNECTIONS
    _ticket(admission, "203.0.113.2")  # another address
    a.release()
    a.release()  # once only
    _ticket(admission, "203.0.113.1")
    assert admission.open == {"203.0.113.1": 3, "203.0.113.2": 1}


def test_the_node_cap_leaves_head_room_for_trusted_peers() -> None:
    admission = Admission(replace(SETTINGS, ip_connections=100, ip_pending_connections=100), 10)
    assert admission.connections_max == 5 and admission.headroom == 2
    tickets = [_ticket(admission, f"203.0.113.{i}") for i in range(5)]
    assert admission.connect("203.0.113.9") is NODE_FULL
    _ticket(admission, "127.0.0.1")
    _ticket(admission, "::1")
    assert admission.connect("127.0.0.1") is NODE_FULL
    tickets[0].release()
    assert admission.total == 6


def test_a_trusted_proxys_connection_counts_for_the_client_it_names() -> None:
    admission = Admission(replace(SETTINGS, connections_max=0), open_files=10_000)
    proxied = [_ticket(admission, "127.0.0.1") for _ in range(3)]
    assert admission.open == {} and admission.pending == {}
    for ticket in proxied:
        assert ticket.head_arrived([b"198.51.100.7, 203.0.113.5"]) is None
    assert admission.open == {"203.0.113.5": 3}
    extra = _ticket(admission, "127.0.0.1")
    assert extra.head_arrived([b"203.0.113.5"]) is IP_CONNECTIONS
    # The next request on a reused connection may be someone else's.
    assert proxied[0].head_arrived([b"203.0.113.6"]) is None
    assert admission.open == {"203.0.113.5": 2, "203.0.113.6": 1}
    for ticket in [*proxied, extra]:
        ticket.release()
    assert admission.open == {} and admission.total == 0


def test_a_user_is_capped_in_sockets() -> None:
    admission = Admission(SETTINGS, open_files=10_000)
    first, second, third = object(), object(), object()
    admission.open_socket("u1", first)
    admission.open_socket("u1", second)
    admission.open_socket("u1", second)  # the same socket again
    with pytest.raises(TooManySockets):
        admission.open_socket("u1", third)
    admission.open_socket("u2", third)
    admission.socket_closed("u1", first)
    admission.open_socket("u1", third)
    admission.socket_closed("u1", object())  # never counted: nothing happens
    assert {user: len(s) for user, s in admission.sockets.items()} == {"u1": 2, "u2": 1}


def test_the_cap_follows_the_open_file_limit() -> None:
    default = Settings()
    assert connections_cap(default, 20_000) == 19_488
    assert connections_cap(default, 600) == 300  # a small limit: half of it
    assert connections_cap(replace(default, connections_max=1000), 20_000) == 1000
    assert connections_cap(replace(default, connections_max=50_000), 20_000) == 19_488


@pytest.mark.parametrize(
    ("header", "client"),
    [
        ([b"203.0.113.5"], "203.0.113.5"),
        ([b"1.2.3.4, 203.0.113.5"], "203.0.113.5"),  # the client may write the left part
        ([b"203.0.113.5, 10.0.0.2"], "203.0.113.5"),  # 10.0.0.2 is another trusted proxy
        ([b"198.51.100.1", b"203.0.113.5"], "203.0.113.5"),  # the header twice
        ([b"[2001:db8::1]:443"], "2001:db8::1"),
        ([b"203.0.113.5:51234"], "203.0.113.5"),
        ([b"::ffff:203.0.113.5"], "203.0.113.5"),
        ([b"1.2.3.4, not-an-address"], None),
        ([b"10.0.0.2"], "10.0.0.2"),  # only proxies: the first
        ([b""], None),
    ],
)
def test_the_client_is_the_last_address_no_trusted_proxy_holds(
    header: list[bytes], client: str | None
) -> None:
    assert TrustedProxies("127.0.0.1, 10.0.0.0/24").client(header) == client


def test_ipv6_addresses_count_by_their_64() -> None:
    admission = Admission(SETTINGS, open_files=10_000)
    for host in ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9", "2001:db8:1:2::3"):
        admission.connect(host)
    assert admission.connect("2001:db8:1:2::77") is IP_PENDING
    _ticket(admission, "2001:db8:1:3::1")  # the next /64
    assert admission.pending == {"2001:db8:1:2::/64": 2, "2001:db8:1:3::/64": 1}


def test_trusted_proxies_by_address_network_or_any() -> None:
    proxies = TrustedProxies("127.0.0.1,::1, 10.0.0.0/8")
    assert proxies.trusts("127.0.0.1") and proxies.trusts("::1") and proxies.trusts("10.1.2.3")
    assert not proxies.trusts("127.0.0.2") and not proxies.trusts(None)
    assert not proxies.trusts("some-host")
    assert TrustedProxies("*").trusts("203.0.113.5")
    assert not TrustedProxies("").trusts("127.0.0.1")
