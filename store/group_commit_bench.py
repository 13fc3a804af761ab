"""`python -m store.group_commit_bench URL`: the group commit alone, without sockets.

Opens the store on a database URL of an EMPTY database (it adds 200 users and
10 circles to it), queues ``--batches`` rounds of ``--senders`` says (one per
sender, over the circles) and waits for each round's commit, the way 200
durable senders fill one batch each. Reports says a second, the store's CPU
per say (this process) and, on PostgreSQL, the CPU per say of the database's
server processes for this database (read from /proc: PostgreSQL on the same
machine), the figures that hold on a machine shared with other work, and the
wall time per batch, which does not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from typing import Any

from store import Store
from store.ids import new_id, now_ms
from store.models import USERS

CIRCLES = 10
WARM_BATCHES = 5


async def _backend_pids(store: Store) -> list[int]:
    if store.db.dialect != "postgresql":
        return []
    async with store.db.read() as conn:
        rows = await conn.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        )
        return [int(r[0]) for r in rows]


def _cpu_of(pids: list[int]) -> float:
    """User + system CPU seconds of these processes (those gone count nothing)."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


async def measure(url: str, senders: int, batches: int) -> dict[str, Any]:
    store = await Store.open(url, password_time_cost=1)
    try:
        users = [{"id": new_id(), "handle": f"gc{i}", "name": f"GC {i}"} for i in range(senders)]
        async with store.db.write() as conn:
            await conn.execute(
                USERS.insert(), [{**u, "password_hash": "-", "created": now_ms()} for u in users]
            )
        circles = [
            (await store.circles.create(users[i]["id"], f"GC{i}", "community", "public"))["id"]
            for i in range(CIRCLES)
        ]
        sent = 0

        async def round_() -> None:
            nonlocal sent
            says = []
            for i, user in enumerate(users):
                sent += 1
                text = f"hello world, message number {sent} of the group commit"
                says.append(
                    store.chat.enqueue(
                        circles[i % CIRCLES], user["id"], user["name"], text, f"g{sent}"
                    )
                )
            await asyncio.gather(*says)

        for _ in range(WARM_BATCHES):
            await round_()
        pids = await _backend_pids(store)
        db0, cpu0, wall0 = _cpu_of(pids), time.process_time(), time.perf_counter()
        for _ in range(batches):
            await round_()
        wall = time.perf_counter() - wall0
        cpu, db = time.process_time() - cpu0, _cpu_of(pids) - db0
        n = senders * batches
        return {
            "says_per_s": round(n / wall),
            "store_cpu_per_say_us": round(cpu / n * 1e6, 1),
            "database_cpu_per_say_us": round(db / n * 1e6, 1) if pids else None,
            "ms_per_batch": round(wall / batches * 1000, 1),
            "max_batch": store.chat.stats.max_batch,
        }
    finally:
        await store.close()


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m store.group_commit_bench", description=__doc__)
    p.add_argument("url", help="SQLAlchemy URL of an empty database")
    p.add_argument("--senders", type=int, default=200, help="says per batch (200)")
    p.add_argument("--batches", type=int, default=100, help="batches measured (100)")
    args = p.parse_args()
    for key, value in asyncio.run(measure(args.url, args.senders, args.batches)).items():
        print(f"{key:<26} {value}")


if __name__ == "__main__":
    main()
