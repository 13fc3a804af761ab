"""A local Redis Cluster for a test or a failover run: three masters and three
replicas, each a ``redis-server --cluster-enabled yes`` on a free port under one
work folder, joined by ``redis-cli --cluster create``.

Every process is started here and stopped here by PID (``kill_master`` kills one
master with SIGKILL so that its replica takes over). Nodes time out after
``node_timeout_ms`` (Redis' default is 15 s; a local cluster can notice a dead
master much sooner).

``python -m loadtests.redis_cluster DIR`` starts one and prints its URL until
interrupted.
"""

from __future__ import annotations

import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

MASTERS = 3
# Redis Cluster's bus listens this far above each node's port.
BUS_OFFSET = 10000


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port(taken: set[int]) -> int:
    """A free port whose cluster bus port (port + 10,000, at most 65,535) is free too."""
    while True:
        port = random.randint(20000, 45000)
        if port not in taken and _free(port) and _free(port + BUS_OFFSET):
            return port


def _cli(port: int, *args: str, timeout: float = 10) -> str:
    out = subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return out.stdout


class LocalRedisCluster:
    """Six redis-server processes of our own forming one cluster."""

    def __init__(self, workdir: Path, *, node_timeout_ms: int = 1000) -> None:
        binary = shutil.which("redis-server")
        if binary is None or shutil.which("redis-cli") is None:
            raise FileNotFoundError("redis-server/redis-cli are not installed")
        self.binary = binary
        self.workdir = workdir
        self.node_timeout_ms = node_timeout_ms
        taken: set[int] = set()
        for _ in range(MASTERS * 2):
            taken.add(free_port(taken))
        self.ports = sorted(taken)
        self.procs: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def url(self) -> str:
        """Quanzi's URL for it: every node as a seed."""
        return "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def start(self, timeout_s: float = 60) -> LocalRedisCluster:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for port in self.ports:
            self._start_node(port)
        created = subprocess.run(
            [
                "redis-cli",
                "--cluster",
                "create",
                *(f"127.0.0.1:{p}" for p in self.ports),
                "--cluster-replicas",
                "1",
                "--cluster-yes",
            ],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        if created.returncode != 0:
            self.stop()
            raise RuntimeError(f"redis-cli --cluster create failed: {created.stdout[-2000:]}")
        deadline = time.monotonic() + timeout_s
        while not (self.healthy() and self.replicas_in_sync()):
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the Redis Cluster did not become healthy")
            time.sleep(0.05)
        return self

    def replicas_in_sync(self) -> bool:
        """Every replica has its master's data (a failover can take over from it)."""
        for port in self.alive():
            info = _cli(port, "INFO", "replication")
            if "role:slave" in info and "master_link_status:up" not in info:
                return False
        return True

    def _start_node(self, port: int) -> None:
        folder = self.workdir / str(port)
        folder.mkdir(exist_ok=True)
        log = open(folder / "redis.log", "ab")  # noqa: SIM115
        self.procs[port] = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                str(folder / "nodes.conf"),
                "--cluster-node-timeout",
                str(self.node_timeout_ms),
                # A replica takes over however long ago it last heard its master
                # (a loaded machine can delay the first sync past the default's limit).
                "--cluster-replica-validity-factor",
                "0",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(folder),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while _cli(port, "PING").strip() != "PONG":
            if self.procs[port].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on {port} did not start")
            time.sleep(0.02)

    def alive(self) -> list[int]:
        return [p for p, proc in self.procs.items() if proc.poll() is None]

    def healthy(self) -> bool:
        """Every slot served (asked of a live node)."""
        alive = self.alive()
        return bool(alive) and "cluster_state:ok" in _cli(alive[0], "CLUSTER", "INFO")

    def masters(self) -> list[int]:
        """Ports of the masters as a live node sees them now (a killed master
        stays one until the cluster marks it failed)."""
        alive = self.alive()
        if not alive:
            return []
        out: list[int] = []
        for line in _cli(alive[0], "CLUSTER", "NODES").splitlines():
            fields = line.split()
            if len(fields) > 2 and "master" in fields[2] and "fail" not in fields[2]:
                out.append(int(fields[1].split("@")[0].rsplit(":", 1)[1]))
        return sorted(out)

    def failed_over(self, port: int) -> bool:
        """Whether a replica serves the slots of the (killed) master ``port``."""
        masters = self.masters()
        return port not in masters and len(masters) == MASTERS and self.healthy()

    def slot(self, key: str) -> int:
        return int(_cli(self.alive()[0], "CLUSTER", "KEYSLOT", key).strip())

    def master_of(self, key: str) -> int:
        """The port of the master serving ``key``'s slot."""
        return self.master_of_slot(self.slot(key))

    def master_of_slot(self, slot: int) -> int:
        for line in _cli(self.alive()[0], "CLUSTER", "NODES").splitlines():
            fields = line.split()
            if len(fields) > 8 and "master" in fields[2]:
                for span in fields[8:]:
                    low, _, high = span.partition("-")
                    if low.isdigit() and int(low) <= slot <= int(high or low):
                        return int(fields[1].split("@")[0].rsplit(":", 1)[1])
        raise LookupError(f"no master serves slot {slot}")

    def move_slot(self, slot: int, to: int) -> None:
        """Move one slot (and its keys) to the master ``to``, as resharding does."""
        source = self.master_of_slot(slot)
        source_id, target_id = (_cli(p, "CLUSTER", "MYID").strip() for p in (source, to))
        _cli(to, "CLUSTER", "SETSLOT", str(slot), "IMPORTING", source_id)
        _cli(source, "CLUSTER", "SETSLOT", str(slot), "MIGRATING", target_id)
        keys = _cli(source, "CLUSTER", "GETKEYSINSLOT", str(slot), "1000").split()
        if keys:
            _cli(source, "MIGRATE", "127.0.0.1", str(to), "", "0", "5000", "KEYS", *keys)
        for port in self.masters():
            _cli(port, "CLUSTER", "SETSLOT", str(slot), "NODE", target_id)

    def kill(self, port: int) -> None:
        """SIGKILL one of our nodes (by the PID we started)."""
        proc = self.procs[port]
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)

    def stop(self) -> None:
        """Stop every process started here."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def main() -> None:
    workdir = Path(sys.argv[1] if len(sys.argv) > 1 else "redis-cluster")
    cluster = LocalRedisCluster(workdir).start()
    print(cluster.url, flush=True)
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
