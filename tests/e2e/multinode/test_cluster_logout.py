"""Logout wins every race with a `hello` of the same token on another node."""

from __future__ import annotations

import asyncio

from tests.e2e.harness import Api
from tests.e2e.logout_race import Outcome, race
from tests.e2e.multinode.conftest import StartNodes

# As tests/e2e/test_logout.py: 384 sockets, several users at once.
USERS, ROUNDS, SOCKETS = 8, 8, 6


async def test_no_socket_survives_a_logout_through_the_other_node(
    start_nodes: StartNodes, shared_redis: str
) -> None:
    """Hellos on node a while node b revokes the token: a hello whose token read
    came before b's delete and that registered after a heard of it is closed too,
    and no later hello on a gets in with the token."""
    a, b = start_nodes(2, shared_redis)
    api_a, api_b = Api(a.http), Api(b.http)
    try:
        handles = [f"user{i}" for i in range(USERS)]
        for handle in handles:
            await api_a.signup(handle)
        outcome = Outcome()

        async def rounds(handle: str) -> None:
            for _ in range(ROUNDS):
                await race(outcome, handle, api_a, api_b, [a.ws] * SOCKETS, a.ws)

        await asyncio.gather(*(rounds(handle) for handle in handles))
        assert outcome.sockets == USERS * ROUNDS * SOCKETS
        assert outcome.survivors == [], f"{len(outcome.survivors)} of {outcome.sockets} survived"
        assert outcome.late_welcomes == 0
    finally:
        await api_a.close()
        await api_b.close()
