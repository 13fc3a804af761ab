"""mixed: a day in a teaching circle — chat, stars that promote highlights, must-reads, reconnects.

A teacher (the circle's owner) and N students share one `teaching` circle.
Everyone chats; students star messages they saw (the teacher's star promotes
at once, students' stars are votes); the teacher posts notices over HTTP and
marks them must-read, and every student who gets the `must_read` highlight
acknowledges it; every few seconds a slice of the students drops its
connection and comes back with `since`, which must lose nothing. Parts the
server does not offer yet (it answers 404 or `unknown_type`) are skipped and
named in the report's notes.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

from ..client import RequestFailed
from .base import ConnSpec, Context, Layout, Scenario, conn_spec

if TYPE_CHECKING:
    from ..client import Client
    from ..seed import Seed

RECENT = 50  # stars go to one of the last RECENT messages a member saw


class Mixed(Scenario):
    name = "mixed"
    summary = "a teaching circle: chat, stars → highlights, must-read acks, reconnects with since"

    @staticmethod
    def add_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--students",
            type=int,
            default=200,
            help="students besides the teacher (default %(default)s)",
        )
        p.add_argument(
            "--chat-period",
            type=float,
            default=10.0,
            help="seconds between two messages of one student (default %(default)s)",
        )
        p.add_argument(
            "--teacher-period",
            type=float,
            default=2.0,
            help="seconds between two messages of the teacher (default %(default)s)",
        )
        p.add_argument(
            "--star-period",
            type=float,
            default=20.0,
            help="seconds between two stars of one student (default %(default)s)",
        )
        p.add_argument(
            "--notice-every",
            type=float,
            default=10.0,
            help="seconds between two must-read notices (default %(default)s)",
        )
        p.add_argument(
            "--reconnect-every",
            type=float,
            default=5.0,
            help="seconds between two reconnect waves (default %(default)s)",
        )
        p.add_argument(
            "--reconnect-fraction",
            type=float,
            default=0.05,
            help="share of the students that reconnects in each wave (default %(default)s)",
        )

    def connections(self) -> int:
        return int(self.opts["students"]) + 1

    def users(self) -> int:
        return max(2, super().users())

    def layout(self) -> Layout:
        return Layout(users=self.users(), circles=[list(range(self.users()))], kind="teaching")

    def plan(self, seed: Seed, urls: list[str]) -> list[ConnSpec]:
        u = self.users()
        specs = [conn_spec(0, seed, urls, 0, "teacher", [0])]
        specs += [
            conn_spec(i, seed, urls, 1 + (i - 1) % (u - 1), "student", [0])
            for i in range(1, self.connections())
        ]
        return specs

    async def drive(self, ctx: Context, client: Client, spec: ConnSpec) -> None:
        circle = spec["circle"]
        tasks = []
        if spec["role"] == "teacher":
            tasks.append(
                ctx.paced(
                    1.0 / float(self.opts["teacher_period"]),
                    lambda: _say_if_open(client, circle, ctx.text),
                )
            )
            tasks.append(self._notices(ctx, client, spec))
            tasks.append(self._stars(ctx, client, circle, float(self.opts["teacher_period"]) * 5))
        else:
            tasks.append(
                ctx.paced(
                    1.0 / float(self.opts["chat_period"]),
                    lambda: _say_if_open(client, circle, ctx.text),
                )
            )
            tasks.append(self._stars(ctx, client, circle, float(self.opts["star_period"])))
            if spec["i"] == min(i for i in ctx.clients if i > 0):  # one per worker
                tasks.append(self._reconnects(ctx))
        await asyncio.gather(*tasks)

    # -- stars
    async def _stars(self, ctx: Context, client: Client, circle: str, period: float) -> None:
        await ctx.sleep(ctx.rng.random() * period)
        while await ctx.sleep(period):
            if "star" in _skipped(ctx) or not client.is_open:
                continue
            ledger = client.ledgers.get(circle)
            if ledger is None or ledger.last == 0:
                continue
            seq = ctx.rng.randint(max(1, ledger.last - RECENT + 1), ledger.last)
            try:
                reply = await client.request({"t": "star", "circle": circle, "seq": seq}, 30)
            except RequestFailed as exc:
                if exc.code in ("unknown_type", "bad_frame"):
                    _skip(ctx, "star", f"stars: the server answered {exc.code}; skipped")
                else:
                    ctx.stats.count_error(f"star:{exc.code}")
                continue
            except (TimeoutError, ConnectionError):
                continue
            ctx.stats.bump("stars")
            if reply.get("post"):
                ctx.stats.bump("stars_with_post")

    # -- must-read notices (HTTP)
    async def _notices(self, ctx: Context, client: Client, spec: ConnSpec) -> None:
        n = 0
        while await ctx.sleep(float(self.opts["notice_every"])):
            if "notice" in _skipped(ctx):
                return
            n += 1
            status, post = await _http(
                ctx,
                spec,
                "POST",
                f"/circles/{spec['circle']}/posts",
                {"kind": "notice", "text": f"Homework {n}: read this"},
            )
            if status == 404 or status == 405:
                _skip(ctx, "notice", "notices: POST /circles/{id}/posts answered 404; skipped")
                return
            if status != 201:
                ctx.stats.count_error(f"notice:http{status}")
                continue
            ctx.stats.bump("notices")
            status, _ = await _http(ctx, spec, "PUT", f"/posts/{post['id']}/must-read")
            if status in (404, 405):
                _skip(ctx, "notice", "must-read: PUT /posts/{id}/must-read answered 404; skipped")
                return
            if status >= 300:
                ctx.stats.count_error(f"must_read:http{status}")
            else:
                ctx.stats.bump("must_reads")

    def on_push(self, ctx: Context, client: Client, frame: dict[str, Any]) -> None:
        if frame.get("t") != "highlight":
            return
        action = str(frame.get("action"))
        ctx.stats.bump(f"highlight_{action}")
        post = frame.get("post") or {}
        spec = ctx.specs.get(client.index)
        if action == "must_read" and spec and spec["role"] == "student" and post.get("id"):
            task = asyncio.ensure_future(self._ack(ctx, spec, str(post["id"])))
            ctx.keep(task)

    async def _ack(self, ctx: Context, spec: ConnSpec, post_id: str) -> None:
        if "ack" in _skipped(ctx):
            return
        await asyncio.sleep(ctx.rng.random() * 2)  # people read before they tick the box
        status, _ = await _http(ctx, spec, "PUT", f"/posts/{post_id}/ack")
        if status in (404, 405):
            _skip(ctx, "ack", "must-read acks: PUT /posts/{id}/ack answered 404; skipped")
        elif status >= 300:
            ctx.stats.count_error(f"ack:http{status}")
        else:
            ctx.stats.bump("must_read_acks")

    async def close(self, ctx: Context) -> None:
        http = ctx.scratch.pop("http", None)
        if http is not None:
            await http.aclose()

    # -- reconnects
    async def _reconnects(self, ctx: Context) -> None:
        students = [c for i, c in ctx.clients.items() if i > 0]
        while await ctx.sleep(float(self.opts["reconnect_every"])):
            k = max(1, round(len(students) * float(self.opts["reconnect_fraction"])))
            wave = ctx.rng.sample(students, min(k, len(students)))
            await asyncio.gather(*(self._reconnect(ctx, c) for c in wave))

    async def _reconnect(self, ctx: Context, client: Client) -> None:
        await client.close()
        try:
            await client.connect()
            await client.rejoin()
            ctx.stats.bump("reconnects")
        except (OSError, TimeoutError, ConnectionError, RequestFailed) as exc:
            ctx.stats.count_error(f"reconnect:{type(exc).__name__}")


def _say_if_open(client: Client, circle: str, text: str) -> None:
    if client.is_open:
        client.say(circle, text)


def _skipped(ctx: Context) -> set[str]:
    return ctx.scratch.setdefault("skipped", set())


def _skip(ctx: Context, part: str, note: str) -> None:
    _skipped(ctx).add(part)
    ctx.stats.notes.add(note)


async def _http(
    ctx: Context, spec: ConnSpec, method: str, path: str, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    import httpx

    client: httpx.AsyncClient | None = ctx.scratch.get("http")
    if client is None:
        client = ctx.scratch["http"] = httpx.AsyncClient(timeout=30)
    try:
        r = await client.request(
            method,
            f"{spec['http']}/api/v1{path}",
            json=body,
            headers={"Authorization": f"Bearer {spec['token']}"},
        )
    except httpx.HTTPError as exc:
        ctx.stats.count_error(f"http:{type(exc).__name__}")
        return 599, {}
    try:
        return r.status_code, r.json() if r.content else {}
    except ValueError:
        return r.status_code, {}
