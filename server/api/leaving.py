"""Leaving for good: a user's export of their own data, and deleting their account.

``GET /me/export`` streams a ZIP of JSON files (``manifest.json``,
``profile.json``, then one array per kind of ``store.EXPORT_KINDS``), written
as it goes (server/api/zips.py): memory stays bounded however much the user
wrote. Exports are limited per user (``export_rate_per_min``, ``export_burst``).

``POST /me/delete`` with the password ends the account at once
(store/account_deletion.py): the sessions it ended close their sockets on every
node (``Node.token_revoked``), members see them leave live, and what they wrote
is erased in the background (housekeeping), each erasure pushed as the delete
event an admin's delete makes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from server.api.auth import authenticate, node_of
from server.api.inputs import get_str, json_body
from server.api.responses import no_content
from server.api.throttle import throttle
from server.api.zips import ZipStream, json_array, json_bytes
from server.client_address import client_ip
from store import EXPORT_KINDS, PASSWORD_MAX, Record, Store, now_ms

PAGE = 500
# What the export does not hold yet, and why (the manifest says so).
NOT_YET: dict[str, str] = {}


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
    archive = ZipStream()
    manifest = {
        "user": profile["id"],
        "exported": now_ms(),
        "files": ["profile.json", *(f"{kind}.json" for kind in EXPORT_KINDS)],
        "not_included": NOT_YET,
    }
    archive.write("manifest.json", json_bytes(manifest))
    archive.write("profile.json", json_bytes(profile))
    yield archive.take()
    for kind in EXPORT_KINDS:
        async for ready in json_array(archive, f"{kind}.json", _pages(store, kind, profile["id"])):
            yield ready
    yield archive.close()


async def _pages(store: Store, kind: str, user_id: str) -> AsyncIterator[list[Record]]:
    after = None
    while True:
        rows, after = await store.account_export.page(kind, user_id, after, PAGE)
        yield rows
        if after is None:
            return


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
