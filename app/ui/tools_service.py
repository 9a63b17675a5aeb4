"""The tools the chat can offer that live beyond one conversation: MCP servers and their tools.

One ``ToolService`` per app, made by ``app.main`` and shared through ``AppContext.tools``. It owns
the ``McpManager`` (``app.tools.mcp_servers``) and the registry its tools join while their server is
ready. The Chat tab adds its own built-in tools (date and time, calculator, image generation,
conversation search) per reply; it takes the MCP tools from :attr:`registry`.

``tools_changed`` — the set of MCP tools changed (a server became ready, failed, exited or stopped).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.tools.model import ToolRegistry

__all__ = ["ToolService"]


class ToolService(QObject):
    """MCP servers and the registry of their tools (see the module docstring)."""

    #: The registry's membership changed.
    tools_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: The MCP tools of every ready server, by their registered names (``<server>__<tool>``).
        self.registry = ToolRegistry()
