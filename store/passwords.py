"""argon2 off the event loop, in a bounded pool with a bounded queue.

argon2 is deliberately slow (tens of ms and 64 MiB per hash) and releases the
GIL while it works, so threads run it in parallel. The pool has ``workers``
threads — by default one fewer than the cores, so a flood of logins leaves a
core to the event loop and the members it serves — and at most ``queue``
hashes wait for one; past that a hash is refused at once with `Busy` (429 with
Retry-After at the HTTP edge) instead of queueing without end.

One hash is not one thread: argon2 computes its lanes (parallelism 4) in
threads of their own, which would spread a single hash over every core. So on
Linux the pool's threads are confined to all CPUs but one (`hash_cpus`), and
the lane threads they start inherit that: the last CPU never hashes.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import Busy

T = TypeVar("T")

# What a refusal asks the client to wait: about one hash per waiting slot drains
# in well under a second, so a second is enough and not a punishment.
BUSY_RETRY_S = 1.0


def default_workers() -> int:
    return max(1, (os.cpu_count() or 1) - 1)


def hash_cpus() -> set[int] | None:
    """The CPUs hashes may use: every usable one but the last (None: no choice to make)."""
    if not hasattr(os, "sched_getaffinity"):
        return None
    usable = sorted(os.sched_getaffinity(0))
    return set(usable[:-1]) if len(usable) > 1 else None


def _confine(cpus: set[int] | None) -> None:
    """Runs in each pool thread as it starts: 0 is the calling thread on Linux."""
    if cpus:
        os.sched_setaffinity(0, cpus)


class Passwords:
    def __init__(self, time_cost: int = 2, workers: int = 0, queue: int = 32) -> None:
        self.workers = workers or default_workers()
        self._hasher = PasswordHasher(time_cost=time_cost)
        self.cpus = hash_cpus()
        self._pool = ThreadPoolExecutor(
            self.workers,
            thread_name_prefix="quanzi-argon2",
            initializer=_confine,
            initargs=(self.cpus,),
        )
        self._room = self.workers + max(0, queue)
        self._pending = 0
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        """Hashes running or waiting."""
        return self._pending

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        def check() -> bool:
            try:
                return self._hasher.verify(password_hash, password)
            except (VerificationError, InvalidHashError):
                return False

        return await self._run(check)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def _run(self, work: Callable[..., T], *args: object) -> T:
        with self._lock:
            if self._pending >= self._room:
                raise Busy("the server is busy checking passwords: try again", BUSY_RETRY_S)
            self._pending += 1
        future = self._pool.submit(work, *args)
        # Counted down when the work ends, not when its caller does: a caller that
        # gave up (a closed connection) leaves its hash running in the pool.
        future.add_done_callback(self._done)
        return await asyncio.wrap_future(future)

    def _done(self, _: Future[Any]) -> None:
        with self._lock:
            self._pending -= 1
