"""A tolerant server-sent-events decoder that works on bytes.

Why bytes and not text: a network read can end in the middle of a line, of a ``\\r\\n`` pair, or of a
multi-byte UTF-8 character (quirk 11). Decoding each chunk on its own would turn a split "你" into two
replacement characters; this decoder keeps an incremental UTF-8 decoder and a line buffer across
reads, so only complete lines are ever interpreted.

Public calls:

- ``SSEDecoder().feed(chunk: bytes) -> list[SSEEvent]`` — give it whatever the socket produced;
  it returns the events completed by this chunk (possibly none).
- ``SSEDecoder().flush() -> list[SSEEvent]`` — at the end of the body: interprets a last line that had
  no line end, and dispatches an event that had no closing blank line (quirk 3: servers that simply
  close the connection).
- ``aiter_sse(chunks: AsyncIterable[bytes]) -> AsyncIterator[SSEEvent]`` — the two together.

What it tolerates (quirks 1, 2, 11): ``data:`` with or without the space, ``\\r\\n`` / ``\\r`` / ``\\n``
line ends (mixed, and split across reads), several ``data:`` lines joined with ``\\n``, comment lines
(``: keep-alive``, counted in ``comments`` so a caller can tell the server is alive), ``event:``,
``id:`` and ``retry:`` fields, a UTF-8 byte-order mark, a missing final blank line, and — outside the
SSE standard — bare JSON lines (``{...}``, newline-delimited JSON as some local servers send), each of
which becomes an event of its own. ``[DONE]`` is not special here: it is the caller's business.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

__all__ = ["SSEDecoder", "SSEEvent", "aiter_sse"]

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One dispatched event. ``event`` is ``"message"`` unless the server named it."""

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


class SSEDecoder:
    """Incremental decoder: bytes in, complete events out. One instance per response body."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._started = False
        self._data: list[str] = []
        self._event: str | None = None
        self._last_id: str | None = None
        self._retry: int | None = None
        #: Comment lines seen so far (``: keep-alive``): proof of life during a slow first token.
        self.comments = 0

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        """Decode ``chunk`` and return the events it completed."""
        text = self._utf8.decode(chunk)
        return self._consume(text, final=False)

    def flush(self) -> list[SSEEvent]:
        """End of the body: finish the last line and dispatch whatever event is still open."""
        text = self._utf8.decode(b"", final=True)
        events = self._consume(text, final=True)
        if self._buffer:
            line, self._buffer = self._buffer, ""
            events.extend(self._line(line))
        events.extend(self._dispatch())
        return events

    def _consume(self, text: str, *, final: bool) -> list[SSEEvent]:
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        buffer = self._buffer + text
        events: list[SSEEvent] = []
        start = 0
        for match in _LINE_END.finditer(buffer):
            # A lone "\r" at the very end may be the first half of "\r\n": wait for the next read.
            if match.group() == "\r" and match.end() == len(buffer) and not final:
                break
            events.extend(self._line(buffer[start : match.start()]))
            start = match.end()
        self._buffer = buffer[start:]
        return events

    def _line(self, line: str) -> list[SSEEvent]:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            self.comments += 1
            return []
        if line[0] in "{[" and not self._data:
            # Newline-delimited JSON instead of SSE: every line is a whole message.
            return [SSEEvent(data=line, event=self._event or "message", id=self._last_id)]
        field, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "event":
            self._event = value
        elif field == "id":
            if "\0" not in value:
                self._last_id = value
        elif field == "retry":
            if value.isdigit():
                self._retry = int(value)
        return []

    def _dispatch(self) -> list[SSEEvent]:
        if not self._data:
            self._event = None
            return []
        event = SSEEvent(
            data="\n".join(self._data), event=self._event or "message", id=self._last_id, retry=self._retry
        )
        self._data = []
        self._event = None
        return [event]


async def aiter_sse(chunks: AsyncIterable[bytes]) -> AsyncIterator[SSEEvent]:
    """Events from an async iterable of byte chunks (e.g. ``response.aiter_bytes()``)."""
    decoder = SSEDecoder()
    async for chunk in chunks:
        for event in decoder.feed(chunk):
            yield event
    for event in decoder.flush():
        yield event
