"""Sending mail over SMTP, off the request path: ``send`` queues (bounded: past
it the mail is dropped and logged), one worker talks to the SMTP server
(smtplib in a thread: one conversation at a time), and a mail the server
refused for now (4xx) or the network lost is tried again later, waiting
``mail_backoff_s``, then twice that... A mail that never goes is logged with
its recipient and subject; when only the network or a busy server kept it,
its ``on_lost`` is told too (a digest's period is then tried again on the next
run). One refused for good (5xx: no such mailbox) is not tried again. Without ``smtp_host`` mail is off (``enabled`` False)."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from .settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Mail:
    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    # Told when the mail is given up after its attempts (not when refused for good).
    on_lost: Callable[[], Awaitable[None]] | None = None
    attempt: int = 0


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._queue: asyncio.Queue[Mail] = asyncio.Queue(settings.mail_queue)
        self._worker: asyncio.Task[None] | None = None
        self._retries: set[asyncio.Task[None]] = set()
        # Mails queued, being sent or waiting for a retry; idle when none.
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.sent = 0

    @property
    def enabled(self) -> bool:
        return bool(self.settings.smtp_host)

    def start(self) -> None:
        if self.enabled:
            self._worker = asyncio.create_task(self._work())

    async def close(self) -> None:
        tasks = [t for t in (self._worker, *self._retries) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def send(self, mail: Mail) -> bool:
        """Queue a mail; False when mail is off or the queue is full (logged)."""
        if not self.enabled:
            return False
        try:
            self._queue.put_nowait(mail)
        except asyncio.QueueFull:
            log.error("mail queue full: mail to %s (%s) dropped", mail.to, mail.subject)
            return False
        self._pending += 1
        self._idle.clear()
        return True

    async def idle(self) -> None:
        """Until nothing is queued, being sent or waiting for a retry (tests)."""
        await self._idle.wait()

    async def _work(self) -> None:
        while True:
            mail = await self._queue.get()
            try:
                done = await self._attempt(mail)
            except Exception:
                log.exception("mail to %s failed", mail.to)
                done = True
            if done:
                self._pending -= 1
                if not self._pending:
                    self._idle.set()

    async def _attempt(self, mail: Mail) -> bool:
        """Try once; False when a retry is scheduled."""
        s = self.settings
        mail.attempt += 1
        problem: Exception
        try:
            await asyncio.to_thread(self._deliver, self._message(mail))
            self.sent += 1
            return True
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if all(code >= 500 for code in codes):
                log.error("mail to %s (%s) refused: %s", mail.to, mail.subject, error.recipients)
                return True
            problem = error
        except smtplib.SMTPResponseException as error:
            if error.smtp_code < 400 or error.smtp_code >= 500:
                log.error("mail to %s (%s) refused: %s", mail.to, mail.subject, error)
                return True
            problem = error
        except (smtplib.SMTPException, OSError) as error:
            problem = error
        if mail.attempt >= s.mail_attempts:
            log.error(
                "mail to %s (%s) lost after %d attempts: %s",
                mail.to,
                mail.subject,
                mail.attempt,
                problem,
            )
            await _tell(mail)
            return True
        log.warning("mail to %s failed (%s); trying again", mail.to, problem)
        task = asyncio.create_task(self._retry(mail, s.mail_backoff_s * 2 ** (mail.attempt - 1)))
        self._retries.add(task)
        task.add_done_callback(self._retries.discard)
        return False

    async def _retry(self, mail: Mail, wait: float) -> None:
        await asyncio.sleep(wait)
        await self._queue.put(mail)

    def _message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=_domain(self.settings.mail_from))
        for name, value in mail.headers.items():
            message[name] = value
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
        return message

    def _deliver(self, message: EmailMessage) -> None:
        s = self.settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s, context=context
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s)
        with smtp:
            if s.smtp_security == "starttls":
                smtp.starttls(context=context)
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
            smtp.send_message(message)


async def _tell(mail: Mail) -> None:
    if mail.on_lost is not None:
        try:
            await mail.on_lost()
        except Exception:
            log.exception("after losing the mail to %s", mail.to)


def _domain(address: str) -> str | None:
    at = address.rpartition("<")[2].rstrip(">").rpartition("@")[2].strip()
    return at or None
