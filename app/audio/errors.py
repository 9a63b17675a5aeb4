"""Typed errors of the audio core.

The Voice tab must keep working (and say something useful) when sound is unavailable, so every
failure that can reach the UI is one of these classes. ``app.ui.errors`` maps them to sentences;
nothing here is user-visible text beyond an English message for the log.
"""

from __future__ import annotations


class AudioError(Exception):
    """Base of every error the audio core raises on purpose."""


class AudioUnavailableError(AudioError):
    """PortAudio (the C library under sounddevice) is missing or cannot start.

    ``import sounddevice`` raises ``OSError`` when ``libportaudio2`` is not installed; we turn that
    into this error at the first call that needs sound, never at import time, so the rest of the
    app still starts.
    """


class DeviceError(AudioError):
    """A device could not be opened or used: busy, denied, unsupported settings, vanished."""

    def __init__(self, message: str, *, device: str | int | None = None) -> None:
        super().__init__(message)
        self.device = device


class NoDeviceError(DeviceError):
    """There is no input (or output) device at all: no microphone, no sound card."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"No audio {kind} device is available.")
        self.kind = kind


class DeviceLostError(DeviceError):
    """A stream stopped by itself mid-use (device unplugged, sound server restarted)."""


class FileTooLargeError(AudioError):
    """An upload is over the API's size limit (25 MB for /audio/transcriptions)."""

    def __init__(self, size: int, limit: int, *, path: str | None = None) -> None:
        where = f"{path}: " if path else ""
        super().__init__(f"{where}{size} bytes is over the {limit} bytes upload limit.")
        self.size = size
        self.limit = limit
        self.path = path


class UnsupportedFormatError(AudioError):
    """A format soundfile (libsndfile) cannot read or write, e.g. AAC."""
