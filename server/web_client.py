"""The web client as the server hands it out: fast on a phone network, installable.

``web-client/`` is plain HTML, CSS and ES modules, with no build step. When the page
is asked for, this module makes what a phone should fetch from them (and again when a
file there changes; a running server picks up an edit on the next page load):

- the page (``/``): ``index.html`` with its stylesheets and its module script replaced
  by one stylesheet and one script, ``/assets/app.<hash>.css`` and ``…js``
  (server/web_bundle.py), so a cold start is three requests, not sixty;
- those two files, named by the hash of what they hold: cached by browsers for a
  year (``immutable``), while the page itself is revalidated on every load (``no-cache``
  with an ETag, a 304 when nothing changed);
- ``/sw.js``: the service worker (web-client/sw.js) with the build's name and the files
  of the app shell it keeps for offline starts;
- ``js/locales/index.js``: the list of the message catalogues in ``js/locales/``, so
  adding a language is adding its one file.

Everything text-like is gzip-compressed once, when built, for clients that accept it.
The other files (icons, the manifest, the modules themselves) are served as they are.
With ``web_bundle`` off the page loads the modules unbundled.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .web_bundle import bundle

FALLBACK_LOCALE = "en"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# A change under web-client/ is noticed at most this long after it is made.
RECHECK_S = 1.0
# Builds whose files stay servable: a page loaded just before an edit still gets its script.
KEEP_BUILDS = 3

STYLESHEET = re.compile(
    r'^[ \t]*<link rel="stylesheet" href="/(?P<path>[^"]+\.css)">[ \t]*\n', re.M
)
MODULE = re.compile(r'<script type="module" src="/js/(?P<entry>[^"]+\.js)"></script>')
COMMENT_LINE = re.compile(r"^[ \t]*//.*\n", re.M)
COMMENT_BLOCK = re.compile(r"^[ \t]*/\*(?:(?!\*/).)*\*/[ \t]*\n", re.M | re.S)
SHELL_FILES = ("manifest.webmanifest", "icons/icon.svg", "icons/icon-192.png", "icons/icon-512.png")


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


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    cache: str
    etag: str
    gzipped: bytes | None = None

    @classmethod
    def of(cls, body: bytes, media_type: str, cache: str) -> Asset:
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        packed = gzip.compress(body, 9, mtime=0) if len(body) > 512 else None
        return cls(body, media_type, cache, etag, packed)

    def response(self, request: Request) -> Response:
        headers = {"Cache-Control": self.cache, "ETag": self.etag, "Vary": "Accept-Encoding"}
        if self.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        body = self.body
        if self.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            body = self.gzipped
            headers["Content-Encoding"] = "gzip"
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            return Response(status_code=200, headers=headers, media_type=self.media_type)
        return Response(body, headers=headers, media_type=self.media_type)


def _lean(source: str) -> str:
    """A module without its whole-line comments (the bundle's bytes are for phones)."""
    return COMMENT_LINE.sub("", COMMENT_BLOCK.sub("", source))


def build(directory: Path, bundled: bool) -> dict[str, Asset]:
    """Every generated file by its path: the page, the bundle, the service worker, the locales."""
    html = (directory / "index.html").read_text()
    index = locales_index(directory)
    assets: dict[str, Asset] = {}
    if bundled:
        styles = [m["path"] for m in STYLESHEET.finditer(html)]
        css = "".join(f"/* {p} */\n{(directory / p).read_text()}\n" for p in styles).encode()
        entry = MODULE.search(html)
        if entry is None:
            raise ValueError("index.html has no <script type=module src=/js/…>")

        def read(name: str) -> str:
            if name == "locales/index.js":
                return index
            return _lean((directory / "js" / name).read_text())

        js = bundle(entry["entry"], read, banner=("Quanzi's web client: server/web_bundle.py",))
        css_path = f"assets/app.{hashlib.sha256(css).hexdigest()[:16]}.css"
        js_path = f"assets/app.{hashlib.sha256(js.encode()).hexdigest()[:16]}.js"
        assets[css_path] = Asset.of(css, "text/css", IMMUTABLE)
        assets[js_path] = Asset.of(js.encode(), "text/javascript", IMMUTABLE)
        first = True

        def one_sheet(match: re.Match[str]) -> str:
            nonlocal first
            if not first:
                return ""
            first = False
            return f'<link rel="stylesheet" href="/{css_path}">\n'

        html = STYLESHEET.sub(one_sheet, html)
        html = MODULE.sub(f'<script defer src="/{js_path}"></script>', html)
        shell = ["/", f"/{css_path}", f"/{js_path}"]
    else:
        shell = ["/"]
    shell += [f"/{name}" for name in SHELL_FILES if (directory / name).is_file()]
    page = Asset.of(html.encode(), "text/html", REVALIDATE)
    version = page.etag.strip('"')
    worker = (
        f"const BUILD = {json.dumps({'version': version, 'shell': shell})};\n"
        + (directory / "sw.js").read_text()
    )
    assets[""] = page
    assets["index.html"] = page
    assets["sw.js"] = Asset.of(worker.encode(), "text/javascript", REVALIDATE)
    assets["js/locales/index.js"] = Asset.of(index.encode(), "text/javascript", REVALIDATE)
    return assets


class WebClient:
    """The generated files of one web-client directory, rebuilt when a file there changes."""

    def __init__(self, directory: Path, *, bundled: bool = True) -> None:
        self.directory = directory
        self.bundled = bundled
        self._stamp: tuple[tuple[str, int, int], ...] | None = None
        self._checked = 0.0
        self._builds: list[dict[str, Asset]] = []

    def _sources(self) -> tuple[tuple[str, int, int], ...]:
        files = []
        for path in sorted(self.directory.rglob("*")):
            if path.is_file():
                stat = path.stat()
                files.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(files)

    def current(self) -> dict[str, Asset]:
        now = time.monotonic()
        if self._builds and now - self._checked < RECHECK_S:
            return self._builds[-1]
        self._checked = now
        stamp = self._sources()
        if stamp != self._stamp:
            self._builds = [
                *self._builds[-(KEEP_BUILDS - 1) :],
                build(self.directory, self.bundled),
            ]
            self._stamp = stamp
        return self._builds[-1]

    def find(self, path: str) -> Asset | None:
        latest = self.current()
        if path in latest:
            return latest[path]
        # An older build's bundle, for a page that loaded just before an edit.
        for older in reversed(self._builds[:-1]):
            if path.startswith("assets/") and path in older:
                return older[path]
        return None

    async def serve(self, request: Request) -> Response:
        asset = self.find(request.url.path.lstrip("/"))
        if asset is None:
            return Response("Not Found", status_code=404, media_type="text/plain")
        return asset.response(request)

    def routes(self) -> list[Route | Mount]:
        methods = ["GET", "HEAD"]
        return [
            Route("/", self.serve, methods=methods),
            Route("/index.html", self.serve, methods=methods),
            Route("/sw.js", self.serve, methods=methods),
            Route("/js/locales/index.js", self.serve, methods=methods),
            Route("/assets/{name}", self.serve, methods=methods),
            Mount("/", StaticFiles(directory=self.directory), name="web-client"),
        ]
