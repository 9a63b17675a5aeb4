"""Push-to-talk recording on asyncio: one input stream, takes cut out of it.

Threading: PortAudio calls the stream callback on its own thread. The callback only copies the
block and hands it to the event loop with ``loop.call_soon_threadsafe``; everything else (the
level meter, the take's buffer, the max-length stop, listeners such as the VAD or a streaming
encoder) runs on the loop thread, so none of it needs locks. Opening, starting and closing
streams can block (PortAudio, ALSA, a busy device), so they run through ``asyncio.to_thread``.

Armed vs. per-take streams: on some systems (PulseAudio through ALSA, as in CI) sound only starts
flowing ~2 s after a stream opens. Opening the stream when Talk is pressed would lose the first
words there. So the recorder can be *armed* with :meth:`Recorder.open` (e.g. while the Voice tab is
visible, and always in hands-free mode): the stream runs, blocks feed the meter and listeners, a
short pre-roll is kept, and :meth:`Recorder.start` only marks where the take begins. Without
:meth:`open`, :meth:`start` opens a stream for the take and :meth:`stop` closes it.

Tests inject ``stream_factory`` (see :mod:`app.audio.fakes`): real streams cost seconds each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from types import EllipsisType
from typing import Any, Protocol

import numpy as np

from app.audio.clip import Clip, EndReason, Level
from app.audio.devices import StreamLike, open_input_stream

__all__ = ["BlockSink", "InputStreamFactory", "Recorder", "Take"]

log = logging.getLogger(__name__)


class InputStreamFactory(Protocol):
    """Opens (but does not start) a mono float32 input stream on ``device`` (a name, an index or
    ``None`` for the default). The stream's ``samplerate`` is the rate it records at."""

    def __call__(self, *, device: str | int | None, callback: Callable[..., None],
                 finished_callback: Callable[[], None]) -> StreamLike: ...


class BlockSink(Protocol):
    """Receives a take's audio as it is recorded (on the loop thread), e.g. a streaming encoder,
    so that encoding is done by the time Talk is released."""

    def write(self, samples: np.ndarray, samplerate: int) -> None: ...


class Take:
    """One recording, from :meth:`Recorder.start` to its end.

    ``ended`` resolves with the :class:`Clip` however the take ends: :meth:`Recorder.stop`, the
    maximum length (``clip.end_reason == "max_length"``) or a lost device (``"device_lost"``, with
    what was recorded so far). It is cancelled by :meth:`Recorder.cancel`.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, samplerate: int, max_frames: int,
                 sink: BlockSink | None) -> None:
        self.samplerate = samplerate
        self.max_frames = max_frames
        self.sink = sink
        self.blocks: list[np.ndarray] = []
        self.frames = 0
        self.ended: asyncio.Future[Clip] = loop.create_future()

    @property
    def clip(self) -> Clip | None:
        """The finished clip, or None while recording (or after cancel)."""
        if self.ended.done() and not self.ended.cancelled():
            return self.ended.result()
        return None

    def _add(self, block: np.ndarray) -> bool:
        """Append what fits; True when the maximum length is reached."""
        room = self.max_frames - self.frames
        if room <= 0:
            return True
        if len(block) > room:
            block = block[:room]
        self.blocks.append(block)
        self.frames += len(block)
        if self.sink is not None:
            try:
                self.sink.write(block, self.samplerate)
            except Exception:  # a broken sink must not lose the recording itself
                log.exception("Recording sink failed; it gets no more audio")
                self.sink = None
        return self.frames >= self.max_frames

    def _finish(self, reason: EndReason, error: str | None = None) -> Clip:
        samples = np.concatenate(self.blocks) if self.blocks else np.zeros(0, dtype=np.float32)
        clip = Clip(samples.astype(np.float32, copy=False), self.samplerate, reason, error)
        if not self.ended.done():
            self.ended.set_result(clip)
        return clip


class Recorder:
    """Async push-to-talk recorder with a live level, elapsed time, max length and cancel.

    All methods must be called from the event loop thread.
    """

    def __init__(
        self,
        *,
        stream_factory: InputStreamFactory | None = None,
        max_seconds: float = 120.0,
        preroll_seconds: float = 0.3,
        stall_timeout: float = 1.5,
        start_timeout: float = 6.0,
    ) -> None:
        """``stall_timeout``: once sound flows, a gap this long means the device is gone (PortAudio
        does not always call ``finished_callback`` when a USB device is pulled).
        ``start_timeout``: a take whose stream never delivers anything within this long is ended
        as ``device_lost`` too (e.g. a muted/broken source that opens but stays silent)."""
        self._factory: InputStreamFactory = stream_factory or open_input_stream
        self.max_seconds = max_seconds
        self.preroll_seconds = preroll_seconds
        self.stall_timeout = stall_timeout
        self.start_timeout = start_timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stream: StreamLike | None = None
        self._device: str | int | None = None
        self._token = 0
        self._armed = False
        self._closing_token: int | None = None
        self._flowing: asyncio.Event | None = None
        self._lock: asyncio.Lock | None = None
        self._pending_close: asyncio.Future[None] | None = None  # a lost stream's close, no lock
        self._closer: asyncio.Task[None] | None = None  # a per-take stream's close, takes the lock
        self._preroll: deque[np.ndarray] = deque()
        self._preroll_frames = 0
        self._take: Take | None = None
        self._last_take: Take | None = None
        self._last_block_at = 0.0
        self._opened_at = 0.0
        self._watchdog: asyncio.TimerHandle | None = None
        self._listeners: list[Callable[[np.ndarray], None]] = []
        self.level = Level()
        self.samplerate: int | None = None
        self.overflows = 0

    # ----------------------------------------------------------------- state
    @property
    def is_open(self) -> bool:
        return self._stream is not None

    @property
    def is_armed(self) -> bool:
        return self._armed and self._stream is not None

    @property
    def is_recording(self) -> bool:
        return self._take is not None

    @property
    def is_flowing(self) -> bool:
        """True once the open stream has delivered sound."""
        return self._flowing is not None and self._flowing.is_set()

    @property
    def device(self) -> str | int | None:
        return self._device

    @property
    def elapsed(self) -> float:
        """Seconds recorded in the current take (pre-roll included); 0 when not recording."""
        take = self._take
        return take.frames / take.samplerate if take else 0.0

    @property
    def remaining(self) -> float | None:
        """Seconds left before the automatic stop, for the last-10-seconds countdown."""
        return max(0.0, self.max_seconds - self.elapsed) if self._take else None

    @property
    def take(self) -> Take | None:
        """The take being recorded, if any."""
        return self._take

    @property
    def last_take(self) -> Take | None:
        """The most recent take, recording or ended (its ``clip`` is kept for Retry)."""
        return self._last_take

    def add_listener(self, listener: Callable[[np.ndarray], None]) -> Callable[[], None]:
        """Call ``listener(block)`` on the loop thread for every block while the stream is open
        (recording or only armed), e.g. the hands-free VAD. Returns a function that removes it."""
        self._listeners.append(listener)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return remove

    # ------------------------------------------------------------- lifecycle
    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            self._lock = asyncio.Lock()
        elif self._loop is not loop:
            raise RuntimeError("Recorder used from two event loops.")
        return loop

    async def open(self, device: str | int | None = None) -> None:
        """Arm: open and start the input stream now and keep it open between takes.

        Raises :class:`~app.audio.errors.AudioUnavailableError` (no PortAudio),
        :class:`~app.audio.errors.NoDeviceError` or :class:`~app.audio.errors.DeviceError`.
        """
        self._ensure_loop()
        assert self._lock is not None
        async with self._lock:
            if self._stream is not None and self._device != device:
                await self._close_stream()
            if self._stream is None:
                await self._open_stream(device)
            self._armed = True

    async def wait_flowing(self, timeout: float | None = None) -> bool:
        """Wait until the open stream delivers its first block; False on timeout or if closed."""
        if self._flowing is None:
            return False
        try:
            await asyncio.wait_for(self._flowing.wait(), timeout)
        except TimeoutError:
            return False
        return self._flowing.is_set()

    async def start(self, device: str | int | None | EllipsisType = ..., *,
                    sink: BlockSink | None = None) -> Take:
        """Begin a take. ``device`` omitted: the open (armed) stream, whatever its device, else
        the system default. A device given: the armed stream if it is on that device, otherwise a
        stream opened for this take. Raises the same errors as :meth:`open`."""
        loop = self._ensure_loop()
        assert self._lock is not None
        if self._take is not None:
            raise RuntimeError("Already recording.")
        async with self._lock:
            if device is ...:
                device = self._device if self._stream is not None else None
            if self._stream is not None and self._device != device:
                await self._close_stream()
            if self._stream is None:
                await self._open_stream(device)
            assert self.samplerate is not None
            take = Take(loop, self.samplerate, max(1, round(self.max_seconds * self.samplerate)), sink)
            self._take = take
            self._last_take = take
            preroll = list(self._preroll)
            self._preroll.clear()
            self._preroll_frames = 0
            for block in preroll:
                if take._add(block):
                    break
            self._schedule_watchdog()
            return take

    async def stop(self) -> Clip:
        """End the take and return its clip at once (closing a per-take stream happens after).

        If the take already ended by itself (max length, lost device), returns that clip.
        """
        take = self._take
        if take is None:
            last = self._last_take
            if last is not None and last.clip is not None:
                return last.clip
            raise RuntimeError("Not recording.")
        return self._end_take("stopped")

    def cancel(self) -> None:
        """Drop the current take (if any); its ``ended`` future is cancelled."""
        take = self._take
        if take is None:
            return
        self._take = None
        self._cancel_watchdog()
        take.ended.cancel()
        self._after_take()

    async def close(self) -> None:
        """Disarm and close the stream; a take in progress is cancelled."""
        if self._loop is None:
            return
        self.cancel()
        self._armed = False
        assert self._lock is not None
        if self._closer is not None:
            await asyncio.shield(self._closer)
        async with self._lock:
            await self._close_stream()
        if self._pending_close is not None:
            await asyncio.shield(self._pending_close)

    # ------------------------------------------------------------- internals
    async def _open_stream(self, device: str | int | None) -> None:
        if self._pending_close is not None and not self._pending_close.done():
            await asyncio.shield(self._pending_close)
        loop = self._ensure_loop()
        self._token += 1
        token = self._token

        def callback(indata: np.ndarray, frames: int, time: Any, status: Any) -> None:
            # PortAudio's thread: copy (indata is reused) and hand over; nothing else here.
            block = np.array(indata[:, 0] if indata.ndim == 2 else indata, dtype=np.float32, copy=True)
            with contextlib.suppress(RuntimeError):  # loop closed while the stream still ran
                loop.call_soon_threadsafe(self._on_block, token, block, bool(status))

        def finished_callback() -> None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._on_finished, token)

        stream = await asyncio.to_thread(self._factory, device=device, callback=callback,
                                         finished_callback=finished_callback)
        try:
            await asyncio.to_thread(stream.start)
        except BaseException:
            await asyncio.to_thread(_quiet_close, stream)
            raise
        self._stream = stream
        self._device = device
        self.samplerate = round(stream.samplerate)
        self._flowing = asyncio.Event()
        self._opened_at = loop.time()
        self._last_block_at = loop.time()
        self._preroll.clear()
        self._preroll_frames = 0
        self.level = Level()

    async def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is None:
            return
        self._closing_token = self._token
        self._token += 1  # blocks still in flight are dropped
        if self._flowing is not None:
            self._flowing.set()  # wake wait_flowing(); is_flowing is False once _stream is None
        self._flowing = None
        self.level = Level()
        await asyncio.to_thread(_quiet_close, stream)

    def _on_block(self, token: int, block: np.ndarray, overflowed: bool) -> None:
        if token != self._token or self._stream is None:
            return
        assert self._loop is not None and self.samplerate is not None
        if overflowed:
            self.overflows += 1
        self._last_block_at = self._loop.time()
        if self._flowing is not None and not self._flowing.is_set():
            self._flowing.set()
        self.level = Level.of(block)
        for listener in list(self._listeners):
            try:
                listener(block)
            except Exception:
                log.exception("Recorder listener failed")
        take = self._take
        if take is not None:
            if take._add(block):
                self._end_take("max_length")
        elif self._armed and self.preroll_seconds > 0:
            self._preroll.append(block)
            self._preroll_frames += len(block)
            limit = int(self.preroll_seconds * self.samplerate)
            while self._preroll and self._preroll_frames - len(self._preroll[0]) >= limit:
                self._preroll_frames -= len(self._preroll.popleft())

    def _on_finished(self, token: int) -> None:
        if token != self._token or self._stream is None:
            return  # our own close
        self._device_lost("The input stream stopped by itself (device unplugged or sound server gone).")

    def _device_lost(self, message: str) -> None:
        log.warning("Recording device lost: %s", message)
        stream, self._stream = self._stream, None
        self._token += 1
        self._armed = False
        if self._flowing is not None:
            self._flowing.set()
        self._flowing = None
        self.level = Level()
        if self._take is not None:
            self._end_take("device_lost", message)
        if stream is not None:
            self._pending_close = asyncio.ensure_future(asyncio.to_thread(_quiet_close, stream))

    def _end_take(self, reason: EndReason, error: str | None = None) -> Clip:
        take = self._take
        assert take is not None
        self._take = None
        self._cancel_watchdog()
        clip = take._finish(reason, error)
        self._after_take()
        return clip

    def _after_take(self) -> None:
        """Close a per-take stream in the background, so stop() returns without waiting."""
        if self._armed or self._stream is None:
            return
        assert self._lock is not None
        lock = self._lock

        async def close_later() -> None:
            async with lock:
                if self._take is None and not self._armed:
                    await self._close_stream()

        self._closer = asyncio.ensure_future(close_later())

    def _schedule_watchdog(self) -> None:
        self._cancel_watchdog()
        assert self._loop is not None
        self._watchdog = self._loop.call_later(0.25, self._check_stall)

    def _cancel_watchdog(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    def _check_stall(self) -> None:
        self._watchdog = None
        if self._take is None or self._stream is None or self._loop is None:
            return
        now = self._loop.time()
        if self.is_flowing and now - self._last_block_at > self.stall_timeout:
            self._device_lost(f"No sound from the input device for {self.stall_timeout:g} s.")
            return
        if not self.is_flowing and now - self._opened_at > self.start_timeout:
            self._device_lost(f"The input device sent no sound within {self.start_timeout:g} s.")
            return
        self._schedule_watchdog()


def _quiet_close(stream: StreamLike) -> None:
    """abort() rather than stop(): stop() waits for buffers, and we never need the tail."""
    try:
        stream.abort()
    except Exception:
        log.debug("abort() failed", exc_info=True)
    try:
        stream.close()
    except Exception:
        log.debug("close() failed", exc_info=True)
