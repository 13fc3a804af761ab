"""Webhooks and bots in the page: the owner creates a webhook in the circle's settings
(the secret shown once), a member's message reaches the receiver, and the delivery log
says so; an incoming webhook made there posts a message the member sees live with a
BOT badge. Then a member's bots on the home page, in Chinese on a phone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests import timing
from tests.browser.conftest import FAST
from tests.browser.pages import circle_id, message, open_tab, say, tid, two_in_a_circle
from tests.browser.test_media import no_sideways_scroll
from tests.e2e.harness import ServerProcess
from tests.webhook_receiver import Receiver, verify


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The browser tests' server, sending webhooks to the receiver on loopback."""
    env = {"QUANZI_WEBHOOK_ALLOW_LOOPBACK": "1", "QUANZI_WEBHOOK_POLL_S": "0.05"}
    proc = ServerProcess(tmp_path / "node", **FAST, **env).start()
    yield proc
    if proc.proc is not None:
        proc.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver([200])
    yield r
    r.close()


def test_webhooks_and_an_incoming_hook_from_the_settings(
    open_page: Any, receiver: Receiver, server: ServerProcess
) -> None:
    ann, bob = two_in_a_circle(open_page, "Shop floor")
    open_tab(ann, "settings")
    box = tid(ann, "integrations")
    expect(box).to_be_visible()
    tid(box, "webhook-url").fill(receiver.url)
    tid(box, "webhook-create").click()
    secret = tid(box, "webhook-secret-value")
    expect(secret).to_be_visible()
    key = secret.input_value()
    expect(tid(box, "webhook-state")).to_have_text("On")
    say(bob, "order 1001 shipped")
    expect(message(bob, "order 1001 shipped")).to_be_visible()
    deadline = time.monotonic() + timing.seconds(10)
    while not receiver.calls and time.monotonic() < deadline:
        timing.sleep_blocking(0.05)
    headers, body = receiver.calls[0]
    assert verify(key, headers["quanzi-signature"], body)
    tid(box, "webhook-log").click()
    expect(tid(box, "delivery").first).to_have_attribute("data-state", "delivered")
    # An incoming hook: its URL shown once; what is posted to it is live, marked BOT.
    tid(box, "incoming-name").fill("Shop")
    tid(box, "incoming-create").click()
    url = tid(box, "incoming-url-value").input_value()
    assert httpx.post(url, json={"text": "new order #1002"}).status_code == 201
    sent = message(bob, "new order #1002")
    expect(sent).to_be_visible()
    expect(tid(sent, "bot-badge")).to_have_text("BOT")
    expect(tid(message(bob, "order 1001 shipped"), "bot-badge")).to_have_count(0)
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]


def test_my_bots_in_chinese_on_a_phone(open_page: Any, screenshots: Path) -> None:
    ann, bob = two_in_a_circle(open_page, "行里", width=360)
    cid = circle_id(bob)
    bob.evaluate("localStorage.setItem('quanzi.locale', 'zh-CN')")
    bob.goto(bob.url.split("#")[0])
    bots = tid(bob, "bots")
    expect(bots).to_contain_text("我的机器人")
    tid(bots, "bots-open").click()
    tid(bots, "bot-name").fill("日报机器人")
    tid(bots, "bot-create").click()
    token = tid(bots, "bot-token-value")
    expect(token).to_be_visible()
    assert len(token.input_value()) > 20
    item = tid(bots, "bot")
    expect(item).to_contain_text("日报机器人")
    tid(item, "bot-scope").first.check()
    tid(item, "bot-scope-save").click()
    expect(tid(bots, "bot")).to_contain_text("行里")
    bot_id = tid(bots, "bot").get_attribute("data-bot-id")
    assert bot_id
    no_sideways_scroll(bob)
    bob.screenshot(path=str(screenshots / "bots-zh-phone.png"))
    # The owner adds it from the circle's settings; it is a member, marked BOT.
    open_tab(ann, "settings")
    tid(ann, "add-bot-id").fill(bot_id)
    tid(ann, "add-bot").click()
    member = tid(ann, "member").filter(has_text="日报机器人")
    expect(tid(member, "bot-badge")).to_be_visible()
    # The integrations card fits a phone too (its webhook form and event list).
    expect(tid(ann, "webhook-form")).to_be_visible()
    no_sideways_scroll(ann)
    assert cid
    assert ann.errors == [] and bob.errors == []  # type: ignore[attr-defined]
