"""The HTTP edge of every error: one body shape, ``{"error":{"code","message"}}``,
plus ``reason`` (a finer stable code: ``handle_taken``) and ``params`` (numbers the
sentence needs: ``{"min": 8}``) when the refusal has them (protocol/README.md).

Domain exceptions from the store carry a contract code; they, ``ApiError`` and
Starlette's own ``HTTPException`` become that shape with the matching status.
Anything else is a bug: the traceback goes to the log, the client gets a
generic ``internal``.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import overload

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, HTTPConnection, Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from server.api.responses import JSONResponse
from server.security_headers import HEADERS
from store import StoreError

log = logging.getLogger(__name__)

# The browser hardening headers (server/security_headers.py), for the one answer
# the middleware that adds them never sees.
HARDENING = {name.decode(): value.decode() for name, value in HEADERS}

STATUS = {
    "bad_request": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_big": 413,
    "rate_limited": 429,
    "internal": 500,
}
_CODE_OF_STATUS = {status: code for code, status in STATUS.items()}
# Close codes of PROTOCOL.md, for the rare error that reaches a WebSocket scope.
_WS_CLOSE = {"unauthenticated": 4001, "forbidden": 4003}


class ApiError(Exception):
    """An expected outcome of a request, with its contract code; ``status`` when
    HTTP has a more precise one than the code's (415 for a ``bad_request``)."""

    def __init__(
        self,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
        status: int | None = None,
        reason: str | None = None,
        params: Mapping[str, int] | None = None,
    ):
        if code not in STATUS:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self._status = status
        self.reason = reason
        self.params = dict(params) if params else None

    @property
    def status(self) -> int:
        return self._status or STATUS[self.code]


def error_response(
    code: str,
    message: str,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    reason: str | None = None,
    params: Mapping[str, int] | None = None,
) -> JSONResponse:
    error: dict[str, object] = {"code": code, "message": message}
    if reason:
        error["reason"] = reason
        if params:
            error["params"] = dict(params)
    return JSONResponse({"error": error}, status_code=status or STATUS[code], headers=headers)


async def _respond(
    conn: HTTPConnection,
    code: str,
    message: str,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    reason: str | None = None,
    params: Mapping[str, int] | None = None,
) -> Response | None:
    if isinstance(conn, WebSocket):
        with contextlib.suppress(RuntimeError):  # already closed
            await conn.close(code=_WS_CLOSE.get(code, 1011))
        return None
    return error_response(code, message, status, headers, reason, params)


async def _api_error(conn: HTTPConnection, exc: Exception) -> Response | None:
    assert isinstance(exc, ApiError)
    return await _respond(
        conn, exc.code, exc.message, exc.status, exc.headers, exc.reason, exc.params
    )


async def _store_error(conn: HTTPConnection, exc: Exception) -> Response | None:
    code = getattr(exc, "code", None)
    if code not in STATUS:
        return await _internal(conn, exc)
    message = str(exc) or code.replace("_", " ")
    headers = None
    if code == "unauthenticated":
        headers = {"WWW-Authenticate": "Bearer"}
    elif code == "rate_limited":
        # Busy (the password pool) says when to come back; otherwise the database
        # was busy: nothing written, try again in a second.
        retry = getattr(exc, "retry_after", 1.0)
        headers = {"Retry-After": str(max(1, math.ceil(retry)))}
    reason, params = getattr(exc, "reason", None), getattr(exc, "params", None)
    return await _respond(conn, code, message, headers=headers, reason=reason, params=params)


async def _http_error(conn: HTTPConnection, exc: Exception) -> Response | None:
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if status == 404:
        code, message = "not_found", "no such resource"
    elif status == 405:
        # The contract has no code for it. The request is well formed; what it
        # asks for (this method on this path) does not exist: the nearest code
        # is not_found, the status (and its Allow header) say exactly which.
        code, message = "not_found", "method not allowed"
    else:
        code = _CODE_OF_STATUS.get(status) or ("internal" if status >= 500 else "bad_request")
        message = exc.detail if status < 500 else "internal error"
    return await _respond(conn, code, message, status=status, headers=exc.headers)


async def _gone(conn: HTTPConnection, exc: Exception) -> Response | None:
    # The client hung up while sending its body (a timeout in a login storm): not
    # a server failure, and nobody will read the answer.
    log.info("client went away during %s %s", conn.scope.get("method", "WS"), conn.url.path)
    return await _respond(conn, "bad_request", "the request was cut short")


async def _internal(conn: HTTPConnection, exc: Exception) -> Response | None:
    log.error(
        "unhandled error on %s %s", conn.scope.get("method", "WS"), conn.url.path, exc_info=exc
    )
    # Starlette sends this answer from outside the app's middleware (its
    # ServerErrorMiddleware wraps them): the hardening headers come with it here.
    return await _respond(conn, "internal", "internal error", headers=HARDENING)


class _Handler:
    """One of the handlers above in the two shapes Starlette calls it with
    (starlette.types.ExceptionHandler): a response for a request, a close and
    nothing for a WebSocket. The overloads tell mypy which one each scope gets."""

    __slots__ = ("_handle",)

    def __init__(self, handle: Callable[[HTTPConnection, Exception], Awaitable[Response | None]]):
        self._handle = handle

    @overload
    async def __call__(self, conn: Request, exc: Exception) -> Response: ...
    @overload
    async def __call__(self, conn: WebSocket, exc: Exception) -> None: ...
    async def __call__(self, conn: HTTPConnection, exc: Exception) -> Response | None:
        return await self._handle(conn, exc)


# Passed to Starlette(exception_handlers=...). Starlette routes the Exception
# handler through ServerErrorMiddleware, which answers with it and then
# re-raises so the server (uvicorn) also sees the failure.
exception_handlers = {
    ApiError: _Handler(_api_error),
    StoreError: _Handler(_store_error),
    HTTPException: _Handler(_http_error),
    ClientDisconnect: _Handler(_gone),
    Exception: _Handler(_internal),
}
