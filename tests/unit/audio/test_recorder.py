"""Recorder logic with fake input streams: takes, level, max length, unplug, stall, arming."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from app.audio import Clip, DeviceError, Recorder, StreamingEncoder
from app.audio.fakes import FakeInputFactory

RATE = 16000


def ramp(seconds: float, start: float = 0.0) -> np.ndarray:
    """Distinct values per sample, so order and completeness can be checked exactly."""
    n = int(RATE * seconds)
    return ((np.arange(n) + start * RATE) % 1000 / 2000.0).astype(np.float32)


async def settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


@pytest.mark.asyncio
async def test_take_records_exactly_what_the_device_delivered() -> None:
    inputs = FakeInputFactory(samplerate=RATE)
    recorder = Recorder(stream_factory=inputs)
    take = await recorder.start("USB Mic")
    stream = inputs.stream
    assert stream.device == "USB Mic" and stream.started and recorder.is_recording
    audio = ramp(1.0)
    stream.emit(audio)
    await settle()
    assert recorder.elapsed == pytest.approx(1.0)
    assert recorder.remaining == pytest.approx(119.0)
    clip = await recorder.stop()
    assert isinstance(clip, Clip) and clip.samplerate == RATE and clip.end_reason == "stopped"
    np.testing.assert_array_equal(clip.samples, audio)
    assert take.ended.result() is clip and take.clip is clip
    assert not recorder.is_recording and recorder.remaining is None
    await settle()
    await asyncio.sleep(0.05)
    assert stream.closed and not recorder.is_open  # a per-take stream is closed after stop()
    assert await recorder.stop() is clip  # idempotent


@pytest.mark.asyncio
async def test_blocks_from_portaudios_thread_arrive_in_order() -> None:
    inputs = FakeInputFactory(samplerate=RATE, blocksize=160)
    recorder = Recorder(stream_factory=inputs)
    await recorder.start()
    audio = ramp(2.0)
    thread = threading.Thread(target=inputs.stream.emit, args=(audio,))
    thread.start()
    while thread.is_alive():
        await asyncio.sleep(0.001)
    await settle()
    np.testing.assert_array_equal((await recorder.stop()).samples, audio)


@pytest.mark.asyncio
async def test_level_meter_in_dbfs() -> None:
    inputs = FakeInputFactory(samplerate=RATE)
    recorder = Recorder(stream_factory=inputs)
    await recorder.start()
    assert recorder.level.rms_dbfs <= -100
    t = np.arange(320) / RATE
    inputs.stream.emit((0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32))
    await settle()
    assert recorder.level.peak_dbfs == pytest.approx(-6.02, abs=0.1)
    assert recorder.level.rms_dbfs == pytest.approx(-9.03, abs=0.1)
    inputs.stream.emit(np.zeros(320, np.float32))
    await settle()
    assert recorder.level.rms_dbfs == -120.0
    recorder.cancel()


@pytest.mark.asyncio
async def test_max_length_stops_by_itself() -> None:
    inputs = FakeInputFactory(samplerate=RATE)
    recorder = Recorder(stream_factory=inputs, max_seconds=0.5)
    take = await recorder.start()
    inputs.stream.emit(ramp(0.45))
    await settle()
    assert recorder.remaining == pytest.approx(0.05)
    inputs.stream.emit(ramp(0.3, start=0.45))
    clip = await asyncio.wait_for(take.ended, 1.0)
    assert clip.end_reason == "max_length"
    assert clip.duration == pytest.approx(0.5)
    np.testing.assert_array_equal(clip.samples, ramp(0.75)[: RATE // 2])
    assert not recorder.is_recording
    assert await recorder.stop() is clip


@pytest.mark.asyncio
async def test_unplugged_device_keeps_what_was_recorded() -> None:
    inputs = FakeInputFactory(samplerate=RATE)
    recorder = Recorder(stream_factory=inputs)
    take = await recorder.start()
    inputs.stream.emit(ramp(0.7))
    await settle()
    inputs.stream.unplug()
    clip = await asyncio.wait_for(take.ended, 1.0)
    assert clip.end_reason == "device_lost" and clip.error
    assert clip.duration == pytest.approx(0.7)
    assert not recorder.is_recording and not recorder.is_open
    await asyncio.sleep(0.05)
    assert inputs.stream.closed
    # The next take opens a new stream.
    await recorder.start()
    assert len(inputs.streams) == 2
    recorder.cancel()


@pytest.mark.asyncio
async def test_a_stream_that_stops_delivering_counts_as_lost() -> None:
    inputs = FakeInputFactory(samplerate=RATE)
    recorder = Recorder(stream_factory=inputs, stall_timeout=0.2)
    take = await recorder.start()
    inputs.stream.emit(ramp(0.2))
    clip = await asyncio.wait_for(take.ended, 2.0)
    assert clip.end_reason == "device_lost" and "No sound" in (clip.error or "")
    assert clip.duration == pytest.approx(0.2)


@pytest.mark.asyncio
async def test_a_stream_that_never_delivers_counts_as_lost() -> None:
    recorder = Recorder(stream_factory=FakeInputFactory(samplerate=RATE), start_timeout=0.3)
    take = await recorder.start()
    clip = await asyncio.wait_for(take.ended, 2.0)
    assert clip.end_reason == "device_lost" and clip.duration == 0


@pytest.mark.asyncio
async def test_cancel_drops_the_take() -> None:
    inputs = FakeInputFactory(samplerate=RATE)
    recorder = Recorder(stream_factory=inputs)
    take = await recorder.start()
    inputs.stream.emit(ramp(0.3))
    await settle()
    recorder.cancel()
    assert take.ended.cancelled() and take.clip is None and not recorder.is_recording
    with pytest.raises(RuntimeError):
        await recorder.stop()
    await asyncio.sleep(0.05)
    assert inputs.stream.closed


@pytest.mark.asyncio
async def test_open_errors_propagate_and_the_recorder_stays_usable() -> None:
    inputs = FakeInputFactory(samplerate=RATE, error=DeviceError("Device busy", device="Mic"))
    recorder = Recorder(stream_factory=inputs)
    with pytest.raises(DeviceError, match="busy"):
        await recorder.start("Mic")
    assert not recorder.is_recording and not recorder.is_open
    inputs.error = None
    await recorder.start("Mic")
    assert recorder.is_recording
    with pytest.raises(RuntimeError):
        await recorder.start("Mic")  # one take at a time
    recorder.cancel()


@pytest.mark.asyncio
async def test_armed_stream_gives_preroll_and_stays_open() -> None:
    inputs = FakeInputFactory(samplerate=RATE)
    recorder = Recorder(stream_factory=inputs, preroll_seconds=0.3)
    heard: list[int] = []
    remove = recorder.add_listener(lambda block: heard.append(len(block)))
    await recorder.open("Mic")
    assert recorder.is_armed and not recorder.is_flowing
    before = ramp(1.0)
    inputs.stream.emit(before)
    assert await recorder.wait_flowing(1.0)
    await settle()
    assert sum(heard) == RATE  # listeners (the VAD) hear the armed stream
    await recorder.start()  # no device given: the armed one, no new stream
    assert len(inputs.streams) == 1
    during = ramp(0.5, start=1.0)
    inputs.stream.emit(during)
    await settle()
    clip = await recorder.stop()
    preroll = clip.samples[: len(clip.samples) - len(during)]
    assert 0.3 <= len(preroll) / RATE <= 0.32  # whole blocks of the last ~0.3 s
    np.testing.assert_array_equal(preroll, before[-len(preroll):])
    np.testing.assert_array_equal(clip.samples[len(preroll):], during)
    await asyncio.sleep(0.05)
    assert recorder.is_open and not inputs.stream.closed  # armed: still open for the next take
    remove()
    inputs.stream.emit(ramp(0.1))
    await settle()
    assert sum(heard) == RATE + len(during)
    await recorder.start("Mic")  # the same device named: still no new stream
    recorder.cancel()
    assert len(inputs.streams) == 1
    await recorder.start("Other mic")  # another device: reopened there
    assert len(inputs.streams) == 2 and inputs.streams[0].closed and inputs.stream.device == "Other mic"
    await recorder.close()
    assert inputs.stream.closed and not recorder.is_open and not recorder.is_recording


@pytest.mark.asyncio
async def test_sink_gets_the_take_as_it_is_recorded() -> None:
    inputs = FakeInputFactory(samplerate=48000)
    recorder = Recorder(stream_factory=inputs, max_seconds=1.0)
    encoder = StreamingEncoder("flac")
    take = await recorder.start(sink=encoder)
    t = np.arange(48000 * 2) / 48000
    inputs.stream.emit((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32))
    clip = await asyncio.wait_for(take.ended, 1.0)
    encoded = await encoder.finish()
    assert clip.duration == pytest.approx(1.0) and clip.samplerate == 48000
    assert encoded.samplerate == 16000 and encoded.duration == pytest.approx(1.0, abs=0.001)


@pytest.mark.asyncio
async def test_a_failing_sink_or_listener_does_not_lose_the_recording() -> None:
    class Broken:
        def write(self, samples: np.ndarray, samplerate: int) -> None:
            raise ValueError("disk full")

    inputs = FakeInputFactory(samplerate=RATE)
    recorder = Recorder(stream_factory=inputs)
    recorder.add_listener(lambda block: 1 / 0)
    await recorder.start(sink=Broken())
    inputs.stream.emit(ramp(0.5))
    await settle()
    assert (await recorder.stop()).duration == pytest.approx(0.5)
