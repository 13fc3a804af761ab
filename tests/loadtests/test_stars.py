"""`python -m loadtests stars`, small: 12 members starring one message at once against
a server of its own, the feed read back; and the checker reports a count or a
promotion that disagrees, so a mismatch is shown to be found."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from loadtests import cli
from loadtests.checkins import Attempt, BurstConfig
from loadtests.stars import StarsRun

pytestmark = pytest.mark.e2e


def test_a_small_burst_counts_each_star_once_and_promotes_once(tmp_path: Path) -> None:
    code = cli.main(["stars", "--members", "12", "--out", str(tmp_path), "--quiet"])
    assert code == cli.EXIT_OK
    (written,) = tmp_path.glob("*-stars.json")
    result = json.loads(written.read_text())
    s = result["summary"]
    assert result["problems"] == [] and s["consistent"] is True
    assert (s["members"], s["acknowledged"], s["failed"]) == (12, 12, 0)
    assert s["stars_per_s"] > 0 and 0 < s["p50_ms"] <= s["p99_ms"] <= s["max_ms"]


def test_the_checker_finds_a_count_and_a_promotion_that_disagree(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = StarsRun(BurstConfig(members=3, quiet=True))
    run.server = SimpleNamespace(port=0)  # type: ignore[assignment]
    run.circle, run.seq, run.tokens = "c1", 7, ["owner", "a", "b", "c"]
    # A star counted twice, two posts, and no highlight in the feed.
    run.answers = [(1, 1, None), (2, 1, "p1"), (3, 3, "p2")]

    def call(port: int, method: str, path: str, body: Any, token: str) -> Any:
        return {"posts": [{"id": "p9", "source": {"seq": 8}}]}

    monkeypatch.setattr("loadtests.stars.api_call", call)
    problems = run.check([Attempt(1, 201), Attempt(2, 201), Attempt(3, 201), Attempt(4, 0, "x")])
    assert any("member 4" in p for p in problems)
    assert any("star counts" in p for p in problems)
    assert any("2 posts" in p for p in problems)
    assert any("0 highlights" in p for p in problems)
