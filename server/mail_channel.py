"""The email away channel: a must-read is mailed at once to the members of a
circle whose owners asked for it (``circle_mail``) and who have a verified
address. Everything else waits for the member's digest (server/digests.py)."""

from __future__ import annotations

import html
import logging

from store import Record, Store, StoreError

from .away_text import describe, text
from .mail_links import MailLinks
from .mailer import Mail, Mailer

log = logging.getLogger(__name__)


class MustReadMail:
    """The ``email`` away channel."""

    name = "email"

    def __init__(self, store: Store, mailer: Mailer, links: MailLinks) -> None:
        self.store = store
        self.mailer = mailer
        self.links = links

    async def deliver(self, user_id: str, language: str, notifications: list[Record]) -> None:
        for notification in notifications:
            if notification["kind"] != "must_read":
                continue
            circle = notification["circle"]
            to = await self.store.mail_settings.must_read_recipients(circle, [user_id])
            if user_id not in to:
                continue
            try:
                name = (await self.store.circles.get(circle, user_id))["name"]
            except StoreError:
                continue
            self.mailer.send(self.compose(to[user_id], language, name, notification))

    def compose(self, address: str, language: str, circle: str, notification: Record) -> Mail:
        shown = describe(notification, language)
        url = f"{self.links.base_url}{shown['url']}"
        intro = text(language, "must_read.intro", circle=circle)
        e = html.escape
        return Mail(
            to=address,
            subject=text(language, "must_read.subject", circle=circle),
            text=f"{intro}\n\n{shown['body']}\n\n{url}\n",
            html=(
                f'<!doctype html><html><meta charset="utf-8"><body><p>{e(intro)}</p>'
                f"<blockquote>{e(shown['body'])}</blockquote>"
                f'<p><a href="{e(url)}">{e(text(language, "digest.open"))}</a></p></body></html>'
            ),
        )
