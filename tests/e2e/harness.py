"""Real server processes on free ports, and real `websockets` clients for them."""

from __future__ import annotations

import asyncio
import itertools
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from protocol import SUBPROTOCOL_JSON, SUBPROTOCOL_MSGPACK, codec_for
from tests import migrated, timing
from tests.limits import GENEROUS_ENV
from tests.timing import seconds  # the e2e and browser tests import it from here too

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    """`python -m server` in a subprocess, with its own data dir and port."""

    def __init__(
        self, data_dir: Path, port: int | None = None, open_files: int | None = None, **env: str
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        # The server's open-file limit (soft and hard), for tests that exhaust it.
        self.open_files = open_files
        self.env = {
            **os.environ,
            **GENEROUS_ENV,
            "QUANZI_PASSWORD_TIME_COST": "1",
            # A node is one process (with Redis and PostgreSQL the default would be
            # one worker per core); tests/e2e/multinode/test_workers.py sets more.
            "QUANZI_WORKERS": "1",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data_dir / f"server-{self.port}.log"
        # How long start() waits for /healthz (a set of workers migrates first).
        self.start_s = 20.0

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.env.get("QUANZI_DATABASE_URL"):
            migrated.place(self.data_dir / "quanzi.db")
        out = open(self.log, "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=self._limit_files if self.open_files else None,
        )
        deadline = time.monotonic() + seconds(self.start_s)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.http}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            timing.sleep_blocking(0.05)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-3000:]}")

    def _limit_files(self) -> None:  # in the child, before exec
        assert self.open_files is not None
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, self.open_files))

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=seconds(timeout))
        except subprocess.TimeoutExpired:
            # Never leave a hung server behind; fail with what it logged.
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            raise AssertionError(
                f"server on port {self.port} ignored signal {sig} for {timeout} s:\n"
                + self.log.read_text()[-3000:]
            ) from None
        self.proc = None
        return code


class Api:
    """Just enough of the HTTP API to set up scenes."""

    def __init__(self, base: str) -> None:
        self.client = httpx.AsyncClient(base_url=base, timeout=seconds(10))

    async def call(
        self, method: str, path: str, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.client.request(method, f"/api/v1{path}", headers=headers, **kw)

    async def signup(self, handle: str, name: str | None = None) -> tuple[str, dict[str, Any]]:
        r = await self.call(
            "POST",
            "/auth/signup",
            json={"handle": handle, "password": "correct horse", "name": name or handle},
        )
        assert r.status_code == 201, r.text
        body = r.json()
        return body["token"], body["user"]

    async def circle(self, token: str, name: str = "Circle", visibility: str = "public") -> str:
        r = await self.call(
            "POST",
            "/circles",
            token,
            json={"name": name, "kind": "community", "visibility": visibility},
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    async def join(self, token: str, circle: str, code: str | None = None) -> httpx.Response:
        return await self.call(
            "POST", f"/circles/{circle}/join", token, json={"code": code} if code else {}
        )

    async def close(self) -> None:
        await self.client.aclose()


_ids = itertools.count(1)


class Client:
    """A protocol client: requests matched to replies by id, pushes queued."""

    def __init__(self, ws: ClientConnection, codec_name: str) -> None:
        self.ws = ws
        self.codec = codec_for(SUBPROTOCOL_MSGPACK if codec_name == "msgpack" else SUBPROTOCOL_JSON)
        self.pushes: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.replies: dict[Any, asyncio.Future[dict[str, Any]]] = {}
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(
        cls, url: str, token: str | None, codec: str = "json", hello: bool = True
    ) -> Client:
        sub = SUBPROTOCOL_MSGPACK if codec == "msgpack" else SUBPROTOCOL_JSON
        ws = await connect(url, subprotocols=[sub], max_size=None, open_timeout=seconds(10))
        client = cls(ws, codec)
        if hello:
            welcome = await client.request({"t": "hello", "token": token})
            assert welcome["t"] == "welcome", welcome
        return client

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                frame = self.codec.decode(data)
                fut = self.replies.pop(frame.get("id"), None) if "id" in frame else None
                if fut is not None and not fut.done():
                    fut.set_result(frame)
                else:
                    self.pushes.put_nowait(frame)
        except ConnectionClosed:
            pass
        finally:
            for fut in self.replies.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("connection closed"))
            self.replies.clear()

    def send(self, frame: dict[str, Any]) -> None:
        data = self.codec.encode(frame)
        task = asyncio.ensure_future(self.ws.send(data if self.codec.binary else data.decode()))
        # A send racing a server close is expected here; the reply future reports it.
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    async def request(self, frame: dict[str, Any], timeout: float = 10) -> dict[str, Any]:
        frame = {"id": next(_ids), **frame}
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.replies[frame["id"]] = fut
        self.send(frame)
        return await asyncio.wait_for(fut, seconds(timeout))

    async def say(self, circle: str, text: str, nonce: str | None = None) -> dict[str, Any]:
        reply = await self.request(
            {"t": "say", "circle": circle, "text": text, "nonce": nonce or f"n{next(_ids)}"}
        )
        assert reply["t"] == "ok", reply
        return reply

    async def push(self, t: str | None = None, timeout: float = 5) -> dict[str, Any]:
        """The next push (of type t, skipping others)."""
        deadline = asyncio.get_running_loop().time() + seconds(timeout)
        while True:
            left = deadline - asyncio.get_running_loop().time()
            frame = await asyncio.wait_for(self.pushes.get(), max(left, 0.001))
            if t is None or frame["t"] == t:
                return frame

    async def messages(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        return [await self.push("msg", timeout) for _ in range(count)]

    async def closed(self, timeout: float = 10) -> int | None:
        """Wait for the server to close; the close code it sent."""
        await asyncio.wait_for(self.ws.wait_closed(), seconds(timeout))
        await self.reader
        return self.ws.close_code

    async def close(self) -> None:
        await self.ws.close()
        await self.reader
