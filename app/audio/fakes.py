"""Stand-ins for sounddevice streams, injected at the device boundary in tests.

Real streams cost seconds to open (and need a sound server), so the logic around them — takes,
max length, unplugging, gapless ordering, barge-in — is tested with these. They are in the
package, not under ``tests/``, because the Voice tab's tests need them too::

    inputs = FakeInputFactory(samplerate=16000)
    recorder = Recorder(stream_factory=inputs)
    ...
    inputs.stream.emit(np.zeros(320, np.float32))   # as if PortAudio delivered a block

    outputs = FakeOutputFactory(speed=4.0)           # a clock thread pulls 4× faster than real time
    player = Player(stream_factory=outputs)
    ...
    outputs.stream.output()                          # everything "played", as one array
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["FakeInputFactory", "FakeInputStream", "FakeOutputFactory", "FakeOutputStream", "FakeTime"]


@dataclass
class FakeTime:
    """The ``time`` argument PortAudio gives callbacks (only what the player reads)."""

    currentTime: float = 0.0
    outputBufferDacTime: float = 0.0
    inputBufferAdcTime: float = 0.0


class FakeInputStream:
    """An input stream whose blocks are pushed by the test with :meth:`emit`."""

    def __init__(self, *, device: str | int | None, callback: Callable[..., None],
                 finished_callback: Callable[[], None], samplerate: float, blocksize: int) -> None:
        self.device = device
        self.samplerate = float(samplerate)
        self.blocksize = blocksize
        self.latency = 0.02
        self._callback = callback
        self._finished_callback = finished_callback
        self.started = False
        self.active = False
        self.closed = False
        self.aborted = False

    def start(self) -> None:
        if self.closed:
            raise RuntimeError("start() on a closed stream")
        self.started = self.active = True

    def stop(self) -> None:
        self.active = False

    def abort(self) -> None:
        self.active = False
        self.aborted = True

    def close(self) -> None:
        self.active = False
        self.closed = True

    def emit(self, samples: np.ndarray, *, blocksize: int | None = None, overflow: bool = False) -> int:
        """Deliver ``samples`` to the callback in blocks (from the calling thread, as PortAudio
        would from its own). Returns the number of blocks; nothing is delivered unless active."""
        if not self.active:
            return 0
        data = np.asarray(samples, dtype=np.float32).reshape(-1)
        size = blocksize or self.blocksize
        count = 0
        for start in range(0, len(data), size):
            block = data[start:start + size].reshape(-1, 1)
            self._callback(block, len(block), FakeTime(), overflow)
            count += 1
        return count

    def unplug(self) -> None:
        """As when a USB microphone is pulled: the stream stops and says so."""
        self.active = False
        self._finished_callback()


class FakeInputFactory:
    """Callable like :func:`app.audio.devices.open_input_stream`; remembers what it opened.

    ``error``: raise it on open (a busy device, no device). ``samplerate``: the rate the fake
    device records at.
    """

    def __init__(self, *, samplerate: int = 16000, blocksize: int | None = None,
                 error: BaseException | None = None) -> None:
        self.samplerate = samplerate
        self.blocksize = blocksize or samplerate // 50
        self.error = error
        self.streams: list[FakeInputStream] = []

    def __call__(self, *, device: str | int | None, callback: Callable[..., None],
                 finished_callback: Callable[[], None], **_: Any) -> FakeInputStream:
        if self.error is not None:
            raise self.error
        stream = FakeInputStream(device=device, callback=callback, finished_callback=finished_callback,
                                 samplerate=self.samplerate, blocksize=self.blocksize)
        self.streams.append(stream)
        return stream

    @property
    def stream(self) -> FakeInputStream:
        """The most recently opened stream."""
        return self.streams[-1]


class FakeOutputStream:
    """An output stream pulled by a clock thread (``speed`` × real time), or by hand with
    :meth:`pull` when ``speed`` is None. Everything pulled is kept for :meth:`output`."""

    def __init__(self, *, device: str | int | None, samplerate: float, callback: Callable[..., None],
                 finished_callback: Callable[[], None], speed: float | None, period: float,
                 latency: float) -> None:
        self.device = device
        self.samplerate = float(samplerate)
        self.latency = latency
        self._callback = callback
        self._finished_callback = finished_callback
        self.speed = speed
        self.period = period
        self.active = False
        self.closed = False
        self._blocks: list[np.ndarray] = []
        self._times: list[float] = []  # monotonic time of each pulled block
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.closed:
            raise RuntimeError("start() on a closed stream")
        self.active = True
        if self.speed is not None and self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="fake-output", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        frames = max(1, round(self.samplerate * self.period))
        interval = self.period / (self.speed or 1.0)
        next_at = time.monotonic()
        while not self._stop.is_set():
            self.pull(frames)
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                self._stop.wait(delay)

    def pull(self, frames: int) -> np.ndarray:
        """Run the callback once for ``frames`` frames (what the device would do) and return it."""
        out = np.full((frames, 1), np.nan, dtype=np.float32)
        now = time.monotonic()
        self._callback(out, frames, FakeTime(now, now + self.latency / (self.speed or 1.0)), None)
        block = out[:, 0].copy()
        with self._lock:
            self._blocks.append(block)
            self._times.append(now)
        return block

    def _halt(self) -> None:
        self.active = False
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)

    def stop(self) -> None:
        self._halt()

    def abort(self) -> None:
        self._halt()

    def close(self) -> None:
        self._halt()
        self.closed = True

    def unplug(self) -> None:
        """The device vanished: no more pulls, and the stream reports it finished."""
        self._halt()
        self._finished_callback()

    def output(self) -> np.ndarray:
        """All samples pulled so far, concatenated."""
        with self._lock:
            return np.concatenate(self._blocks) if self._blocks else np.zeros(0, dtype=np.float32)

    def first_sound_time(self, threshold: float = 1e-6) -> float | None:
        """``time.monotonic()`` of the first pulled block that was not silence."""
        with self._lock:
            for at, block in zip(self._times, self._blocks, strict=True):
                if np.any(np.abs(block) > threshold):
                    return at
        return None


class FakeOutputFactory:
    """Callable like :func:`app.audio.devices.open_output_stream`.

    ``device_rate``: the rate the fake device runs at (None = whatever is asked). ``speed``: how
    much faster than real time the clock thread pulls (None = only manual :meth:`~FakeOutputStream.pull`).
    ``open_delay``: seconds open() blocks, like a slow device. ``error``: raise it on open.
    """

    def __init__(self, *, device_rate: int | None = None, speed: float | None = 1.0, period: float = 0.005,
                 latency: float = 0.01, open_delay: float = 0.0, error: BaseException | None = None) -> None:
        self.device_rate = device_rate
        self.speed = speed
        self.period = period
        self.latency = latency
        self.open_delay = open_delay
        self.error = error
        self.streams: list[FakeOutputStream] = []

    def __call__(self, *, device: str | int | None, samplerate: int, callback: Callable[..., None],
                 finished_callback: Callable[[], None], **_: Any) -> FakeOutputStream:
        if self.open_delay:
            time.sleep(self.open_delay)
        if self.error is not None:
            raise self.error
        stream = FakeOutputStream(device=device, samplerate=self.device_rate or samplerate, callback=callback,
                                  finished_callback=finished_callback, speed=self.speed, period=self.period,
                                  latency=self.latency)
        self.streams.append(stream)
        return stream

    @property
    def stream(self) -> FakeOutputStream:
        """The most recently opened stream."""
        return self.streams[-1]

    def close_all(self) -> None:
        for stream in self.streams:
            stream.close()
