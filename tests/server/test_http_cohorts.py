"""Cohorts of access codes over HTTP: a teacher makes a batch with a label, a term in
days and the cohort's chat group; a student redeems one and is in the circle with an
end date and in the group (``group.joined`` reaches a connected member); the list
shows the label and who redeemed which code, and filters by label; the unused codes
of the label are revoked at once; bad bodies are 400 with a reason, never a 500."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.server.test_http_joining import error_of, events_until, hello

API = "/api/v1"
DAY_MS = 86_400_000


def test_a_cohort_from_batch_to_revoking_the_unused(
    client: TestClient, signup, make_circle
) -> None:
    wang, amy, ben = signup("wang", "王老师"), signup("amy", "Amy"), signup("ben", "李明")
    circle = make_circle(wang, "舞蹈基础班", visibility="private", kind="teaching")
    cid = circle["id"]
    group = client.post(
        f"{API}/circles/{cid}/groups",
        json={"name": "春季班群", "access": "invite"},
        headers=wang.auth,
    ).json()["group"]
    body = {"count": 3, "max_uses": 1, "label": "2026 春季班", "period_days": 60}
    made = client.post(
        f"{API}/circles/{cid}/codes", json={**body, "group_id": group["id"]}, headers=wang.auth
    )
    assert made.status_code == 201, made.text
    codes = made.json()["codes"]
    assert {(c["label"], c["period_days"], c["group_id"]) for c in codes} == {
        ("2026 春季班", 60, group["id"])
    }
    with client.websocket_connect("/ws") as watcher:
        hello(watcher, wang.token)
        joined = client.post(
            f"{API}/circles/{cid}/join", json={"code": codes[0]["code"]}, headers=amy.auth
        )
        assert joined.status_code == 200, joined.text
        assert joined.json()["ends_at"] > circle["created"] + 59 * DAY_MS
        event = events_until(watcher, "group.joined")[-1]
        assert (event["group"], event["user"]) == (group["id"], amy.id)
    listed = client.get(
        f"{API}/circles/{cid}/codes", params={"label": "2026 春季班"}, headers=wang.auth
    ).json()["codes"]
    assert len(listed) == 3
    used = [c for c in listed if c["redeemed"]]
    assert [(r["user"], r["name"]) for c in used for r in c["redeemed"]] == [(amy.id, "Amy")]
    revoked = client.post(
        f"{API}/circles/{cid}/codes/revoke-unused", json={"label": "2026 春季班"}, headers=wang.auth
    )
    assert revoked.json() == {"revoked": 2}
    late = client.post(
        f"{API}/circles/{cid}/join", json={"code": codes[1]["code"]}, headers=ben.auth
    )
    assert error_of(late, 403)["code"] == "forbidden"
    refused = client.post(
        f"{API}/circles/{cid}/codes/revoke-unused", json={"label": "2026 春季班"}, headers=amy.auth
    )
    assert error_of(refused, 403)["code"] == "forbidden"


@pytest.mark.parametrize(
    "body",
    [
        {"count": 1, "period_days": 0},
        {"count": 1, "period_days": "30"},
        {"count": 1, "period_days": 30, "period_months": 1},
        {"count": 1, "label": 5},
        {"count": 1, "label": "x" * 81},
        {"count": 1, "group_id": None},
    ],
)
def test_bad_cohort_bodies_are_400(client: TestClient, signup, make_circle, body) -> None:
    ann = signup("ann")
    circle = make_circle(ann, visibility="private")
    answer = client.post(f"{API}/circles/{circle['id']}/codes", json=body, headers=ann.auth)
    assert error_of(answer, 400)["code"] == "bad_request"


@pytest.mark.parametrize("body", [{}, {"batch": "b", "label": "l"}, {"label": 3}, []])
def test_bad_revoke_unused_bodies_are_400(client: TestClient, signup, make_circle, body) -> None:
    ann = signup("ann")
    circle = make_circle(ann, visibility="private")
    answer = client.post(
        f"{API}/circles/{circle['id']}/codes/revoke-unused", json=body, headers=ann.auth
    )
    assert error_of(answer, 400)["code"] == "bad_request"


def test_a_group_of_another_circle_is_404(client: TestClient, signup, make_circle) -> None:
    ann = signup("ann")
    mine, other = make_circle(ann, "A", visibility="private"), make_circle(ann, "B")
    group = client.post(
        f"{API}/circles/{other['id']}/groups", json={"name": "g"}, headers=ann.auth
    ).json()["group"]
    answer = client.post(
        f"{API}/circles/{mine['id']}/codes",
        json={"count": 1, "group_id": group["id"]},
        headers=ann.auth,
    )
    assert error_of(answer, 404)["code"] == "not_found"
