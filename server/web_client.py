"""The web client's files as the server hands them out.

``web-client/`` is plain HTML, CSS and ES modules, served as they are. One file is
written here instead of on disk: ``js/locales/index.js``, the list of the message
catalogues in ``js/locales/`` — so adding a language is adding its one file.
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

FALLBACK_LOCALE = "en"


def locale_tags(directory: Path) -> list[str]:
    """The catalogues' tags, English first (the fallback), then by name."""
    tags = sorted(p.stem for p in (directory / "js" / "locales").glob("*.js") if p.stem != "index")
    return sorted(tags, key=lambda tag: (tag != FALLBACK_LOCALE, tag))


def locales_index(directory: Path) -> str:
    tags = locale_tags(directory)
    lines = [f"import * as l{i} from './{tag}.js';" for i, tag in enumerate(tags)]
    pairs = ", ".join(f"[{json.dumps(tag)}, l{i}]" for i, tag in enumerate(tags))
    lines.append(f"export const catalogues = [{pairs}];")
    return "\n".join(lines) + "\n"


def routes(directory: Path) -> list[Route | Mount]:
    async def index(request: Request) -> Response:
        return Response(
            locales_index(directory),
            media_type="text/javascript",
            headers={"Cache-Control": "no-cache"},
        )

    return [
        Route("/js/locales/index.js", index),
        Mount("/", StaticFiles(directory=directory, html=True), name="web-client"),
    ]
