"""Leaving for good in the browser, on a phone-sized page: Bob downloads his data
(a ZIP holding his message), is refused with a wrong password, then deletes his
account and is back on the signed-out page; Ann, watching the circle, sees his
message become "Message of a deleted user"."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FAST
from tests.browser.pages import expect_once, go_home, say, tid, two_in_a_circle
from tests.e2e.harness import ServerProcess


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server whose housekeeping erases a deleted account's words at once."""
    proc = ServerProcess(tmp_path / "node", **FAST, QUANZI_RETENTION_INTERVAL_S="0.2").start()
    yield proc
    if proc.proc is not None:
        proc.stop()


def test_export_then_delete_the_account(open_page: Any, tmp_path: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "Readers", width=360)
    say(bob, "bob was here")
    expect_once(ann, "bob was here")

    go_home(bob)
    with bob.expect_download() as info:
        tid(bob, "export-data").click()
    saved = tmp_path / "data.zip"
    info.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        messages = json.loads(archive.read("messages.json"))
        profile = json.loads(archive.read("profile.json"))
    assert [m["text"] for m in messages] == ["bob was here"]
    assert profile["handle"] == "bob"

    tid(bob, "delete-account").click()
    tid(bob, "delete-password").fill("wrong horse")
    tid(bob, "delete-account-confirm").click()
    expect(tid(bob, "toast").last).to_have_text("The current password is not right.")
    expect(tid(bob, "auth-form")).to_have_count(0)
    expect(tid(bob, "delete-account-form")).to_be_in_viewport()
    assert bob.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    tid(bob, "delete-password").fill("correct horse")
    tid(bob, "delete-account-confirm").click()
    expect(tid(bob, "auth-form")).to_be_visible()
    expect(tid(bob, "toast").last).to_have_text("Your account was deleted.")

    tombstone = tid(ann, "chat-log").get_by_test_id("msg-tombstone")
    expect(tombstone).to_have_text("Message of a deleted user")
    assert ann.errors == [] and bob.errors == []
