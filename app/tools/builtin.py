"""Built-in tools: date and time, calculator, and factories for image generation and history search.

The factories take injected async callables so this package stays free of Qt and of the store:
the UI passes the images endpoint call (with the profile's image model) and the store's search.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from app.tools.calculator import CalculatorError, evaluate, format_number
from app.tools.model import Tool

__all__ = [
    "builtin_tools",
    "calculator_tool",
    "conversation_search_tool",
    "datetime_tool",
    "image_generation_tool",
    "local_zone_name",
    "now_payload",
]


def local_zone_name(now: _dt.datetime) -> str:
    """The IANA name when it can be found (TZ, /etc/timezone, /etc/localtime link), else the abbreviation."""
    tz_env = os.environ.get("TZ", "").lstrip(":")
    if tz_env and "/" in tz_env and not tz_env.startswith("/"):
        return tz_env
    try:
        link = os.readlink("/etc/localtime")
    except OSError:
        link = ""
    if "zoneinfo/" in link:
        return link.split("zoneinfo/", 1)[1]
    try:
        with open("/etc/timezone", encoding="utf-8") as handle:
            name = handle.read().strip()
            if name:
                return name
    except OSError:
        pass
    return now.tzname() or "local time"


def now_payload(now: _dt.datetime | None = None) -> dict[str, Any]:
    """The current local date and time as the tool returns it (``now`` for tests; naive = local)."""
    if now is not None and now.tzinfo is not None:
        current = now
    else:
        current = (now or _dt.datetime.now()).astimezone()
    offset = current.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else "+00:00"
    return {
        "iso": current.isoformat(timespec="seconds"),
        "date": current.date().isoformat(),
        "time": current.strftime("%H:%M:%S"),
        "weekday": current.strftime("%A"),
        "timezone": local_zone_name(current),
        "abbreviation": current.tzname() or "",
        "utc_offset": offset,
    }


def datetime_tool(*, clock: Callable[[], _dt.datetime] | None = None) -> Tool:
    """``current_datetime``: the local date, time, weekday and zone. ``clock`` is for tests."""

    async def run(_arguments: dict[str, Any]) -> str:
        return json.dumps(now_payload(clock() if clock else None), ensure_ascii=False)

    return Tool(
        name="current_datetime",
        description="Get the current local date and time, with the weekday and the time zone.",
        parameters={"type": "object", "properties": {}, "required": []},
        run=run,
    )


def calculator_tool() -> Tool:
    """``calculator``: exact arithmetic with a safe parser (see ``app.tools.calculator``)."""

    async def run(arguments: dict[str, Any]) -> str:
        expression = arguments.get("expression")
        if not isinstance(expression, str):
            raise CalculatorError("Give the expression as a string in 'expression'.")
        return format_number(evaluate(expression))

    return Tool(
        name="calculator",
        description=(
            "Evaluate an arithmetic expression exactly. Supports numbers, + - * / // % ** and parentheses, "
            "the functions sqrt, sin, cos, tan, log (log(x) or log(x, base)), exp, abs, round and the "
            "constants pi and e. Angles are in radians."
        ),
        parameters={
            "type": "object",
            "properties": {
                "expression": {"type": "string", "description": "For example: (2 + 3) * sqrt(16) / 4"}
            },
            "required": ["expression"],
        },
        run=run,
    )


#: ``await generate(prompt, size)`` → text for the model (e.g. "Generated 1 image, shown to the user.").
ImageGenerator = Callable[[str, "str | None"], Awaitable[str]]


def image_generation_tool(generate: ImageGenerator, *, sizes: Sequence[str] = ()) -> Tool:
    """``generate_image``: calls the injected ``generate(prompt, size)``. Costs money: confirmation."""

    async def run(arguments: dict[str, Any]) -> str:
        prompt = arguments.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise ValueError("'prompt' must be a non-empty string describing the image.")
        size = arguments.get("size")
        if size is not None and not isinstance(size, str):
            raise ValueError("'size' must be a string like 1024x1024.")
        if size and sizes and size not in sizes:
            raise ValueError(f"'size' must be one of: {', '.join(sizes)}.")
        return await generate(prompt.strip(), size or None)

    size_schema: dict[str, Any] = {"type": "string", "description": "Image size, like 1024x1024 (optional)."}
    if sizes:
        size_schema["enum"] = list(sizes)
    return Tool(
        name="generate_image",
        description="Generate an image from a text description. The image is shown to the user.",
        parameters={
            "type": "object",
            "properties": {
                "prompt": {"type": "string", "description": "A detailed description of the image."},
                "size": size_schema,
            },
            "required": ["prompt"],
        },
        run=run,
        needs_confirmation=True,
    )


#: ``await search(query, limit)`` → hits (mappings: title, snippet, date, conversation id …) or text.
ConversationSearcher = Callable[[str, int], Awaitable["Sequence[Mapping[str, Any]] | str"]]


def conversation_search_tool(search: ConversationSearcher, *, default_limit: int = 5, max_limit: int = 20) -> Tool:
    """``search_conversations``: the user's saved conversations, through the injected ``search``."""

    async def run(arguments: dict[str, Any]) -> str:
        query = arguments.get("query")
        if not isinstance(query, str) or not query.strip():
            raise ValueError("'query' must be a non-empty string.")
        limit = arguments.get("limit", default_limit)
        if isinstance(limit, bool) or not isinstance(limit, (int, float)):
            limit = default_limit
        limit = max(1, min(int(limit), max_limit))
        hits = await search(query.strip(), limit)
        if isinstance(hits, str):
            return hits
        hits = list(hits)[:limit]
        if not hits:
            return "No matching messages were found in the user's conversations."
        return json.dumps([dict(hit) for hit in hits], ensure_ascii=False, default=str)

    return Tool(
        name="search_conversations",
        description="Search the user's earlier conversations in this app for messages about a topic.",
        parameters={
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "What to look for."},
                "limit": {"type": "integer", "description": f"How many hits (1–{max_limit}).",
                          "minimum": 1, "maximum": max_limit},
            },
            "required": ["query"],
        },
        run=run,
    )


def builtin_tools(
    *,
    generate_image: ImageGenerator | None = None,
    search_conversations: ConversationSearcher | None = None,
) -> list[Tool]:
    """The standard set; image generation and search only when their callables are given."""
    tools = [datetime_tool(), calculator_tool()]
    if generate_image is not None:
        tools.append(image_generation_tool(generate_image))
    if search_conversations is not None:
        tools.append(conversation_search_tool(search_conversations))
    return tools


