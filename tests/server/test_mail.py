# ruff: noqa: RUF001  (the Chinese strings keep their full-width punctuation)
"""Email end to end against a real SMTP server started by the test
(tests/mail_server.py): the address and its confirmation link, the digest
(unacknowledged must-reads first, in the member's language, plain text and
HTML, one-click unsubscribe that works without signing in), once per period,
and the must-read mailed at once when the circle's owners ask for it."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.mail_server import MailServer, text_of
from tests.mail_server import smtp as smtp  # the fixture
from tests.server.conftest import Account

BASE = "http://testserver"


@pytest.fixture
def settings(settings: Settings, smtp: MailServer) -> Settings:
    return dataclasses.replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_security="none",
        mail_from="Quanzi <quanzi@example.org>",
        public_url=BASE,
        mail_backoff_s=0.05,
        # The tests run the jobs themselves.
        away_check_s=3600.0,
        digest_check_s=3600.0,
    )


def node_of(client: TestClient) -> Any:
    return client.app.state.node  # type: ignore[attr-defined]


def call(client: TestClient, fn: Callable[..., Any], *args: Any) -> Any:
    return client.portal.call(fn, *args)  # type: ignore[union-attr]


def link_in(text: str, path: str) -> str:
    found = re.search(rf"{re.escape(BASE)}/api/v1/mail/{path}\?token=\S+", text)
    assert found, text
    return found.group(0)


def confirmed(
    client: TestClient, smtp: MailServer, who: Account, address: str, **extra: Any
) -> None:
    """Set an address (and the digest), follow the confirmation link mailed to it."""
    count = len(smtp.mails)
    body = {"address": address, **extra}
    answer = client.patch("/api/v1/me/email", json=body, headers=who.auth)
    assert answer.status_code == 200, answer.text
    assert answer.json()["verified"] is False
    mail = smtp.wait(count + 1)[-1]
    assert mail["To"] == address
    page = client.get(link_in(text_of(mail), "verify"))
    assert page.status_code == 200
    assert client.get("/api/v1/me/email", headers=who.auth).json()["verified"] is True


def member_in(client: TestClient, who: Account, circle: dict, prefs: dict[str, str]) -> None:
    """``who`` joins the circle, with these notification settings (zone, language)."""
    assert client.post(f"/api/v1/circles/{circle['id']}/join", headers=who.auth).status_code == 200
    store = node_of(client).store
    call(client, store.notification_settings.update_settings, who.id, prefs)


def run_digests(client: TestClient, at: datetime) -> int:
    node = node_of(client)
    queued = call(client, node.housekeeping.digests.send_due, int(at.timestamp() * 1000))
    call(client, node.mailer.idle)
    return int(queued)


def must_read(client: TestClient, owner: Account, circle: dict, words: str) -> dict:
    post = client.post(
        f"/api/v1/circles/{circle['id']}/posts",
        json={"kind": "notice", "text": words},
        headers=owner.auth,
    ).json()
    answer = client.put(f"/api/v1/posts/{post['id']}/must-read", headers=owner.auth)
    assert answer.status_code == 200, answer.text
    return post


def test_without_smtp_email_is_off(tmp_path: Any, signup_in: Callable[..., Account]) -> None:
    with TestClient(create_app(Settings(data_dir=tmp_path, password_time_cost=1))) as client:
        bob = signup_in(client, "bob")
        found = client.get("/api/v1/me/email", headers=bob.auth).json()
        assert found == {"address": None, "verified": False, "digest": "off", "enabled": False}


def test_an_address_is_checked_and_confirmed_by_its_link(
    client: TestClient, signup: Callable[..., Account], smtp: MailServer
) -> None:
    bob, ann = signup("bob"), signup("ann")
    bad = client.patch("/api/v1/me/email", json={"address": "not an address"}, headers=bob.auth)
    assert bad.status_code == 400
    assert bad.json()["error"]["reason"] == "email_invalid"
    assert (
        client.patch("/api/v1/me/email", json={"digest": "hourly"}, headers=bob.auth).status_code
        == 400
    )
    confirmed(client, smtp, bob, "bob@example.org", digest="daily")
    # A link is for its address only: after a change it confirms nothing.
    client.patch("/api/v1/me/email", json={"address": "ann@example.org"}, headers=ann.auth)
    ann_link = link_in(text_of(smtp.wait(2)[-1]), "verify")
    client.patch("/api/v1/me/email", json={"address": "ann2@example.org"}, headers=ann.auth)
    assert client.get(ann_link).status_code == 400
    assert client.get("/api/v1/mail/verify?token=forged.token").status_code == 400
    assert client.get("/api/v1/me/email", headers=ann.auth).json()["verified"] is False


def test_the_digest_lists_the_unacknowledged_must_read_first_and_unsubscribes_in_one_click(
    client: TestClient,
    signup: Callable[..., Account],
    make_circle: Callable[..., dict],
    smtp: MailServer,
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann, "Dance school")
    member_in(client, bob, circle, {"time_zone": "UTC", "language": "en"})
    confirmed(client, smtp, bob, "bob@example.org", digest="daily")
    before = len(smtp.mails)
    acked = must_read(client, ann, circle, "Costumes are due Friday")
    client.put(f"/api/v1/posts/{acked['id']}/ack", headers=bob.auth)
    must_read(client, ann, circle, "The recital moved to Saturday 3 pm")
    # A mention, made by the inbox's rules.
    said = client.post(
        f"/api/v1/circles/{circle['id']}/posts",
        json={"kind": "post", "text": "@Bob can you bring the speaker?"},
        headers=ann.auth,
    )
    assert said.status_code == 201

    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    assert run_digests(client, today.replace(hour=7)) == 0  # before the digest hour
    assert run_digests(client, today) == 1
    mail = smtp.wait(before + 1)[-1]
    assert mail["To"] == "bob@example.org"
    assert mail["Subject"] == "What you missed today in Quanzi"
    plain, page = text_of(mail), text_of(mail, "html")
    assert plain.index("Must-reads you have not acknowledged") < plain.index("The recital moved")
    assert plain.index("The recital moved") < plain.index("Ann mentioned you")
    assert "Costumes" not in plain  # acknowledged: not owed
    assert "The recital moved to Saturday 3 pm" in page
    assert page.index("The recital") < page.index("Ann mentioned you")
    # Once per period.
    assert run_digests(client, today.replace(hour=20)) == 0

    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link_in(plain, "unsubscribe") == unsubscribe
    shown = client.get(unsubscribe)  # no sign-in
    assert shown.status_code == 200 and 'method="post"' in shown.text
    assert client.get("/api/v1/me/email", headers=bob.auth).json()["digest"] == "daily"
    one_click = client.post(
        unsubscribe,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert one_click.status_code == 200
    assert client.get("/api/v1/me/email", headers=bob.auth).json()["digest"] == "off"
    count = len(smtp.mails)
    assert run_digests(client, today + timedelta(days=1)) == 0
    assert len(smtp.mails) == count
    assert client.post(unsubscribe.replace("token=", "token=x")).status_code == 400


def test_the_chinese_digest_is_utf8(
    client: TestClient,
    signup: Callable[..., Account],
    make_circle: Callable[..., dict],
    smtp: MailServer,
) -> None:
    ann, bob = signup("ann"), signup("bob", name="小明")
    circle = make_circle(ann, "舞蹈学校")
    member_in(client, bob, circle, {"time_zone": "Asia/Shanghai", "language": "zh-CN"})
    confirmed(client, smtp, bob, "xiaoming@example.org", digest="weekly")
    must_read(client, ann, circle, "周六下午三点汇报演出，请准时到场")
    # A Monday at 09:00 in Shanghai.
    monday = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    assert run_digests(client, monday) == 1
    mail = smtp.mails[-1]
    assert mail["Subject"] == "圈子：本周你错过的内容"
    plain = text_of(mail)
    assert plain.startswith("小明，你好：")
    assert "舞蹈学校: 周六下午三点汇报演出，请准时到场" in plain
    assert "尚未确认的必读" in plain
    assert 'lang="zh-CN"' in text_of(mail, "html")
    raw = smtp.raw[-1]
    assert b'charset="utf-8"' in raw or b"charset=utf-8" in raw
    # The same week: no second digest.
    assert run_digests(client, datetime(2026, 12, 3, 1, 0, tzinfo=UTC)) == 0


def test_a_must_read_is_mailed_at_once_when_the_circle_asks(
    client: TestClient,
    signup: Callable[..., Account],
    make_circle: Callable[..., dict],
    smtp: MailServer,
) -> None:
    ann, bob, cid = signup("ann"), signup("bob"), signup("cid")
    circle = make_circle(ann, "Dance school")
    for who in (bob, cid):
        client.post(f"/api/v1/circles/{circle['id']}/join", headers=who.auth)
    store = node_of(client).store
    for who in (bob, cid):
        call(client, store.notification_settings.update_settings, who.id, {"language": "en"})
    confirmed(client, smtp, bob, "bob@example.org")
    mailbox = f"/api/v1/circles/{circle['id']}/mail"
    assert client.get(mailbox, headers=bob.auth).json() == {"must_reads": False}
    assert client.put(mailbox, json={"must_reads": True}, headers=bob.auth).status_code == 403
    assert client.put(mailbox, json={"must_reads": True}, headers=ann.auth).json() == {
        "must_reads": True
    }

    before = len(smtp.mails)
    # The inbox's rules make a must-read notification for bob and cid (cid has no
    # address: no mail).
    must_read(client, ann, circle, "Bring your own water")
    node = node_of(client)
    assert call(client, node.housekeeping.away.deliver_away) == 2
    call(client, node.mailer.idle)
    mails = smtp.wait(before + 1)[before:]
    assert [m["To"] for m in mails] == ["bob@example.org"]
    assert mails[0]["Subject"] == "Must-read in Dance school"
    assert "Bring your own water" in text_of(mails[0])
    # The link opens that must-read itself (the web client's #/n/<id>).
    [note] = client.get("/api/v1/me/notifications", headers=bob.auth).json()["notifications"]
    assert note["kind"] == "must_read" and note["circle"] == circle["id"]
    assert f"{BASE}/#/n/{note['id']}" in text_of(mails[0])


def test_a_mail_refused_for_now_is_tried_again(
    client: TestClient, signup: Callable[..., Account], smtp: MailServer
) -> None:
    bob = signup("bob")
    smtp.refuse_next = 2
    client.patch("/api/v1/me/email", json={"address": "bob@example.org"}, headers=bob.auth)
    call(client, node_of(client).mailer.idle)
    assert [m["To"] for m in smtp.wait(1)] == ["bob@example.org"]
    assert smtp.refuse_next == 0


def test_a_digest_lost_to_a_busy_server_is_sent_on_the_next_run(
    client: TestClient,
    signup: Callable[..., Account],
    make_circle: Callable[..., dict],
    smtp: MailServer,
) -> None:
    ann, bob = signup("ann"), signup("bob")
    circle = make_circle(ann, "Dance school")
    member_in(client, bob, circle, {"time_zone": "UTC", "language": "en"})
    confirmed(client, smtp, bob, "bob@example.org", digest="daily")
    count = len(smtp.mails)
    smtp.refuse_next = 4  # every attempt of this run
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    assert run_digests(client, today) == 1
    assert len(smtp.mails) == count and smtp.refuse_next == 0
    assert run_digests(client, today.replace(hour=10)) == 1  # the period was given back
    assert smtp.wait(count + 1)[-1]["Subject"] == "What you missed today in Quanzi"
    assert run_digests(client, today.replace(hour=11)) == 0
