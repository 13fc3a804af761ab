"""Browser tests: a real `python -m server` on a free port and Debian's Chromium, headless.

Without Chromium or playwright the tests skip with the reason, except in CI (CI=true),
where a missing browser is a failure: `.ci/run` installs chromium with apt.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import ServerProcess, seconds

CHROMIUM = os.environ.get("QUANZI_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Chat fast in tests; the people-sized rate limits are tested in tests/e2e.
FAST = {"QUANZI_SAY_RATE_PER_S": "100000", "QUANZI_SAY_BURST": "100000"}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which(
        CHROMIUM
    ):
        return f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing()
    if reason is None:
        return
    here = Path(__file__).parent
    browser_items = [item for item in items if here in Path(str(item.fspath)).parents]
    if not browser_items:
        return
    if os.environ.get("CI") == "true":
        return  # not a skip: in CI the `browser` fixture fails with the reason
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=reason))


# Per module, not per session: sync Playwright keeps an event loop running in
# this thread while it is open, and the asyncio tests that follow need it gone.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    from playwright.sync_api import expect, sync_playwright

    # Live updates cross two browsers and a server: give assertions room on a slow machine.
    expect.set_options(timeout=seconds(10) * 1000)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path / "node", **FAST).start()
    yield proc
    if proc.proc is not None:
        proc.stop()


@pytest.fixture
def open_page(browser: Any, server: ServerProcess) -> Iterator[Callable[..., Any]]:
    """open_page(width=1280, height=800, locale="en-US") → a page of a fresh browser context
    at the server; `locale` is the browser's language (navigator.languages), which picks
    the client's catalogue ("zh-CN" for Simplified Chinese)."""
    contexts: list[Any] = []

    def open_(width: int = 1280, height: int = 800, locale: str = "en-US") -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        context.set_default_timeout(seconds(15) * 1000)
        contexts.append(context)
        page = context.new_page()
        page.dialogs = []  # type: ignore[attr-defined]
        page.errors = []  # type: ignore[attr-defined]
        # Confirmations (remove a member, leave) are accepted; anything else is recorded
        # and dismissed — an alert() would mean a script ran that should not have.
        page.on(
            "dialog",
            lambda d: (
                page.dialogs.append((d.type, d.message)),
                d.accept() if d.type == "confirm" else d.dismiss(),
            ),
        )
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(server.http + "/")
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
