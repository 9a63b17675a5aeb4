"""Preparing recordings for ``/audio/transcriptions``: 16 kHz mono, FLAC or OGG/Opus, guards.

Why 16 kHz mono: it is what Whisper-family recognisers work at internally, so anything more is
upload size for nothing. Why FLAC by default: lossless and fast (a 10 s clip encodes in ~2 ms) and
accepted everywhere; Opus is ~6× smaller (a quarter of WAV easily) but encodes slowly (~20 ms per
second of audio), so for Opus use :class:`StreamingEncoder`, which encodes while the user speaks
and leaves only the tail for the moment Talk is released.

Encoding is blocking work: the UI calls :func:`encode_async` (``asyncio.to_thread``), never
:func:`encode` on the loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from app.audio.clip import Clip, as_mono_float32, to_dbfs
from app.audio.errors import FileTooLargeError
from app.audio.resample import Resampler, resample

__all__ = [
    "ENCODINGS",
    "MAX_UPLOAD_BYTES",
    "MIN_SPEECH_SECONDS",
    "TARGET_SAMPLERATE",
    "EncodedAudio",
    "SpeechCheck",
    "StreamingEncoder",
    "check_speech",
    "check_upload_bytes",
    "check_upload_size",
    "encode",
    "encode_async",
    "frame_levels",
    "is_speech",
    "prepare",
]

TARGET_SAMPLERATE = 16000
#: The API's upload limit for transcriptions and translations ("25 MB").
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
MIN_SPEECH_SECONDS = 0.3

Encoding = Literal["flac", "opus", "wav"]

#: name → (soundfile format, subtype, file extension, MIME type)
ENCODINGS: dict[str, tuple[str, str, str, str]] = {
    "flac": ("FLAC", "PCM_16", ".flac", "audio/flac"),
    "opus": ("OGG", "OPUS", ".ogg", "audio/ogg"),
    "wav": ("WAV", "PCM_16", ".wav", "audio/wav"),
}


@dataclass(frozen=True, slots=True)
class EncodedAudio:
    """An encoded upload. ``file_input`` is what ``client.audio.transcribe(file=...)`` takes: a
    filename with the right extension, since servers pick the decoder from it."""

    data: bytes
    filename: str
    content_type: str
    duration: float
    samplerate: int

    @property
    def file_input(self) -> tuple[str, bytes, str]:
        return (self.filename, self.data, self.content_type)

    def __repr__(self) -> str:
        return f"EncodedAudio({self.filename!r}, {len(self.data)} bytes, {self.duration:.2f}s)"


def _encoding(fmt: str) -> tuple[str, str, str, str]:
    try:
        return ENCODINGS[fmt.lower()]
    except KeyError:
        raise ValueError(f"Unknown encoding {fmt!r}; use one of {', '.join(ENCODINGS)}.") from None


def prepare(clip: Clip, samplerate: int = TARGET_SAMPLERATE) -> np.ndarray:
    """The clip as mono float32 at ``samplerate``, clipped to [-1, 1] (encoders wrap otherwise)."""
    samples = as_mono_float32(clip.samples)
    if clip.samplerate != samplerate:
        samples = resample(samples, clip.samplerate, samplerate)
    return np.clip(samples, -1.0, 1.0)


def encode(clip: Clip, fmt: str = "flac", *, samplerate: int = TARGET_SAMPLERATE,
           limit: int = MAX_UPLOAD_BYTES) -> EncodedAudio:
    """Resample to ``samplerate`` mono and encode (blocking). Raises :class:`FileTooLargeError`
    over ``limit`` (120 s of 16 kHz FLAC is ~4 MB, so only very long recordings get there)."""
    import soundfile as sf

    container, subtype, ext, mime = _encoding(fmt)
    samples = prepare(clip, samplerate)
    buffer = io.BytesIO()
    sf.write(buffer, samples, samplerate, format=container, subtype=subtype)
    data = buffer.getvalue()
    check_upload_bytes(data, limit)
    return EncodedAudio(data, "speech" + ext, mime, len(samples) / samplerate, samplerate)


async def encode_async(clip: Clip, fmt: str = "flac", *, samplerate: int = TARGET_SAMPLERATE) -> EncodedAudio:
    """:func:`encode` on a worker thread."""
    return await asyncio.to_thread(encode, clip, fmt, samplerate=samplerate)


class StreamingEncoder:
    """Encodes a recording while it is being made, on one worker thread.

    Give it to ``Recorder.start(sink=...)``; each block is resampled and encoded in order off the
    loop thread. On release, ``await finish()`` only has the last block and the file trailer left
    (~1 ms), instead of the whole clip (Opus: ~200 ms for 10 s). :meth:`abort` drops it.
    """

    def __init__(self, fmt: str = "opus", *, samplerate: int = TARGET_SAMPLERATE,
                 limit: int = MAX_UPLOAD_BYTES) -> None:
        self._container, self._subtype, self._ext, self._mime = _encoding(fmt)
        self.samplerate = samplerate
        self.limit = limit
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parla-encoder")
        self._buffer = io.BytesIO()
        self._file: Any = None
        self._resampler: Resampler | None = None
        self._input_rate: int | None = None
        self._frames = 0
        self._pending = 0  # blocks queued, not yet encoded (an int is atomic enough here)
        self._done = False
        self._error: BaseException | None = None

    def write(self, samples: np.ndarray, samplerate: int) -> None:
        """Queue a block (called on the loop thread; returns at once)."""
        if self._done:
            raise RuntimeError("StreamingEncoder already finished.")
        if self._input_rate is None:
            self._input_rate = samplerate
        elif samplerate != self._input_rate:
            raise ValueError("The sample rate changed mid-recording.")
        self._pending += 1
        self._executor.submit(self._encode_block, np.array(samples, dtype=np.float32, copy=True))

    @property
    def pending_blocks(self) -> int:
        """Blocks written but not yet encoded: stays near 0 while the worker keeps up."""
        return self._pending

    def _encode_block(self, block: np.ndarray) -> None:
        try:
            self._encode(block)
        finally:
            self._pending -= 1

    def _encode(self, block: np.ndarray) -> None:
        if self._error is not None:
            return
        try:
            import soundfile as sf

            if self._file is None:
                assert self._input_rate is not None
                if self._input_rate != self.samplerate:
                    self._resampler = Resampler(self._input_rate, self.samplerate)
                self._file = sf.SoundFile(self._buffer, mode="w", samplerate=self.samplerate, channels=1,
                                          format=self._container, subtype=self._subtype)
            data = self._resampler.process(block) if self._resampler is not None else block
            if data.size:
                self._file.write(np.clip(data, -1.0, 1.0))
                self._frames += data.size
        except Exception as exc:  # reported by finish()
            self._error = exc

    def _close(self) -> EncodedAudio:
        import soundfile as sf

        if self._error is not None:
            raise self._error
        if self._file is None:  # nothing was recorded: a valid, empty file
            self._file = sf.SoundFile(self._buffer, mode="w", samplerate=self.samplerate, channels=1,
                                      format=self._container, subtype=self._subtype)
        if self._resampler is not None:
            tail = self._resampler.flush()
            if tail.size:
                self._file.write(np.clip(tail, -1.0, 1.0))
                self._frames += tail.size
        self._file.close()
        data = self._buffer.getvalue()
        check_upload_bytes(data, self.limit)
        return EncodedAudio(data, "speech" + self._ext, self._mime, self._frames / self.samplerate,
                            self.samplerate)

    async def finish(self) -> EncodedAudio:
        """Wait for the queued blocks, close the file and return it."""
        if self._done:
            raise RuntimeError("StreamingEncoder already finished.")
        self._done = True
        try:
            return await asyncio.wrap_future(self._executor.submit(self._close))
        finally:
            self._executor.shutdown(wait=False)

    def abort(self) -> None:
        """Discard everything (recording cancelled). Queued blocks are skipped and the file is
        closed on the worker, never left to the garbage collector mid-write."""
        if self._done:
            return
        self._done = True
        self._error = RuntimeError("aborted")
        self._executor.submit(self._discard)
        self._executor.shutdown(wait=False)

    def _discard(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            with contextlib.suppress(Exception):
                file.close()
        self._buffer = io.BytesIO()


# ------------------------------------------------------------------ guards
SpeechCheck = Literal["ok", "too_short", "silent"]


def frame_levels(samples: np.ndarray, samplerate: int, frame_seconds: float = 0.03) -> np.ndarray:
    """RMS level of consecutive frames in dBFS (the last partial frame is dropped)."""
    size = max(1, int(samplerate * frame_seconds))
    count = len(samples) // size
    if count == 0:
        return np.zeros(0)
    frames = np.asarray(samples[:count * size], dtype=np.float64).reshape(count, size)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    return np.array([to_dbfs(float(v)) for v in rms])


def check_speech(clip: Clip, *, min_seconds: float = MIN_SPEECH_SECONDS, floor_dbfs: float = -50.0,
                 margin_db: float = 10.0, min_voiced_seconds: float = 0.1) -> SpeechCheck:
    """Whether a recording is worth sending, and if not why ("I didn't hear anything").

    A frame counts as voiced when it is above ``floor_dbfs`` (a quiet microphone's noise) *and*
    ``margin_db`` above the clip's own noise floor (its 10th-percentile frame): speech rises and
    falls by tens of dB between syllables, while hum, fan noise or a constant tone stay flat.
    """
    if clip.duration < min_seconds:
        return "too_short"
    levels = frame_levels(as_mono_float32(clip.samples), clip.samplerate)
    if levels.size == 0:
        return "too_short"
    noise = float(np.percentile(levels, 10))
    voiced = levels > max(floor_dbfs, noise + margin_db)
    frame_seconds = max(1, int(clip.samplerate * 0.03)) / clip.samplerate
    return "ok" if voiced.sum() * frame_seconds >= min_voiced_seconds else "silent"


def is_speech(clip: Clip, **kwargs: Any) -> bool:
    """False for clips shorter than 0.3 s or without speech energy; see :func:`check_speech`."""
    return check_speech(clip, **kwargs) == "ok"


def check_upload_bytes(data: bytes, limit: int = MAX_UPLOAD_BYTES) -> int:
    """Raise :class:`FileTooLargeError` if ``data`` is over the API limit; return its size."""
    if len(data) > limit:
        raise FileTooLargeError(len(data), limit)
    return len(data)


def check_upload_size(path: str | os.PathLike[str], limit: int = MAX_UPLOAD_BYTES) -> int:
    """For the "transcribe file" tool: the file's size, or :class:`FileTooLargeError` before
    anything is read or sent. ``OSError`` (missing, unreadable) propagates."""
    size = Path(path).stat().st_size
    if size > limit:
        raise FileTooLargeError(size, limit, path=str(path))
    return size
