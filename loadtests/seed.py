"""Users and circles for a run: created over the HTTP API, or read back from a seed file.

Signups are the slow part of a setup: each costs the server one argon2 hash
(about 0.2 s of CPU at QUANZI_PASSWORD_TIME_COST=1 on a 2-core machine), so
connections share users round-robin (`--users`) and a seed file (`--seed`)
lets repeated runs against the same server skip the setup. Against the
baseline relay, which has no HTTP API, the seed is synthetic.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from . import bulk_seed
from .scenarios.base import Layout

PASSWORD = "load test password"


def http_base(ws_url: str) -> str:
    """ws://host:port/ws → http://host:port (wss → https)."""
    parts = urlsplit(ws_url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, "", "", ""))


@dataclass
class Seed:
    layout_key: str
    http: str
    users: list[dict[str, Any]] = field(default_factory=list)  # id, handle, token
    circles: list[dict[str, Any]] = field(default_factory=list)  # id, members
    synthetic: bool = False
    created: float = field(default_factory=time.time)
    setup_s: float = 0.0

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=1))

    @classmethod
    def load(cls, path: Path) -> Seed:
        return cls(**json.loads(path.read_text()))


def synthetic(layout: Layout) -> Seed:
    """Tokens and circle ids the baseline relay accepts as they are."""
    return Seed(
        layout_key=layout.key(),
        http="",
        synthetic=True,
        users=[
            {"id": f"u{u}", "handle": f"u{u}", "token": f"loadtest-user-{u}"}
            for u in range(layout.users)
        ],
        circles=[
            {"id": f"loadtest-circle-{c}", "members": m} for c, m in enumerate(layout.circles)
        ],
    )


class SetupError(RuntimeError):
    pass


async def create(
    http: str,
    layout: Layout,
    concurrency: int = 8,
    quiet: bool = False,
    users_from: Seed | None = None,
    bulk_db: str | None = None,
) -> Seed:
    """Sign up the layout's users (or take them from `users_from`), create its circles, join
    members; with `bulk_db`, all users but the first and every membership in bulk
    (loadtests/bulk_seed.py)."""
    import httpx

    t0 = time.perf_counter()
    run = secrets.token_hex(3)
    seed = Seed(layout_key=layout.key(), http=http)
    limits = httpx.Limits(max_connections=concurrency * 4)
    async with httpx.AsyncClient(base_url=f"{http}/api/v1", timeout=120, limits=limits) as api:
        sem = asyncio.Semaphore(concurrency)

        async def call(
            method: str,
            path: str,
            token: str | None = None,
            body: dict[str, Any] | None = None,
            ok: tuple[int, ...] = (200, 201),
        ) -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            for attempt in range(5):
                async with sem:
                    r = await api.request(method, path, json=body or {}, headers=headers)
                if r.status_code == 429:  # the server's own limits: back off and retry
                    await asyncio.sleep(0.5 * (attempt + 1))
                    continue
                if r.status_code not in ok:
                    raise SetupError(f"{method} {path}: HTTP {r.status_code} {r.text[:300]}")
                return r.json() if r.content else {}
            raise SetupError(f"{method} {path}: still rate limited after 5 tries")

        async def signup(u: int) -> dict[str, Any]:
            handle = f"lt{run}u{u}"
            body = await call(
                "POST",
                "/auth/signup",
                body={"handle": handle, "password": PASSWORD, "name": f"Load {u}"},
            )
            return {"id": body["user"]["id"], "handle": handle, "token": body["token"]}

        users: list[dict[str, Any]] = list((users_from.users if users_from else [])[: layout.users])
        progress = _Progress("signups", layout.users, quiet)
        if bulk_db is not None and len(users) < layout.users:
            if not users:
                users.append(await signup(0))
            handles = [f"lt{run}u{u}" for u in range(len(users), layout.users)]
            users += await bulk_seed.add_users(bulk_db, handles, users[0]["id"])
            progress.update(len(users))
        for chunk in _chunks(range(len(users), layout.users), 200):
            users += await asyncio.gather(*(signup(u) for u in chunk))
            progress.update(len(users))
        seed.users = users

        async def circle(c: int, members: list[int]) -> dict[str, Any]:
            owner = users[members[0]]["token"]
            body = await call(
                "POST",
                "/circles",
                owner,
                {
                    "name": f"load test {run} #{c}",
                    "kind": layout.kind,
                    "visibility": "public",
                    "description": "created by python -m loadtests",
                },
            )
            return {"id": body["id"], "members": members}

        seed.circles = list(
            await asyncio.gather(*(circle(c, m) for c, m in enumerate(layout.circles)))
        )
        if bulk_db is not None:
            for c in seed.circles:
                owner_id = users[c["members"][0]]["id"]
                ids = list(dict.fromkeys(users[u]["id"] for u in c["members"][1:]))
                ids = [i for i in ids if i != owner_id]
                await bulk_seed.add_members(bulk_db, c["id"], ids)
        else:
            joins = [
                (f"/circles/{c['id']}/join", users[u]["token"])
                for c in seed.circles
                for u in c["members"][1:]
            ]
            await _join_all(call, joins, quiet)
        if layout.groups:
            first = seed.circles[0]
            owner = users[first["members"][0]]["token"]
            first["groups"] = []
            for g in range(len(layout.groups)):
                body = await call(
                    "POST", f"/circles/{first['id']}/groups", owner, {"name": f"group {g}"}
                )
                first["groups"].append(body["group"]["id"])
            # Members are in the circle by now: the groups take them.
            group_joins = [
                (f"/groups/{gid}/join", users[first["members"][m]]["token"])
                for gid, members in zip(first["groups"], layout.groups, strict=True)
                for m in members
                if m != 0
            ]
            await _join_all(call, group_joins, quiet)
    seed.setup_s = round(time.perf_counter() - t0, 2)
    return seed


async def _join_all(call: Any, joins: list[tuple[str, str]], quiet: bool) -> None:
    """POST each (path, token), 500 at a time."""
    progress = _Progress("joins", len(joins), quiet)
    done = 0
    for chunk in _chunks(joins, 500):
        await asyncio.gather(
            *(call("POST", path, tok, ok=(200, 201, 204, 409)) for path, tok in chunk)
        )
        done += len(chunk)
        progress.update(done)


def obtain(
    layout: Layout,
    http: str,
    seed_file: Path | None,
    no_setup: bool,
    quiet: bool = False,
    users_from: Seed | None = None,
    bulk_db: str | None = None,
) -> Seed:
    """The seed for a run: read from `seed_file` if it exists, else synthetic or created
    (the users and memberships in bulk with `bulk_db`)."""
    if seed_file is not None and seed_file.exists():
        seed = Seed.load(seed_file)
        if seed.layout_key != layout.key():
            raise SetupError(
                f"{seed_file} was made for another layout ({seed.layout_key}); "
                f"this run needs {layout.key()}: use another --seed file"
            )
        return seed
    if no_setup:
        seed = synthetic(layout)
    else:
        if not quiet:
            print(
                f"setting up {layout.users} users and {len(layout.circles)} circles on {http} …",
                file=sys.stderr,
                flush=True,
            )
        seed = asyncio.run(
            create(http, layout, quiet=quiet, users_from=users_from, bulk_db=bulk_db)
        )
    if seed_file is not None:
        seed.save(seed_file)
    return seed


def _chunks(items: Any, size: int) -> Any:
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


class _Progress:
    def __init__(self, what: str, total: int, quiet: bool) -> None:
        self.what, self.total, self.quiet = what, total, quiet
        self.t0 = time.perf_counter()

    def update(self, done: int) -> None:
        if self.quiet or self.total < 50:
            return
        rate = done / max(time.perf_counter() - self.t0, 1e-6)
        print(f"  {self.what}: {done}/{self.total} ({rate:.0f}/s)", file=sys.stderr, flush=True)
