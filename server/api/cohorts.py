"""Cohorts of access codes over HTTP (store/access_codes.py): the fields a batch of
codes may carry (``POST /circles/{id}/codes``: ``label``, ``period_days``,
``group_id``), and revoking a batch's or a label's unused codes at once."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.api.auth import authenticate, node_of
from server.api.inputs import bad, get_int, get_str, json_body
from server.api.responses import ok

LABEL_MAX = 80
# Ten years of days, as the other terms (store/term_dates.py).
PERIOD_DAYS_MAX = 3660
ID_MAX = 32


def cohort_fields(body: dict[str, Any]) -> tuple[str | None, int | None, str | None]:
    """``label``, ``period_days`` and ``group_id`` of a new batch, type-checked."""
    label = get_str(body, "label", max_len=LABEL_MAX)
    period_days = get_int(body, "period_days", minimum=1, maximum=PERIOD_DAYS_MAX)
    group_id = get_str(body, "group_id", max_len=ID_MAX)
    return label, period_days, group_id


async def revoke_unused(request: Request) -> Response:
    """``{"batch"}`` or ``{"label"}``: that cohort's codes nobody used are revoked."""
    user, _ = await authenticate(request)
    body = await json_body(request)
    batch = get_str(body, "batch", max_len=ID_MAX)
    label = get_str(body, "label", max_len=LABEL_MAX)
    if (batch is None) == (label is None):
        raise bad("give batch or label")
    revoked = await node_of(request).store.codes.revoke_unused(
        request.path_params["id"], user["id"], batch=batch, label=label
    )
    return ok({"revoked": revoked})


routes = [
    Route("/circles/{id}/codes/revoke-unused", revoke_unused, methods=["POST"]),
]
