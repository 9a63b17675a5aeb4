"""Speak-while-streaming with a fake speak() and a fake output device: order under out-of-order
completion, bounded concurrency, errors, barge-in, and playback starting before the text ends."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import numpy as np
import pytest

from app.audio import Player, SpeakWhileStreaming, speech_source
from app.audio.fakes import FakeOutputFactory

RATE = 24000


def sentence(k: int) -> str:
    return f"This is sentence number {k} of the answer."


def index_of(text: str) -> int:
    m = re.search(r"number (\d+)", text)
    assert m, text
    return int(m.group(1))


def value(k: int) -> int:
    return 1000 * (k + 1)


def frames_of(k: int) -> int:
    return 2400 + 601 * k  # 0.1 s and up; odd sample counts


class FakeSpeech:
    """speak(sentence) → PCM chunks of a constant per-sentence value, after a per-sentence delay."""

    def __init__(self, delays: dict[int, float] | None = None, *, fail: set[int] | None = None,
                 fail_midway: set[int] | None = None, chunk_bytes: int = 1001) -> None:
        self.delays = delays or {}
        self.fail = fail or set()
        self.fail_midway = fail_midway or set()
        self.chunk_bytes = chunk_bytes
        self.active = 0
        self.max_active = 0
        self.started: list[int] = []
        self.finished: list[int] = []
        self.cancelled: list[tuple[int, float]] = []

    async def speak(self, text: str) -> AsyncIterator[bytes]:
        k = index_of(text)
        self.started.append(k)
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            await asyncio.sleep(self.delays.get(k, 0.0))
            if k in self.fail:
                raise RuntimeError(f"speech failed for {k}")
            data = np.full(frames_of(k), value(k), dtype="<i2").tobytes()
            for i in range(0, len(data), self.chunk_bytes):
                if k in self.fail_midway and i > len(data) // 2:
                    raise ConnectionError("connection reset")
                yield data[i:i + self.chunk_bytes]
                await asyncio.sleep(0)
            self.finished.append(k)
        except asyncio.CancelledError:
            self.cancelled.append((k, time.monotonic()))
            raise
        finally:
            self.active -= 1


def played(outputs: FakeOutputFactory) -> np.ndarray:
    out = np.concatenate([s.output() for s in outputs.streams])
    assert not np.isnan(out).any()
    ints = np.round(out * 32768).astype(np.int32)
    nz = np.flatnonzero(ints)
    return ints[nz[0]:nz[-1] + 1] if nz.size else ints[:0]


def expected(indices: list[int]) -> np.ndarray:
    return np.concatenate([np.full(frames_of(k), value(k), dtype=np.int32) for k in indices])


@pytest.fixture
def outputs() -> FakeOutputFactory:
    factory = FakeOutputFactory(speed=10.0, period=0.01)
    yield factory
    factory.close_all()


@pytest.mark.asyncio
async def test_plays_in_order_without_gaps_when_requests_finish_out_of_order(outputs: FakeOutputFactory) -> None:
    speech = FakeSpeech(delays={0: 0.08, 1: 0.01, 2: 0.04, 3: 0.0, 4: 0.02})
    player = Player(stream_factory=outputs)
    started: list[int] = []
    pipeline = SpeakWhileStreaming(speech.speak, player, max_in_flight=3,
                                   on_sentence=lambda i, s: started.append(i))
    text = " ".join(sentence(k) for k in range(5))
    for i in range(0, len(text), 9):
        pipeline.feed(text[i:i + 9])
    pipeline.end()
    assert await asyncio.wait_for(pipeline.wait(), 5.0) is True
    assert pipeline.sentences == [sentence(k) for k in range(5)]
    assert speech.finished != sorted(speech.finished)  # they really completed out of order
    np.testing.assert_array_equal(played(outputs), expected([0, 1, 2, 3, 4]))  # in order, no gaps
    assert started == [0, 1, 2, 3, 4]
    assert pipeline.done and not player.is_playing
    await player.close()


@pytest.mark.asyncio
async def test_concurrency_is_bounded(outputs: FakeOutputFactory) -> None:
    speech = FakeSpeech(delays={k: 0.02 for k in range(8)})
    player = Player(stream_factory=outputs)
    pipeline = SpeakWhileStreaming(speech.speak, player, max_in_flight=2)
    pipeline.feed(" ".join(sentence(k) for k in range(8)))
    assert pipeline.in_flight == 2
    pipeline.end()
    await asyncio.wait_for(pipeline.wait(), 5.0)
    assert speech.max_active == 2 and pipeline.max_seen_in_flight == 2
    assert speech.started == list(range(8))  # requests start in sentence order
    np.testing.assert_array_equal(played(outputs), expected(list(range(8))))
    await player.close()


@pytest.mark.asyncio
async def test_a_failed_sentence_is_reported_and_skipped(outputs: FakeOutputFactory) -> None:
    speech = FakeSpeech(delays={0: 0.03}, fail={1}, fail_midway={3})
    player = Player(stream_factory=outputs)
    errors: list[tuple[int, str, BaseException]] = []
    pipeline = SpeakWhileStreaming(speech.speak, player, max_in_flight=2,
                                   on_error=lambda i, s, e: errors.append((i, s, e)))
    pipeline.feed(" ".join(sentence(k) for k in range(5)))
    pipeline.end()
    assert await asyncio.wait_for(pipeline.wait(), 5.0) is True
    assert [(i, type(e)) for i, _, e in errors] == [(1, RuntimeError), (3, ConnectionError)]
    assert errors[0][1] == sentence(1) and pipeline.errors == errors
    out = played(outputs)
    assert not np.any(out == value(1))
    runs = [int(v) for v in out[np.r_[True, out[1:] != out[:-1]]]]
    assert runs == [value(0), value(2), value(3), value(4)]  # 3 played up to where it broke
    assert np.count_nonzero(out == value(3)) < frames_of(3)
    await player.close()


@pytest.mark.asyncio
async def test_playback_starts_before_the_text_stream_ends(outputs: FakeOutputFactory) -> None:
    speech = FakeSpeech()
    player = Player(stream_factory=outputs)
    await player.open()
    pipeline = SpeakWhileStreaming(speech.speak, player)
    text = " ".join(sentence(k) for k in range(4))
    first_sentence_at = None
    for i in range(0, len(text), 6):  # a model writing ~6 chars every 10 ms
        if pipeline.feed(text[i:i + 6]) and first_sentence_at is None:
            first_sentence_at = time.monotonic()
        await asyncio.sleep(0.01)
    text_ended_at = time.monotonic()
    pipeline.end()
    await asyncio.wait_for(pipeline.wait(), 5.0)
    first_sound = outputs.stream.first_sound_time()
    assert first_sentence_at is not None and first_sound is not None
    assert first_sound < text_ended_at - 0.1
    assert first_sound - first_sentence_at < 0.1  # well under the 300 ms budget (fake server: instant)
    out = played(outputs)  # the text is slower than playback here, so there are pauses between
    np.testing.assert_array_equal(out[out != 0], expected([0, 1, 2, 3]))
    await player.close()


@pytest.mark.asyncio
async def test_cancel_stops_sound_and_requests_within_100_ms(outputs: FakeOutputFactory) -> None:
    speech = FakeSpeech(delays={0: 0.0, 1: 0.0, 2: 5.0, 3: 5.0, 4: 5.0})
    player = Player(stream_factory=outputs)
    pipeline = SpeakWhileStreaming(speech.speak, player, max_in_flight=3)
    pipeline.feed(" ".join(sentence(k) for k in range(5)) + " And more text is still")
    waiter = asyncio.ensure_future(pipeline.wait())
    for _ in range(200):
        await asyncio.sleep(0.005)
        if player.is_playing and outputs.streams and outputs.stream.first_sound_time():
            break
    assert player.is_playing and speech.active >= 1
    cancelled_at = time.monotonic()
    pipeline.cancel()
    assert not player.is_playing
    await asyncio.sleep(0.1)
    assert speech.active == 0
    assert speech.cancelled and all(at - cancelled_at < 0.1 for _, at in speech.cancelled)
    assert await asyncio.wait_for(waiter, 0.1) is False
    # Everything the device pulled after the cancel (+ one buffer) was silence.
    stream = outputs.stream
    tail = [b for at, b in zip(stream._times, stream._blocks, strict=True) if at > cancelled_at + 0.02]
    assert tail and all(np.all(b == 0) for b in tail)
    assert pipeline.cancelled and pipeline.done
    assert pipeline.feed("More text after the barge-in.") == []
    await pipeline.aclose()
    await player.close()


@pytest.mark.asyncio
async def test_cancel_before_any_audio_and_aclose(outputs: FakeOutputFactory) -> None:
    speech = FakeSpeech(delays={0: 5.0})
    player = Player(stream_factory=outputs)
    pipeline = SpeakWhileStreaming(speech.speak, player)
    pipeline.feed(sentence(0) + " ")
    await asyncio.sleep(0.01)
    await pipeline.aclose()
    assert speech.active == 0 and speech.cancelled
    assert await pipeline.wait() is False
    await player.close()


@pytest.mark.asyncio
async def test_speak_may_be_an_async_function_returning_an_iterator(outputs: FakeOutputFactory) -> None:
    speech = FakeSpeech()

    async def speak(text: str) -> AsyncIterator[bytes]:
        await asyncio.sleep(0.001)
        return speech.speak(text)

    player = Player(stream_factory=outputs)
    pipeline = SpeakWhileStreaming(speak, player)
    pipeline.feed(sentence(0))
    pipeline.end()
    assert await asyncio.wait_for(pipeline.wait(), 5.0)
    np.testing.assert_array_equal(played(outputs), expected([0]))
    await player.close()


@pytest.mark.asyncio
async def test_empty_answer_finishes_at_once(outputs: FakeOutputFactory) -> None:
    pipeline = SpeakWhileStreaming(FakeSpeech().speak, Player(stream_factory=outputs))
    pipeline.feed("```\ncode only\n```\n")
    assert pipeline.end() == []
    assert await asyncio.wait_for(pipeline.wait(), 1.0) is True
    assert outputs.streams == []  # nothing to say: the device was not even opened


@pytest.mark.asyncio
async def test_speech_source_asks_for_pcm_and_closes_the_stream() -> None:
    calls: list[dict[str, Any]] = []
    closed: list[bool] = []

    class FakeAudio:
        def speech(self, text: str, **kw: Any) -> Any:
            calls.append({"input": text, **kw})

            @asynccontextmanager
            async def stream() -> AsyncIterator[Any]:
                async def chunks() -> AsyncIterator[bytes]:
                    yield b"\x01\x00"
                    yield b"\x02"

                try:
                    yield chunks()
                finally:
                    closed.append(True)

            return stream()

    speak = speech_source(FakeAudio(), model="tts-1", voice="alloy", speed=1.25)
    chunks = [c async for c in speak("Hello there.")]
    assert chunks == [b"\x01\x00", b"\x02"] and closed == [True]
    assert calls[0]["response_format"] == "pcm" and calls[0]["voice"] == "alloy"
    assert calls[0]["model"] == "tts-1" and calls[0]["speed"] == 1.25 and calls[0]["input"] == "Hello there."
