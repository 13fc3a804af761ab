"""Sniffing (server/media/sniff.py): the type from the first bytes, what is taken
and what is refused, whatever the file is called."""

from __future__ import annotations

import io
import zipfile

import pytest

from server.media.sniff import sniff


def _zip(*entries: tuple[str, bytes], stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (name, data) in enumerate(entries):
            kind = zipfile.ZIP_STORED if stored_first and i == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return out.getvalue()


ACCEPTED = {
    "jpeg": (b"\xff\xd8\xff\xe1\x00\x10Exif", ("image", "image/jpeg")),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("image", "image/png")),
    "gif": (b"GIF89a\x01\x00\x01\x00", ("image", "image/gif")),
    "webp": (b"RIFF\x24\x00\x00\x00WEBPVP8 ", ("image", "image/webp")),
    "heic": (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", ("image", "image/heic")),
    "mp4": (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", ("video", "video/mp4")),
    "mov": (b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00", ("video", "video/quicktime")),
    "webm": (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", ("video", "video/webm")),
    "m4a": (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", ("audio", "audio/mp4")),
    "mp3-id3": (b"ID3\x04\x00\x00\x00\x00\x00\x00", ("audio", "audio/mpeg")),
    "mp3-frame": (b"\xff\xfb\x90\x64\x00", ("audio", "audio/mpeg")),
    "aac": (b"\xff\xf1\x50\x80\x02", ("audio", "audio/aac")),
    "ogg": (b"OggS\x00\x02\x00\x00", ("audio", "audio/ogg")),
    "wav": (b"RIFF\x24\x00\x00\x00WAVEfmt ", ("audio", "audio/wav")),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3", ("file", "application/pdf")),
    "docx": (
        _zip(("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w/>")),
        ("file", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ),
    "pptx": (
        _zip(("[Content_Types].xml", b"<Types/>"), ("ppt/presentation.xml", b"<p/>")),
        ("file", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ),
    "odt": (
        _zip(("mimetype", b"application/vnd.oasis.opendocument.text"), stored_first=True),
        ("file", "application/vnd.oasis.opendocument.text"),
    ),
    "zip": (_zip(("notes.txt", b"hi")), ("file", "application/zip")),
    "text": ("第一课 复习\n".encode(), ("file", "text/plain")),
}

REFUSED = {
    "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",
    "elf": b"\x7fELF\x02\x01\x01\x00",
    "html": b"<!DOCTYPE html><html><body>hi</body></html>",
    "html-late": b"just text then <script>alert(1)</script>",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
    "xml": b'\xef\xbb\xbf  <?xml version="1.0"?><a/>',
    "binary": b"\x00\x01\x02\x03garbage",
    "empty": b"",
}


@pytest.mark.parametrize("name", ACCEPTED)
def test_accepted_types_are_recognised(name: str) -> None:
    head, expected = ACCEPTED[name]
    assert sniff(head) == expected


@pytest.mark.parametrize("name", REFUSED)
def test_programs_pages_and_unknown_bytes_are_refused(name: str) -> None:
    assert sniff(REFUSED[name]) is None


def test_a_character_cut_at_the_end_of_the_head_is_still_text() -> None:
    head = ("作业" * 700).encode()[:4095]  # ends inside a character
    assert sniff(head) == ("file", "text/plain")
