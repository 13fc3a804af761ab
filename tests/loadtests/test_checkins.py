"""`python -m loadtests checkins`, small: 12 members of one challenge checking in at
once against a server of its own, the boards and the export read back; and the
checker reports a board that disagrees, so a mismatch is shown to be found."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from loadtests import cli
from loadtests.checkins import Attempt, CheckinsConfig, CheckinsRun, percentile

pytestmark = pytest.mark.e2e


def test_a_small_burst_is_counted_once_each(tmp_path: Path) -> None:
    code = cli.main(["checkins", "--members", "12", "--out", str(tmp_path), "--quiet"])
    assert code == cli.EXIT_OK
    (written,) = tmp_path.glob("*-checkins.json")
    result = json.loads(written.read_text())
    s = result["summary"]
    assert result["problems"] == [] and s["consistent"] is True
    assert (s["members"], s["acknowledged"], s["failed"]) == (12, 12, 0)
    assert s["checkins_per_s"] > 0 and 0 < s["p50_ms"] <= s["p99_ms"] <= s["max_ms"]


def test_the_checker_finds_a_board_that_disagrees(monkeypatch: pytest.MonkeyPatch) -> None:
    run = CheckinsRun(CheckinsConfig(members=2, quiet=True))
    run.server = SimpleNamespace(port=0)  # type: ignore[assignment]
    run.challenge = "h1"
    run.tokens = ["owner", "a", "b"]
    twice = [
        {"rank": 1, "user": "a", "total": 1, "streak": 1},
        {"rank": 2, "user": "a", "total": 1, "streak": 1},
        {"rank": 4, "user": "o", "total": 2, "streak": 1},
    ]
    monkeypatch.setattr(run, "board", lambda by: twice)

    def call(method: str, path: str, token: str, body: Any = None) -> Any:
        return {"participants": 3}

    monkeypatch.setattr(run, "call", call)
    monkeypatch.setattr(
        "loadtests.checkins._csv_rows", lambda *a: [{"user_id": "a", "state": "valid"}]
    )
    problems = run.check([Attempt(1, 201), Attempt(2, 0, "TimeoutError")])
    assert any("member 2" in p for p in problems)
    assert any("distinct" in p for p in problems)
    assert any("ranks" in p for p in problems)
    assert any("do not count 1" in p for p in problems)
    assert any("export.csv" in p for p in problems)
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.0 and percentile([], 99) == 0.0
