"""The OpenAPI paths and schemas of Web Push (README.md, "Notifications on a
device"; server/api/push.py)."""

from __future__ import annotations

from server.api.operations import V1, list_of, operation, path_param
from server.api.push import KEY_MAX
from server.api.schemas import MS, STR, Schema, nullable, obj, ref
from store import PUSH_ENDPOINT_MAX as ENDPOINT_MAX
from store import PUSH_LABEL_MAX as LABEL_MAX

PUSH_SCHEMAS: dict[str, Schema] = {
    "PushKey": obj(
        ["key"],
        key={
            **STR,
            "description": "the server's VAPID public key (an uncompressed P-256 point, "
            "base64url): the `applicationServerKey` of `PushManager.subscribe`",
        },
    ),
    "PushDevice": obj(
        ["id", "service", "label", "created", "last_sent"],
        id=STR,
        service={**STR, "description": "the push service's host (never the whole endpoint)"},
        label={**STR, "description": "what the device called itself when it subscribed"},
        created=MS,
        last_sent=nullable({**MS, "description": "the last push the push service accepted"}),
    ),
}

PUSH_BODIES: dict[str, Schema] = {
    "push_subscription": obj(
        ["endpoint", "keys"],
        endpoint={
            **STR,
            "maxLength": ENDPOINT_MAX,
            "description": "the browser's push endpoint: https (http://127.0.0.1 only "
            "when the server allows it, for tests)",
        },
        keys=obj(
            ["p256dh", "auth"],
            p256dh={**STR, "maxLength": KEY_MAX, "description": "65-byte P-256 key, base64url"},
            auth={**STR, "maxLength": KEY_MAX, "description": "16-byte auth secret, base64url"},
        ),
        expirationTime=nullable({**MS, "description": "ignored"}),
        label={**STR, "maxLength": LABEL_MAX, "description": 'e.g. "Chrome on Android"'},
    ),
    "push_endpoint": obj(
        ["endpoint"], endpoint={**STR, "maxLength": ENDPOINT_MAX, "description": "this browser's"}
    ),
}


def _op(summary: str, answer: Schema | None, **kw: object) -> Schema:
    return operation(summary, "accounts", answer, **kw)  # type: ignore[arg-type]


PUSH_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/push/key": {
        "get": _op(
            "The server's VAPID public key, made on its first start and kept",
            ref("PushKey"),
            public=True,
        )
    },
    f"{V1}/me/push-subscriptions": {
        "get": _op(
            "The caller's devices that get push notifications", list_of("devices", "PushDevice")
        ),
        "post": _op(
            "Subscribe this browser (the JSON of its PushSubscription): the caller's "
            "notifications reach it while no page is open (see README). The same endpoint "
            "again replaces its subscription (and moves it to the caller). 400 "
            "`push_endpoint_invalid` (not https), `push_key_invalid`; 409 `push_devices_max`",
            ref("PushDevice"),
            status="201",
            body="push_subscription",
            errors="409",
        ),
        "delete": _op(
            "Unsubscribe this browser (by its endpoint)",
            None,
            status="204",
            body="push_endpoint",
            errors="404",
        ),
    },
    f"{V1}/me/push-subscriptions/{{id}}": {
        "delete": _op(
            "Forget one of the caller's devices (the settings list)",
            None,
            status="204",
            errors="404",
            params=(path_param("id", description="device id"),),
        )
    },
}
