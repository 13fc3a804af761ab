"""What is made of an image (server/media/images.py): EXIF, GPS, XMP and comments
gone from JPEG, PNG and WebP, orientation applied, a thumbnail; plain images kept."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from server.media import images

XMP = (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>'
    "<exif:GPSLatitude>31,14N</exif:GPSLatitude></rdf:RDF></x:xmpmeta>"
)
MIMES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def tagged(fmt: str) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[1] = "N"
    options: dict[str, object] = {"exif": exif}
    if fmt == "PNG":
        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", XMP)
        options["pnginfo"] = info
    else:
        options["xmp"] = XMP.encode()
    if fmt == "JPEG":
        options["comment"] = b"secret comment"
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (1, 2, 3)).save(out, fmt, **options)
    return out.getvalue()


@pytest.mark.parametrize("fmt", MIMES)
def test_metadata_is_removed_and_the_image_stands_upright(fmt: str, tmp_path: Path) -> None:
    data = tagged(fmt)
    assert b"PhoneMaker" in data and b"GPSLatitude" in data
    path = tmp_path / "upload"
    path.write_bytes(data)
    info = images.process(path, MIMES[fmt], 480, 10**8)
    cleaned = path.read_bytes()
    for secret in (b"PhoneMaker", b"GPSLatitude", b"secret comment", b"Exif"):
        assert secret not in cleaned, secret
    assert (info.width, info.height) == (200, 300)
    with Image.open(path) as image:
        assert image.size == (200, 300) and not image.getexif()
    assert info.thumb is not None
    with Image.open(info.thumb) as thumb:
        assert thumb.format == "WEBP" and thumb.size == (200, 300)


def test_an_image_without_metadata_is_kept_byte_for_byte(tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("RGB", (1000, 500), (9, 9, 9)).save(out, "JPEG", quality=70)
    path = tmp_path / "upload"
    path.write_bytes(out.getvalue())
    info = images.process(path, "image/jpeg", 480, 10**8)
    assert path.read_bytes() == out.getvalue()
    assert info.thumb is not None
    with Image.open(info.thumb) as thumb:
        assert thumb.size == (480, 240)


def test_what_pillow_cannot_read_is_kept_without_a_size(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    assert images.process(path, "image/jpeg", 480, 10**8) == images.ImageInfo()
    assert images.process(path, "image/heic", 480, 10**8) == images.ImageInfo()


def heic_with_gps(width: int = 120, height: int = 80) -> bytes:
    """An iPhone-like photo: HEIC, shown a quarter turn rotated, with GPS."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (31.0, 14.0, 5.0)
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, "HEIF", exif=exif.tobytes())
    return out.getvalue()


def test_a_heic_photo_is_served_as_an_upright_jpeg_without_metadata(tmp_path: Path) -> None:
    path = tmp_path / "upload"
    path.write_bytes(heic_with_gps())
    info = images.process(path, "image/heic", 48, 10**8)
    assert info.mime == "image/jpeg" and (info.width, info.height) == (80, 120)
    with Image.open(path) as served:
        assert served.format == "JPEG" and served.size == (80, 120)
        assert not served.getexif() and "exif" not in served.info
    assert info.thumb is not None
    with Image.open(info.thumb) as thumb:
        assert thumb.format == "WEBP" and thumb.size == (32, 48)
