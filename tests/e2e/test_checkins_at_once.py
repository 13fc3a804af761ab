"""200 members check in to one challenge within the same second, on a real node
over real HTTP (each also sends a second, racing check-in): each is counted
once, the boards rank 200 distinct people 1…200, nobody is missing, and a
member's socket hears 200 `checkin.added` events."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests import timing
from tests.e2e.harness import Api, Client, ServerProcess

pytestmark = pytest.mark.e2e
PEOPLE = 200


async def test_two_hundred_check_ins_in_one_second(server: ServerProcess, api: Api) -> None:
    owner, _ = await api.signup("owner")
    circle = await api.circle(owner)
    made = await api.call(
        "POST", f"/circles/{circle}/challenges", owner, json={"title": "早读", "required_days": 1}
    )
    assert made.status_code == 201, made.text
    url = f"/challenges/{made.json()['id']}"
    people: list[tuple[str, dict[str, Any]]] = []
    for start in range(0, PEOPLE, 20):  # signups hash passwords: a few at a time
        people += await asyncio.gather(
            *(api.signup(f"m{i:03d}") for i in range(start, min(start + 20, PEOPLE)))
        )
    for token, _ in people:
        assert (await api.join(token, circle)).status_code == 200
        assert (await api.call("POST", f"{url}/join", token)).status_code == 200
    watcher = await Client.open(server.ws, owner)

    started = time.perf_counter()

    async def check_in(token: str, n: int) -> httpx.Response:
        # A busy database answers 429 with Retry-After: a client tries again.
        while True:
            answer = await api.call("POST", f"{url}/checkins", token, json={"text": f"到 {n}"})
            if answer.status_code != 429:
                return answer
            retries.append(1)
            await timing.sleep(float(answer.headers.get("retry-after", "1")) / 10)

    retries: list[int] = []
    answers = await asyncio.gather(*(check_in(token, n) for n in range(2) for token, _ in people))
    took = time.perf_counter() - started
    print(f"{2 * PEOPLE} check-ins answered in {took:.2f} s ({len(retries)} retried after 429)")
    by_user: dict[str, list[int]] = {}
    for (_, user), status in zip(people * 2, [a.status_code for a in answers], strict=True):
        by_user.setdefault(user["id"], []).append(status)
    odd = {u: c for u, c in by_user.items() if sorted(c) != [201, 409]}
    assert not odd, (odd, {a.text for a in answers if a.status_code not in (201, 409)})
    assert len(by_user) == PEOPLE

    seen: set[str] = set()
    while len(seen) < PEOPLE:
        push = await watcher.push("event", timeout=20)
        if push["kind"] == "checkin.added":
            seen.add(push["checkin"]["user"])
    for by in ("streak", "total"):
        entries: list[dict[str, Any]] = []
        cursor = None
        while True:
            params = {"by": by, "limit": 100, **({"cursor": cursor} if cursor else {})}
            got = await api.call("GET", f"{url}/board", owner, params=params)
            assert got.status_code == 200, got.text
            page = got.json()
            entries += page["entries"]
            cursor = page["next"]
            if cursor is None:
                break
        assert [e["rank"] for e in entries] == list(range(1, PEOPLE + 1))
        assert {e["user"] for e in entries} == {u["id"] for _, u in people}
        assert {e[by] for e in entries} == {1}
    missing = (await api.call("GET", f"{url}/missing", owner)).json()
    assert (missing["count"], missing["entries"]) == (0, [])
    done: list[str] = []
    cursor = None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        page = (await api.call("GET", f"{url}/completed", owner, params=params)).json()
        done += [e["user"] for e in page["entries"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert sorted(done) == sorted(u["id"] for _, u in people)
    await watcher.close()
