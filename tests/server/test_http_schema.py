"""Schemathesis against the served OpenAPI document: every operation, fed
generated requests (valid and invalid ones), answers within the document."""

from __future__ import annotations

import base64
from collections.abc import Callable

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

from server.api.openapi import DOCUMENT
from tests.server.conftest import Account

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# A tus PATCH body (server/api/tus.py) is raw bytes under its own media type.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
# Enough to reach each operation's statuses; small enough for every CI run.
EXAMPLES = 8


def _negatable(op: dict) -> bool:
    """Whether a request can be made invalid: a body or a constrained parameter
    (a plain string in a path or query is valid whatever it holds)."""
    params = [p["schema"] for p in op.get("parameters", []) if p["in"] in ("path", "query")]
    return "requestBody" in op or any(s.get("type") != "string" or len(s) > 1 for s in params)


OPERATIONS = [
    (path, method)
    for path, item in DOCUMENT["paths"].items()
    for method in item
    if path != "/ws"  # an upgrade, not a request/response exchange
]


@pytest.fixture
def world(
    client: TestClient, signup: Callable[..., Account], make_circle: Callable[..., dict]
) -> dict[str, str]:
    """Real ids for the path parameters: a circle with a must-read and a plain post,
    a comment, a chat group and a member (of both) besides its owner (the caller),
    a poll of the member's and an anonymous one of the owner's in the group, and a
    poll on the must-read post."""
    owner, member = signup("owner_1"), signup("member_1")
    circle = make_circle(owner)["id"]
    client.post(f"/api/v1/circles/{circle}/join", headers=member.auth)
    post = client.post(
        f"/api/v1/circles/{circle}/posts", json={"kind": "post", "text": "hi"}, headers=owner.auth
    ).json()["id"]
    client.put(f"/api/v1/posts/{post}/must-read", headers=owner.auth)
    plain = client.post(
        f"/api/v1/circles/{circle}/posts", json={"kind": "post", "text": "ho"}, headers=owner.auth
    ).json()["id"]
    comment = client.post(
        f"/api/v1/posts/{post}/comments", json={"text": "yes"}, headers=owner.auth
    ).json()["id"]
    group = client.post(
        f"/api/v1/circles/{circle}/groups", json={"name": "cooks"}, headers=owner.auth
    ).json()["group"]["id"]
    client.post(f"/api/v1/groups/{group}/join", headers=member.auth)
    ask = {"question": "when?", "options": ["now", "later"]}
    poll = client.post(f"/api/v1/groups/{group}/polls", json=ask, headers=member.auth)
    anonymous = client.post(
        f"/api/v1/groups/{group}/polls", json={**ask, "anonymous": True}, headers=owner.auth
    )
    client.post(f"/api/v1/posts/{post}/poll", json=ask, headers=owner.auth)
    # A PNG with a thumbnail, for the attachment routes.
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    attachment = client.post(
        f"/api/v1/circles/{circle}/uploads",
        content=png,
        headers={"Authorization": f"Bearer {owner.token}"},
    ).json()["id"]
    lesson = client.post(
        f"/api/v1/circles/{circle}/lessons",
        json={"title": "one", "starts_at": "2030-01-01T10:00", "attachments": [attachment]},
        headers=owner.auth,
    ).json()["id"]
    return {
        "lesson": lesson,
        "attachment": attachment,
        "poll": poll.json()["poll"]["id"],
        "anonymous_poll": anonymous.json()["poll"]["id"],
        "token": owner.token,
        "circle": circle,
        "group": group,
        "post": post,
        "plain_post": plain,
        "comment": comment,
        "user_id": member.id,
        "owner_id": owner.id,
    }


def _ids(path: str, world: dict[str, str], generated: dict[str, object]) -> dict[str, object]:
    """Real ids in place of generated ones; which of two (a must-read post or a
    plain one, a group or general, a member or the caller, the last owner)
    follows the generated value, so the conflicts (409) are reached too."""
    other = len(str(generated.get("user_id", generated.get("id", "")))) % 2 == 1
    if path.startswith("/api/v1/posts/"):
        return {"id": world["plain_post" if other else "post"]}
    if path.startswith("/api/v1/polls/"):
        # Someone else's open poll, or an anonymous one of the caller's.
        return {"id": world["anonymous_poll" if other else "poll"]}
    if path.startswith("/api/v1/attachments/"):
        return {"id": world["attachment"]}
    if path.startswith("/api/v1/comments/"):
        return {"id": world["comment"]}
    if path.startswith("/api/v1/lessons/"):
        return {"id": world["lesson"]}
    ids: dict[str, object] = {"id": world["circle"]} if "{id}" in path else {}
    if path.startswith("/api/v1/groups/"):
        # A group of its own, or general (the circle's id), which cannot be left.
        ids["id"] = world["circle" if other else "group"]
    if "{user_id}" in path:
        ids["user_id"] = world["owner_id" if other else "user_id"]
    if "{seq}" in path:
        ids["seq"] = 1
    return ids


CASES = [
    pytest.param(path, method, mode, id=f"{method.upper()} {path} {mode.value}")
    for path, method in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or _negatable(DOCUMENT["paths"][path][method])
]


@pytest.mark.parametrize(("path", "method", "mode"), CASES)
def test_operation_answers_as_documented(
    client: TestClient, world: dict[str, str], path: str, method: str, mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_dict(client.get("/api/v1/openapi.json").json())
    # The caller's token is always sent (the 401s have their own tests), and
    # parameters the document does not name are ignored by design, not refused.
    schema.config.generation.update(allow_extra_parameters=False, with_security_parameters=False)
    operation = schema[path][method.upper()]
    auth = {"Authorization": f"Bearer {world['token']}"}

    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode))
    def run(case) -> None:
        if mode is GenerationMode.POSITIVE:
            generated = dict(case.path_parameters or {})
            case.path_parameters = {**generated, **_ids(path, world, generated)}
        kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=auth)
        kwargs.pop("cookies", None)
        if "data" in kwargs:
            kwargs["content"] = kwargs.pop("data")
        response = client.request(**kwargs)
        case.validate_response(response, checks=CHECKS)

    run()
