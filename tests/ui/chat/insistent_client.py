"""A model that keeps calling tools, for round-limit tests: the session's real (loopback) client,
but after tool results the model is asked to use the tool again (the loopback model calls tools
only after a user message)."""

from __future__ import annotations

from typing import Any


class InsistentClient:
    def __init__(self, client: Any, text: str) -> None:
        self._client = client
        self._text = text
        self.chat = self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def stream(self, messages: list[dict[str, Any]], **kw: Any) -> Any:
        if messages[-1]["role"] == "tool":
            messages = [*messages, {"role": "user", "content": self._text}]
        return self._client.chat.stream(messages, **kw)


def insist(session: Any, text: str) -> None:
    """Make ``session.require_client()`` give an insistent client until :func:`relent`."""
    real = type(session).require_client.__get__(session)
    session.require_client = lambda: InsistentClient(real(), text)


def relent(session: Any) -> None:
    session.__dict__.pop("require_client", None)
