"""The API client: asyncio + httpx, no Qt. Start at ``app.api.client.Client``.

Modules: ``client`` (the entry point), ``models``, ``chat``, ``completions``, ``embeddings``,
``images``, ``audio`` (one per resource, each documenting its calls), ``types`` (results and stream
events), ``errors`` (everything that can be raised), ``_http`` (retries, status → error) and
``_sse`` (the server-sent-events decoder).
"""

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.api.client import Client


def _skip_httpx_command_line() -> None:
    """Keep ``import httpx`` from importing its command-line client.

    ``httpx/__init__`` runs ``from ._main import main``, which imports click, rich and pygments
    whenever they are installed (~6 MB resident, for a tool Parla never runs). A stand-in
    ``httpx._main`` whose ``main`` loads the real one on first call keeps httpx's API unchanged.
    """
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    stand_in = types.ModuleType("httpx._main")

    def main(*args: Any, **kwargs: Any) -> Any:
        del sys.modules["httpx._main"]
        from httpx._main import main as real_main

        return real_main(*args, **kwargs)

    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stand_in


_skip_httpx_command_line()

__all__ = ["Client"]


def __getattr__(name: str) -> Any:
    # Lazy, so that importing app.api.errors (the UI does at start-up) does not load httpx.
    if name == "Client":
        from app.api.client import Client

        return Client
    raise AttributeError(name)
