"""Moving media to S3 (`python -m server media-to-s3`): a circle's uploads on the
local disk are served, byte for byte, by a node started with S3 settings on the
same database after the copy; a second run copies nothing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.__main__ import main
from server.app import create_app
from server.settings import Settings
from tests.s3 import moto_s3
from tests.server.test_http_uploads import jpeg_with_gps, pdf

MB = 1024 * 1024


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    with moto_s3() as url:
        yield url


def test_media_moves_to_s3_and_is_served_from_there(
    settings: Settings, s3_url: str, signup_in, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(create_app(settings)) as local:
        ann = signup_in(local, "ann")
        circle = local.post(
            "/api/v1/circles",
            json={"name": "Dance", "kind": "community", "visibility": "private"},
            headers=ann.auth,
        ).json()
        files = {"photo.jpg": jpeg_with_gps(), "plan.pdf": pdf(9 * MB + 5)}
        uploaded = {}
        for name, data in files.items():
            r = local.post(
                f"/api/v1/circles/{circle['id']}/uploads?name={name}",
                content=data,
                headers=ann.auth,
            )
            assert r.status_code == 201, r.text
            uploaded[name] = (r.json(), local.get(r.json()["url"], headers=ann.auth).content)
    bucket = f"moved-{os.urandom(4).hex()}"
    env = {
        "QUANZI_S3_URL": s3_url,
        "QUANZI_S3_BUCKET": bucket,
        "QUANZI_S3_ACCESS_KEY": "test",
        "QUANZI_S3_SECRET_KEY": "test",
    }
    os.environ.update(env)
    try:
        main(["media-to-s3", "--data-dir", str(settings.data_dir)])
        assert "3 blobs copied" in capsys.readouterr().out  # the photo, its thumbnail, the PDF
        main(["media-to-s3", "--data-dir", str(settings.data_dir)])
        assert "0 blobs copied (0 bytes), 3 already in" in capsys.readouterr().out
    finally:
        for key in env:
            del os.environ[key]
    # The local copies go; the node with S3 settings serves everything.
    for path in (settings.data_dir / "blobs" / "circles").rglob("*"):
        if path.is_file():
            path.unlink()
    on_s3 = replace(
        settings, s3_url=s3_url, s3_bucket=bucket, s3_access_key="test", s3_secret_key="test"
    )
    with TestClient(create_app(on_s3)) as moved:
        token = moved.post(
            "/api/v1/auth/login", json={"handle": "ann", "password": "correct horse"}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        for attachment, data in uploaded.values():
            assert moved.get(attachment["url"], headers=auth).content == data
        photo = uploaded["photo.jpg"][0]
        assert moved.get(photo["thumb_url"], headers=auth).status_code == 200


def test_media_to_s3_needs_somewhere_to_go(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["media-to-s3", "--data-dir", str(tmp_path)])
    assert "QUANZI_S3_URL" in str(stopped.value)
