"""Conversations out of the store and back in: Markdown to read, JSON to restore exactly.

The JSON format (``"format": "parla.conversations"``, ``"version": 1``) holds everything a
conversation is made of — messages with their content parts, reasoning, tool calls, usage, states,
errors and timestamps, the title, pinning, the per-conversation settings and the draft — and the
bytes of every image it refers to, base64-encoded, so one file is a complete copy. It never holds a
token, a base URL or anything else of a profile beyond the profile's id (which is not a secret): the
store has none of them, and keys that look like credentials are dropped from the free-form
``settings`` and ``parameters`` dictionaries on the way out, in case a caller ever put one there.

Import is the reverse and is careful, because the file may come from anywhere:

* The whole file is checked first (:func:`parse_export`, :func:`validate_export`); a file that is not
  JSON, not a Parla export, from a newer Parla, or malformed raises :class:`ExportFormatError` and
  nothing is written.
* Each conversation is then checked on its own and written in one transaction: a bad conversation is
  reported in :class:`ImportReport` ``errors`` and leaves no trace; the good ones are imported.
* Conversations have a stable ``uid``: one already in the store is skipped, so importing the same
  file twice does not duplicate anything. (One the user deleted but could still undo is replaced.)
* A reply that was still streaming when the file was written comes back stopped, marked
  ``interrupted``, as the store itself does after a crash: nothing is streaming into it any more.

No Qt here; the UI runs these functions on the store's thread (``AsyncStore.run``).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app import __version__
from app.store.blobs import sha256_hex
from app.store.models import (
    HASH_RE,
    RECOVERED_FINISH_REASON,
    Conversation,
    ConversationKind,
    Message,
    MessageState,
    NotFoundError,
    Part,
    Role,
    StoreError,
    normalize_content,
    parts_hashes,
)
from app.store.store import Store

__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "ExportFormatError",
    "ImportProblem",
    "ImportReport",
    "MarkdownLabels",
    "dumps_export",
    "export_json",
    "export_markdown",
    "import_json",
    "parse_export",
    "read_export_file",
    "validate_export",
]

EXPORT_FORMAT = "parla.conversations"
EXPORT_VERSION = 1

#: Keys never written out of ``settings``/``parameters`` (compared lower-case, at any depth).
_SECRET_KEYS = frozenset(
    {"api_key", "apikey", "authorization", "token", "access_token", "bearer", "password", "secret", "base_url"}
)
_UID_MAX = 200
_CONTROL = {chr(c) for c in range(32)} | {"\x7f"}


class ExportFormatError(StoreError, ValueError):
    """The file cannot be imported at all; nothing was written.

    ``kind`` says why, for the UI's words: ``"not_json"`` (not JSON text, or not UTF-8),
    ``"not_parla"`` (JSON, but not a Parla export), ``"too_new"`` (written by a newer Parla, whose
    ``version`` is in ``detail``), ``"malformed"`` (a Parla export with a broken structure; ``detail``
    says where).
    """

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class ImportProblem:
    """One conversation of the file that was not imported, and why (``reason`` is English)."""

    index: int  # its position in the file's ``conversations``, from 0
    uid: str
    title: str
    reason: str


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0  # already in the store (same uid)
    errors: list[ImportProblem] = field(default_factory=list)
    conversation_ids: list[int] = field(default_factory=list)  # the local ids of the imported ones


@dataclass(frozen=True)
class MarkdownLabels:
    """The words of a Markdown export; the UI passes translated ones."""

    user: str = "User"
    assistant: str = "Assistant"
    system: str = "System"
    tool: str = "Tool"
    untitled: str = "New chat"
    model: str = "Model"
    created: str = "Created"
    system_prompt: str = "System prompt"
    thinking: str = "Thinking"
    tool_calls: str = "Tool calls"
    tool_result: str = "Result of {id}"
    image: str = "Image"
    usage: str = "Tokens: {prompt} prompt · {completion} completion"
    stopped: str = "Stopped before the end."
    interrupted: str = "Interrupted."
    error: str = "Error: {error}"
    exported: str = "Exported from Parla on {date}"


# -- export -----------------------------------------------------------------------------------------


def _scrub(value: Any) -> Any:
    """``value`` without credential-looking keys, at any depth."""
    if isinstance(value, Mapping):
        return {k: _scrub(v) for k, v in value.items() if str(k).lower() not in _SECRET_KEYS}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _conversations(store: Store, conversation_ids: Iterable[int] | None) -> list[Conversation]:
    if conversation_ids is None:
        return store.list_conversations()
    found: list[Conversation] = []
    for conversation_id in conversation_ids:
        conversation = store.get_conversation(conversation_id)
        if conversation is None:
            raise NotFoundError(f"no conversation {conversation_id}")
        found.append(conversation)
    return found


def _message_json(message: Message) -> dict[str, Any]:
    return {
        "role": message.role.value,
        "content": message.content,
        "reasoning": message.reasoning,
        "tool_calls": message.tool_calls,
        "tool_call_id": message.tool_call_id,
        "model": message.model,
        "parameters": _scrub(message.parameters),
        "usage": message.usage,
        "finish_reason": message.finish_reason,
        "state": message.state.value,
        "error": message.error,
        "created_at": message.created_at,
        "updated_at": message.updated_at,
    }


def export_json(store: Store, conversation_ids: Iterable[int] | None = None) -> dict[str, Any]:
    """The conversations (all of them, deleted ones aside, when ``None``) as one JSON-ready dict.

    Every image a message or a draft refers to travels along in ``attachments``, keyed by hash.
    Raises ``NotFoundError`` for an id the store does not have.
    """
    conversations: list[dict[str, Any]] = []
    hashes: dict[str, None] = {}
    for conversation in _conversations(store, conversation_ids):
        messages = store.messages(conversation.id)
        for message in messages:
            hashes.update(dict.fromkeys(message.attachment_hashes))
        hashes.update(dict.fromkeys(parts_hashes(conversation.draft_attachments)))
        conversations.append(
            {
                "uid": conversation.uid,
                "title": conversation.title,
                "title_is_custom": conversation.title_is_custom,
                "pinned": conversation.pinned,
                "kind": conversation.kind.value,
                "model": conversation.model,
                "profile_id": conversation.profile_id,
                "settings": _scrub(conversation.settings),
                "draft": {"text": conversation.draft_text, "attachments": conversation.draft_attachments},
                "created_at": conversation.created_at,
                "updated_at": conversation.updated_at,
                "messages": [_message_json(m) for m in messages],
            }
        )
    attachments: dict[str, Any] = {}
    for digest in hashes:
        record = store.get_attachment(digest)
        if record is None:
            continue  # a draft may name an image that was never stored; there is nothing to carry
        try:
            data = store.read_attachment(digest)
        except NotFoundError:
            continue
        attachments[digest] = {
            "mime": record.mime,
            "size": record.size,
            "width": record.width,
            "height": record.height,
            "created_at": record.created_at,
            "data": base64.b64encode(data).decode("ascii"),
        }
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": time.time(),
        "app": {"name": "Parla", "version": __version__},
        "conversations": conversations,
        "attachments": attachments,
    }


def dumps_export(data: Mapping[str, Any]) -> str:
    """The export as text: UTF-8 friendly (Chinese stays readable), indented, stable key order."""
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _fence(text: str, info: str = "") -> str:
    """``text`` in a code fence longer than any run of backticks inside it."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{info}\n{text}\n{ticks}"


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _message_markdown(message: Message, labels: MarkdownLabels, store: Store) -> str:
    role = {
        Role.USER: labels.user,
        Role.ASSISTANT: labels.assistant,
        Role.SYSTEM: labels.system,
        Role.TOOL: labels.tool,
    }[message.role]
    heading = f"## {role}"
    if message.role is Role.ASSISTANT and message.model:
        heading += f" · {message.model}"
    heading += f" · {_when(message.created_at)}"
    blocks = [heading]
    if message.role is Role.TOOL and message.tool_call_id:
        blocks.append(f"*{labels.tool_result.format(id=message.tool_call_id)}*")
    if message.reasoning:
        quoted = "\n".join("> " + line if line else ">" for line in message.reasoning.splitlines())
        blocks.append(f"> **{labels.thinking}**\n>\n{quoted}")
    for part in message.content:
        kind = part.get("type")
        if kind == "text":
            if part["text"].strip():
                blocks.append(part["text"])
        elif kind == "image":
            record = store.get_attachment(part["hash"])
            details = [labels.image]
            if part.get("alt"):
                details.append(_one_line(part["alt"]))
            if record is not None:
                details.append(record.mime)
                if record.width and record.height:
                    details.append(f"{record.width}×{record.height}")
            details.append(f"sha256 {part['hash'][:12]}")
            blocks.append(f"*[{' · '.join(details)}]*")
        else:
            blocks.append(f"*[{_one_line(str(kind))}]*")
    if message.tool_calls:
        lines = []
        for call in message.tool_calls:
            function = call.get("function") if isinstance(call.get("function"), Mapping) else {}
            name = function.get("name", "") if function else ""
            arguments = function.get("arguments", "") if function else ""
            try:
                arguments = json.dumps(json.loads(arguments), ensure_ascii=False, indent=2)
            except (TypeError, ValueError):
                arguments = str(arguments)
            lines.append(f"`{name}` ({call.get('id', '')})\n\n{_fence(arguments, 'json')}")
        blocks.append(f"**{labels.tool_calls}**\n\n" + "\n\n".join(lines))
    notes = []
    if message.state is MessageState.STOPPED:
        notes.append(labels.interrupted if message.finish_reason == RECOVERED_FINISH_REASON else labels.stopped)
    elif message.state is MessageState.ERROR:
        notes.append(labels.error.format(error=_one_line(message.error or "")))
    if message.usage and isinstance(message.usage, Mapping):
        prompt, completion = message.usage.get("prompt_tokens"), message.usage.get("completion_tokens")
        if prompt is not None or completion is not None:
            notes.append(labels.usage.format(prompt=prompt if prompt is not None else "?",
                                             completion=completion if completion is not None else "?"))
    if notes:
        blocks.append(" · ".join(f"*{note}*" for note in notes))
    return "\n\n".join(blocks)


def export_markdown(
    store: Store, conversation_ids: Iterable[int] | None = None, *, labels: MarkdownLabels | None = None
) -> str:
    """The conversations as one Markdown document to read (images are described, not embedded)."""
    labels = labels or MarkdownLabels()
    documents: list[str] = []
    for conversation in _conversations(store, conversation_ids):
        title = _one_line(conversation.title) or labels.untitled
        meta = [f"{labels.created}: {_when(conversation.created_at)}"]
        if conversation.model:
            meta.append(f"{labels.model}: {conversation.model}")
        blocks = [f"# {title}", "*" + " · ".join(meta) + "*"]
        prompt = conversation.settings.get("system_prompt") if isinstance(conversation.settings, Mapping) else None
        if isinstance(prompt, str) and prompt.strip():
            quoted = "\n".join("> " + line if line else ">" for line in prompt.splitlines())
            blocks.append(f"> **{labels.system_prompt}**\n>\n{quoted}")
        for message in store.messages(conversation.id):
            blocks.append(_message_markdown(message, labels, store))
        documents.append("\n\n".join(blocks))
    footer = f"*{labels.exported.format(date=_when(time.time()))}*"
    return "\n\n---\n\n".join(documents + [footer]) + "\n"


# -- reading and checking a file --------------------------------------------------------------------


def parse_export(raw: bytes | str) -> dict[str, Any]:
    """The file's JSON, checked as a whole (see :func:`validate_export`)."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ExportFormatError("not_json", f"not UTF-8 text (byte {exc.start})") from exc
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ExportFormatError("not_json", str(exc)) from exc
    return validate_export(data)


def read_export_file(path: Path | str) -> dict[str, Any]:
    """Read and check an export file (blocking: call it from a worker thread)."""
    return parse_export(Path(path).read_bytes())


def validate_export(data: Any) -> dict[str, Any]:
    """``data`` if it is a Parla export this version can read, else ``ExportFormatError``.

    Only the envelope is checked here (format, version, the two collections and the attachments'
    shape); each conversation is checked when it is imported, so one bad conversation does not
    block the others.
    """
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ExportFormatError("not_parla", "no \"format\": \"parla.conversations\" at the top")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ExportFormatError("malformed", f"bad version {version!r}")
    if version > EXPORT_VERSION:
        raise ExportFormatError("too_new", str(version))
    conversations = data.get("conversations")
    if not isinstance(conversations, list):
        raise ExportFormatError("malformed", "\"conversations\" is not a list")
    attachments = data.get("attachments", {})
    if not isinstance(attachments, dict):
        raise ExportFormatError("malformed", "\"attachments\" is not an object")
    for digest, record in attachments.items():
        if not HASH_RE.match(digest):
            raise ExportFormatError("malformed", f"attachment key {digest[:80]!r} is not a sha256 hash")
        if not isinstance(record, dict) or not isinstance(record.get("data"), str):
            raise ExportFormatError("malformed", f"attachment {digest[:12]} has no data")
    return data


class _Invalid(Exception):
    """One conversation of the file is not acceptable; the message says where and why."""


def _text(value: Any, where: str, *, optional: bool = False) -> str | None:
    """Text, or "" (None when ``optional``) when the file leaves it out."""
    if value is None:
        return None if optional else ""
    if not isinstance(value, str):
        raise _Invalid(f"{where} must be text")
    return value


def _flag(value: Any, where: str, default: bool = False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _Invalid(f"{where} must be true or false")
    return value


def _timestamp(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise _Invalid(f"{where} must be a time in seconds")
    return float(value)


def _object(value: Any, where: str, *, optional: bool = False) -> dict[str, Any] | None:
    if value is None and optional:
        return None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Invalid(f"{where} must be an object")
    return value


@dataclass
class _MessageIn:
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
    error: str | None
    created_at: float
    updated_at: float


@dataclass
class _ConversationIn:
    uid: str
    title: str
    title_is_custom: bool
    pinned: bool
    kind: ConversationKind
    model: str
    profile_id: str
    settings: dict[str, Any]
    draft_text: str
    draft_attachments: list[Part]
    created_at: float
    updated_at: float
    messages: list[_MessageIn]

    @property
    def hashes(self) -> list[str]:
        found: dict[str, None] = {}
        for message in self.messages:
            found.update(dict.fromkeys(parts_hashes(message.content)))
        found.update(dict.fromkeys(parts_hashes(self.draft_attachments)))
        return list(found)


def _enum(kind: type[Any], value: Any, where: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise _Invalid(f"{where} {str(value)[:40]!r} is unknown") from None


def _parts(value: Any, where: str) -> list[Part]:
    if value is None:
        return []
    if isinstance(value, str):
        return normalize_content(value)
    if not isinstance(value, list):
        raise _Invalid(f"{where} must be a list of parts")
    try:
        return normalize_content(value)
    except ValueError as exc:
        raise _Invalid(f"{where}: {exc}") from None


def _check_message(raw: Any, where: str) -> _MessageIn:
    if not isinstance(raw, dict):
        raise _Invalid(f"{where} must be an object")
    tool_calls = raw.get("tool_calls")
    if tool_calls is not None and (
        not isinstance(tool_calls, list) or not all(isinstance(c, dict) for c in tool_calls)
    ):
        raise _Invalid(f"{where}: tool_calls must be a list of objects")
    created = _timestamp(raw.get("created_at"), f"{where}: created_at")
    updated = raw.get("updated_at")
    return _MessageIn(
        role=_enum(Role, raw.get("role"), f"{where}: role"),
        content=_parts(raw.get("content"), f"{where}: content"),
        reasoning=_text(raw.get("reasoning"), f"{where}: reasoning") or "",
        tool_calls=tool_calls,
        tool_call_id=_text(raw.get("tool_call_id"), f"{where}: tool_call_id", optional=True),
        model=_text(raw.get("model"), f"{where}: model") or "",
        parameters=_object(raw.get("parameters"), f"{where}: parameters") or {},
        usage=_object(raw.get("usage"), f"{where}: usage", optional=True),
        finish_reason=_text(raw.get("finish_reason"), f"{where}: finish_reason", optional=True),
        state=_enum(MessageState, raw.get("state", MessageState.COMPLETE.value), f"{where}: state"),
        error=_text(raw.get("error"), f"{where}: error", optional=True),
        created_at=created,
        updated_at=created if updated is None else _timestamp(updated, f"{where}: updated_at"),
    )


def _check_conversation(raw: Any) -> _ConversationIn:
    if not isinstance(raw, dict):
        raise _Invalid("the conversation must be an object")
    uid = raw.get("uid")
    if not isinstance(uid, str) or not uid.strip() or len(uid) > _UID_MAX or _CONTROL.intersection(uid):
        raise _Invalid("uid must be a short, non-empty text")
    draft = _object(raw.get("draft"), "draft") or {}
    messages = raw.get("messages", [])
    if not isinstance(messages, list):
        raise _Invalid("messages must be a list")
    created = _timestamp(raw.get("created_at"), "created_at")
    updated = raw.get("updated_at")
    return _ConversationIn(
        uid=uid,
        title=_text(raw.get("title"), "title") or "",
        title_is_custom=_flag(raw.get("title_is_custom"), "title_is_custom"),
        pinned=_flag(raw.get("pinned"), "pinned"),
        kind=_enum(ConversationKind, raw.get("kind", ConversationKind.CHAT.value), "kind"),
        model=_text(raw.get("model"), "model") or "",
        profile_id=_text(raw.get("profile_id"), "profile_id") or "",
        settings=_object(raw.get("settings"), "settings") or {},
        draft_text=_text(draft.get("text"), "draft text") or "",
        draft_attachments=_parts(draft.get("attachments"), "draft attachments"),
        created_at=created,
        updated_at=created if updated is None else _timestamp(updated, "updated_at"),
        messages=[_check_message(m, f"message {i + 1}") for i, m in enumerate(messages)],
    )


@dataclass
class _Blob:
    data: bytes
    mime: str
    width: int | None
    height: int | None
    created_at: float | None


def _optional_int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Invalid(f"{where} must be a whole number")
    return value


def _blob(digest: str, record: Mapping[str, Any]) -> _Blob:
    where = f"image {digest[:12]}"
    try:
        data = base64.b64decode(record["data"], validate=True)
    except (binascii.Error, ValueError):
        raise _Invalid(f"{where}: the data is not base64") from None
    if sha256_hex(data) != digest:
        raise _Invalid(f"{where}: the data does not match its hash (damaged file?)")
    mime = record.get("mime")
    if not isinstance(mime, str) or not mime or len(mime) > 200:
        raise _Invalid(f"{where}: no MIME type")
    created = record.get("created_at")
    return _Blob(
        data,
        mime,
        _optional_int(record.get("width"), f"{where}: width"),
        _optional_int(record.get("height"), f"{where}: height"),
        None if created is None else _timestamp(created, f"{where}: created_at"),
    )


# -- import -----------------------------------------------------------------------------------------


def import_json(store: Store, data: Any) -> ImportReport:
    """Restore the conversations of an export (see the module docstring for the rules).

    Raises ``ExportFormatError`` when the file as a whole is unusable (nothing written); problems
    with single conversations are collected in the report instead.
    """
    data = validate_export(data)
    attachments: dict[str, Any] = data.get("attachments", {})
    report = ImportReport()
    seen: set[str] = set()
    for index, raw in enumerate(data["conversations"]):
        uid = raw.get("uid") if isinstance(raw, dict) and isinstance(raw.get("uid"), str) else ""
        title = raw.get("title") if isinstance(raw, dict) and isinstance(raw.get("title"), str) else ""
        try:
            conversation = _check_conversation(raw)
            if conversation.uid in seen:
                report.skipped += 1
                continue
            seen.add(conversation.uid)
            existing = store.get_conversation_by_uid(conversation.uid)
            if existing is not None and not existing.deleted:
                report.skipped += 1
                continue
            blobs = _blobs_for(store, conversation, attachments)
            new_id = _write(store, conversation, blobs, replace=existing)
        except _Invalid as exc:
            report.errors.append(ImportProblem(index, uid, title, str(exc)))
        except (StoreError, ValueError) as exc:
            report.errors.append(ImportProblem(index, uid, title, str(exc) or type(exc).__name__))
        else:
            report.imported += 1
            report.conversation_ids.append(new_id)
    return report


def _blobs_for(store: Store, conversation: _ConversationIn, attachments: Mapping[str, Any]) -> dict[str, _Blob]:
    """The images this conversation needs from the file, decoded and checked; None when stored already."""
    blobs: dict[str, _Blob] = {}
    draft_only = set(parts_hashes(conversation.draft_attachments))
    for message in conversation.messages:
        draft_only.difference_update(parts_hashes(message.content))
    for digest in conversation.hashes:
        record = attachments.get(digest)
        if record is not None:
            blobs[digest] = _blob(digest, record)
        elif store.get_attachment(digest) is None and digest not in draft_only:
            # Drafts may name images that were never kept (the store allows it); messages may not.
            raise _Invalid(f"image {digest[:12]} is used but not in the file")
    return blobs


def _write(store: Store, conversation: _ConversationIn, blobs: Mapping[str, _Blob], *, replace: Conversation | None) -> int:
    """One conversation in one transaction: all of it lands, or nothing does."""
    conn = store._conn  # this module belongs to the store package: it restores what the API would stamp anew
    with store.batch():
        if replace is not None:
            store.purge_conversation(replace.id)
        for digest, blob in blobs.items():
            known = store.get_attachment(digest) is not None
            store.put_attachment(blob.data, blob.mime, width=blob.width, height=blob.height)
            if not known and blob.created_at is not None:
                conn.execute("UPDATE attachments SET created_at = ? WHERE hash = ?", (blob.created_at, digest))
        created = store.create_conversation(
            title=conversation.title,
            title_is_custom=conversation.title_is_custom,
            kind=conversation.kind,
            model=conversation.model,
            profile_id=conversation.profile_id,
            settings=conversation.settings,
            pinned=conversation.pinned,
            uid=conversation.uid,
            created_at=conversation.created_at,
            updated_at=conversation.updated_at,
        )
        for message in conversation.messages:
            state, finish_reason = message.state, message.finish_reason
            if state is MessageState.STREAMING:
                state, finish_reason = MessageState.STOPPED, finish_reason or RECOVERED_FINISH_REASON
            stored = store.append_message(
                created.id,
                message.role,
                message.content,
                state=state,
                reasoning=message.reasoning,
                tool_calls=message.tool_calls,
                tool_call_id=message.tool_call_id,
                model=message.model,
                parameters=message.parameters,
                usage=message.usage,
                finish_reason=finish_reason,
                error=message.error,
                created_at=message.created_at,
            )
            if message.updated_at != stored.updated_at:
                conn.execute("UPDATE messages SET updated_at = ? WHERE id = ?", (message.updated_at, stored.id))
        if conversation.draft_text or conversation.draft_attachments:
            store.save_draft(created.id, conversation.draft_text, conversation.draft_attachments)
        # Appending messages re-derives the title and moves updated_at: put back what the file says.
        conn.execute(
            "UPDATE conversations SET title = ?, title_is_custom = ?, updated_at = ? WHERE id = ?",
            (conversation.title, int(conversation.title_is_custom), conversation.updated_at, created.id),
        )
    return created.id

