"""How fast the web client starts: cold on a phone network, and on loopback.

    python -m loadtests.web_start [--runs 5] [--url http://127.0.0.1:8000]

Starts a server of its own (bundled, and once more with QUANZI_WEB_BUNDLE=0 for the
unbundled modules, as the client was served before) unless --url is given, signs a
user up with a few circles, then opens the page in Debian's Chromium — each run in a
fresh browser context: no HTTP cache, no service worker, nothing stored — with
Chromium's own network throttling at DevTools' "Fast 3G" profile (562.5 ms latency,
180,000 B/s down, 84,375 B/s up) and without it. It reports, as medians over the runs:

- logged out: until the sign-in form is on screen (the first render);
- logged in (the session in localStorage, the cache empty): until the circle list shows
  the user's circles, which needs one API request more;
- warm: the same page again in the same context (HTTP cache and service worker);

with the requests and bytes the cold start fetched. Times are the page's own clock
(performance.now(): from the start of navigation) at the moment the element enters the
document, taken by a MutationObserver the run installs before the page loads (polling
from Playwright would add its own round trips); the app's marks say when its script
started (quanzi:boot). Not a test: figures for README.md and loadtests/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request
from typing import Any

from .servers import start_quanzi

CHROMIUM = "/usr/bin/chromium"
FAST_3G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 180_000,
    "uploadThroughput": 84_375,
}
PASSWORD = "correct horse battery"


def _post(base: str, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    request = urllib.request.Request(
        base + "/api/v1" + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}
        | ({"Authorization": f"Bearer {token}"} if token else {}),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def seed(base: str) -> dict[str, Any]:
    """A user with five circles."""
    handle = f"bench{int(time.time() * 1000) % 10_000_000}"
    account = _post(
        base, "/auth/signup", {"handle": handle, "password": PASSWORD, "name": "王老师"}
    )
    token = account["token"]
    for name in ("周末舞蹈班", "读书打卡", "摄影比赛", "Dealers North", "Course 101"):
        _post(base, "/circles", {"name": name, "kind": "community", "visibility": "private"}, token)
    return {"token": token, "user": account["user"]}


# Installed in every page before its scripts: when the awaited element first appears.
WATCH = """
new MutationObserver((_, observer) => {
  if (window.__quanziSelector && document.querySelector(window.__quanziSelector)) {
    window.__quanziSeen = performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, childList: true });
"""


def _visible_at(page: Any, selector: str, timeout_ms: float) -> float:
    page.wait_for_selector(selector, state="visible", timeout=timeout_ms)
    return float(page.evaluate("window.__quanziSeen || performance.now()"))


def _transfer(page: Any) -> tuple[int, int]:
    entries = page.evaluate(
        "[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]"
        ".map((e) => e.transferSize || 0)"
    )
    return len(entries), int(sum(entries))


def measure(base: str, session: dict[str, Any], runs: int, throttle: bool) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    results: dict[str, list[float]] = {"logged_out": [], "logged_in": [], "warm": []}
    fetched: list[tuple[int, int]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for _ in range(runs):
                for logged_in in (False, True):
                    context = browser.new_context(viewport={"width": 390, "height": 844})
                    selector = (
                        "[data-testid=circle-list] li" if logged_in else "[data-testid=auth-form]"
                    )
                    context.add_init_script(
                        f"window.__quanziSelector = {json.dumps(selector)};" + WATCH
                    )
                    if logged_in:
                        context.add_init_script(
                            "localStorage.setItem('quanzi.session', "
                            + json.dumps(json.dumps(session))
                            + ")"
                        )
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    if throttle:
                        cdp.send("Network.emulateNetworkConditions", FAST_3G)
                    page.goto(base + "/", wait_until="commit", timeout=120_000)
                    took = _visible_at(page, selector, 120_000)
                    results["logged_in" if logged_in else "logged_out"].append(took)
                    if logged_in:
                        fetched.append(_transfer(page))
                        page.wait_for_timeout(1500)  # the service worker installs
                        page.goto(base + "/", wait_until="commit", timeout=120_000)
                        results["warm"].append(_visible_at(page, selector, 120_000))
                    context.close()
        finally:
            browser.close()
    return {
        **{key: round(statistics.median(values)) for key, values in results.items()},
        "requests": statistics.median(n for n, _ in fetched),
        "bytes": statistics.median(b for _, b in fetched),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtests.web_start", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--url", help="an already running server (its bundle setting as it is)")
    args = parser.parse_args(argv)
    servers: list[tuple[str, str, Any]] = []
    try:
        if args.url:
            servers.append(("given", args.url.rstrip("/"), None))
        else:
            for label, env in (("bundled", {}), ("modules", {"QUANZI_WEB_BUNDLE": "0"})):
                server = start_quanzi(env=env)
                servers.append((label, server.http, server))
        for label, base, _ in servers:
            session = seed(base)
            for throttle in (True, False):
                figures = measure(base, session, args.runs, throttle)
                network = "Fast 3G" if throttle else "loopback"
                print(
                    f"{label:8} {network:9} logged out {figures['logged_out']:5} ms · "
                    f"logged in {figures['logged_in']:5} ms · warm {figures['warm']:5} ms · "
                    f"cold start fetched {figures['requests']} files, {figures['bytes']:,} B",
                    flush=True,
                )
    finally:
        for _, _, server in servers:
            if server is not None:
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
