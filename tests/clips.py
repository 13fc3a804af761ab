"""Small real video and audio files for the media tests, encoded with PyAV."""

from __future__ import annotations

import io
import math
import struct

import av
from PIL import Image

RED, BLUE = (230, 20, 20), (20, 20, 230)
SAMPLES = 960  # per audio frame


def video(
    seconds: float = 2.0,
    size: tuple[int, int] = (320, 240),
    fps: int = 25,
    rotation: int | None = None,
    codec: str = "libx264",
    fmt: str = "mp4",
) -> bytes:
    """A clip whose left half is red and right half blue; its frame ``i`` carries
    ``step(i)`` in the green channel, so a test can tell which frame it sees.
    ``rotation``: degrees counterclockwise a player turns it (a phone's metadata)."""
    width, height = size
    out = io.BytesIO()
    with av.open(out, "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for index in range(round(seconds * fps)):
            image = Image.new("RGB", size, BLUE)
            image.paste(RED, (0, 0, width // 2, height))
            image.paste(step(index), (0, 0, width, height), _green_mask(size))
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def step(index: int) -> tuple[int, int, int]:
    return (0, min(255, index * 25), 0)


def _green_mask(size: tuple[int, int]) -> Image.Image:
    # Paste only the green channel's strip along the bottom quarter.
    width, height = size
    mask = Image.new("L", size, 0)
    mask.paste(255, (0, height * 3 // 4, width, height))
    return mask


def audio(fmt: str = "ogg", codec: str = "libopus", seconds: float = 1.5) -> bytes:
    """A 440 Hz tone, mono 48 kHz (``fmt`` "ipod" is an .m4a, "wav" with pcm_s16le)."""
    rate = 48_000
    out = io.BytesIO()
    with av.open(out, "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate, layout="mono")
        for start in range(0, round(seconds * rate), SAMPLES):
            frame = av.AudioFrame(format="s16", layout="mono", samples=SAMPLES)
            frame.planes[0].update(_tone(start, rate))
            frame.sample_rate, frame.pts = rate, start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def _tone(start: int, rate: int) -> bytes:
    wave = (math.sin((start + i) * 440 * 2 * math.pi / rate) for i in range(SAMPLES))
    return b"".join(struct.pack("<h", int(8000 * value)) for value in wave)
