"""/metrics: to loopback by default, to the bearer of QUANZI_METRICS_TOKEN when set."""

from __future__ import annotations

from dataclasses import replace

from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings

METRIC = "quanzi_connections"


def test_without_a_token_loopback_reads_metrics(settings: Settings) -> None:
    for host in ("127.0.0.1", "::1"):
        with TestClient(create_app(settings), client=(host, 5000)) as local:
            response = local.get("/metrics")
            assert response.status_code == 200
            assert METRIC in response.text


def test_without_a_token_anyone_else_is_forbidden(settings: Settings) -> None:
    for host in ("203.0.113.9", "testclient"):
        with TestClient(create_app(settings), client=(host, 5000)) as remote:
            response = remote.get("/metrics")
            assert response.status_code == 403
            assert response.json()["error"]["code"] == "forbidden"
            assert METRIC not in response.text


def test_with_a_token_only_its_bearer_reads_metrics(settings: Settings) -> None:
    app = create_app(replace(settings, metrics_token="s3cret-scrape"))
    with TestClient(app, client=("127.0.0.1", 5000)) as local:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-scrape"}):
            response = local.get("/metrics", headers=headers)
            assert response.status_code == 401, headers
            assert response.headers["www-authenticate"] == "Bearer"
        response = local.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
        assert response.status_code == 200
        assert METRIC in response.text
