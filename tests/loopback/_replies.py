"""The deterministic answers of the chat and completions endpoints, as plain data.

Rules (also in the server's module docstring, which is what tests read):

* Reply text: ``"Echo: " + <text of the last user message>``; image parts add ``" [images: N]"``.
  When the last message is a ``tool`` message: ``"Result: " + "; ".join(<tool contents>)`` over the
  tool messages at the end. ``response_format`` json_object/json_schema: ``{"echo": <text>}``.
* Streaming splits the content into pieces of ``chunk_chars`` characters (4 by default).
* ``stop`` strings cut the reply before their first occurrence; ``max_tokens`` /
  ``max_completion_tokens`` keep that many pieces and finish with ``"length"``.
* Tool calls: see ``plan_tool_calls``.
* Usage: prompt tokens are ``ceil(chars / 4)`` over every message's text; completion tokens are the
  number of pieces (content plus reasoning).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.loopback._media import make_image, token_count

#: Appended to the user text (reply and tool arguments) under quirk 11, so the stream carries
#: multi-byte UTF-8 that the writer can split mid-character.
CJK_SUFFIX = " 你好，世界🌏"
#: The reasoning text of quirk 5: what ``reasoning_content`` (or ``<think>``) carries.
REASONING_PREFIX = "Thinking about: "
#: Tool-call ``arguments`` are streamed in pieces of at most this many characters.
TOOL_ARGS_PIECE = 5
#: Fixed ``created`` timestamp of every object, so answers compare equal across runs.
CREATED = 1_700_000_000


def content_text(content: Any) -> str:
    """The text of a message ``content``: the string itself, or its text parts joined by newlines."""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        return "\n".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, Mapping) and part.get("type") in ("text", "input_text")
        )
    return ""


def image_count(content: Any) -> int:
    """How many ``image_url`` parts a message content holds."""
    if isinstance(content, Sequence) and not isinstance(content, str):
        return sum(1 for p in content if isinstance(p, Mapping) and p.get("type") == "image_url")
    return 0


def split_pieces(text: str, size: int) -> list[str]:
    """Fixed-size character pieces; the empty string has no pieces."""
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)]


def shape_text(content: str, body: Mapping[str, Any], size: int) -> tuple[str, list[str], str]:
    """Apply ``stop`` and the token limit; return (content, pieces, finish_reason).

    ``stop`` (a string or list) cuts the text before the first occurrence of any stop string;
    ``max_completion_tokens`` (or ``max_tokens``) keeps that many pieces and finishes ``length``.
    """
    stops = body.get("stop")
    for stop in [stops] if isinstance(stops, str) else stops or []:
        if isinstance(stop, str) and stop and stop in content:
            content = content[: content.index(stop)]
    pieces = split_pieces(content, size)
    finish = "stop"
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    if isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit < len(pieces):
        pieces = pieces[:limit]
        content = "".join(pieces)
        finish = "length"
    return content, pieces, finish


@dataclass
class ToolCall:
    """One tool call the model 'decided' to make."""

    id: str
    name: str
    arguments: str


@dataclass
class ChatPlan:
    """What one chat choice says, before it is shaped into a JSON answer or a stream."""

    content: str
    pieces: list[str]
    finish_reason: str
    reasoning: str | None = None
    reasoning_pieces: list[str] = field(default_factory=list)
    #: Quirk 5 variant: which delta field carries the reasoning (``reasoning_content``/``reasoning``).
    reasoning_field: str = "reasoning_content"
    tool_calls: list[ToolCall] = field(default_factory=list)
    #: Quirk 9: an ``images`` array on the message (or on the delta when streaming).
    images: list[dict[str, Any]] | None = None
    prompt_tokens: int = 0

    @property
    def completion_tokens(self) -> int:
        return max(1, len(self.pieces) + len(self.reasoning_pieces) + len(self.tool_calls))


def _schema_value(schema: Any, text: str) -> Any:
    """A deterministic argument value for one JSON-schema property."""
    if not isinstance(schema, Mapping):
        return None
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return {
        "string": text,
        "integer": 42,
        "number": 0.5,
        "boolean": True,
        "array": [],
        "object": {},
    }.get(kind if isinstance(kind, str) else "")


def tool_arguments(tool: Mapping[str, Any], text: str) -> str:
    """The ``arguments`` JSON for a tool: every schema property gets a value by its type.

    string → the user text (the first ``enum`` value when there is an enum), integer → 42,
    number → 0.5, boolean → true, array → [], object → {}; UTF-8 is kept (``ensure_ascii=False``).
    """
    function = tool.get("function", {}) if isinstance(tool, Mapping) else {}
    params = function.get("parameters") if isinstance(function, Mapping) else None
    props = params.get("properties", {}) if isinstance(params, Mapping) else {}
    values = {name: _schema_value(schema, text) for name, schema in props.items()}
    return json.dumps(values, ensure_ascii=False)


def tool_name(tool: Any) -> str:
    if isinstance(tool, Mapping) and isinstance(tool.get("function"), Mapping):
        return str(tool["function"].get("name", ""))
    return ""


def plan_tool_calls(body: Mapping[str, Any], user_text: str, last_role: str) -> list[ToolCall]:
    """Which tools the fake model calls (empty list: it answers with text).

    Only when ``tools`` is non-empty, the last message is a ``user`` message and ``tool_choice``
    is not ``"none"``. Then, in order:

    * ``tool_choice: {"type": "function", "function": {"name": X}}`` → one call to X;
    * user text containing ``use all tools`` (any case) → one call to every tool, in order
      (parallel calls), unless ``parallel_tool_calls`` is false (then only the first);
    * ``use tool NAME`` with NAME a tool's name → one call to NAME;
    * ``use tool`` → one call to the first tool;
    * ``tool_choice: "required"`` → one call to the first tool.

    Call ids are ``call_loopback_<i>``; arguments come from ``tool_arguments``.
    """
    tools = [t for t in body.get("tools") or [] if tool_name(t)]
    choice = body.get("tool_choice", "auto")
    if not tools or last_role != "user" or choice == "none":
        return []
    lowered = user_text.lower()
    chosen: list[Mapping[str, Any]] = []
    if isinstance(choice, Mapping):
        forced = tool_name(choice)
        chosen = [t for t in tools if tool_name(t) == forced][:1]
    elif "use all tools" in lowered:
        chosen = tools if body.get("parallel_tool_calls", True) is not False else tools[:1]
    elif "use tool" in lowered:
        match = re.search(r"use tool\s+([A-Za-z0-9_.-]+)", user_text, flags=re.IGNORECASE)
        named = [t for t in tools if match and tool_name(t) == match.group(1)]
        chosen = named[:1] or tools[:1]
    elif choice == "required":
        chosen = tools[:1]
    return [
        ToolCall(f"call_loopback_{i}", tool_name(t), tool_arguments(t, user_text))
        for i, t in enumerate(chosen)
    ]


def last_user_text(messages: Sequence[Any]) -> tuple[str, int]:
    """Text and image count of the last ``user`` message (``("", 0)`` when there is none)."""
    for message in reversed(messages):
        if isinstance(message, Mapping) and message.get("role") == "user":
            return content_text(message.get("content")), image_count(message.get("content"))
    return "", 0


def trailing_tool_results(messages: Sequence[Any]) -> list[str]:
    """Contents of the ``tool`` messages at the end of the conversation, in order."""
    results: list[str] = []
    for message in reversed(messages):
        if not isinstance(message, Mapping) or message.get("role") != "tool":
            break
        results.append(content_text(message.get("content")))
    return results[::-1]


def prompt_tokens(messages: Sequence[Any]) -> int:
    return max(
        1,
        sum(token_count(content_text(m.get("content"))) for m in messages if isinstance(m, Mapping)),
    )


def png_data_url(seed: str, size: int = 64) -> str:
    """A small PNG as a ``data:`` URL (quirk 9), deterministic for ``seed``."""
    return "data:image/png;base64," + base64.b64encode(make_image(size, size, seed)).decode()


def plan_chat(
    body: Mapping[str, Any],
    *,
    chunk_chars: int,
    quirk: int | None,
    variant: str | None,
    file_url: str,
) -> ChatPlan:
    """Decide the answer of one chat request; ``file_url`` is where quirk 9's URL image lives."""
    messages = body.get("messages") or []
    last = messages[-1] if messages and isinstance(messages[-1], Mapping) else {}
    last_role = str(last.get("role", ""))
    user_text, images = last_user_text(messages)
    if quirk == 11:
        user_text += CJK_SUFFIX
    tokens = prompt_tokens(messages)

    calls = plan_tool_calls(body, user_text, last_role)
    if calls:
        return ChatPlan("", [], "tool_calls", tool_calls=calls, prompt_tokens=tokens)

    if last_role == "tool":
        content = "Result: " + "; ".join(trailing_tool_results(messages))
    else:
        content = "Echo: " + user_text + (f" [images: {images}]" if images else "")
    response_format = body.get("response_format")
    if isinstance(response_format, Mapping) and response_format.get("type") in (
        "json_object",
        "json_schema",
    ):
        content = json.dumps({"echo": user_text}, ensure_ascii=False)

    plan_images: list[dict[str, Any]] | None = None
    size = chunk_chars
    if quirk == 9:
        content, plan_images = _image_reply(variant, file_url, user_text)
        size = 32

    content, pieces, finish = shape_text(content, body, size)
    plan = ChatPlan(content, pieces, finish, images=plan_images, prompt_tokens=tokens)
    if quirk == 5:
        reasoning = REASONING_PREFIX + user_text
        if variant == "think":
            plan.content = f"<think>{reasoning}</think>\n\n{content}"
            plan.pieces = split_pieces(plan.content, size)
        else:
            plan.reasoning = reasoning
            plan.reasoning_pieces = split_pieces(reasoning, size)
            plan.reasoning_field = "reasoning" if variant == "reasoning" else "reasoning_content"
    return plan


def _image_reply(
    variant: str | None, file_url: str, user_text: str
) -> tuple[str, list[dict[str, Any]] | None]:
    """Quirk 9's content: markdown link, markdown data URL, and/or an ``images`` array."""
    data_url = png_data_url("quirk9:" + user_text)
    parts = ["Here is the image."]
    images: list[dict[str, Any]] | None = None
    if variant in (None, "url"):
        parts.append(f"![image]({file_url})")
    if variant == "https":
        parts.append("![image](https://images.invalid/loopback/quirk9.png)")
    if variant in (None, "data"):
        parts.append(f"![image]({data_url})")
    if variant in (None, "images"):
        images = [{"type": "image_url", "image_url": {"url": data_url}, "index": 0}]
    return "\n\n".join(parts), images


def chat_message(plan: ChatPlan) -> dict[str, Any]:
    """The non-streaming ``message`` object of a plan."""
    message: dict[str, Any] = {"role": "assistant", "content": plan.content or None}
    if plan.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in plan.tool_calls
        ]
    if plan.reasoning is not None:
        message[plan.reasoning_field] = plan.reasoning
    if plan.images is not None:
        message["images"] = plan.images
    if not plan.tool_calls and message["content"] is None:
        message["content"] = ""
    return message


def chat_deltas(plan: ChatPlan, *, omit_single_index: bool) -> list[dict[str, Any]]:
    """The ``delta`` objects of one streamed choice, in order (the finish event is separate).

    The first delta carries the role (OpenAI sends ``content: ""`` there, ``null`` before tool
    calls or reasoning); then reasoning pieces, content pieces, the ``images`` array, and tool-call
    pieces: the first delta per call carries ``id``, ``type`` and ``function.name`` with empty
    ``arguments``, the following ones append ``TOOL_ARGS_PIECE``-sized parts of ``arguments``
    (always at least two parts, so no part parses alone). ``omit_single_index`` (quirk 11) drops
    ``index`` when there is exactly one call.
    """
    first: dict[str, Any] = {"role": "assistant", "content": ""}
    if plan.tool_calls or plan.reasoning_pieces:
        first["content"] = None
    deltas = [first]
    for piece in plan.reasoning_pieces:
        deltas.append({"content": None, plan.reasoning_field: piece})
    for piece in plan.pieces:
        delta: dict[str, Any] = {"content": piece}
        if plan.reasoning_pieces:
            delta[plan.reasoning_field] = None
        deltas.append(delta)
    if plan.images is not None:
        deltas.append({"images": plan.images})
    drop_index = omit_single_index and len(plan.tool_calls) == 1
    for index, call in enumerate(plan.tool_calls):
        head: dict[str, Any] = {
            "index": index,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        size = max(1, min(TOOL_ARGS_PIECE, len(call.arguments) // 2))
        parts = [head] + [
            {"index": index, "function": {"arguments": part}} for part in split_pieces(call.arguments, size)
        ]
        for part in parts:
            if drop_index:
                part.pop("index")
            deltas.append({"tool_calls": [part]})
    return deltas


def completion_texts(body: Mapping[str, Any]) -> list[str]:
    """The legacy ``prompt`` as a list of prompts (string, list of strings, or missing)."""
    prompt = body.get("prompt", "")
    if isinstance(prompt, str):
        return [prompt]
    if isinstance(prompt, list) and all(isinstance(p, str) for p in prompt):
        return list(prompt) or [""]
    return [json.dumps(prompt)]
