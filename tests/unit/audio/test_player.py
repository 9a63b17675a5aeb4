"""Player logic with fake output streams: order, gaplessness, odd bytes, barge-in, finished,
resampling, device failures and idle close."""

from __future__ import annotations

import asyncio
import itertools

import numpy as np
import pytest

from app.audio import Clip, DeviceError, DeviceLostError, Player
from app.audio.fakes import FakeOutputFactory


def pcm(values: np.ndarray) -> bytes:
    return np.asarray(values, dtype="<i2").tobytes()


def sequence(n: int, start: int = 1) -> np.ndarray:
    """Non-zero, distinct int16 values: any gap, loss or reordering shows."""
    return (np.arange(n) % 30000 + start).astype(np.int16)


def played(factory: FakeOutputFactory) -> np.ndarray:
    """Everything the fake device pulled, back to int16, leading/trailing silence removed."""
    out = np.concatenate([s.output() for s in factory.streams])
    assert not np.isnan(out).any(), "the callback left part of a buffer unwritten"
    ints = np.round(out * 32768).astype(np.int32)
    nz = np.flatnonzero(ints)
    return ints[nz[0]:nz[-1] + 1] if nz.size else ints[:0]


@pytest.fixture
def outputs() -> FakeOutputFactory:
    factory = FakeOutputFactory(speed=10.0, period=0.01)
    yield factory
    factory.close_all()


@pytest.mark.asyncio
async def test_chunks_with_odd_byte_counts_play_exactly(outputs: FakeOutputFactory) -> None:
    player = Player(stream_factory=outputs)
    data = pcm(sequence(24000))
    cuts = [0, 1, 4, 5, 1001, 1002, 30001, len(data)]
    for a, b in itertools.pairwise(cuts):
        player.feed(data[a:b])
    player.end_clip()
    assert player.is_playing
    assert await asyncio.wait_for(player.finished(), 2.0) is True
    assert not player.is_playing
    np.testing.assert_array_equal(played(outputs), sequence(24000))
    assert outputs.stream.samplerate == 24000
    await player.close()


@pytest.mark.asyncio
async def test_clips_play_back_to_back_without_gaps(outputs: FakeOutputFactory) -> None:
    player = Player(stream_factory=outputs)
    first, second, third = sequence(12000, 1), sequence(6000, 20000), sequence(3000, 5)
    player.feed(pcm(first)[:-1])  # an odd tail: the last byte arrives in the next chunk
    await asyncio.sleep(0.01)  # sentence 1 is already playing ...
    player.feed(pcm(first)[-1:])
    player.end_clip()
    player.feed(pcm(second))  # ... when sentence 2 arrives
    player.end_clip()
    player.play(pcm(third))
    await asyncio.wait_for(player.finished(), 2.0)
    np.testing.assert_array_equal(played(outputs), np.concatenate([first, second, third]))
    await player.close()


@pytest.mark.asyncio
async def test_a_dangling_odd_byte_does_not_shift_the_next_clip(outputs: FakeOutputFactory) -> None:
    player = Player(stream_factory=outputs)
    player.feed(pcm(sequence(100)) + b"\x7f")  # a broken clip with an odd byte count
    player.end_clip()
    player.feed(pcm(sequence(100, 500)))
    player.end_clip()
    await asyncio.wait_for(player.finished(), 2.0)
    np.testing.assert_array_equal(played(outputs), np.concatenate([sequence(100), sequence(100, 500)]))
    await player.close()


@pytest.mark.asyncio
async def test_finished_waits_for_the_last_sample() -> None:
    outputs = FakeOutputFactory(speed=None, latency=0.02)  # pulled by hand
    player = Player(stream_factory=outputs)
    player.feed(pcm(sequence(1000)))
    player.end_clip()
    finished = asyncio.ensure_future(player.finished())
    await asyncio.sleep(0.02)
    outputs.stream.pull(600)
    await asyncio.sleep(0.05)
    assert not finished.done() and player.is_playing
    outputs.stream.pull(600)  # drained: heard once the device latency has passed
    await asyncio.sleep(0)
    assert not finished.done()
    assert await asyncio.wait_for(finished, 1.0) is True
    assert not player.is_playing
    await player.close()


@pytest.mark.asyncio
async def test_an_open_clip_is_not_finished_even_if_the_queue_ran_dry() -> None:
    outputs = FakeOutputFactory(speed=None, latency=0.0)
    player = Player(stream_factory=outputs)
    player.feed(pcm(sequence(100)))
    finished = asyncio.ensure_future(player.finished())
    await asyncio.sleep(0.02)
    outputs.stream.pull(200)  # underrun: the network is slower than playback
    await asyncio.sleep(0.05)
    assert not finished.done() and player.is_playing
    player.feed(pcm(sequence(100, 300)))
    player.end_clip()
    outputs.stream.pull(200)
    assert await asyncio.wait_for(finished, 1.0) is True
    await player.close()


@pytest.mark.asyncio
async def test_stop_silences_at_once_and_drops_the_queue() -> None:
    outputs = FakeOutputFactory(speed=None)
    player = Player(stream_factory=outputs)
    changes: list[bool] = []
    player.on_playing_changed = changes.append
    player.feed(pcm(sequence(48000)))
    player.feed(pcm(sequence(48000)))
    finished = asyncio.ensure_future(player.finished())
    await asyncio.sleep(0.02)
    assert np.all(outputs.stream.pull(240) != 0)
    player.stop()
    assert np.all(outputs.stream.pull(240) == 0)  # the very next buffer is silence
    assert await finished is False
    assert not player.is_playing and changes == [True, False]
    assert player.is_open  # kept open: the next answer starts without the opening stall
    player.feed(pcm(sequence(10)))
    player.end_clip()
    np.testing.assert_array_equal(np.round(outputs.stream.pull(10) * 32768), sequence(10))
    await player.close()


@pytest.mark.asyncio
async def test_resamples_when_the_device_cannot_play_24k() -> None:
    outputs = FakeOutputFactory(device_rate=48000, speed=20.0, period=0.01)
    player = Player(stream_factory=outputs)
    t = np.arange(24000) / 24000
    tone = (0.5 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    data = pcm(tone)
    for i in range(0, len(data), 999):  # odd-sized chunks through the streaming resampler
        player.feed(data[i:i + 999])
    player.end_clip()
    await asyncio.wait_for(player.finished(), 2.0)
    out = outputs.stream.output()
    loud = np.flatnonzero(np.abs(out) > 1e-3)
    out = out[loud[0]:loud[-1] + 1]
    assert player.stream_samplerate == 48000
    assert len(out) == pytest.approx(48000, abs=60)
    spectrum = np.abs(np.fft.rfft(out[:48000] * np.hanning(48000)))
    assert np.argmax(spectrum) * 48000 / 48000 == pytest.approx(440, abs=2)
    outputs.close_all()


@pytest.mark.asyncio
async def test_play_decoded_clip_at_another_rate(outputs: FakeOutputFactory) -> None:
    player = Player(stream_factory=outputs)
    clip = Clip(np.full(44100, 0.25, np.float32), 44100)
    player.play(clip)
    await asyncio.wait_for(player.finished(), 2.0)
    out = played(outputs)
    assert len(out) == pytest.approx(24000, abs=30)
    assert np.median(out) == pytest.approx(0.25 * 32768, abs=2)
    await player.close()


@pytest.mark.asyncio
async def test_open_failure_is_reported_once_and_not_retried_per_chunk() -> None:
    outputs = FakeOutputFactory(error=DeviceError("No such device", device="HDMI"))
    player = Player(stream_factory=outputs, retry_after=0.2)
    errors: list[BaseException] = []
    player.on_error = errors.append
    player.feed(pcm(sequence(100)))
    finished = asyncio.ensure_future(player.finished())
    with pytest.raises(DeviceError):
        await asyncio.wait_for(finished, 1.0)
    for _ in range(5):
        player.feed(pcm(sequence(100)))  # dropped, not five more attempts
    await asyncio.sleep(0.05)
    assert len(errors) == 1 and not player.is_playing
    with pytest.raises(DeviceError):
        await player.open()
    await asyncio.sleep(0.25)
    outputs.error = None
    player.feed(pcm(sequence(100)))  # after retry_after: tried again, and it works now
    player.end_clip()
    assert await asyncio.wait_for(player.finished(), 2.0) is True
    await player.close()


@pytest.mark.asyncio
async def test_unplugged_output_fails_the_waiters_and_recovers() -> None:
    outputs = FakeOutputFactory(speed=None)
    player = Player(stream_factory=outputs)
    player.feed(pcm(sequence(24000)))
    player.end_clip()
    finished = asyncio.ensure_future(player.finished())
    await asyncio.sleep(0.02)
    outputs.stream.pull(100)
    outputs.stream.unplug()
    with pytest.raises(DeviceLostError):
        await asyncio.wait_for(finished, 1.0)
    assert not player.is_playing and not player.is_open
    player.feed(pcm(sequence(10)))
    player.end_clip()
    await asyncio.sleep(0.02)
    assert len(outputs.streams) == 2
    outputs.stream.pull(20)
    assert await asyncio.wait_for(player.finished(), 1.0) is True
    await player.close()


@pytest.mark.asyncio
async def test_warm_up_idle_close_and_device_switch() -> None:
    outputs = FakeOutputFactory(speed=10.0, open_delay=0.05)
    player = Player(stream_factory=outputs, idle_close_seconds=0.1)
    await player.open()
    assert player.is_open and len(outputs.streams) == 1
    player.feed(pcm(sequence(240)))
    player.end_clip()
    await asyncio.wait_for(player.finished(), 1.0)
    assert len(outputs.streams) == 1  # the warm stream was used
    await asyncio.sleep(0.25)
    assert not player.is_open and outputs.streams[0].closed  # closed after being idle
    await player.set_device("Headphones")
    player.play(pcm(sequence(240)))
    await asyncio.wait_for(player.finished(), 1.0)
    assert outputs.stream.device == "Headphones" and len(outputs.streams) == 2
    await player.close()
    assert outputs.stream.closed


@pytest.mark.asyncio
async def test_audio_fed_while_the_stream_opens_is_kept_in_order() -> None:
    outputs = FakeOutputFactory(speed=10.0, open_delay=0.1)
    player = Player(stream_factory=outputs)
    player.feed(pcm(sequence(1000)))
    player.end_clip()
    player.feed(pcm(sequence(500, 2000))[:-1])
    player.feed(pcm(sequence(500, 2000))[-1:])
    player.end_clip()
    assert not player.is_open
    await asyncio.wait_for(player.finished(), 2.0)
    np.testing.assert_array_equal(played(outputs), np.concatenate([sequence(1000), sequence(500, 2000)]))
    await player.close()
