"""The voice conversation as the tab shows it: a list of turns, "You" and "Parla", as plain text.

Why not the Chat tab's rich message view: a spoken conversation is short sentences, and the Chat
tab shows the same conversation with Markdown, code and maths anyway (one history). So this is a
:class:`TranscriptModel` (``QAbstractListModel`` over :class:`Turn`) and a delegate that paints the
speaker and the word-wrapped text. A streaming answer changes one row's text many times a second:
:meth:`TranscriptModel.append_text` coalesces those changes into at most one ``dataChanged`` per
frame, so the row is re-laid out ~60 times a second at most, not once per token.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QAction,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from app.store import Message, MessageState, Role

__all__ = ["TranscriptDelegate", "TranscriptModel", "TranscriptView", "Turn"]

Index = QModelIndex | QPersistentModelIndex


@dataclass
class Turn:
    """One utterance: the user's transcript or Parla's answer. ``id`` is the stored message's id
    (None while the store is unavailable)."""

    role: Role
    text: str = ""
    id: int | None = None
    state: MessageState = MessageState.COMPLETE
    error: str | None = None
    reasoning: str = field(default="", repr=False)

    @classmethod
    def from_message(cls, message: Message) -> Turn:
        return cls(message.role, message.text, message.id, message.state, message.error, message.reasoning)

    @property
    def streaming(self) -> bool:
        return self.state is MessageState.STREAMING


class TranscriptModel(QAbstractListModel):
    """The turns of the open voice conversation, oldest first."""

    RoleRole = Qt.ItemDataRole.UserRole + 1
    StateRole = Qt.ItemDataRole.UserRole + 2
    ErrorRole = Qt.ItemDataRole.UserRole + 3
    IdRole = Qt.ItemDataRole.UserRole + 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._turns: list[Turn] = []
        self._dirty: set[int] = set()
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(16)
        self._flush_timer.timeout.connect(self._flush)

    # -- Qt model --------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._turns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._turns):
            return None
        turn = self._turns[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return turn.text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self.speaker(turn.role)}: {turn.text}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return turn.error or None
        if role == self.RoleRole:
            return turn.role.value
        if role == self.StateRole:
            return turn.state.value
        if role == self.ErrorRole:
            return turn.error
        if role == self.IdRole:
            return turn.id
        return None

    def roleNames(self) -> dict[int, bytes]:
        names = dict(super().roleNames())
        names.update({self.RoleRole: b"role", self.StateRole: b"state", self.ErrorRole: b"error", self.IdRole: b"id"})
        return names

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- editing ---------------------------------------------------------------------------------
    @property
    def turns(self) -> list[Turn]:
        return list(self._turns)

    def speaker(self, role: Role) -> str:
        return self.tr("You") if role is Role.USER else "Parla"  # the app's name stays as it is

    def set_turns(self, turns: list[Turn]) -> None:
        self.beginResetModel()
        self._turns = list(turns)
        self._dirty.clear()
        self.endResetModel()

    def clear(self) -> None:
        self.set_turns([])

    def append(self, turn: Turn) -> int:
        row = len(self._turns)
        self.beginInsertRows(QModelIndex(), row, row)
        self._turns.append(turn)
        self.endInsertRows()
        return row

    def remove(self, turn: Turn) -> None:
        row = self.row_of(turn)
        if row < 0:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._turns[row]
        self._dirty.discard(row)
        self.endRemoveRows()

    def row_of(self, turn: Turn) -> int:
        for row, candidate in enumerate(self._turns):
            if candidate is turn:
                return row
        return -1

    def append_text(self, turn: Turn, text: str) -> None:
        """A streamed piece: the row is repainted at the next frame, with whatever came meanwhile."""
        turn.text += text
        row = self.row_of(turn)
        if row >= 0:
            self._dirty.add(row)
            if not self._flush_timer.isActive():
                self._flush_timer.start()

    def changed(self, turn: Turn) -> None:
        """Something other than streamed text changed (state, error): repaint the row now."""
        row = self.row_of(turn)
        if row >= 0:
            self._dirty.discard(row)
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def _flush(self) -> None:
        rows, self._dirty = sorted(self._dirty), set()
        for row in rows:
            if row < len(self._turns):
                index = self.index(row)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole])


class TranscriptDelegate(QStyledItemDelegate):
    """Paints a turn: the speaker in bold, the text wrapped below it, an error in the error colour."""

    MARGIN = 8
    GAP = 2

    def __init__(self, view: QListView) -> None:
        super().__init__(view)
        self._view = view

    def _width(self, option: QStyleOptionViewItem) -> int:
        width = self._view.viewport().width() or option.rect.width()
        return max(80, width - 2 * self.MARGIN)

    @staticmethod
    def _bold(font: QFont) -> QFont:
        bold = QFont(font)
        bold.setBold(True)
        return bold

    def _pieces(self, option: QStyleOptionViewItem, index: QModelIndex) -> tuple[str, str, str]:
        model = index.model()
        role = Role(str(index.data(TranscriptModel.RoleRole)))
        speaker = model.speaker(role) if isinstance(model, TranscriptModel) else role.value
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        state = str(index.data(TranscriptModel.StateRole) or "")
        if state == MessageState.STREAMING.value:
            text = text + " …" if text else "…"
        elif state == MessageState.STOPPED.value:
            speaker = self.tr("{speaker} (interrupted)").format(speaker=speaker)
        error = str(index.data(TranscriptModel.ErrorRole) or "")
        return speaker, text, error

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        _speaker, text, error = self._pieces(option, index)
        width = self._width(option)
        flags = int(Qt.TextFlag.TextWordWrap)
        height = QFontMetrics(self._bold(option.font)).height() + self.GAP
        metrics = QFontMetrics(option.font)
        if text:
            height += metrics.boundingRect(QRect(0, 0, width, 100000), flags, text).height()
        if error:
            height += self.GAP + metrics.boundingRect(QRect(0, 0, width, 100000), flags, error).height()
        return QSize(width + 2 * self.MARGIN, height + 2 * self.MARGIN)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        speaker, text, error = self._pieces(option, index)
        painter.save()
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect, palette.color(QPalette.ColorRole.Highlight))
        elif index.data(TranscriptModel.RoleRole) == Role.USER.value:
            painter.fillRect(option.rect, palette.color(QPalette.ColorRole.AlternateBase))
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = option.rect.adjusted(self.MARGIN, self.MARGIN, -self.MARGIN, -self.MARGIN)
        bold = self._bold(option.font)
        painter.setFont(bold)
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.WindowText))
        head = QFontMetrics(bold).height()
        painter.drawText(QRect(rect.left(), rect.top(), rect.width(), head), int(Qt.AlignmentFlag.AlignLeft), speaker)
        painter.setFont(option.font)
        painter.setPen(palette.color(text_role))
        flags = int(Qt.TextFlag.TextWordWrap)
        top = rect.top() + head + self.GAP
        metrics = QFontMetrics(option.font)
        if text:
            bounds = metrics.boundingRect(QRect(rect.left(), top, rect.width(), 100000), flags, text)
            painter.drawText(QRect(rect.left(), top, rect.width(), bounds.height()), flags, text)
            top += bounds.height() + self.GAP
        if error:
            if not selected:
                painter.setPen(_error_colour(palette))
            bounds = metrics.boundingRect(QRect(rect.left(), top, rect.width(), 100000), flags, error)
            painter.drawText(QRect(rect.left(), top, rect.width(), bounds.height()), flags, error)
        painter.restore()


def _error_colour(palette: QPalette) -> object:
    """Red that reads on the window's background (darker on light themes, lighter on dark ones)."""
    from PySide6.QtGui import QColor

    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    return QColor("#ff8a80") if dark else QColor("#c62828")


class TranscriptView(QListView):
    """The list of turns; rows re-wrap when the width changes, and Ctrl+C copies the selection."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("voice_transcript")
        self.setItemDelegate(TranscriptDelegate(self))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setWordWrap(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self._copy_action = QAction(self.tr("Copy"), self)
        self._copy_action.setShortcut("Ctrl+C")
        self._copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self._copy_action.triggered.connect(self.copy_selection)
        self.addAction(self._copy_action)
        self._follow = True

    def setModel(self, model: object) -> None:
        old = self.model()
        if isinstance(old, TranscriptModel):
            old.rowsInserted.disconnect(self._on_rows_changed)
            old.dataChanged.disconnect(self._on_rows_changed)
        super().setModel(model)  # type: ignore[arg-type]
        if isinstance(model, TranscriptModel):
            model.rowsInserted.connect(self._on_rows_changed)
            model.dataChanged.connect(self._on_rows_changed)

    def selected_text(self) -> str:
        model = self.model()
        rows = sorted(index.row() for index in self.selectionModel().selectedIndexes())
        if not isinstance(model, TranscriptModel):
            return ""
        turns = model.turns
        return "\n\n".join(f"{model.speaker(turns[r].role)}: {turns[r].text}" for r in rows if r < len(turns))

    def copy_selection(self) -> None:
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def _on_rows_changed(self, *_args: object) -> None:
        # Follow the conversation while the user is at the bottom; leave them alone when they scrolled up.
        bar = self.verticalScrollBar()
        if self._follow or bar.value() >= bar.maximum() - 4:
            QTimer.singleShot(0, self.scrollToBottom)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self.scheduleDelayedItemsLayout()  # the wrapped heights depend on the width
