"""Turning chunk objects into server-sent-event bytes, with the stream faults and quirks applied.

A stream is built in two steps so each fault has one obvious home: ``build_frames`` decides *what*
goes on the wire (framing quirks 1–4, malformed and error events, [DONE] or not), and
``StreamSender`` decides *how* it goes (delays, byte splits of quirk 11, abrupt cuts).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.loopback._types import Fault

DONE = "[DONE]"
#: The invalid JSON line of ``Fault(malformed_chunk=True)``: a chunk truncated mid-string.
MALFORMED_DATA = '{"id": "chatcmpl-broken", "choices": [{"delta": {"content": "bro'
#: The error object of ``mid_stream_error=True`` and quirk 6.
DEFAULT_STREAM_ERROR: dict[str, Any] = {
    "message": "The upstream model stopped responding (loopback mid-stream error).",
    "type": "server_error",
    "param": None,
    "code": "upstream_error",
}


@dataclass(frozen=True)
class Frame:
    """One blank-line-terminated SSE block. ``counted`` frames are the 'events' faults count."""

    data: bytes
    counted: bool = True


def dumps(payload: Any) -> str:
    """Compact JSON with raw UTF-8, as OpenAI sends it (so multi-byte characters hit the wire)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def encode_event(data: str, *, quirk: int | None, event_id: int) -> bytes:
    """One event's bytes, shaped by the framing quirks (1: CRLF + multi-line data, 2: fields)."""
    if quirk == 1:
        # No space after the colon, CRLF line ends; every second JSON event is pretty-printed
        # over several data: lines (which a decoder must join with "\n"), the others are one line.
        if data == DONE or event_id % 2:
            lines = [data]
        else:
            lines = json.dumps(json.loads(data), ensure_ascii=False, indent=0).splitlines()
        return "".join(f"data:{line}\r\n" for line in lines).encode() + b"\r\n"
    if quirk == 2:
        return f"event: message\nid: {event_id}\ndata: {data}\n\n".encode()
    return f"data: {data}\n\n".encode()


def quirk4_transform(payloads: list[Any], usage: Mapping[str, int]) -> list[Any]:
    """Azure/relay shape: a filter-results first chunk, usage everywhere, ``finish_reason: ""``."""
    out: list[Any] = [
        {
            "id": "",
            "object": "",
            "created": 0,
            "model": "",
            "choices": [],
            "prompt_filter_results": [
                {
                    "prompt_index": 0,
                    "content_filter_results": {
                        "hate": {"filtered": False, "severity": "safe"},
                        "self_harm": {"filtered": False, "severity": "safe"},
                        "sexual": {"filtered": False, "severity": "safe"},
                        "violence": {"filtered": False, "severity": "safe"},
                    },
                }
            ],
        }
    ]
    produced = 0
    has_usage_chunk = False
    for payload in payloads:
        if not isinstance(payload, dict):
            out.append(payload)
            continue
        payload = dict(payload)
        choices = payload.get("choices") or []
        if not choices and payload.get("usage"):
            has_usage_chunk = True
        new_choices = []
        for choice in choices:
            choice = dict(choice)
            if choice.get("finish_reason") is None:
                choice["finish_reason"] = ""
            new_choices.append(choice)
        if any(_carries_output(choice) for choice in choices):
            produced += 1
        payload["choices"] = new_choices
        prompt = usage.get("prompt_tokens", 0)
        completion = min(produced, usage.get("completion_tokens", produced))
        payload["usage"] = payload.get("usage") or {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        out.append(payload)
    if not has_usage_chunk:
        template = next((p for p in payloads if isinstance(p, dict)), {})
        done_at = next((i for i, p in enumerate(out) if p == DONE), len(out))
        out.insert(
            done_at,
            {
                "id": template.get("id", ""),
                "object": template.get("object", ""),
                "created": template.get("created", 0),
                "model": template.get("model", ""),
                "choices": [],
                "usage": dict(usage),
            },
        )
    return out


def _carries_output(choice: Mapping[str, Any]) -> bool:
    """Whether a streamed choice adds output (a 'completion token' for quirk 4's running usage)."""
    delta = choice.get("delta") or {}
    return bool(
        choice.get("text")
        or delta.get("content")
        or delta.get("reasoning_content")
        or delta.get("reasoning")
        or delta.get("tool_calls")
    )


def build_frames(payloads: Sequence[Any], fault: Fault | None) -> list[Frame]:
    """The frames of a stream: ``payloads`` are chunk dicts, then ``DONE``.

    Applies quirks 1 (framing), 2 (prelude, fields, comments), 3 (no [DONE]), 6 and
    ``mid_stream_error`` (error event, then the end), and ``malformed_chunk``. Quirk 4's transform
    runs before this, in the endpoint, because it needs the usage numbers.
    """
    quirk = fault.quirk if fault else None
    items = list(payloads)
    if quirk == 3:
        items = [p for p in items if p != DONE]
    error: Mapping[str, Any] | None = None
    if fault is not None and (fault.mid_stream_error or quirk == 6):
        error = (
            fault.mid_stream_error if isinstance(fault.mid_stream_error, Mapping) else DEFAULT_STREAM_ERROR
        )
    at = fault.after_chunks if fault else 0
    frames: list[Frame] = []
    if quirk == 2:
        frames += [Frame(b": keep-alive\n\n", counted=False), Frame(b"retry: 3000\n\n", False)]
    for position, item in enumerate(items):
        if position == at and fault is not None:
            if fault.malformed_chunk:
                frames.append(Frame(encode_event(MALFORMED_DATA, quirk=None, event_id=position)))
            if error is not None:
                frames.append(Frame(encode_event(dumps({"error": error}), quirk=None, event_id=position)))
                return frames
        data = item if item == DONE else dumps(item)
        frames.append(Frame(encode_event(data, quirk=quirk, event_id=position + 1)))
        if quirk == 2 and position % 2 == 1:
            frames.append(Frame(b": ping\n\n", counted=False))
    if error is not None:  # fewer events than after_chunks: the error still arrives, last
        frames.append(Frame(encode_event(dumps({"error": error}), quirk=None, event_id=len(items))))
    elif fault is not None and fault.malformed_chunk and at >= len(items):
        frames.append(Frame(encode_event(MALFORMED_DATA, quirk=None, event_id=len(items))))
    return frames


def split_points(frame: bytes) -> list[int]:
    """Quirk 11's write boundaries inside one frame: mid ``data:``, mid-line, mid-character.

    Every multi-byte UTF-8 character is cut after its first byte (at most 8 per frame, to bound
    the number of writes), the line is cut in its middle, and the two newlines ending the event
    are sent apart.
    """
    points = {2, len(frame) // 2, len(frame) - 1}
    cuts = 0
    for i, byte in enumerate(frame):
        if byte >= 0xC0 and cuts < 8:  # a UTF-8 lead byte: cut right after it
            points.add(i + 1)
            cuts += 1
    return sorted(p for p in points if 0 < p < len(frame))


Sleeper = Callable[[float], Awaitable[None]]


class StreamSender:
    """Writes frames (or audio chunks) to a prepared response, honouring the stream faults.

    ``on_cut`` aborts the connection (the server's ``_cut``, which also records who closed it);
    it never returns normally.
    """

    def __init__(
        self,
        response: web.StreamResponse,
        fault: Fault | None,
        *,
        default_delay: float,
        on_cut: Callable[[], Awaitable[None]],
        split_writes: bool = False,
        split_delay: float = 0.001,
    ) -> None:
        self._response = response
        self._fault = fault
        self._delay = (
            fault.delay_between_chunks
            if fault is not None and fault.delay_between_chunks is not None
            else default_delay
        )
        self._cut_after = fault.cut_after_chunks if fault is not None else None
        self._cut_mid_line = bool(fault and fault.cut_mid_line)
        self._on_cut = on_cut
        self._split_writes = split_writes
        self._split_delay = split_delay

    async def send(self, frames: Sequence[Frame]) -> None:
        """Write every frame, then end the body (or cut, per ``cut_after_chunks``)."""
        sent = 0
        for i, frame in enumerate(frames):
            if i > 0 and self._delay > 0:
                await asyncio.sleep(self._delay)
            if frame.counted and self._cut_after is not None and sent >= self._cut_after:
                if self._cut_mid_line:
                    await self._response.write(frame.data[: max(1, len(frame.data) // 2)])
                await self._on_cut()
            await self._write(frame.data)
            sent += frame.counted
        if self._cut_after is not None:
            # Asked to cut after every event (or more): drop the connection before the chunked
            # terminator, so the body is still incomplete.
            await self._on_cut()
        await self._response.write_eof()

    async def _write(self, data: bytes) -> None:
        if not self._split_writes:
            await self._response.write(data)
            return
        start = 0
        for point in [*split_points(data), len(data)]:
            await self._response.write(data[start:point])
            start = point
            await asyncio.sleep(self._split_delay)
