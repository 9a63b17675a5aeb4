"""Legacy text completions: ``POST /completions``, plain and streamed.

Still worth having: local servers (llama.cpp, vLLM) and base models only speak this.

Public calls (``client.completions``):

``await client.completions.create(prompt, *, model, max_tokens=None, temperature=None, top_p=None,
n=None, stop=None, suffix=None, echo=None, seed=None, extra_body=None, timeout=None) -> Completion``
    ``.text`` / ``.finish_reason`` of the first choice, ``.choices``, ``.usage``.

``client.completions.stream(prompt, *, model, <same options>, include_usage=True) -> CompletionStream``
    ``async with … as stream: async for event in stream`` yields ``ContentDelta`` (the text pieces),
    ``UsageUpdate`` and ``Finished``; ``stream.result`` is the ``Completion`` so far. Errors and
    closing behave exactly as for ``client.chat.stream`` (same machinery, see ``app.api.chat``);
    ``stream_options`` is dropped once for good if the backend rejects it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.api._http import HTTPCore
from app.api.chat import EventStream, build_body
from app.api.types import (
    Completion,
    CompletionChoice,
    CompletionEvent,
    ContentDelta,
    Finished,
    Usage,
    UsageUpdate,
)

__all__ = ["CompletionAccumulator", "CompletionStream", "Completions"]


class CompletionAccumulator:
    """Completion chunks → events and the whole result (tolerant as the chat one: ``""`` finish
    reasons are no finish, usage may come on every chunk, ``index`` may be missing)."""

    def __init__(self) -> None:
        self._texts: dict[int, list[str]] = {}
        self._finish: dict[int, str] = {}
        self.id: str | None = None
        self.model: str | None = None
        self.usage: Usage | None = None

    @property
    def finished(self) -> bool:
        return bool(self._texts) and all(i in self._finish for i in self._texts)

    @property
    def text(self) -> str:
        return "".join(self._texts.get(0, []))

    def feed(self, chunk: Mapping[str, Any]) -> list[CompletionEvent]:
        self.id = self.id or (chunk.get("id") if isinstance(chunk.get("id"), str) else None)
        self.model = self.model or (chunk.get("model") if isinstance(chunk.get("model"), str) else None)
        events: list[CompletionEvent] = []
        choices = chunk.get("choices")
        for position, choice in enumerate(choices if isinstance(choices, list) else []):
            if not isinstance(choice, dict):
                continue
            index = choice.get("index")
            index = index if isinstance(index, int) and not isinstance(index, bool) else position
            parts = self._texts.setdefault(index, [])
            text = choice.get("text")
            if not isinstance(text, str):  # a chat-shaped chunk from a lenient server
                delta = choice.get("delta") or choice.get("message") or {}
                text = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(text, str) and text:
                parts.append(text)
                events.append(ContentDelta(text, choice=index))
            finish = choice.get("finish_reason")
            if isinstance(finish, str) and finish and index not in self._finish:
                self._finish[index] = finish
                events.append(Finished(finish, choice=index))
        usage = Usage.from_json(chunk.get("usage"))
        if usage is not None and usage != self.usage:
            self.usage = usage
            events.append(UsageUpdate(usage))
        return events

    def result(self, raw: dict[str, Any] | None = None) -> Completion:
        choices = [
            CompletionChoice(index=i, text="".join(self._texts[i]), finish_reason=self._finish.get(i))
            for i in sorted(self._texts)
        ]
        return Completion(self.id, self.model, choices, self.usage, raw)


class CompletionStream(EventStream[CompletionEvent, Completion]):
    """A streamed legacy completion (see the module docstring)."""

    path = "completions"

    def __init__(
        self, http: HTTPCore, body: dict[str, Any], *, include_usage: bool = True, timeout: float | None = None
    ) -> None:
        super().__init__(http, body, include_usage=include_usage, timeout=timeout)
        self._accumulator = CompletionAccumulator()

    @property
    def result(self) -> Completion:
        return self._accumulator.result()

    def _feed(self, payload: dict[str, Any]) -> list[CompletionEvent]:
        return self._accumulator.feed(payload)

    def _finished(self) -> bool:
        return self._accumulator.finished

    def _partial(self) -> str:
        return self._accumulator.text


class Completions:
    """``client.completions``."""

    def __init__(self, http: HTTPCore) -> None:
        self._http = http

    @staticmethod
    def _options(**options: Any) -> dict[str, Any]:
        return options

    async def create(
        self,
        prompt: str | Sequence[str],
        *,
        model: str,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        n: int | None = None,
        stop: str | Sequence[str] | None = None,
        suffix: str | None = None,
        echo: bool | None = None,
        seed: int | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Completion:
        """One whole completion."""
        options = self._options(max_tokens=max_tokens, temperature=temperature, top_p=top_p, n=n, stop=stop,
                                suffix=suffix, echo=echo, seed=seed)
        body = build_body({"model": model, "prompt": prompt if isinstance(prompt, str) else list(prompt)},
                          options, extra_body)
        payload = await self._http.request_json("POST", "completions", json=body, timeout=timeout)
        accumulator = CompletionAccumulator()
        if isinstance(payload, dict):
            accumulator.feed(payload)
        return accumulator.result(raw=payload if isinstance(payload, dict) else None)

    def stream(
        self,
        prompt: str | Sequence[str],
        *,
        model: str,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        n: int | None = None,
        stop: str | Sequence[str] | None = None,
        suffix: str | None = None,
        echo: bool | None = None,
        seed: int | None = None,
        include_usage: bool = True,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> CompletionStream:
        """A streamed completion; nothing is sent until ``async with`` or the first ``async for``."""
        options = self._options(max_tokens=max_tokens, temperature=temperature, top_p=top_p, n=n, stop=stop,
                                suffix=suffix, echo=echo, seed=seed)
        body = build_body(
            {"model": model, "prompt": prompt if isinstance(prompt, str) else list(prompt), "stream": True},
            options, extra_body,
        )
        return CompletionStream(self._http, body, include_usage=include_usage, timeout=timeout)
