"""`python -m server`: run one Quanzi node under uvicorn (`--workers N`: N of them on
one port, server/workers.py); `python -m server migrate`:
apply the store's schema migrations; `python -m server media-to-s3`: copy the
local media to the S3-compatible storage the settings name; `python -m server seed`:
demo accounts and circles (server/seed.py)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import socket
import sys
from dataclasses import replace
from pathlib import Path

import uvicorn
from sqlalchemy import make_url
from starlette.applications import Starlette

import store

from . import workers
from .admission import connections_cap, raise_open_file_limit
from .app import create_app
from .http_protocol import HttpProtocol
from .media import move, storage
from .node import Node
from .settings import Settings
from .websocket import WebSocketProtocol

log = logging.getLogger("server")


class QuanziServer(uvicorn.Server):
    """uvicorn closes sockets with a bare 1012; say `bye` and flush first."""

    def __init__(self, config: uvicorn.Config, app: Starlette) -> None:
        super().__init__(config)
        self.app = app

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        # What start-up made (modules, tables, the node) lives as long as the
        # process: out of the collector's way, so its passes stay short.
        gc.freeze()
        if self.started:  # one of `--workers N`: the supervisor waits for this
            workers.say_ready(self.app.state.settings)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        node: Node | None = getattr(self.app.state, "node", None)
        if node is not None:
            await node.shutdown()
        await super().shutdown(sockets)


def parse_args(argv: list[str] | None = None) -> Settings:
    base = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m server", description="Run a Quanzi node.")
    parser.add_argument("--host", default=base.host, help="QUANZI_HOST (default %(default)s)")
    parser.add_argument(
        "--port", type=int, default=base.port, help="QUANZI_PORT or PORT (default %(default)s)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=base.data_dir,
        help="QUANZI_DATA_DIR: where the SQLite file lives (default %(default)s)",
    )
    parser.add_argument(
        "--database-url",
        default=base.database_url,
        help="QUANZI_DATABASE_URL: any SQLAlchemy async URL (default: SQLite)",
    )
    parser.add_argument(
        "--redis-url",
        default=base.redis_url,
        help="QUANZI_REDIS_URL: Redis for several nodes, redis+cluster://host:port,… "
        "for a Redis Cluster (default: none, one node)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=base.workers,
        help="QUANZI_WORKERS: worker processes on the one port (default: the number of "
        "cores with Redis and PostgreSQL, 1 otherwise)",
    )
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return replace(
        base,
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        database_url=args.database_url,
        redis_url=args.redis_url,
        workers=args.workers,
    )


def migrate(argv: list[str]) -> None:
    """`python -m server migrate [--database-url URL | --data-dir DIR]`: bring the
    store's schema to the latest version and exit (a node also does it on start)."""
    settings = parse_args(argv)

    revision = asyncio.run(store.migrate_database(settings.store_url))
    shown = make_url(settings.store_url).render_as_string(hide_password=True)
    print(f"{shown}: schema at revision {revision}", flush=True)


def seed(argv: list[str]) -> None:
    """`python -m server seed [--force] [--database-url URL | --data-dir DIR]`: demo
    accounts and circles (server/seed.py); --force on a database with real accounts."""
    force = "--force" in argv
    settings = parse_args([arg for arg in argv if arg != "--force"])
    from .seed import run  # only this command needs it

    run(settings.store_url, force)


def media_to_s3(argv: list[str]) -> None:
    """`python -m server media-to-s3 [--data-dir DIR]` with QUANZI_S3_* set: copy the
    blobs under DIR/blobs to the bucket (server/media/move.py), then exit."""
    settings = parse_args(argv)
    if not settings.s3_url:
        sys.exit("media-to-s3: set QUANZI_S3_URL (and the bucket and keys) to where media goes")
    asyncio.run(_media_to_s3(settings))


async def _media_to_s3(settings: Settings) -> None:
    source = store.LocalBlobs(settings.data_dir / "blobs")
    target = storage.s3_blobs(settings)
    try:
        await target.ensure_bucket()
        moved = await move.copy_blobs(source, target, settings.data_dir / "spool")
    finally:
        await target.close()
    print(
        f"media-to-s3: {moved.copied} blobs copied ({moved.bytes} bytes), "
        f"{moved.skipped} already in {settings.s3_bucket}",
        flush=True,
    )


def uvicorn_config(settings: Settings, app: Starlette) -> uvicorn.Config:
    """How a node runs under uvicorn (`/ws` on the socket, our frame limit)."""
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        # Request heads with a deadline and limits, connections within the caps
        # (server/http_protocol.py, server/admission.py).
        http=HttpProtocol.for_app(app),
        # /ws straight on the socket (server/websocket.py): its own frame limit,
        # no compression, pings from the node's keepalive sweep.
        ws=WebSocketProtocol.for_app(app),
        # The same proxies whose client-address header the caps believe: the
        # request's client (/metrics' loopback check) comes from them alone.
        forwarded_allow_ips=settings.trusted_proxies,
        lifespan="on",
        log_level="warning",
        timeout_graceful_shutdown=int(settings.shutdown_grace_s) + 1,
    )


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["migrate"]:
        migrate(args[1:])
        return
    if args[:1] == ["media-to-s3"]:
        media_to_s3(args[1:])
        return
    if args[:1] == ["seed"]:
        seed(args[1:])
        return
    settings = parse_args(args)
    if settings.worker_index < 0:  # not a worker the supervisor started
        try:
            count = workers.worker_count(settings)
        except workers.WorkersRefused as refused:
            sys.exit(f"python -m server: {refused}")
        if count > 1:
            print(
                f"Quanzi on http://{settings.host}:{settings.port} with {count} workers  "
                f"(store: {make_url(settings.store_url).render_as_string(hide_password=True)})",
                flush=True,
            )
            sys.exit(workers.Supervisor(settings, count).run())
    # Each connection is a file: raise the soft limit before anything is opened.
    open_files = raise_open_file_limit()
    log.info(
        "open-file limit %d: at most %d connections, the rest kept for the store, logs "
        "and /healthz (QUANZI_CONNECTIONS_MAX, QUANZI_FD_RESERVE)",
        open_files,
        connections_cap(settings, open_files),
    )
    app = create_app(settings)
    config = uvicorn_config(settings, app)
    if settings.listen_fd >= 0:
        # A worker of a set: the supervisor bound its socket (server/workers.py).
        sockets = [socket.socket(fileno=settings.listen_fd)]
        log.info("worker %d serving as node %s", settings.worker_index, settings.node_id)
        QuanziServer(config, app).run(sockets=sockets)
        return
    print(
        f"Quanzi on http://{settings.host}:{settings.port}  (store: {settings.store_url})",
        flush=True,
    )
    # run() picks uvloop (loop="auto") where asyncio.run would not.
    QuanziServer(config, app).run()


if __name__ == "__main__":
    main()
