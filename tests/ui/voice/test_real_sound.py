"""The Voice tab through a real sound server: PulseAudio's null sink ``ci_sink``, whose monitor is
the default source (``scripts/with-services`` starts it). Real speech made with espeak-ng is played
into the sink with ``paplay`` — so the microphone hears it —, and what the tab plays comes back the
same way. Each real stream costs a ~2 s stall here, so there are only two tests; everything else is
tested with fake streams. Skipped without a reachable PulseAudio unless ``PARLA_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from app.audio import AudioUnavailableError, load_sounddevice, resample
from app.ui.voice.controller import Phase
from app.ui.voice.page import VoicePage
from tests.ui.conftest import run
from tests.ui.voice.voice_fixtures import *
from tests.ui.voice.voice_fixtures import FakeAudio, VoiceHarness

pytestmark = pytest.mark.sound

SAID = "Hello Parla. What is the weather like today?"


def _unavailable() -> str | None:
    if not os.environ.get("PULSE_SERVER"):
        return "PULSE_SERVER is not set (run the tests under scripts/with-services)"
    for tool in ("pactl", "paplay", "espeak-ng"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    try:
        info = subprocess.run(["pactl", "info"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"pactl info failed: {exc}"
    if info.returncode != 0:
        return f"PulseAudio is not reachable: {info.stderr.strip()}"
    try:
        load_sounddevice()
    except AudioUnavailableError as exc:
        return str(exc)
    return None


@pytest.fixture(scope="module")
def pulse() -> None:
    reason = _unavailable()
    if reason is None:
        return
    if os.environ.get("PARLA_REQUIRE_SERVICES") == "1":
        pytest.fail(f"PARLA_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def speech_wav(tmp_path: Path, pulse: None) -> Path:
    path = tmp_path / "said.wav"
    subprocess.run(["espeak-ng", "-w", str(path), SAID], check=True, capture_output=True, timeout=20)
    return path


@pytest.fixture
def real_voice(qtbot: Any, voice_context: Any, loopback: Any, pulse: None) -> Any:
    pages: list[VoicePage] = []

    def make() -> VoiceHarness:
        page = VoicePage(voice_context)  # the real devices: sounddevice over PulseAudio
        qtbot.addWidget(page)
        page.resize(900, 700)
        page.show()
        qtbot.waitExposed(page)
        pages.append(page)
        harness = VoiceHarness(qtbot, voice_context, page, FakeAudio(), loopback)
        qtbot.waitUntil(lambda: page.controller.recorder.is_armed, timeout=15000)
        assert run(qtbot, page.controller.recorder.wait_flowing(10.0), timeout=12), "the monitor sent nothing"
        return harness

    yield make
    for page in pages:
        run(qtbot, page.controller.aclose(), timeout=15)


def play_into_sink(qtbot: Any, path: Path) -> None:
    """paplay into the null sink, without blocking the event loop (the recorder keeps running)."""
    process = subprocess.Popen(["paplay", "--device=ci_sink", str(path)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    qtbot.waitUntil(lambda: process.poll() is not None, timeout=20000)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""


def envelope(samples: np.ndarray, rate: int, frame: float = 0.02) -> np.ndarray:
    n = int(rate * frame)
    count = len(samples) // n
    frames = samples[: count * n].reshape(count, n).astype(np.float64)
    return np.sqrt(np.mean(frames**2, axis=1))


def best_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """The highest Pearson correlation of ``b`` slid along ``a`` (the recording starts earlier)."""
    best = -1.0
    for offset in range(max(1, len(a) - len(b) + 1)):
        window = a[offset:offset + len(b)]
        if len(window) < len(b):
            break
        best = max(best, float(np.corrcoef(window, b)[0, 1]))
    return best


def peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)), n=4 * len(samples)))
    return float(np.argmax(spectrum) * rate / (4 * len(samples)))


def test_a_whole_push_to_talk_turn_through_pulseaudio(real_voice: Any, speech_wav: Path, loopback: Any,
                                                      qtbot: Any) -> None:
    voice = real_voice()
    loopback.transcription_text = "What is the weather like today?"
    heard: list[np.ndarray] = []
    voice.controller.recorder.add_listener(lambda block: heard.append(block) if voice.controller.phase in (
        Phase.ANSWERING, Phase.SPEAKING) else None)

    voice.press()
    voice.wait_recording()
    play_into_sink(qtbot, speech_wav)
    qtbot.wait(300)  # the monitor's latency
    voice.release()
    qtbot.waitUntil(lambda: len(loopback.requests_to("/audio/transcriptions")) == 1, timeout=10000)

    # What reached the transcription endpoint is the speech that was played, as 16 kHz mono Opus.
    upload = voice.upload()
    data, _rate = sf.read(io.BytesIO(upload.data), dtype="float32")
    info = sf.info(io.BytesIO(upload.data))
    assert (info.format, info.subtype, info.samplerate, info.channels) == ("OGG", "OPUS", 16000, 1)
    said, said_rate = sf.read(speech_wav, dtype="float32")
    said16 = resample(said, said_rate, 16000)
    assert len(data) >= len(said16)
    correlation = best_correlation(envelope(data, 16000), envelope(said16, 16000))
    print(f"speech envelope correlation: {correlation:.3f}")
    assert correlation > 0.8

    # The answer is spoken: the loopback's 440 Hz speech comes back through the sink's monitor.
    voice.wait_idle(timeout=30000)
    assert [t.text for t in voice.controller.model.turns] == ["What is the weather like today?",
                                                             "Echo: What is the weather like today?"]
    assert voice.controller.sentences_played
    recorded = np.concatenate(heard) if heard else np.zeros(0, np.float32)
    loud = envelope(recorded, 16000) > 0.05
    assert loud.sum() * 0.02 > 0.5, "the answer was not heard on the monitor"
    assert abs(peak_hz(recorded, 16000) - 440) < 10


def test_hands_free_does_not_answer_itself_through_a_real_sink(real_voice: Any, speech_wav: Path, loopback: Any,
                                                                qtbot: Any) -> None:
    voice = real_voice()
    loopback.transcription_text = "Tell me a long story please."  # a ~0.9 s spoken answer
    heard: list[np.ndarray] = []
    voice.controller.recorder.add_listener(lambda block: heard.append(block) if voice.controller.phase in (
        Phase.ANSWERING, Phase.SPEAKING) else None)
    voice.page.hands_free_check.setChecked(True)
    qtbot.wait(500)  # the detector learns the (silent) room
    play_into_sink(qtbot, speech_wav)
    qtbot.waitUntil(lambda: len(loopback.requests_to("/audio/transcriptions")) == 1, timeout=10000)
    qtbot.waitUntil(lambda: voice.controller.player.is_playing, timeout=10000)
    voice.wait_idle(timeout=30000)
    qtbot.wait(1500)  # the answer went through the monitor: it must not have started a turn
    assert len(loopback.requests_to("/audio/transcriptions")) == 1
    assert voice.controller.phase is Phase.IDLE
    # …although the microphone did hear it, loud and long enough to be a turn.
    recorded = np.concatenate(heard)
    assert (envelope(recorded, 16000) > 0.05).sum() * 0.02 > 0.5  # the detector needs 0.15 s
