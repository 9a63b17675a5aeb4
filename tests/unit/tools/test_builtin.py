"""Date and time, the tool model and registry, and the injected-callable tool factories."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from app.tools import (
    Tool,
    ToolRegistry,
    builtin_tools,
    conversation_search_tool,
    datetime_tool,
    image_generation_tool,
)
from app.tools.builtin import now_payload


def test_datetime_payload_for_a_known_instant() -> None:
    zone = dt.timezone(dt.timedelta(hours=5, minutes=30), "IST")
    payload = now_payload(dt.datetime(2026, 3, 14, 15, 9, 26, tzinfo=zone))
    assert payload["date"] == "2026-03-14"
    assert payload["weekday"] == "Saturday"
    assert payload["utc_offset"] == "+05:30"
    assert payload["abbreviation"] == "IST"
    assert payload["iso"] == "2026-03-14T15:09:26+05:30"


def test_datetime_tool_is_local_and_now() -> None:
    tool = datetime_tool()
    before = dt.datetime.now().astimezone()
    data = json.loads(asyncio.run(tool.run({})))
    after = dt.datetime.now().astimezone()
    parsed = dt.datetime.fromisoformat(data["iso"])
    assert parsed.utcoffset() == before.utcoffset()
    assert before.replace(microsecond=0) <= parsed <= after
    assert data["weekday"] == parsed.strftime("%A")
    assert data["timezone"]
    assert tool.parameters == {"type": "object", "properties": {}, "required": []}


def test_datetime_tool_with_a_clock() -> None:
    fixed = dt.datetime(2030, 1, 1, 0, 0, tzinfo=dt.UTC)
    data = json.loads(asyncio.run(datetime_tool(clock=lambda: fixed).run({})))
    assert data["weekday"] == "Tuesday" and data["utc_offset"] == "+00:00"


async def _noop(arguments: dict) -> str:
    return "ok"


def test_registry() -> None:
    a = Tool("a", "A", {"type": "object", "properties": {}}, _noop)
    b = Tool("b", "B", {}, _noop, needs_confirmation=True, source="mcp:x")
    registry = ToolRegistry([a, b])
    assert registry.names() == ["a", "b"] and len(registry) == 2 and "a" in registry
    with pytest.raises(ValueError, match="already registered"):
        registry.add(Tool("a", "again", {}, _noop))
    tools = registry.to_openai_tools()
    assert tools[0] == {"type": "function", "function": {"name": "a", "description": "A",
                                                         "parameters": {"type": "object", "properties": {}}}}
    assert tools[1]["function"]["parameters"] == {"type": "object", "properties": {}}
    assert [t["function"]["name"] for t in registry.to_openai_tools(["b"])] == ["b"]
    assert registry.subset(["b", "zzz"]).names() == ["b"]
    assert [t.name for t in registry.remove_source("mcp:x")] == ["b"]
    assert registry.names() == ["a"]
    with pytest.raises(ValueError, match="Invalid tool name"):
        Tool("bad name!", "", {}, _noop)


def test_image_generation_tool_calls_the_injected_callable() -> None:
    calls: list[tuple[str, str | None]] = []

    async def generate(prompt: str, size: str | None) -> str:
        calls.append((prompt, size))
        return "Generated 1 image; it is shown to the user."

    tool = image_generation_tool(generate, sizes=["256x256", "1024x1024"])
    assert tool.needs_confirmation is True
    assert asyncio.run(tool.run({"prompt": " a red fox ", "size": "256x256"})).startswith("Generated")
    assert calls == [("a red fox", "256x256")]
    with pytest.raises(ValueError, match="one of"):
        asyncio.run(tool.run({"prompt": "x", "size": "7x7"}))
    with pytest.raises(ValueError, match="prompt"):
        asyncio.run(tool.run({}))


def test_conversation_search_tool() -> None:
    seen: list[tuple[str, int]] = []

    async def search(query: str, limit: int) -> list[dict]:
        seen.append((query, limit))
        return [{"conversation": "Trip", "snippet": "train to Lyon"}] if query == "lyon" else []

    tool = conversation_search_tool(search, max_limit=10)
    assert tool.needs_confirmation is False
    assert json.loads(asyncio.run(tool.run({"query": "lyon", "limit": 99}))) == [
        {"conversation": "Trip", "snippet": "train to Lyon"}
    ]
    assert "No matching" in asyncio.run(tool.run({"query": "paris"}))
    assert seen == [("lyon", 10), ("paris", 5)]


def test_builtin_tools_set() -> None:
    async def generate(prompt: str, size: str | None) -> str:
        return ""

    assert [t.name for t in builtin_tools()] == ["current_datetime", "calculator"]
    assert [t.name for t in builtin_tools(generate_image=generate)][-1] == "generate_image"
