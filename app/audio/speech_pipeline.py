"""Speak an answer while it is still streaming: split, fetch speech concurrently, play in order.

Flow: text deltas → :class:`~app.audio.sentences.SentenceSplitter` → one speech request per
sentence, at most ``max_in_flight`` at a time, started in sentence order → each request's PCM
chunks are buffered per sentence → one feeder hands sentence 1's chunks to the
:class:`~app.audio.player.Player` as they arrive, then sentence 2's (already buffered, or as they
arrive), and so on. So sentence 1 starts playing while later sentences are still being fetched and
while the model is still writing, and the clips follow each other without gaps whatever order the
requests finish in.

Failure of one request is reported through ``on_error`` and that sentence is skipped; the rest
goes on. :meth:`SpeakWhileStreaming.cancel` (barge-in) silences the player and cancels every
request at once; cancelling a request's task closes its HTTP stream.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from app.audio.player import Player
from app.audio.sentences import SentenceSplitter

__all__ = ["SpeakFn", "SpeakWhileStreaming", "speech_source"]

log = logging.getLogger(__name__)

#: ``speak(sentence)`` → PCM chunks (s16le mono at the player's rate), either an async generator
#: function or an ``async def`` returning an async iterator.
SpeakFn = Callable[[str], AsyncIterator[bytes] | Awaitable[AsyncIterator[bytes]]]

_DONE = object()
_FAILED = object()


def speech_source(audio: Any, *, model: str, voice: str, speed: float | None = None,
                  instructions: str | None = None, extra_body: dict[str, Any] | None = None,
                  timeout: float | None = None) -> Callable[[str], AsyncIterator[bytes]]:
    """A :data:`SpeakFn` over ``client.audio`` (``app.api.audio.Audio``) asking for ``pcm``, the
    format that can play from its first bytes."""

    async def speak(sentence: str) -> AsyncIterator[bytes]:
        async with audio.speech(sentence, model=model, voice=voice, response_format="pcm", speed=speed,
                                instructions=instructions, extra_body=extra_body, timeout=timeout) as stream:
            async for chunk in stream:
                yield chunk

    return speak


class SpeakWhileStreaming:
    """One spoken answer. ``feed()`` text deltas, ``end()`` when the text is complete, ``await
    wait()`` for the last sound; ``cancel()`` to barge in. Use from the event loop thread."""

    def __init__(
        self,
        speak: SpeakFn,
        player: Player,
        *,
        max_in_flight: int = 2,
        splitter: SentenceSplitter | None = None,
        on_error: Callable[[int, str, BaseException], None] | None = None,
        on_sentence: Callable[[int, str], None] | None = None,
    ) -> None:
        """``max_in_flight``: concurrent speech requests (2–3 keeps ahead of playback without
        hammering the server). ``on_error(index, sentence, exc)``: a sentence's request failed
        (it is skipped). ``on_sentence(index, sentence)``: its first audio went to the player."""
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1.")
        self._speak = speak
        self.player = player
        self.max_in_flight = max_in_flight
        self._splitter = splitter or SentenceSplitter()
        self.on_error = on_error
        self.on_sentence = on_sentence
        self.sentences: list[str] = []
        self.errors: list[tuple[int, str, BaseException]] = []
        self._queues: list[asyncio.Queue[object]] = []
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._next_start = 0
        self._in_flight = 0
        self.max_seen_in_flight = 0
        self._ended = False
        self._cancelled = False
        self._wakeup: asyncio.Event | None = None
        self._feeder: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ API
    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def done(self) -> bool:
        """All audio handed over and heard (or cancelled)."""
        return self._cancelled or (self._feeder is not None and self._feeder.done())

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def feed(self, delta: str) -> list[str]:
        """Text from the stream; returns the sentences it completed (already queued for speech)."""
        if self._cancelled or self._ended:
            return []
        found = self._splitter.feed(delta)
        self._add(found)
        return found

    def end(self) -> list[str]:
        """The text stream is complete: the last sentence(s) are queued too."""
        if self._cancelled or self._ended:
            return []
        found = self._splitter.flush()
        self._ended = True
        self._add(found)
        self._ensure_feeder()
        self._wake()
        return found

    async def wait(self) -> bool:
        """Until everything is spoken: True, or False if cancelled. Call after :meth:`end`.

        Raises the player's device error (no output device, unplugged) if playback failed.
        """
        if self._cancelled:
            return False
        self._ensure_feeder()
        assert self._feeder is not None
        try:
            await asyncio.shield(self._feeder)
        except asyncio.CancelledError:
            if self._cancelled and self._feeder.cancelled():
                return False
            raise
        return not self._cancelled

    def cancel(self) -> None:
        """Barge-in: silence now and cancel every pending request. Idempotent."""
        if self._cancelled:
            return
        self._cancelled = True
        self.player.stop()
        for task in self._tasks.values():
            task.cancel()
        if self._feeder is not None:
            self._feeder.cancel()

    async def aclose(self) -> None:
        """:meth:`cancel` and wait until every request's task (and its connection) has ended."""
        self.cancel()
        pending = [t for t in [*self._tasks.values(), self._feeder] if t is not None and not t.done()]
        if pending:
            await asyncio.wait(pending)

    # ------------------------------------------------------------ internals
    def _add(self, found: list[str]) -> None:
        if not found:
            return
        for sentence in found:
            self.sentences.append(sentence)
            self._queues.append(asyncio.Queue())
        self._ensure_feeder()
        self._start_requests()
        self._wake()

    def _wake(self) -> None:
        if self._wakeup is not None:
            self._wakeup.set()

    def _ensure_feeder(self) -> None:
        if self._feeder is None and not self._cancelled:
            self._wakeup = asyncio.Event()
            self._feeder = asyncio.ensure_future(self._feed_player())

    def _start_requests(self) -> None:
        while (not self._cancelled and self._next_start < len(self.sentences)
               and self._in_flight < self.max_in_flight):
            index = self._next_start
            self._next_start += 1
            self._in_flight += 1
            self.max_seen_in_flight = max(self.max_seen_in_flight, self._in_flight)
            self._tasks[index] = asyncio.ensure_future(self._fetch(index))

    async def _fetch(self, index: int) -> None:
        sentence = self.sentences[index]
        queue = self._queues[index]
        try:
            stream = self._speak(sentence)
            if inspect.isawaitable(stream):
                stream = await stream
            try:
                async for chunk in stream:  # type: ignore[union-attr]
                    if chunk:
                        queue.put_nowait(bytes(chunk))
            finally:
                closer = getattr(stream, "aclose", None)
                if closer is not None:
                    await closer()
            queue.put_nowait(_DONE)
        except asyncio.CancelledError:
            queue.put_nowait(_FAILED)
            raise
        except Exception as exc:
            log.warning("Speech for sentence %d failed: %s", index, exc)
            self.errors.append((index, sentence, exc))
            queue.put_nowait(_FAILED)
            if self.on_error is not None:
                try:
                    self.on_error(index, sentence, exc)
                except Exception:
                    log.exception("on_error failed")
        finally:
            self._in_flight -= 1
            self._tasks.pop(index, None)
            if not self._cancelled:
                self._start_requests()

    async def _feed_player(self) -> None:
        assert self._wakeup is not None
        index = 0
        while True:
            while index >= len(self.sentences):
                if self._ended:
                    await self.player.finished()
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
            queue = self._queues[index]
            announced = False
            while True:
                item = await queue.get()
                if item is _DONE or item is _FAILED:
                    break
                if not announced:
                    announced = True
                    if self.on_sentence is not None:
                        try:
                            self.on_sentence(index, self.sentences[index])
                        except Exception:
                            log.exception("on_sentence failed")
                self.player.feed(item)  # type: ignore[arg-type]
            self.player.end_clip()
            self._queues[index] = asyncio.Queue()  # release the buffered audio
            index += 1
