"""Chat completions: ``POST /chat/completions``, plain and streamed.

Public calls (``client.chat``):

``await client.chat.create(messages, *, model, temperature=None, top_p=None, max_tokens=None,
max_completion_tokens=None, presence_penalty=None, frequency_penalty=None, stop=None, n=None,
seed=None, response_format=None, tools=None, tool_choice=None, parallel_tool_calls=None, user=None,
extra_body=None, timeout=None) -> ChatCompletion``
    One answer, whole. ``<think>…</think>`` at the start of the content is moved to ``.reasoning``;
    an ``images`` array on the message is in ``.images``.

``client.chat.stream(messages, *, model, <same options>, include_usage=True) -> ChatStream``
    Use it as ``async with client.chat.stream(...) as stream: async for event in stream: ...``.
    Entering sends the request and waits for the response headers: status errors (401, 429 …) and
    connection errors are raised there, after the retries. Iterating yields ``ChatEvent``s as they
    arrive: ``ContentDelta``, ``ReasoningDelta``, ``ToolCallDelta``, ``ImageDelta``,
    ``UsageUpdate``, ``Finished`` (see ``app.api.types``). ``stream.result`` is the
    ``ChatCompletion`` accumulated so far (full text, reasoning, tool calls with joined arguments,
    usage, finish reason, images); ``await stream.final()`` drains the stream and returns it.
    Leaving the ``async with`` — normally, by ``break``, by an exception or because the task was
    cancelled (Stop) — closes the connection at once.

    Failures while iterating: an error object in the stream → ``StreamError(kind="server")`` with
    ``partial`` (the text so far) and ``result``; a cut connection → ``StreamError(kind="network")``;
    no bytes for ``timeout`` seconds → ``StreamError(kind="timeout")``; a chunk that is not JSON →
    ``StreamError(kind="malformed")``; a body that ends with neither ``[DONE]`` nor a finish reason →
    ``StreamError(kind="truncated")``. If nothing had been handed over yet, the error is the one the
    failure really is: an error object (or a JSON error / HTML page sent with status 200 instead of a
    stream, quirk 7) raises the matching ``APIStatusError`` subclass, a cut raises
    ``APIConnectionError``, a timeout ``APITimeoutError``.

    ``stream_options: {"include_usage": true}`` is sent unless ``include_usage=False``; a backend
    that rejects it with 400/422 naming ``stream_options`` gets the request again without it, and the
    client remembers not to send it again (quirk 8).

``ChatAccumulator`` — the event/result logic on its own (``feed(chunk_dict) -> list[ChatEvent]``,
``flush()``, ``result()``), for callers that decode chunks themselves.
``ThinkSplitter`` — splits ``<think>…</think>`` out of streamed text, tags split across chunks included.
``markdown_images(text) -> list[tuple[str, str]]`` — ``(alt, url)`` of every ``![alt](url)`` in an
answer (quirk 9: image models put results there, as https or data URLs that should be saved).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Any, Generic, Self, TypeVar

import httpx

from app.api._http import HTTPCore, _error_message, looks_like_error
from app.api._sse import SSEDecoder
from app.api.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    BadRequestError,
    StreamError,
    UnprocessableEntityError,
)
from app.api.types import (
    ChatChoice,
    ChatCompletion,
    ChatEvent,
    ChatImage,
    ContentDelta,
    Finished,
    ImageDelta,
    ReasoningDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
    UsageUpdate,
)

__all__ = ["Chat", "ChatAccumulator", "ChatStream", "ThinkSplitter", "markdown_images"]

E = TypeVar("E")
R = TypeVar("R")

_MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?((?:https?://|data:image/)[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
#: How long to wait for the end of the body after ``[DONE]`` (see ``EventStream._drain``).
_DRAIN_SECONDS = 0.25
#: A whole non-streamed body is read up to this size when a server ignores ``stream: true``.
_WHOLE_BODY_LIMIT = 64 * 1024 * 1024


def markdown_images(text: str) -> list[tuple[str, str]]:
    """``(alt, url)`` for each markdown image in ``text`` whose URL is http(s) or a data image."""
    return [(m.group(1), m.group(2)) for m in _MARKDOWN_IMAGE.finditer(text)]


# ------------------------------------------------------------------------------------------------------
# <think> splitting


class ThinkSplitter:
    """Moves a leading ``<think>…</think>`` block of streamed content to the reasoning (quirk 5).

    Only a block at the very start of the answer counts (after whitespace): a ``<think>`` later in
    the text is the model talking about the tag, and stays content. Text that could still be the
    beginning of a tag is held back until the next piece decides, so a tag split across chunks
    ("<thi" + "nk>") is recognised and never flashes on screen.
    """

    OPEN = "<think>"
    CLOSE = "</think>"

    def __init__(self) -> None:
        self._state = "start"  # start → thinking → after → content, or start → content
        self._buffer = ""
        self._reasoning_started = False

    def feed(self, text: str) -> list[tuple[str, str]]:
        """``("content" | "reasoning", text)`` pieces ready to show."""
        out: list[tuple[str, str]] = []
        self._buffer += text
        while True:
            if self._state == "start":
                head = self._buffer.lstrip()
                if not head:
                    return out
                if head.startswith(self.OPEN):
                    self._state = "thinking"
                    self._buffer = head[len(self.OPEN) :]
                    continue
                if self.OPEN.startswith(head):
                    return out
                self._state = "content"
                continue
            if self._state == "thinking":
                if not self._reasoning_started:
                    self._buffer = self._buffer.lstrip()
                    if not self._buffer:
                        return out
                    self._reasoning_started = True
                end = self._buffer.find(self.CLOSE)
                if end >= 0:
                    self._emit(out, "reasoning", self._buffer[:end])
                    self._buffer = self._buffer[end + len(self.CLOSE) :]
                    self._state = "after"
                    continue
                keep = _partial_suffix(self._buffer, self.CLOSE)
                self._emit(out, "reasoning", self._buffer[: len(self._buffer) - keep])
                self._buffer = self._buffer[len(self._buffer) - keep :]
                return out
            if self._state == "after":
                head = self._buffer.lstrip()
                if not head:
                    self._buffer = ""
                    return out
                self._buffer = head
                self._state = "content"
                continue
            self._emit(out, "content", self._buffer)
            self._buffer = ""
            return out

    def flush(self) -> list[tuple[str, str]]:
        """The end of the content: whatever was held back is shown for what it is."""
        out: list[tuple[str, str]] = []
        if self._state in ("start", "content"):
            self._emit(out, "content", self._buffer)
            self._state = "content"
        elif self._state == "thinking":
            self._emit(out, "reasoning", self._buffer)
        self._buffer = ""
        return out

    @staticmethod
    def _emit(out: list[tuple[str, str]], kind: str, text: str) -> None:
        if text:
            out.append((kind, text))


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest end of ``text`` that is a beginning of ``tag``."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


# ------------------------------------------------------------------------------------------------------
# Accumulating chunks into events and a result


class _ToolState:
    __slots__ = ("id", "name", "type", "parts")

    def __init__(self) -> None:
        self.id: str | None = None
        self.name: str | None = None
        self.type = "function"
        self.parts: list[str] = []


class _ChoiceState:
    def __init__(self, index: int, split_think: bool) -> None:
        self.index = index
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.refusal: list[str] = []
        self.tools: dict[int, _ToolState] = {}
        self.index_map: dict[int, int] = {}
        self.last_tool: int | None = None
        self.images: list[ChatImage] = []
        self.finish_reason: str | None = None
        self.role = "assistant"
        self.splitter = ThinkSplitter() if split_think else None


def _text_of(content: Any) -> tuple[str, list[ChatImage]]:
    """Text and images of a content value that is a string or a list of parts."""
    if isinstance(content, str):
        return content, []
    if not isinstance(content, list):
        return "", []
    texts: list[str] = []
    images: list[ChatImage] = []
    for part in content:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            if isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif part.get("type") in ("image_url", "image", "output_image"):
                image = ChatImage.from_json(part)
                if image:
                    images.append(image)
    return "".join(texts), images


class ChatAccumulator:
    """Turns chat chunks into events, and keeps the whole answer for ``result()``.

    Why a separate class: the tolerance rules (tool calls joined by index, ``""`` finish reasons,
    usage on every chunk, ``<think>`` tags) are pure logic, easier to test without a socket, and the
    plain ``create`` uses the same code so both paths agree.
    """

    def __init__(self, *, split_think: bool = True) -> None:
        self._split_think = split_think
        self._choices: dict[int, _ChoiceState] = {}
        self._synthetic_ids: dict[tuple[int, int], str] = {}
        self.id: str | None = None
        self.model: str | None = None
        self.created: int | None = None
        self.usage: Usage | None = None
        self.chunks = 0

    @property
    def finished(self) -> bool:
        """Every choice that appeared has a finish reason."""
        return bool(self._choices) and all(c.finish_reason for c in self._choices.values())

    @property
    def content(self) -> str:
        state = self._choices.get(0) or next(iter(self._choices.values()), None)
        return "".join(state.content) if state else ""

    def _choice(self, index: int) -> _ChoiceState:
        state = self._choices.get(index)
        if state is None:
            state = self._choices[index] = _ChoiceState(index, self._split_think)
        return state

    def feed(self, chunk: Mapping[str, Any]) -> list[ChatEvent]:
        """The events one chunk (or one whole non-streamed response) carries."""
        self.chunks += 1
        self.id = self.id or (chunk.get("id") if isinstance(chunk.get("id"), str) else None)
        self.model = self.model or (chunk.get("model") if isinstance(chunk.get("model"), str) else None)
        if self.created is None and isinstance(chunk.get("created"), int):
            self.created = chunk["created"]
        events: list[ChatEvent] = []
        choices = chunk.get("choices")
        for position, choice in enumerate(choices if isinstance(choices, list) else []):
            if not isinstance(choice, dict):
                continue
            index = choice.get("index")
            index = index if isinstance(index, int) and not isinstance(index, bool) else position
            state = self._choice(index)
            delta = choice.get("delta")
            if not isinstance(delta, dict):
                delta = choice.get("message") if isinstance(choice.get("message"), dict) else {}
            self._feed_delta(state, delta, events)
            if "text" in choice and isinstance(choice.get("text"), str) and not delta:
                self._feed_content(state, choice["text"], events)
            finish = choice.get("finish_reason")
            if isinstance(finish, str) and finish:
                self._finish_content(state, events)
                if state.finish_reason is None:
                    events.append(Finished(finish, choice=state.index))
                state.finish_reason = finish
        usage = Usage.from_json(chunk.get("usage"))
        if usage is not None and usage != self.usage:
            self.usage = usage
            events.append(UsageUpdate(usage))
        return events

    def _feed_delta(self, state: _ChoiceState, delta: Mapping[str, Any], events: list[ChatEvent]) -> None:
        if isinstance(delta.get("role"), str) and delta["role"]:
            state.role = delta["role"]
        for key in ("reasoning_content", "reasoning"):
            reasoning = delta.get(key)
            if isinstance(reasoning, str) and reasoning:
                state.reasoning.append(reasoning)
                events.append(ReasoningDelta(reasoning, choice=state.index))
                break
        text, images = _text_of(delta.get("content"))
        if text:
            self._feed_content(state, text, events)
        refusal = delta.get("refusal")
        if isinstance(refusal, str) and refusal:
            state.refusal.append(refusal)
        tool_calls = delta.get("tool_calls")
        if isinstance(tool_calls, list):
            for position, call in enumerate(tool_calls):
                if isinstance(call, dict):
                    self._feed_tool(state, call, position, events)
        function_call = delta.get("function_call")  # the pre-tools form some servers still send
        if isinstance(function_call, dict) and not tool_calls:
            self._feed_tool(state, {"index": 0, "function": function_call}, 0, events)
        raw_images = delta.get("images")
        if isinstance(raw_images, list):
            for raw in raw_images:
                image = ChatImage.from_json(raw)
                if image is not None:
                    images.append(image)
        for image in images:
            state.images.append(image)
            events.append(ImageDelta(image, choice=state.index))

    def _feed_content(self, state: _ChoiceState, text: str, events: list[ChatEvent]) -> None:
        pieces = state.splitter.feed(text) if state.splitter else [("content", text)]
        self._emit_pieces(state, pieces, events)

    def _finish_content(self, state: _ChoiceState, events: list[ChatEvent]) -> None:
        if state.splitter:
            self._emit_pieces(state, state.splitter.flush(), events)

    @staticmethod
    def _emit_pieces(state: _ChoiceState, pieces: Iterable[tuple[str, str]], events: list[ChatEvent]) -> None:
        for kind, piece in pieces:
            if kind == "reasoning":
                state.reasoning.append(piece)
                events.append(ReasoningDelta(piece, choice=state.index))
            else:
                state.content.append(piece)
                events.append(ContentDelta(piece, choice=state.index))

    def _feed_tool(
        self, state: _ChoiceState, call: Mapping[str, Any], position: int, events: list[ChatEvent]
    ) -> None:
        function = call.get("function") if isinstance(call.get("function"), dict) else {}
        call_id = call.get("id") if isinstance(call.get("id"), str) and call.get("id") else None
        raw_index = call.get("index")
        if isinstance(raw_index, int) and not isinstance(raw_index, bool):
            index = state.index_map.get(raw_index, raw_index)
            existing = state.tools.get(index)
            if existing is not None and call_id and existing.id and existing.id != call_id:
                # A server that numbers every call 0: a new id means a new call.
                index = max(state.tools) + 1
                state.index_map[raw_index] = index
        elif call_id:
            index = next((i for i, t in state.tools.items() if t.id == call_id), -1)
            if index < 0:
                index = max(state.tools) + 1 if state.tools else position
        else:
            index = state.last_tool if state.last_tool is not None else position
        tool = state.tools.get(index)
        if tool is None:
            tool = state.tools[index] = _ToolState()
        state.last_tool = index
        if call_id and not tool.id:
            tool.id = call_id
        name = function.get("name")
        if isinstance(name, str) and name and not tool.name:
            tool.name = name
        if isinstance(call.get("type"), str) and call["type"]:
            tool.type = call["type"]
        arguments = function.get("arguments")
        piece = ""
        if isinstance(arguments, str):
            piece = arguments
            tool.parts.append(piece)
        elif isinstance(arguments, (dict, list)):  # a server that sends the arguments parsed
            piece = json.dumps(arguments, ensure_ascii=False)
            tool.parts = [piece]
        events.append(ToolCallDelta(index, call_id, name if isinstance(name, str) and name else None, piece,
                                    choice=state.index))

    def flush(self) -> list[ChatEvent]:
        """The end of the stream: text held back by the ``<think>`` splitter."""
        events: list[ChatEvent] = []
        for state in self._choices.values():
            self._finish_content(state, events)
        return events

    def result(self, raw: dict[str, Any] | None = None) -> ChatCompletion:
        """The answer so far (complete once the stream ended)."""
        choices: list[ChatChoice] = []
        for index in sorted(self._choices):
            state = self._choices[index]
            tools: list[ToolCall] = []
            for tool_index in sorted(state.tools):
                tool = state.tools[tool_index]
                call_id = tool.id or self._synthetic_ids.setdefault(
                    (index, tool_index), f"call_{uuid.uuid4().hex[:24]}"
                )
                tools.append(ToolCall(call_id, tool.name or "", "".join(tool.parts), tool.type, tool_index))
            choices.append(
                ChatChoice(
                    index=index,
                    content="".join(state.content),
                    reasoning="".join(state.reasoning).strip(),
                    tool_calls=tools,
                    images=list(state.images),
                    finish_reason=state.finish_reason,
                    refusal="".join(state.refusal) or None,
                    role=state.role,
                )
            )
        return ChatCompletion(self.id, self.model, self.created, choices, self.usage, raw)


def completion_as_chunk(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A whole ``chat.completion`` rewritten as one chunk, so one code path reads both."""
    chunk = {k: v for k, v in payload.items() if k != "choices"}
    choices = []
    for position, choice in enumerate(payload.get("choices") or []):
        if not isinstance(choice, dict):
            continue
        message = choice.get("message") if isinstance(choice.get("message"), dict) else choice.get("delta") or {}
        message = dict(message)
        if isinstance(message.get("tool_calls"), list):
            message["tool_calls"] = [
                {**call, "index": call.get("index", i)} if isinstance(call, dict) else call
                for i, call in enumerate(message["tool_calls"])
            ]
        choices.append({"index": choice.get("index", position), "delta": message,
                        "finish_reason": choice.get("finish_reason")})
    chunk["choices"] = choices
    return chunk


# ------------------------------------------------------------------------------------------------------
# The streaming machinery, shared with completions.py


class EventStream(Generic[E, R]):
    """An SSE response read as JSON chunks and turned into typed events.

    Why an object and not a bare async generator: the caller needs ``async with`` so that leaving
    the block (Stop, an exception, closing a tab) closes the connection at once, and needs
    ``result`` — the partial answer — after an error. Subclasses supply ``_feed``/``_flush``/
    ``result``.
    """

    path = ""

    def __init__(
        self, http: HTTPCore, body: dict[str, Any], *, include_usage: bool = True, timeout: float | None = None
    ) -> None:
        self._http = http
        self._body = body
        self._include_usage = include_usage
        self._timeout = timeout
        self._response: httpx.Response | None = None
        self._iterator: AsyncIterator[E] | None = None
        self._chunk_iter: AsyncIterator[bytes] | None = None
        self._handed = False  # an event went to the caller: no retry, and failures are StreamErrors
        self._done = False  # "[DONE]" arrived
        self._closed = False
        self._payloads_seen = 0
        self._first_bytes = b""
        #: ``time.monotonic()`` of the last bytes received: the UI can show "still waiting" (quirk 12).
        self.last_activity = time.monotonic()
        #: Keep-alive comment lines received (proof the server is still working on it).
        self.keepalives = 0

    # ---- the public face -------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __aiter__(self) -> AsyncIterator[E]:
        if self._iterator is None:
            self._iterator = self._iterate()
        return self._iterator

    async def start(self) -> None:
        """Send the request and wait for the headers (done by ``async with`` or the first iteration)."""
        if self._response is None and not self._closed:
            self._response = await self._open()
            self._request_id = self._response.headers.get("x-request-id")
            self.last_activity = time.monotonic()

    async def aclose(self) -> None:
        """Close the connection now. Safe to call twice, and from ``finally`` during cancellation."""
        self._closed = True
        response, self._response = self._response, None
        if response is not None:
            await response.aclose()

    async def final(self) -> R:
        """Read the rest of the stream and return the whole result."""
        async for _ in self:
            pass
        return self.result

    @property
    def result(self) -> R:  # pragma: no cover — overridden
        raise NotImplementedError

    @property
    def request_id(self) -> str | None:
        """The server's ``x-request-id`` for this answer, for logs and bug reports."""
        return self._request_id

    _request_id: str | None = None

    # ---- subclass hooks ---------------------------------------------------------------------------

    def _feed(self, payload: dict[str, Any]) -> list[E]:  # pragma: no cover — overridden
        raise NotImplementedError

    def _flush(self) -> list[E]:
        return []

    def _finished(self) -> bool:
        return False

    def _partial(self) -> str:
        return ""

    def _whole_to_chunk(self, payload: dict[str, Any]) -> dict[str, Any]:
        return payload

    async def _open(self) -> httpx.Response:
        body = dict(self._body)
        with_options = self._include_usage and self._http.stream_options_supported
        if with_options:
            body["stream_options"] = {"include_usage": True}
        headers = {"Accept": "text/event-stream"}
        try:
            return await self._http.open_stream("POST", self.path, json=body, headers=headers, timeout=self._timeout)
        except (BadRequestError, UnprocessableEntityError) as exc:
            if not with_options or not _mentions_stream_options(exc):
                raise
        # Quirk 8: this backend does not know stream_options. Once without; remember it.
        self._http.stream_options_supported = False
        body.pop("stream_options", None)
        return await self._http.open_stream("POST", self.path, json=body, headers=headers, timeout=self._timeout)

    # ---- reading -------------------------------------------------------------------------------------

    @property
    def _url(self) -> str:
        return self._http.url(self.path)

    async def _iterate(self) -> AsyncIterator[E]:
        try:
            await self.start()
            if self._response is None:
                return
            async for payload in self._payloads():
                for event in self._feed(payload):
                    self._handed = True
                    yield event
            for event in self._flush():
                self._handed = True
                yield event
            self._check_complete()
        finally:
            await self.aclose()

    async def _next_chunk(self) -> bytes | None:
        assert self._response is not None
        if self._chunk_iter is None:
            self._chunk_iter = self._response.aiter_bytes().__aiter__()
        try:
            chunk = await self._chunk_iter.__anext__()
        except StopAsyncIteration:
            return None
        except httpx.HTTPError as exc:
            raise self._broken(exc) from exc
        self.last_activity = time.monotonic()
        return chunk

    async def _payloads(self) -> AsyncIterator[dict[str, Any]]:
        """The JSON objects of the body, whatever shape the server chose (quirks 1–3, 7, 11)."""
        response = self._response
        assert response is not None
        content_type = response.headers.get("content-type", "").lower()
        is_sse = "event-stream" in content_type
        first = b""
        while not first.strip():
            chunk = await self._next_chunk()
            if chunk is None:
                break
            first += chunk
        self._first_bytes = first[:4096]
        head = first.lstrip()[:1]
        if not head:
            raise self._not_a_stream(first)
        if not is_sse and (head == b"<" or "html" in content_type):
            raise self._not_a_stream(await self._read_rest(first, 64 * 1024))
        if not is_sse and head in (b"{", b"[") and "ndjson" not in content_type:
            whole = await self._read_rest(first, _WHOLE_BODY_LIMIT)
            try:
                payload = json.loads(whole)
            except ValueError:
                first = whole  # not one JSON document: perhaps JSON lines; decode below
            else:
                if isinstance(payload, list) and payload and looks_like_error(payload[0]):
                    payload = payload[0]
                if looks_like_error(payload):
                    raise self._http.error_from_payload(payload, status=response.status_code, method="POST", url=self._url)
                if isinstance(payload, dict):
                    self._payloads_seen += 1
                    self._done = True
                    yield self._whole_to_chunk(payload)
                    return
                raise self._not_a_stream(whole)

        decoder = SSEDecoder()
        data: bytes | None = first
        while data is not None:
            events = decoder.feed(data) if data else []
            self.keepalives = decoder.comments
            for event in events:
                for payload in self._decode_event(event.data, event.event):
                    yield payload
                if self._done:
                    await self._drain()
                    return
            data = await self._next_chunk()
        for event in decoder.flush():
            for payload in self._decode_event(event.data, event.event):
                yield payload
            if self._done:
                return

    def _decode_event(self, data: str, event: str) -> list[dict[str, Any]]:
        text = data.strip()
        if not text:
            return []
        if text == "[DONE]":
            self._done = True
            return []
        try:
            objects = [json.loads(text)]
        except ValueError:
            objects = []
            lines = [line for line in text.splitlines() if line.strip()]
            try:
                # Servers that forget the blank line between events: one JSON object per line.
                objects = [json.loads(line) for line in lines] if len(lines) > 1 else []
            except ValueError:
                objects = []
            if not objects:
                if event == "error":
                    raise self._mid_error({"error": {"message": text}})
                raise StreamError(
                    "The server sent a piece of the answer that is not valid JSON.",
                    partial=self._partial(), kind="malformed", result=self.result,
                    method="POST", url=self._url,
                )
        payloads: list[dict[str, Any]] = []
        for obj in objects:
            if isinstance(obj, list) and obj and looks_like_error(obj[0]):
                obj = obj[0]
            if event == "error" or looks_like_error(obj):
                raise self._mid_error(obj if isinstance(obj, dict) else {"error": {"message": str(obj)}})
            if isinstance(obj, dict):
                self._payloads_seen += 1
                payloads.append(obj)
        return payloads

    async def _drain(self) -> None:
        """Read the few bytes after ``[DONE]`` (the body's end) so the connection can be reused.

        Without this, closing a response whose end was not read closes its connection, and the
        next message pays a new TCP and TLS handshake. A server that keeps the body open after
        ``[DONE]`` gets a moment, then the connection is closed as before.
        """
        try:
            async with asyncio.timeout(_DRAIN_SECONDS):
                drained = 0
                while drained < 65536:
                    chunk = await self._next_chunk()
                    if chunk is None:
                        return
                    drained += len(chunk)
        except (TimeoutError, APIError):
            return

    async def _read_rest(self, first: bytes, limit: int) -> bytes:
        parts = [first]
        size = len(first)
        while size < limit:
            chunk = await self._next_chunk()
            if chunk is None:
                break
            parts.append(chunk)
            size += len(chunk)
        return b"".join(parts)

    # ---- errors --------------------------------------------------------------------------------------

    def _not_a_stream(self, content: bytes) -> APIError:
        assert self._response is not None
        return self._http.status_error(
            self._response.status_code, self._response.headers, content, method="POST", url=self._url
        )

    def _mid_error(self, payload: dict[str, Any]) -> APIError:
        if not self._handed:
            status = self._response.status_code if self._response is not None else 200
            return self._http.error_from_payload(payload, status=status, method="POST", url=self._url)
        message, error_type, code = _error_message(payload)
        return StreamError(
            self._http._redact(message) if message else "The server reported an error in the middle of the answer.",
            partial=self._partial(), error_type=error_type, code=code, kind="server", result=self.result,
            method="POST", url=self._url,
        )

    def _broken(self, exc: httpx.HTTPError) -> APIError:
        error = self._http.transport_error(exc, "POST", self._url)
        if not self._handed:
            return error
        kind = "timeout" if isinstance(error, APITimeoutError) else "network"
        message = (
            f"The server sent nothing more for {self._http.timeout:g} s; the answer is incomplete."
            if kind == "timeout"
            else "The connection broke before the answer was finished."
        )
        return StreamError(message, partial=self._partial(), kind=kind, result=self.result, method="POST",
                           url=self._url)

    def _check_complete(self) -> None:
        if self._done or self._finished():
            return
        if self._payloads_seen == 0 and not _looks_like_sse(self._first_bytes):
            raise self._not_a_stream(self._first_bytes)
        if not self._handed:
            raise APIConnectionError(
                "The server closed the connection before answering.", reason="network",
                host=httpx.URL(self._url).host, method="POST", url=self._url,
            )
        raise StreamError(
            "The answer stopped before it was finished (the server closed the stream early).",
            partial=self._partial(), kind="truncated", result=self.result, method="POST", url=self._url,
        )


class ChatStream(EventStream[ChatEvent, ChatCompletion]):
    """A streamed chat answer: ``async with`` it, ``async for`` its ``ChatEvent``s, read ``result``."""

    path = "chat/completions"

    def __init__(
        self, http: HTTPCore, body: dict[str, Any], *, include_usage: bool = True, timeout: float | None = None
    ) -> None:
        super().__init__(http, body, include_usage=include_usage, timeout=timeout)
        self._accumulator = ChatAccumulator()

    @property
    def result(self) -> ChatCompletion:
        return self._accumulator.result()

    def _feed(self, payload: dict[str, Any]) -> list[ChatEvent]:
        return self._accumulator.feed(payload)

    def _flush(self) -> list[ChatEvent]:
        return self._accumulator.flush()

    def _finished(self) -> bool:
        return self._accumulator.finished

    def _partial(self) -> str:
        return self._accumulator.content

    def _whole_to_chunk(self, payload: dict[str, Any]) -> dict[str, Any]:
        return completion_as_chunk(payload)


def _looks_like_sse(first: bytes) -> bool:
    head = first.lstrip()[:6].lower()
    return head.startswith((b"data", b":", b"event", b"id:", b"retry"))


def _mentions_stream_options(exc: APIError) -> bool:
    words = exc.message.lower()
    body = getattr(exc, "body", None)
    if body is not None:
        words += " " + (json.dumps(body) if not isinstance(body, str) else body).lower()
    return "stream_options" in words or "include_usage" in words or "stream options" in words


# ------------------------------------------------------------------------------------------------------


def build_body(base: Mapping[str, Any], options: Mapping[str, Any], extra_body: Mapping[str, Any] | None) -> dict[str, Any]:
    """The request body: the required fields, the options that are not None, then ``extra_body``.

    Why drop None: "not sent" and "null" differ for many backends (some reject ``"seed": null``).
    """
    body = dict(base)
    body.update({k: v for k, v in options.items() if v is not None})
    if extra_body:
        body.update(extra_body)
    return body


class Chat:
    """``client.chat``."""

    def __init__(self, http: HTTPCore) -> None:
        self._http = http

    async def create(
        self,
        messages: Sequence[Mapping[str, Any]],
        *,
        model: str,
        temperature: float | None = None,
        top_p: float | None = None,
        max_tokens: int | None = None,
        max_completion_tokens: int | None = None,
        presence_penalty: float | None = None,
        frequency_penalty: float | None = None,
        stop: str | Sequence[str] | None = None,
        n: int | None = None,
        seed: int | None = None,
        response_format: Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        user: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> ChatCompletion:
        """One whole answer. Raises the typed errors of ``app.api.errors``."""
        options = dict(
            temperature=temperature, top_p=top_p, max_tokens=max_tokens, max_completion_tokens=max_completion_tokens,
            presence_penalty=presence_penalty, frequency_penalty=frequency_penalty, stop=stop, n=n, seed=seed,
            response_format=response_format, tools=tools, tool_choice=tool_choice,
            parallel_tool_calls=parallel_tool_calls, user=user,
        )
        body = build_body({"model": model, "messages": list(messages)}, options, extra_body)
        payload = await self._http.request_json("POST", "chat/completions", json=body, timeout=timeout)
        if not isinstance(payload, dict) or not isinstance(payload.get("choices"), list):
            raise self._http.status_error(
                200, {"content-type": "text/plain"}, b"The answer has no choices.", method="POST",
                url=self._http.url("chat/completions"),
            )
        accumulator = ChatAccumulator()
        accumulator.feed(completion_as_chunk(payload))
        accumulator.flush()
        return accumulator.result(raw=payload)

    def stream(
        self,
        messages: Sequence[Mapping[str, Any]],
        *,
        model: str,
        temperature: float | None = None,
        top_p: float | None = None,
        max_tokens: int | None = None,
        max_completion_tokens: int | None = None,
        presence_penalty: float | None = None,
        frequency_penalty: float | None = None,
        stop: str | Sequence[str] | None = None,
        n: int | None = None,
        seed: int | None = None,
        response_format: Mapping[str, Any] | None = None,
        tools: Sequence[Mapping[str, Any]] | None = None,
        tool_choice: str | Mapping[str, Any] | None = None,
        parallel_tool_calls: bool | None = None,
        user: str | None = None,
        include_usage: bool = True,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> ChatStream:
        """A streamed answer; nothing is sent until ``async with`` (or the first ``async for``)."""
        options = dict(
            temperature=temperature, top_p=top_p, max_tokens=max_tokens, max_completion_tokens=max_completion_tokens,
            presence_penalty=presence_penalty, frequency_penalty=frequency_penalty, stop=stop, n=n, seed=seed,
            response_format=response_format, tools=tools, tool_choice=tool_choice,
            parallel_tool_calls=parallel_tool_calls, user=user,
        )
        body = build_body({"model": model, "messages": list(messages), "stream": True}, options, extra_body)
        return ChatStream(self._http, body, include_usage=include_usage, timeout=timeout)
