"""The web client's modules under Node's own test runner (tests/node/*.test.js):
languages, the client-side store and the reconnect logic, without a browser."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

NODE_TESTS = Path(__file__).resolve().parent / "node"


def test_node_suite() -> None:
    node = shutil.which("node")
    assert node, "Node.js (18+) runs the web client's unit tests: apt-get install -y nodejs"
    files = sorted(str(p) for p in NODE_TESTS.glob("*.test.js"))
    assert files
    run = subprocess.run(
        [node, "--test", "--test-reporter=spec", *files],
        capture_output=True,
        text=True,
        timeout=300,
        env={"TZ": "UTC", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-4000:]
