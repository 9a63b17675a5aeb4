"""The tool model: what a tool is, and the registry the chat request's ``tools`` come from.

Plain Python, no Qt. A tool's ``run`` is an async callable taking the parsed arguments (a dict) and
returning the text the model gets back; it raises on failure (the loop turns the exception into
``"Error: …"`` for the model).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Tool", "ToolRegistry", "ToolRunner", "safe_tool_name", "valid_tool_name"]

#: ``async run(arguments) -> str``.
ToolRunner = Callable[[dict[str, Any]], Awaitable[str]]

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def valid_tool_name(name: str) -> bool:
    """OpenAI's rule for function names: letters, digits, ``_`` and ``-``, at most 64."""
    return bool(_NAME.match(name))


def safe_tool_name(name: str) -> str:
    """``name`` made valid: other characters become ``_``, cut to 64."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "_", name) or "tool"
    return cleaned[:64]


@dataclass(slots=True)
class Tool:
    name: str
    description: str
    #: JSON Schema of the arguments object.
    parameters: dict[str, Any]
    run: ToolRunner
    #: True for tools that cost money or touch files: the loop asks ``confirm`` before every call.
    needs_confirmation: bool = False
    #: ``"builtin"`` or ``"mcp:<server>"``.
    source: str = "builtin"
    #: Seconds a call may take before it fails with a timeout error (None: no limit).
    timeout: float | None = None
    #: Free-form extras for the UI (e.g. the MCP server's own tool name).
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not valid_tool_name(self.name):
            raise ValueError(f"Invalid tool name {self.name!r}: use letters, digits, _ or -, at most 64.")
        if not isinstance(self.parameters, dict):
            raise TypeError("Tool parameters must be a JSON Schema object (a dict).")

    def to_openai(self) -> dict[str, Any]:
        """The entry of the request's ``tools`` array."""
        parameters = dict(self.parameters) if self.parameters else {"type": "object", "properties": {}}
        parameters.setdefault("type", "object")
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": parameters},
        }


class ToolRegistry:
    """Tools by name, in insertion order. ``to_openai_tools()`` gives the request's ``tools``."""

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for tool in tools:
            self.add(tool)

    def add(self, tool: Tool, *, replace: bool = False) -> None:
        if tool.name in self._tools and not replace:
            raise ValueError(f"A tool named {tool.name!r} is already registered.")
        self._tools[tool.name] = tool

    def remove(self, name: str) -> Tool | None:
        return self._tools.pop(name, None)

    def remove_source(self, source: str) -> list[Tool]:
        """Remove every tool from ``source`` (e.g. ``"mcp:files"`` when that server stops)."""
        gone = [tool for tool in self._tools.values() if tool.source == source]
        for tool in gone:
            del self._tools[tool.name]
        return gone

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def __getitem__(self, name: str) -> Tool:
        return self._tools[name]

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[Tool]:
        return iter(list(self._tools.values()))

    def __len__(self) -> int:
        return len(self._tools)

    def names(self) -> list[str]:
        return list(self._tools)

    def subset(self, names: Iterable[str]) -> ToolRegistry:
        """A registry with only the named tools that exist (a conversation's chosen tools)."""
        wanted = set(names)
        return ToolRegistry(tool for tool in self._tools.values() if tool.name in wanted)

    def to_openai_tools(self, names: Iterable[str] | None = None) -> list[dict[str, Any]]:
        tools: Iterable[Tool] = self._tools.values()
        if names is not None:
            wanted = set(names)
            tools = [tool for tool in tools if tool.name in wanted]
        return [tool.to_openai() for tool in tools]


def object_schema(properties: Mapping[str, Any], required: Iterable[str] = ()) -> dict[str, Any]:
    """A small helper for ``{"type": "object", "properties": …, "required": […]}``."""
    return {"type": "object", "properties": dict(properties), "required": list(required)}
