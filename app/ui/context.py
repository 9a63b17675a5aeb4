"""The objects every part of the UI shares, made once by ``app.main`` and passed down.

No module-level singletons: a tab page receives the context in its constructor and takes what it
needs from it — ``session.require_client()`` for the API, ``tasks.holder(...)`` for cancellable
work, ``notifier`` to tell the user something, ``preferences`` for its options, ``store`` for the
conversation history (``None`` when the database could not be opened: ``store_error`` says why).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.paths import Locations
from app.settings import Preferences, WindowState
from app.ui.notify import Notifier
from app.ui.session import Session
from app.ui.tasks import TaskRegistry

if TYPE_CHECKING:
    from app.store import AsyncStore
    from app.ui.tools_service import ToolService  # imported by main.py when it opens the store, not at start-up

__all__ = ["AppContext"]


@dataclass(frozen=True)
class AppContext:
    locations: Locations
    preferences: Preferences
    window_state: WindowState
    tasks: TaskRegistry
    notifier: Notifier
    session: Session
    store: AsyncStore | None = None
    store_error: BaseException | None = None
    #: MCP servers and their tools (None in tests that do not need them).
    tools: ToolService | None = None
