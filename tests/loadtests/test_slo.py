"""--fail-if expressions: parsing and judging a summary."""

from __future__ import annotations

import pytest

from loadtests import slo


def test_parses_every_operator() -> None:
    for op in (">", ">=", "<", "<=", "=="):
        c = slo.parse(f"p99_ms {op} 200")
        assert (c.metric, c.op, c.value) == ("p99_ms", op, 200.0)
    assert slo.parse("lost>0").op == ">" and slo.parse("x>=1.5e3").value == 1500.0


@pytest.mark.parametrize("bad", ["p99_ms", "p99_ms=>200", "> 200", "p99_ms > fast", ""])
def test_rejects_what_is_not_an_expression(bad: str) -> None:
    with pytest.raises(ValueError):
        slo.parse(bad)


def test_breach_and_pass() -> None:
    summary = {"p99_ms": 250.0, "lost": 0, "generator_saturated": False, "p50_ms": None}
    checks = [slo.parse("p99_ms>200"), slo.parse("lost>0"), slo.parse("generator_saturated==1")]
    failed = slo.breaches(checks, summary)
    assert len(failed) == 1 and failed[0].startswith("p99_ms>200")
    assert slo.breaches([slo.parse("p99_ms>300"), slo.parse("lost>=1")], summary) == []


def test_unknown_or_unmeasured_figures_breach() -> None:
    summary = {"p50_ms": None}
    assert "no such figure" in slo.breaches([slo.parse("p77_ms>1")], summary)[0]
    assert "did not measure" in slo.breaches([slo.parse("p50_ms>1")], summary)[0]
