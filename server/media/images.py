"""What is made of an uploaded image, in a worker thread (Pillow is CPU work).

The EXIF orientation is applied to the pixels and EXIF (GPS, camera, time) and
XMP are dropped from the copy that is served: a photo of a child's homework
does not tell every member where the family lives. An image that carries no
such metadata is kept byte for byte. An animated GIF or WebP is kept as it is
(frames, timing). A thumbnail of at most ``thumb_px`` a side is made once, as
WebP. A HEIC photo (what iPhones take) is served as JPEG, which every browser
shows: decoded by pillow-heif (which applies its orientation), re-encoded
without its metadata (``ImageInfo.mime`` says the type changed).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

# Re-encoding quality of a cleaned JPEG/WebP: visually lossless for photos.
QUALITY = 92
THUMB_QUALITY = 80
_PIXEL_INFO = ("icc_profile", "transparency", "gamma", "dpi")
_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
    "image/gif": "GIF",
    "image/heic": "HEIF",
}


@dataclass(frozen=True)
class ImageInfo:
    width: int | None = None
    height: int | None = None
    # The thumbnail's file, when one was made (the caller stores and deletes it).
    thumb: Path | None = None
    # The type now served, when it is not the one uploaded (HEIC becomes JPEG).
    mime: str | None = None


def process(path: Path, mime: str, thumb_px: int, pixels_max: int) -> ImageInfo:
    """Clean ``path`` in place (see the module) and make its thumbnail beside it."""
    fmt = _FORMATS.get(mime)
    if fmt is None:
        return ImageInfo()
    try:
        with Image.open(path, formats=[fmt]) as image:
            width, height = image.size
            if width * height > pixels_max:
                return ImageInfo(width, height)
            if fmt == "HEIF":
                width, height = _clean(image, path, "JPEG")
                return ImageInfo(width, height, _thumbnail(path, "JPEG", thumb_px), "image/jpeg")
            animated = bool(getattr(image, "is_animated", False))
            if not animated and _has_metadata(image):
                width, height = _clean(image, path, fmt)
            thumb = _thumbnail(path, fmt, thumb_px)
            return ImageInfo(width, height, thumb)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        # Sniffed as an image but not one Pillow reads whole: kept as is, no thumbnail.
        return ImageInfo()


def _has_metadata(image: Image.Image) -> bool:
    info = image.info
    return bool(image.getexif()) or any(key in info for key in ("exif", "xmp", "XML:com.adobe.xmp"))


def _clean(image: Image.Image, path: Path, fmt: str) -> tuple[int, int]:
    upright = ImageOps.exif_transpose(image)
    # Pillow writes some of what it read back out on save (XMP, comments): keep only
    # what draws the pixels. The ICC profile is colours, not metadata.
    upright.info = {key: image.info[key] for key in _PIXEL_INFO if key in image.info}
    options: dict[str, object] = {}
    icc = image.info.get("icc_profile")
    if icc:
        options["icc_profile"] = icc
    if fmt in ("JPEG", "WEBP"):
        options["quality"] = QUALITY
    if fmt == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    temp = path.with_name(path.name + ".clean")
    try:
        upright.save(temp, fmt, **options)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return upright.size


def _thumbnail(path: Path, fmt: str, thumb_px: int) -> Path:
    thumb = path.with_name(path.name + ".thumb")
    with Image.open(path, formats=[fmt]) as image:
        image.seek(0)
        # Orientation is already in the pixels of a cleaned image; for one kept as is
        # (no EXIF) this changes nothing.
        frame = ImageOps.exif_transpose(image)
        frame = frame.convert(
            "RGBA" if "A" in frame.getbands() or "transparency" in frame.info else "RGB"
        )
        frame.thumbnail((thumb_px, thumb_px))
        frame.save(thumb, "WEBP", quality=THUMB_QUALITY)
    return thumb
