"""The API client: asyncio + httpx, no Qt. Start at ``app.api.client.Client``.

Modules: ``client`` (the entry point), ``models``, ``chat``, ``completions``, ``embeddings``,
``images``, ``audio`` (one per resource, each documenting its calls), ``types`` (results and stream
events), ``errors`` (everything that can be raised), ``_http`` (retries, status → error) and
``_sse`` (the server-sent-events decoder).
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.api.client import Client

__all__ = ["Client"]


def __getattr__(name: str) -> Any:
    # Lazy, so that importing app.api.errors (the UI does at start-up) does not load httpx.
    if name == "Client":
        from app.api.client import Client

        return Client
    raise AttributeError(name)
