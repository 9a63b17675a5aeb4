"""The open conversation's messages as a ``QAbstractListModel`` over plain Python items.

Each row is a :class:`MessageItem`: the stored :class:`~app.store.Message` fields the view needs,
kept mutable so a reply that is streaming can change in place (its text, state, usage) without a
new object per token. ``revision`` grows whenever what a message *shows* changes (tests and views
can tell an update happened; the document cache keys on the text itself).

A streaming reply carries a :class:`LiveDocuments` (set by the controller): the documents its
``StreamingRenderer``\\ s write into. The view paints those directly instead of building its own,
which is what keeps the cost of a token flat.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from app.store import RECOVERED_FINISH_REASON, Message, MessageState, Role

__all__ = ["LiveDocuments", "MessageItem", "MessageListModel"]

ModelIndex = QModelIndex | QPersistentModelIndex


@dataclass(eq=False)
class LiveDocuments:
    """What a reply that is still arriving is drawn from (owned by the controller's LiveReply)."""

    content: Any  # MessageDocument
    reasoning: Any  # MessageDocument
    started_at: float = field(default_factory=time.monotonic)
    #: monotonic time of the first byte of the answer (None while the request is still waiting)
    first_event_at: float | None = None


@dataclass(eq=False)
class MessageItem:
    """One row: a message as shown, mutable while it streams."""

    id: int
    role: Role
    text: str
    reasoning: str = ""
    state: MessageState = MessageState.COMPLETE
    error: str | None = None
    usage: dict[str, Any] | None = None
    finish_reason: str | None = None
    model: str = ""
    created_at: float = 0.0
    revision: int = 0
    live: LiveDocuments | None = None
    #: The Thinking section's state: None follows the default (open while thinking, then closed).
    thinking_open: bool | None = None
    #: The message's image parts (``{"type": "image", "hash", …}``), in order.
    images: list[dict[str, Any]] = field(default_factory=list)
    #: Web pictures the user sent by their address (``{"type": "image_url", "image_url": {"url", …}}``).
    web_images: list[dict[str, Any]] = field(default_factory=list)
    #: Addresses of web pictures being loaded now (the user clicked Load picture).
    web_loading: set[str] = field(default_factory=set)
    #: The reply's tool calls, one record each (see ``app.ui.chat.tool_cards``), in call order.
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    #: Ids of the tool-call cards the user opened (cards are collapsed by default).
    tool_open: set[str] = field(default_factory=set)

    @classmethod
    def from_message(cls, message: Message) -> "MessageItem":
        return cls(
            id=message.id,
            role=message.role,
            text=message.text,
            reasoning=message.reasoning,
            state=message.state,
            error=message.error,
            usage=message.usage,
            finish_reason=message.finish_reason,
            model=message.model,
            created_at=message.created_at,
            images=[dict(part) for part in message.images],
            web_images=[dict(part) for part in message.content if part.get("type") == "image_url"],
            tool_calls=[dict(call) for call in message.tool_calls or () if isinstance(call, dict)],
        )

    @property
    def streaming(self) -> bool:
        return self.state is MessageState.STREAMING

    @property
    def interrupted(self) -> bool:
        """Stopped because Parla closed or died mid-reply (found streaming at the next start)."""
        return self.state is MessageState.STOPPED and self.finish_reason == RECOVERED_FINISH_REASON

    @property
    def waiting(self) -> bool:
        """Streaming, and nothing of the answer has arrived yet."""
        return self.streaming and (self.live is None or self.live.first_event_at is None) and not self.text

    def thinking_visible(self) -> bool:
        """Whether the Thinking section is expanded now."""
        if self.thinking_open is not None:
            return self.thinking_open
        return self.streaming and not self.text

    def prompt_tokens(self) -> int | None:
        return _token_count(self.usage, "prompt_tokens", "input_tokens")

    def completion_tokens(self) -> int | None:
        return _token_count(self.usage, "completion_tokens", "output_tokens")


def _token_count(usage: dict[str, Any] | None, *keys: str) -> int | None:
    if not usage:
        return None
    for key in keys:
        value = usage.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


class MessageListModel(QAbstractListModel):
    """The messages of one conversation, oldest first."""

    IdRole = Qt.ItemDataRole.UserRole + 1
    RoleRole = Qt.ItemDataRole.UserRole + 2
    StateRole = Qt.ItemDataRole.UserRole + 3
    ReasoningRole = Qt.ItemDataRole.UserRole + 4
    ErrorRole = Qt.ItemDataRole.UserRole + 5
    UsageRole = Qt.ItemDataRole.UserRole + 6
    RevisionRole = Qt.ItemDataRole.UserRole + 7
    ItemRole = Qt.ItemDataRole.UserRole + 8

    #: A row's height may have changed without its data changing (a live document grew).
    row_resized = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[MessageItem] = []
        self._rows: dict[int, int] = {}  # message id → row, rebuilt lazily
        self._rows_valid = True
        self.conversation_id: int | None = None
        #: Pictures' (width, height) by hash, when known: the view sizes thumbnail rows with them
        #: before the thumbnails are read (hashes name contents, so an entry never changes).
        self.image_sizes: dict[str, tuple[int, int]] = {}

    # -- Qt's model API -------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items) or index.column() != 0:
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return item.text
        if role == self.IdRole:
            return item.id
        if role == self.RoleRole:
            return item.role.value
        if role == self.StateRole:
            return item.state.value
        if role == self.ReasoningRole:
            return item.reasoning
        if role == self.ErrorRole:
            return item.error
        if role == self.UsageRole:
            return dict(item.usage) if item.usage else None
        if role == self.RevisionRole:
            return item.revision
        if role == self.ItemRole:
            return item
        return None

    def roleNames(self) -> dict[int, bytes]:  # noqa: N802
        names = dict(super().roleNames())
        names.update(
            {
                self.IdRole: b"messageId",
                self.RoleRole: b"role",
                self.StateRole: b"state",
                self.ReasoningRole: b"reasoning",
                self.ErrorRole: b"error",
                self.UsageRole: b"usage",
                self.RevisionRole: b"revision",
            }
        )
        return names

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    # -- reading ----------------------------------------------------------------------------

    @property
    def items(self) -> list[MessageItem]:
        """The rows (do not mutate the list; use the methods below)."""
        return self._items

    def item(self, row: int) -> MessageItem:
        return self._items[row]

    def row_of(self, message_id: int) -> int:
        """The row of a message, or -1."""
        if not self._rows_valid:
            self._rows = {item.id: row for row, item in enumerate(self._items)}
            self._rows_valid = True
        return self._rows.get(message_id, -1)

    def find(self, message_id: int) -> MessageItem | None:
        row = self.row_of(message_id)
        return self._items[row] if row >= 0 else None

    # -- changing ---------------------------------------------------------------------------

    def set_items(self, conversation_id: int | None, items: list[MessageItem]) -> None:
        self.beginResetModel()
        self.conversation_id = conversation_id
        self._items = list(items)
        self._rows_valid = False
        self.endResetModel()

    def append(self, items: list[MessageItem]) -> None:
        if not items:
            return
        first = len(self._items)
        self.beginInsertRows(QModelIndex(), first, first + len(items) - 1)
        self._items.extend(items)
        self._rows_valid = False
        self.endInsertRows()

    def prepend(self, items: list[MessageItem]) -> None:
        """Older messages, loaded after the newest ones were shown."""
        if not items:
            return
        self.beginInsertRows(QModelIndex(), 0, len(items) - 1)
        self._items[0:0] = items
        self._rows_valid = False
        self.endInsertRows()

    def insert(self, row: int, items: list[MessageItem]) -> None:
        """Put ``items`` at ``row`` (a deleted message brought back by Undo)."""
        if not items:
            return
        row = max(0, min(row, len(self._items)))
        self.beginInsertRows(QModelIndex(), row, row + len(items) - 1)
        self._items[row:row] = items
        self._rows_valid = False
        self.endInsertRows()

    def remove_from(self, row: int) -> list[MessageItem]:
        """Remove the row and every row after it; returns what went."""
        if not 0 <= row < len(self._items):
            return []
        self.beginRemoveRows(QModelIndex(), row, len(self._items) - 1)
        removed = self._items[row:]
        del self._items[row:]
        self._rows_valid = False
        self.endRemoveRows()
        return removed

    def remove(self, message_id: int) -> MessageItem | None:
        row = self.row_of(message_id)
        if row < 0:
            return None
        self.beginRemoveRows(QModelIndex(), row, row)
        item = self._items.pop(row)
        self._rows_valid = False
        self.endRemoveRows()
        return item

    def replace(self, item: MessageItem) -> None:
        """Put ``item`` in the row of the message with the same id (a reload or a finished reply)."""
        row = self.row_of(item.id)
        if row < 0:
            return
        self._items[row] = item
        self.changed(row)

    def changed(self, row: int, *, content: bool = True) -> None:
        """Row ``row`` shows something else now; ``content`` bumps its revision (a new render)."""
        if not 0 <= row < len(self._items):
            return
        if content:
            self._items[row].revision += 1
        index = self.index(row, 0)
        self.dataChanged.emit(index, index)

    def changed_item(self, item: MessageItem, *, content: bool = True) -> None:
        row = self.row_of(item.id)
        if row >= 0 and self._items[row] is item:
            self.changed(row, content=content)

    def resized(self, item: MessageItem) -> None:
        """A live document of ``item`` grew: the view should measure it again (no new render)."""
        row = self.row_of(item.id)
        if row >= 0 and self._items[row] is item:
            self.row_resized.emit(row)
