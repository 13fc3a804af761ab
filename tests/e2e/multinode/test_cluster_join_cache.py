"""The join cache (server/join_cache.py) across two nodes on Redis: each change
is made through node one while Sam's sockets are on node two, whose cache must
hear it (tests/e2e/join_cases.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.e2e.harness import Api
from tests.e2e.join_cases import CASES, SERVER_ENV, Scene, scene
from tests.e2e.multinode.conftest import StartNodes


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
async def test_a_change_on_one_node_reaches_a_join_on_the_other(
    start_nodes: StartNodes, shared_redis: str, case: Callable[[Scene], Awaitable[None]]
) -> None:
    one, two = start_nodes(2, shared_redis, **SERVER_ENV)
    api = Api(one.http)
    try:
        async with scene(api, two.ws) as s:
            await case(s)
    finally:
        await api.close()
