"""`python -m loadtests stars`: N members starring the same chat message within the same second.

The star-burst twin of `checkins`: starts a server of its own on loopback
(fresh data dir, the bench's raised limits; ``QUANZI_DATABASE_URL`` in the
environment puts it on PostgreSQL), signs N members up into one circle, has its
owner say one message, connects every member (``hello``), then sends every
member's ``star`` of that message at the same moment. Reports acknowledged
stars per second (``ok`` answers over the time from the first send to the last
answer), each star's latency (p50, p99, max) and the server's CPU, then checks:
the last count is N (each star counted once), every answer after the promotion
names the same post, and the circle's feed holds exactly one highlight of the
message (promoted once, at the circle's threshold, under the burst). The
traffic never leaves 127.0.0.1; the server and its data are removed at the end.

Exit status as `checkins`: 0 consistent (and every ``--fail-if`` held), 1 a
star failed, the count or the promotion disagree or a ``--fail-if`` was
breached, 2 bad usage, 3 the run itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from .checkins import Attempt, BurstConfig, BurstRun, burst_main, rows_of, summarise
from .proc import ProcessSampler, own_cpu_seconds
from .upload_client import api_call

API = "/api/v1"


def add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--members", type=int, default=200, help="members starring at once (200)")
    p.add_argument("--timeout", type=float, default=120.0, help="give up on the stars after S s")
    from .cli import output_options

    output_options(p, "stars_per_s<100' or 'p99_ms>2000")


class StarsRun(BurstRun):
    def __init__(self, cfg: BurstConfig) -> None:
        super().__init__(cfg)
        self.seq = 0
        # Each answered star: (member, stars, post id or None).
        self.answers: list[tuple[int, int, str | None]] = []

    async def _connect(self, token: str) -> Any:
        from websockets.asyncio.client import connect

        assert self.server is not None
        ws = await connect(f"ws://127.0.0.1:{self.server.port}/ws", max_size=None)
        await ws.send(json.dumps({"t": "hello", "id": 1, "token": token}))
        welcome = json.loads(await ws.recv())
        if welcome.get("t") != "welcome":
            raise RuntimeError(f"hello: {welcome}")
        return ws

    async def _request(self, ws: Any, frame: dict[str, Any]) -> dict[str, Any]:
        """Send a request; its answer (pushes in between are passed over)."""
        await ws.send(json.dumps(frame))
        while True:
            answer = json.loads(await ws.recv())
            if answer.get("id") == frame["id"]:
                return dict(answer)

    async def _star(self, ws: Any, attempt: Attempt, gate: asyncio.Event) -> None:
        await gate.wait()
        attempt.start = time.perf_counter()
        try:
            frame = {"t": "star", "id": 2, "circle": self.circle, "seq": self.seq}
            answer = await asyncio.wait_for(self._request(ws, frame), self.cfg.timeout)
            if answer.get("t") == "ok":
                attempt.status = 201
                post = answer.get("post")
                self.answers.append((attempt.member, answer["stars"], post and post["id"]))
            else:
                attempt.error = f"{answer.get('t')}: {answer.get('code')}"
        except Exception as exc:  # one failed star is a finding, not the run's end
            attempt.error = f"{type(exc).__name__}: {exc}"
        attempt.seconds = time.perf_counter() - attempt.start

    async def burst(self) -> tuple[list[Attempt], float, float, float]:
        """Every member's star at once; (attempts, first send → last answer in s, CPU)."""
        assert self.server is not None
        owner = await self._connect(self.tokens[0])
        said = await self._request(
            owner,
            {"t": "say", "id": 3, "circle": self.circle, "text": "星标 load", "nonce": "s1"},
        )
        self.seq = int(said["seq"])
        await owner.close()
        self.say(f"connecting {self.cfg.members} members …")
        sockets = [await self._connect(t) for t in self.tokens[1:]]
        attempts = [Attempt(i) for i in range(1, self.cfg.members + 1)]
        gate = asyncio.Event()
        tasks = [
            asyncio.create_task(self._star(ws, a, gate))
            for ws, a in zip(sockets, attempts, strict=True)
        ]
        server = ProcessSampler(self.server.pid)
        cpu0, own0 = server.sample()[0], own_cpu_seconds()
        self.say(f"{self.cfg.members} stars at once …")
        gate.set()
        await asyncio.gather(*tasks)
        cpu, own = server.sample()[0] - cpu0, own_cpu_seconds() - own0
        for ws in sockets:
            await ws.close()
        ends = [a.start + a.seconds for a in attempts if a.seconds]
        wall = (max(ends) - min(a.start for a in attempts if a.start)) if ends else 0.0
        return attempts, wall, cpu, own

    def check(self, attempts: list[Attempt]) -> list[str]:
        """What disagrees after the burst: the count, the promotion, the feed."""
        assert self.server is not None
        problems = [
            f"member {a.member}: {a.error or a.status}" for a in attempts if a.status != 201
        ]
        counted = len(attempts) - len(problems)
        counts = sorted(stars for _, stars, _ in self.answers)
        if counts and (counts[-1] != counted or len(set(counts)) != len(counts)):
            problems.append(f"star counts: the last is {counts[-1]} for {counted} stars")
        posts = {post for _, _, post in self.answers if post is not None}
        if len(posts) != 1:
            problems.append(f"the answers name {len(posts)} posts, not one")
        feed = api_call(
            self.server.port, "GET", f"{API}/circles/{self.circle}/posts", None, self.tokens[0]
        )
        highlights = [p for p in feed["posts"] if (p.get("source") or {}).get("seq") == self.seq]
        if len(highlights) != 1:
            problems.append(f"the feed holds {len(highlights)} highlights of the message")
        return problems

    def measure(self) -> dict[str, Any]:
        attempts, wall, cpu, own = asyncio.run(self.burst())
        self.say("reading the feed back …")
        problems = self.check(attempts)
        return summarise(self.cfg, attempts, wall, cpu, own, problems, "stars_per_s")


ROWS = rows_of("stars", "ok", "stars_per_s", "count and promotion consistent")


def main(args: argparse.Namespace) -> int:
    head = "stars · {members} members starring one message at once"
    return burst_main(args, StarsRun, head, ROWS, "stars")
