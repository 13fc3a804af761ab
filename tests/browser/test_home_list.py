"""The home page as chat apps have it: circles with their last message (author: text)
and its time, unread and must-read badges, the most recently active first; Create and
Discover behind buttons; kinds, visibility and roles in the page's language. Also the
screenshots of the home page in Chinese and English."""

# Chinese text uses Chinese (full-width) punctuation: what the page must show.
# ruff: noqa: RUF001

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from tests.browser.pages import api, open_home_panel, session_token, signup, tid
from tests.e2e.harness import ServerProcess, seconds


def say_as(server: ServerProcess, token: str, circle: str, *texts: str) -> None:
    """Say each text in the circle's chat from another device of the user (a raw socket)."""
    with connect(
        server.ws, subprotocols=[Subprotocol("quanzi.v1.json")], open_timeout=seconds(10)
    ) as ws:
        ws.send(json.dumps({"t": "hello", "id": "h", "token": token}))
        assert json.loads(ws.recv(timeout=seconds(10)))["t"] == "welcome"
        for n, text in enumerate(texts):
            frame = {"t": "say", "id": n, "circle": circle, "text": text, "nonce": f"{circle}-{n}"}
            ws.send(json.dumps(frame))
            while (reply := json.loads(ws.recv(timeout=seconds(10)))).get("id") != n:
                pass  # pushes of the circle
            assert reply["t"] == "ok", reply


def names(page: Any) -> list[str]:
    return [str(n) for n in tid(page, "circle-name").all_inner_texts()]


def test_the_circle_list_reads_like_a_chat_app_in_chinese_and_english(
    open_page: Any, server: ServerProcess, screenshots: Path
) -> None:
    teacher, parent = open_page(), open_page()
    signup(teacher, "zhang", "张老师")
    signup(parent, "13800138000", "王小明")
    tid(parent, "locale").select_option("zh-CN")  # kept: the reload below stays in Chinese
    token = session_token(teacher)

    def circle(name: str, kind: str, visibility: str, description: str = "") -> str:
        body = {"name": name, "kind": kind, "visibility": visibility, "description": description}
        made = api(teacher, "POST", "/circles", body)
        code = api(teacher, "POST", f"/circles/{made['id']}/codes", {"count": 1})["codes"][0]
        api(parent, "POST", f"/circles/{made['id']}/join", {"code": code["code"]})
        return str(made["id"])

    dance = circle("周末舞蹈班", "teaching", "private", "每周六上午九点")
    books = circle("读书打卡", "community", "public")
    team = circle("社区志愿者", "internal", "private")
    quiet = circle("三年级二班家长群", "teaching", "private")
    say_as(server, token, team, "周日上午九点在社区中心集合，记得带上志愿者马甲。")
    say_as(server, token, books, "今天读完了《活着》第三章，大家打卡了吗？", "明天继续第四章 📚")
    say_as(server, token, dance, "这周六的课改到下午两点，请家长们互相转告，谢谢大家配合！")
    post = api(
        teacher, "POST", f"/circles/{dance}/posts", {"kind": "notice", "text": "期末汇演通知"}
    )
    api(teacher, "PUT", f"/posts/{post['id']}/must-read")

    # The parent's home page (Chinese): most recently active first, last message with
    # the author, badges, and only the words that tell circles apart.
    parent.reload()
    expect(tid(parent, "circle-item")).to_have_count(4)
    assert names(parent) == ["周末舞蹈班", "读书打卡", "社区志愿者", "三年级二班家长群"]
    first = tid(parent, "circle-item").first
    expect(first.get_by_test_id("circle-last")).to_have_text(
        "张老师：这周六的课改到下午两点，请家长们互相转告，谢谢大家配合！"
    )
    expect(first.get_by_test_id("unread-badge")).to_have_text("1")
    expect(first.get_by_test_id("mustread-badge")).to_have_text("1 条必读")
    expect(first).to_contain_text("教学")
    books_item = tid(parent, "circle-item").nth(1)
    expect(books_item.get_by_test_id("unread-badge")).to_have_text("2")
    expect(books_item).to_contain_text("公开")
    last = tid(parent, "circle-item").last
    expect(last.get_by_test_id("circle-last")).to_have_text("还没有消息")
    expect(last.get_by_test_id("unread-badge")).to_have_count(0)
    expect(tid(parent, "home-create")).to_have_text("创建圈子")
    expect(tid(parent, "home-discover")).to_have_text("发现圈子")
    expect(tid(parent, "create-form")).to_be_hidden()
    expect(tid(parent, "discover")).to_have_count(0)
    parent.screenshot(path=str(screenshots / "home-zh.png"))

    # A message said while the home page is open moves its circle up (the poll, or
    # the socket when the circle's chat was opened).
    say_as(server, token, quiet, "明天家长会，七点开始。")
    expect(tid(parent, "circle-name").first).to_have_text("三年级二班家长群", timeout=20_000)
    expect(tid(parent, "circle-item").first.get_by_test_id("circle-last")).to_have_text(
        "张老师：明天家长会，七点开始。"
    )

    # The same page in English (the language switch re-renders it).
    tid(parent, "locale").select_option("en")
    expect(tid(parent, "home-create")).to_have_text("Create circle")
    first = tid(parent, "circle-item").first
    expect(first.get_by_test_id("circle-last")).to_have_text("张老师: 明天家长会，七点开始。")
    expect(tid(parent, "circle-item").nth(1).get_by_test_id("mustread-badge")).to_have_text(
        "1 must-read"
    )
    parent.screenshot(path=str(screenshots / "home-en.png"))

    # The teacher's home page (English): own messages as "You", the role shown.
    teacher.reload()
    expect(tid(teacher, "circle-item")).to_have_count(4)
    top = tid(teacher, "circle-item").first
    expect(top.get_by_test_id("circle-last")).to_have_text("You: 明天家长会，七点开始。")
    expect(top).to_contain_text("Teacher")  # the owner of a teaching circle
    expect(top).to_contain_text("Teaching")
    expect(top.get_by_test_id("circle-members")).to_have_text("2 members")

    # Discover opens behind its button, in the page's language.
    open_home_panel(parent, "discover")
    expect(tid(parent, "discover-item").filter(has_text="读书打卡")).to_have_count(1)
    expect(tid(parent, "discover-join").first).to_have_text("Open")
    assert teacher.errors == [] and parent.errors == []
