"""Logout racing hellos: sockets that say `hello` with a token while it is revoked.

One round logs in, opens a few sockets, sends `hello` on each a moment apart
while `POST /auth/logout` runs, then opens one more socket with the revoked
token. Logout must win whatever the order: every socket of the round closes
with 4001 (welcomed first or not), and a later socket with the token is never
welcomed.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from tests import timing
from tests.e2e.harness import Api, Client

# The reproduction's spacing: hellos spread over the few milliseconds a logout takes.
HELLO_SPACING_S = 0.0015


@dataclass
class Outcome:
    sockets: int = 0
    # Sockets of a round still open after logout (they should all close with 4001).
    survivors: list[Any] = field(default_factory=list)
    # Late sockets with the revoked token that got `welcome`.
    late_welcomes: int = 0


async def _login(api: Api, handle: str) -> str:
    r = await api.call("POST", "/auth/login", json={"handle": handle, "password": "correct horse"})
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


async def _hello(client: Client, token: str) -> dict[str, Any]:
    try:
        return await client.request({"t": "hello", "token": token})
    except ConnectionError:
        return {"t": "closed"}


async def _close_code(client: Client) -> int | None:
    """The server's close code; None if it still holds the socket open."""
    try:
        return await client.closed(timeout=2)
    except TimeoutError:
        return None


async def race(
    outcome: Outcome,
    handle: str,
    login: Api,
    logout: Api,
    urls: list[str],
    late_url: str,
) -> None:
    """One round: hellos on ``urls`` while ``logout`` revokes the token."""
    token = await _login(login, handle)
    clients = [await Client.open(url, None, hello=False) for url in urls]
    revoked = asyncio.ensure_future(logout.call("POST", "/auth/logout", token))
    hellos = []
    for client in clients:
        hellos.append(asyncio.ensure_future(_hello(client, token)))
        await timing.sleep(HELLO_SPACING_S)
    replies = await asyncio.gather(*hellos)
    assert (await revoked).status_code == 204
    codes = await asyncio.gather(*(_close_code(c) for c in clients))
    outcome.sockets += len(clients)
    for reply, code in zip(replies, codes, strict=True):
        if code != 4001:
            outcome.survivors.append((reply["t"], code))
    # The node of the late socket either closed a socket of the round (it heard of
    # the logout) or holds none open (its store read sees the delete): no welcome.
    late = await Client.open(late_url, None, hello=False)
    reply = await _hello(late, token)
    if reply["t"] == "welcome":
        outcome.late_welcomes += 1
    for client, code in zip([*clients, late], [*codes, await _close_code(late)], strict=True):
        if code is None:
            with contextlib.suppress(Exception):
                await client.close()
