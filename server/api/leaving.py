"""Leaving for good: a user's export of their own data, and deleting their account.

``GET /me/export`` streams a ZIP of JSON files (``manifest.json``,
``profile.json``, then one array per kind of ``store.EXPORT_KINDS``), written
with ``zipfile`` into a small buffer that is handed on after each page of the
store: memory stays bounded however much the user wrote. Exports are limited
per user (``export_rate_per_min``, ``export_burst``).

``POST /me/delete`` with the password ends the account at once
(store/account_deletion.py): the sessions it ended close their sockets on every
node (``Node.token_revoked``), members see them leave live, and what they wrote
is erased in the background (housekeeping), each erasure pushed as the delete
event an admin's delete makes.
"""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterator, Iterable
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from server.api.auth import authenticate, node_of
from server.api.inputs import get_str, json_body
from server.api.responses import no_content
from server.api.throttle import throttle
from server.client_address import client_ip
from store import EXPORT_KINDS, PASSWORD_MAX, Record, Store, now_ms

PAGE = 500
# What the export does not hold yet, and why (the manifest says so).
NOT_YET = {
    "submissions": "this server has no homework yet: there are no submissions to export",
}


class _Sink:
    """A write-only file for ``zipfile`` (unseekable: it writes data descriptors)
    whose bytes are taken out as they come."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self._chunks = b"".join(self._chunks), []
        return out


def _json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2)


async def export(request: Request) -> Response:
    """GET /me/export: the caller's data as a ZIP of JSON files."""
    user, _ = await authenticate(request)
    node = node_of(request)
    await throttle(
        node.limits.exports, user["id"], "too many exports: try again later", "too_many_exports"
    )
    store = node.store
    # Before the answer starts: a refusal is still an error, not a broken ZIP.
    profile = await store.account_export.profile(user["id"])
    name = f"quanzi-{profile['handle']}-{now_ms()}.zip"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return StreamingResponse(_zip(store, profile), media_type="application/zip", headers=headers)


async def _zip(store: Store, profile: Record) -> AsyncIterator[bytes]:
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
        manifest = {
            "user": profile["id"],
            "exported": now_ms(),
            "files": ["profile.json", *(f"{kind}.json" for kind in EXPORT_KINDS)],
            "not_included": NOT_YET,
        }
        archive.writestr("manifest.json", _json(manifest))
        archive.writestr("profile.json", _json(profile))
        yield sink.take()
        for kind in EXPORT_KINDS:
            with archive.open(f"{kind}.json", "w") as out:
                out.write(b"[")
                first = True
                after = None
                while True:
                    rows, after = await store.account_export.page(kind, profile["id"], after, PAGE)
                    out.write(_items(rows, first))
                    first = first and not rows
                    yield sink.take()
                    if after is None:
                        break
                out.write(b"\n]\n")
    yield sink.take()


def _items(rows: Iterable[Record], first: bool) -> bytes:
    parts = []
    for row in rows:
        parts.append((b"\n" if first else b",\n") + orjson.dumps(row))
        first = False
    return b"".join(parts)


async def delete_account(request: Request) -> Response:
    """POST /me/delete {"password"}: the account ends now; 403 ``password_wrong``."""
    user, _ = await authenticate(request)
    body = await json_body(request)
    password = get_str(body, "password", required=True, max_len=PASSWORD_MAX)
    node = node_of(request)
    # A password check: limited as logins are, so a stolen token guesses nothing.
    await throttle(
        node.limits.logins, client_ip(request.scope), "too many attempts", "too_many_logins"
    )
    ended = await node.store.account_deletion.delete(user["id"], password)
    await node.token_revoked(*ended)
    return no_content()


routes = [
    Route("/me/export", export, methods=["GET"]),
    Route("/me/delete", delete_account, methods=["POST"]),
]

__all__ = ["routes"]
