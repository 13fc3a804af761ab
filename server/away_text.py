# ruff: noqa: RUF001  (the Chinese strings keep their full-width punctuation)
"""The few words the away channels say (push notifications, mails), in the two
languages of the web client (whose catalogues are JavaScript: web-client/js/
locales/). ``text(language, key, **params)``; an unknown language is English."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("zh-CN", "en")

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "kind.mention": "{who} mentioned you",
        "kind.reply": "{who} replied to you",
        "kind.must_read": "Must-read",
        "kind.review": "Your homework was reviewed",
        "kind.reminder": "Reminder",
        "kind.moderation": "A moderation decision",
        "kind.join": "Join request",
        "kind.other": "New notification",
        "someone": "Someone",
        "summary.title": "{count} new notifications",
        "summary.body": "Open Quanzi to see them.",
        "digest.subject.daily": "What you missed today in Quanzi",
        "digest.subject.weekly": "What you missed this week in Quanzi",
        "digest.greeting": "Hello {name},",
        "digest.must_reads": "Must-reads you have not acknowledged",
        "digest.notifications": "Mentions, replies and reviews",
        "digest.highlights": "Highlights in your circles",
        "digest.nothing": "Nothing new. Enjoy your day!",
        "digest.open": "Open",
        "digest.unsubscribe": "Stop these digests",
        "digest.why": "You get this digest because you asked for it in your Quanzi settings.",
        "must_read.subject": "Must-read in {circle}",
        "must_read.intro": "A must-read was posted in {circle}. Please read and acknowledge it:",
        "verify.subject": "Confirm your email address for Quanzi",
        "verify.body": "Open this link to confirm that this address is yours:",
        "verify.ignore": "If you did not ask for this, ignore this mail.",
        "page.unsubscribed": "You will get no more digests. You can turn them on again in your settings.",
        "page.verified": "Your email address is confirmed.",
        "page.bad_link": "This link is not valid (any more).",
    },
    "zh-CN": {
        "kind.mention": "{who} 提到了你",
        "kind.reply": "{who} 回复了你",
        "kind.must_read": "必读",
        "kind.review": "你的作业已批改",
        "kind.reminder": "提醒",
        "kind.moderation": "管理处理结果",
        "kind.join": "入圈申请",
        "kind.other": "新通知",
        "someone": "有人",
        "summary.title": "{count} 条新通知",
        "summary.body": "打开圈子查看。",
        "digest.subject.daily": "圈子：今天你错过的内容",
        "digest.subject.weekly": "圈子：本周你错过的内容",
        "digest.greeting": "{name}，你好：",
        "digest.must_reads": "尚未确认的必读",
        "digest.notifications": "提及、回复与批改",
        "digest.highlights": "你的圈子里的精华",
        "digest.nothing": "没有新内容，祝你愉快！",
        "digest.open": "打开",
        "digest.unsubscribe": "不再接收摘要邮件",
        "digest.why": "你在圈子的设置中订阅了这份摘要邮件。",
        "must_read.subject": "{circle} 发布了必读",
        "must_read.intro": "{circle} 发布了一条必读，请阅读并确认：",
        "verify.subject": "确认你在圈子使用的邮箱地址",
        "verify.body": "打开下面的链接，确认这个邮箱属于你：",
        "verify.ignore": "如果不是你本人的操作，请忽略这封邮件。",
        "page.unsubscribed": "你将不再收到摘要邮件。可以在设置中重新开启。",
        "page.verified": "你的邮箱地址已确认。",
        "page.bad_link": "这个链接无效或已失效。",
    },
}


def language_of(value: object) -> str:
    return value if isinstance(value, str) and value in _TEXT else "en"


def text(language: str, key: str, **params: object) -> str:
    table = _TEXT[language_of(language)]
    return table.get(key, _TEXT["en"][key]).format(**params)


def describe(notification: dict[str, Any], language: str) -> dict[str, str]:
    """A notification (store/notifications.py: ``id``, ``circle``, ``kind``,
    ``about`` with the actor, an excerpt or a title) as a push or a mail line shows
    it: ``title``, ``body``, ``url`` (a path of the web client) and ``tag`` (one
    per notification: a device shows a later push with the same tag in its place)."""
    kind = str(notification.get("kind", "other"))
    about = notification.get("about")
    about = about if isinstance(about, dict) else {}
    actor = about.get("actor")
    who = (actor.get("name") if isinstance(actor, dict) else None) or text(language, "someone")
    key = f"kind.{kind}" if f"kind.{kind}" in _TEXT["en"] else "kind.other"
    body = str(about.get("excerpt") or about.get("title") or "")
    return {
        "title": text(language, key, who=who),
        "body": body[:200],
        "url": url_of(notification),
        "tag": f"quanzi-{notification.get('id', kind)}",
    }


def url_of(notification: dict[str, Any]) -> str:
    """Where a click leads: the web client's page of the notification
    (``#/n/<id>``), which opens exactly what it is about as the inbox does
    (web-client/js/views/notification-targets.js: a message in its context, a post,
    a review, a tab); the home page for one without an id."""
    id_ = notification.get("id")
    if isinstance(id_, int) and not isinstance(id_, bool) and id_ > 0:
        return f"/#/n/{id_}"
    return "/#/"
