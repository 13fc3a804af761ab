"""Duration, upright size and poster of video and audio (server/media/av_probe.py),
on small clips encoded here with PyAV."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from server.media.av_probe import AvInfo, probe
from server.media.sniff import sniff
from tests.clips import BLUE, RED, audio, step, video


def near(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=False))


def near_ms(value: int | None, expected: int, tolerance: int = 50) -> bool:
    return value is not None and abs(value - expected) <= tolerance


def probed(tmp_path: Path, data: bytes, thumb_px: int = 480, pixels_max: int = 10**8) -> AvInfo:
    path = tmp_path / "up-1"
    path.write_bytes(data)
    sniffed = sniff(data[:4096])
    assert sniffed is not None
    return probe(path, *sniffed, thumb_px, pixels_max)


def test_a_clip_answers_its_duration_size_and_a_poster_a_tenth_in(tmp_path: Path) -> None:
    info = probed(tmp_path, video(seconds=2.0, size=(320, 240), fps=25), thumb_px=100)
    assert near_ms(info.duration_ms, 2000)
    assert (info.width, info.height) == (320, 240)
    assert info.thumb == tmp_path / "up-1.thumb"
    with Image.open(info.thumb) as poster:
        assert poster.format == "WEBP" and poster.size == (100, 75)
        poster = poster.convert("RGB")
        assert near(poster.getpixel((10, 10)), RED) and near(poster.getpixel((90, 10)), BLUE)
        # 0.2 s in: frame 5 of 25 a second, not the first.
        assert near(poster.getpixel((50, 70)), step(5), tolerance=12)


def test_a_long_clips_poster_is_one_second_in(tmp_path: Path) -> None:
    info = probed(tmp_path, video(seconds=12.0, size=(64, 48), fps=5))
    assert near_ms(info.duration_ms, 12000, 250)
    assert info.thumb is not None
    with Image.open(info.thumb) as poster:
        assert poster.size == (64, 48)  # smaller than thumb_px: not enlarged
        assert near(poster.convert("RGB").getpixel((32, 44)), step(5), tolerance=12)


@pytest.mark.parametrize("rotation", [-90, 90])
def test_a_phones_portrait_clip_stands_upright(tmp_path: Path, rotation: int) -> None:
    info = probed(tmp_path, video(size=(320, 240), rotation=rotation))
    assert (info.width, info.height) == (240, 320)
    assert info.thumb is not None
    with Image.open(info.thumb) as poster:
        assert poster.size == (240, 320)
        poster = poster.convert("RGB")
        # The clip's red left half is on top once turned a quarter clockwise (-90),
        # at the bottom once turned counterclockwise (90).
        top, bottom = poster.getpixel((120, 20)), poster.getpixel((120, 300))
        up, down = (RED, BLUE) if rotation == -90 else (BLUE, RED)
        assert near(top, up) and near(bottom, down)


def test_webm_and_mpeg4_clips_are_read_too(tmp_path: Path) -> None:
    for data in (
        video(seconds=1.0, size=(160, 120), codec="libvpx", fmt="webm"),
        video(seconds=1.0, size=(160, 120), codec="mpeg4"),
    ):
        info = probed(tmp_path, data)
        assert near_ms(info.duration_ms, 1000)
        assert (info.width, info.height) == (160, 120) and info.thumb is not None


@pytest.mark.parametrize(
    ("fmt", "codec", "mime"),
    [
        ("ogg", "libopus", "audio/ogg"),
        ("ipod", "aac", "audio/mp4"),
        ("wav", "pcm_s16le", "audio/wav"),
        ("mp3", "libmp3lame", "audio/mpeg"),
        ("flac", "flac", "audio/flac"),
    ],
)
def test_audio_answers_its_duration_only(tmp_path: Path, fmt: str, codec: str, mime: str) -> None:
    data = audio(fmt, codec, seconds=1.5)
    assert sniff(data[:4096]) == ("audio", mime)
    info = probed(tmp_path, data)
    assert near_ms(info.duration_ms, 1500)
    assert (info.width, info.height, info.thumb) == (None, None, None)


def test_an_mp4_without_a_picture_has_a_duration_and_no_poster(tmp_path: Path) -> None:
    data = audio("mp4", "aac", seconds=1.0)
    assert sniff(data[:4096]) == ("video", "video/mp4")
    info = probed(tmp_path, data)
    assert near_ms(info.duration_ms, 1000)
    assert (info.width, info.height, info.thumb) == (None, None, None)


def test_a_broken_file_answers_nothing_and_leaves_nothing(tmp_path: Path) -> None:
    whole = video(seconds=1.0)
    for data in (
        whole[: len(whole) // 2],  # cut off: the index (moov) is at the end
        whole[:32] + bytes(range(256)) * 40,  # a real header, then garbage
        b"\x1a\x45\xdf\xa3webm" + b"\x00" * 3000,
        b"OggS" + b"\xff" * 500,
    ):
        assert probed(tmp_path, data) == AvInfo()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["up-1"]


def test_a_type_it_has_no_demuxer_for_is_not_opened(tmp_path: Path) -> None:
    path = tmp_path / "clip"
    path.write_bytes(video(seconds=0.4))
    assert probe(path, "video", "video/x-unknown", 480, 10**8) == AvInfo()


def test_a_picture_past_the_pixel_limit_is_not_decoded(tmp_path: Path) -> None:
    info = probed(tmp_path, video(seconds=1.0, size=(320, 240)), pixels_max=320 * 240 - 1)
    assert near_ms(info.duration_ms, 1000)
    assert (info.width, info.height, info.thumb) == (320, 240, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["up-1"]
