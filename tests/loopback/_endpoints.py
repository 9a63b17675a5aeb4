"""What the loopback server answers: every endpoint, and the fault machinery that shapes answers.

``Endpoints`` is the base class of ``LoopbackServer``: this module decides the bytes of each answer
(deterministic replies, validation errors, faults and quirks), while ``server.py`` owns the
lifecycle, the dispatch and everything tests read back (recordings, waits, the fault queue). The
rules themselves are documented once, in ``server.py``'s module docstring.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from http import HTTPStatus
from typing import Any

from aiohttp import web

from tests.loopback import _media, _replies, _sse
from tests.loopback._media import SPEECH_CONTENT_TYPES, make_image
from tests.loopback._replies import CJK_SUFFIX, CREATED
from tests.loopback._types import Fault, RecordedRequest, UploadedFile

DEFAULT_MODELS: tuple[str, ...] = (
    "gpt-4o-mini",
    "gpt-4o",
    "deepseek-reasoner",
    "gpt-4o-image",
    "dall-e-2",
    "dall-e-3",
    "gpt-image-1",
    "tts-1",
    "gpt-4o-mini-tts",
    "whisper-1",
    "gpt-4o-transcribe",
    "text-embedding-3-small",
)
#: Quirk 12's first-byte delay when the fault sets none.
QUIRK12_DELAY = 10.0

_IMAGE_SIZES: dict[str, frozenset[str]] = {
    "dall-e-2": frozenset({"256x256", "512x512", "1024x1024"}),
    "dall-e-3": frozenset({"1024x1024", "1792x1024", "1024x1792"}),
    "gpt-image-1": frozenset({"1024x1024", "1536x1024", "1024x1536", "auto"}),
}
_SPEECH_FORMATS = frozenset(SPEECH_CONTENT_TYPES)
_TRANSCRIPT_FORMATS = frozenset({"json", "text", "srt", "verbose_json", "vtt"})
_LANGUAGES = {
    "en": "english",
    "zh": "chinese",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "ja": "japanese",
    "ko": "korean",
    "ru": "russian",
    "it": "italian",
    "pt": "portuguese",
}
_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "not_found"),
    408: ("timeout", None),
    409: ("conflict", None),
    413: ("invalid_request_error", "payload_too_large"),
    422: ("invalid_request_error", None),
    429: ("requests", "rate_limit_exceeded"),
}
_CLOUDFLARE = {
    520: "Web server is returning an unknown error",
    521: "Web server is down",
    522: "Connection timed out",
    523: "Origin is unreachable",
    524: "A timeout occurred",
}
_REASONS = {
    520: "Unknown Error",
    521: "Web Server Is Down",
    522: "Connection Timed Out",
    523: "Origin Is Unreachable",
    524: "A Timeout Occurred",
}


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return _REASONS.get(status, "Unknown")


def default_error(status: int) -> dict[str, Any]:
    """The OpenAI-shaped ``error`` object a bare ``Fault(status=…)`` answers with."""
    kind, code = _ERROR_TYPES.get(status, ("server_error" if status >= 500 else "api_error", None))
    if status == 429:
        message = "Rate limit reached for requests (loopback fault). Please try again later."
    else:
        message = f"Loopback fault: HTTP {status} {_reason(status)}."
    return {"message": message, "type": kind, "param": None, "code": code}


def default_html(status: int) -> str:
    """The HTML page of ``Fault(html=True)``: Cloudflare's for 520–524, nginx's otherwise."""
    if status in _CLOUDFLARE:
        return (
            '<!DOCTYPE html>\n<html lang="en-US"><head><title>'
            f"127.0.0.1 | {status}: {_CLOUDFLARE[status]}</title></head><body>"
            f'<div id="cf-error-details"><h1>{_CLOUDFLARE[status]}</h1>'
            f'<span class="cf-error-code">Error code {status}</span>'
            "<p>Visit cloudflare.com for more information.</p></div></body></html>\n"
        )
    title = f"{status} {_reason(status)}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1>"
        "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )


class _CutConnection(Exception):
    """Raised in the rare case the transport was already gone when the server tried to cut it."""


class _Reply(Exception):
    """A short-circuit answer (validation errors): handlers raise it instead of threading returns."""

    def __init__(self, status: int, error: Mapping[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.status = status
        self.error = dict(error)


def _invalid(message: str, param: str | None = None, code: str | None = None, status: int = 400) -> _Reply:
    return _Reply(status, {"message": message, "type": "invalid_request_error", "param": param, "code": code})


@dataclass
class _Call:
    """One request being answered: what every handler needs, in one place."""

    request: web.BaseRequest
    rec: RecordedRequest
    fault: Fault | None
    multipart_error: str | None = None
    response: web.StreamResponse | None = None
    #: Named groups of the matched route (``id`` of /models/{id}, ``name`` of /files/{name}).
    params: dict[str, str] = dataclass_field(default_factory=dict)

    @property
    def quirk(self) -> int | None:
        return self.fault.quirk if self.fault else None

    @property
    def variant(self) -> str | None:
        return self.fault.variant if self.fault else None

    def field(self, name: str) -> str | None:
        values = self.rec.form.get(name)
        return values[0] if values else None


class Endpoints:
    """The answers of a loopback server, configured by plain attributes (the documented knobs)."""

    def __init__(self, *, host: str) -> None:
        self.models: list[str] = list(DEFAULT_MODELS)
        self.rejected_models: set[str] = {"ghost-model"}
        self.reject_stream_options = False
        self.chunk_chars = 4
        self.stream_delay = 0.0
        self.speech_chunk_bytes = 4096
        self.speech_chunk_delay = 0.005
        self.transcription_text: str | None = None
        self.quirk12_ping_interval = 0.1
        self.host = host
        self.port = 0
        #: Generated images served under /files/ (name → bytes, content type); loop thread only.
        self._files: dict[str, tuple[bytes, str]] = {}

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def url(self, path: str) -> str:
        """``base_url`` joined with ``path`` (``"/models"`` → ``http://…/v1/models``)."""
        return self.base_url + ("" if path.startswith("/") else "/") + path

    # ------------------------------------------------------------------ fault machinery

    def _wants_stream(self, call: _Call) -> bool:
        body = call.rec.json
        return isinstance(body, dict) and body.get("stream") is True

    async def _fault_prelude(self, call: _Call) -> web.StreamResponse | None:
        """Steps 1–3 of the fault order: first-byte delay, reset, canned answers."""
        fault = call.fault
        if fault is None:
            return None
        delay = fault.delay_first_byte
        if fault.quirk == 12:
            delay = QUIRK12_DELAY if delay is None else delay
            if fault.variant in ("headers", "keepalive") and self._wants_stream(call):
                delay = None  # the stream sends its headers first and waits there
        if delay:
            await asyncio.sleep(delay)
        if fault.reset:
            await self._cut(call)
        if not fault.replaces_body:
            return None
        status = fault.status
        if status is None:
            status = 200 if fault.quirk == 7 else 400 if fault.error is not None else 502
        if fault.empty_body:
            return await self._send_body(call, b"", status, None)
        html = fault.html or (fault.quirk == 7 and fault.variant == "html")
        if html:
            page = (
                fault.html if isinstance(fault.html, str) else default_html(502 if status < 400 else status)
            )
            return await self._send_body(call, page.encode(), status, "text/html; charset=utf-8")
        if fault.text is not None:
            return await self._send_body(call, fault.text.encode(), status, "text/plain; charset=utf-8")
        if fault.error is not None:
            error = dict(fault.error)
        elif fault.quirk == 7:
            error = {
                "message": "The upstream service is overloaded, please try again later (loopback quirk 7).",
                "type": "upstream_error",
                "param": None,
                "code": "upstream_overloaded",
            }
        else:
            error = default_error(status)
        return await self._send_json(call, {"error": error}, status)

    def _headers(self, call: _Call, content_type: str | None) -> dict[str, str]:
        headers = {"x-request-id": f"req_loopback_{call.rec.index}"}
        if content_type:
            headers["Content-Type"] = content_type
        if call.fault is not None and call.fault.headers:
            headers.update(call.fault.headers)
        return headers

    async def _send_json(self, call: _Call, payload: Any, status: int = 200) -> web.StreamResponse:
        return await self._send_body(call, _sse.dumps(payload).encode(), status, "application/json")

    async def _send_body(
        self, call: _Call, body: bytes, status: int, content_type: str | None
    ) -> web.StreamResponse:
        """A complete (non-streamed) answer, cut or split when the fault says so."""
        headers = self._headers(call, content_type)
        fault = call.fault
        cut = fault is not None and fault.cut_after_chunks is not None
        split = call.quirk == 11
        call.rec.status = status
        if not cut and not split:
            response = web.Response(status=status, body=body, headers=headers, reason=_reason(status))
            if content_type is None:
                response.headers.pop("Content-Type", None)
            return response
        stream = web.StreamResponse(status=status, headers=headers, reason=_reason(status))
        stream.content_length = len(body)
        call.response = stream
        await stream.prepare(call.request)
        if cut:
            if fault is not None and fault.cut_after_chunks:
                await stream.write(body[: len(body) // 2])
            await self._cut(call)
        start = 0
        for point in [*_sse.split_points(body), len(body)]:
            await stream.write(body[start:point])
            start = point
            await asyncio.sleep(0.001)
        await stream.write_eof()
        return stream

    async def _cut(self, call: _Call) -> None:
        """Close the TCP connection abruptly (what a dying proxy does) and end this handler.

        Written bytes are flushed to the socket first (``abort`` would drop them), so the client
        really receives the partial body before the connection ends.
        """
        transport = call.request.transport
        if transport is None:  # the client left first: that is a disconnect, not a cut
            raise ConnectionResetError("client already gone")
        call.rec.aborted_by_server = True
        for _ in range(200):
            if transport.get_write_buffer_size() == 0:
                break
            await asyncio.sleep(0.001)
        transport.abort()
        # connection_lost now cancels this handler (handler_cancellation=True); wait for it.
        await asyncio.sleep(2.0)
        raise _CutConnection()

    async def _open_stream(self, call: _Call, content_type: str) -> web.StreamResponse:
        headers = self._headers(call, content_type)
        headers.setdefault("Cache-Control", "no-cache")
        response = web.StreamResponse(status=200, headers=headers)
        call.response = response
        call.rec.status = 200
        await response.prepare(call.request)
        return response

    async def _stream_events(self, call: _Call, payloads: list[Any]) -> web.StreamResponse:
        """Send an SSE body: quirk 12's early headers, then the frames through ``StreamSender``."""
        response = await self._open_stream(call, "text/event-stream; charset=utf-8")
        fault = call.fault
        if fault is not None and fault.quirk == 12 and fault.variant in ("headers", "keepalive"):
            delay = QUIRK12_DELAY if fault.delay_first_byte is None else fault.delay_first_byte
            if fault.variant == "headers":
                await asyncio.sleep(delay)
            else:
                clock = asyncio.get_running_loop().time
                deadline = clock() + delay
                while (remaining := deadline - clock()) > 0:
                    await asyncio.sleep(min(remaining, self.quirk12_ping_interval))
                    if deadline - clock() > 0:
                        await response.write(b": keep-alive\n\n")
        frames = _sse.build_frames(payloads, fault)
        sender = _sse.StreamSender(
            response,
            fault,
            default_delay=self.stream_delay,
            on_cut=lambda: self._cut(call),
            split_writes=call.quirk == 11,
        )
        await sender.send(frames)
        return response

    # ------------------------------------------------------------------ endpoints

    def _json_body(self, call: _Call) -> dict[str, Any]:
        body = call.rec.json
        if not isinstance(body, dict):
            raise _invalid(
                "We could not parse the JSON body of your request. (HINT: This likely means you "
                "aren't using your HTTP library correctly.)"
            )
        return body

    def _model_object(self, model_id: str) -> dict[str, Any]:
        owner = (
            model_id.split("-", 1)[0]
            if model_id.startswith(("deepseek", "qwen", "claude", "gemini"))
            else "openai"
        )
        return {"id": model_id, "object": "model", "created": CREATED, "owned_by": owner}

    async def _models_quirk(self, call: _Call) -> web.StreamResponse | None:
        if call.quirk != 10 or call.variant == "ghost":
            return None
        if call.variant == "html":
            return await self._send_body(call, default_html(404).encode(), 404, "text/html")
        raise _Reply(
            404,
            {
                "message": f"Invalid URL (GET {call.request.path})",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            },
        )

    async def _list_models(self, call: _Call) -> web.StreamResponse:
        quirk = await self._models_quirk(call)
        if quirk is not None:
            return quirk
        ids = list(self.models) + (["ghost-model"] if call.variant == "ghost" else [])
        return await self._send_json(call, {"object": "list", "data": [self._model_object(i) for i in ids]})

    async def _get_model(self, call: _Call) -> web.StreamResponse:
        quirk = await self._models_quirk(call)
        if quirk is not None:
            return quirk
        model_id = call.params["id"]
        if model_id not in self.models and not (call.variant == "ghost" and model_id == "ghost-model"):
            raise _Reply(
                404,
                {
                    "message": f"The model '{model_id}' does not exist",
                    "type": "invalid_request_error",
                    "param": "model",
                    "code": "model_not_found",
                },
            )
        return await self._send_json(call, self._model_object(model_id))

    def _check_generation(self, call: _Call, body: Mapping[str, Any]) -> None:
        """Checks shared by chat and completions: model, rejected ids, stream_options."""
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise _invalid("You must provide a model parameter.", "model")
        if model in self.rejected_models:
            raise _Reply(
                404,
                {
                    "message": f"The model `{model}` does not exist or you do not have access to it.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "model_not_found",
                },
            )
        if "stream_options" in body:
            if self.reject_stream_options or call.quirk == 8:
                raise _invalid("Unrecognized request argument supplied: stream_options", "stream_options")
            if body.get("stream") is not True:
                raise _invalid(
                    "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                    "stream_options",
                )

    @staticmethod
    def _choices_count(body: Mapping[str, Any]) -> int:
        n = body.get("n", 1)
        if n is None:
            return 1
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 8:
            raise _invalid("n must be an integer between 1 and 8 on this server.", "n")
        return n

    @staticmethod
    def _include_usage(body: Mapping[str, Any]) -> bool:
        options = body.get("stream_options")
        return isinstance(options, Mapping) and options.get("include_usage") is True

    async def _chat(self, call: _Call) -> web.StreamResponse:
        body = self._json_body(call)
        self._check_generation(call, body)
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _invalid("'messages' must be a non-empty array.", "messages")
        n = self._choices_count(body)
        file_url = f"{self.origin}/files/quirk9-{call.rec.index}.png"
        plan = _replies.plan_chat(
            body, chunk_chars=self.chunk_chars, quirk=call.quirk, variant=call.variant, file_url=file_url
        )
        if call.quirk == 9:
            text, _ = _replies.last_user_text(messages)
            self._files[f"quirk9-{call.rec.index}.png"] = (
                make_image(64, 64, "quirk9url:" + text),
                "image/png",
            )
        finish = (
            call.fault.finish_reason if call.fault and call.fault.finish_reason else None
        ) or plan.finish_reason
        completion = plan.completion_tokens * n
        usage = {
            "prompt_tokens": plan.prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": plan.prompt_tokens + completion,
        }
        base = {
            "id": f"chatcmpl-loopback-{call.rec.index}",
            "object": "chat.completion",
            "created": CREATED,
            "model": body["model"],
            "system_fingerprint": "fp_loopback",
        }
        if body.get("stream") is not True:
            message = _replies.chat_message(plan)
            choices = [
                {"index": i, "message": message, "logprobs": None, "finish_reason": finish} for i in range(n)
            ]
            return await self._send_json(call, {**base, "choices": choices, "usage": usage})

        base["object"] = "chat.completion.chunk"
        include_usage = self._include_usage(body)
        if include_usage:
            base["usage"] = None
        payloads: list[Any] = []
        for delta in _replies.chat_deltas(plan, omit_single_index=call.quirk == 11):
            for i in range(n):
                payloads.append(
                    {
                        **base,
                        "choices": [{"index": i, "delta": delta, "logprobs": None, "finish_reason": None}],
                    }
                )
        for i in range(n):
            payloads.append(
                {**base, "choices": [{"index": i, "delta": {}, "logprobs": None, "finish_reason": finish}]}
            )
        return await self._finish_stream(call, payloads, base, usage, include_usage)

    async def _finish_stream(
        self,
        call: _Call,
        payloads: list[Any],
        base: Mapping[str, Any],
        usage: Mapping[str, int],
        include_usage: bool,
    ) -> web.StreamResponse:
        if include_usage:
            payloads.append({**base, "choices": [], "usage": dict(usage)})
        payloads.append(_sse.DONE)
        if call.quirk == 4:
            payloads = _sse.quirk4_transform(payloads, usage)
        return await self._stream_events(call, payloads)

    async def _completions(self, call: _Call) -> web.StreamResponse:
        body = self._json_body(call)
        self._check_generation(call, body)
        n = self._choices_count(body)
        prompts = _replies.completion_texts(body)
        choices: list[tuple[int, str, list[str], str]] = []
        for p, prompt in enumerate(prompts):
            text = prompt + (CJK_SUFFIX if call.quirk == 11 else "")
            content, pieces, finish = _replies.shape_text("Echo: " + text, body, self.chunk_chars)
            if body.get("echo") is True:
                content, pieces = prompt + content, [prompt, *pieces] if prompt else pieces
            if call.fault is not None and call.fault.finish_reason:
                finish = call.fault.finish_reason
            for j in range(n):
                choices.append((p * n + j, content, pieces, finish))
        prompt_tokens = max(1, sum(_media.token_count(p) for p in prompts))
        completion = max(1, sum(len(c[2]) for c in choices))
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion,
            "total_tokens": prompt_tokens + completion,
        }
        base: dict[str, Any] = {
            "id": f"cmpl-loopback-{call.rec.index}",
            "object": "text_completion",
            "created": CREATED,
            "model": body["model"],
        }
        if body.get("stream") is not True:
            return await self._send_json(
                call,
                {
                    **base,
                    "choices": [
                        {"text": content, "index": index, "logprobs": None, "finish_reason": finish}
                        for index, content, _, finish in choices
                    ],
                    "usage": usage,
                },
            )
        include_usage = self._include_usage(body)
        if include_usage:
            base["usage"] = None
        payloads: list[Any] = []
        for k in range(max(len(c[2]) for c in choices)):
            for index, _, pieces, _ in choices:
                if k < len(pieces):
                    payloads.append(
                        {
                            **base,
                            "choices": [
                                {"text": pieces[k], "index": index, "logprobs": None, "finish_reason": None}
                            ],
                        }
                    )
        for index, _, _, finish in choices:
            payloads.append(
                {**base, "choices": [{"text": "", "index": index, "logprobs": None, "finish_reason": finish}]}
            )
        return await self._finish_stream(call, payloads, base, usage, include_usage)

    async def _embeddings(self, call: _Call) -> web.StreamResponse:
        body = self._json_body(call)
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise _invalid("You must provide a model parameter.", "model")
        raw = body.get("input")
        texts: list[str]
        if isinstance(raw, str):
            texts = [raw]
        elif isinstance(raw, list) and raw and all(isinstance(x, str) for x in raw):
            texts = list(raw)
        elif isinstance(raw, list) and raw and all(isinstance(x, int) for x in raw):
            texts = [json.dumps(raw)]
        elif isinstance(raw, list) and raw and all(isinstance(x, list) and x for x in raw):
            texts = [json.dumps(x) for x in raw]
        else:
            raise _invalid("'input' must be a non-empty string or array.", "input")
        if len(texts) > 2048 or any(t == "" for t in texts):
            raise _invalid("'$.input' is invalid. Please check the API reference.", "input")
        dims = body.get("dimensions")
        if dims is not None:
            if model == "text-embedding-ada-002":
                raise _invalid("This model does not support specifying dimensions.", "dimensions")
            if not isinstance(dims, int) or isinstance(dims, bool) or not 1 <= dims <= 4096:
                raise _invalid("'dimensions' must be a positive integer.", "dimensions")
        width = dims or _media.EMBEDDING_DIMS.get(model, _media.DEFAULT_EMBEDDING_DIMS)
        encoding = body.get("encoding_format", "float")
        if encoding not in ("float", "base64"):
            raise _invalid("'encoding_format' must be 'float' or 'base64'.", "encoding_format")
        data = []
        for index, text in enumerate(texts):
            vector = _media.embedding_vector(text, width)
            value: Any = (
                base64.b64encode(vector.astype("<f4").tobytes()).decode()
                if encoding == "base64"
                else [float(x) for x in vector]
            )
            data.append({"object": "embedding", "index": index, "embedding": value})
        tokens = sum(_media.token_count(t) for t in texts)
        return await self._send_json(
            call,
            {
                "object": "list",
                "data": data,
                "model": model,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )

    def _image_size(self, model: str, size: Any, fallback: tuple[int, int] | None = None) -> tuple[int, int]:
        if size is None or size == "auto":
            return fallback or (1024, 1024)
        allowed = _IMAGE_SIZES.get(model)
        match = re.fullmatch(r"(\d{1,5})x(\d{1,5})", str(size))
        if not match or (allowed is not None and size not in allowed):
            choices = ", ".join(sorted(allowed)) if allowed else "WxH"
            raise _invalid(f"'{size}' is not one of [{choices}] - 'size'", "size")
        return int(match.group(1)), int(match.group(2))

    def _image_data(
        self,
        call: _Call,
        *,
        model: str,
        seeds: list[str],
        size: tuple[int, int],
        response_format: Any,
        output_format: Any = "png",
        transparent: bool = False,
    ) -> list[dict[str, Any]]:
        if response_format not in (None, "url", "b64_json"):
            raise _invalid(
                f"'{response_format}' is not one of ['url', 'b64_json'] - 'response_format'",
                "response_format",
            )
        fmt = output_format if output_format in ("png", "jpeg", "webp") else "png"
        as_b64 = model.startswith("gpt-image") or response_format == "b64_json"
        data: list[dict[str, Any]] = []
        for k, seed in enumerate(seeds):
            image = make_image(size[0], size[1], seed, fmt, transparent)
            if as_b64:
                data.append({"b64_json": base64.b64encode(image).decode()})
            else:
                name = f"img-{call.rec.index}-{k}.{fmt}"
                self._files[name] = (image, f"image/{fmt}")
                data.append({"url": f"{self.origin}/files/{name}"})
        return data

    @staticmethod
    def _count(value: Any, name: str = "n") -> int:
        try:
            n = int(value) if value is not None else 1
        except (TypeError, ValueError):
            n = 0
        if not 1 <= n <= 10:
            raise _invalid(f"Invalid '{name}': must be between 1 and 10.", name)
        return n

    async def _images_generations(self, call: _Call) -> web.StreamResponse:
        body = self._json_body(call)
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise _invalid("Missing required parameter: 'prompt'.", "prompt")
        model = body.get("model") or "dall-e-2"
        n = self._count(body.get("n"))
        if model == "dall-e-3" and n != 1:
            raise _invalid("You must provide n=1 for this model.", "n")
        size = self._image_size(model, body.get("size"))
        data = self._image_data(
            call,
            model=model,
            seeds=[f"{prompt}#{k}" for k in range(n)],
            size=size,
            response_format=body.get("response_format"),
            output_format=body.get("output_format", "png") if model.startswith("gpt-image") else "png",
            transparent=model.startswith("gpt-image") and body.get("background") == "transparent",
        )
        if model == "dall-e-3":
            for item in data:
                item["revised_prompt"] = "A loopback rendering of: " + prompt
        answer: dict[str, Any] = {"created": CREATED, "data": data}
        if model.startswith("gpt-image"):
            tokens = _media.token_count(prompt)
            answer["usage"] = {
                "input_tokens": tokens,
                "output_tokens": 272 * n,
                "total_tokens": tokens + 272 * n,
                "input_tokens_details": {"text_tokens": tokens, "image_tokens": 0},
            }
        return await self._send_json(call, answer)

    def _uploaded_images(self, call: _Call) -> list[UploadedFile]:
        if call.multipart_error is not None:
            raise _invalid(f"Invalid multipart body: {call.multipart_error}")
        if not call.rec.form and not call.rec.files:
            raise _invalid("This endpoint expects multipart/form-data.")
        images = call.rec.files.get("image", []) + call.rec.files.get("image[]", [])
        if not images:
            raise _invalid("Missing required parameter: 'image'.", "image")
        return images

    async def _images_edits(self, call: _Call) -> web.StreamResponse:
        images = self._uploaded_images(call)
        prompt = call.field("prompt")
        if not prompt:
            raise _invalid("Missing required parameter: 'prompt'.", "prompt")
        first_size = _media.image_size(images[0].data)
        masks = call.rec.files.get("mask", [])
        if masks and first_size is not None:
            mask_size = _media.image_size(masks[0].data)
            if mask_size is not None and mask_size != first_size:
                raise _invalid("Invalid mask: the mask and the image must have the same dimensions.", "mask")
        model = call.field("model") or "dall-e-2"
        n = self._count(call.field("n"))
        size = self._image_size(model, call.field("size"), first_size)
        data = self._image_data(
            call,
            model=model,
            seeds=[f"edit:{prompt}#{k}" for k in range(n)],
            size=size,
            response_format=call.field("response_format"),
        )
        return await self._send_json(call, {"created": CREATED, "data": data})

    async def _images_variations(self, call: _Call) -> web.StreamResponse:
        images = self._uploaded_images(call)
        model = call.field("model") or "dall-e-2"
        n = self._count(call.field("n"))
        size = self._image_size(model, call.field("size"), _media.image_size(images[0].data))
        data = self._image_data(
            call,
            model=model,
            seeds=[f"variation:{len(images[0].data)}#{k}" for k in range(n)],
            size=size,
            response_format=call.field("response_format"),
        )
        return await self._send_json(call, {"created": CREATED, "data": data})

    async def _speech(self, call: _Call) -> web.StreamResponse:
        body = self._json_body(call)
        for name in ("model", "input", "voice"):
            if not isinstance(body.get(name), str) or not body[name]:
                raise _invalid(f"Missing required parameter: '{name}'.", name)
        text: str = body["input"]
        if len(text) > 4096:
            raise _invalid("'input' is too long: at most 4096 characters.", "input")
        fmt = body.get("response_format", "mp3")
        if fmt not in _SPEECH_FORMATS:
            raise _invalid(
                f"'{fmt}' is not one of {sorted(_SPEECH_FORMATS)} - 'response_format'", "response_format"
            )
        speed = body.get("speed", 1.0)
        if not isinstance(speed, (int, float)) or isinstance(speed, bool) or not 0.25 <= speed <= 4.0:
            raise _invalid("'speed' must be between 0.25 and 4.0.", "speed")
        audio = _media.encode_speech(text, float(speed), fmt)
        response = await self._open_stream(call, SPEECH_CONTENT_TYPES[fmt])
        size = max(1, min(self.speech_chunk_bytes, math.ceil(len(audio) / 4)))
        frames = [_sse.Frame(audio[i : i + size]) for i in range(0, len(audio), size)]
        sender = _sse.StreamSender(
            response, call.fault, default_delay=self.speech_chunk_delay, on_cut=lambda: self._cut(call)
        )
        await sender.send(frames)
        return response

    async def _transcriptions(self, call: _Call) -> web.StreamResponse:
        return await self._audio_text(call, task="transcribe")

    async def _translations(self, call: _Call) -> web.StreamResponse:
        return await self._audio_text(call, task="translate")

    async def _audio_text(self, call: _Call, *, task: str) -> web.StreamResponse:
        if call.multipart_error is not None:
            raise _invalid(f"Invalid multipart body: {call.multipart_error}")
        uploads = call.rec.files.get("file", [])
        if not uploads:
            raise _invalid("Missing required parameter: 'file'.", "file")
        if not call.field("model"):
            raise _invalid("Missing required parameter: 'model'.", "model")
        fmt = call.field("response_format") or "json"
        if fmt not in _TRANSCRIPT_FORMATS:
            raise _invalid(
                f"'{fmt}' is not one of {sorted(_TRANSCRIPT_FORMATS)} - 'response_format'", "response_format"
            )
        upload = uploads[0]
        verb = "heard" if task == "transcribe" else "translated"
        text = (
            self.transcription_text
            or f"Loopback {verb} {upload.filename}. It was {len(upload.data)} bytes long."
        )
        duration = _media.audio_duration(upload.data)
        segments = _segments(text, duration)
        if fmt == "json":
            return await self._send_json(call, {"text": text})
        if fmt == "text":
            return await self._send_body(call, (text + "\n").encode(), 200, "text/plain; charset=utf-8")
        if fmt in ("srt", "vtt"):
            return await self._send_body(
                call, _subtitles(segments, fmt).encode(), 200, "text/plain; charset=utf-8"
            )
        language = (
            "english"
            if task == "translate"
            else _LANGUAGES.get(call.field("language") or "en", call.field("language") or "english")
        )
        answer: dict[str, Any] = {
            "task": task,
            "language": language,
            "duration": round(duration, 3),
            "text": text,
            "segments": segments,
        }
        if "word" in call.rec.form.get("timestamp_granularities[]", []):
            words = text.split()
            step = duration / max(1, len(words))
            answer["words"] = [
                {"word": w, "start": round(i * step, 3), "end": round((i + 1) * step, 3)}
                for i, w in enumerate(words)
            ]
        return await self._send_json(call, answer)

    async def _serve_file(self, call: _Call) -> web.StreamResponse:
        name = call.params["name"]
        stored = self._files.get(name)
        if stored is None:
            raise _Reply(
                404,
                {
                    "message": "The requested file has expired or does not exist.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "not_found",
                },
            )
        return await self._send_body(call, stored[0], 200, stored[1])


def _segments(text: str, duration: float) -> list[dict[str, Any]]:
    """One segment per sentence, timed in proportion to its length (verbose_json, srt, vtt)."""
    sentences = [s for s in re.split(r"(?<=[.!?。！？])\s+", text.strip()) if s] or [text]
    total = sum(len(s) for s in sentences) or 1
    segments: list[dict[str, Any]] = []
    start = 0.0
    for i, sentence in enumerate(sentences):
        end = start + duration * len(sentence) / total
        segments.append(
            {
                "id": i,
                "seek": 0,
                "start": round(start, 3),
                "end": round(end, 3),
                "text": (" " if i else "") + sentence,
                "tokens": [],
                "temperature": 0.0,
                "avg_logprob": -0.25,
                "compression_ratio": 1.0,
                "no_speech_prob": 0.01,
            }
        )
        start = end
    return segments


def _timestamp(seconds: float, fmt: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    sep = "," if fmt == "srt" else "."
    return f"{hours:02}:{minutes:02}:{secs:02}{sep}{millis:03}"


def _subtitles(segments: list[dict[str, Any]], fmt: str) -> str:
    cues = []
    for i, seg in enumerate(segments, 1):
        timing = f"{_timestamp(seg['start'], fmt)} --> {_timestamp(seg['end'], fmt)}"
        text = seg["text"].strip()
        cues.append(f"{i}\n{timing}\n{text}\n" if fmt == "srt" else f"{timing}\n{text}\n")
    return ("WEBVTT\n\n" if fmt == "vtt" else "") + "\n".join(cues)


#: (method, path pattern, handler method name) — the whole HTTP surface of the server.
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (method, re.compile(pattern), name)
    for method, pattern, name in [
        ("GET", r"/v1/models", "_list_models"),
        ("GET", r"/v1/models/(?P<id>.+)", "_get_model"),
        ("POST", r"/v1/chat/completions", "_chat"),
        ("POST", r"/v1/completions", "_completions"),
        ("POST", r"/v1/embeddings", "_embeddings"),
        ("POST", r"/v1/images/generations", "_images_generations"),
        ("POST", r"/v1/images/edits", "_images_edits"),
        ("POST", r"/v1/images/variations", "_images_variations"),
        ("POST", r"/v1/audio/speech", "_speech"),
        ("POST", r"/v1/audio/transcriptions", "_transcriptions"),
        ("POST", r"/v1/audio/translations", "_translations"),
        ("GET", r"/files/(?P<name>[^/]+)", "_serve_file"),
    ]
]
