"""Reading what a client sends: JSON bodies, fields, query and path parameters.

Every failure is an ``ApiError`` naming the field, so bad input is a 400 and
never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import orjson
from starlette.requests import Request

from server.api.errors import ApiError
from store import ATTACHMENT_ID_MAX, ATTACHMENTS_PER_OWNER, NAME_QUERY_MAX

# A request body is a handful of fields; 64 KiB is far above any of them and
# keeps a client from making the server buffer megabytes. Every route reads its body
# through json_body, so this bounds them all; the one exception is the upload route
# (server/api/uploads.py), whose raw body streams to disk under the media limits.
BODY_MAX_BYTES = 64 * 1024
# Integers land in 32-bit columns on PostgreSQL; a larger one is bad input, not a 500.
INT_MAX = 2**31 - 1
# A page cursor (opaque, from the store) is at most this long.
CURSOR_MAX = 500
_DECIMAL = re.compile(r"-?[0-9]{1,18}")


def bad(message: str) -> ApiError:
    return ApiError("bad_request", message)


async def json_body(
    request: Request, max_bytes: int = BODY_MAX_BYTES, optional: bool = False
) -> dict[str, Any]:
    """The body as a JSON object. With ``optional``, an empty body is ``{}``.

    A body must say it is JSON: a form or ``text/plain`` is what a page of another
    site can send here without the browser asking first (a CORS "simple" request);
    refused with 415, the contract's ``bad_request`` in a more precise status."""
    raw = await _read_limited(request, max_bytes)
    if not raw.strip():
        if optional:
            return {}
        raise bad("a JSON object body is required")
    if not _is_json(request.headers.get("content-type", "")):
        raise ApiError(
            "bad_request", "the body must be sent as Content-Type: application/json", status=415
        )
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise bad("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad("the body must be a JSON object")
    return body


async def raw_body(request: Request, max_bytes: int) -> bytes:
    """The body's bytes as sent (a signed body is checked before it is parsed);
    ``too_big`` past ``max_bytes``."""
    return await _read_limited(request, max_bytes)


def _is_json(content_type: str) -> bool:
    return content_type.partition(";")[0].strip().lower() == "application/json"


async def _read_limited(request: Request, max_bytes: int) -> bytes:
    too_big = ApiError("too_big", f"the body is larger than {max_bytes} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)


def get_str(
    body: dict[str, Any],
    name: str,
    required: bool = False,
    max_len: int | None = None,
    choices: Collection[str] | None = None,
) -> str | None:
    value = _get(body, name, required)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad(f"{name} must be a string")
    if max_len is not None and len(value) > max_len:
        raise bad(f"{name} must be at most {max_len} characters")
    if choices is not None and value not in choices:
        raise bad(f"{name} must be one of {', '.join(sorted(choices))}")
    return value


def get_attachments(body: dict[str, Any]) -> list[str]:
    """``attachments``: ids of the circle's attachments (at most
    ``ATTACHMENTS_PER_OWNER``, distinct); none when absent or null."""
    value = body.get("attachments")
    if value is None:
        return []
    if (
        not isinstance(value, list)
        or len(value) > ATTACHMENTS_PER_OWNER
        or not all(isinstance(v, str) and 0 < len(v) <= ATTACHMENT_ID_MAX for v in value)
        or len(set(value)) != len(value)
    ):
        raise bad(
            f"attachments must be a list of at most {ATTACHMENTS_PER_OWNER} distinct attachment ids"
        )
    return value


def get_int(
    body: dict[str, Any],
    name: str,
    required: bool = False,
    minimum: int | None = None,
    maximum: int = INT_MAX,
) -> int | None:
    value = _get(body, name, required)
    if value is None:
        return None
    # bool is an int in Python, never in the contract.
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(f"{name} must be an integer")
    return _in_range(name, value, minimum, maximum)


def get_bool(body: dict[str, Any], name: str, required: bool = False) -> bool | None:
    value = _get(body, name, required)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise bad(f"{name} must be a boolean")
    return value


def _get(body: dict[str, Any], name: str, required: bool) -> Any:
    # No request field takes null: leave an optional one out instead. A null
    # that meant "clear it" or "unchanged" would otherwise pass silently.
    if name in body and body[name] is None:
        raise bad(f"{name} must not be null")
    value = body.get(name)
    if value is None and required:
        raise bad(f"{name} is required")
    return value


def query_int(
    request: Request,
    name: str,
    default: int | None = None,
    minimum: int | None = None,
    maximum: int = INT_MAX,
) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    return _in_range(name, _parse_int(name, raw), minimum, maximum)


def page(request: Request, default: int, maximum: int) -> tuple[str | None, int]:
    """A paginated list's ``?cursor=&limit=``: the cursor (None: the first page)
    and the page size (``default`` when absent, 1 to ``maximum``)."""
    cursor = query_str(request, "cursor", max_len=CURSOR_MAX)
    limit = query_int(request, "limit", default, minimum=1, maximum=maximum)
    return cursor, default if limit is None else limit


def query_bool(request: Request, name: str, default: bool = False) -> bool:
    """``true`` or ``false`` (as JSON spells them); absent is ``default``."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if raw not in ("true", "false"):
        raise bad(f"{name} must be true or false")
    return raw == "true"


def query_str(request: Request, name: str, max_len: int = 200) -> str | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if len(raw) > max_len:
        raise bad(f"{name} must be at most {max_len} characters")
    return raw


def name_query(request: Request) -> str | None:
    """``?q=``, the name search of a managers' list of people (store's
    ``lookups.called``), or None when absent or empty."""
    return query_str(request, "q", max_len=NAME_QUERY_MAX)


def path_int(request: Request, name: str, minimum: int | None = None) -> int:
    return _in_range(name, _parse_int(name, request.path_params[name]), minimum, INT_MAX)


def _parse_int(name: str, raw: str) -> int:
    # int() also takes "1_000", " 7" and non-ASCII digits; the contract means plain decimals.
    if not _DECIMAL.fullmatch(raw):
        raise bad(f"{name} must be an integer")
    return int(raw)


def _in_range(name: str, value: int, minimum: int | None, maximum: int | None) -> int:
    if minimum is not None and value < minimum:
        raise bad(f"{name} must be at least {minimum}")
    if maximum is not None and value > maximum:
        raise bad(f"{name} must be at most {maximum}")
    return value
