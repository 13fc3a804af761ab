"""`--fail-if "p99_ms>200"`: service-level checks on a run's summary, for pipelines.

Each expression names a summary figure, an operator (> >= < <= ==) and a
number; it is a breach when it holds. A figure the run did not produce (None)
is a breach too: a check that cannot be made must not pass silently.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    ">": operator.gt,
    "<": operator.lt,
}
_EXPR = re.compile(
    r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|==|>|<)\s*(-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)\s*$"
)


@dataclass(frozen=True)
class Check:
    metric: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.metric}{self.op}{self.value:g}"


def parse(expr: str) -> Check:
    m = _EXPR.match(expr)
    if m is None:
        raise ValueError(
            f"not an SLO expression: {expr!r} (want METRIC OP NUMBER, OP one of "
            "> >= < <= ==, e.g. 'p99_ms>200')"
        )
    return Check(m.group(1), m.group(2), float(m.group(3)))


def breaches(checks: list[Check], summary: dict[str, Any]) -> list[str]:
    """A line per breached check; empty when all pass."""
    out = []
    for c in checks:
        if c.metric not in summary:
            out.append(f"{c}: no such figure (known: {', '.join(sorted(summary))})")
            continue
        v = summary[c.metric]
        if isinstance(v, bool):
            v = int(v)
        if v is None:
            out.append(f"{c}: the run did not measure {c.metric}")
        elif not isinstance(v, int | float):
            out.append(f"{c}: {c.metric} is not a number ({v!r})")
        elif _OPS[c.op](float(v), c.value):
            out.append(f"{c}: breached ({c.metric} = {v:g})")
    return out
