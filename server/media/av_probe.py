"""What is read from an uploaded video or audio file, in a worker thread (FFmpeg
through PyAV is blocking work).

``probe`` answers the duration, and for a video its upright size (a phone's
rotation metadata applied: a portrait clip recorded as 1920x1080 is 1080x1920)
and a poster: one frame, at a tenth of the clip and at most a second in, scaled
to at most ``thumb_px`` a side and saved as WebP beside the file, like an
image's thumbnail. The file is read by the demuxer as it needs it, never loaded
whole; only the frames from the key frame before the poster's time up to it are
decoded, at most ``POSTER_FRAMES`` of them, and none of a picture larger than
the images' pixel limit (its size as coded, no poster). The demuxer is the one
the sniffed type names (never a guess from the content) and may open no other
file or URL.
A file FFmpeg cannot read answers nothing: it is kept as its sniffed kind
without a duration, size or poster.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from av.container import InputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream
from PIL import Image

log = logging.getLogger(__name__)

# Frames decoded at most to reach the poster's time (past it: the last one decoded).
POSTER_FRAMES = 120
POSTER_AT = 1.0  # seconds, or a tenth of a shorter clip
THUMB_QUALITY = 80
# The demuxer for each sniffed type (server/media/sniff.py).
_DEMUXERS = {
    "video/mp4": "mov",
    "video/quicktime": "mov",
    "audio/mp4": "mov",
    "video/webm": "matroska",
    "video/x-matroska": "matroska",
    "audio/mpeg": "mp3",
    "audio/aac": "aac",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
    "audio/flac": "flac",
}
# Local file reads only: a playlist or reference inside the file opens nothing else.
_OPTIONS = {"protocol_whitelist": "file"}
_TURNS = {
    1: Image.Transpose.ROTATE_90,
    2: Image.Transpose.ROTATE_180,
    3: Image.Transpose.ROTATE_270,
}


@dataclass(frozen=True)
class AvInfo:
    duration_ms: int | None = None
    width: int | None = None
    height: int | None = None
    # The poster's file, when one was made (the caller stores and deletes it).
    thumb: Path | None = None


def probe(path: Path, kind: str, mime: str, thumb_px: int, pixels_max: int) -> AvInfo:
    """Duration, and for a ``kind`` "video" its upright size and poster (see the module).
    A picture of more than ``pixels_max`` is not decoded: its size as coded, no poster."""
    demuxer = _DEMUXERS.get(mime)
    if demuxer is None:
        return AvInfo()
    poster = path.with_name(path.name + ".thumb")
    try:
        with av.open(str(path), format=demuxer, options=_OPTIONS) as container:
            duration_ms = _duration_ms(container)
            stream = _video_stream(container) if kind == "video" else None
            if stream is None:
                return AvInfo(duration_ms)
            width, height = stream.codec_context.width, stream.codec_context.height
            if width * height > pixels_max:
                return AvInfo(duration_ms, width, height)
            frame = _poster_frame(container, stream, duration_ms)
            if frame is None:
                raise ValueError("no frame decodes")
            width, height = _save_poster(frame, poster, thumb_px)
            return AvInfo(duration_ms, width, height, poster)
    except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
        log.info("%s kept without metadata: FFmpeg cannot read it (%s)", mime, exc)
        poster.unlink(missing_ok=True)
        return AvInfo()


def _duration_ms(container: InputContainer) -> int | None:
    if container.duration is not None and container.duration > 0:
        return round(container.duration * 1000 / av.time_base)
    for stream in container.streams:
        if stream.duration and stream.time_base:
            return round(stream.duration * stream.time_base * 1000)
    return None


def _video_stream(container: InputContainer) -> VideoStream | None:
    for stream in container.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    return None


def _poster_frame(
    container: InputContainer, stream: VideoStream, duration_ms: int | None
) -> VideoFrame | None:
    """The first frame at or past the poster's time (the last one decoded when the
    clip or ``POSTER_FRAMES`` ends first); None when no frame decodes."""
    at = min(POSTER_AT, duration_ms / 10_000) if duration_ms else 0.0
    if at > 0 and stream.time_base:
        start = stream.start_time or 0
        # Not seekable (no index): decoded from the start.
        with contextlib.suppress(av.FFmpegError):
            container.seek(start + int(Fraction(at) / stream.time_base), stream=stream)
    frame: VideoFrame | None = None
    for count, decoded in enumerate(container.decode(stream), start=1):
        frame = decoded
        if decoded.time is None or decoded.time >= at or count >= POSTER_FRAMES:
            break
    return frame


def _save_poster(frame: VideoFrame, poster: Path, thumb_px: int) -> tuple[int, int]:
    """Save the frame, upright and scaled to fit ``thumb_px``, as WebP at ``poster``;
    answers the clip's upright size."""
    width, height = frame.width, frame.height
    scale = min(1.0, thumb_px / max(width, height))
    image = frame.to_image(width=max(1, round(width * scale)), height=max(1, round(height * scale)))
    # frame.rotation: degrees counterclockwise the frame is turned for display.
    turns = round(frame.rotation / 90) % 4
    if turns in _TURNS:
        image = image.transpose(_TURNS[turns])
    image.save(poster, "WEBP", quality=THUMB_QUALITY)
    return (height, width) if turns % 2 else (width, height)
