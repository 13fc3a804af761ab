"""JSON responses rendered with orjson (fast, and strict about what is JSON)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse as _StarletteJSONResponse
from starlette.responses import Response


class JSONResponse(_StarletteJSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def ok(content: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(content, status_code=status)


def created(content: Any) -> JSONResponse:
    return JSONResponse(content, status_code=201)


def no_content() -> Response:
    return Response(status_code=204)
