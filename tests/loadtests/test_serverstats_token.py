"""The harness scrapes /metrics with QUANZI_METRICS_TOKEN when the operator set one."""

from __future__ import annotations

import pytest

from loadtests.serverstats import metrics_request


def test_no_token_sends_no_authorization(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUANZI_METRICS_TOKEN", raising=False)
    request = metrics_request("http://127.0.0.1:8000")
    assert request.full_url == "http://127.0.0.1:8000/metrics"
    assert not request.has_header("Authorization")


def test_the_token_is_sent_as_a_bearer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUANZI_METRICS_TOKEN", "s3cret-scrape")
    request = metrics_request("http://10.0.0.2:8000")
    assert request.get_header("Authorization") == "Bearer s3cret-scrape"
