"""Every HTTP answer — the page, its scripts, the API, errors — carries the
browser hardening headers."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/js/app.js", 200),
        ("/api/v1/openapi.json", 200),
        ("/api/v1/me", 401),
        ("/nowhere", 404),
        ("/healthz", 200),
    ],
)
def test_every_answer_carries_the_headers(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    headers = response.headers
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in headers["content-security-policy"].split(";")
        if directive.strip()
    }
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]  # the API and same-origin ws:/wss:
    assert policy["manifest-src"] == ["'self'"]  # installable
    assert policy["worker-src"] == ["'self'"]  # the service worker
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers.get_list("content-security-policy") == [headers["content-security-policy"]]


def test_the_page_has_no_inline_script_or_style(client: TestClient) -> None:
    """What the policy refuses is not in the page: one script from 'self' (the bundle)."""
    page = client.get("/").text
    assert page.count("<script") == 1
    assert re.search(r'<script defer src="/assets/app\.[0-9a-f]+\.js"></script>', page)
    assert "<style" not in page and "style=" not in page
    assert not re.search(r"\son[a-z]+\s*=", page, re.IGNORECASE)  # no onclick=…
