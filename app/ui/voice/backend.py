"""The Voice tab's device boundary: where streams are opened and devices are listed.

Why a separate object: real PortAudio streams cost ~2 s each to open and need a sound server, so the
tab's tests inject fake streams (``app.audio.fakes``) and fake device lists here, and everything
above this line — recording, guards, barge-in, hands-free — runs unchanged against them.
Every function here blocks (PortAudio): callers run them through ``asyncio.to_thread``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.audio import (
    DeviceInfo,
    ResolvedDevice,
    list_input_devices,
    list_output_devices,
    resolve_input_device,
    resolve_output_device,
)
from app.audio.devices import StreamLike
from app.audio.errors import DeviceError
from app.audio.player import OutputStreamFactory
from app.audio.recorder import InputStreamFactory

__all__ = ["AudioBackend", "StreamGuard"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AudioBackend:
    """Stream factories (``None`` = sounddevice's real streams) and device look-ups."""

    input_factory: InputStreamFactory | None = None
    output_factory: OutputStreamFactory | None = None
    list_inputs: Callable[[], list[DeviceInfo]] = list_input_devices
    list_outputs: Callable[[], list[DeviceInfo]] = list_output_devices
    resolve_input: Callable[[str | None], ResolvedDevice] = resolve_input_device
    resolve_output: Callable[[str | None], ResolvedDevice] = resolve_output_device


class StreamGuard:
    """Wraps a stream factory and remembers the streams it opened, so :meth:`close_all` can close
    them all — including one whose opening was cancelled halfway.

    Why: the recorder and the player open streams through ``asyncio.to_thread``; cancelling the
    awaiting task (the tab closing, the app quitting) cannot stop the worker thread, which then
    returns a stream nobody holds and nobody will close (PortAudio keeps it, and
    ``refresh_devices`` refuses to run while it exists). Once closed, the guard closes such a
    late stream itself, in the worker thread, as soon as it is made.
    """

    def __init__(self, factory: Callable[..., StreamLike]) -> None:
        self._factory = factory
        self._lock = threading.Lock()
        self._streams: set[_GuardedStream] = set()
        self.closed = False

    def __call__(self, **kwargs: Any) -> StreamLike:
        stream = self._factory(**kwargs)
        with self._lock:
            if not self.closed:
                guarded = _GuardedStream(stream, self)
                self._streams.add(guarded)
                return guarded
        _quiet_close(stream)
        raise DeviceError("The Voice tab closed while the sound device was opening.")

    @property
    def open_streams(self) -> int:
        with self._lock:
            return len(self._streams)

    def _forget(self, stream: _GuardedStream) -> None:
        with self._lock:
            self._streams.discard(stream)

    def close_all(self) -> None:
        """Close every stream still open (blocking, briefly) and refuse new ones."""
        with self._lock:
            self.closed = True
            streams, self._streams = list(self._streams), set()
        for stream in streams:
            _quiet_close(stream.inner)


class _GuardedStream:
    """A stream that tells its guard when it is closed; everything else goes to the real stream."""

    def __init__(self, inner: StreamLike, guard: StreamGuard) -> None:
        self.inner = inner
        self._guard = guard

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @property
    def samplerate(self) -> float:
        return self.inner.samplerate

    def start(self) -> None:
        self.inner.start()

    def stop(self) -> None:
        self.inner.stop()

    def abort(self) -> None:
        self.inner.abort()

    def close(self) -> None:
        self._guard._forget(self)
        self.inner.close()


def _quiet_close(stream: StreamLike) -> None:
    for step in (stream.abort, stream.close):
        try:
            step()
        except Exception:
            log.debug("closing a sound stream failed", exc_info=True)
