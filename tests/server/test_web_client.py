"""server/web_client.py: the page, its one script and stylesheet (hashed, cached for a
year, gzipped), the service worker, the list of languages — and a rebuild on an edit."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from server import web_client
from server.web_client import WebClient

WEB = Path(__file__).resolve().parents[2] / "web-client"


@pytest.fixture
def web(tmp_path: Path) -> Path:
    copy = tmp_path / "web-client"
    shutil.copytree(WEB, copy)
    return copy


def client_of(directory: Path, bundled: bool = True) -> TestClient:
    return TestClient(Starlette(routes=WebClient(directory, bundled=bundled).routes()))


def assets_of(page: str) -> tuple[str, str]:
    script = re.search(r'<script defer src="(/assets/app\.[0-9a-f]{16}\.js)"></script>', page)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page)
    assert script, page
    assert len(sheets) == 1 and re.fullmatch(r"/assets/app\.[0-9a-f]{16}\.css", sheets[0]), sheets
    return script[1], sheets[0]


def test_the_page_is_revalidated_and_names_one_script_and_one_stylesheet(web: Path) -> None:
    client = client_of(web)
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    assert 'type="module"' not in page.text
    assets_of(page.text)
    again = client.get("/", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_assets_are_immutable_and_gzipped_for_who_accepts_it(web: Path) -> None:
    client = client_of(web)
    script, sheet = assets_of(client.get("/").text)
    for path, kind in ((script, "text/javascript"), (sheet, "text/css")):
        packed = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert packed.status_code == 200
        assert packed.headers["content-type"].startswith(kind)
        assert packed.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.headers["vary"] == "Accept-Encoding"
        raw = client.get(path, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in raw.headers
        # httpx decodes gzip: both answers are the same bytes, the packed one smaller on the wire
        assert packed.content == raw.content
        assert int(packed.headers["content-length"]) < len(raw.content) / 2
    css = client.get(sheet).text
    assert ".avatar" in css and ".poll" in css  # styles.css and polls.css, in one
    head = client.head(script, headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200 and head.content == b""
    assert client.get("/assets/app.0000000000000000.js").status_code == 404


def test_the_bundle_is_valid_javascript_without_whole_line_comments(
    web: Path, tmp_path: Path
) -> None:
    client = client_of(web)
    script, _ = assets_of(client.get("/").text)
    text = client.get(script).text
    assert "export function" not in text and "\nimport " not in text
    assert not re.search(r"^\s*//(?! [\w./-]+\.js$| Quanzi)", text, re.M)
    node = shutil.which("node")
    assert node
    path = tmp_path / "app.js"
    path.write_text(text)
    done = subprocess.run([node, "--check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_service_worker_knows_its_build_and_shell(web: Path) -> None:
    client = client_of(web)
    script, sheet = assets_of(client.get("/").text)
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker.headers["cache-control"] == "no-cache"
    assert worker.headers["content-type"].startswith("text/javascript")
    first = worker.text.splitlines()[0]
    assert first.startswith("const BUILD = ")
    for path in ("/", script, sheet, "/manifest.webmanifest", "/icons/icon-192.png"):
        assert f'"{path}"' in first
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert {icon["sizes"] for icon in manifest.json()["icons"]} >= {"192x192", "512x512"}
    for icon in manifest.json()["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_a_language_is_one_file(web: Path) -> None:
    client = client_of(web)
    index = client.get("/js/locales/index.js").text
    assert "./en.js" in index and "./zh-CN.js" in index
    (web / "js" / "locales" / "fr.js").write_text(
        "export const name = 'Français';\nexport const messages = {};\n"
    )
    web_client.RECHECK_S, saved = 0.0, web_client.RECHECK_S
    try:
        index = client.get("/js/locales/index.js").text
        tags = re.findall(r'\["([\w-]+)", l\d\]', index)
        assert tags == ["en", "fr", "zh-CN"]  # English first: the fallback
        script, _ = assets_of(client.get("/").text)
        assert "Français" in client.get(script).text
    finally:
        web_client.RECHECK_S = saved


def test_an_edit_makes_a_new_build_and_the_old_bundle_stays_servable(web: Path) -> None:
    web_client.RECHECK_S, saved = 0.0, web_client.RECHECK_S
    try:
        client = client_of(web)
        old, _ = assets_of(client.get("/").text)
        with (web / "js" / "app.js").open("a") as f:
            f.write("\nconsole.debug('edited');\n")
        new, _ = assets_of(client.get("/").text)
        assert new != old
        assert "edited" in client.get(new).text
        assert client.get(old).status_code == 200
    finally:
        web_client.RECHECK_S = saved


def test_unbundled_the_page_loads_the_modules(web: Path) -> None:
    client = client_of(web, bundled=False)
    page = client.get("/").text
    assert '<script type="module" src="/js/app.js"></script>' in page
    assert client.get("/js/views/chat.js").status_code == 200
    assert client.get("/sw.js").text.startswith('const BUILD = {"version"')


def test_gzip_round_trips() -> None:
    asset = web_client.Asset.of(b"x" * 2000, "text/plain", "no-cache")
    assert asset.gzipped is not None and gzip.decompress(asset.gzipped) == b"x" * 2000
    assert web_client.Asset.of(b"tiny", "text/plain", "no-cache").gzipped is None
