"""Sign-up as a Chinese user expects it: a display name in any script, a login name
(a phone number works), a password; every refusal told in the page's language, from
the server's reason when the server refused."""

# Chinese text uses Chinese (full-width) punctuation: what the page must show.
# ruff: noqa: RUF001

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import PASSWORD, signup, tid, wait_live


def test_a_chinese_sign_up_is_told_every_refusal_in_chinese(open_page: Any) -> None:
    signup(open_page(), "13800138000", "先来的人")
    page = open_page(locale="zh-CN")
    tid(page, "auth-switch").click()
    expect(tid(page, "auth-form")).to_have_attribute("data-mode", "signup")
    expect(page.get_by_label("登录名")).to_be_visible()
    error = tid(page, "auth-error")

    page.get_by_label("昵称").fill("张云妮 🌸")
    page.get_by_label("登录名").fill("张云妮")
    page.get_by_label("密码").fill(PASSWORD)
    tid(page, "auth-submit").click()
    expect(error).to_have_text("登录名需为 3–32 位字母、数字或 _ . -（可以用手机号）。")

    page.get_by_label("登录名").fill("13800138000")
    page.get_by_label("密码").fill("short")
    tid(page, "auth-submit").click()
    expect(error).to_have_text("密码至少需要 8 位。")

    # Refused by the server: the login name is taken.
    page.get_by_label("密码").fill(PASSWORD)
    tid(page, "auth-submit").click()
    expect(error).to_have_text("这个登录名已被使用，请换一个，或直接登录。")

    page.get_by_label("登录名").fill("yunni.zhang")
    tid(page, "auth-submit").click()
    wait_live(page)
    expect(tid(page, "me-name")).to_have_text("张云妮 🌸")
    expect(tid(page, "home-create")).to_have_text("创建圈子")
    assert page.errors == []
