"""Function calling for chat: the tool model, built-in tools, the tool loop and MCP servers. No Qt.

``app.tools.model`` — ``Tool``, ``ToolRegistry``.
``app.tools.calculator`` — ``evaluate`` (a safe arithmetic parser), ``CalculatorError``.
``app.tools.builtin`` — ``datetime_tool``, ``calculator_tool``, ``image_generation_tool(generate)``,
``conversation_search_tool(search)``, ``builtin_tools(...)``.
``app.tools.loop`` — ``run_tool_loop`` and its events.
``app.tools.mcp_servers`` — ``McpServerConfig``, ``McpManager``, ``McpServerState`` (imports the
``mcp`` SDK only when a server starts).
"""

from __future__ import annotations

from app.tools.builtin import (
    builtin_tools,
    calculator_tool,
    conversation_search_tool,
    datetime_tool,
    image_generation_tool,
)
from app.tools.calculator import CalculatorError, evaluate
from app.tools.loop import (
    DECLINED_MESSAGE,
    LoopFinished,
    RoundFinished,
    RoundStarted,
    ToolCallFinished,
    ToolCallRecord,
    ToolCallStarted,
    ToolLoopResult,
    run_tool_loop,
)
from app.tools.mcp_servers import (
    McpManager,
    McpServerConfig,
    McpServerState,
    McpToolError,
)
from app.tools.model import Tool, ToolRegistry

__all__ = [
    "DECLINED_MESSAGE",
    "CalculatorError",
    "LoopFinished",
    "McpManager",
    "McpServerConfig",
    "McpServerState",
    "McpToolError",
    "RoundFinished",
    "RoundStarted",
    "Tool",
    "ToolCallFinished",
    "ToolCallRecord",
    "ToolCallStarted",
    "ToolLoopResult",
    "ToolRegistry",
    "builtin_tools",
    "calculator_tool",
    "conversation_search_tool",
    "datetime_tool",
    "evaluate",
    "image_generation_tool",
    "run_tool_loop",
]
