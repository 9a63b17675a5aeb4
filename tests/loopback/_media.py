"""Deterministic media for the loopback server: images, speech audio, embedding vectors, durations.

Every function is a pure function of its arguments, so a test can recompute exactly what the server
sent (``speech_pcm("hi", 1.0)`` is the body of a ``pcm`` speech request for "hi"), and results are
cached because several tests ask for the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
from functools import lru_cache

import numpy as np
import soundfile
from PIL import Image, ImageDraw

#: The rate OpenAI's ``pcm`` speech format uses (16-bit mono little-endian).
SPEECH_RATE = 24_000
#: The tone every speech answer carries, so a loop-back recording can find it with an FFT.
SPEECH_TONE_HZ = 440.0
SPEECH_AMPLITUDE = 0.3

#: Content-Type per speech ``response_format``, as OpenAI sends them.
SPEECH_CONTENT_TYPES: dict[str, str] = {
    "mp3": "audio/mpeg",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
}

#: soundfile (libsndfile 1.2.2) format and subtype for every speech format it can write.
_SOUNDFILE_FORMATS: dict[str, tuple[str, str]] = {
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "opus": ("OGG", "OPUS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}

#: Default embedding widths of the well-known models; other models get ``DEFAULT_EMBEDDING_DIMS``.
EMBEDDING_DIMS: dict[str, int] = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
DEFAULT_EMBEDDING_DIMS = 16


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()


def color_for(seed: str) -> tuple[int, int, int]:
    """The background colour of every image made for ``seed``: tests can check pixels with it."""
    d = _digest("color", seed)
    return d[0], d[1], d[2]


@lru_cache(maxsize=64)
def make_image(width: int, height: int, seed: str, fmt: str = "png", transparent: bool = False) -> bytes:
    """An image of the given size: a ``color_for(seed)`` background with an inverted centre block.

    Two colours (not one) so a viewer showing a blank or cropped image is distinguishable; with
    ``transparent`` the background is fully transparent (gpt-image-1 ``background=transparent``).
    """
    bg = color_for(seed)
    fg = (255 - bg[0], 255 - bg[1], 255 - bg[2])
    mode = "RGBA" if transparent and fmt != "jpeg" else "RGB"
    image = Image.new(mode, (width, height), (*bg, 0) if mode == "RGBA" else bg)
    draw = ImageDraw.Draw(image)
    box = (width // 4, height // 4, width - width // 4 - 1, height - height // 4 - 1)
    draw.rectangle(box, fill=(*fg, 255) if mode == "RGBA" else fg)
    out = io.BytesIO()
    if fmt == "png":
        image.save(out, "PNG", compress_level=1)
    elif fmt == "jpeg":
        image.save(out, "JPEG", quality=80)
    elif fmt == "webp":
        image.save(out, "WEBP", quality=80)
    else:
        raise ValueError(f"unknown image format {fmt!r}")
    return out.getvalue()


def image_size(data: bytes) -> tuple[int, int] | None:
    """The pixel size of an uploaded image, or None when Pillow cannot read it."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:  # any unreadable upload simply has no size
        return None


def speech_duration(text: str, speed: float = 1.0) -> float:
    """Seconds of audio for ``text``: 0.2 s + 0.02 s per character, at most 3 s, divided by speed."""
    return min(3.0, 0.2 + 0.02 * len(text)) / speed


@lru_cache(maxsize=64)
def speech_pcm(text: str, speed: float = 1.0) -> bytes:
    """The raw ``pcm`` answer: a 440 Hz sine, 24 kHz, 16-bit mono little-endian."""
    frames = round(speech_duration(text, speed) * SPEECH_RATE)
    t = np.arange(frames, dtype=np.float64) / SPEECH_RATE
    wave = SPEECH_AMPLITUDE * np.sin(2 * math.pi * SPEECH_TONE_HZ * t)
    return (wave * 32767).astype("<i2").tobytes()


@lru_cache(maxsize=64)
def encode_speech(text: str, speed: float, fmt: str) -> bytes:
    """The speech body for a ``response_format``.

    wav, flac, opus (Ogg Opus) and mp3 are real files written by soundfile; ``pcm`` is raw; ``aac``
    is synthetic (libsndfile cannot write AAC): see ``synthetic_aac``.
    """
    pcm = speech_pcm(text, speed)
    if fmt == "pcm":
        return pcm
    if fmt == "aac":
        return synthetic_aac(len(pcm) // 2)
    container, subtype = _SOUNDFILE_FORMATS[fmt]
    samples = np.frombuffer(pcm, dtype="<i2")
    out = io.BytesIO()
    soundfile.write(out, samples, SPEECH_RATE, format=container, subtype=subtype)
    return out.getvalue()


# A silent AAC-LC single-channel-element raw_data_block, as streaming tools pad with. Not checked
# with a decoder here (none is installed): treat the AAC answer as "bytes with the right framing".
_SILENT_AAC_PAYLOAD = bytes([0x01, 0x40, 0x20, 0x07])


def synthetic_aac(frames: int) -> bytes:
    """ADTS frames (AAC-LC, 24 kHz, mono), one per 1024 samples, each carrying a silent block.

    Every frame starts with the 0xFFF1 sync word and a correct frame length, so a client that
    sniffs or splits ADTS sees a well-formed stream.
    """
    count = max(1, math.ceil(frames / 1024))
    length = 7 + len(_SILENT_AAC_PAYLOAD)
    profile, sampling_index, channels = 1, 6, 1  # AAC-LC (object type 2 -> 1), 24 kHz, mono
    header = struct.pack(
        ">BBBBBBB",
        0xFF,
        0xF1,  # sync, MPEG-4, layer 0, no CRC
        (profile << 6) | (sampling_index << 2) | (channels >> 2),
        ((channels & 3) << 6) | (length >> 11),
        (length >> 3) & 0xFF,
        ((length & 7) << 5) | 0x1F,  # buffer fullness 0x7FF (VBR)
        0xFC,
    )
    return (header + _SILENT_AAC_PAYLOAD) * count


def audio_duration(data: bytes) -> float:
    """Seconds in an uploaded clip: soundfile's answer when it can read it, else bytes / 32000.

    The fallback treats unknown bytes as 16 kHz 16-bit mono, which keeps segment timings
    deterministic for uploads (webm, m4a) libsndfile cannot open.
    """
    try:
        info = soundfile.info(io.BytesIO(data))
        if info.samplerate > 0 and info.frames > 0:
            return float(info.frames / info.samplerate)
    except Exception:  # unreadable audio falls back to the size rule
        pass
    return round(len(data) / 32_000, 3)


def embedding_vector(text: str, dims: int) -> np.ndarray:
    """A unit-length float32 vector that depends only on ``text`` and ``dims``."""
    seed = int.from_bytes(_digest("embedding", text)[:8], "little")
    vector = np.random.default_rng(seed).standard_normal(dims)
    vector /= np.linalg.norm(vector) or 1.0
    return vector.astype(np.float32)


def token_count(text: str) -> int:
    """The usage rule for text: one token per started 4 characters (at least 1 for non-empty)."""
    return (len(text) + 3) // 4
