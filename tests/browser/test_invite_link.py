"""An invite link asks before it joins: it shows what it invites to (the circle's
name, kind and member count, as GET /circles/{id}/invite answers for a public
circle or a private one with a code that admits), and nothing is joined until the
person clicks Join. Opened logged out, it shows the circle above the sign-up, and
signing up (or logging in) lands in the circle, joined."""

# Chinese text uses Chinese (full-width) punctuation: what the page must show.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import (
    PASSWORD,
    api,
    create_circle,
    invite_link,
    signup,
    tid,
    wait_live,
)


def _my_circle_ids(page: Any) -> list[str]:
    return [c["id"] for c in api(page, "GET", "/me/circles")["circles"]]


def test_an_invite_to_a_private_circle_asks_and_joins_on_the_click(open_page: Any) -> None:
    ann, bob = open_page(), open_page()
    signup(ann, "ann", "Ann")
    signup(bob, "bob", "Bob")
    circle = create_circle(ann, "Bakers", visibility="private")
    link = invite_link(ann)
    code = link.rsplit("/", 1)[1]

    bob.goto(link)
    page = tid(bob, "invite-page")
    expect(page).to_be_visible()
    expect(tid(bob, "invite-title")).to_have_text("You were invited to join Bakers")
    expect(tid(bob, "invite-about")).to_have_text("Community · Private · 1 member")
    expect(tid(bob, "invite-code")).to_have_text(code)
    expect(tid(bob, "circle-page")).to_have_count(0)
    assert circle not in _my_circle_ids(bob)
    assert api(ann, "GET", f"/circles/{circle}")["members"] == 1

    tid(bob, "invite-join").click()
    expect(tid(bob, "circle-title")).to_have_text("Bakers")
    assert circle in _my_circle_ids(bob)
    assert bob.errors == []


def test_an_invite_to_a_public_circle_names_it_and_can_be_declined(open_page: Any) -> None:
    ann, bob = open_page(), open_page()
    signup(ann, "ann", "Ann")
    signup(bob, "bob", "Bob")
    circle = create_circle(ann, "Open Garden", visibility="public")
    link = invite_link(ann)

    bob.goto(link)
    expect(tid(bob, "invite-title")).to_have_text("You were invited to join Open Garden")
    expect(tid(bob, "invite-join")).to_have_text("Join Open Garden")
    tid(bob, "invite-cancel").click()
    expect(bob).to_have_url(re.compile(r"#/$"))
    expect(tid(bob, "home-actions")).to_be_visible()
    assert circle not in _my_circle_ids(bob)
    assert api(ann, "GET", f"/circles/{circle}")["members"] == 1


def test_an_invite_opened_logged_out_shows_the_circle_and_lands_in_it_after_sign_up(
    open_page: Any,
) -> None:
    ann, bob = open_page(), open_page()
    signup(ann, "ann", "Ann")
    circle = create_circle(ann, "Bakers", visibility="private", kind="teaching")
    link = invite_link(ann)

    bob.goto(link)
    expect(tid(bob, "join-title")).to_have_text("You are invited to Bakers")
    expect(tid(bob, "join-meta")).to_have_text("Teaching · Private · 1 member")
    expect(tid(bob, "auth-form")).to_have_attribute("data-mode", "signup")
    expect(tid(bob, "auth-submit")).to_have_text("Sign up and join")
    bob.get_by_label("Display name").fill("Bob")
    bob.get_by_label("Login name").fill("bob")
    bob.get_by_label("Password").fill(PASSWORD)
    tid(bob, "auth-submit").click()
    expect(tid(bob, "circle-title")).to_have_text("Bakers")
    wait_live(bob)
    assert circle in _my_circle_ids(bob)
    assert api(ann, "GET", f"/circles/{circle}")["members"] == 2
    assert bob.errors == []


def test_an_invite_opened_logged_out_in_chinese_lands_in_the_circle_after_login(
    open_page: Any, screenshots: Path
) -> None:
    ann = open_page()
    signup(ann, "ann", "张老师")
    circle = create_circle(ann, "周末舞蹈班", visibility="private", kind="teaching")
    api(ann, "PATCH", f"/circles/{circle}", {"description": "每周六上午九点，社区活动中心二楼。"})
    link = invite_link(ann)
    # Bob has an account already (made in another browser), and opens the link on his phone.
    signup(open_page(), "13800138000", "王小明")

    phone = open_page(390, 844, locale="zh-CN")
    phone.goto(link)
    expect(tid(phone, "join-title")).to_have_text("邀请你加入「周末舞蹈班」")
    expect(tid(phone, "join-meta")).to_have_text("教学圈子 · 私密 · 1 位成员")
    expect(tid(phone, "join-description")).to_have_text("每周六上午九点，社区活动中心二楼。")
    expect(tid(phone, "auth-submit")).to_have_text("注册并加入")
    expect(phone.get_by_label("昵称")).to_be_visible()
    phone.screenshot(path=str(screenshots / "invite-zh-phone.png"))

    # A wrong password is told in Chinese; then the right one joins and lands in the circle.
    tid(phone, "auth-switch").click()
    expect(tid(phone, "auth-submit")).to_have_text("登录并加入")
    phone.get_by_label("登录名").fill("13800138000")
    phone.get_by_label("密码").fill("wrong horse")
    tid(phone, "auth-submit").click()
    expect(tid(phone, "auth-error")).to_have_text("登录名或密码不正确。")
    phone.get_by_label("密码").fill(PASSWORD)
    tid(phone, "auth-submit").click()
    expect(tid(phone, "circle-title")).to_have_text("周末舞蹈班")
    assert circle in _my_circle_ids(phone)
    assert phone.errors == []


def test_an_expired_or_wrong_invite_logged_out_says_so_and_reveals_nothing(
    open_page: Any,
) -> None:
    ann = open_page()
    signup(ann, "ann", "Ann")
    circle = create_circle(ann, "Secret", visibility="private")
    visitor = open_page(locale="zh-CN")
    visitor.goto(f"{ann.url.split('#')[0]}#/join/{circle}/NOTACODE")
    expect(tid(visitor, "join-card")).to_have_attribute("data-gone", "true")
    expect(tid(visitor, "join-title")).to_have_text("你收到了一个圈子的邀请")
    expect(tid(visitor, "join-card")).not_to_contain_text("Secret")
    expect(tid(visitor, "auth-form")).to_be_visible()
    assert visitor.errors == []
