"""Video and audio uploads over HTTP, whole and resumable, on the local disk and on
S3 (moto): the attachment says the duration and upright size, a video's poster
is its thumbnail, a broken file is kept without them."""

from __future__ import annotations

import io

from PIL import Image
from starlette.testclient import TestClient

from server.settings import Settings
from tests.clips import audio, video
from tests.server.test_http_tus import create, metadata, patch

# The local and the S3 backend (the module's parametrized settings) and its upload().
from tests.server.test_http_uploads import s3_url, settings, upload  # noqa: F401


def near(value: int | None, expected: int, tolerance: int = 60) -> bool:
    return value is not None and abs(value - expected) <= tolerance


def test_a_video_says_its_length_and_size_and_shows_a_poster(client: TestClient, room) -> None:
    circle, ann, bob = room
    data = video(seconds=2.0, size=(640, 360))
    answer = upload(client, circle, ann, data, name="dance.mp4")
    assert answer.status_code == 201, answer.text
    clip = answer.json()
    assert (clip["kind"], clip["mime"]) == ("video", "video/mp4")
    assert near(clip["duration_ms"], 2000)
    assert (clip["width"], clip["height"]) == (640, 360)
    thumb = client.get(clip["thumb_url"], headers=bob.auth)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    with Image.open(io.BytesIO(thumb.content)) as poster:
        assert poster.format == "WEBP"
        # Fits the thumbnail size (the fixture keeps the default, 480 px).
        assert poster.size == (Settings.thumb_px, Settings.thumb_px * 360 // 640)
    # The video itself is served as uploaded, and a player can seek in it.
    part = client.get(clip["url"], headers={**bob.auth, "Range": "bytes=100-1099"})
    assert part.status_code == 206 and part.content == data[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(data)}"


def test_a_portrait_phone_video_sent_resumably_stands_upright(client: TestClient, room) -> None:
    circle, _, bob = room
    data = video(seconds=1.0, size=(320, 240), rotation=-90)
    kind = metadata(filename="portrait.mp4", filetype="video/mp4")
    made = create(client, circle, bob, len(data), **{"Upload-Metadata": kind})
    assert made.status_code == 201, made.text
    done = patch(client, made.headers["Location"], bob, 0, data)
    assert done.status_code == 204, done.text
    status = client.get(made.headers["Location"], headers=bob.auth).json()
    clip = status["attachment"]
    assert clip["kind"] == "video" and near(clip["duration_ms"], 1000)
    assert (clip["width"], clip["height"]) == (240, 320)
    thumb = client.get(clip["thumb_url"], headers=bob.auth)
    with Image.open(io.BytesIO(thumb.content)) as poster:
        assert poster.size == (240, 320)


def test_audio_says_its_length_and_has_no_thumbnail(client: TestClient, room) -> None:
    circle, ann, _ = room
    for data, mime in ((audio("ogg", "libopus"), "audio/ogg"), (audio("ipod", "aac"), "audio/mp4")):
        answer = upload(client, circle, ann, data, name="song")
        assert answer.status_code == 201, answer.text
        song = answer.json()
        assert (song["kind"], song["mime"]) == ("audio", mime)
        assert near(song["duration_ms"], 1500)
        assert (song["width"], song["height"], song["thumb_url"]) == (None, None, None)
        assert client.get(f"{song['url']}/thumb", headers=ann.auth).status_code == 404


def test_a_broken_video_is_kept_without_its_metadata(client: TestClient, room) -> None:
    circle, ann, bob = room
    whole = video(seconds=1.0)
    for data in (whole[: len(whole) // 2], whole[:32] + bytes(range(256)) * 40):
        answer = upload(client, circle, ann, data, name="broken.mp4")
        assert answer.status_code == 201, answer.text
        clip = answer.json()
        assert (clip["kind"], clip["mime"]) == ("video", "video/mp4")
        assert (clip["duration_ms"], clip["width"], clip["height"]) == (None, None, None)
        assert clip["thumb_url"] is None
        assert client.get(clip["url"], headers=bob.auth).content == data
