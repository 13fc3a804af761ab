"""The end of a command that runs on a server of its own (`uploads`, `checkins`):
run it, print its table, write its JSON under ``--out``, check its ``--fail-if``.

Exit status: 0 (every check held, no problem found), 1 a problem or a breached
``--fail-if``, 2 bad usage, 3 the run itself failed.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from . import slo

EXIT_OK, EXIT_BAD, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


class Reported(Protocol):
    out: Path | None
    label: str


def checks_of(fail_if: list[str]) -> list[Any] | None:
    """The parsed ``--fail-if`` expressions; None (said on stderr) for a bad one."""
    try:
        return [slo.parse(e) for e in fail_if]
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return None


def write(result: dict[str, Any], out: Path, name: str, label: str = "") -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{time.strftime('%Y%m%d-%H%M%S')}-{name}{'-' + label if label else ''}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    return path


def run_and_report(
    cfg: Reported,
    checks: list[Any],
    run: Callable[[Any], dict[str, Any]],
    table: Callable[[dict[str, Any]], str],
    name: str,
) -> int:
    """Run, print, write, check: the command's exit status."""
    try:
        result = run(cfg)
    except Exception as exc:  # the operator gets one line, not a traceback
        print(f"run failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(table(result))
    if cfg.out is not None:
        print(f"  json: {write(result, cfg.out, name, cfg.label)}")
    failed = slo.breaches(checks, result["summary"])
    for line in failed:
        print(f"SLO BREACH {line}", file=sys.stderr)
    return EXIT_BAD if failed or result["problems"] else EXIT_OK


class Runner(Protocol):
    def start(self) -> None: ...
    def measure(self) -> dict[str, Any]: ...
    def stop(self) -> None: ...


def measured(runner: Runner) -> dict[str, Any]:
    """Start the runner's servers, measure, stop them; the result, stamped with the
    command line and the date."""
    try:
        runner.start()
        result = runner.measure()
    finally:
        runner.stop()
    result["command"] = " ".join(["python -m loadtests", *sys.argv[1:]])
    result["date"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    return result


def table_of(head: str, rows: list[tuple[str, str, str]], result: dict[str, Any]) -> str:
    """The summary's figures named in ``rows`` (key, label, unit), then its problems."""
    s = result["summary"]
    lines = [head]
    for key, label, unit in rows:
        if s.get(key) is not None:
            lines.append(f"  {label:<30} {s[key]!s:>12} {unit}")
    lines += [f"  PROBLEM {p}" for p in result["problems"]]
    return "\n".join(lines)
