"""Result and event types returned by the API client: plain dataclasses, no Qt, no httpx.

Why plain data: the UI keeps these in list models and the store writes them to sqlite; neither should
depend on how the bytes arrived. Every result keeps the server's JSON in ``raw`` for fields this
module does not model (vendor extensions differ per relay).

Chat
    ``ChatCompletion`` (``id``, ``model``, ``created``, ``choices: list[ChatChoice]``, ``usage``, ``raw``)
    with shortcuts to the first choice: ``.content``, ``.reasoning``, ``.tool_calls``, ``.images``,
    ``.finish_reason``, ``.refusal``, and ``.to_message()`` → the assistant message dict to append to
    the history (content and tool calls, never the reasoning).
    ``ChatChoice`` (``index``, ``content``, ``reasoning``, ``tool_calls``, ``images``, ``finish_reason``,
    ``refusal``, ``role``).  ``ToolCall`` (``id``, ``name``, ``arguments`` — the joined JSON string —,
    ``type``, ``index``; ``.parsed_arguments()``).  ``ChatImage`` (``url`` — https or data URL —,
    ``detail``, ``raw``).  ``Usage`` (``prompt_tokens``, ``completion_tokens``, ``total_tokens``,
    ``reasoning_tokens``, ``raw``).
Stream events (``ChatEvent`` / ``CompletionEvent``)
    ``ContentDelta(text, choice)``, ``ReasoningDelta(text, choice)``,
    ``ToolCallDelta(index, id, name, arguments, choice)`` (``arguments`` is this piece only),
    ``ImageDelta(image, choice)``, ``UsageUpdate(usage)``, ``Finished(finish_reason, choice)``.
Others
    ``Model`` (``id``, ``created``, ``owned_by``, ``raw``), ``Completion`` (legacy completions),
    ``EmbeddingResult`` (``vectors: list[list[float]]``, ``model``, ``usage``),
    ``ImagesResult`` / ``GeneratedImage`` (``url``, ``b64_json``, ``revised_prompt``; ``.data()``),
    ``Transcription`` (``text``, ``language``, ``duration``, ``segments``, ``words``, ``format``),
    ``Segment``, ``Word``.
Uploads
    ``FileInput``: a path (``str`` or ``os.PathLike``), raw ``bytes``, ``(filename, bytes)`` or
    ``(filename, bytes, content_type)``.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Union

__all__ = [
    "ChatChoice",
    "ChatCompletion",
    "ChatEvent",
    "ChatImage",
    "Completion",
    "CompletionChoice",
    "CompletionEvent",
    "ContentDelta",
    "EmbeddingResult",
    "FileInput",
    "Finished",
    "GeneratedImage",
    "ImageDelta",
    "ImagesResult",
    "Model",
    "ReasoningDelta",
    "Segment",
    "ToolCall",
    "ToolCallDelta",
    "Transcription",
    "Usage",
    "UsageUpdate",
    "Word",
]

FileInput = Union[str, "os.PathLike[str]", bytes, tuple[str, bytes], tuple[str, bytes, str]]


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


@dataclass(frozen=True, slots=True)
class Model:
    id: str
    created: int | None = None
    owned_by: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> "Model":
        if isinstance(data, str):
            return cls(id=data, raw={"id": data})
        return cls(
            id=str(data.get("id") or data.get("name") or data.get("model") or ""),
            created=_int_or_none(data.get("created")),
            owned_by=data.get("owned_by") if isinstance(data.get("owned_by"), str) else None,
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    #: DeepSeek/OpenAI o-series: how many of the completion tokens were thinking.
    reasoning_tokens: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> "Usage | None":
        if not isinstance(data, dict) or not data:
            return None
        details = data.get("completion_tokens_details")
        reasoning = details.get("reasoning_tokens") if isinstance(details, dict) else None
        return cls(
            prompt_tokens=_int_or_none(data.get("prompt_tokens", data.get("input_tokens"))),
            completion_tokens=_int_or_none(data.get("completion_tokens", data.get("output_tokens"))),
            total_tokens=_int_or_none(data.get("total_tokens")),
            reasoning_tokens=_int_or_none(reasoning if reasoning is not None else data.get("reasoning_tokens")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True)
class ChatImage:
    """An image a chat model returned in the message's ``images`` array (quirk 9)."""

    url: str
    detail: str | None = None
    raw: Any = field(default=None, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> "ChatImage | None":
        if isinstance(data, str):
            return cls(url=data, raw=data) if data else None
        if not isinstance(data, dict):
            return None
        inner = data.get("image_url")
        if isinstance(inner, str):
            return cls(url=inner, raw=data)
        if isinstance(inner, dict) and inner.get("url"):
            return cls(url=str(inner["url"]), detail=inner.get("detail"), raw=data)
        if data.get("url"):
            return cls(url=str(data["url"]), raw=data)
        b64 = data.get("b64_json") or data.get("data") or data.get("base64")
        if isinstance(b64, str) and b64:
            mime = data.get("mime_type") or data.get("mimeType") or "image/png"
            return cls(url=f"data:{mime};base64,{b64}", raw=data)
        return None


@dataclass(slots=True)
class ToolCall:
    id: str
    name: str
    #: The function's arguments as the model wrote them: a JSON string, joined from every piece.
    arguments: str
    type: str = "function"
    index: int = 0

    def parsed_arguments(self) -> Any:
        """``json.loads(arguments)`` (``{}`` for empty); raises ``ValueError`` if the model wrote bad JSON."""
        return json.loads(self.arguments) if self.arguments.strip() else {}

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "function": {"name": self.name, "arguments": self.arguments}}


@dataclass(slots=True)
class ChatChoice:
    index: int = 0
    content: str = ""
    reasoning: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    images: list[ChatImage] = field(default_factory=list)
    #: ``stop``, ``length``, ``tool_calls``, ``content_filter`` … ; None when the server gave none.
    finish_reason: str | None = None
    refusal: str | None = None
    role: str = "assistant"


@dataclass(slots=True)
class ChatCompletion:
    id: str | None = None
    model: str | None = None
    created: int | None = None
    choices: list[ChatChoice] = field(default_factory=list)
    usage: Usage | None = None
    raw: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def first(self) -> ChatChoice:
        return self.choices[0] if self.choices else ChatChoice()

    @property
    def content(self) -> str:
        return self.first.content

    @property
    def reasoning(self) -> str:
        return self.first.reasoning

    @property
    def tool_calls(self) -> list[ToolCall]:
        return self.first.tool_calls

    @property
    def images(self) -> list[ChatImage]:
        return self.first.images

    @property
    def finish_reason(self) -> str | None:
        return self.first.finish_reason

    @property
    def refusal(self) -> str | None:
        return self.first.refusal

    def to_message(self) -> dict[str, Any]:
        """The assistant message to send back in the next request (tool loops, follow-ups)."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            message["tool_calls"] = [call.to_json() for call in self.tool_calls]
        elif message["content"] is None:
            message["content"] = ""
        return message


# ---- stream events -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContentDelta:
    """Visible answer text (chat ``content``, or a legacy completion's ``text``)."""

    text: str
    choice: int = 0


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """Thinking text: ``reasoning_content`` deltas, or what stood between ``<think>`` and ``</think>``."""

    text: str
    choice: int = 0


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A piece of a tool call. ``id``/``name`` come with the first piece of an ``index``."""

    index: int
    id: str | None
    name: str | None
    arguments: str
    choice: int = 0


@dataclass(frozen=True, slots=True)
class ImageDelta:
    image: ChatImage
    choice: int = 0


@dataclass(frozen=True, slots=True)
class UsageUpdate:
    """Token counts; sent once at the end, or (some servers) growing on every chunk."""

    usage: Usage


@dataclass(frozen=True, slots=True)
class Finished:
    finish_reason: str
    choice: int = 0


ChatEvent = Union[ContentDelta, ReasoningDelta, ToolCallDelta, ImageDelta, UsageUpdate, Finished]
CompletionEvent = Union[ContentDelta, UsageUpdate, Finished]


# ---- completions (legacy) ------------------------------------------------------------------------------


@dataclass(slots=True)
class CompletionChoice:
    index: int = 0
    text: str = ""
    finish_reason: str | None = None


@dataclass(slots=True)
class Completion:
    id: str | None = None
    model: str | None = None
    choices: list[CompletionChoice] = field(default_factory=list)
    usage: Usage | None = None
    raw: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def text(self) -> str:
        return self.choices[0].text if self.choices else ""

    @property
    def finish_reason(self) -> str | None:
        return self.choices[0].finish_reason if self.choices else None


# ---- embeddings ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class EmbeddingResult:
    #: One vector per input, in input order (sorted by the server's ``index``): a ``list[float]``,
    #: or an ``array.array("f")`` when the server answered in base64.
    vectors: list[Sequence[float]]
    model: str | None = None
    usage: Usage | None = None


# ---- images ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    url: str | None = None
    b64_json: str | None = None
    revised_prompt: str | None = None

    def data(self) -> bytes | None:
        """The image bytes when they came inline (``b64_json`` or a ``data:`` URL); None for a web URL."""
        if self.b64_json:
            return base64.b64decode(self.b64_json)
        if self.url and self.url.startswith("data:") and ";base64," in self.url:
            return base64.b64decode(self.url.split(",", 1)[1])
        return None


@dataclass(slots=True)
class ImagesResult:
    images: list[GeneratedImage]
    created: int | None = None
    usage: Usage | None = None
    raw: dict[str, Any] | None = field(default=None, compare=False)


# ---- audio -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    id: int
    start: float
    end: float
    text: str


@dataclass(frozen=True, slots=True)
class Word:
    word: str
    start: float
    end: float


@dataclass(slots=True)
class Transcription:
    #: The transcript. For ``srt``/``vtt`` it is the subtitle file's text, cues and all.
    text: str
    #: The ``response_format`` that was asked for.
    format: str = "json"
    language: str | None = None
    duration: float | None = None
    segments: list[Segment] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    usage: Usage | None = None
    raw: Any = field(default=None, compare=False)
