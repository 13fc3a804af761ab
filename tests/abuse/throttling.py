"""Helpers of the throttling floods (issue 14, finding 7): clients from chosen
loopback addresses, latency figures, and a 429's shape."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tests import timing
from tests.timing import SCALE, seconds

ATTACKER = "127.0.0.1"
# Everyone else comes from other loopback addresses: per-IP limits tell them apart.
OWNER = "127.0.0.2"
WATCHER = "127.0.0.3"


def http_from(base: str, source: str) -> httpx.AsyncClient:
    """An HTTP client whose connections come from ``source`` (a loopback address)."""
    transport = httpx.AsyncHTTPTransport(local_address=source)
    return httpx.AsyncClient(base_url=base, transport=transport, timeout=seconds(20))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def signup(client: httpx.AsyncClient, handle: str) -> str:
    body = {"handle": handle, "password": "correct horse", "name": handle}
    r = await client.post("/api/v1/auth/signup", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


def assert_limited(response: httpx.Response) -> int:
    """A 429 as HTTP-API.md says, with Retry-After (s)."""
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "rate_limited", response.text
    retry = int(response.headers["retry-after"])
    assert retry >= 1
    return retry


class Latencies:
    """Round trips of a well-behaved client while an attack runs (ms)."""

    def __init__(self) -> None:
        self.ms: list[float] = []

    async def keep_timing(
        self, call: Callable[[], Awaitable[Any]], until: Callable[[], bool], pause: float
    ) -> None:
        while not until():
            started = time.perf_counter()
            await call()
            self.ms.append((time.perf_counter() - started) * 1000)
            await timing.sleep(pause)

    @property
    def p50(self) -> float:
        return statistics.median(self.ms)

    @property
    def p99(self) -> float:
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    def assert_under(self, p50_ms: float, p99_ms: float) -> None:
        """Under these bounds, scaled like every wait (QUANZI_TEST_TIME_SCALE)."""
        assert len(self.ms) >= 10, self.ms
        figures = f"p50 {self.p50:.1f} ms, p99 {self.p99:.1f} ms over {len(self.ms)}"
        print(figures)  # shown with -s or -rP: what the bound was held to
        assert self.p50 < p50_ms * SCALE, figures
        assert self.p99 < p99_ms * SCALE, figures
