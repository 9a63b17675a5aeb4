"""The sidebar's two lists: conversations grouped by day, and search hits.

:class:`ConversationListModel` is a flat list in which group headers ("Pinned", "Today", "March
2025"…) are rows of their own, neither selectable nor editable: a ``QListView`` shows it without a
tree, and keyboard navigation skips the headers. The groups come from
``app.store.group_conversations`` (keys, not words); the words are made here, translated.

:class:`SearchResultsModel` holds ``SearchHit``\\ s. Their snippets are model output: the delegate
escapes the text and marks the highlighted spans itself (``split_highlights``), so nothing in a
message can be interpreted as markup.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QDate,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.store import (
    PINNED,
    PREVIOUS_7_DAYS,
    TODAY,
    YESTERDAY,
    Conversation,
    ConversationKind,
    SearchHit,
    group_conversations,
    month_of,
    split_highlights,
)
from app.ui.chat.markdown import to_plain_text

__all__ = [
    "ConversationListModel",
    "SearchResultsModel",
    "conversation_title",
    "group_title",
    "highlighted_html",
    "plain_snippet",
    "completion_tag",
    "kind_tag",
    "voice_tag",
]

ModelIndex = QModelIndex | QPersistentModelIndex

_CONTEXT = "ChatSidebar"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def group_title(key: str) -> str:
    """The words for a group key of ``app.store.groups``."""
    if key == PINNED:
        return QCoreApplication.translate("ChatSidebar", "Pinned")
    if key == TODAY:
        return QCoreApplication.translate("ChatSidebar", "Today")
    if key == YESTERDAY:
        return QCoreApplication.translate("ChatSidebar", "Yesterday")
    if key == PREVIOUS_7_DAYS:
        return QCoreApplication.translate("ChatSidebar", "Previous 7 days")
    month = month_of(key)
    if month is None:
        return key
    # A QLocale date format, so each language orders month and year its own way.
    pattern = QCoreApplication.translate("ChatSidebar", "MMMM yyyy", "month heading: a QDate format")
    return QLocale().toString(QDate(month.year, month.month, 1), pattern)


def conversation_title(title: str, kind: ConversationKind = ConversationKind.CHAT) -> str:
    if not title and kind is ConversationKind.COMPLETION:
        return QCoreApplication.translate("ChatSidebar", "New text completion")
    return title or QCoreApplication.translate("ChatSidebar", "New chat")


def voice_tag() -> str:
    """The small tag beside a voice conversation's title."""
    return QCoreApplication.translate("ChatSidebar", "Voice", "tag of a conversation held in the Voice tab")


def completion_tag() -> str:
    """The small tag beside a text completion's title."""
    return QCoreApplication.translate("ChatSidebar", "Completion", "tag of a text completion (not a chat)")


def kind_tag(kind: ConversationKind) -> str | None:
    """The tag shown beside a conversation of this kind (None for a chat)."""
    if kind is ConversationKind.VOICE:
        return voice_tag()
    if kind is ConversationKind.COMPLETION:
        return completion_tag()
    return None


def plain_snippet(snippet: str) -> str:
    """A search snippet without markdown markup (``**``, backticks, ``#``, link syntax…).

    The store's highlight markers (control characters) are plain text to markdown-it, so they
    come through :func:`to_plain_text` where they were; should one be lost (inside a link's
    address, say) the pieces still alternate correctly in :func:`split_highlights`.
    """
    try:
        plain = to_plain_text(snippet)
    except Exception:  # never let an odd snippet break the list; show it as it is
        return snippet
    return plain if plain.strip() else snippet


def highlighted_html(snippet: str, color: str) -> str:
    """A search snippet as rich text: markup stripped, every piece escaped, the hits in bold on ``color``."""
    out: list[str] = []
    for text, marked in split_highlights(plain_snippet(snippet)):
        escaped = html.escape(" ".join(text.split("\n")), quote=False)
        if marked:
            out.append(f'<span style="background-color:{color}; font-weight:600">{escaped}</span>')
        else:
            out.append(escaped)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _Row:
    header: str | None  # the group key, for a header row
    conversation: Conversation | None


class ConversationListModel(QAbstractListModel):
    """Conversations, pinned first then newest first, under day headers."""

    IdRole = Qt.ItemDataRole.UserRole + 1
    HeaderRole = Qt.ItemDataRole.UserRole + 2  # True on a header row
    PinnedRole = Qt.ItemDataRole.UserRole + 3
    ConversationRole = Qt.ItemDataRole.UserRole + 4
    GroupRole = Qt.ItemDataRole.UserRole + 5
    VoiceRole = Qt.ItemDataRole.UserRole + 6  # True for a conversation of the Voice tab
    TagRole = Qt.ItemDataRole.UserRole + 7  # the tag's words ("Voice", "Completion"), None for a chat

    #: The user typed a new name in the list (F2 or double-click): the page stores it.
    rename_requested = Signal(int, str)

    def __init__(self, parent: QObject | None = None, *, clock: Any = time.time) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._clock = clock

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or index.column() != 0:
            return None
        row = self._rows[index.row()]
        conversation = row.conversation
        if row.header is not None:
            if role == Qt.ItemDataRole.DisplayRole:
                return group_title(row.header)
            if role == self.HeaderRole:
                return True
            if role == self.GroupRole:
                return row.header
            if role == Qt.ItemDataRole.AccessibleDescriptionRole:
                return _tr("Group")
            return None
        assert conversation is not None
        if role == Qt.ItemDataRole.DisplayRole:
            return conversation_title(conversation.title, conversation.kind)
        if role == Qt.ItemDataRole.EditRole:
            return conversation.title
        if role == Qt.ItemDataRole.ToolTipRole:
            if conversation.kind is ConversationKind.VOICE:
                return QCoreApplication.translate("ChatSidebar", "%1 (voice conversation)").replace("%1", conversation_title(conversation.title))
            if conversation.kind is ConversationKind.COMPLETION:
                return QCoreApplication.translate("ChatSidebar", "%1 (text completion)").replace(
                    "%1", conversation_title(conversation.title, conversation.kind)
                )
            return conversation_title(conversation.title)
        if role == self.VoiceRole:
            return conversation.kind is ConversationKind.VOICE
        if role == self.TagRole:
            return kind_tag(conversation.kind)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and conversation.kind is not ConversationKind.CHAT:
            return kind_tag(conversation.kind)
        if role == self.IdRole:
            return conversation.id
        if role == self.HeaderRole:
            return False
        if role == self.PinnedRole:
            return conversation.pinned
        if role == self.ConversationRole:
            return conversation
        return None

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not 0 <= index.row() < len(self._rows):
            return False
        conversation = self._rows[index.row()].conversation
        if conversation is None or not isinstance(value, str):
            return False
        title = " ".join(value.split())
        if title == conversation.title:
            return False
        self.rename_requested.emit(conversation.id, title)
        return True

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return Qt.ItemFlag.NoItemFlags
        if self._rows[index.row()].header is not None:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsEditable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    # -- content ----------------------------------------------------------------------------

    def set_conversations(self, conversations: list[Conversation]) -> None:
        """Show these (in ``list_conversations`` order); unchanged structure only refreshes rows."""
        rows: list[_Row] = []
        for key, members in group_conversations(conversations, self._clock()):
            rows.append(_Row(key, None))
            rows.extend(_Row(None, conversation) for conversation in members)
        if [_shape(r) for r in rows] == [_shape(r) for r in self._rows]:
            changed = [i for i, (old, new) in enumerate(zip(self._rows, rows, strict=True)) if old != new]
            self._rows = rows
            if changed:
                self.dataChanged.emit(self.index(changed[0], 0), self.index(changed[-1], 0))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def conversations(self) -> list[Conversation]:
        return [row.conversation for row in self._rows if row.conversation is not None]

    def conversation(self, conversation_id: int) -> Conversation | None:
        for row in self._rows:
            if row.conversation is not None and row.conversation.id == conversation_id:
                return row.conversation
        return None

    def row_of(self, conversation_id: int) -> int:
        for number, row in enumerate(self._rows):
            if row.conversation is not None and row.conversation.id == conversation_id:
                return number
        return -1

    def headers(self) -> list[str]:
        """The group keys shown, in order (tests)."""
        return [row.header for row in self._rows if row.header is not None]


def _shape(row: _Row) -> tuple[str | None, int | None]:
    return (row.header, row.conversation.id if row.conversation is not None else None)


class SearchResultsModel(QAbstractListModel):
    """Search hits: a title line, and the snippet with the matches highlighted."""

    ConversationIdRole = Qt.ItemDataRole.UserRole + 1
    MessageIdRole = Qt.ItemDataRole.UserRole + 2
    SnippetRole = Qt.ItemDataRole.UserRole + 3  # the raw snippet (markers included)
    TitleRole = Qt.ItemDataRole.UserRole + 4
    VoiceRole = Qt.ItemDataRole.UserRole + 5  # True when the hit is in a voice conversation
    MeaningRole = Qt.ItemDataRole.UserRole + 6  # True when only search by meaning found the message
    TagRole = Qt.ItemDataRole.UserRole + 7  # the conversation's kind tag ("Voice", "Completion"), or None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []
        self._voice: frozenset[int] = frozenset()
        self._meaning: frozenset[int] = frozenset()
        self._completions: frozenset[int] = frozenset()
        self.query = ""

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits) or index.column() != 0:
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            plain = "".join(text for text, _marked in split_highlights(plain_snippet(hit.snippet)))
            return f"{conversation_title(hit.title)}\n{plain}" if hit.message_id is not None else conversation_title(hit.title)
        if role == Qt.ItemDataRole.ToolTipRole:
            return conversation_title(hit.title)
        if role == self.ConversationIdRole:
            return hit.conversation_id
        if role == self.MessageIdRole:
            return hit.message_id
        if role == self.SnippetRole:
            return hit.snippet
        if role == self.TitleRole:
            return conversation_title(hit.title)
        if role == self.VoiceRole:
            return hit.conversation_id in self._voice
        if role == self.MeaningRole:
            return hit.message_id is not None and hit.message_id in self._meaning
        if role == self.TagRole:
            if hit.conversation_id in self._voice:
                return voice_tag()
            return completion_tag() if hit.conversation_id in self._completions else None
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def set_hits(
        self,
        query: str,
        hits: list[SearchHit],
        voice: frozenset[int] | set[int] = frozenset(),
        meaning: frozenset[int] | set[int] = frozenset(),
    ) -> None:
        """Show ``hits``; ``voice``: the ids of voice conversations among them (tagged);
        ``meaning``: the ids of messages found by meaning only (tagged too)."""
        self.beginResetModel()
        self.query = query
        self._hits = list(hits)
        self._voice = frozenset(voice)
        self._meaning = frozenset(meaning)
        self.endResetModel()

    def set_completions(self, ids: frozenset[int] | set[int]) -> None:
        """The ids of text completions among the hits (tagged "Completion")."""
        self._completions = frozenset(ids)
        if self._hits:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._hits) - 1, 0), [self.TagRole])

    def hit(self, row: int) -> SearchHit:
        return self._hits[row]

    def hits(self) -> list[SearchHit]:
        return list(self._hits)
