"""The OpenAPI paths, records and bodies of webhooks, incoming webhooks and bots
(docs/webhooks.md)."""

from __future__ import annotations

from server.api.incoming_hooks import NONCE_MAX, TITLE_MAX
from server.api.operations import CIRCLE, V1, operation, path_param
from server.api.schemas import BOOL, INT, MS, STR, Schema, nullable, obj, ref
from store import WEBHOOK_EVENTS as EVENTS

_HOOK = path_param("hook_id", description="webhook id")
_BOT = path_param("bot_id", description="bot id")
_EVENTS = {"type": "array", "items": {"type": "string", "enum": list(EVENTS)}, "minItems": 1}
_WEBHOOK_FIELDS: dict[str, Schema] = {
    "id": STR,
    "circle": STR,
    "url": STR,
    "events": _EVENTS,
    "created": MS,
    "failures": {**INT, "description": "failed tries in a row"},
    "enabled": BOOL,
    "disabled": nullable({**MS, "description": "when it was disabled"}),
}
_INCOMING_FIELDS: dict[str, Schema] = {
    "id": STR,
    "circle": STR,
    "name": {**STR, "description": "the name it posts under"},
    "bot": {**STR, "description": "the user id it posts as (a bot)"},
    "target": {"type": "string", "enum": ["chat", "feed"]},
    "created": MS,
}


def _op(summary: str, tag: str, answer: Schema | None, status: str = "200", **kw: object) -> Schema:
    return operation(summary, tag, answer, status, **kw)  # type: ignore[arg-type]


HOOK_SCHEMAS: dict[str, Schema] = {
    "Webhook": obj(list(_WEBHOOK_FIELDS), **_WEBHOOK_FIELDS),
    "NewWebhook": obj(
        [*_WEBHOOK_FIELDS, "secret"],
        **_WEBHOOK_FIELDS,
        secret={**STR, "description": "what deliveries are signed with: shown this once"},
    ),
    "WebhookDelivery": obj(
        ["id", "event", "state", "created", "attempts", "status", "error", "done", "next_at"],
        id={**STR, "description": "the delivery's id (the Quanzi-Delivery header)"},
        event=STR,
        state={"type": "string", "enum": ["pending", "delivered", "failed"]},
        created=MS,
        attempts=INT,
        status=nullable({**INT, "description": "the receiver's last HTTP status"}),
        error=nullable(STR),
        done=nullable(MS),
        next_at=nullable({**MS, "description": "a pending one: its next try"}),
    ),
    "IncomingHook": obj(list(_INCOMING_FIELDS), **_INCOMING_FIELDS),
    "NewIncomingHook": obj(
        [*_INCOMING_FIELDS, "url"],
        **_INCOMING_FIELDS,
        url={**STR, "description": "the secret URL to POST to: shown this once"},
    ),
    "Bot": obj(
        ["id", "name", "bot", "created", "circles", "has_token"],
        id=STR,
        name=STR,
        bot=BOOL,
        created=MS,
        circles={
            "type": "array",
            "items": obj(["id", "name", "member"], id=STR, name=STR, member=BOOL),
            "description": "its scope: the circles it may be added to, and whether it is in",
        },
        has_token={**BOOL, "description": "whether it has a live token"},
    ),
}

HOOK_BODIES: dict[str, Schema] = {
    "create_webhook": obj(
        ["url", "events"],
        url={**STR, "description": "https, to a public address"},
        events=_EVENTS,
    ),
    "update_webhook": obj(
        [],
        url=STR,
        events=_EVENTS,
        enabled={**BOOL, "description": "true re-enables it (failures forgotten)"},
    ),
    "create_incoming_hook": obj(
        ["name"],
        name={**STR, "maxLength": 64},
        target={"type": "string", "enum": ["chat", "feed"], "default": "chat"},
    ),
    "post_through_hook": obj(
        ["text"],
        text=STR,
        title={**STR, "maxLength": TITLE_MAX, "description": "feed only: the post's first line"},
        nonce={
            **STR,
            "maxLength": NONCE_MAX,
            "description": "chat only: a resend with the same nonce stores nothing new",
        },
    ),
    "create_bot": obj(["name"], name={**STR, "maxLength": 64}),
    "bot_scope": obj(
        ["circles"], circles={"type": "array", "items": STR, "description": "circle ids"}
    ),
    "add_bot": obj(["bot"], bot={**STR, "description": "the bot's id"}),
}

_WEBHOOKS = f"{V1}/circles/{{id}}/webhooks"
_INCOMING = f"{V1}/circles/{{id}}/incoming-hooks"

HOOK_PATHS: dict[str, Schema] = {
    _WEBHOOKS: {
        "get": _op(
            "The circle's outgoing webhooks (owners and admins)",
            "webhooks",
            obj(["webhooks"], webhooks={"type": "array", "items": ref("Webhook")}),
            errors="403 404",
            params=(CIRCLE,),
        ),
        "post": _op(
            "Create an outgoing webhook (owners and admins); its secret is in this answer only",
            "webhooks",
            ref("NewWebhook"),
            "201",
            body="create_webhook",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{_WEBHOOKS}/{{hook_id}}": {
        "patch": _op(
            "Change a webhook's URL or events, disable or re-enable it",
            "webhooks",
            ref("Webhook"),
            body="update_webhook",
            errors="403 404",
            params=(CIRCLE, _HOOK),
        ),
        "delete": _op(
            "Delete a webhook and its delivery log",
            "webhooks",
            None,
            "204",
            errors="403 404",
            params=(CIRCLE, _HOOK),
        ),
    },
    f"{_WEBHOOKS}/{{hook_id}}/secret": {
        "post": _op(
            "A new secret (shown this once); the old one stops signing at once",
            "webhooks",
            obj(["secret"], secret=STR),
            errors="403 404",
            params=(CIRCLE, _HOOK),
        ),
    },
    f"{_WEBHOOKS}/{{hook_id}}/deliveries": {
        "get": _op(
            "The webhook's last 50 deliveries, newest first",
            "webhooks",
            obj(["deliveries"], deliveries={"type": "array", "items": ref("WebhookDelivery")}),
            errors="403 404",
            params=(CIRCLE, _HOOK),
        ),
    },
    _INCOMING: {
        "get": _op(
            "The circle's incoming webhooks (owners and admins)",
            "webhooks",
            obj(["hooks"], hooks={"type": "array", "items": ref("IncomingHook")}),
            errors="403 404",
            params=(CIRCLE,),
        ),
        "post": _op(
            "Create an incoming webhook posting to the chat or the feed as a bot of its own "
            "(owners and admins); its URL is in this answer only",
            "webhooks",
            ref("NewIncomingHook"),
            "201",
            body="create_incoming_hook",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
    f"{_INCOMING}/{{hook_id}}": {
        "delete": _op(
            "Revoke an incoming webhook: its URL stops working, its bot leaves the circle",
            "webhooks",
            None,
            "204",
            errors="403 404",
            params=(CIRCLE, _HOOK),
        ),
    },
    f"{_INCOMING}/{{hook_id}}/token": {
        "post": _op(
            "A new URL for the hook; the old one stops working at once",
            "webhooks",
            obj(["url"], url=STR),
            errors="403 404",
            params=(CIRCLE, _HOOK),
        ),
    },
    f"{V1}/hooks/{{token}}": {
        "post": _op(
            "Post through an incoming webhook (no session: the URL is the secret): a chat "
            "message or a feed post, as the hook's bot; rate limited per hook",
            "webhooks",
            obj([], seq=INT, ts=MS, post={**STR, "description": "feed: the post's id"}),
            "201",
            body="post_through_hook",
            errors="404",
            params=(path_param("token", description="the hook URL's secret"),),
            public=True,
        ),
    },
    f"{V1}/me/bots": {
        "get": _op(
            "My bots",
            "bots",
            obj(["bots"], bots={"type": "array", "items": ref("Bot")}),
        ),
        "post": _op(
            "Create a bot; its token (Bearer, and /ws hello) is in this answer only",
            "bots",
            {"allOf": [ref("Bot"), obj(["token"], token=STR)]},
            "201",
            body="create_bot",
            errors="403",
        ),
    },
    f"{V1}/me/bots/{{bot_id}}/circles": {
        "put": _op(
            "The circles my bot may be added to; it leaves those taken out",
            "bots",
            ref("Bot"),
            body="bot_scope",
            errors="404",
            params=(_BOT,),
        ),
    },
    f"{V1}/me/bots/{{bot_id}}/token": {
        "post": _op(
            "A new token for my bot; the old one ends (its sockets close with 4001)",
            "bots",
            obj(["token"], token=STR),
            errors="404",
            params=(_BOT,),
        ),
        "delete": _op("End my bot's token", "bots", None, "204", errors="404", params=(_BOT,)),
    },
    f"{V1}/circles/{{id}}/bots": {
        "post": _op(
            "Add a bot whose owner let it into this circle (owners and admins)",
            "bots",
            ref("Member"),
            body="add_bot",
            errors="403 404",
            params=(CIRCLE,),
        ),
    },
}
