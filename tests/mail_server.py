"""A real SMTP server for the tests (aiosmtpd, in its own thread, on a free
port): it keeps every mail it accepts, parsed, and can refuse the next ones
for now (451) as the test says."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.timing import seconds, sleep_blocking


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MailServer:
    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.raw: list[bytes] = []
        self.refuse_next = 0
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_next:
            self.refuse_next -= 1
            return "451 try again later"
        data = bytes(envelope.original_content or envelope.content)
        self.raw.append(data)
        mail = message_from_bytes(data, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.mails.append(mail)
        return "250 OK"

    def close(self) -> None:
        self.controller.stop()

    def wait(self, count: int, within: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + seconds(within)
        while time.monotonic() < deadline:
            if len(self.mails) >= count:
                return list(self.mails)
            sleep_blocking(0.02)
        raise AssertionError(f"{len(self.mails)} mails of {count} arrived")


def text_of(mail: EmailMessage, subtype: str = "plain") -> str:
    part = mail.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def smtp() -> Iterator[MailServer]:
    """A fresh SMTP server for the test (import it into the test module)."""
    server = MailServer()
    yield server
    server.close()
