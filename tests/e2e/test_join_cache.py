"""One node's join cache (server/join_cache.py) against every change it must
hear: leave, kick, ban, a role change, the general chat's and the circle's
settings, a paid term's end (tests/e2e/join_cases.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.e2e.harness import Api, ServerProcess
from tests.e2e.join_cases import CASES, SERVER_ENV, Scene, scene

pytestmark = pytest.mark.server_env(**SERVER_ENV)


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
async def test_a_new_socket_joins_with_what_the_change_said(
    server: ServerProcess, api: Api, case: Callable[[Scene], Awaitable[None]]
) -> None:
    async with scene(api, server.ws) as s:
        await case(s)
