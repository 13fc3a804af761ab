"""The OpenAPI paths and records of uploads and attachments (README.md, "Media")."""

from __future__ import annotations

from server.api.operations import (
    CIRCLE,
    V1,
    json_content,
    list_of,
    operation,
    path_param,
    query_param,
)
from server.api.schemas import INT, MS, STR, Schema, nullable, obj, ref
from store import ATTACHMENT_KINDS, ATTACHMENTS_LIST_DEFAULT, ATTACHMENTS_LIST_MAX

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
        duration_ms=nullable({**INT, "description": "a video's or audio file's, when read"}),
        created=MS,
        url={**STR, "description": "GET it with the bearer token or `?key=` (a media key)"},
        thumb_url=nullable(
            {**STR, "description": "an image's thumbnail or a video's poster (WebP, 480 px)"}
        ),
    ),
    "ListedAttachment": {
        "allOf": [
            ref("Attachment"),
            obj(
                ["uploader_name"],
                uploader_name={**STR, "description": "the uploader's display name in the circle"},
            ),
        ]
    },
    "MediaKey": obj(
        ["key", "expires", "renew"],
        key={**STR, "description": "append as `?key=` to attachment and thumbnail URLs"},
        expires={**MS, "description": "when the key stops working"},
        renew={**MS, "description": "when to fetch the next one (the key then changes)"},
    ),
    "TusUpload": obj(
        ["id", "offset", "length", "name", "expires", "attachment"],
        id=STR,
        offset={**INT, "description": "bytes received (as Upload-Offset)"},
        length={**INT, "description": "bytes declared at creation (Upload-Length)"},
        name={**STR, "description": "from Upload-Metadata's filename (or name)"},
        expires=nullable({**MS, "description": "when an unfinished upload is removed"}),
        attachment={"anyOf": [ref("Attachment"), {"type": "null"}]},
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
    # What <img> and <video> can send: the key in the URL instead of the token.
    op["security"] = [{"bearer": []}, {"media_key": []}]
    op["responses"]["401"] = {
        "description": "unauthenticated: no or a bad token; a media key expired "
        "(media_key_expired) or not valid (media_key_invalid: forged, its session ended)",
        **json_content(ref("Error")),
    }
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


_TUS_ID = path_param("upload_id", description="the upload's id (the end of its Location)")


def _header(name: str, schema: Schema, text: str, required: bool = False) -> Schema:
    return {"name": name, "in": "header", "required": required, "schema": schema} | (
        {"description": text}
    )


# Documented as optional text, though tus requires "1.0.0": its answer to a missing
# or other version is 412, which generic API checkers do not expect of a schema
# violation.
_VERSION = _header("Tus-Resumable", STR, "send 1.0.0 (tus); without it, or another: 412")
_DIGITS: Schema = {"type": "string", "pattern": "^[0-9]{1,18}$"}
_TUS_ERRORS = {
    "410": "not_found (upload_expired): the upload was not continued in time",
    "412": "bad_request (tus_version): no or another Tus-Resumable (Tus-Version says which)",
    "423": "conflict (upload_busy): another request is writing this upload; try again",
}


def _tus(summary: str, answer: Schema | None, status: str, errors: str, *params: Schema) -> Schema:
    extra = [s for s in errors.split() if s in _TUS_ERRORS]
    op = operation(
        summary,
        "media",
        answer,
        status,
        errors=" ".join(s for s in errors.split() if s not in _TUS_ERRORS),
        params=(CIRCLE, *params),
    )
    for code in extra:
        op["responses"][code] = {"description": _TUS_ERRORS[code], **json_content(ref("Error"))}
    if answer is None:
        op["responses"][status] = {"description": "success"}
    return op


_TUS_OPTIONS = operation(
    "tus: the version (Tus-Version), extensions (Tus-Extension: creation, termination, "
    "expiration) and largest upload (Tus-Max-Size) this server takes",
    "media",
    None,
    "204",
    params=(CIRCLE,),
    public=True,
)
_TUS_OPTIONS["responses"]["204"] = {"description": "the headers say it all"}
_TUS_CREATE = _tus(
    "tus creation: a resumable upload of Upload-Length bytes (members); 201 with its "
    "Location and Upload-Expires. 413 too_big when the length passes the largest kind's "
    "limit (file_too_big) or the quotas (quota_exceeded); the kind's own limit is checked "
    "once the first bytes show the kind",
    None,
    "201",
    "403 404 412 413",
    _VERSION,
    _header("Upload-Length", _DIGITS, "the file's size in bytes", required=True),
    _header(
        "Upload-Metadata",
        STR,
        "comma-separated `key base64(value)` pairs: filename (or name), filetype",
    ),
)
_TUS_PATCH = _tus(
    "tus: append the body at Upload-Offset; 204 with the new Upload-Offset, and with "
    "Quanzi-Attachment (the attachment's id) when that was the last byte. 409 conflict "
    "(upload_offset_mismatch) when the offset is not the upload's (its Upload-Offset "
    "says where it is); 413/415 as for POST /uploads once the first bytes are judged",
    None,
    "204",
    "403 404 409 410 412 413 415 423",
    _VERSION,
    _header("Upload-Offset", _DIGITS, "where this body starts", required=True),
)
_TUS_PATCH["parameters"].insert(1, _TUS_ID)
_TUS_PATCH["requestBody"] = {
    "required": True,
    "content": {
        "application/offset+octet-stream": {"schema": {"type": "string", "format": "binary"}}
    },
}
_TUS_STATUS = _tus(
    "Where a resumable upload stands (its creator; anyone else: 404), and its attachment "
    "once complete. HEAD (tus, with Tus-Resumable) answers the same as headers: "
    "Upload-Offset, Upload-Length, Upload-Expires or Quanzi-Attachment",
    ref("TusUpload"),
    "200",
    "403 404 410",
    _TUS_ID,
)
_TUS_DELETE = _tus(
    "tus termination: drop the upload and its bytes (an attachment it became stays)",
    None,
    "204",
    "403 404 410 412 423",
    _TUS_ID,
    _VERSION,
)

_MEDIA_KEY = operation(
    "A media key of the caller's session: a read-only credential for attachment URLs "
    "(`?key=`), for tags that cannot send the token (<img>, <video>). The same key for "
    "the whole of a window (half QUANZI_MEDIA_KEY_TTL_S), so URLs stay cacheable; it "
    "ends with the session. It authenticates nothing but attachment downloads",
    "media",
    ref("MediaKey"),
)

_MATERIALS = operation(
    "The circle's files (members): its attachments, newest first, of one kind if asked; "
    "pages of `limit`, the next asked with `cursor` (the answer's `next`; null: the last)",
    "media",
    list_of("attachments", "ListedAttachment", next=nullable(STR)),
    errors="403 404",
    params=(
        CIRCLE,
        query_param("kind", {**STR, "enum": list(ATTACHMENT_KINDS)}, "only files of this kind"),
        query_param("cursor", STR, "the `next` of the previous page"),
        query_param(
            "limit",
            {
                **INT,
                "minimum": 1,
                "maximum": ATTACHMENTS_LIST_MAX,
                "default": ATTACHMENTS_LIST_DEFAULT,
            },
            "page size",
        ),
    ),
)

UPLOAD_PATHS: dict[str, dict[str, Schema]] = {
    f"{V1}/circles/{{id}}/attachments": {"get": _MATERIALS},
    f"{V1}/media/key": {"get": _MEDIA_KEY},
    f"{V1}/circles/{{id}}/uploads": {"post": _UPLOAD},
    f"{V1}/circles/{{id}}/uploads/tus": {"post": _TUS_CREATE, "options": _TUS_OPTIONS},
    f"{V1}/circles/{{id}}/uploads/tus/{{upload_id}}": {
        "get": _TUS_STATUS,
        "patch": _TUS_PATCH,
        "delete": _TUS_DELETE,
    },
    f"{V1}/attachments/{{id}}": {
        "get": _download(
            "The file (members of its circle; anyone else: 404), streamed, with Range "
            "requests (206) for seeking"
        )
    },
    f"{V1}/attachments/{{id}}/thumb": {
        "get": _download(
            "An image's thumbnail or a video's poster (WebP, at most 480 px a side); 404 if none"
        )
    },
}

__all__ = ["UPLOAD_PATHS", "UPLOAD_SCHEMAS"]
