"""Fixtures for the Voice tab's tests: fake sound devices, a context with a real store, a page.

The devices are injected at the boundary (``AudioBackend``): ``FakeInputFactory`` streams whose
blocks the test pushes with :func:`speak_into`, and a ``FakeOutputFactory`` whose clock thread pulls
what the player plays (``speed`` × real time). Everything above — recorder, encoder, guards, the
controller, the page — is the real code, talking to the loopback server.

Import into a test module with ``from tests.ui.voice.voice_fixtures import *``.
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Awaitable, Iterator
from typing import Any, TypeVar

import numpy as np
import pytest
import soundfile as sf
from PySide6.QtCore import QPoint, Qt

from app.audio import DeviceInfo, ResolvedDevice
from app.audio.errors import NoDeviceError
from app.audio.fakes import FakeInputFactory, FakeOutputFactory
from app.profiles import Profile
from app.store import AsyncStore, database_path
from app.ui.context import AppContext
from app.ui.voice.backend import AudioBackend
from app.ui.voice.controller import Phase
from app.ui.voice.page import VoicePage
from tests.ui.conftest import run

T = TypeVar("T")

__all__ = [
    "FakeAudio",
    "VoiceHarness",
    "fake_audio",
    "make_voice",
    "resolve",
    "silence",
    "speechlike",
    "voice",
    "voice_context",
]

RATE = 16000


def resolve(qtbot: Any, awaitable: Awaitable[T], timeout: float = 10.0) -> T:
    async def wait() -> T:
        return await awaitable

    return run(qtbot, wait(), timeout)


def speechlike(seconds: float, rate: int = RATE, *, level: float = 0.3, syllables_per_second: float = 3.0) -> np.ndarray:
    """Bursts of a voiced tone (syllables) over faint noise: passes the speech guard and the VAD."""
    t = np.arange(int(seconds * rate)) / rate
    envelope = (np.sin(2 * np.pi * syllables_per_second * t) > -0.2).astype(np.float32)
    voiced = level * (0.6 * np.sin(2 * np.pi * 190 * t) + 0.4 * np.sin(2 * np.pi * 380 * t))
    noise = np.random.default_rng(7).normal(0, 1e-4, len(t))
    return (voiced * envelope + noise).astype(np.float32)


def silence(seconds: float, rate: int = RATE) -> np.ndarray:
    return np.random.default_rng(3).normal(0, 1e-4, int(seconds * rate)).astype(np.float32)


def device(name: str, kind: str, index: int, *, default: bool = False) -> DeviceInfo:
    return DeviceInfo(name=name, index=index, hostapi="ALSA", channels=2, default_samplerate=48000.0,
                      is_default=default, kind=kind)  # type: ignore[arg-type]


class FakeAudio:
    """Fake microphone(s) and speakers, and the AudioBackend that hands them to the Voice tab."""

    def __init__(self, *, speed: float | None = 4.0, inputs: list[str] | None = None,
                 outputs: list[str] | None = None) -> None:
        self.inputs = FakeInputFactory(samplerate=RATE)
        self.outputs = FakeOutputFactory(speed=speed)
        self.input_names = inputs if inputs is not None else ["Fake USB microphone", "Built-in microphone"]
        self.output_names = outputs if outputs is not None else ["Fake speakers", "Fake headset"]
        self.backend = AudioBackend(
            input_factory=self.inputs, output_factory=self.outputs,
            list_inputs=lambda: self._devices("input"), list_outputs=lambda: self._devices("output"),
            resolve_input=lambda choice: self._resolve("input", choice),
            resolve_output=lambda choice: self._resolve("output", choice),
        )

    def _devices(self, kind: str) -> list[DeviceInfo]:
        names = self.input_names if kind == "input" else self.output_names
        return [device(name, kind, i, default=(i == len(names) - 1)) for i, name in enumerate(names)]

    def _resolve(self, kind: str, choice: str | None) -> ResolvedDevice:
        devices = self._devices(kind)
        if not devices:
            raise NoDeviceError(kind)
        default = devices[-1]
        if not choice:
            return ResolvedDevice(default, None, False)
        found = next((d for d in devices if d.name == choice), None)
        return ResolvedDevice(found or default, choice, found is None)

    @property
    def mic(self) -> Any:
        return self.inputs.stream

    def played(self) -> np.ndarray:
        return np.concatenate([s.output() for s in self.outputs.streams]) if self.outputs.streams else np.zeros(0)

    def close(self) -> None:
        self.outputs.close_all()


@pytest.fixture
def fake_audio() -> Iterator[FakeAudio]:
    audio = FakeAudio()
    try:
        yield audio
    finally:
        audio.close()


@pytest.fixture
def voice_context(qtbot: Any, make_context: Any, loopback: Any, loopback_profile: Profile, vault: Any) -> Iterator[AppContext]:
    """A context whose profile talks to the loopback server (connected), with an open store."""
    vault.set("default", loopback.token)
    base = make_context(profiles=[loopback_profile])
    store = resolve(qtbot, AsyncStore.open(database_path(base.locations.data)))
    context = dataclasses.replace(base, store=store)
    base.session.start()
    qtbot.waitUntil(lambda: base.session.client is not None, timeout=5000)
    try:
        yield context
    finally:
        run(qtbot, context.tasks.cancel_all())
        resolve(qtbot, store.close())


class VoiceHarness:
    """A shown VoicePage on fake devices and helpers to drive it like a user."""

    def __init__(self, qtbot: Any, context: AppContext, page: VoicePage, audio: FakeAudio, server: Any) -> None:
        self.qtbot = qtbot
        self.context = context
        self.page = page
        self.audio = audio
        self.server = server

    @property
    def controller(self) -> Any:
        return self.page.controller

    @property
    def store(self) -> AsyncStore:
        assert self.context.store is not None
        return self.context.store

    def wait_armed(self) -> None:
        self.qtbot.waitUntil(lambda: self.controller.recorder.is_armed, timeout=5000)

    def wait_phase(self, phase: Phase, timeout: int = 10000) -> None:
        self.qtbot.waitUntil(lambda: self.controller.phase is phase, timeout=timeout)

    def center(self) -> QPoint:
        return self.page.talk_button.rect().center()

    def press(self) -> None:
        self.qtbot.mousePress(self.page.talk_button, Qt.MouseButton.LeftButton, pos=self.center())

    def release(self) -> None:
        self.qtbot.mouseRelease(self.page.talk_button, Qt.MouseButton.LeftButton, pos=self.center())

    def wait_recording(self) -> None:
        self.qtbot.waitUntil(lambda: self.controller.recorder.is_recording, timeout=5000)

    def speak(self, samples: np.ndarray, *, chunk_seconds: float = 0.1, pause_ms: int = 2) -> None:
        """Push samples into the fake microphone in chunks, letting the event loop run in between
        (as PortAudio would deliver them over time)."""
        chunk = int(RATE * chunk_seconds)
        for start in range(0, len(samples), chunk):
            self.audio.mic.emit(samples[start:start + chunk])
            self.qtbot.wait(pause_ms)

    def talk(self, seconds: float = 1.2) -> None:
        """Hold Talk, say something, release."""
        self.press()
        self.wait_recording()
        self.speak(speechlike(seconds))
        self.release()

    def wait_idle(self, timeout: int = 15000) -> None:
        self.qtbot.waitUntil(lambda: self.controller.phase is Phase.IDLE and not self.controller.player.is_playing,
                             timeout=timeout)

    def upload(self, index: int = -1) -> Any:
        return self.server.requests_to("/audio/transcriptions")[index].files["file"][0]


def upload_info(data: bytes) -> Any:
    return sf.info(io.BytesIO(data))


@pytest.fixture
def make_voice(qtbot: Any, voice_context: AppContext, loopback: Any) -> Iterator[Any]:
    """``make_voice(audio=None, armed=True)``: a shown VoicePage on ``audio`` (fake devices)."""
    made: list[tuple[VoicePage, FakeAudio]] = []

    def make(audio: FakeAudio | None = None, *, armed: bool = True) -> VoiceHarness:
        audio = audio or FakeAudio()
        page = VoicePage(voice_context, backend=audio.backend)
        qtbot.addWidget(page)
        page.resize(900, 700)
        page.show()
        qtbot.waitExposed(page)
        made.append((page, audio))
        harness = VoiceHarness(qtbot, voice_context, page, audio, loopback)
        if armed:
            harness.wait_armed()
        return harness

    try:
        yield make
    finally:
        for page, audio in made:
            run(qtbot, page.controller.aclose())
            audio.close()


@pytest.fixture
def voice(make_voice: Any, fake_audio: FakeAudio) -> VoiceHarness:
    return make_voice(fake_audio)


def wait_until(predicate: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)

