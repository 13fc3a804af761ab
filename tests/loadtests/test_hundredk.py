"""The generator's spread over source addresses and processes, the bulk seed, and the
highlight pushed to every member (`idle --highlights`), small: real servers, real sockets."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from loadtests import cli, spread
from loadtests.proc import family
from loadtests.runner import RunConfig, run
from loadtests.servers import LocalServer, start_quanzi
from loadtests.serverstats import ServerProbe
from loadtests.wsclient import connect_from
from tests import timing
from tests.services import fresh_postgres_database, redis_url

pytestmark = pytest.mark.e2e

TINY = {"settle": 0.2, "drain": 10.0, "quiet": True, "ramp": 0.0}


def sqlite_url(server: LocalServer) -> str:
    return f"sqlite+aiosqlite:///{server.workdir / 'data' / 'quanzi.db'}"


def highlight_run(urls: list[str], pids: list[int], out: Path, **kw: object) -> RunConfig:
    cfg = RunConfig(
        scenario="idle",
        urls=urls,
        opts={"connections": 30, "highlights": 2, "highlight_every": 0.5},
        # Room for both highlights on a loaded machine; a highlight made counts whenever.
        duration=timing.seconds(6),
        users=30,
        out=out,
        server_pids=pids,
        **TINY,
    )  # type: ignore[arg-type]
    for k, v in kw.items():
        setattr(cfg, k, v)
    return cfg


def assert_every_member_got_every_highlight(s: dict[str, object], connections: int) -> None:
    assert s["connected"] == connections and s["connect_failures"] == 0
    made = s["highlights"]
    assert isinstance(made, int) and made >= 1
    assert s["highlight_deliveries"] == made * connections
    assert s["highlights_lost"] == 0 and s["lost"] == 0
    assert s["highlight_duplicated"] == 0
    assert s["p99_ms"] is not None and s["p99_ms"] > 0
    assert s["errors"] == 0 and s["disconnects"] == 0


# -- the layout: workers and source addresses


def test_workers_are_enough_for_the_file_limit_or_the_layout_is_refused() -> None:
    assert spread.worker_count(100_000, 0, cpus=2, fd_limit=20_000) == 6
    assert spread.worker_count(10, 0, cpus=2, fd_limit=20_000) == 2
    assert spread.worker_count(100_000, 8, cpus=2, fd_limit=20_000) == 8
    with pytest.raises(spread.LayoutError, match="--workers 6"):
        spread.worker_count(100_000, 4, cpus=2, fd_limit=20_000)


def test_source_addresses_default_to_what_the_ports_need() -> None:
    urls = ["ws://127.0.0.1:8000/ws"]
    assert spread.source_addresses(20_000, None, urls, per_source=25_000) == []
    assert spread.source_addresses(100_000, None, urls, per_source=25_000) == [
        "127.0.0.2",
        "127.0.0.3",
        "127.0.0.4",
        "127.0.0.5",
    ]
    assert spread.source_addresses(10, 2, urls) == ["127.0.0.2", "127.0.0.3"]
    with pytest.raises(spread.LayoutError, match="--source-addresses 4"):
        spread.source_addresses(100_000, ["127.0.0.2"], urls, per_source=25_000)
    with pytest.raises(spread.LayoutError, match="not"):
        spread.source_addresses(100_000, None, ["ws://10.1.2.3:8000/ws"], per_source=25_000)
    assert spread.parse_sources("3") == 3
    assert spread.parse_sources("127.0.0.7, 127.0.0.9") == ["127.0.0.7", "127.0.0.9"]
    with pytest.raises(ValueError):
        spread.parse_sources("127.0.0.300")


def test_a_server_process_that_cannot_hold_the_run_is_named() -> None:
    limit = spread.process_fd_limit(os.getpid())
    assert limit is not None
    spread.check_servers(limit // 2, [os.getpid()])
    with pytest.raises(spread.LayoutError, match="1 server process"):
        spread.check_servers(limit * 2, [os.getpid()])


def test_a_server_pid_counts_its_children_like_the_workers_of_a_node() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, sys; sys.stdin.read()"],
        stdin=subprocess.PIPE,
    )
    code = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'input()'])"
    try:
        workers = [
            subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE) for _ in range(2)
        ]
        assert asyncio.run(_children_up(workers[0].pid))
        assert family(workers[0].pid)[0] == workers[0].pid and len(family(workers[0].pid)) == 2
        mine = family(os.getpid())
        assert {w.pid for w in workers} <= set(mine)
        sample = ServerProbe([], [os.getpid()]).sample()
        assert sample is not None and sample.nodes >= 1 + 2 + 2  # this process, workers, theirs
        limit = spread.process_fd_limit(os.getpid())
        assert limit is not None
        with pytest.raises(spread.LayoutError, match=f"{len(mine)} server process"):
            spread.check_servers(limit * (len(mine) + 1), [os.getpid()])
    finally:
        for w in workers:
            w.kill()
            w.wait()
        parent.kill()
        parent.wait()


async def _children_up(pid: int) -> bool:
    await timing.until(lambda: len(family(pid)) == 2, timing.seconds(10))
    return True


def test_connect_from_binds_the_source_address() -> None:
    async def main() -> list[str]:
        peers: list[str] = []

        async def accept(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            peers.append(w.get_extra_info("peername")[0])
            w.close()

        server = await asyncio.start_server(accept, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        for source in ("127.0.0.2", "127.0.0.3"):
            sock = await connect_from(source, "127.0.0.1", port)
            sock.close()
        await timing.until(lambda: len(peers) == 2, 5)
        server.close()
        return peers

    assert sorted(asyncio.run(main())) == ["127.0.0.2", "127.0.0.3"]


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--connections", "50000", "--workers", "1"], "--workers 3"),
        (
            ["--connections", "50000", "--workers", "4", "--source-addresses", "127.0.0.2"],
            "ephemeral ports",
        ),
    ],
)
def test_the_cli_refuses_a_layout_that_cannot_work(
    extra: list[str], says: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    if spread.fd_hard_limit() > 40_000 and "--workers 3" in says:
        says = "--workers"  # a machine with a higher limit needs fewer
    argv = ["run", "idle", "--url", "ws://127.0.0.1:9/ws", "--out", str(tmp_path), *extra]
    assert cli.main(argv) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "this layout cannot work" in err and says in err


# -- the highlight to every member, one node on SQLite


@pytest.fixture(scope="module")
def quanzi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = start_quanzi(data_dir=tmp_path_factory.mktemp("quanzi"))
    yield server
    server.stop()


def test_a_highlight_reaches_every_member_from_several_addresses_and_processes(
    quanzi: LocalServer, tmp_path: Path
) -> None:
    cfg = highlight_run(
        [quanzi.ws], [quanzi.pid], tmp_path, workers=2, sources=3, bulk_db=sqlite_url(quanzi)
    )
    result = run(cfg)
    s = result["summary"]
    assert_every_member_got_every_highlight(s, 30)
    assert s["generator_workers"] == 2 and s["source_addresses"] == 3
    # 29 members came in by the bulk road, one signup for the hash: all log in by token.
    assert result["setup"]["users"] == 30


# -- members spread over two nodes on Redis and PostgreSQL


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[LocalServer]]]:
    redis = redis_url()
    with contextlib.ExitStack() as stack:
        runner = stack.enter_context(asyncio.Runner())
        database = fresh_postgres_database()
        url = runner.run(database.__aenter__())
        stack.callback(runner.run, database.__aexit__(None, None, None))
        env = {
            "QUANZI_DATABASE_URL": url,
            "QUANZI_REDIS_URL": redis,
            "QUANZI_REDIS_PREFIX": f"lt{secrets.token_hex(4)}:",
        }
        nodes: list[LocalServer] = []
        for _ in range(2):
            node = start_quanzi(
                data_dir=tmp_path_factory.mktemp("node"), env=env, timeout=timing.seconds(120)
            )
            stack.callback(node.stop)
            nodes.append(node)
        yield url, nodes


def test_a_highlight_reaches_every_member_over_two_nodes_on_redis(
    two_nodes: tuple[str, list[LocalServer]], tmp_path: Path
) -> None:
    db_url, nodes = two_nodes
    cfg = highlight_run(
        [n.ws for n in nodes], [n.pid for n in nodes], tmp_path, workers=2, bulk_db=db_url
    )
    s = run(cfg)["summary"]
    assert_every_member_got_every_highlight(s, 30)
