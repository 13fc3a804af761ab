"""The OpenAPI paths and bodies of leaving for good: a user's export of their
own data and the deletion of their account (server/api/leaving.py)."""

from __future__ import annotations

from server.api.operations import V1, operation
from server.api.schemas import STR, Schema, obj
from store import EXPORT_KINDS, PASSWORD_MAX

_FILES = ", ".join(f"`{kind}.json`" for kind in EXPORT_KINDS)


def _export() -> Schema:
    op = operation(
        "The caller's own data as a ZIP of JSON files, streamed: `manifest.json` (the files, "
        "and what is not included yet, if anything), `profile.json` (id, "
        f"handle, name, created: no password, no session), then one array each: {_FILES}. "
        "Limited per user (429 `too_many_exports`)",
        "accounts",
        None,
    )
    op["responses"]["200"] = {
        "description": "the ZIP (`Content-Disposition: attachment`)",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
    }
    return op


LEAVING_BODIES: dict[str, Schema] = {
    "delete_account": obj(
        ["password"],
        password={**STR, "maxLength": PASSWORD_MAX, "description": "the caller's password"},
    ),
}

LEAVING_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/me/export": {"get": _export()},
    f"{V1}/me/delete": {
        "post": operation(
            "Delete the caller's account, confirmed by its password (a wrong one: 403 "
            "`password_wrong`, nothing changes). At once: every session ends (open sockets "
            "close), every membership ends (`member.left`; a circle whose only owner they "
            "were passes to its earliest admin, else member, or is deleted when no one else "
            "is in it), the handle is free again, name and password are gone (the name is "
            '`""`: clients show "deleted user"). Then, in the background, their messages '
            'become tombstones (`deleted`: "account"), their posts and comments are '
            "deleted, each pushed as the usual delete event",
            "accounts",
            None,
            "204",
            body="delete_account",
            errors="403",
        )
    },
}
