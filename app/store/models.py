"""The plain data the store hands out: conversations, messages, attachments, search hits.

These are values, not live rows: the UI may keep them across awaits and threads without holding a
database connection, and the store never mutates one it has returned. Fields mirror the columns of
``schema.py``; JSON columns are decoded into Python lists and dicts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

Part = dict[str, Any]
"""One content part, as stored: ``{"type": "text", "text": …}`` or ``{"type": "image", "hash": …}``."""

HASH_RE = re.compile(r"^[0-9a-f]{64}$")

RECOVERED_FINISH_REASON = "interrupted"
"""``finish_reason`` given to a message found still streaming when the store opens (the app died)."""


class StoreError(Exception):
    """Base of the errors the store raises on purpose (sqlite3 errors escape as they are)."""


class NotFoundError(StoreError, LookupError):
    """The conversation, message or attachment asked for does not exist (any more)."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer Parla; opening it here could damage it, so we refuse."""


class StoreClosedError(StoreError):
    """The store was closed; a call arrived after ``close()``."""


class ConversationKind(StrEnum):
    CHAT = "chat"
    VOICE = "voice"
    COMPLETION = "completion"


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


class MessageState(StrEnum):
    COMPLETE = "complete"
    STREAMING = "streaming"  # a reply still arriving; never left like this after a restart
    STOPPED = "stopped"  # the user pressed Stop, or the app died mid-stream (see RECOVERED_FINISH_REASON)
    ERROR = "error"  # the request failed; the text received before the failure is kept


def text_part(text: str) -> Part:
    return {"type": "text", "text": text}


def image_part(
    hash: str, *, detail: str | None = None, source_url: str | None = None, alt: str | None = None
) -> Part:
    """An image held in the store by content hash.

    ``source_url`` is where a model-returned image came from, so the UI can swap the markdown
    ``![…](url)`` in the reply for the kept copy once the URL has expired.
    """
    part: Part = {"type": "image", "hash": hash}
    if detail is not None:
        part["detail"] = detail
    if source_url is not None:
        part["source_url"] = source_url
    if alt is not None:
        part["alt"] = alt
    return part


def normalize_content(content: str | Sequence[Mapping[str, Any]]) -> list[Part]:
    """Content as a list of parts, checked, so bad data fails at the call and not when rendered.

    A string becomes one text part (an empty string no part at all: a reply that has not started).
    Unknown part types are kept as they are, so a newer writer's parts survive an older reader.
    """
    if isinstance(content, str):
        return [text_part(content)] if content else []
    parts: list[Part] = []
    for raw in content:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("type"), str):
            raise ValueError(f"a content part must be a mapping with a 'type': {raw!r}")
        part = dict(raw)
        if part["type"] == "text" and not isinstance(part.get("text"), str):
            raise ValueError("a text part needs a 'text' string")
        if part["type"] == "image" and not HASH_RE.match(str(part.get("hash", ""))):
            raise ValueError("an image part needs a 'hash': 64 lowercase hex digits (sha256)")
        parts.append(part)
    return parts


def parts_text(parts: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(p["text"] for p in parts if p.get("type") == "text")


def parts_hashes(parts: Sequence[Mapping[str, Any]]) -> list[str]:
    """Image hashes in order of appearance, each once."""
    return list(dict.fromkeys(p["hash"] for p in parts if p.get("type") == "image"))


@dataclass(frozen=True, slots=True)
class Conversation:
    id: int
    uid: str  # stable across export and import, unlike ``id``
    title: str  # "" until the first user message gives one; the UI shows "New chat"
    title_is_custom: bool
    pinned: bool
    kind: ConversationKind
    model: str  # "" means the profile's default
    profile_id: str
    settings: dict[str, Any]  # system prompt, temperature, top_p, tools enabled…: owned by the UI
    draft_text: str
    draft_attachments: list[Part]
    created_at: float  # Unix seconds
    updated_at: float  # last message activity: what the sidebar sorts by
    deleted_at: float | None  # set while a delete can still be undone

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


@dataclass(frozen=True, slots=True)
class Draft:
    text: str = ""
    attachments: list[Part] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    conversation_id: int
    position: int  # increasing within a conversation; gaps are normal after deletes
    role: Role
    content: list[Part]
    reasoning: str
    tool_calls: list[dict[str, Any]] | None
    tool_call_id: str | None
    model: str
    parameters: dict[str, Any]
    usage: dict[str, Any] | None
    finish_reason: str | None
    state: MessageState
    error: str | None  # whatever the UI needs to show the failure again after a restart
    created_at: float
    updated_at: float

    @property
    def text(self) -> str:
        return parts_text(self.content)

    @property
    def images(self) -> list[Part]:
        return [p for p in self.content if p.get("type") == "image"]

    @property
    def attachment_hashes(self) -> list[str]:
        return parts_hashes(self.content)


@dataclass(frozen=True, slots=True)
class Attachment:
    hash: str  # sha256 of the bytes, hex
    mime: str
    size: int
    width: int | None
    height: int | None
    created_at: float


@dataclass(frozen=True, slots=True)
class SearchHit:
    conversation_id: int
    message_id: int | None  # None when the hit is in the conversation's title
    title: str
    snippet: str  # text around the hit, with HIGHLIGHT_START/HIGHLIGHT_END around each match
    rank: float  # smaller is better (FTS5's bm25 convention); 0.0 for short-query fallback hits
