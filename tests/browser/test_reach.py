# ruff: noqa: RUF001  (the Chinese strings keep their full-width punctuation)
"""Away from Quanzi in the browser, on a phone-sized page: the home's card with
"notify me on this device" and the email settings (an address confirmed by the
link mailed to a real SMTP server in the test, then a daily digest), the
owner's "email must-reads at once" switch, and the one offer of notifications
after a first @mention — in English and in Chinese."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import FAST
from tests.browser.pages import (
    api,
    create_circle,
    go_home,
    invite_link,
    join_with_invite,
    open_tab,
    say,
    signup,
    tid,
    two_in_a_circle,
)
from tests.e2e.harness import ServerProcess
from tests.mail_server import MailServer, text_of
from tests.mail_server import smtp as smtp  # the fixture


@pytest.fixture
def server(tmp_path: Path, smtp: MailServer) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        tmp_path / "node",
        **FAST,
        QUANZI_SMTP_HOST="127.0.0.1",
        QUANZI_SMTP_PORT=str(smtp.port),
        QUANZI_SMTP_SECURITY="none",
        QUANZI_MAIL_FROM="Quanzi <quanzi@example.org>",
    )
    proc.env["QUANZI_PUBLIC_URL"] = proc.http
    proc.start()
    yield proc
    if proc.proc is not None:
        proc.stop()


def test_email_settings_and_the_owners_must_read_switch_at_360px(
    open_page: Any, smtp: MailServer
) -> None:
    ann, bob = two_in_a_circle(open_page, "Readers", width=360)
    go_home(bob)
    expect(tid(bob, "reach")).to_be_visible()
    # A device subscribed elsewhere (a phone) is listed, and removed from here.
    key = "B" + "A" * 86  # 0x04 and 64 bytes: a P-256 point's shape
    phone = {"endpoint": "https://push.example.org/p1", "keys": {"p256dh": key, "auth": "A" * 22}}
    api(bob, "POST", "/me/push-subscriptions", {**phone, "label": "Phone"})
    tid(bob, "reach-toggle").click()
    expect(tid(bob, "push-switch").or_(tid(bob, "push-unsupported"))).to_have_count(1)
    expect(tid(bob, "push-device")).to_have_text(re.compile("^Phone"))
    tid(bob, "push-device-remove").click()
    expect(tid(bob, "push-device")).to_have_count(0)
    assert api(bob, "GET", "/me/push-subscriptions") == {"devices": []}
    tid(bob, "email-address").fill("bob@example.org")
    tid(bob, "email-save").click()
    expect(tid(bob, "email-status")).to_have_text("Not confirmed yet: open the link we mailed you.")
    expect(tid(bob, "digest-select")).to_be_disabled()
    assert bob.evaluate("document.documentElement.scrollWidth") <= 360

    [mail] = smtp.wait(1)
    link = re.search(r"http\S+/api/v1/mail/verify\?token=\S+", text_of(mail))
    assert link
    bob.goto(link.group(0))
    expect(bob.get_by_text("Your email address is confirmed.")).to_be_visible()
    bob.go_back()
    bob.reload()
    tid(bob, "reach-toggle").click()
    expect(tid(bob, "email-status")).to_have_text("Confirmed.")
    tid(bob, "digest-select").select_option("daily")
    expect(tid(bob, "digest-select")).to_be_enabled()
    assert api(bob, "GET", "/me/email")["digest"] == "daily"

    open_tab(ann, "settings")
    switch = tid(ann, "must-read-mail")
    expect(switch).to_be_enabled()
    switch.check()
    expect(switch).to_be_enabled()
    circle = re.search(r"#/c/([^/?]+)", ann.url)
    assert circle
    assert api(ann, "GET", f"/circles/{circle.group(1)}/mail") == {"must_reads": True}
    assert ann.errors == [] and bob.errors == []


def test_in_chinese_and_the_offer_after_a_first_mention(open_page: Any) -> None:
    ann = open_page(1280)
    bob = open_page(360, 740, locale="zh-CN")
    signup(ann, "ann", "Ann")
    signup(bob, "bob", "Bob")
    expect(tid(bob, "reach")).to_contain_text("离开圈子时的通知")
    tid(bob, "reach-toggle").click()
    expect(tid(bob, "email-status")).to_have_text("未填写邮箱：圈子不会给你发邮件。")
    # Not on first load.
    expect(tid(bob, "push-offer")).to_have_count(0)
    create_circle(ann, "Readers")
    join_with_invite(bob, invite_link(ann), "Readers")
    say(ann, "@Bob 明天的课改到七点")
    offer = tid(bob, "push-offer")
    if bob.evaluate("'PushManager' in window && Notification.permission === 'default'"):
        expect(offer).to_contain_text("有人提到了你")
        tid(bob, "push-offer-no").click()
        expect(offer).to_have_count(0)
        say(ann, "@Bob 再提一次")
        expect(tid(bob, "chat-log")).to_contain_text("再提一次")
        expect(offer).to_have_count(0)  # once per browser
    else:
        expect(offer).to_have_count(0)
    assert ann.errors == [] and bob.errors == []
