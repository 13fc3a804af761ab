"""The broker's outgoing road to one Redis: ``PUBLISH`` written as it comes.

redis-py's pipeline costs about 75 µs of CPU per ``execute`` on this machine,
and in small rooms nearly every batch is one message: a node with the Redis
broker spent 1.5–1.9× the server CPU per delivery of the same node in-process
(issue 19, item 4). This writes each ``PUBLISH`` on a connection of its own
(everything published in one turn of the event loop goes out in one write) and
reads the replies as they arrive, in bulk. Nothing waits for a reply; a reply is
only how the publisher knows a message reached Redis.

What was written but not answered when the connection fails is handed back
(`failed`): the broker keeps it for publication after its reconnect, exactly as
it keeps what a failed pipeline could not publish.

A Redis Cluster routes each channel to its slot's master: the broker publishes
there through redis-py's cluster pipeline instead (`redis_broker.py`).

URLs: ``redis://[user:password@]host[:port]`` and ``rediss://`` (TLS; the
query's ``ssl_cert_reqs=none`` and ``ssl_ca_certs=…`` are read as redis-py
reads them), or ``unix://[user:password@]/path``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections import deque
from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from .redis_client import RedisUrlError, credentials

log = logging.getLogger(__name__)

# (channel, data): a published message, as the broker keeps it.
Sent = tuple[str, bytes]
READ_CHUNK = 65536


def command(*parts: bytes) -> bytes:
    """One command in RESP (what Redis reads)."""
    out = [b"*%d\r\n" % len(parts)]
    for part in parts:
        out.append(b"$%d\r\n%s\r\n" % (len(part), part))
    return b"".join(out)


def publish_command(key: bytes, data: bytes) -> bytes:
    # command() unrolled: this is the per-message path.
    return b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(data), data)


class Replies:
    """Counts complete replies in what Redis sends back (Sans-I/O). A ``PUBLISH``
    is answered by an integer (``:2``) or an error (``-ERR …``): one line each."""

    def __init__(self) -> None:
        self._rest = b""
        self.errors: list[bytes] = []

    def feed(self, data: bytes) -> int:
        """How many replies ``data`` completes."""
        data = self._rest + data
        end = data.rfind(b"\r\n")
        if end < 0:
            self._rest = data
            return 0
        self._rest = data[end + 2 :]
        lines = data[:end].split(b"\r\n")
        for line in lines:
            if line.startswith(b"-"):
                self.errors.append(line[1:])
        return len(lines)


class Publisher:
    """``PUBLISH`` on one connection; ``failed`` receives the unanswered."""

    def __init__(
        self, url: str, failed: Callable[[list[Sent]], None], connect_timeout: float = 2.0
    ) -> None:
        self._url = url
        self._failed = failed
        self._connect_timeout = connect_timeout
        self._writer: asyncio.StreamWriter | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._unanswered: deque[Sent] = deque()
        self._buffer: list[bytes] = []
        self._flush_scheduled = False
        self._answered = asyncio.Event()

    @property
    def connected(self) -> bool:
        return self._writer is not None

    @property
    def unanswered(self) -> int:
        return len(self._unanswered)

    async def connect(self) -> None:
        """Open the connection (and authenticate) unless it is open; raises what
        connecting raised."""
        if self._writer is not None:
            return
        async with asyncio.timeout(self._connect_timeout):
            reader, writer = await _open(self._url)
            try:
                given = credentials(self._url)
                user, password = given.get("username", ""), given.get("password", "")
                if password:
                    auth = (user, password) if user else (password,)
                    writer.write(command(b"AUTH", *(s.encode() for s in auth)))
                    answer = await reader.readline()
                    if not answer.startswith(b"+OK"):
                        raise ConnectionError(f"Redis refused AUTH: {answer.strip()!r}")
            except BaseException:
                writer.close()
                raise
        self._writer = writer
        self._reader_task = asyncio.create_task(self._read(reader), name="quanzi-redis-publish")

    def publish(self, channel: str, key: bytes, data: bytes) -> None:
        """Send ``data`` on ``key`` with what else this turn of the loop publishes."""
        self._unanswered.append((channel, data))
        self._buffer.append(publish_command(key, data))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    async def drain(self, timeout: float) -> None:
        """Wait (up to ``timeout``) until every message is answered."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while self._unanswered and self._writer is not None:
                    self._answered.clear()
                    await self._answered.wait()

    async def close(self) -> None:
        writer, task = self._writer, self._reader_task
        self._writer = self._reader_task = None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        self._fail()

    def _flush(self) -> None:
        self._flush_scheduled = False
        buffer, self._buffer = self._buffer, []
        if self._writer is None:
            self._fail()
            return
        try:
            self._writer.write(b"".join(buffer))
        except Exception as exc:  # the transport is closing: the reader sees it too
            log.warning("broker: writing to Redis failed: %r", exc)
            self._lost()

    async def _read(self, reader: asyncio.StreamReader) -> None:
        replies = Replies()
        try:
            while True:
                data = await reader.read(READ_CHUNK)
                if not data:
                    raise ConnectionError("Redis closed the connection")
                for _ in range(replies.feed(data)):
                    if self._unanswered:
                        self._unanswered.popleft()
                if replies.errors:
                    log.warning("broker: Redis refused to publish: %r", replies.errors[:3])
                    replies.errors.clear()
                self._answered.set()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("broker: publishing connection lost: %r", exc)
            self._lost()

    def _lost(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        self._fail()
        self._answered.set()

    def _fail(self) -> None:
        """Hand back what Redis did not answer (and what was still to be written)."""
        self._buffer.clear()
        if self._unanswered:
            unanswered = list(self._unanswered)
            self._unanswered.clear()
            self._failed(unanswered)


async def _open(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return await asyncio.open_unix_connection(unquote(parts.path))
    if parts.scheme not in ("redis", "rediss"):
        raise RedisUrlError(f"cannot publish to a {parts.scheme}:// URL")
    context = _tls(parts.query) if parts.scheme == "rediss" else None
    return await asyncio.open_connection(
        parts.hostname or "127.0.0.1", parts.port or 6379, ssl=context
    )


def _tls(query: str) -> ssl.SSLContext:
    options = {k: v[-1] for k, v in parse_qs(query).items()}
    context = ssl.create_default_context(cafile=options.get("ssl_ca_certs"))
    if options.get("ssl_cert_reqs", "required").lower() in ("none", "cert_none"):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
