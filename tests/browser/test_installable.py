"""The client installs as an app and opens without the server: the service worker serves
the app shell, and the page shows the last-known circles and messages, marked offline;
when the server is back the page is live again with nothing doubled."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.pages import create_circle, expect_once, say, signup, tid, wait_live
from tests.e2e.harness import ServerProcess, seconds


def until(page: Page, expression: str, timeout_s: float = 10) -> None:
    """Poll an expression from here: the page's CSP refuses wait_for_function's eval."""
    deadline = time.monotonic() + seconds(timeout_s)
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false: {expression}"
        page.wait_for_timeout(100)


def controlled(page: Page) -> None:
    """Wait until the service worker is active and controls this page (after a reload)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    until(page, "navigator.serviceWorker.controller !== null")


def test_chromium_finds_it_installable(open_page: Any) -> None:
    page = open_page()
    controlled(page)
    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # A Playwright context is an incognito profile, where nothing installs: that one is
    # the test browser's; any other (manifest, icons, service worker, start_url) is ours.
    ours = [e for e in errors if e["errorId"] != "in-incognito"]
    assert ours == [], ours
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [], manifest["errors"]
    assert "圈子" in manifest["data"]


def test_offline_start_shows_the_last_known_circles_and_messages(
    open_page: Any, server: ServerProcess
) -> None:
    page = open_page()
    signup(page, "wang", "王老师")
    create_circle(page, "周末舞蹈班")
    tid(page, "locale").select_option("zh-CN")  # and the page speaks Chinese from now on
    say(page, "明天上课请带舞鞋")
    say(page, "see you at 10")
    expect_once(page, "see you at 10")
    controlled(page)
    wait_live(page)
    # The snapshot is written a second after the last change.
    until(
        page,
        "Object.keys(localStorage).some((k) => k.startsWith('quanzi.snapshot.')"
        " && localStorage.getItem(k).includes('see you at 10'))",
    )

    server.stop()
    page.reload()  # no server: the page comes from the service worker
    expect(tid(page, "offline-note")).to_be_visible()
    expect(tid(page, "offline-note")).to_contain_text("离线")
    expect(tid(page, "circle-title")).to_have_text("周末舞蹈班")
    expect_once(page, "明天上课请带舞鞋")
    expect_once(page, "see you at 10")
    page.goto(page.url.split("#")[0] + "#/")
    expect(tid(page, "circle-list")).to_contain_text("周末舞蹈班")

    server.start()  # the same port and data dir
    wait_live(page, timeout=seconds(40) * 1000)
    expect(tid(page, "offline-note")).to_be_hidden()
    tid(page, "circle-list").get_by_text("周末舞蹈班").first.click()
    say(page, "back online")
    for text in ("明天上课请带舞鞋", "see you at 10", "back online"):
        expect_once(page, text)
    assert page.errors == []  # type: ignore[attr-defined]
