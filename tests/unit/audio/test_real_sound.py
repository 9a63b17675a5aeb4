"""A few tests through a real sound server: PulseAudio's null sink ``ci_sink``, whose monitor is
the default source (``scripts/with-services`` starts it and sets ``PULSE_SERVER``). What the Player
plays into the sink, the Recorder hears from the monitor.

Every real stream costs a ~2 s stall here, so the logic is tested with fake streams elsewhere and
this file opens one input and one output stream, once. Skipped when no PulseAudio is reachable,
unless ``PARLA_REQUIRE_SERVICES=1`` (CI), where that is a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time

import numpy as np
import pytest

from app.audio import (
    AudioUnavailableError,
    Player,
    Recorder,
    list_input_devices,
    list_output_devices,
    load_sounddevice,
    pick_capture_samplerate,
    resolve_input_device,
)

pytestmark = pytest.mark.sound


def _unavailable() -> str | None:
    if not os.environ.get("PULSE_SERVER"):
        return "PULSE_SERVER is not set (run the tests under scripts/with-services)"
    if shutil.which("pactl") is None:
        return "pactl is not installed (apt install pulseaudio-utils)"
    try:
        info = subprocess.run(["pactl", "info"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"pactl info failed: {exc}"
    if info.returncode != 0:
        return f"PulseAudio is not reachable at {os.environ['PULSE_SERVER']}: {info.stderr.strip()}"
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


def test_devices_are_listed_and_capture_at_16k(pulse: None) -> None:
    inputs, outputs = list_input_devices(), list_output_devices()
    assert inputs and outputs
    assert any(d.is_default for d in inputs) and any(d.is_default for d in outputs)
    names = {d.name for d in inputs}
    assert names & {"pulse", "default"}, names
    mic = resolve_input_device("pulse" if "pulse" in names else "default")
    assert not mic.fell_back
    assert pick_capture_samplerate(mic.device) == 16000


def frame_rms_db(samples: np.ndarray, rate: int, frame: float = 0.01) -> np.ndarray:
    n = int(rate * frame)
    count = len(samples) // n
    frames = samples[: count * n].reshape(count, n).astype(np.float64)
    return 20 * np.log10(np.sqrt(np.mean(frames**2, axis=1)) + 1e-9)


def peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)), n=8 * len(samples)))
    return float(np.argmax(spectrum) * rate / (8 * len(samples)))


@pytest.mark.asyncio
async def test_tone_played_by_player_is_recorded_back(pulse: None) -> None:
    recorder = Recorder(max_seconds=15)
    player = Player()
    try:
        # Open both at once: their start-up stalls overlap.
        await asyncio.gather(recorder.open(), player.open())
        assert await recorder.wait_flowing(8.0), "the monitor source sent nothing"
        rate = recorder.samplerate
        assert rate == 16000
        await recorder.start()

        # 1 s of 440 Hz as two phase-continuous PCM clips, in chunks with odd byte counts.
        t = np.arange(24000) / 24000
        pcm = (0.5 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2").tobytes()
        half = len(pcm) // 2
        for clip in (pcm[:half], pcm[half:]):
            for i in range(0, len(clip), 1001):
                player.feed(clip[i:i + 1001])
            player.end_clip()
        assert await asyncio.wait_for(player.finished(), 10.0) is True
        await asyncio.sleep(0.3)

        # Barge-in: a long tone, stopped after 0.4 s.
        long_tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(24000 * 5) / 24000) * 32767).astype("<i2")
        player.feed(long_tone.tobytes())
        await asyncio.sleep(0.4)
        stopped_at = recorder.elapsed
        started = time.monotonic()
        player.stop()
        assert time.monotonic() - started < 0.01 and not player.is_playing
        await asyncio.sleep(0.5)
        clip = await recorder.stop()
    finally:
        await recorder.close()
        await player.close()

    samples, levels = clip.samples, frame_rms_db(clip.samples, rate)
    loud = np.flatnonzero(levels > -30)
    assert loud.size, "nothing came back from the monitor"
    # The first tone: one continuous second, no gap between the two clips.
    runs = np.split(loud, np.flatnonzero(np.diff(loud) > 1) + 1)
    first = runs[0]
    assert (first[-1] - first[0] + 1) / 100 == pytest.approx(1.0, abs=0.05)
    segment = samples[first[0] * 160:(first[-1] + 1) * 160]
    assert peak_hz(segment, rate) == pytest.approx(440, abs=3)
    inner = levels[first[0] + 2:first[-1] - 1]
    assert inner.min() > -12, f"a dropout inside the tone ({inner.min():.1f} dB)"
    # The barged-in tone ends soon after stop() (device latency), not 4.6 s later.
    assert len(runs) == 2
    second_end = (runs[1][-1] + 1) / 100
    assert second_end - stopped_at < 0.3, f"sound went on {second_end - stopped_at:.2f} s after stop()"
