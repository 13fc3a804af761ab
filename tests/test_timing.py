"""Every pause in the tests follows QUANZI_TEST_TIME_SCALE: none sleeps outside tests/timing.py."""

from __future__ import annotations

import ast
from pathlib import Path

from tests import timing

TESTS = Path(__file__).resolve().parent
_SLEEPY_MODULES = {"time", "asyncio"}


def _bare_sleeps(source: str, filename: str) -> list[int]:
    """Lines that call time.sleep or asyncio.sleep (however imported) with anything but 0."""
    tree = ast.parse(source, filename)
    # `from time import sleep [as nap]` makes a bare name a sleep too.
    sleep_names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module in _SLEEPY_MODULES
        for alias in node.names
        if alias.name == "sleep"
    }
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        is_sleep = (
            isinstance(func, ast.Attribute)
            and func.attr == "sleep"
            and isinstance(func.value, ast.Name)
            and func.value.id in _SLEEPY_MODULES
        ) or (isinstance(func, ast.Name) and func.id in sleep_names)
        # sleep(0) only yields to the event loop: there is no time in it to scale.
        yields = (
            len(node.args) == 1
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == 0
        )
        if is_sleep and not yields:
            lines.append(node.lineno)
    return sorted(lines)


def test_no_test_sleeps_outside_the_time_scale_helper() -> None:
    helper = Path(timing.__file__).resolve()
    sources = [path for path in sorted(TESTS.rglob("*.py")) if path != helper]
    assert len(sources) > 50
    found = {
        f"{path.relative_to(TESTS)}:{line}"
        for path in sources
        for line in _bare_sleeps(path.read_text(), str(path))
    }
    assert found == set(), "use tests.timing.sleep / sleep_blocking"


def test_the_scan_sees_every_spelling_of_a_sleep() -> None:
    source = """
import asyncio, time
from time import sleep as nap
async def f():
    await asyncio.sleep(0.1)
    await asyncio.sleep(0)
    time.sleep(x)
    nap(1)
    await timing.sleep(0.1)
"""
    assert _bare_sleeps(source, "<probe>") == [5, 7, 8]
