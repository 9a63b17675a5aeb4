"""Gapless, ordered playback through one output stream, plus decoding and saving speech audio.

Why one stream that stays open: opening a stream costs a fixed stall on some systems (~2 s with
PulseAudio through ALSA), and closing/reopening between sentences would put gaps between them.
So clips are appended to one queue and the stream's callback pulls from it continuously; when the
queue is empty it plays silence. The stream is closed after ``idle_close_seconds`` of silence (so
the sound card can sleep) and reopened on demand; call :meth:`Player.open` early (e.g. when Talk is
pressed) to have it warm when the answer's audio arrives.

Threading: the callback runs on PortAudio's thread and only touches the queue under a small lock;
it tells the loop that the queue ran dry with ``loop.call_soon_threadsafe``. Everything else runs
on the event loop thread. Stream open/start/close go through ``asyncio.to_thread``.

Barge-in: :meth:`Player.stop` empties the queue; the next callback (≤ the stream latency, 0.1 s)
plays silence. The stream stays open so the next answer starts without a stall.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from app.audio.clip import Clip, as_mono_float32
from app.audio.devices import StreamLike, open_output_stream
from app.audio.errors import DeviceLostError, UnsupportedFormatError
from app.audio.resample import Resampler, resample

__all__ = [
    "PCM_SAMPLERATE",
    "SAVE_FORMATS",
    "OutputStreamFactory",
    "Player",
    "decode_audio",
    "decode_audio_async",
    "pcm_to_clip",
    "save_audio",
    "save_audio_async",
    "save_speech",
    "save_speech_async",
]

log = logging.getLogger(__name__)

#: ``/audio/speech`` with ``response_format="pcm"``: raw 24 kHz signed 16-bit little-endian mono.
PCM_SAMPLERATE = 24000


class OutputStreamFactory(Protocol):
    """Opens (not starts) a mono float32 output stream on ``device``, at ``samplerate`` if the
    device supports it; the returned stream's ``samplerate`` is the rate actually used."""

    def __call__(self, *, device: str | int | None, samplerate: int, callback: Callable[..., None],
                 finished_callback: Callable[[], None]) -> StreamLike: ...


_END = object()  # backlog marker: a clip ended while the stream was still opening


class Player:
    """Plays clips back to back, in the order given, on one output device.

    Feed PCM byte chunks as they arrive with :meth:`feed` and close each clip with
    :meth:`end_clip` (or give whole clips to :meth:`play`). ``await finished()`` waits until all
    of it has been heard. All methods must be called from the event loop thread.
    """

    def __init__(
        self,
        *,
        samplerate: int = PCM_SAMPLERATE,
        device: str | int | None = None,
        stream_factory: OutputStreamFactory | None = None,
        idle_close_seconds: float | None = 30.0,
        retry_after: float = 2.0,
    ) -> None:
        """``samplerate`` is the rate of the PCM given to :meth:`feed` (24 kHz for the speech
        API's ``pcm``); the stream runs at it when the device allows, otherwise audio is
        resampled to the device rate. ``retry_after``: after the device failed to open, audio fed
        within this many seconds is dropped rather than retried per chunk (the error is reported
        once, through ``on_error`` and :meth:`finished`)."""
        self.samplerate = samplerate
        self._device = device
        self._factory: OutputStreamFactory = stream_factory or open_output_stream
        self.idle_close_seconds = idle_close_seconds
        self.retry_after = retry_after
        self._error: BaseException | None = None  # raised once by finished()
        self._failed_at: float | None = None
        #: Called with True/False when playback starts/ends (ends = stopped or all heard).
        self.on_playing_changed: Callable[[bool], None] | None = None
        #: Called when the stream cannot be opened or is lost while playing.
        self.on_error: Callable[[BaseException], None] | None = None
        self._lock = threading.Lock()  # guards _queue/_head/_queued/_had_data/_drain_seq
        self._queue: deque[np.ndarray] = deque()
        self._head = 0
        self._queued = 0
        self._had_data = False
        self._drain_seq = 0
        self._generation = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stream: StreamLike | None = None
        self._stream_rate = 0
        self._stream_latency = 0.1
        self._token = 0
        self._opening: asyncio.Task[BaseException | None] | None = None
        self._backlog: list[Any] = []
        self._resampler: Resampler | None = None
        self._carry = b""
        self._clip_open = False
        self._playing = False
        self._waiters: list[asyncio.Future[bool]] = []
        self._idle_handle: asyncio.TimerHandle | None = None
        self._closing: set[asyncio.Future[None]] = set()
        self.frames_played = 0
        self.underruns = 0

    # ----------------------------------------------------------------- state
    @property
    def is_playing(self) -> bool:
        """True from the first audio fed until everything fed has been heard (or stop())."""
        return self._playing

    @property
    def is_open(self) -> bool:
        return self._stream is not None

    @property
    def device(self) -> str | int | None:
        return self._device

    @property
    def stream_samplerate(self) -> int:
        """The device rate in use (0 while closed)."""
        return self._stream_rate

    @property
    def queued_seconds(self) -> float:
        """Audio queued but not yet pulled by the device."""
        if not self._stream_rate:
            return sum(len(x[0]) / x[1] for x in self._backlog if x is not _END)
        with self._lock:
            return self._queued / self._stream_rate

    # ------------------------------------------------------------- lifecycle
    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeError("Player used from two event loops.")
        return loop

    async def open(self) -> None:
        """Open the stream now, so the first audio plays without the opening stall (call it when
        Talk is pressed: the recording hides the wait). Choose the device with :meth:`set_device`.

        Raises :class:`~app.audio.errors.AudioUnavailableError`,
        :class:`~app.audio.errors.NoDeviceError` or :class:`~app.audio.errors.DeviceError`.
        """
        self._ensure_loop()
        self._cancel_idle_close()
        self._failed_at = None
        task = self._start_opening()
        if task is not None:
            error = await asyncio.shield(task)
            if error is not None:
                raise error
        self._schedule_idle_close()

    async def set_device(self, device: str | int | None) -> None:
        """Use ``device`` from now on; closes the current stream (queued audio is dropped)."""
        self._ensure_loop()
        if device == self._device:
            return
        self._device = device
        self.stop()
        if self._opening is not None and not self._opening.done():
            self._opening.cancel()
            await asyncio.wait([self._opening])  # not `await task`: that would raise its cancel
        await self._close_stream()

    async def close(self) -> None:
        """Stop and close the stream (app exit, Voice tab closed)."""
        if self._loop is None:
            return
        self.stop()
        self._cancel_idle_close()
        if self._opening is not None and not self._opening.done():
            self._opening.cancel()
            await asyncio.wait([self._opening])  # not `await task`: that would raise its cancel
        await self._close_stream()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    # --------------------------------------------------------------- feeding
    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Queue a chunk of s16le mono PCM at :attr:`samplerate`. Chunks may split samples: an odd
        trailing byte is kept and joined to the next chunk of the same clip."""
        self._ensure_loop()
        if self._dropping():
            return
        raw = self._carry + bytes(data)
        if len(raw) % 2:
            self._carry, raw = raw[-1:], raw[:-1]
        else:
            self._carry = b""
        self._clip_open = True
        self._set_playing(True)
        if raw:
            samples = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
            self._push(samples, self.samplerate, streaming=True)
        else:
            self._start_opening()

    def feed_samples(self, samples: np.ndarray, samplerate: int | None = None) -> None:
        """Queue float32/int16 samples (mono, or frames×channels averaged) of the current clip."""
        self._ensure_loop()
        if self._dropping():
            return
        self._clip_open = True
        self._set_playing(True)
        self._push(as_mono_float32(samples), samplerate or self.samplerate, streaming=True)

    def end_clip(self) -> None:
        """The current clip is complete: flush the resampler tail and drop a dangling odd byte
        (so the next clip starts on a sample boundary)."""
        self._ensure_loop()
        if self._carry:
            log.debug("Dropping an odd trailing byte at the end of a PCM clip")
            self._carry = b""
        if not self._clip_open:
            return
        self._clip_open = False
        if self._stream is None:
            self._backlog.append(_END)
            return
        if self._resampler is not None:
            tail = self._resampler.flush()
            self._resampler = None
            if tail.size:
                self._enqueue(tail)
                return
        self._check_idle_soon()

    def play(self, clip: Clip | bytes) -> None:
        """Queue a whole clip (decoded audio, or PCM bytes at :attr:`samplerate`) after the rest."""
        if isinstance(clip, Clip):
            self.end_clip()
            if self._dropping():
                return
            self._clip_open = True
            self._set_playing(True)
            self._push(clip.samples, clip.samplerate, streaming=False)
        else:
            self.end_clip()
            self.feed(clip)
        self.end_clip()

    async def finished(self) -> bool:
        """Wait until everything fed so far (and anything fed meanwhile) has been heard.

        True when it all played, False when :meth:`stop` cut it. Raises the device error if the
        stream could not be opened or was lost.
        """
        self._ensure_loop()
        if not self._playing:
            error, self._error = self._error, None
            if error is not None:
                raise error
            return True
        assert self._loop is not None
        future: asyncio.Future[bool] = self._loop.create_future()
        self._waiters.append(future)
        return await future

    def stop(self) -> None:
        """Barge-in: silence now and drop everything queued. The stream stays open."""
        self._generation += 1
        with self._lock:
            self._queue.clear()
            self._head = 0
            self._queued = 0
            self._had_data = False
            self._drain_seq += 1
        self._backlog.clear()
        self._resampler = None
        self._carry = b""
        self._clip_open = False
        self._error = None
        self._failed_at = None
        self._become_idle(result=False)

    # ------------------------------------------------------------- internals
    def _set_playing(self, playing: bool) -> None:
        if playing:
            self._cancel_idle_close()
        if playing == self._playing:
            return
        self._playing = playing
        if self.on_playing_changed is not None:
            try:
                self.on_playing_changed(playing)
            except Exception:
                log.exception("on_playing_changed failed")

    def _dropping(self) -> bool:
        """True shortly after the device failed to open: audio is dropped, not retried per chunk."""
        if self._failed_at is None or self._loop is None:
            return False
        if self._loop.time() - self._failed_at < self.retry_after:
            return True
        self._failed_at = None
        return False

    def _push(self, samples: np.ndarray, rate: int, *, streaming: bool) -> None:
        if self._stream is None:
            self._backlog.append((samples, rate, streaming))
            self._start_opening()
            return
        if rate == self._stream_rate:
            out = samples
        elif streaming:
            if self._resampler is None or self._resampler.src_rate != rate:
                if self._resampler is not None:
                    tail = self._resampler.flush()
                    if tail.size:
                        self._enqueue(tail)
                self._resampler = Resampler(rate, self._stream_rate)
            out = self._resampler.process(samples)
        else:
            out = resample(samples, rate, self._stream_rate)
        if out.size:
            self._enqueue(np.ascontiguousarray(out, dtype=np.float32))

    def _enqueue(self, samples: np.ndarray) -> None:
        with self._lock:
            self._queue.append(samples)
            self._queued += len(samples)
            self._had_data = True

    def _start_opening(self) -> asyncio.Task[BaseException | None] | None:
        if self._stream is not None:
            return None
        if self._opening is None or self._opening.done():
            self._opening = asyncio.ensure_future(self._open_stream())
        return self._opening

    async def _open_stream(self) -> BaseException | None:
        """Returns the error instead of raising it: nobody may await a task started by feed(),
        and the error already went to waiters and ``on_error``."""
        loop = self._ensure_loop()
        self._token += 1
        token = self._token
        generation = self._generation
        device = self._device

        def finished_callback() -> None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._on_stream_finished, token)

        try:
            stream = await asyncio.to_thread(
                self._factory, device=device, samplerate=self.samplerate,
                callback=self._make_callback(loop, token), finished_callback=finished_callback)
            try:
                await asyncio.to_thread(stream.start)
            except BaseException:
                await asyncio.to_thread(_quiet_close, stream)
                raise
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("Could not open the output device: %s", exc)
            self._fail(exc)
            return exc
        if token != self._token or device != self._device:  # superseded while opening
            await asyncio.to_thread(_quiet_close, stream)
            return None
        self._stream = stream
        self._failed_at = None
        self._error = None  # an old failure is not this stream's
        self._stream_rate = round(stream.samplerate)
        self._stream_latency = float(getattr(stream, "latency", 0.1) or 0.1)
        backlog, self._backlog = self._backlog, []
        clip_open = self._clip_open
        for item in backlog:
            if item is _END:
                self._clip_open = True
                self.end_clip()
            else:
                samples, rate, streaming = item
                self._push(samples, rate, streaming=streaming)
        self._clip_open = clip_open
        if generation == self._generation:
            self._check_idle_soon()
        self._schedule_idle_close()
        return None

    def _make_callback(self, loop: asyncio.AbstractEventLoop, token: int) -> Callable[..., None]:
        def callback(outdata: np.ndarray, frames: int, time: Any, status: Any) -> None:
            # PortAudio's thread: copy from the queue under the lock, nothing else.
            out = outdata[:, 0] if outdata.ndim == 2 else outdata
            filled = 0
            with self._lock:
                queue = self._queue
                while filled < frames and queue:
                    head = queue[0]
                    take = min(len(head) - self._head, frames - filled)
                    out[filled:filled + take] = head[self._head:self._head + take]
                    filled += take
                    self._head += take
                    if self._head >= len(head):
                        queue.popleft()
                        self._head = 0
                self._queued -= filled
                drained = self._had_data and not queue
                if drained:
                    self._had_data = False
                    self._drain_seq += 1
                seq = self._drain_seq
            if filled < frames:
                out[filled:] = 0.0
                if outdata.ndim == 2 and outdata.shape[1] > 1:
                    outdata[:, 1:] = outdata[:, :1]
            self.frames_played += filled
            if drained:
                delay = self._stream_latency
                if time is not None:
                    with contextlib.suppress(Exception):
                        dac = float(time.outputBufferDacTime) - float(time.currentTime)
                        if 0.0 <= dac < 5.0:
                            delay = dac
                delay += filled / max(1, self._stream_rate)
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._on_drained, token, seq, delay)

        return callback

    def _on_drained(self, token: int, seq: int, delay: float) -> None:
        if token != self._token or self._loop is None:
            return
        self._loop.call_later(delay, self._check_idle, seq)

    def _check_idle_soon(self) -> None:
        """After end_clip() when the device already pulled everything: idle once it is heard."""
        if self._loop is None:
            return
        with self._lock:
            empty = not self._queue
            seq = self._drain_seq
        if empty:
            self._loop.call_later(self._stream_latency if self._stream else 0.0, self._check_idle, seq)

    def _check_idle(self, seq: int) -> None:
        with self._lock:
            if self._queue or seq != self._drain_seq:
                return
        if self._clip_open or self._backlog or not self._playing:
            return
        self._become_idle(result=True)

    def _become_idle(self, *, result: bool) -> None:
        waiters, self._waiters = self._waiters, []
        for future in waiters:
            if not future.done():
                future.set_result(result)
        self._set_playing(False)
        self._schedule_idle_close()

    def _fail(self, exc: BaseException, *, cooldown: bool = True) -> None:
        if cooldown and self._loop is not None:
            self._failed_at = self._loop.time()
        self._backlog.clear()
        self._resampler = None
        self._carry = b""
        self._clip_open = False
        with self._lock:
            self._queue.clear()
            self._head = 0
            self._queued = 0
            self._had_data = False
            self._drain_seq += 1
        waiters, self._waiters = self._waiters, []
        for future in waiters:
            if not future.done():
                future.set_exception(exc)
        if not waiters:
            self._error = exc  # for the next finished()
        self._set_playing(False)
        if self.on_error is not None:
            try:
                self.on_error(exc)
            except Exception:
                log.exception("on_error failed")

    def _on_stream_finished(self, token: int) -> None:
        if token != self._token or self._stream is None:
            return
        stream, self._stream = self._stream, None
        self._stream_rate = 0
        self._token += 1
        self._track_close(stream)
        # No cool-down: the next audio reopens at once (the default device, if this one is gone).
        self._fail(DeviceLostError("The output stream stopped by itself (device unplugged or sound server gone).",
                                   device=self._device), cooldown=False)

    def _track_close(self, stream: StreamLike) -> None:
        future = asyncio.ensure_future(asyncio.to_thread(_quiet_close, stream))
        self._closing.add(future)
        future.add_done_callback(self._closing.discard)

    async def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        self._stream_rate = 0
        self._token += 1
        self._resampler = None
        if stream is not None:
            await asyncio.to_thread(_quiet_close, stream)

    def _schedule_idle_close(self) -> None:
        self._cancel_idle_close()
        if self.idle_close_seconds is None or self._loop is None or self._playing or self._stream is None:
            return
        self._idle_handle = self._loop.call_later(self.idle_close_seconds, self._idle_close)

    def _cancel_idle_close(self) -> None:
        if self._idle_handle is not None:
            self._idle_handle.cancel()
            self._idle_handle = None

    def _idle_close(self) -> None:
        self._idle_handle = None
        if self._playing or self._stream is None:
            return
        stream, self._stream = self._stream, None
        self._stream_rate = 0
        self._token += 1
        self._track_close(stream)


def _quiet_close(stream: StreamLike) -> None:
    try:
        stream.abort()
    except Exception:
        log.debug("abort() failed", exc_info=True)
    try:
        stream.close()
    except Exception:
        log.debug("close() failed", exc_info=True)


# ---------------------------------------------------------------- decoding & saving
#: Formats :func:`save_audio` writes (libsndfile 1.2 in soundfile's wheel). AAC is not among them:
#: ask the speech endpoint for ``aac`` and save its bytes as they are (:func:`save_speech`).
SAVE_FORMATS: dict[str, tuple[str, str | None]] = {
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "opus": ("OGG", "OPUS"),
    "ogg": ("OGG", "VORBIS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}
_OPUS_RATES = (8000, 12000, 16000, 24000, 48000)


def pcm_to_clip(data: bytes, samplerate: int = PCM_SAMPLERATE) -> Clip:
    """Raw s16le mono PCM (the speech API's ``pcm``) as a :class:`Clip`; an odd last byte is
    dropped."""
    usable = len(data) - len(data) % 2
    samples = np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0
    return Clip(samples, samplerate)


def decode_audio(data: bytes) -> Clip:
    """Decode WAV/FLAC/OGG (Vorbis, Opus)/MP3 bytes to a mono clip (blocking: use
    :func:`decode_audio_async` from the UI). Raises :class:`UnsupportedFormatError` otherwise
    (AAC, truncated or garbage data)."""
    import soundfile as sf

    try:
        samples, rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise UnsupportedFormatError(f"Cannot decode this audio: {exc}") from exc
    return Clip(as_mono_float32(samples), int(rate))


async def decode_audio_async(data: bytes) -> Clip:
    return await asyncio.to_thread(decode_audio, data)


def _format_of(path: Path, fmt: str | None) -> str:
    name = (fmt or path.suffix.lstrip(".")).lower()
    return {"oga": "ogg", "wave": "wav"}.get(name, name)


def save_audio(clip: Clip, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``clip`` as wav/flac/opus/ogg/mp3 (``fmt`` or the path's suffix). Blocking.

    Opus only takes 8/12/16/24/48 kHz, so other rates are resampled to 48 kHz first.
    """
    import soundfile as sf

    target = Path(path)
    name = _format_of(target, fmt)
    if name not in SAVE_FORMATS:
        raise UnsupportedFormatError(f"Cannot write {name or 'this'} files; use one of: {', '.join(SAVE_FORMATS)}.")
    container, subtype = SAVE_FORMATS[name]
    samples, rate = clip.samples, clip.samplerate
    if name == "opus" and rate not in _OPUS_RATES:
        samples, rate = resample(samples, rate, 48000), 48000
    try:
        sf.write(str(target), np.clip(samples, -1.0, 1.0), rate, format=container, subtype=subtype)
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise UnsupportedFormatError(f"Cannot write {name}: {exc}") from exc
    return target


async def save_audio_async(clip: Clip, path: str | Path, fmt: str | None = None) -> Path:
    return await asyncio.to_thread(save_audio, clip, path, fmt)


def save_speech(data: bytes, response_format: str, path: str | Path, fmt: str | None = None) -> Path:
    """Save speech bytes the server returned in ``response_format`` as ``fmt`` (or the path's
    suffix): the bytes as they are when the formats match (no re-encoding loss, and the only way
    for AAC), else decoded and re-encoded. ``pcm`` is 24 kHz s16le."""
    target = Path(path)
    source = response_format.lower()
    name = _format_of(target, fmt)
    if source == name:
        target.write_bytes(data)
        return target
    clip = pcm_to_clip(data) if source == "pcm" else decode_audio(data)
    return save_audio(clip, target, name)


async def save_speech_async(data: bytes, response_format: str, path: str | Path, fmt: str | None = None) -> Path:
    return await asyncio.to_thread(save_speech, data, response_format, path, fmt)
