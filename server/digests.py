"""Email digests: once a day or once a week (each member's choice, off by
default) a member gets what they missed — their unacknowledged must-reads
first, then the mentions, replies and reviews they have not read, then the
highlights of their circles — in their language, as plain text and HTML, with
a one-click unsubscribe link (RFC 8058). It goes out at ``digest_hour`` of the
member's own day (weekly ones on ``digest_weekday``), once per period: the
period is claimed in the store before the mail is queued, so one node sends
it, and a mail that is finally lost gives the period back for the next run."""

from __future__ import annotations

import datetime as dt
import html
import logging
from typing import Any
from zoneinfo import ZoneInfo

from store import Record, Store

from .away_text import describe, language_of, text
from .mail_links import MailLinks
from .mailer import Mail, Mailer
from .settings import Settings

log = logging.getLogger(__name__)

DAY_MS = 86_400_000
# The inbox kinds a digest lists (must-reads have their own part; reminders and
# the rest are for the moment they happen).
DIGEST_KINDS = frozenset({"mention", "reply", "review"})
PART_MAX = 10


def period_due(digest: str, local: dt.datetime, hour: int, weekday: int) -> str | None:
    """The period whose digest is due at this local time, or None before its hour:
    ``2026-12-01`` (daily) or ``2026-W49`` (weekly, from ``weekday`` 1-7 on)."""
    if local.hour < hour and digest == "daily":
        return None
    if digest == "daily":
        return local.date().isoformat()
    year, week, day = local.isocalendar()
    if day < weekday or (day == weekday and local.hour < hour):
        return None
    return f"{year}-W{week:02d}"


class Digests:
    def __init__(self, settings: Settings, store: Store, mailer: Mailer, links: MailLinks) -> None:
        self.settings = settings
        self.store = store
        self.mailer = mailer
        self.links = links

    async def send_due(self, now_ms: int) -> int:
        """Queue every digest that is due; how many."""
        if not self.mailer.enabled:
            return 0
        queued, after = 0, ""
        while True:
            readers = await self.store.mail_settings.digest_readers(after)
            for reader in readers:
                try:
                    queued += await self._one(reader, now_ms)
                except Exception:
                    log.exception("digest of %s failed", reader["user"])
            if len(readers) < 500:
                return queued
            after = readers[-1]["user"]

    async def _one(self, reader: Record, now_ms: int) -> int:
        s = self.settings
        prefs = await self.store.notification_settings.settings_of(reader["user"])
        zone = ZoneInfo(prefs["time_zone"])
        local = dt.datetime.fromtimestamp(now_ms / 1000, zone)
        period = period_due(reader["digest"], local, s.digest_hour, s.digest_weekday)
        if period is None or period == reader["period"]:
            return 0
        user, previous = reader["user"], reader["period"]
        if not await self.store.mail_settings.claim_digest(user, period, previous):
            return 0  # another node took it
        span = DAY_MS if reader["digest"] == "daily" else 7 * DAY_MS
        since = reader["sent"] or now_ms - span
        language = language_of(prefs["language"])
        mail = await self.compose(user, reader["address"], reader["digest"], language, since)

        async def give_back() -> None:
            await self.store.mail_settings.release_digest(user, period, previous)

        mail.on_lost = give_back
        if not self.mailer.send(mail):
            await give_back()
            return 0
        return 1

    async def compose(
        self, user_id: str, address: str, digest: str, language: str, since: int
    ) -> Mail:
        missed = await self.store.digests.missed(user_id, since)
        found, _ = await self.store.notifications.list(user_id, limit=200)
        notices = [
            n
            for n in found
            if n["read"] is None and n["created"] > since and n["kind"] in DIGEST_KINDS
        ][:PART_MAX]
        name = (await self.store.accounts.get_user(user_id))["name"]
        base = self.links.base_url
        circles = missed["circles"]

        def line(circle: str, words: str) -> tuple[str, str]:
            label = circles.get(circle, "")
            return (f"{label}: {words}" if label else words), f"{base}/#/c/{circle}"

        parts: list[tuple[str, list[tuple[str, str]]]] = [
            (
                text(language, "digest.must_reads"),
                [line(p["circle"], _short(p["text"])) for p in missed["must_reads"]],
            ),
            (
                text(language, "digest.notifications"),
                [
                    (f"{shown['title']} — {shown['body']}", f"{base}{shown['url']}")
                    for shown in (describe(n, language) for n in notices)
                ],
            ),
            (
                text(language, "digest.highlights"),
                [line(p["circle"], _short(p["text"])) for p in missed["highlights"]],
            ),
        ]
        parts = [(title, items) for title, items in parts if items]
        unsubscribe = self.links.url("unsubscribe", user_id)
        return Mail(
            to=address,
            subject=text(language, f"digest.subject.{digest}"),
            text=_plain(language, name, parts, unsubscribe),
            html=_html(language, name, parts, unsubscribe),
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )


def _short(words: str, size: int = 140) -> str:
    one_line = " ".join(words.split())
    return one_line if len(one_line) <= size else one_line[: size - 1] + "…"


def _plain(language: str, name: str, parts: Any, unsubscribe: str) -> str:
    lines = [text(language, "digest.greeting", name=name), ""]
    if not parts:
        lines.append(text(language, "digest.nothing"))
    for title, items in parts:
        lines += [title, "-" * 20]
        lines += [f"* {words}\n  {url}" for words, url in items]
        lines.append("")
    lines += [
        "--",
        text(language, "digest.why"),
        f"{text(language, 'digest.unsubscribe')}: {unsubscribe}",
    ]
    return "\n".join(lines) + "\n"


def _html(language: str, name: str, parts: Any, unsubscribe: str) -> str:
    e = html.escape
    body = [f"<p>{e(text(language, 'digest.greeting', name=name))}</p>"]
    if not parts:
        body.append(f"<p>{e(text(language, 'digest.nothing'))}</p>")
    for title, items in parts:
        body.append(f'<h2 style="font-size:16px">{e(title)}</h2><ul>')
        body += [
            f'<li>{e(words)} <a href="{e(url)}">{e(text(language, "digest.open"))}</a></li>'
            for words, url in items
        ]
        body.append("</ul>")
    body.append(
        f'<hr><p style="color:#666;font-size:12px">{e(text(language, "digest.why"))} '
        f'<a href="{e(unsubscribe)}">{e(text(language, "digest.unsubscribe"))}</a></p>'
    )
    lang = "zh-CN" if language == "zh-CN" else "en"
    return f'<!doctype html><html lang="{lang}"><meta charset="utf-8"><body>{"".join(body)}</body></html>'
