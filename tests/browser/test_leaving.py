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
from tests.browser.pages import (
    api,
    circle_id,
    expect_once,
    go_home,
    open_tab,
    say,
    tid,
    two_in_a_circle,
)
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


def test_an_owner_takes_the_whole_circle_away(open_page: Any, tmp_path: Path) -> None:
    """Ann, the owner, downloads the circle's ZIP from its settings on a phone; Bob,
    a member, has no such button."""
    ann, bob = two_in_a_circle(open_page, "读书会", width=360)
    api(ann, "POST", f"/circles/{circle_id(ann)}/posts", {"kind": "post", "text": "第一帖"})
    open_tab(ann, "settings")
    button = tid(ann, "export-circle")
    expect(button).to_have_text("Export everything (ZIP)")
    with ann.expect_download() as info:
        button.click()
    saved = tmp_path / "circle.zip"
    info.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        posts = json.loads(archive.read("posts.json"))
        index = json.loads(archive.read("index.json"))
    assert [p["text"] for p in posts] == ["第一帖"]
    assert index["circle"]["name"] == "读书会"
    expect(tid(ann, "toast").last).to_have_text("The circle's export was downloaded.")
    assert ann.evaluate("document.documentElement.scrollWidth") <= 360
    open_tab(bob, "settings")
    expect(tid(bob, "my-membership")).to_be_visible()
    expect(tid(bob, "export-circle")).to_have_count(0)
    assert ann.errors == [] and bob.errors == []
