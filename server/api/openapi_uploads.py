"""The OpenAPI paths and records of uploads and attachments (README.md, "Media")."""

from __future__ import annotations

from server.api.operations import CIRCLE, V1, json_content, operation, path_param, query_param
from server.api.schemas import INT, MS, STR, Schema, nullable, obj, ref
from store import ATTACHMENT_KINDS

_ATTACHMENT = path_param("id", description="attachment id")
_ANSWER = json_content(ref("Attachment"))

UPLOAD_SCHEMAS: dict[str, Schema] = {
    "Attachment": obj(
        [
            "id",
            "circle",
            "uploader",
            "kind",
            "name",
            "size",
            "mime",
            "sha256",
            "width",
            "height",
            "duration_ms",
            "created",
            "url",
            "thumb_url",
        ],
        id=STR,
        circle=STR,
        uploader={**STR, "description": "user id of who uploaded it first"},
        kind={**STR, "enum": list(ATTACHMENT_KINDS)},
        name={**STR, "description": "the file name, without any path"},
        size={**INT, "description": "bytes served (an image's, after EXIF was removed)"},
        mime={**STR, "description": "sniffed from the bytes, never from the name"},
        sha256={**STR, "description": "SHA-256 of the bytes as uploaded (hex)"},
        width=nullable({**INT, "description": "pixels, upright, when known"}),
        height=nullable(INT),
        duration_ms=nullable({**INT, "description": "not read yet: always null"}),
        created=MS,
        url={**STR, "description": "GET it with the bearer token"},
        thumb_url=nullable({**STR, "description": "an image's thumbnail (WebP, 480 px)"}),
    ),
}

_UPLOAD = operation(
    "Upload a file to the circle (members): the raw body, any Content-Type (the type "
    "is sniffed from the bytes); 201 a new attachment, 200 the circle's attachment of "
    "the same bytes (stored once). 413 too_big as soon as the body passes its kind's "
    "limit (file_too_big) or the quotas (quota_exceeded); 415 (bad_request) for a type "
    "not accepted (type_not_allowed): programs, web pages, SVG, anything unrecognised",
    "media",
    ref("Attachment"),
    "201",
    errors="403 404",
    params=(
        CIRCLE,
        query_param(
            "name", {**STR, "maxLength": 1000}, "the file's name (shown, offered on download)"
        ),
        {
            "name": "X-File-Name",
            "in": "header",
            "required": False,
            "schema": STR,
            "description": "the name, percent-encoded UTF-8, when no `name` query is sent",
        },
    ),
)
_UPLOAD["requestBody"] = {
    "required": True,
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}
_UPLOAD["responses"]["200"] = {"description": "the same bytes are in the circle already"} | (
    _ANSWER
)
_UPLOAD["responses"]["413"] = {
    "description": "too_big: the file passes its kind's limit or the quotas",
    **json_content(ref("Error")),
}
_UPLOAD["responses"]["415"] = {
    "description": "bad_request: a type of file that is not accepted",
    **json_content(ref("Error")),
}

_BLOB: Schema = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
_BLOB_HEADERS = {
    name: {"description": text, "schema": STR}
    for name, text in (
        ("ETag", "the content's hash"),
        ("Content-Disposition", "inline (image, video, audio) or attachment, with the name"),
    )
}


def _download(summary: str) -> Schema:
    op = operation(summary, "media", None, errors="403 404", params=(_ATTACHMENT,))
    op["responses"]["200"] = {"description": "the file", "content": _BLOB, "headers": _BLOB_HEADERS}
    op["responses"]["206"] = {"description": "the `Range` asked for", "content": _BLOB}
    op["responses"]["304"] = {"description": "`If-None-Match` names the current ETag"}
    op["responses"]["416"] = {
        "description": "bad_request: the range is past the end (Content-Range: bytes */size)",
        **json_content(ref("Error")),
    }
    op["parameters"] = [
        _ATTACHMENT,
        {"name": "Range", "in": "header", "required": False, "schema": STR},
    ]
    return op


UPLOAD_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/circles/{{id}}/uploads": {"post": _UPLOAD},
    f"{V1}/attachments/{{id}}": {
        "get": _download(
            "The file (members of its circle; anyone else: 404), streamed, with Range "
            "requests (206) for seeking"
        )
    },
    f"{V1}/attachments/{{id}}/thumb": {
        "get": _download("An image's thumbnail (WebP, at most 480 px a side); 404 if none")
    },
}

__all__ = ["UPLOAD_PATHS", "UPLOAD_SCHEMAS"]
