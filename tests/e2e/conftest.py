from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import Api, ServerProcess

# Test servers let a test send quickly; the people-sized defaults are tested
# on purpose in test_limits.py.
FAST = {"QUANZI_SAY_RATE_PER_S": "100000", "QUANZI_SAY_BURST": "100000"}


@pytest.fixture
def server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    """One real node; a module's ``pytest.mark.server_env(QUANZI_…="…")`` adds settings."""
    marker = request.node.get_closest_marker("server_env")
    proc = ServerProcess(tmp_path / "node", **FAST, **(marker.kwargs if marker else {})).start()
    yield proc
    if proc.proc is not None:
        proc.stop()


@pytest.fixture
async def api(server: ServerProcess) -> AsyncIterator[Api]:
    client = Api(server.http)
    yield client
    await client.close()


@pytest.fixture(params=["json", "msgpack"])
def codec(request: pytest.FixtureRequest) -> str:
    return str(request.param)
