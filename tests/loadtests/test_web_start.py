"""The web start benchmark runs (one unthrottled round) and the cold start it measures
fetches the page in a handful of files — the bundle's point, checked without a clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from loadtests import web_start
from loadtests.servers import LocalServer, start_quanzi

pytestmark = pytest.mark.e2e


@pytest.fixture
def quanzi(tmp_path: Path) -> Iterator[LocalServer]:
    server = start_quanzi(data_dir=tmp_path / "quanzi")
    yield server
    server.stop()


def test_one_round_on_loopback(quanzi: LocalServer) -> None:
    session = web_start.seed(quanzi.http)
    figures = web_start.measure(quanzi.http, session, runs=1, throttle=False)
    for key in ("logged_out", "logged_in", "warm"):
        assert figures[key] > 0
    # The page, its one script and stylesheet, the API's answers, the manifest and an icon.
    # 13 since the bell: its unread count and catch-up (/me/notifications).
    assert figures["requests"] <= 13, figures
    # A budget, not a timing: 167,578 bytes after the teaching circles and activities
    # (course, homework, events, check-ins, contests, points, sections) of 2026-12-01.
    assert figures["bytes"] < 200_000, figures
