"""The OpenAPI paths and bodies of paid terms and the payment webhook
(docs/payments.md)."""

from __future__ import annotations

from server.api.operations import CIRCLE, V1, operation, path_param
from server.api.payments import EVENT_ID_MAX, MONTHS_MAX
from server.api.schemas import BOOL, INT, MS, STR, Schema, obj, ref

_USER = path_param("user_id", description="the member's user id")
_MONTHS = {**INT, "minimum": 1, "maximum": MONTHS_MAX}

PAYMENT_SCHEMAS: dict[str, Schema] = {
    "PaymentApplied": obj(
        ["member", "replayed"],
        member={
            "anyOf": [ref("Member"), {"type": "null"}],
            "description": "the member now (null: a replay for someone who has left since)",
        },
        replayed={
            **BOOL,
            "description": "this event_id was applied before: nothing changed this time",
        },
    ),
}

PAYMENT_BODIES: dict[str, Schema] = {
    "set_term": obj(
        [],
        ends_at={**MS, "description": "the new end (in the future, at most ten years ahead)"},
        months={
            **_MONTHS,
            "description": "or renew by this many calendar months, from the later of the "
            "current end and now",
        },
    ),
    "payment_webhook": obj(
        ["event_id", "circle", "user"],
        event_id={
            **STR,
            "maxLength": EVENT_ID_MAX,
            "description": "the provider's id of this payment: a call with an id already "
            "applied changes nothing",
        },
        circle={**STR, "description": "circle id"},
        user={**STR, "description": "user id or login name (handle)"},
        months={**_MONTHS, "description": "grant or renew by this many calendar months"},
        until={**MS, "description": "or until this date (never earlier than the current end)"},
    ),
}

_SIGNATURE = {
    "name": "Quanzi-Signature",
    "in": "header",
    "required": True,
    "schema": STR,
    "description": 't=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>',
}

PAYMENT_PATHS: dict[str, Schema] = {
    f"{V1}/circles/{{id}}/members/{{user_id}}/term": {
        "put": operation(
            "Set or renew a member's end date (owners and admins; an admin never an owner's "
            "or an admin's, nobody an owner's): from it they only read (403, reason "
            "`membership_ended`, params.ends_at and params.removes_at), and after the grace "
            "they are removed; the member with `ends_at` and `removes_at`",
            "moderation",
            ref("Member"),
            body="set_term",
            errors="403 404",
            params=(CIRCLE, _USER),
        ),
        "delete": operation(
            "Take a member's end date away: the membership no longer ends",
            "moderation",
            ref("Member"),
            errors="403 404",
            params=(CIRCLE, _USER),
        ),
    },
    f"{V1}/payments/webhook": {
        "post": operation(
            "For a payment provider or shop: grant a membership (the banned are refused, "
            "403) or renew its end, signed with the shared secret "
            "(QUANZI_PAYMENT_WEBHOOK_SECRET; 404 when none is set). A bad or stale "
            "signature is 401 (reason `bad_signature`, `stale_signature`); nothing changes "
            "on any refusal (docs/payments.md)",
            "payments",
            ref("PaymentApplied"),
            body="payment_webhook",
            errors="403 404",
            params=(_SIGNATURE,),
            public=True,
        ),
    },
}
