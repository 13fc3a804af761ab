"""Logout wins every race with a `hello` of the same token on one node."""

from __future__ import annotations

import asyncio

from tests.e2e.harness import Api, ServerProcess
from tests.e2e.logout_race import Outcome, race

# Users racing at once, rounds each, sockets a round: 384 sockets. Several users
# at once keep the server busy enough that a hello's token check and the logout's
# delete overlap in some rounds (they did in about one round in ten before the fix).
USERS, ROUNDS, SOCKETS = 8, 8, 6


async def test_no_socket_survives_a_logout_racing_its_hello(
    server: ServerProcess, api: Api
) -> None:
    """A hello whose token check passed just before the logout deleted the token,
    and that registers its connection after the logout closed the token's
    sockets, is closed too; and no later hello with that token gets in."""
    handles = [f"user{i}" for i in range(USERS)]
    for handle in handles:
        await api.signup(handle)
    outcome = Outcome()

    async def rounds(handle: str) -> None:
        for _ in range(ROUNDS):
            await race(outcome, handle, api, api, [server.ws] * SOCKETS, server.ws)

    await asyncio.gather(*(rounds(handle) for handle in handles))
    assert outcome.sockets == USERS * ROUNDS * SOCKETS
    assert outcome.survivors == [], f"{len(outcome.survivors)} of {outcome.sockets} survived"
    assert outcome.late_welcomes == 0
