"""The web client mirrors the close-code table: its FINAL_CLOSES (web-client/js/
connection-state.js, the socket's logic) holds exactly protocol's NO_RECONNECT. Read from
the JavaScript source, no browser."""

from __future__ import annotations

import re
from pathlib import Path

from protocol import should_reconnect
from protocol.close_codes import NO_RECONNECT

SOCKET_JS = Path(__file__).resolve().parents[2] / "web-client" / "js" / "connection-state.js"


def final_closes() -> set[int]:
    source = SOCKET_JS.read_text(encoding="utf-8")
    found = re.findall(r"\bconst\s+FINAL_CLOSES\s*=\s*new\s+Set\(\s*\[([^\]]*)\]\s*\)", source)
    assert len(found) == 1, "connection-state.js should define FINAL_CLOSES once, as new Set([...])"
    items = [item.strip() for item in found[0].split(",") if item.strip()]
    assert all(re.fullmatch(r"\d+", item) for item in items), items
    return {int(item) for item in items}


def test_the_web_client_gives_up_on_exactly_the_no_reconnect_codes() -> None:
    assert final_closes() == {int(code) for code in NO_RECONNECT}


def test_the_web_client_decides_like_should_reconnect() -> None:
    source = SOCKET_JS.read_text(encoding="utf-8")
    # shouldReconnect(code) is the table's negation, nothing more.
    assert re.search(r"return\s+!FINAL_CLOSES\.has\(code\);", source)
    for code in final_closes():
        assert not should_reconnect(code)
