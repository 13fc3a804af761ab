"""The OpenAPI of cohorts of access codes (server/api/cohorts.py): the list's
``label`` filter and revoking a batch's or a label's unused codes."""

from __future__ import annotations

from server.api.operations import CIRCLE, V1, operation, query_param
from server.api.schemas import INT, STR, Schema, obj

COHORT_LABEL = query_param("label", STR, "only the codes of this cohort label")

COHORT_BODIES: dict[str, Schema] = {
    "revoke_unused": obj(
        [],
        batch={**STR, "maxLength": 32, "description": "a batch id (a code's `batch`)"},
        label={**STR, "maxLength": 80, "description": "or a cohort label"},
    ),
}

COHORT_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/circles/{{id}}/codes/revoke-unused": {
        "post": operation(
            "Revoke the unused codes of a batch or of a cohort label (owner/admin; give one "
            "of batch, label): codes already redeemed stay",
            "circles",
            obj(["revoked"], revoked={**INT, "description": "how many were revoked"}),
            "200",
            "revoke_unused",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
}
