"""The type of an upload, read from its first bytes, never from its name.

``sniff(head)`` looks at the first ``HEAD_BYTES`` of a file (fewer when the file
is shorter) and answers ``(kind, mime)``, or None for what Quanzi does not take:
programs (.exe, ELF), web pages, SVG and other markup a browser could run, and
anything it does not recognise. What it takes: JPEG, PNG, GIF, WebP, HEIC/HEIF
(images); MP4, QuickTime, WebM/Matroska (video); MP3, AAC, M4A, Ogg, WAV, FLAC
(audio); PDF, ZIP and the ZIP-based office documents (OOXML, OpenDocument, EPUB),
older Office files, and plain UTF-8 text (files, always served as downloads).
"""

from __future__ import annotations

HEAD_BYTES = 4096

# ISO base media file format brands (bytes 8-12 after "ftyp").
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
_OOXML = (
    (b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_MARKUP = (b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body", b"<iframe")
# Control characters plain text does not hold (tab, LF, FF, CR and ESC aside).
_BINARY = frozenset(range(0x00, 0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1B}

Sniffed = tuple[str, str]


def sniff(head: bytes) -> Sniffed | None:
    """``(kind, mime)`` of a file starting with ``head``; None: not accepted."""
    for check in (_image, _video_or_audio, _document):
        found = check(head)
        if found:
            return found
    return _text(head)


def _image(head: bytes) -> Sniffed | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image", "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image", "image/heic"
    return None


def _video_or_audio(head: bytes) -> Sniffed | None:
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AUDIO_BRANDS:
            return "audio", "audio/mp4"
        if brand == b"qt  ":
            return "video", "video/quicktime"
        return "video", "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video", "video/webm" if b"webm" in head[:64] else "video/x-matroska"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio", "audio/wav"
    if head.startswith(b"OggS"):
        return "audio", "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio", "audio/flac"
    if head.startswith(b"ID3"):
        return "audio", "audio/mpeg"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        layer = (head[1] >> 1) & 0x03
        version = (head[1] >> 3) & 0x03
        if layer == 0 and head[1] & 0xF6 == 0xF0:
            return "audio", "audio/aac"  # ADTS
        if layer and version != 1:
            return "audio", "audio/mpeg"
    return None


def _document(head: bytes) -> Sniffed | None:
    if head.startswith(b"%PDF-"):
        return "file", "application/pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "file", "application/x-ole-storage"  # .doc, .xls, .ppt
    if head.startswith(b"PK\x03\x04"):
        return "file", _zip_kind(head)
    return None


def _zip_kind(head: bytes) -> str:
    name_len = int.from_bytes(head[26:28], "little")
    first = head[30 : 30 + name_len]
    if first == b"mimetype":
        # OpenDocument and EPUB: the type, stored uncompressed, is the first entry.
        extra = int.from_bytes(head[28:30], "little")
        start = 30 + name_len + extra
        value = head[start : start + 80].split(b"PK", 1)[0]
        mime = value.decode("ascii", "replace").strip()
        if mime.startswith(("application/vnd.oasis.opendocument.", "application/epub+zip")):
            return mime
    if b"[Content_Types].xml" in head:
        for folder, mime in _OOXML:
            if folder in head:
                return mime
    return "application/zip"


def _text(head: bytes) -> Sniffed | None:
    if not head or _BINARY.intersection(head):
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A character cut at the end of the head is not an error.
        if exc.start < len(head) - 3:
            return None
        text = head[: exc.start].decode("utf-8")
    lowered = text.lstrip("\ufeff \t\r\n").lower().encode()
    if lowered.startswith(b"<") or any(tag in lowered for tag in _MARKUP):
        return None
    return "file", "text/plain"
