"""Audio: text to speech, transcription and translation.

Public calls (``client.audio``):

``client.audio.speech(input, *, model, voice, response_format="mp3", speed=None, instructions=None,
extra_body=None, timeout=None) -> SpeechStream``
    ``POST /audio/speech``. ``async with client.audio.speech(...) as speech: async for chunk in
    speech: ...`` yields the audio bytes as the server produces them, so playback can start before
    the end (``pcm`` is raw 24 kHz 16-bit mono little-endian). ``await speech.read()`` collects the
    rest; ``speech.content_type`` is the server's. Entering raises status/connection errors (retried
    first); a JSON error or an HTML page sent with status 200 instead of audio raises the matching
    ``APIStatusError``; a connection cut after audio started raises ``StreamError(kind="network")``
    (``partial`` is empty: audio is not text). Leaving the block or cancelling closes the connection.

``await client.audio.transcribe(file, *, model, response_format="json", language=None, prompt=None,
temperature=None, timestamp_granularities=None, extra_fields=None, timeout=None) -> Transcription``
    ``POST /audio/transcriptions`` (multipart). ``response_format``: ``json`` / ``verbose_json``
    (``.language``, ``.duration``, ``.segments``, ``.words``) / ``text`` / ``srt`` / ``vtt`` (the
    body as ``.text``). ``timestamp_granularities`` (``["word", "segment"]``, verbose_json only) is
    sent as repeated ``timestamp_granularities[]`` fields.

``await client.audio.translate(file, *, model, response_format="json", prompt=None,
temperature=None, extra_fields=None, timeout=None) -> Transcription``
    ``POST /audio/translations``: the same, into English.

``file`` is a ``FileInput``: a path, ``bytes``, ``(filename, bytes)`` or ``(filename, bytes,
content_type)``. Give a filename with the right extension when you have one: servers choose the
decoder from it (bare bytes get one guessed from the magic number).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Self

import httpx

from app.api._http import HTTPCore, form_fields, load_file
from app.api.chat import build_body
from app.api.errors import StreamError
from app.api.types import FileInput, Segment, Transcription, Usage, Word

__all__ = ["Audio", "SpeechStream"]

_TEXT_FORMATS = ("text", "srt", "vtt")


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


class SpeechStream:
    """Audio bytes as they arrive; an async context manager and an async iterator of ``bytes``."""

    def __init__(self, http: HTTPCore, body: dict[str, Any], *, timeout: float | None = None) -> None:
        self._http = http
        self._body = body
        self._timeout = timeout
        self._response: httpx.Response | None = None
        self._iterator: AsyncIterator[bytes] | None = None
        self._closed = False
        self._received = 0
        self.response_format: str = str(body.get("response_format") or "mp3")
        self.content_type: str = ""
        #: ``time.monotonic()`` of the last bytes received.
        self.last_activity = time.monotonic()

    @property
    def bytes_received(self) -> int:
        return self._received

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __aiter__(self) -> AsyncIterator[bytes]:
        if self._iterator is None:
            self._iterator = self._iterate()
        return self._iterator

    async def start(self) -> None:
        """Send the request; raise if the answer is an error rather than audio."""
        if self._response is not None or self._closed:
            return
        response = await self._http.open_stream(
            "POST", "audio/speech", json=self._body, headers={"Accept": "*/*"}, timeout=self._timeout
        )
        self._response = response
        self.content_type = response.headers.get("content-type", "")
        lowered = self.content_type.lower()
        if "json" in lowered or "html" in lowered or lowered.startswith("text/"):
            # Quirk 7 for audio: an error (or a relay's page) under a 200 instead of sound.
            try:
                content = await response.aread()
            except httpx.HTTPError as exc:
                raise self._http.transport_error(exc, "POST", self._http.url("audio/speech")) from exc
            finally:
                await self.aclose()
            if "json" in lowered:
                try:
                    payload = json.loads(content)
                except ValueError:
                    payload = None
                if payload is not None:
                    raise self._http.error_from_payload(payload, status=response.status_code, method="POST",
                                                        url=self._http.url("audio/speech"))
            raise self._http.status_error(response.status_code, response.headers, content, method="POST",
                                          url=self._http.url("audio/speech"))

    async def aclose(self) -> None:
        self._closed = True
        response, self._response = self._response, None
        if response is not None:
            await response.aclose()

    async def _iterate(self) -> AsyncIterator[bytes]:
        try:
            await self.start()
            if self._response is None:
                return
            chunks = self._response.aiter_bytes().__aiter__()
            while True:
                try:
                    chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    return
                except httpx.HTTPError as exc:
                    error = self._http.transport_error(exc, "POST", self._http.url("audio/speech"))
                    if self._received == 0:
                        raise error from exc
                    raise StreamError(
                        f"The audio stopped after {self._received} bytes: {error.message}", partial="",
                        kind="timeout" if "sent nothing" in error.message else "network",
                        method="POST", url=error.url,
                    ) from exc
                if chunk:
                    self._received += len(chunk)
                    self.last_activity = time.monotonic()
                    yield chunk
        finally:
            await self.aclose()

    async def read(self) -> bytes:
        """All the (remaining) audio as one bytes object."""
        return b"".join([chunk async for chunk in self])


class Audio:
    """``client.audio``."""

    def __init__(self, http: HTTPCore) -> None:
        self._http = http

    def speech(
        self,
        input: str,
        *,
        model: str,
        voice: str,
        response_format: str = "mp3",
        speed: float | None = None,
        instructions: str | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> SpeechStream:
        body = build_body(
            {"model": model, "input": input, "voice": voice, "response_format": response_format},
            {"speed": speed, "instructions": instructions},
            extra_body,
        )
        return SpeechStream(self._http, body, timeout=timeout)

    async def transcribe(
        self,
        file: FileInput,
        *,
        model: str,
        response_format: str = "json",
        language: str | None = None,
        prompt: str | None = None,
        temperature: float | None = None,
        timestamp_granularities: Sequence[str] | None = None,
        extra_fields: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Transcription:
        fields = {
            "model": model, "response_format": response_format, "language": language, "prompt": prompt,
            "temperature": temperature,
            "timestamp_granularities[]": list(timestamp_granularities) if timestamp_granularities else None,
            **(extra_fields or {}),
        }
        return await self._upload("audio/transcriptions", file, fields, response_format, timeout)

    async def translate(
        self,
        file: FileInput,
        *,
        model: str,
        response_format: str = "json",
        prompt: str | None = None,
        temperature: float | None = None,
        extra_fields: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Transcription:
        fields = {"model": model, "response_format": response_format, "prompt": prompt,
                  "temperature": temperature, **(extra_fields or {})}
        return await self._upload("audio/translations", file, fields, response_format, timeout)

    async def _upload(
        self, path: str, file: FileInput, fields: Mapping[str, Any], response_format: str, timeout: float | None
    ) -> Transcription:
        loaded = await load_file(file, default_name="audio")
        response = await self._http.request(
            "POST", path, data=form_fields(fields), files=[("file", loaded)], timeout=timeout,
            headers={"Accept": "application/json" if response_format not in _TEXT_FORMATS else "text/plain, */*"},
        )
        content_type = response.headers.get("content-type", "").lower()
        body = response.content
        text = body.decode("utf-8", errors="replace")
        stripped = text.strip()
        if stripped.startswith("<") and ("html" in content_type or stripped[:15].lower().startswith(("<!doctype", "<html"))):
            raise self._http.status_error(response.status_code, response.headers, body, method="POST",
                                          url=self._http.url(path))
        payload: Any = None
        if stripped[:1] in ("{", "[") and (response_format not in _TEXT_FORMATS or "json" in content_type):
            try:
                payload = json.loads(stripped)
            except ValueError:
                payload = None
        if payload is None:
            if response_format not in _TEXT_FORMATS and not stripped:
                raise self._http.status_error(response.status_code, response.headers, body, method="POST",
                                              url=self._http.url(path))
            # text / srt / vtt — or a lenient server that answered json with plain text.
            return Transcription(text=text if response_format in ("srt", "vtt") else text.strip(),
                                 format=response_format, raw=text)
        if isinstance(payload, dict) and payload.get("error") and "text" not in payload:
            raise self._http.error_from_payload(payload, status=response.status_code, method="POST",
                                                url=self._http.url(path))
        if not isinstance(payload, dict):
            raise self._http.status_error(response.status_code, {"content-type": "text/plain"},
                                          b"The transcription answer is not an object.", method="POST",
                                          url=self._http.url(path))
        return _transcription(payload, response_format)


def _transcription(payload: Mapping[str, Any], response_format: str) -> Transcription:
    segments: list[Segment] = []
    for position, item in enumerate(payload.get("segments") or []):
        if isinstance(item, dict):
            segments.append(Segment(
                id=item.get("id") if isinstance(item.get("id"), int) else position,
                start=_float(item.get("start")) or 0.0,
                end=_float(item.get("end")) or 0.0,
                text=str(item.get("text") or ""),
            ))
    words: list[Word] = []
    for item in payload.get("words") or []:
        if isinstance(item, dict):
            words.append(Word(word=str(item.get("word") or ""), start=_float(item.get("start")) or 0.0,
                              end=_float(item.get("end")) or 0.0))
    language = payload.get("language")
    return Transcription(
        text=str(payload.get("text") or ""),
        format=response_format,
        language=language if isinstance(language, str) else None,
        duration=_float(payload.get("duration")),
        segments=segments,
        words=words,
        usage=Usage.from_json(payload.get("usage")),
        raw=dict(payload),
    )
