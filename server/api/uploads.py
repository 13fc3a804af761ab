"""Uploads and downloads of attachments (README.md, "Media").

``POST /circles/{id}/uploads`` takes the file as the raw request body (any
``Content-Type``: the type is sniffed from the bytes), its name in the ``name``
query parameter or an ``X-File-Name`` header (UTF-8, percent-encoded). The body
streams to a spool file (server/media/intake.py): never whole in memory, hashed
on the way, refused with 413 the moment it passes its kind's limit or the
quotas. It is the one route whose body is not JSON and not bounded by
``inputs.BODY_MAX_BYTES``: it never calls ``json_body``.

``GET /attachments/{id}`` (and ``/thumb``) streams the blob to a member of its
circle (anyone else: 404, as for an id that does not exist), who is known by
the bearer token or by a media key in ``?key=`` (server/api/media_keys.py: what
``<img>`` and ``<video>`` tags can send), with Range (206) for seeking, an
ETag, ``Cache-Control`` private (a private circle) or public and immutable (a
public one); images, video and audio inline, anything else as a download, and
every answer sandboxed by its CSP.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse

from server.api.auth import authenticate, node_of
from server.api.errors import ApiError
from server.api.media_keys import media_reader
from server.api.responses import created, ok, route
from server.media import attach
from server.media.intake import Intake, Refused
from store import NotFound, Record, public_attachment

ID_MAX = 64
# What a downloaded blob may do when opened on its own: nothing (no script, no
# form, no plugin, its own opaque origin), on top of the app's policy.
MEDIA_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'"
INLINE_KINDS = frozenset({"image", "video", "audio"})
# The blob of an attachment never changes; who may read it can. A browser
# keeps a private circle's for an hour and never shares it with a proxy; a
# public circle's (anyone may join and read it) any cache keeps for a year.
CACHE_CONTROL = "private, max-age=3600"
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _id(request: Request, what: str) -> str:
    value = str(request.path_params["id"])
    if len(value) > ID_MAX:
        raise ApiError("not_found", f"no such {what}")
    return value


def view(attachment: Record) -> Record:
    """An attachment as clients see it: no blob keys, URLs instead (the store's
    ``public_attachment``: a message or post carries the same object)."""
    return public_attachment(attachment)


def refusal(refused: Refused) -> ApiError:
    # The error's `reason` (type_not_allowed, file_too_big, quota_exceeded, empty) is
    # what a client translates; the message says it in English for logs and curl.
    if refused.reason == "type_not_allowed":
        return ApiError(
            "bad_request", f"type_not_allowed: {refused}", status=415, reason=refused.reason
        )
    if refused.reason == "empty":
        return ApiError("bad_request", str(refused), reason="file_empty")
    return ApiError("too_big", f"{refused.reason}: {refused}", reason=refused.reason)


def _file_name(request: Request) -> str:
    name = request.query_params.get("name")
    if name is None:
        name = unquote(request.headers.get("x-file-name", ""), errors="replace")
    return name


def _declared(request: Request) -> int | None:
    value = request.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


async def upload(request: Request) -> Response:
    """POST /circles/{id}/uploads: store the body as an attachment of the circle."""
    user, _ = await authenticate(request)
    circle_id = _id(request, "circle")
    node = node_of(request)
    store, media = node.store, node.media
    await store.attachments.may_upload(circle_id, user["id"])
    name = _file_name(request)
    try:
        left = await attach.room(node, circle_id, user["id"])
    except Refused as refused:
        raise refusal(refused) from None
    intake = Intake(media.spool_file(), media.kind_limit, left, _declared(request))
    try:
        async for chunk in request.stream():
            await intake.feed(chunk)
        sha256 = await intake.finish()
        attachment, fresh = await attach.attach(
            node, circle_id, user["id"], name, intake.keep(), intake.kind, intake.mime, sha256
        )
        # The same bytes in the circle already: that attachment (200), nothing stored.
        return created(view(attachment)) if fresh else ok(view(attachment))
    except Refused as refused:
        raise refusal(refused) from None
    except ClientDisconnect:
        return Response(status_code=400)  # nobody is left to read it
    finally:
        intake.close()  # the spool file, unless attach took it


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """``[start, end)`` of a single ``bytes=`` range; None to send it all (no range,
    or several: RFC 9110 lets a server answer those whole). ``ApiError`` 416 when
    the range lies past the end."""
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None or (not match[1] and not match[2]):
        return None
    first, last = match[1], match[2]
    if not first:
        start, end = max(0, size - int(last)), size
    else:
        start = int(first)
        end = size if not last else min(size, int(last) + 1)
        if last and int(last) < start:
            return None
    if start >= size or end <= start:
        raise ApiError(
            "bad_request",
            "the range is past the end of the file",
            headers={"Content-Range": f"bytes */{size}"},
            status=416,
        )
    return start, end


def disposition(kind: str, name: str) -> str:
    """``inline`` or ``attachment``, with the name as ASCII and as RFC 5987 UTF-8."""
    how = "inline" if kind in INLINE_KINDS else "attachment"
    plain = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;%' else "_" for c in name)
    return f"{how}; filename=\"{plain or 'file'}\"; filename*=UTF-8''{quote(name, safe='')}"


async def download(request: Request) -> Response:
    """GET /attachments/{id}: the file."""
    return await _serve(request, thumb=False)


async def thumbnail(request: Request) -> Response:
    """GET /attachments/{id}/thumb: an image's thumbnail or a video's poster (WebP)."""
    return await _serve(request, thumb=True)


async def _serve(request: Request, thumb: bool) -> Response:
    user = await media_reader(request)
    node = node_of(request)
    attachment = await node.store.attachments.get(_id(request, "attachment"), user["id"])
    blobs = node.media.blobs
    if thumb:
        key = attachment["thumb_key"]
        size = None if key is None else await blobs.size(key)
        if key is None or size is None:
            raise NotFound("this attachment has no thumbnail")
        mime, etag = "image/webp", f'"{attachment["sha256"]}-thumb"'
        shown = disposition("image", Path(attachment["name"]).stem + ".webp")
    else:
        key, size = attachment["blob_key"], int(attachment["size"])
        mime, etag = attachment["mime"], f'"{attachment["sha256"]}"'
        shown = disposition(attachment["kind"], attachment["name"])
    headers = {
        "ETag": etag,
        "Cache-Control": (
            PUBLIC_CACHE_CONTROL if attachment["visibility"] == "public" else CACHE_CONTROL
        ),
        "Accept-Ranges": "bytes",
        "Content-Disposition": shown,
        "Content-Security-Policy": MEDIA_CSP,
    }
    if etag in _tags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    wanted = _range(request.headers.get("range"), size)
    if wanted is not None and request.headers.get("if-range", etag) != etag:
        wanted = None  # the client's copy is another version: send the whole file
    start, end = wanted or (0, size)
    status = 206 if wanted else 200
    headers["Content-Length"] = str(end - start)
    if wanted:
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=mime)
    return StreamingResponse(
        _chunks(blobs, key, start, end), status_code=status, headers=headers, media_type=mime
    )


async def _chunks(blobs: Any, key: str, start: int, end: int) -> Any:
    stream = blobs.open(key, start, end)
    try:
        async for chunk in stream:
            yield chunk
    finally:
        with contextlib.suppress(Exception):
            await stream.aclose()


def _tags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


routes = [
    route("/circles/{id}/uploads", post=upload),
    route("/attachments/{id}", get=download),
    route("/attachments/{id}/thumb", get=thumbnail),
]

__all__ = ["disposition", "refusal", "routes", "view"]
