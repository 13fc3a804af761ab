"""Deleting, recalling and editing chat messages in the browser: an admin deletes a
spam message while a member watches it turn into "Deleted by an admin"; a member
edits and recalls their own, and everyone's page follows live; in Chinese too."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.pages import (
    create_circle,
    expect_once,
    invite_link,
    join_with_invite,
    messages,
    open_menu,
    open_tab,
    say,
    signup,
    tid,
    two_in_a_circle,
)


def tombstones(page: Any) -> Any:
    return tid(page, "chat-log").get_by_test_id("msg-tombstone")


def test_an_admin_deletes_spam_while_a_member_watches(open_page: Any) -> None:
    ann, bob = two_in_a_circle(open_page, "Book club")
    open_tab(ann, "chat")
    open_tab(bob, "chat")
    say(bob, "Cheap watches at example.com")
    say(bob, "Chapter 3 tonight?")
    spam = expect_once(ann, "Cheap watches at example.com")
    expect_once(bob, "Cheap watches at example.com")

    # A member may not delete someone else's message: no delete button for Bob on Ann's.
    say(ann, "Yes, at eight")
    theirs = open_menu(expect_once(bob, "Yes, at eight"))
    expect(theirs.get_by_test_id("delete-btn")).to_have_count(0)
    expect(theirs.get_by_test_id("recall-btn")).to_have_count(0)

    open_menu(spam).get_by_test_id("delete-btn").click()
    assert ("confirm", "Delete this message for everyone?") in ann.dialogs
    expect(messages(bob, "Cheap watches at example.com")).to_have_count(0)
    expect(tombstones(bob)).to_have_text(["Deleted by an admin"])
    expect(tombstones(ann)).to_have_text(["Deleted by an admin"])
    expect_once(bob, "Chapter 3 tonight?")

    # Bob fixes his own message, then recalls it: Ann's page follows both.
    open_menu(expect_once(bob, "Chapter 3 tonight?")).get_by_test_id("edit-btn").click()
    box = tid(bob, "edit-input")
    box.fill("Chapter 4 tonight?")
    box.press("Enter")
    edited = expect_once(ann, "Chapter 4 tonight?")
    expect(edited.get_by_test_id("msg-edited")).to_have_text("(edited)")
    expect(messages(ann, "Chapter 3 tonight?")).to_have_count(0)
    open_menu(expect_once(bob, "Chapter 4 tonight?")).get_by_test_id("recall-btn").click()
    expect(tombstones(ann)).to_have_text(["Deleted by an admin", "Bob recalled a message"])
    expect(tombstones(bob)).to_have_text(["Deleted by an admin", "You recalled a message"])

    # A reload shows the same tombstones from history.
    bob.reload()
    open_tab(bob, "chat")
    expect(tombstones(bob)).to_have_text(["Deleted by an admin", "You recalled a message"])
    expect_once(bob, "Yes, at eight")
    assert ann.errors == [] and bob.errors == []


def test_in_chinese_on_a_phone(open_page: Any) -> None:
    wang = open_page(locale="zh-CN")
    signup(wang, "wang", "王老师")
    create_circle(wang, "三年二班家长群")
    link = invite_link(wang)
    li = open_page(360, 740, locale="zh-CN")
    signup(li, "liming", "李明")
    join_with_invite(li, link, "三年二班家长群")
    open_tab(wang, "chat")
    open_tab(li, "chat")
    say(li, "发错群了")
    expect_once(wang, "发错群了")
    open_menu(expect_once(li, "发错群了")).get_by_test_id("recall-btn").click()
    expect(tombstones(wang)).to_have_text(["李明撤回了一条消息"])
    expect(tombstones(li)).to_have_text(["你撤回了一条消息"])
    say(li, "加我微信领红包")
    open_menu(expect_once(wang, "加我微信领红包")).get_by_test_id("delete-btn").click()
    expect(tombstones(li)).to_have_text(["你撤回了一条消息", "该消息已被管理员删除"])
    assert wang.errors == [] and li.errors == []
