"""An edit that changes a post's text shows as `edited`; the author rewriting a
highlight or a must-read — what members starred or acknowledged — is logged."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.server.test_http_posts import API, circle, put, say_and_star, write

__all__ = ["circle"]  # the fixture, used by name


def edit(client: TestClient, post: dict, who, text: str) -> dict:
    response = client.patch(f"{API}/posts/{post['id']}", json={"text": text}, headers=who.auth)
    assert response.status_code == 200, response.text
    return response.json()


def logged_edits(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "server.api.posts" and r.levelno == logging.INFO and "edited" in r.message
    ]


def test_an_author_rewriting_a_highlight_or_must_read_is_logged(
    client: TestClient, circle: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="server.api.posts")
    ann, bob = circle["ann"], circle["bob"]
    highlight = say_and_star(client, circle, ann, "Bread at 8")
    assert highlight["edited"] is None
    changed = edit(client, highlight, ann, "Bread at 10")
    assert changed["edited"] is not None

    notice = write(client, circle, ann, "House rules", kind="notice")
    assert put(client, f"/posts/{notice['id']}/must-read", ann).status_code == 200
    edit(client, notice, ann, "House rules v2")

    records = logged_edits(caplog)
    assert len(records) == 2, [r.message for r in records]
    for record, post in zip(records, (highlight, notice), strict=True):
        assert circle["id"] in record.message
        assert post["id"] in record.message
        assert ann.id in record.message

    # What is not logged: the same text again, a plain post, an owner's moderation.
    caplog.clear()
    edit(client, notice, ann, "House rules v2")
    post = write(client, circle, bob, "Anyone for tea?")
    assert edit(client, post, bob, "Anyone for coffee?")["edited"] is not None
    edit(client, highlight, circle["ann"], "Bread at 10")
    bob_notice = write(client, circle, bob, "Bob's post")
    assert put(client, f"/posts/{bob_notice['id']}/must-read", ann).status_code == 200
    edit(client, bob_notice, ann, "Bob's post, tidied by the owner")
    assert logged_edits(caplog) == []
