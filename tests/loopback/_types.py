"""Plain data shared by the loopback server's modules: what a test injects and what it reads back.

Kept apart from ``server.py`` so the stream writer and the reply builders can use them without an
import cycle; tests import them from ``tests.loopback.server``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Quirks (numbered as in /work/shared/api-reference.md) and the variants each accepts; ``None``
#: is the default shape. Checked in ``Fault.__post_init__`` so a typo fails at injection time
#: instead of silently producing a normal answer.
QUIRK_VARIANTS: dict[int, frozenset[str | None]] = {
    1: frozenset({None}),
    2: frozenset({None}),
    3: frozenset({None}),
    4: frozenset({None}),
    5: frozenset({None, "reasoning_content", "think", "reasoning"}),
    6: frozenset({None}),
    7: frozenset({None, "json", "html"}),
    8: frozenset({None}),
    9: frozenset({None, "url", "data", "images", "https"}),
    10: frozenset({None, "json", "html", "ghost"}),
    11: frozenset({None}),
    12: frozenset({None, "headers", "keepalive"}),
}


@dataclass(frozen=True)
class Fault:
    """One misbehaviour the server shows on the next matching request(s).

    Every field is optional; unset fields leave the normal behaviour alone, so faults combine
    (``Fault(delay_first_byte=0.2, headers={"x-a": "b"}, cut_after_chunks=4)``). See the module
    docstring of ``tests.loopback.server`` for the full semantics and the order they apply in.
    """

    #: Answer with this status. Without a body field the body is an OpenAI error JSON for it
    #: (``status=200`` is therefore quirk 7: a 200 carrying an error instead of a stream).
    status: int | None = None
    #: The ``error`` object of the body (``{"error": error}``); implies status 400 if none is set.
    error: Mapping[str, Any] | None = None
    #: Answer with an HTML page: ``True`` for a stock nginx page (Cloudflare's for 520–524), or the
    #: page itself. Implies status 502 if none is set.
    html: str | bool | None = None
    #: Answer with this raw ``text/plain`` body. Implies status 502 if none is set.
    text: str | None = None
    #: Answer with no body at all (``Content-Length: 0``). Implies status 502 if none is set.
    empty_body: bool = False
    #: Extra response headers, on error and normal answers alike (``Retry-After``,
    #: ``retry-after-ms``, ``x-request-id`` …). They override the server's own.
    headers: Mapping[str, str] | None = None
    #: Seconds to wait before the status line (quirk 12 uses 10 s when this is unset).
    delay_first_byte: float | None = None
    #: Seconds between stream events (SSE) or audio chunks (speech); overrides the server default.
    delay_between_chunks: float | None = None
    #: Close the TCP connection abruptly after this many stream events (SSE) or audio chunks; on a
    #: plain JSON answer, after half the body. ``0`` cuts right after the headers.
    cut_after_chunks: int | None = None
    #: With ``cut_after_chunks``: first send half of the next event, so the cut is mid-line.
    cut_mid_line: bool = False
    #: Close the connection without answering at all (after ``delay_first_byte``).
    reset: bool = False
    #: Insert an invalid-JSON ``data:`` event after ``after_chunks`` events; the stream goes on.
    malformed_chunk: bool = False
    #: After ``after_chunks`` events send ``data: {"error": …}`` and end the stream (no [DONE]).
    #: ``True`` uses a stock server_error object.
    mid_stream_error: Mapping[str, Any] | bool | None = None
    #: Where ``malformed_chunk`` and ``mid_stream_error`` go: the number of stream events before
    #: them (the role event counts; by default that is the role event plus two text pieces).
    after_chunks: int = 3
    #: Replace the final ``finish_reason`` (e.g. ``"length"``, ``"content_filter"``).
    finish_reason: str | None = None
    #: Shape the answer like quirk N (1..12) of the API reference.
    quirk: int | None = None
    #: A quirk's alternative shape (see ``QUIRK_VARIANTS``).
    variant: str | None = None

    def __post_init__(self) -> None:
        if self.quirk is not None and self.quirk not in QUIRK_VARIANTS:
            raise ValueError(f"quirk must be 1..12, not {self.quirk!r}")
        if self.variant is not None:
            if self.quirk is None:
                raise ValueError("variant needs a quirk")
            if self.variant not in QUIRK_VARIANTS[self.quirk]:
                allowed = sorted(v for v in QUIRK_VARIANTS[self.quirk] if v)
                raise ValueError(f"quirk {self.quirk} has no variant {self.variant!r}; use one of {allowed}")
        if self.cut_after_chunks is not None and self.cut_after_chunks < 0:
            raise ValueError("cut_after_chunks must be >= 0")
        if self.after_chunks < 0:
            raise ValueError("after_chunks must be >= 0")

    @property
    def replaces_body(self) -> bool:
        """True when the fault answers on its own instead of letting the endpoint answer."""
        return (
            self.status is not None
            or self.error is not None
            or bool(self.html)
            or self.text is not None
            or self.empty_body
            or self.quirk == 7
        )


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request, exactly as it arrived."""

    filename: str
    content_type: str | None
    data: bytes


@dataclass(eq=False)
class RecordedRequest:
    """Everything the server saw of one request, plus events that say how it ended.

    Recorded as soon as the body is read (before authentication and faults), so even rejected
    requests can be inspected.
    """

    index: int
    method: str
    #: Path without the query, e.g. ``/v1/chat/completions``.
    path: str
    query: dict[str, list[str]]
    #: Lower-case names; repeated headers are joined with ``", "``.
    headers: dict[str, str]
    body: bytes
    #: The parsed JSON body, or None when the body is not JSON.
    json: Any
    #: Non-file multipart fields, every value of repeated names in order.
    form: dict[str, list[str]] = field(default_factory=dict)
    #: File parts by field name (``image[]`` keeps every image), in order.
    files: dict[str, list[UploadedFile]] = field(default_factory=dict)
    #: The fault that was applied, if any.
    fault: Fault | None = None
    #: The status the server sent (None if it never sent one, e.g. ``Fault(reset=True)``).
    status: int | None = None
    #: Set when the server noticed the client went away before the answer was complete.
    disconnected: threading.Event = field(default_factory=threading.Event)
    #: Set when the server is done with the request, however it ended.
    completed: threading.Event = field(default_factory=threading.Event)
    #: True when the server itself cut the connection (``cut_after_chunks``, ``reset``).
    aborted_by_server: bool = False

    @property
    def token(self) -> str | None:
        """The bearer token sent, if any: lets tests prove no token leaks to image URLs."""
        value = self.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    def __repr__(self) -> str:
        return f"RecordedRequest(#{self.index} {self.method} {self.path} status={self.status})"
