"""Every app.audio error has its sentence in app.ui.errors (the only mapping to words)."""

from __future__ import annotations

import pytest

from app.audio.errors import (
    AudioError,
    AudioUnavailableError,
    DeviceError,
    DeviceLostError,
    FileTooLargeError,
    NoDeviceError,
    UnsupportedFormatError,
)
from app.ui.errors import user_message


@pytest.mark.parametrize(("error", "words"), [
    (AudioUnavailableError("PortAudio library not found"), "PortAudio library is missing"),
    (NoDeviceError("input"), "No microphone was found"),
    (NoDeviceError("output"), "No speakers or headphones were found"),
    (DeviceLostError("gone", device="USB Mic"), "“USB Mic” stopped working — was it unplugged?"),
    (DeviceLostError("gone"), "The sound device stopped working"),
    (DeviceError("Device unavailable [PaErrorCode -9985]", device="USB Mic"), "another application may be using it"),
    (DeviceError("Invalid sample rate"), "could not be used"),
    (FileTooLargeError(30 * 1024 * 1024, 25 * 1024 * 1024, path="/x.mp3"), "30.0 MB is over the API's 25 MB"),
    (UnsupportedFormatError("aac"), "format is not supported"),
    (AudioError("odd"), "Something went wrong with sound (AudioError)"),
])
def test_audio_errors_are_sentences(error: BaseException, words: str) -> None:
    text = user_message(error)
    assert words in text
    assert "PaErrorCode" not in text and "/x.mp3" not in text  # no raw internals


def test_other_errors_are_untouched() -> None:
    assert user_message(FileNotFoundError(2, "No such file", "a.wav")) == "File not found: a.wav"
