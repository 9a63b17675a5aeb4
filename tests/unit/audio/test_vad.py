"""The energy VAD on synthetic signals: start/end timing, clicks, pauses, adapting to noise."""

from __future__ import annotations

import numpy as np
import pytest

from app.audio import EnergyVAD, VadEvent

RATE = 16000
RNG = np.random.default_rng(3)


def noise(seconds: float, db: float) -> np.ndarray:
    return (RNG.standard_normal(int(RATE * seconds)) * 10 ** (db / 20)).astype(np.float32)


def voice(seconds: float, db: float = -20.0, floor_db: float = -60.0) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (np.sqrt(2) * 10 ** (db / 20) * np.sin(2 * np.pi * 180 * t)).astype(np.float32) + noise(seconds, floor_db)


def run(vad: EnergyVAD, signal: np.ndarray, block: int = 320) -> list[VadEvent]:
    events: list[VadEvent] = []
    for i in range(0, len(signal), block):
        events += vad.process(signal[i:i + block])
    return events


def test_speech_start_and_end_are_timed() -> None:
    vad = EnergyVAD(RATE, start_ms=150, end_ms=700)
    signal = np.concatenate([noise(1.0, -60), voice(1.0), noise(1.5, -60)])
    events = run(vad, signal)
    assert [e.kind for e in events] == ["start", "end"]
    assert events[0].position == pytest.approx(1.0, abs=0.03)  # where the voice began
    assert events[1].position == pytest.approx(2.0, abs=0.03)  # where it ended
    assert not vad.in_speech


def test_start_is_reported_only_after_start_ms() -> None:
    vad = EnergyVAD(RATE, start_ms=200, end_ms=500)
    assert run(vad, noise(0.5, -60)) == []
    assert run(vad, voice(0.18)) == []  # 180 ms: not yet
    assert [e.kind for e in run(vad, voice(0.05))] == ["start"]
    assert vad.in_speech


def test_clicks_and_short_pauses() -> None:
    vad = EnergyVAD(RATE, start_ms=150, end_ms=600)
    click = np.concatenate([noise(0.5, -60), voice(0.04, -6), noise(1.0, -60)])
    assert run(vad, click) == []  # a click is no turn
    speech_with_pauses = np.concatenate([voice(0.5), noise(0.3, -60), voice(0.5), noise(0.04, -60), voice(0.3)])
    events = run(vad, speech_with_pauses)
    assert [e.kind for e in events] == ["start"]  # pauses shorter than end_ms do not end the turn
    assert [e.kind for e in run(vad, noise(0.7, -60))] == ["end"]


def test_syllable_gaps_do_not_reset_the_start_count() -> None:
    vad = EnergyVAD(RATE, start_ms=150, max_gap_ms=60)
    choppy = np.concatenate([noise(0.5, -60)] + [np.concatenate([voice(0.06), noise(0.04, -60)])] * 4)
    assert [e.kind for e in run(vad, choppy)] == ["start"]


def test_adapts_to_a_louder_room() -> None:
    vad = EnergyVAD(RATE, start_ms=150, end_ms=700, floor_rise_db_per_s=3.0)
    events = run(vad, np.concatenate([noise(1.0, -60), noise(8.0, -35)]))
    # A fan switched on looks like speech at first, but the turn ends once the floor catches up.
    assert [e.kind for e in events] == ["start", "end"]
    assert vad.noise_floor_dbfs == pytest.approx(-35, abs=3)
    events = run(vad, np.concatenate([voice(0.6, -12, floor_db=-35), noise(1.0, -35)]))
    assert [e.kind for e in events] == ["start", "end"]  # speech above the new floor still counts


def test_quieter_room_lowers_the_floor_at_once() -> None:
    vad = EnergyVAD(RATE)
    run(vad, noise(1.0, -40))
    run(vad, noise(0.1, -70))
    assert vad.noise_floor_dbfs < -65
    assert [e.kind for e in run(vad, voice(0.5, -45, floor_db=-70))] == ["start"]


def test_digital_silence_does_not_make_every_sound_speech() -> None:
    vad = EnergyVAD(RATE, min_speech_dbfs=-55)
    run(vad, np.zeros(RATE, np.float32))
    assert run(vad, noise(1.0, -70)) == []  # above a -120 dB floor, but below -55 dBFS


def test_odd_block_sizes_and_reset() -> None:
    signal = np.concatenate([noise(0.5, -60), voice(0.5), noise(1.0, -60)])
    a = run(EnergyVAD(RATE), signal, block=320)
    b = run(EnergyVAD(RATE), signal, block=77)
    assert a == b and len(a) == 2
    vad = EnergyVAD(RATE)
    run(vad, np.concatenate([noise(0.5, -60), voice(0.3)]))
    assert vad.in_speech
    floor = vad.noise_floor_dbfs
    vad.reset()
    assert not vad.in_speech and vad.noise_floor_dbfs == floor


@pytest.mark.asyncio
async def test_hands_free_turn_with_an_armed_recorder() -> None:
    """The wiring the Voice tab uses: VAD on the armed stream starts and stops takes, and the
    pre-roll (≥ start_ms) keeps the first syllable that the VAD only confirmed 150 ms later."""
    import asyncio

    from app.audio import Recorder
    from app.audio.fakes import FakeInputFactory

    inputs = FakeInputFactory(samplerate=RATE)
    recorder = Recorder(stream_factory=inputs, preroll_seconds=0.4)
    vad = EnergyVAD(RATE, start_ms=150, end_ms=500)
    actions: list[str] = []

    def on_block(block: np.ndarray) -> None:
        for event in vad.process(block):
            actions.append(event.kind)
            if event.kind == "start":
                asyncio.ensure_future(recorder.start())
            else:
                asyncio.ensure_future(recorder.stop())

    recorder.add_listener(on_block)
    await recorder.open()
    speech = voice(0.8, -20)
    for part in (noise(1.0, -60), speech, noise(1.0, -60)):
        for i in range(0, len(part), 320):
            inputs.stream.emit(part[i:i + 320])
            await asyncio.sleep(0)  # blocks arrive one by one, as in real time
    await asyncio.sleep(0.01)
    assert actions == ["start", "end"]
    take = recorder.last_take
    assert take is not None and take.clip is not None
    clip = take.clip
    loud = np.flatnonzero(np.abs(clip.samples) > 0.05)
    # All 0.8 s of the voice is in the clip, with the onset inside it (not cut off).
    assert (loud[-1] - loud[0]) / RATE == pytest.approx(0.8, abs=0.01)
    assert loud[0] / RATE > 0.1
    await recorder.close()
