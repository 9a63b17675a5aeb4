"""A real OpenAI-compatible HTTP server on 127.0.0.1 for Parla's tests: deterministic, recorded, faulty.

Why a server and not a mocked transport: the client's hardest code is about bytes on a socket —
streams split at awkward places, connections cut mid-body, Stop closing the socket — and only a real
socket exercises it. The server runs aiohttp on its own asyncio loop in a daemon thread, so tests on
any loop (plain asyncio, qasync, or none) talk to it over TCP.

Lifecycle
=========
``server = LoopbackServer().start()`` … ``server.stop()``, or ``with LoopbackServer() as server:``; the
pytest fixture ``loopback`` (tests/loopback/fixtures.py) gives a started one per test. Start takes a
few milliseconds; stop cancels whatever is still being answered, closes every connection and joins
the thread. ``server.base_url`` is ``"http://127.0.0.1:PORT/v1"``; ``server.origin`` the same
without ``/v1``; ``server.url("/models")`` joins a path to ``base_url``.

Knobs (plain attributes, change them any time)
==============================================
* ``token = "sk-loopback-test"``, ``require_token = True``: every ``/v1`` request needs
  ``Authorization: Bearer <token>``, else 401 with an OpenAI error (``code: "invalid_api_key"``, or
  ``null`` when the header is missing). Generated image URLs (``/files/…``) need no token, like
  real signed URLs; a test can check the client sent none there (``RecordedRequest.token``).
* ``models``: the ids ``GET /models`` lists (``DEFAULT_MODELS``: chat, reasoning, image, tts,
  whisper and embedding models).
* ``rejected_models = {"ghost-model"}``: chat/completions with such a model → 404
  ``model_not_found`` (quirk 10: listed ids the chat endpoint rejects).
* ``reject_stream_options = False``: when True, every chat/completions request carrying
  ``stream_options`` → 400 (quirk 8, stateful; see also ``Fault(quirk=8)`` for one request).
* ``chunk_chars = 4``: streamed text pieces are this many characters.
* ``stream_delay = 0.0``: seconds between SSE events (``Fault.delay_between_chunks`` overrides).
* ``speech_chunk_bytes = 4096``, ``speech_chunk_delay = 0.005``: speech is written in pieces of at
  most this size (and at least four pieces), with this pause between them.
* ``transcription_text = None``: when set, every transcription/translation returns this text.
* ``quirk12_ping_interval = 0.1``: seconds between ``: keep-alive`` comments of quirk 12 keepalive.

Deterministic answers (all under ``/v1``; ``created`` is always 1700000000)
============================================================================
* ``GET /models`` → ``{"object": "list", "data": [{"id", "object": "model", "created", "owned_by"}]}``
  over ``server.models``; ``GET /models/{id}`` → that object, or 404 ``model_not_found``.
* ``POST /chat/completions`` — needs ``model`` and a non-empty ``messages`` list (else 400).

  - Reply text: ``"Echo: " + <text of the last user message>`` (text parts joined by ``\\n``),
    plus ``" [images: N]"`` when that message has N ``image_url`` parts. When the conversation ends
    with ``tool`` messages: ``"Result: " + "; ".join(<their contents>)``. With ``response_format``
    ``json_object``/``json_schema``: ``{"echo": <user text>}`` (JSON text).
  - ``stop`` cuts before the first stop string; ``max_completion_tokens``/``max_tokens`` = N keeps N
    pieces and finishes ``"length"``. ``n`` gives n identical choices (interleaved when streaming).
  - Usage: ``prompt_tokens`` = sum over messages of ceil(len(text)/4) (at least 1);
    ``completion_tokens`` = pieces (content + reasoning pieces + tool calls, at least 1) × n.
  - Streaming (``"stream": true``): ``data: {chunk}\\n\\n`` events: one role event
    (``{"role": "assistant", "content": ""}``), one per ``chunk_chars``-sized piece, one finish event
    (empty delta + ``finish_reason``), a usage event (``"choices": []``) when
    ``stream_options.include_usage`` is true (the other chunks then carry ``"usage": null``), then
    ``data: [DONE]``. ``server.chunk_pieces(text)`` gives the pieces.
  - Tool calls (``tools`` given, last message ``user``, ``tool_choice`` not ``"none"``):
    ``tool_choice`` naming a function → call it; text containing ``use all tools`` → parallel calls
    to every tool in order (only the first if ``parallel_tool_calls`` is false); ``use tool NAME`` →
    call NAME; ``use tool`` → call the first tool; ``tool_choice: "required"`` → call the first
    tool. Ids ``call_loopback_<i>``; ``arguments`` = JSON object with one value per property of the
    tool's schema: string → the user text (first ``enum`` value if any), integer → 42, number → 0.5,
    boolean → true, array → [], object → {}. Message ``content`` is null, ``finish_reason`` is
    ``"tool_calls"``. Streamed: a role event (``content: null``), then per call a head delta
    (``index``, ``id``, ``type``, ``function.name``, ``arguments: ""``) and the arguments in pieces
    of at most 5 characters (always ≥ 2 pieces), then the finish event.
  - A model in ``rejected_models`` → 404; ``stream_options`` without ``stream`` → 400.
* ``POST /completions`` — per prompt (string or list): ``"Echo: " + prompt`` (``echo`` prepends
  the prompt); same ``stop``/``max_tokens``/``n``/usage rules; streamed chunks carry ``text``, then a
  finish chunk (``text: ""``), optional usage chunk, ``[DONE]``.
* ``POST /embeddings`` — ``input`` string, list of strings, token list or list of token lists
  (empty or > 2048 items or an empty string → 400). Each vector is a unit float32 vector seeded by
  SHA-256 of the text (token lists: their JSON), ``server.embedding(text, dims)`` recomputes it.
  Width: ``dimensions`` when given (text-embedding-ada-002 rejects it with 400), else 1536
  (3-small, ada-002), 3072 (3-large), 16 (other models). ``encoding_format: "base64"`` → the
  little-endian float32 bytes in base64, bit-identical to the float list.
* ``POST /images/generations`` — ``prompt`` required; ``model`` defaults to dall-e-2; sizes are
  checked per model (dall-e-2: 256/512/1024 square; dall-e-3: 1024x1024, 1792x1024, 1024x1792;
  gpt-image-1: 1024x1024, 1536x1024, 1024x1536, auto; other models: any WxH or auto); dall-e-3 with
  ``n`` ≠ 1 → 400. Image k (0-based) is ``make_image(w, h, f"{prompt}#{k}")``: a
  ``color_for(seed)`` background with an inverted centre block. ``response_format: "url"``
  (default; not for gpt-image-1, which always answers ``b64_json`` and honours ``output_format``
  and ``background: "transparent"``) → ``{origin}/files/img-<req>-<k>.png`` served by this server;
  dall-e-3 adds ``revised_prompt = "A loopback rendering of: " + prompt``.
* ``POST /images/edits`` (multipart; ``image`` or repeated ``image[]``, ``prompt`` required;
  ``mask`` must have the image's size) and ``POST /images/variations`` (``image`` required): the
  answer has the size of ``size`` or else of the first image; seeds ``f"edit:{prompt}#{k}"`` and
  ``f"variation:{n_bytes}#{k}"``. Every part is recorded (``RecordedRequest.form``/``files``).
* ``POST /audio/speech`` — ``model``, ``input`` (1..4096 chars), ``voice`` required; ``speed``
  0.25–4. Audio: a 440 Hz sine lasting ``min(3, 0.2 + 0.02 * len(input)) / speed`` s at 24 kHz.
  ``pcm`` raw s16le mono; ``wav``/``flac``/``opus`` (Ogg)/``mp3`` written by soundfile; ``aac`` is
  synthetic ADTS framing around silent blocks (libsndfile cannot write AAC; not decoder-verified).
  Content types: ``SPEECH_CONTENT_TYPES``. Sent chunked in ≥ 4 pieces. ``server.speech(text,
  speed, fmt)`` gives the exact bytes.
* ``POST /audio/transcriptions`` / ``translations`` (multipart; ``file`` and ``model`` required):
  text ``f"Loopback heard {filename}. It was {size} bytes long."`` (translations: ``"Loopback
  translated …"``) unless ``transcription_text`` is set. ``json`` → ``{"text"}``; ``text`` → the
  text + ``\\n``; ``srt``/``vtt`` → one cue per sentence; ``verbose_json`` → ``task``,
  ``language`` (full English name of the ``language`` code, default "english"), ``duration``
  (soundfile's, else bytes/32000), ``text``, ``segments`` (one per sentence, times proportional to
  length) and ``words`` when ``timestamp_granularities[]`` includes ``word``.
* Unknown paths → 404 ``Invalid URL (METHOD /path)``; bad JSON → 400.

Recording
=========
``server.requests`` (a copy, thread-safe) holds a ``RecordedRequest`` per request, recorded when
its body has been read: ``method``, ``path`` (``/v1/chat/completions``), ``query``, ``headers``
(lower-case), ``body``, ``json``, ``form``, ``files`` (``UploadedFile(filename, content_type,
data)``), ``fault``, ``status``, ``token``, ``aborted_by_server``, and the events
``disconnected`` (the client went away before the answer was complete) and ``completed``.
``server.last("/chat/completions")`` is the last request whose path ends so (LookupError if none);
``server.requests_to(suffix)`` all of them; ``server.clear()`` forgets them.
``wait_request(suffix, count=, timeout=)``, ``wait_disconnect(timeout, suffix)`` and
``wait_connections(count, timeout)`` block (use them from sync tests); their ``*_async`` twins poll
with ``asyncio.sleep`` (use them inside coroutines: blocking there would stall the client).
``server.open_connections`` counts the TCP connections open right now. ``server.errors`` collects
exceptions from the server's own code (answered as 500 ``loopback_bug``); the fixture fails the test
when it is not empty. ``chunk_pieces(text)``, ``embedding(text, dims)`` and ``speech(text, speed,
fmt)`` recompute answers so tests need not copy the rules.

Faults
======
``server.inject(path_suffix, Fault(...), times=1)`` queues a fault for requests whose path ends with
``path_suffix`` (``"/chat/completions"``, ``"/models"`` — which does not match ``/models/x`` — or
``""`` for every request; the longest matching suffix wins). Queued faults apply in order, each to
``times`` requests (``-1``: forever, so later ones never apply). ``clear_faults()``,
``pending_faults()``. Faults apply after authentication, in this order:

1. ``delay_first_byte`` seconds of silence before the status line.
2. ``reset=True``: close the connection without any answer.
3. A canned answer when ``status``, ``error``, ``html``, ``text`` or ``empty_body`` is set (or quirk
   7): the status (default 400 with ``error``, else 502; 200 for quirk 7) and the body — ``{"error":
   error}``, an OpenAI error JSON for the status (``default_error(status)``), an HTML page
   (``html=True``: nginx's, or Cloudflare's for 520–524), a ``text/plain`` body, or nothing.
4. ``headers`` are added to whatever is answered (canned or normal), e.g. ``{"Retry-After": "1"}``,
   ``{"retry-after-ms": "150"}`` or an HTTP date.
5. Stream shaping (SSE of chat/completions; speech counts audio chunks as events):
   ``delay_between_chunks``; ``cut_after_chunks=N`` closes the socket after N events (before the
   chunked terminator when N ≥ all events; on a JSON answer after half its bytes), and with
   ``cut_mid_line`` half of the next event goes out first; ``malformed_chunk`` inserts
   ``data: {"id": "chatcmpl-broken", "choices": [{"delta": {"content": "bro`` after
   ``after_chunks`` events (default 3: role + two pieces) and goes on; ``mid_stream_error`` (True or
   an error dict) sends ``data: {"error": …}`` after ``after_chunks`` events and ends the body
   cleanly without [DONE]; ``finish_reason`` replaces the final finish reason.

Quirks (``Fault(quirk=N, variant=…)``, numbered as in api-reference.md)
----------------------------------------------------------------------
1. ``data:`` with no space after the colon and ``\\r\\n`` line ends everywhere; odd-numbered events
   are one line (``data:{…}``), even-numbered ones spread the chunk pretty-printed over several
   ``data:`` lines (join them with ``\\n``); ``data:[DONE]``.
2. Starts with ``: keep-alive`` and ``retry: 3000`` blocks; every event has ``event: message`` and
   ``id: N`` lines; a ``: ping`` comment follows every second event.
3. No ``data: [DONE]``: the body ends after the finish (and usage) event.
4. A first chunk ``{"choices": [], "prompt_filter_results": [...]}`` (Azure), ``usage`` (running
   totals) on every chunk, ``finish_reason: ""`` instead of null, and a last ``choices: []`` usage
   chunk even without ``include_usage``.
5. Reasoning (``"Thinking about: " + user text``) before the answer: variant ``None`` /
   ``"reasoning_content"`` streams ``reasoning_content`` deltas (``content: null``) then content
   deltas (``reasoning_content: null``), and the JSON message gets ``reasoning_content``;
   ``"reasoning"`` uses the field ``reasoning``; ``"think"`` puts ``<think>…</think>\\n\\n`` in front
   of the content itself (tags split across pieces).
6. Same as ``mid_stream_error=True``: after ``after_chunks`` events, ``data: {"error": …}``.
7. A 200 whose body is an error JSON (variant ``None``/``"json"``) or an nginx HTML page
   (``"html"``), whatever ``stream`` says.
8. 400 ``Unrecognized request argument supplied: stream_options`` if the request has
   ``stream_options`` (the fault is used up either way); ``server.reject_stream_options = True``
   does it for every request.
9. The reply (streamed in 32-character pieces) is ``"Here is the image."`` followed by, by
   variant: ``None`` → all three forms; ``"url"`` → ``![image](<origin>/files/quirk9-<req>.png)``
   (served here, 64×64; plain http, since the server has no TLS); ``"https"`` →
   ``![image](https://images.invalid/loopback/quirk9.png)`` (never reachable); ``"data"`` →
   ``![image](data:image/png;base64,…)``; ``"images"`` → an ``images`` array
   (``[{"type": "image_url", "image_url": {"url": <data URL>}, "index": 0}]``) on the message, or as
   a delta before the finish event.
10. ``GET /models`` and ``/models/{id}`` → 404 with an OpenAI error (variant ``None``/``"json"``)
    or nginx's HTML 404 (``"html"``); ``"ghost"`` lists ``ghost-model`` too, which chat rejects.
11. The user text gets ``CJK_SUFFIX`` (" 你好，世界🌏") appended (reply and tool arguments); every
    event (and a JSON body) is written in several pieces: after the first two bytes, mid-line,
    right after the lead byte of multi-byte characters, and between the final two newlines; with a
    single tool call, ``index`` is left out.
12. A very slow first byte: ``delay_first_byte`` (10 s if unset). Variant ``None``: nothing at all
    is sent meanwhile; ``"headers"``: 200 and SSE headers at once, then silence; ``"keepalive"``:
    headers at once, then ``: keep-alive`` comments every ``quirk12_ping_interval`` s (on requests
    that do not stream, every variant waits silently). The client can cancel at any time;
    ``wait_disconnect`` sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import socket
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from aiohttp import web
from aiohttp.abc import AbstractStreamWriter
from aiohttp.http_parser import RawRequestMessage
from aiohttp.streams import StreamReader
from aiohttp.web_protocol import RequestHandler

from tests.loopback import _media, _replies
from tests.loopback._endpoints import (
    DEFAULT_MODELS,
    QUIRK12_DELAY,
    ROUTES,
    Endpoints,
    _Call,
    _CutConnection,
    _Reply,
    default_error,
    default_html,
)
from tests.loopback._media import SPEECH_CONTENT_TYPES, color_for, make_image
from tests.loopback._multipart import MultipartError, parse_multipart
from tests.loopback._replies import CJK_SUFFIX, CREATED
from tests.loopback._types import Fault, RecordedRequest, UploadedFile

__all__ = [
    "CJK_SUFFIX",
    "CREATED",
    "DEFAULT_MODELS",
    "QUIRK12_DELAY",
    "SPEECH_CONTENT_TYPES",
    "Fault",
    "LoopbackServer",
    "RecordedRequest",
    "UploadedFile",
    "color_for",
    "default_error",
    "default_html",
    "make_image",
]

_log = logging.getLogger(__name__)

DEFAULT_TOKEN = "sk-loopback-test"
#: Uploads up to this size are accepted (the API's limit is 25 MB for audio).
MAX_BODY = 64 * 1024 * 1024


@dataclass
class _Queued:
    """A fault waiting in its suffix's queue, with how many requests it still applies to."""

    fault: Fault
    remaining: int  # -1: forever


class _TrackingServer(web.Server):
    """aiohttp's low-level server, counting TCP connections as they open and close.

    ``connection_made``/``connection_lost`` are the hooks aiohttp's protocol calls on the manager;
    counting there (rather than polling ``connections``) sees a close the moment asyncio does.
    """

    def __init__(self, *args: Any, on_change: Callable[[int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._on_change = on_change

    def connection_made(self, handler: RequestHandler, transport: asyncio.Transport) -> None:
        super().connection_made(handler, transport)
        self._on_change(+1)

    def connection_lost(self, handler: RequestHandler, exc: BaseException | None = None) -> None:
        super().connection_lost(handler, exc)
        self._on_change(-1)


class LoopbackServer(Endpoints):
    """The fake OpenAI-compatible server; see the module docstring for everything it does."""

    def __init__(self, *, token: str = DEFAULT_TOKEN, host: str = "127.0.0.1") -> None:
        super().__init__(host=host)
        self.token = token
        self.require_token = True

        self._lock = threading.Condition()
        self._requests: list[RecordedRequest] = []
        self._faults: dict[str, deque[_Queued]] = {}
        self._open_connections = 0
        self._counter = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.ServerRunner | None = None
        self._active: set[asyncio.Task[Any]] = set()
        self._stopping = False
        #: Exceptions raised by the server's own code (bugs); the fixture fails a test if any.
        self.errors: list[BaseException] = []

    # ------------------------------------------------------------------ lifecycle

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> LoopbackServer:
        """Bind a free port and serve from a daemon thread; returns self for chaining."""
        if self._thread is not None:
            raise RuntimeError("LoopbackServer already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((self.host, 0))
        except OSError:
            sock.close()
            raise
        self.port = sock.getsockname()[1]
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._stopping = False
        self._thread = threading.Thread(
            target=self._run_loop, args=(loop,), name=f"loopback-server-{self.port}", daemon=True
        )
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._astart(sock), loop).result(timeout=10)
        except BaseException:
            sock.close()
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Cancel pending answers, close every connection, stop the loop and join the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._stopping = True
        if thread.is_alive() and not loop.is_closed():
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._astop(), loop).result(timeout=10)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._loop = None
        self._thread = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _run_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            asyncio.set_event_loop(None)
            loop.close()

    async def _astart(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()

        def make_request(
            message: RawRequestMessage,
            payload: StreamReader,
            protocol: RequestHandler,
            writer: AbstractStreamWriter,
            task: asyncio.Task[None],
        ) -> web.BaseRequest:
            return web.BaseRequest(message, payload, protocol, writer, task, loop, client_max_size=MAX_BODY)

        server = _TrackingServer(
            self._handle,
            on_change=self._count_connection,
            request_factory=make_request,
            handler_cancellation=True,  # a client that goes away cancels its handler at once
            access_log=None,
        )
        self._runner = web.ServerRunner(server, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def _astop(self) -> None:
        tasks = [t for t in self._active if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=2)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _count_connection(self, delta: int) -> None:
        with self._lock:
            self._open_connections += delta
            self._lock.notify_all()

    # ------------------------------------------------------------------ test-facing helpers

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request so far, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def open_connections(self) -> int:
        """TCP connections open right now (idle keep-alive ones included)."""
        with self._lock:
            return self._open_connections

    def requests_to(self, path_suffix: str) -> list[RecordedRequest]:
        """Every request whose path ends with ``path_suffix``, oldest first (retries show up here)."""
        return [r for r in self.requests if r.path.endswith(path_suffix)]

    def last(self, path_suffix: str | None = None) -> RecordedRequest:
        """The latest request (whose path ends with ``path_suffix``); LookupError if there is none."""
        matching = self.requests if path_suffix is None else self.requests_to(path_suffix)
        if not matching:
            seen = [f"{r.method} {r.path}" for r in self.requests]
            raise LookupError(f"no request matching {path_suffix!r}; seen: {seen}")
        return matching[-1]

    def clear(self) -> None:
        """Forget the recorded requests (faults and settings stay)."""
        with self._lock:
            self._requests.clear()

    def inject(self, path_suffix: str, fault: Fault, times: int = 1) -> None:
        """Queue ``fault`` for the next ``times`` requests whose path ends with ``path_suffix``."""
        if times == 0 or times < -1:
            raise ValueError("times must be a positive count or -1 (forever)")
        if not isinstance(fault, Fault):
            raise TypeError("inject() takes a Fault")
        with self._lock:
            self._faults.setdefault(path_suffix, deque()).append(_Queued(fault, times))

    def clear_faults(self) -> None:
        """Drop every queued fault, including forever ones (e.g. between phases of one test)."""
        with self._lock:
            self._faults.clear()

    def pending_faults(self) -> int:
        """How many queued faults have not been used up (a forever fault counts once)."""
        with self._lock:
            return sum(len(queue) for queue in self._faults.values())

    def wait_request(
        self, path_suffix: str | None = None, *, count: int = 1, timeout: float = 5.0
    ) -> RecordedRequest:
        """Block until ``count`` matching requests arrived; return the latest. TimeoutError if not."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                matching = [r for r in self._requests if path_suffix is None or r.path.endswith(path_suffix)]
                if len(matching) >= count:
                    return matching[-1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no request matching {path_suffix!r} within {timeout} s")
                self._lock.wait(remaining)

    def wait_disconnect(self, timeout: float = 1.0, path_suffix: str | None = None) -> bool:
        """Block until the latest matching request saw its client go away mid-answer."""
        deadline = time.monotonic() + timeout
        try:
            rec = self.wait_request(path_suffix, timeout=timeout)
        except TimeoutError:
            return False
        return rec.disconnected.wait(max(0.0, deadline - time.monotonic()))

    def wait_connections(self, count: int = 0, timeout: float = 1.0) -> bool:
        """Block until at most ``count`` TCP connections are open."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._open_connections > count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
            return True

    async def wait_request_async(
        self, path_suffix: str | None = None, *, count: int = 1, timeout: float = 5.0
    ) -> RecordedRequest:
        """``wait_request`` for coroutines: polls, so the caller's loop keeps running."""
        deadline = time.monotonic() + timeout
        while True:
            matching = self.requests if path_suffix is None else self.requests_to(path_suffix)
            if len(matching) >= count:
                return matching[-1]
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no request matching {path_suffix!r} within {timeout} s")
            await asyncio.sleep(0.002)

    async def wait_disconnect_async(self, timeout: float = 1.0, path_suffix: str | None = None) -> bool:
        """``wait_disconnect`` for coroutines (the client under test shares the caller's loop)."""
        deadline = time.monotonic() + timeout
        try:
            rec = await self.wait_request_async(path_suffix, timeout=timeout)
        except TimeoutError:
            return False
        while not rec.disconnected.is_set():
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.002)
        return True

    async def wait_connections_async(self, count: int = 0, timeout: float = 1.0) -> bool:
        """``wait_connections`` for coroutines."""
        deadline = time.monotonic() + timeout
        while self.open_connections > count:
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.002)
        return True

    # Recomputation helpers, so tests state expectations without copying the rules.

    def chunk_pieces(self, text: str) -> list[str]:
        """The pieces a streamed reply ``text`` is split into."""
        return _replies.split_pieces(text, self.chunk_chars)

    @staticmethod
    def embedding(text: str, dims: int) -> list[float]:
        """The vector the server answers for ``text`` at width ``dims`` (as the float list)."""
        return [float(x) for x in _media.embedding_vector(text, dims)]

    @staticmethod
    def speech(text: str, speed: float = 1.0, fmt: str = "pcm") -> bytes:
        """The exact speech body for ``input=text`` at ``speed`` in ``response_format=fmt``."""
        return _media.encode_speech(text, float(speed), fmt)

    # ------------------------------------------------------------------ dispatch

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            suffixes = [s for s, q in self._faults.items() if q and path.endswith(s)]
            if not suffixes:
                return None
            queue = self._faults[max(suffixes, key=len)]
            entry = queue[0]
            if entry.remaining > 0:
                entry.remaining -= 1
                if entry.remaining == 0:
                    queue.popleft()
            return entry.fault

    def _record(self, request: web.BaseRequest, body: bytes) -> tuple[RecordedRequest, str | None]:
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        content_type = headers.get("content-type", "")
        parsed: Any = None
        form: dict[str, list[str]] = {}
        files: dict[str, list[UploadedFile]] = {}
        multipart_error: str | None = None
        if content_type.lower().startswith("multipart/"):
            try:
                form, files = parse_multipart(body, content_type)
            except MultipartError as exc:
                multipart_error = str(exc)
        elif body:
            with contextlib.suppress(ValueError):
                parsed = json.loads(body)
        query = {key: request.query.getall(key) for key in request.query}
        rec = RecordedRequest(
            index=next(self._counter),
            method=request.method,
            path=request.path,
            query=query,
            headers=headers,
            body=body,
            json=parsed,
            form=form,
            files=files,
        )
        with self._lock:
            self._requests.append(rec)
            self._lock.notify_all()
        return rec, multipart_error

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        task = asyncio.current_task()
        assert task is not None
        self._active.add(task)
        rec: RecordedRequest | None = None
        call: _Call | None = None
        try:
            body = await request.read()
            rec, multipart_error = self._record(request, body)
            call = _Call(request, rec, None, multipart_error)
            return await self._route(call)
        except asyncio.CancelledError:
            if rec is not None and not rec.aborted_by_server and not self._stopping:
                rec.disconnected.set()
            raise
        except (ConnectionError, _CutConnection):
            # The peer vanished between two writes: hand aiohttp the (broken) response, which
            # it treats as a premature disconnection instead of logging a handler crash.
            if rec is not None and not rec.aborted_by_server:
                rec.disconnected.set()
            if call is not None and call.response is not None:
                return call.response
            return web.Response(status=499)
        except Exception as exc:
            # A bug in this server, not a fault a test asked for: keep it for the fixture to
            # report, so no test can pass on the back of a broken fake.
            with self._lock:
                self.errors.append(exc)
            _log.exception("loopback server error while answering %s", request.path)
            if call is not None and call.response is not None:
                return call.response  # already streaming: the broken body is all we can do
            error = {
                "message": f"loopback server bug: {exc!r}",
                "type": "loopback_bug",
                "param": None,
                "code": None,
            }
            if rec is not None:
                rec.status = 500
            return web.json_response({"error": error}, status=500)
        finally:
            self._active.discard(task)
            if rec is not None:
                rec.completed.set()

    async def _route(self, call: _Call) -> web.StreamResponse:
        method, path = call.request.method, call.request.path
        handler: Callable[[_Call], Awaitable[web.StreamResponse]] | None = None
        allowed = False
        for route_method, pattern, handler_name in ROUTES:
            match = pattern.fullmatch(path)
            if match:
                allowed = True
                if route_method == method:
                    # Looked up per request, so a test can replace one endpoint on one server.
                    handler = getattr(self, handler_name)
                    call.params = match.groupdict()
                    break
        if path.startswith("/v1/") and self.require_token:
            auth_error = self._check_auth(call.rec)
            if auth_error is not None:
                return await self._send_json(call, {"error": auth_error}, 401)
        call.fault = call.rec.fault = self._take_fault(path)
        try:
            canned = await self._fault_prelude(call)
            if canned is not None:
                return canned
            if handler is None:
                if allowed:
                    raise _Reply(
                        405,
                        {
                            "message": f"Method {method} not allowed on {path}",
                            "type": "invalid_request_error",
                            "param": None,
                            "code": None,
                        },
                    )
                raise _Reply(
                    404,
                    {
                        "message": f"Invalid URL ({method} {path})",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": None,
                    },
                )
            return await handler(call)
        except _Reply as reply:
            return await self._send_json(call, {"error": reply.error}, reply.status)

    def _check_auth(self, rec: RecordedRequest) -> dict[str, Any] | None:
        header = rec.headers.get("authorization")
        if header is None:
            return {
                "message": "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        if rec.token != self.token:
            return {
                "message": "Incorrect API key provided.",
                "type": "invalid_request_error",
                "param": None,
                "code": "invalid_api_key",
            }
        return None
