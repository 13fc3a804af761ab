"""Resumable uploads with the tus 1.0 protocol (https://tus.io/protocols/resumable-upload):
the core, and the creation, termination and expiration extensions (README.md, "Media").

``/circles/{id}/uploads/tus``: OPTIONS says what the server supports, POST creates
an upload (``Upload-Length``, ``Upload-Metadata`` with ``filename``/``name`` and
``filetype``), answering 201 and its ``Location``. ``…/tus/{upload_id}``: HEAD
answers ``Upload-Offset``, PATCH (``application/offset+octet-stream``) appends
from ``Upload-Offset``, DELETE ends it; GET (not tus) says where it stands as
JSON. Each request is authenticated (Bearer), an upload is its creator's alone
(anyone else: 404), and the right to upload to the circle is checked at
creation and on every HEAD, PATCH and GET.

The bytes are judged as those of a whole upload are (server/media/intake.py):
the declared length against the largest kind's limit and the quotas at
creation, against the sniffed kind's limit once the first bytes are in. The
last byte makes the file an attachment by the same road as POST /uploads
(server/media/attach.py); the final PATCH says its id in ``Quanzi-Attachment``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import math
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from server.api.auth import authenticate, node_of
from server.api.errors import STATUS, ApiError
from server.api.responses import JSONResponse, route
from server.api.uploads import refusal, view
from server.media import attach
from server.media.intake import Refused, judge
from server.media.resumable import TooLong, Upload
from store import Record, StoreError, clean_name, now_ms

VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration"
OCTETS = "application/offset+octet-stream"
ATTACHMENT_HEADER = "Quanzi-Attachment"
PREFIX = "/api/v1"
ID_MAX = 64
# Upload-Metadata is a header: a few names and types, never kilobytes.
METADATA_MAX = 4096

Handler = Callable[[Request], Awaitable[Response]]


def _tus(handler: Handler) -> Handler:
    """Every answer, refusals included, carries ``Tus-Resumable``."""

    async def answer(request: Request) -> Response:
        try:
            response = await handler(request)
        except ApiError as error:
            error.headers["Tus-Resumable"] = VERSION
            raise
        except StoreError as error:
            raise _api_error(error) from None
        response.headers["Tus-Resumable"] = VERSION
        return response

    answer.__name__ = handler.__name__
    return answer


def _api_error(error: StoreError) -> ApiError:
    headers = {"Tus-Resumable": VERSION}
    if error.code == "unauthenticated":
        headers["WWW-Authenticate"] = "Bearer"
    if error.code == "rate_limited":
        headers["Retry-After"] = str(max(1, math.ceil(getattr(error, "retry_after", 1.0))))
    return ApiError(
        error.code if error.code in STATUS else "internal",
        str(error) or error.code.replace("_", " "),
        headers=headers,
        reason=getattr(error, "reason", None),
        params=getattr(error, "params", None),
    )


def _version(request: Request) -> None:
    if request.headers.get("tus-resumable") != VERSION:
        raise ApiError(
            "bad_request",
            f"send Tus-Resumable: {VERSION}",
            headers={"Tus-Version": VERSION},
            status=412,
            reason="tus_version",
        )


def _number(request: Request, header: str) -> int:
    value = request.headers.get(header, "")
    if not value.isdigit() or len(value) > 18:
        raise ApiError("bad_request", f"{header} must be a whole number of bytes")
    return int(value)


def _metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64value`` pairs (a value may be absent)."""
    if len(header) > METADATA_MAX:
        raise ApiError("bad_request", "Upload-Metadata is too long")
    pairs: dict[str, str] = {}
    for item in header.split(","):
        parts = item.strip().split(" ")
        if not parts[0] or len(parts) > 2:
            if item.strip():
                raise ApiError("bad_request", "Upload-Metadata is not key base64value pairs")
            continue
        try:
            raw = base64.b64decode(parts[1], validate=True) if len(parts) == 2 else b""
        except (binascii.Error, ValueError):
            raise ApiError("bad_request", "Upload-Metadata values are base64") from None
        pairs[parts[0]] = raw.decode("utf-8", errors="replace")
    return pairs


def _location(upload: Upload) -> str:
    return f"{PREFIX}/circles/{upload.circle}/uploads/tus/{upload.id}"


def _http_date(ms: int) -> str:
    return formatdate(ms / 1000, usegmt=True)


async def _mine(request: Request) -> tuple[Upload, str]:
    """The caller's upload named in the path, after checking they may still upload
    to its circle; ``upload_expired`` (410) past its time."""
    user, _ = await authenticate(request)
    node = node_of(request)
    circle_id = str(request.path_params["id"])
    upload_id = str(request.path_params["upload_id"])
    upload = None
    if len(upload_id) <= ID_MAX:
        upload = await node.media.resumable.load(upload_id)
    if upload is None or upload.owner != user["id"] or upload.circle != circle_id:
        raise ApiError("not_found", "no such upload")
    await node.store.attachments.may_upload(circle_id, user["id"])
    if upload.attachment is None and node.media.resumable.expires(upload) < now_ms():
        raise ApiError("not_found", "this upload has expired", status=410, reason="upload_expired")
    return upload, user["id"]


async def _where(request: Request, upload: Upload) -> dict[str, str]:
    resumable = node_of(request).media.resumable
    headers = {
        "Upload-Offset": str(await resumable.offset(upload)),
        "Upload-Length": str(upload.length),
        "Cache-Control": "no-store",
    }
    if upload.attachment is None:
        headers["Upload-Expires"] = _http_date(resumable.expires(upload))
    else:
        headers[ATTACHMENT_HEADER] = upload.attachment
    return headers


@_tus
async def options(request: Request) -> Response:
    """OPTIONS …/uploads/tus: the protocol's version, extensions and largest size."""
    media = node_of(request).media
    largest = max(media.kind_limit(kind) for kind in ("image", "video", "audio", "file"))
    headers = {"Tus-Version": VERSION, "Tus-Extension": EXTENSIONS, "Tus-Max-Size": str(largest)}
    return Response(status_code=204, headers=headers)


@_tus
async def create(request: Request) -> Response:
    """POST …/uploads/tus: a new upload of ``Upload-Length`` bytes."""
    # A malformed request is 400 whatever its version; then the version (412).
    if "upload-defer-length" in request.headers:
        raise ApiError("bad_request", "send Upload-Length (creation-defer-length is not supported)")
    length = _number(request, "upload-length")
    metadata = _metadata(request.headers.get("upload-metadata", ""))
    _version(request)
    user, _ = await authenticate(request)
    node = node_of(request)
    media, settings = node.media, node.settings
    circle_id = str(request.path_params["id"])
    if len(circle_id) > ID_MAX:
        raise ApiError("not_found", "no such circle")
    await node.store.attachments.may_upload(circle_id, user["id"])
    if length == 0:
        raise ApiError("bad_request", "the file is empty", reason="file_empty")
    largest = max(media.kind_limit(kind) for kind in ("image", "video", "audio", "file"))
    try:
        if length > largest:
            raise Refused("file_too_big", f"a file may be at most {largest} bytes")
        if length > await attach.room(node, circle_id, user["id"]):
            raise Refused("quota_exceeded", "the circle's or your storage quota is used up")
    except Refused as refused:
        raise refusal(refused) from None
    if await media.resumable.open_by(user["id"]) >= settings.upload_open_max:
        raise ApiError(
            "rate_limited",
            f"at most {settings.upload_open_max} unfinished uploads at once",
            headers={"Retry-After": "60"},
            reason="uploads_open",
            params={"max": settings.upload_open_max},
        )
    name = clean_name(metadata.get("filename") or metadata.get("name") or "")
    upload = await media.resumable.create(
        user["id"], circle_id, length, name, metadata.get("filetype", "")[:100]
    )
    headers = {
        "Location": _location(upload),
        "Upload-Expires": _http_date(media.resumable.expires(upload)),
    }
    return Response(status_code=201, headers=headers)


@_tus
async def status(request: Request) -> Response:
    """HEAD (tus) or GET (JSON) …/uploads/tus/{upload_id}: where the upload stands."""
    if request.method == "HEAD":
        _version(request)
    upload, user_id = await _mine(request)
    headers = await _where(request, upload)
    if request.method == "HEAD":
        return Response(status_code=200, headers=headers)
    node = node_of(request)
    attachment = None
    if upload.attachment is not None:
        with contextlib.suppress(StoreError):
            attachment = view(await node.store.attachments.get(upload.attachment, user_id))
    body = {
        "id": upload.id,
        "offset": int(headers["Upload-Offset"]),
        "length": upload.length,
        "name": upload.name,
        "expires": None if upload.attachment else node.media.resumable.expires(upload),
        "attachment": attachment,
    }
    return JSONResponse(body, headers=headers)


@_tus
async def append(request: Request) -> Response:
    """PATCH …/uploads/tus/{upload_id}: the body goes on at ``Upload-Offset``."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != OCTETS:
        raise ApiError("bad_request", f"send Content-Type: {OCTETS}", status=415)
    offset = _number(request, "upload-offset")
    _version(request)
    upload, user_id = await _mine(request)
    node = node_of(request)
    resumable = node.media.resumable
    if upload.id in resumable.busy:
        raise ApiError(
            "conflict", "another request is writing this upload", status=423, reason="upload_busy"
        )
    resumable.busy.add(upload.id)  # before any await: one writer per upload
    try:
        current = await resumable.offset(upload)
        if upload.attachment is not None or offset != current:
            raise ApiError(
                "conflict",
                f"the upload is at offset {current}",
                headers={"Upload-Offset": str(current)},
                reason="upload_offset_mismatch",
            )
        return await _append(request, node, upload, user_id)
    finally:
        resumable.busy.discard(upload.id)


async def _append(request: Request, node: Any, upload: Upload, user_id: str) -> Response:
    resumable = node.media.resumable

    async def on_head(head: bytes) -> None:
        left = await attach.room(node, upload.circle, user_id)
        upload.kind, upload.mime = judge(head, node.media.kind_limit, left, upload.length)
        await resumable.save(upload)

    try:
        try:
            offset = await resumable.append(upload, request.stream(), on_head)
        finally:
            upload.updated = now_ms()
            if await resumable.load(upload.id) is not None:
                await resumable.save(upload)
        if offset == upload.length:
            attachment = await _finish(node, upload, user_id)
            upload.attachment = attachment["id"]
            await resumable.save(upload)
    except Refused as refused:
        await resumable.remove(upload.id)  # nothing more of it can be taken
        raise refusal(refused) from None
    except TooLong:
        raise ApiError("bad_request", "the body goes past Upload-Length") from None
    except ClientDisconnect:
        return Response(status_code=400)  # what arrived is kept; nobody reads this
    return Response(status_code=204, headers=await _where(request, upload))


async def _finish(node: Any, upload: Upload, user_id: str) -> Record:
    resumable = node.media.resumable
    path = resumable.part(upload.id)
    sha256 = await attach.sha256_of(path)
    attachment, _ = await attach.attach(
        node, upload.circle, user_id, upload.name, path, upload.kind, upload.mime, sha256
    )
    return attachment


@_tus
async def terminate(request: Request) -> Response:
    """DELETE …/uploads/tus/{upload_id}: drop the upload and its bytes (an attachment
    it became stays)."""
    _version(request)
    upload, _ = await _mine(request)
    resumable = node_of(request).media.resumable
    if upload.id in resumable.busy:
        raise ApiError(
            "conflict", "another request is writing this upload", status=423, reason="upload_busy"
        )
    await resumable.remove(upload.id)
    return Response(status_code=204)


routes = [
    route("/circles/{id}/uploads/tus", post=create, options=options),
    route("/circles/{id}/uploads/tus/{upload_id}", get=status, patch=append, delete=terminate),
]

__all__ = ["routes"]
