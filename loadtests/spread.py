"""How a run's connections spread over generator processes and source addresses, and
whether that layout can work on this machine at all.

Two limits decide it. A process holds at most its open-file limit of sockets
(the hard limit: a worker lifts its soft limit to it, but nothing here may go
past it), so 100,000 connections need several workers. And one source address
has only the ephemeral port range (32768-60999 by default: about 28,000 ports)
to connect from, so past that the connections come from several loopback
addresses, 127.0.0.2, 127.0.0.3, … (all of 127/8 is this machine on Linux).
The server's processes have the same file limit: with `--server-pid`, their
limits are read from /proc and a run that cannot fit is refused before any
setup. A layout that cannot work is a `LayoutError` naming what to change.
"""

from __future__ import annotations

import ipaddress
import math
import resource
from pathlib import Path

# Descriptors a worker needs besides its sockets: the pipe, the event loop's own,
# stdio, an HTTP client of a scenario, the loader's files.
FD_MARGIN = 64
# Ports of a source address the harness uses at most: the rest stay for everything
# else on the machine (and for sockets in TIME_WAIT from a previous run).
PORT_SHARE = 0.9
FIRST_SOURCE = ipaddress.IPv4Address("127.0.0.2")


class LayoutError(ValueError):
    """A layout of connections that cannot work here; the message says what to change."""


def port_range(path: Path = Path("/proc/sys/net/ipv4/ip_local_port_range")) -> tuple[int, int]:
    try:
        lo, hi = (int(x) for x in path.read_text().split())
    except (OSError, ValueError):
        return 32768, 60999
    return lo, hi


def ports_per_source() -> int:
    lo, hi = port_range()
    return int((hi - lo + 1) * PORT_SHARE)


def fd_hard_limit() -> int:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    return 1_048_576 if hard == resource.RLIM_INFINITY else int(hard)


def process_fd_limit(pid: int) -> int | None:
    """The soft open-file limit of a local process (what it can hold), or None."""
    try:
        text = Path(f"/proc/{pid}/limits").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("Max open files"):
            soft = line.split()[3]
            return None if soft == "unlimited" else int(soft)
    return None


def worker_count(connections: int, asked: int, cpus: int, fd_limit: int | None = None) -> int:
    """Generator processes: `asked` (0: one per CPU), and always enough that none holds
    more sockets than its file limit allows; `LayoutError` when `asked` is too few."""
    limit = fd_hard_limit() if fd_limit is None else fd_limit
    per = max(1, limit - FD_MARGIN)
    need = max(1, math.ceil(connections / per))
    if asked:
        if asked < need:
            raise LayoutError(
                f"{connections:,} connections over {asked} generator process(es) is "
                f"{math.ceil(connections / asked):,} sockets each, past the open-file limit "
                f"of {limit:,} (less {FD_MARGIN} for the process itself): "
                f"use --workers {need} or more"
            )
        return min(asked, max(1, connections))
    return max(need, min(cpus, max(1, connections)))


def parse_sources(value: str) -> list[str] | int:
    """`--source-addresses`: a count (`4`: 127.0.0.2 … 127.0.0.5) or a comma list."""
    value = value.strip()
    if value.isdigit():
        n = int(value)
        if n < 1:
            raise ValueError("--source-addresses needs a count of at least 1")
        return n
    addrs = [a.strip() for a in value.split(",") if a.strip()]
    for a in addrs:
        ipaddress.ip_address(a)  # ValueError names a bad one
    if not addrs:
        raise ValueError("--source-addresses: no address given")
    return addrs


def source_addresses(
    connections: int, asked: list[str] | int | None, urls: list[str], per_source: int | None = None
) -> list[str]:
    """The addresses the connections come from, round-robin; [] leaves it to the kernel
    (one address, 127.0.0.1 toward loopback). Default: as many as the count needs."""
    per = ports_per_source() if per_source is None else per_source
    need = math.ceil(connections / per)
    if isinstance(asked, list):
        addrs = asked
    else:
        n = asked if isinstance(asked, int) else (need if need > 1 else 0)
        if n and not all(_loopback(u) for u in urls):
            raise LayoutError(
                f"{connections:,} connections need {need} source addresses; generated ones "
                "are loopback (127.0.0.2 …) and a node here is not: pass this machine's "
                "addresses with --source-addresses A,B,…"
            )
        addrs = [str(FIRST_SOURCE + k) for k in range(n)]
    if max(len(addrs), 1) < need:
        raise LayoutError(
            f"{connections:,} connections from {len(addrs) or 1} source address(es) is "
            f"{math.ceil(connections / max(len(addrs), 1)):,} each, past the {per:,} ephemeral "
            f"ports one address has here: use --source-addresses {need} or more"
        )
    return addrs


def check_servers(connections: int, server_pids: list[int]) -> None:
    """With local server PIDs: refuse a run their file limits cannot hold."""
    from .proc import family

    # A supervisor's workers hold the sockets: each process of the family counts.
    pids = list(dict.fromkeys(p for pid in server_pids for p in family(pid)))
    limits = [process_fd_limit(pid) for pid in pids]
    if not server_pids or any(lim is None for lim in limits):
        return
    room = sum(max(0, int(lim or 0) - FD_MARGIN) for lim in limits)
    if connections > room:
        raise LayoutError(
            f"{connections:,} connections do not fit in {len(pids)} server process(es): "
            f"their open-file limits hold about {room:,} sockets; start more nodes "
            f"(or workers) and pass each with --url / --server-pid"
        )


def _loopback(url: str) -> bool:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
