"""Who may hold a connection of this node: every connection cap and the counts
behind them, in one place.

- the node: at most ``connections_max`` open connections, by default the
  open-file limit less ``fd_reserve``, so a flood is refused while the store,
  Redis and logs still find a file (a process out of files fails everything at
  once, accept included); trusted peers (the proxy, loopback: health checks)
  may use half of the reserve beyond it;
- one client address: at most ``ip_pending_connections`` connections whose
  first request head has not arrived (a slowloris holds many of these), and at
  most ``ip_connections`` open ones;
- one user: at most ``user_sockets`` WebSockets on this node.

`http_protocol.py` asks at each new connection and when its head arrives;
`websocket.py` hands the ticket back when an upgraded socket closes; the node
asks at each `hello` (`Node.connect`) and tells when the socket is gone.
Behind a reverse proxy the address is the client's, from the proxy's header
(`client_address.py`); a proxy's connection counts for no address until its
head names the client, so the pending cap applies to direct peers only.
"""

from __future__ import annotations

import logging
import resource
from dataclasses import dataclass

from . import metrics
from .client_address import TrustedProxies, counted_as
from .settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    """Why a connection is turned away: an HTTP status and a line for people."""

    status: int
    reason: str  # the metric's label
    text: str


NODE_FULL = Refusal(503, "node_full", "This server is full: try again in a moment.\n")
IP_PENDING = Refusal(429, "ip_pending", "Too many connections in progress from your address.\n")
IP_CONNECTIONS = Refusal(429, "ip_connections", "Too many open connections from your address.\n")


class TooManySockets(Exception):
    """A user already has ``user_sockets`` WebSockets open on this node."""


class Ticket:
    """One admitted connection's place in the counts, until `release`."""

    __slots__ = ("admission", "address", "pending", "trusted_peer", "released")

    def __init__(self, admission: Admission, address: str | None, trusted_peer: bool) -> None:
        self.admission = admission
        self.address = address
        self.pending = address is not None
        self.trusted_peer = trusted_peer
        self.released = False

    def head_arrived(self, client_header: list[bytes]) -> Refusal | None:
        """A request head is complete: the connection is no longer pending, and
        behind a trusted proxy it now counts for the client the header names
        (again at each request: a proxy may reuse a connection for others)."""
        admission = self.admission
        if self.pending:
            self.pending = False
            _decrement(admission.pending, self.address)
        if not self.trusted_peer or self.released:
            return None
        client = admission.proxies.client(client_header) if client_header else None
        if client is not None:
            client = counted_as(client)
        if client == self.address:
            return None
        if client is not None and admission.open.get(client, 0) >= admission.ip_connections:
            metrics.refused(IP_CONNECTIONS.reason)
            return IP_CONNECTIONS
        _decrement(admission.open, self.address)
        self.address = client
        if client is not None:
            admission.open[client] = admission.open.get(client, 0) + 1
        return None

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        admission = self.admission
        admission.total -= 1
        if self.pending:
            _decrement(admission.pending, self.address)
        _decrement(admission.open, self.address)


class Admission:
    def __init__(self, settings: Settings, open_files: int | None = None) -> None:
        self.proxies = TrustedProxies(settings.trusted_proxies)
        # Header names as the HTTP parser gives them.
        self.client_header = settings.client_ip_header.strip().lower().encode("latin-1")
        files = open_files or open_file_limit()[0]
        self.connections_max = connections_cap(settings, files)
        # Trusted peers (the proxy, a monitor on this machine) may go this far
        # past the cap: half of the files kept in reserve, so /healthz still
        # answers them while a flood of direct peers has filled the node.
        self.headroom = min(files - self.connections_max, settings.fd_reserve) // 2
        self.ip_pending = settings.ip_pending_connections
        self.ip_connections = settings.ip_connections
        self.user_sockets_max = settings.user_sockets
        self.total = 0
        self.pending: dict[str, int] = {}
        self.open: dict[str, int] = {}
        self.sockets: dict[str, set[object]] = {}

    def connect(self, peer: str | None) -> Ticket | Refusal:
        """A new TCP connection from ``peer``: its ticket, or why it is refused."""
        trusted = self.proxies.trusts(peer)
        address = None if trusted or peer is None else counted_as(peer)
        refusal = None
        if self.total >= self.connections_max + (self.headroom if trusted else 0):
            refusal = NODE_FULL
        elif address is not None:
            if self.open.get(address, 0) >= self.ip_connections:
                refusal = IP_CONNECTIONS
            elif self.pending.get(address, 0) >= self.ip_pending:
                refusal = IP_PENDING
        if refusal is not None:
            metrics.refused(refusal.reason)
            return refusal
        self.total += 1
        if address is not None:
            self.open[address] = self.open.get(address, 0) + 1
            self.pending[address] = self.pending.get(address, 0) + 1
        return Ticket(self, address, trusted)

    def open_socket(self, user_id: str, conn: object) -> None:
        """A socket said `hello` as ``user_id``: count it, or `TooManySockets`."""
        sockets = self.sockets.setdefault(user_id, set())
        if conn in sockets:
            return
        if len(sockets) >= self.user_sockets_max:
            metrics.refused("user_sockets")
            raise TooManySockets(
                f"too many connections: at most {self.user_sockets_max} per user on this server"
            )
        sockets.add(conn)

    def socket_closed(self, user_id: str, conn: object) -> None:
        sockets = self.sockets.get(user_id)
        if sockets is not None:
            sockets.discard(conn)
            if not sockets:
                del self.sockets[user_id]


def _decrement(counts: dict[str, int], key: str | None) -> None:
    if key is None:
        return
    left = counts.get(key, 0) - 1
    if left > 0:
        counts[key] = left
    else:
        counts.pop(key, None)


def open_file_limit() -> tuple[int, int]:
    """The process's (soft, hard) RLIMIT_NOFILE; an unlimited hard limit as 2**20."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft == resource.RLIM_INFINITY:
        soft = hard
    return soft, hard


def raise_open_file_limit() -> int:
    """Raise the soft open-file limit to the hard one (a process may, unprivileged):
    each connection is a file, and distributions start processes at 1024. Returns
    the limit now in force."""
    soft, hard = open_file_limit()
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open-file limit from %d to %d: %s", soft, hard, exc)
    return soft


def connections_cap(settings: Settings, open_files: int) -> int:
    """The open-file limit less ``fd_reserve`` (at least half the limit when the
    limit is small), or ``connections_max`` when that is lower."""
    cap = max(open_files - settings.fd_reserve, open_files // 2)
    if settings.connections_max > 0:
        return min(cap, settings.connections_max)
    return cap
