"""The message list: a scroll area that only builds what is visible.

Why not a ``QListView``: messages need real controls (links, selection, Retry, an inline editor),
and a delegate paints pixels only. Why not a ``QScrollArea`` of one widget per message: 2,000
messages would be 2,000 widgets and 2,000 laid-out documents before the first paint.

So :class:`MessageListView` keeps a height per row — an estimate from the text's length until
the row has been on screen, then its measured height — and prefix sums of them, and gives the
rows in the viewport (plus some margin) a recycled :class:`MessageWidget`. Documents come from a
small LRU cache keyed by the message id and its text; a reply that is streaming brings its own live
documents, which its renderer grows in place, so a token costs the renderer's tail update and one
re-measure of the last row, however long the conversation is.

When measured heights replace estimates above the viewport, the scroll position is corrected so
that what the user looks at does not move. The list follows the bottom while a reply streams,
until the user scrolls up; scrolling back to the bottom follows again.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QRect,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from app.store import Role
from app.ui.chat.conversation_model import MessageItem, MessageListModel
from app.ui.chat.markdown import is_safe_link
from app.ui.chat.math_render import math_jobs, typesetter
from app.ui.chat.image_view import INLINE_IMAGE_SIDE
from app.ui.chat.message_widget import USER_INDENT, MessageWidget, thumbnail_row_height
from app.ui.chat.render_document import (
    COPY_SCHEME,
    IMAGE_SCHEME,
    KEPT_SCHEME,
    MessageDocument,
    RenderTheme,
)

__all__ = ["DocumentCache", "MathWarmup", "MessageListView", "MessageUndoBar", "math_warmup", "warm_lexers"]

log = logging.getLogger(__name__)

#: Space between two messages, and around the list.
SPACING = 10
MARGIN = 14
#: Rows this far outside the viewport are built too, so a small scroll shows no blank.
OVERSCAN = 400
#: How close to the bottom (pixels) still counts as "at the bottom" (the list then follows).
FOLLOW_SLACK = 24

_MATH_HINT = re.compile(r"\$|\\\(|\\\[")


class MathWarmup(QObject):
    """Starts the formula process (it loads matplotlib) from the formula worker thread, ahead of
    need: when a reply starts thinking, or a conversation with formulas opens.

    Nothing waits for it: a formula not typeset yet shows as a placeholder (see
    ``render_document``); this only makes the first image arrive sooner. ``ready`` fires once
    the process is ready (or could not start: formulas then show as their source).
    """

    ready = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._started = False
        self._done = typesetter().pid is not None

    @property
    def is_ready(self) -> bool:
        return self._done

    def request(self) -> None:
        if self._done or self._started:
            return
        self._started = True
        math_jobs().run(self._load)

    def _load(self) -> None:
        from app.ui.chat.math_render import preload

        try:
            preload()
        except Exception:  # the renderer then shows formulas as source; the log says why
            log.exception("the formula renderer could not be loaded")
        self._done = True
        self.ready.emit()  # queued to the UI thread (this object lives there)


_lexers_warmed = False


def warm_lexers() -> None:
    """Compile the common code lexers in the formula worker (once), so the first code block of
    a reply does not cost a frame (~18 ms for Python) on the UI thread."""
    global _lexers_warmed
    if _lexers_warmed:
        return
    _lexers_warmed = True
    from app.ui.chat import highlight

    math_jobs().run(highlight.preload)


_warmup: MathWarmup | None = None


def math_warmup() -> MathWarmup:
    """The application's one warm-up (created on first use, in the UI thread)."""
    global _warmup
    if _warmup is None:
        _warmup = MathWarmup()
    return _warmup


def needs_math(text: str) -> bool:
    return _MATH_HINT.search(text) is not None


def _cache_key(item: MessageItem) -> tuple[int, str, int, int]:
    """What a render depends on. Not the revision alone: SQLite reuses the id of a deleted last
    message, and a message reloaded from the store starts at revision 0 whatever its text."""
    return (item.id, item.role.value, hash(item.text), hash(item.reasoning))


class DocumentCache:
    """Rendered documents of recently shown messages, least recently used dropped first."""

    def __init__(self, capacity: int = 48) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[tuple[int, str, int, int], tuple[MessageDocument | None, MessageDocument | None, bool]] = (
            OrderedDict()
        )
        self._theme: RenderTheme | None = None
        self.builds = 0
        #: hash → the kept picture at inline size, or None while it loads (``ChatImageCache.inline_image``)
        self.image_provider: Callable[[str], QImage | None] | None = None

    def set_theme(self, theme: RenderTheme) -> None:
        self._theme = theme
        self._entries.clear()

    @property
    def theme(self) -> RenderTheme:
        if self._theme is None:
            self._theme = RenderTheme.from_palette()
        return self._theme

    def clear(self) -> None:
        self._entries.clear()

    def adopt(self, item: MessageItem, content: MessageDocument, reasoning: MessageDocument | None) -> None:
        """Keep the documents a finished stream already built (they equal a one-shot render)."""
        self._store(_cache_key(item), (content, reasoning if item.reasoning else None, False))

    def documents(self, item: MessageItem) -> tuple[MessageDocument | None, MessageDocument | None]:
        if item.live is not None:
            return item.live.content, item.live.reasoning
        key = _cache_key(item)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            self._show_kept_images(item, entry[0])
            return entry[0], entry[1]
        rich = item.role is not Role.USER
        content = self._build(item.text, rich=rich) if (item.text or item.streaming) else None
        reasoning = self._build(item.reasoning, rich=True) if item.reasoning else None
        self._store(key, (content, reasoning, False))
        self._show_kept_images(item, content)
        return content, reasoning

    def _show_kept_images(self, item: MessageItem, content: MessageDocument | None) -> None:
        """A reply's markdown images shown as the copies Parla kept (once they are read)."""
        if content is None or not item.images or item.role is Role.USER or self.image_provider is None:
            return
        content.show_kept_images(item.images, self.image_provider, INLINE_IMAGE_SIDE)

    def _build(self, text: str, *, rich: bool) -> MessageDocument:
        self.builds += 1
        document = MessageDocument(self.theme)
        if rich:
            document.set_markdown(text)
        else:
            document.setPlainText(text)  # the user's own words, as typed
        return document

    def _store(self, key: tuple[int, str, int, int], entry: tuple[MessageDocument | None, MessageDocument | None, bool]) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class MessageUndoBar(QFrame):
    """"Message deleted. [Undo] [✕]" under the list for a while after a delete, like the sidebar's
    bar for a conversation. It only shows and tells: ``undo_requested`` (Undo, or Ctrl+Z in the
    list) and ``expired`` (the time is over, or ✕) carry the deletion's token (its trash id)."""

    undo_requested = Signal(int)
    expired = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_undo_bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(self.tr("Deleted message"))
        self._token: int | None = None
        self.label = QLabel(self)
        self.label.setObjectName("message_undo_label")
        self.label.setWordWrap(True)
        self.undo_action = QAction(self.tr("Undo the delete"), self)
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.undo_action.setEnabled(False)
        self.undo_action.triggered.connect(self._on_undo)
        key = self.undo_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        self.undo_button = QPushButton(self.tr("Undo"), self)
        self.undo_button.setObjectName("message_undo_button")
        self.undo_button.setAccessibleName(self.tr("Undo the delete"))
        self.undo_button.setToolTip(self.tr("Bring the deleted message back where it was ({key} in the messages)").format(key=key))
        self.undo_button.clicked.connect(self._on_undo)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("message_undo_dismiss")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName(self.tr("Dismiss"))
        self.close_button.setToolTip(self.tr("Dismiss: the message is deleted for good now"))
        self.close_button.clicked.connect(self._on_expired)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.close_button)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._on_expired)
        self.hide()

    @property
    def token(self) -> int | None:
        """The deletion the bar offers to undo (None while hidden)."""
        return self._token

    def show_undo(self, text: str, token: int, seconds: float) -> None:
        """Offer Undo of this deletion (replacing any earlier offer) for ``seconds``."""
        self._token = token
        self.label.setText(text)
        self.timer.start(int(seconds * 1000))
        self.undo_action.setEnabled(True)
        self.show()

    @Slot()
    def hide_undo(self) -> None:
        """Take the offer away without a word (the deletion ended some other way)."""
        self._token = None
        self.timer.stop()
        self.undo_action.setEnabled(False)
        self.hide()

    @Slot()
    def _on_undo(self) -> None:
        token = self._token
        self.hide_undo()
        if token is not None:
            self.undo_requested.emit(token)

    @Slot()
    def _on_expired(self) -> None:
        token = self._token
        self.hide_undo()
        if token is not None:
            self.expired.emit(token)


class MessageListView(QAbstractScrollArea):
    """Shows a :class:`MessageListModel`; builds widgets and documents for visible rows only."""

    #: (action, message id) from a message's buttons — see ``MessageAction``
    action_requested = Signal(str, int)
    edit_submitted = Signal(int, str)
    edit_cancelled = Signal(int)
    #: A short note for the status bar ("Code copied").
    status_message = Signal(str)
    #: A picture in a message was clicked: its hash
    image_activated = Signal(str)
    #: Load picture on a picture sent by its address: (message id, address)
    web_image_load_requested = Signal(int, str)

    def __init__(self, model: MessageListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_list")
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setBackgroundRole(QPalette.ColorRole.Base)
        self.viewport().setAutoFillBackground(True)
        self._model = model
        self._cache = DocumentCache()
        self._heights: list[int] = []
        self._exact: list[bool] = []
        self._tops: list[int] = [MARGIN]
        self._widgets: dict[int, MessageWidget] = {}  # message id → bound widget
        self._pool: list[MessageWidget] = []
        self._image_cache: object | None = None
        self._follow = True
        self._adjusting = False
        self._editing_id: int | None = None
        self._busy = False
        self._model_label = ""
        self._last_reply_seen: int | None = None
        self._font_metrics: tuple[int, int, int] | None = None
        self._card_height: int | None = None
        self._layout_timer = QTimer(self)
        self._layout_timer.setSingleShot(True)
        self._layout_timer.timeout.connect(self.ensure_layout)
        self._empty_label = QLabel(self.viewport())
        self._empty_label.setObjectName("empty_label")
        self._empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty_label.setWordWrap(True)
        self._empty_label.hide()
        self.layout_passes = 0
        #: Undo after deleting a message; the page puts it under the list (``addWidget``).
        self.undo_bar = MessageUndoBar(self)
        self.addAction(self.undo_bar.undo_action)  # Ctrl+Z while the focus is in the list

        self.verticalScrollBar().setSingleStep(48)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        model.modelReset.connect(self._on_reset)
        model.rowsInserted.connect(self._on_rows_inserted)
        model.rowsRemoved.connect(self._on_rows_removed)
        model.dataChanged.connect(self._on_data_changed)
        model.row_resized.connect(self._on_row_resized)
        math_jobs().settled.connect(self._on_math_ready)
        self._cache.set_theme(self._make_theme())
        self._on_reset()

    # -- public -----------------------------------------------------------------------------

    @property
    def model(self) -> MessageListModel:
        return self._model

    @property
    def cache(self) -> DocumentCache:
        return self._cache

    @property
    def following(self) -> bool:
        """Whether the list sticks to the bottom as messages grow."""
        return self._follow

    def set_empty_text(self, text: str) -> None:
        self._empty_label.setText(text)
        self._update_empty()

    def set_busy(self, busy: bool) -> None:
        """A reply is streaming in this conversation: actions that would race it are disabled."""
        if busy != self._busy:
            self._busy = busy
            self._rebind_all()

    def set_model_label(self, label: str) -> None:
        """The name shown over replies that do not record their model."""
        if label != self._model_label:
            self._model_label = label
            self._rebind_all()

    def set_image_cache(self, cache: object) -> None:
        """Where message widgets get their pictures' thumbnails (``ChatImageCache``)."""
        if self._image_cache is not None:
            self._image_cache.loaded.disconnect(self._on_image_loaded)  # type: ignore[attr-defined]
            self._cache.image_provider = None
        self._image_cache = cache
        if cache is not None:
            cache.loaded.connect(self._on_image_loaded)  # type: ignore[attr-defined]
            self._cache.image_provider = cache.inline_image  # type: ignore[attr-defined]
        for widget in [*self._widgets.values(), *self._pool]:
            widget.set_image_cache(cache)  # type: ignore[arg-type]

    @Slot(str)
    def _on_image_loaded(self, digest: str) -> None:
        """A kept picture is ready: rows that show it in their text are rebuilt and measured again,
        and so are rows whose thumbnails waited for its size (the store did not know it)."""
        touched = False
        sizes = self._model.image_sizes
        as_thumbnail = any(
            item.role is Role.USER and any(part.get("hash") == digest for part in item.images)
            for item in self._model.items
        ) or any(digest in widget.images.hashes() for widget in self._widgets.values())
        if as_thumbnail and digest not in sizes and self._image_cache is not None:
            pixmap = self._image_cache.thumbnail(digest)  # type: ignore[attr-defined]
            if pixmap is not None and not pixmap.isNull():
                sizes[digest] = (pixmap.width(), pixmap.height())
                for row, item in enumerate(self._model.items):
                    if any(part.get("hash") == digest for part in item.images):
                        touched = True
                        self._exact[row] = False
                        widget = self._widgets.get(item.id)
                        if widget is not None:
                            self._bind(widget, item, row)
        for row, item in enumerate(self._model.items):
            if item.role is Role.USER or not any(part.get("hash") == digest for part in item.images):
                continue
            touched = True
            self._exact[row] = False
            widget = self._widgets.get(item.id)
            if widget is not None:
                self._bind(widget, item, row)
                # The same document grew (a placeholder became a picture): measure the view again.
                widget.content_view.updateGeometry()
                widget.content_view.update()
        if touched:
            self._schedule_layout()

    def widget_for(self, message_id: int) -> MessageWidget | None:
        """The widget showing this message, if it is on (or near) the screen."""
        return self._widgets.get(message_id)

    def visible_widgets(self) -> list[MessageWidget]:
        return [self._widgets[i] for i in sorted(self._widgets, key=lambda mid: self._model.row_of(mid))]

    def row_geometry(self, row: int) -> QRect:
        """Where row ``row`` is, in viewport coordinates (estimated when not measured yet)."""
        y = self._tops[row] - self.verticalScrollBar().value()
        return QRect(MARGIN, y, self._row_width(), self._heights[row])

    def is_exact(self, row: int) -> bool:
        return self._exact[row]

    def scroll_to_bottom(self) -> None:
        self._follow = True
        self._schedule_layout()
        self.ensure_layout()

    def scroll_to_row(self, row: int, *, flash: bool = False) -> None:
        """Bring row ``row`` to the top of the viewport (a search hit), optionally flashing it."""
        if not 0 <= row < len(self._heights):
            return
        self._follow = False
        self._set_scroll(self._tops[row] - SPACING)
        self.ensure_layout()
        # Measuring the rows around it may have moved it: place it again.
        self._set_scroll(self._tops[row] - SPACING)
        self.ensure_layout()
        if flash:
            widget = self._widgets.get(self._model.item(row).id)
            if widget is not None:
                widget.flash()

    def begin_edit(self, message_id: int) -> MessageWidget | None:
        """Open the inline editor of a user message (scrolled into view); its widget stays bound."""
        row = self._model.row_of(message_id)
        if row < 0:
            return None
        self._editing_id = message_id
        self._ensure_row_visible(row)
        widget = self._widgets.get(message_id)
        if widget is None:
            return None
        widget.start_editing()
        self._exact[row] = False
        self._schedule_layout()
        return widget

    def end_edit(self) -> None:
        message_id, self._editing_id = self._editing_id, None
        if message_id is None:
            return
        widget = self._widgets.get(message_id)
        if widget is not None:
            widget.finish_editing()
        row = self._model.row_of(message_id)
        if row >= 0:
            self._exact[row] = False
        self._schedule_layout()

    @property
    def editing_id(self) -> int | None:
        return self._editing_id

    # -- model events -----------------------------------------------------------------------

    @Slot()
    def _on_reset(self) -> None:
        for message_id in list(self._widgets):
            self._release(message_id)
        if self._editing_id is not None:
            self._editing_id = None
        width = self._row_width()
        self._heights = [self._estimate(item, width) for item in self._model.items]
        self._exact = [False] * len(self._heights)
        self._tops = [MARGIN] * (len(self._heights) + 1)
        self._recompute_tops(0)
        self._follow = True
        self._last_reply_seen = self._last_reply_id()
        if any(needs_math(item.text) for item in self._model.items[-40:]):
            math_warmup().request()  # the formula process starts in the worker, ahead of the first image
        self._update_empty()
        self._schedule_layout()

    @Slot(QModelIndex, int, int)
    def _on_rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        width = self._row_width()
        value = self.verticalScrollBar().value()
        old_count = len(self._heights)
        above = first <= (bisect.bisect_right(self._tops, value) - 1) if old_count else False
        new = [self._estimate(self._model.item(row), width) for row in range(first, last + 1)]
        self._heights[first:first] = new
        self._exact[first:first] = [False] * len(new)
        self._tops[first + 1 : first + 1] = [0] * len(new)
        self._recompute_tops(first)
        if above and not self._follow:
            # Rows arrived above what the user reads (older messages): keep it in place.
            self._set_scroll(value + self._tops[last + 1] - self._tops[first])
        self._rebind_last_reply()
        self._update_empty()
        self._schedule_layout()

    @Slot(QModelIndex, int, int)
    def _on_rows_removed(self, _parent: QModelIndex, first: int, last: int) -> None:
        del self._heights[first : last + 1]
        del self._exact[first : last + 1]
        del self._tops[first + 1 : last + 2]
        self._recompute_tops(first)
        alive = {item.id for item in self._model.items}
        for message_id in [mid for mid in self._widgets if mid not in alive]:
            self._release(message_id)
        if self._editing_id is not None and self._editing_id not in alive:
            self._editing_id = None
        self._rebind_last_reply()
        self._update_empty()
        self._schedule_layout()

    @Slot(QModelIndex, QModelIndex)
    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, _roles: Any = None) -> None:
        for row in range(top_left.row(), bottom_right.row() + 1):
            if not 0 <= row < len(self._exact):
                continue
            self._exact[row] = False
            item = self._model.item(row)
            widget = self._widgets.get(item.id)
            if widget is not None:
                self._bind(widget, item, row)
        # A reply that finished may change which message offers Regenerate.
        self._rebind_last_reply()
        self._schedule_layout()

    @Slot(int)
    def _on_row_resized(self, row: int) -> None:
        if 0 <= row < len(self._exact):
            self._exact[row] = False
            item = self._model.item(row)
            widget = self._widgets.get(item.id)
            if widget is not None:
                widget.content_view.updateGeometry()
                widget.content_view.update()
                widget.reasoning_view.update()
            # Streaming: one re-measure per renderer update, at once (the renderer coalesces).
            self.ensure_layout()

    @Slot()
    def _on_math_ready(self) -> None:
        """Formula images replaced placeholders: re-measure what is on screen."""
        for message_id, widget in self._widgets.items():
            row = self._model.row_of(message_id)
            if row >= 0:
                self._exact[row] = False
                widget.content_view.updateGeometry()
                widget.content_view.update()
                widget.reasoning_view.updateGeometry()
                widget.reasoning_view.update()
        self._schedule_layout()

    # -- layout -----------------------------------------------------------------------------

    def _schedule_layout(self) -> None:
        if not self._layout_timer.isActive():
            self._layout_timer.start(0)

    def _row_width(self) -> int:
        return max(120, self.viewport().width() - 2 * MARGIN)

    def _item_width(self, item: MessageItem, width: int) -> int:
        return width - round(width * USER_INDENT) if item.role is Role.USER else width

    def _estimate(self, item: MessageItem, width: int) -> int:
        """A cheap guess of a row's height: line count at this width × line height, plus chrome,
        the row of thumbnails (as tall as the widget will make it) and the tool-call cards."""
        char_width, line, chrome, text_chrome = self._metrics()
        item_width = self._item_width(item, width)
        per_line = max(10, int((item_width - 24) / char_width))
        text = item.text
        lines = text.count("\n") + 1 + len(text) // per_line if text else 0
        if item.role is not Role.USER:
            lines += text.count("\n\n") // 2  # paragraphs of a rendered reply are spaced apart
        if item.reasoning and item.thinking_visible():
            lines += item.reasoning.count("\n") + 1 + len(item.reasoning) // per_line
        height = lines * line + chrome + (text_chrome if text else 0)
        if item.images:
            # Pictures shown in a reply's text are counted as text lines; the thumbnails below it:
            thumbnails = [str(part.get("hash")) for part in item.images]
            height += thumbnail_row_height(thumbnails, self._model.image_sizes) + 8
        if item.tool_calls:
            height += self._tool_cards_estimate(item, item_width, char_width, line)
        return height

    def _tool_cards_estimate(self, item: MessageItem, width: int, char_width: int, line: int) -> int:
        """The cards of a reply's tool calls: a header line each (measured once on a real card),
        and the arguments and result of the ones the user opened."""
        if self._card_height is None:
            from app.ui.chat.tool_cards import ToolCallCard, call_record

            card = ToolCallCard()
            card.setFont(self.font())
            card.set_record(call_record("estimate", "calculator", "{}", round_no=1), False)
            self._card_height = card.sizeHint().height()
            card.deleteLater()
        calls = item.tool_calls
        height = 4 + len(calls) * self._card_height + 3 * (len(calls) - 1) + 4
        per_line = max(10, int((width - 60) / char_width))
        for record in calls:
            if str(record.get("id", "")) not in item.tool_open:
                continue
            function = record.get("function") if isinstance(record.get("function"), dict) else {}
            shown = [str((function or {}).get("arguments") or ""), str(record.get("result") or "")]
            lines = 2 + sum(text.count("\n") + 1 + len(text) // per_line for text in shown)
            height += lines * line + 12
        return height

    def _metrics(self) -> tuple[int, int, int, int]:
        """(average character width, line height, chrome height, what a text adds besides its
        lines) for estimates: measured once per font on a real message widget, so an estimate
        misses only by how the text wraps."""
        if self._font_metrics is None:
            self._card_height = None
            metrics = QFontMetrics(self.font())
            spacing = metrics.lineSpacing()
            fallback = (max(1, metrics.averageCharWidth()), spacing, 3 * spacing + 24, 4)
            try:
                line, chrome, text_chrome = self._measure_chrome()
            except Exception:  # noqa: BLE001 — estimates only: the first measure corrects them
                log.exception("message heights could not be calibrated")
                self._font_metrics = fallback
            else:
                self._font_metrics = (fallback[0], line if line > 0 else spacing, chrome, max(0, text_chrome))
        return self._font_metrics

    def _measure_chrome(self) -> tuple[int, int, int]:
        """(line height, height of a message without text, what a one-line text adds beyond its line)."""
        probe = self._acquire()  # a widget the list uses next anyway: no extra one is made
        try:
            heights = []
            for text in ("", "x", "x\ny"):
                document = None
                if text:
                    document = MessageDocument(self._cache.theme)
                    document.setPlainText(text)
                item = MessageItem(id=-1, role=Role.ASSISTANT, text=text)
                probe.bind(item, document, None, last_reply=False, busy=False, model_label="Assistant")
                heights.append(probe.heightForWidth(600))
                probe.unbind()
            empty, one, two = heights
            line = two - one
            return line, empty, one - empty - line
        finally:
            probe.hide()
            self._pool.append(probe)

    def _recompute_tops(self, first: int) -> None:
        tops, heights = self._tops, self._heights
        for row in range(max(0, first), len(heights)):
            tops[row + 1] = tops[row] + heights[row] + SPACING

    def _content_height(self) -> int:
        return self._tops[-1] - SPACING + MARGIN if self._heights else 0

    def _set_scroll(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._adjusting = True
        try:
            bar.setRange(0, max(0, self._content_height() - self.viewport().height()))
            bar.setValue(max(0, min(value, bar.maximum())))
        finally:
            self._adjusting = False

    def _visible_range(self) -> range:
        top = self.verticalScrollBar().value() - OVERSCAN
        bottom = self.verticalScrollBar().value() + self.viewport().height() + OVERSCAN
        first = max(0, bisect.bisect_right(self._tops, top) - 1)
        last = min(len(self._heights), bisect.bisect_left(self._tops, bottom))
        return range(first, max(first, last))

    @Slot()
    def ensure_layout(self) -> None:
        """Measure and place the widgets of the visible rows now (normally done on the next turn)."""
        self._layout_timer.stop()
        self.layout_passes += 1
        model = self._model
        count = len(self._heights)
        bar = self.verticalScrollBar()
        width = self._row_width()
        viewport_height = self.viewport().height()
        # What the user looks at: keep it in place while heights above it change.
        anchor_row = max(0, min(count - 1, bisect.bisect_right(self._tops, bar.value()) - 1)) if count else 0
        anchor_offset = bar.value() - self._tops[anchor_row] if count else 0
        rows = range(0)
        for _attempt in range(6):
            if self._follow:
                self._set_scroll(self._content_height() - viewport_height)
            else:
                self._set_scroll(self._tops[anchor_row] + anchor_offset if count else 0)
            rows = self._visible_range()
            changed_from = -1
            for row in rows:
                item = model.item(row)
                widget = self._widgets.get(item.id)
                if widget is None:
                    widget = self._acquire()
                    self._widgets[item.id] = widget
                    self._bind(widget, item, row)
                    self._exact[row] = False
                if self._exact[row]:
                    continue
                height = max(24, widget.heightForWidth(self._item_width(item, width)))
                self._exact[row] = True
                if height != self._heights[row]:
                    self._heights[row] = height
                    changed_from = row if changed_from < 0 else min(changed_from, row)
            if changed_from < 0:
                break
            self._recompute_tops(changed_from)
        # Release what scrolled away (the message being edited stays bound).
        wanted = {model.item(row).id for row in rows}
        if self._editing_id is not None:
            wanted.add(self._editing_id)
        for message_id in [mid for mid in self._widgets if mid not in wanted]:
            self._release(message_id)
        if self._follow:
            self._set_scroll(self._content_height() - viewport_height)
        bar.setPageStep(max(1, viewport_height - 40))
        self._place_widgets()

    def _place_widgets(self) -> None:
        value = self.verticalScrollBar().value()
        width = self._row_width()
        for message_id, widget in self._widgets.items():
            row = self._model.row_of(message_id)
            if row < 0:
                continue
            item = self._model.item(row)
            item_width = self._item_width(item, width)
            x = MARGIN + (width - item_width)
            geometry = QRect(x, self._tops[row] - value, item_width, self._heights[row])
            if widget.geometry() != geometry:
                widget.setGeometry(geometry)
            if not widget.isVisible():
                widget.show()

    def _ensure_row_visible(self, row: int) -> None:
        bar = self.verticalScrollBar()
        top, bottom = self._tops[row], self._tops[row] + self._heights[row]
        if top < bar.value() or bottom > bar.value() + self.viewport().height():
            self._follow = False
            self._set_scroll(top - SPACING)
        self.ensure_layout()

    # -- widgets ----------------------------------------------------------------------------

    def _acquire(self) -> MessageWidget:
        if self._pool:
            return self._pool.pop()
        widget = MessageWidget(self.viewport())
        widget.action_requested.connect(self.action_requested)
        widget.edit_submitted.connect(self.edit_submitted)
        widget.edit_cancelled.connect(self._on_edit_cancelled)
        widget.thinking_toggled.connect(self._on_thinking_toggled)
        widget.anchor_clicked.connect(self._on_anchor_clicked)
        widget.image_clicked.connect(self.image_activated)
        widget.web_image_load_requested.connect(self.web_image_load_requested)
        widget.set_image_cache(self._image_cache)
        return widget

    def _release(self, message_id: int) -> None:
        widget = self._widgets.pop(message_id, None)
        if widget is None:
            return
        widget.hide()
        widget.unbind()
        self._pool.append(widget)

    def _last_reply_id(self) -> int | None:
        items = self._model.items
        if items and items[-1].role is Role.ASSISTANT:
            return items[-1].id
        return None

    def _bind(self, widget: MessageWidget, item: MessageItem, row: int) -> None:
        content, reasoning = self._cache.documents(item)
        widget.bind(
            item,
            content,
            reasoning,
            last_reply=item.id == self._last_reply_id(),
            busy=self._busy,
            model_label=self._model_label,
            image_sizes=self._model.image_sizes,
        )

    def _rebind_last_reply(self) -> None:
        """Regenerate is offered on the last reply only: rebind the two widgets when it moves."""
        last = self._last_reply_id()
        if last == self._last_reply_seen:
            return
        for message_id in (self._last_reply_seen, last):
            widget = self._widgets.get(message_id) if message_id is not None else None
            row = self._model.row_of(message_id) if message_id is not None else -1
            if widget is not None and row >= 0:
                self._bind(widget, self._model.item(row), row)
                self._exact[row] = False
        self._last_reply_seen = last

    def _rebind_all(self) -> None:
        for message_id, widget in list(self._widgets.items()):
            row = self._model.row_of(message_id)
            if row >= 0:
                self._bind(widget, self._model.item(row), row)
                self._exact[row] = False
        self._schedule_layout()

    @Slot(int)
    def _on_edit_cancelled(self, message_id: int) -> None:
        self.edit_cancelled.emit(message_id)
        self.end_edit()

    @Slot(int, bool)
    def _on_thinking_toggled(self, message_id: int, _open: bool) -> None:
        row = self._model.row_of(message_id)
        if row >= 0:
            self._exact[row] = False
            self.ensure_layout()

    @Slot(object, str)
    def _on_anchor_clicked(self, document: object, href: str) -> None:
        self.open_anchor(document, href)

    def open_anchor(self, document: object, href: str) -> None:
        """What a click on a link does: copy a code block, or open a web link in the browser."""
        scheme, _, rest = href.partition(":")
        if scheme == COPY_SCHEME and isinstance(document, MessageDocument):
            try:
                code = document.code_block(int(rest))
            except (ValueError, IndexError):
                return
            QGuiApplication.clipboard().setText(code)
            self.status_message.emit(self.tr("Code copied to the clipboard."))
            return
        if scheme == KEPT_SCHEME:
            self.image_activated.emit(rest)  # a kept picture in the text: the viewer
            return
        if scheme == IMAGE_SCHEME and isinstance(document, MessageDocument):
            try:
                href = document.image_url(int(rest))
            except (ValueError, IndexError):
                return
        if is_safe_link(href):
            QDesktopServices.openUrl(QUrl(href))

    # -- the keyboard -----------------------------------------------------------------------

    def message_controls(self) -> list[QWidget]:
        """What Tab visits in the messages on screen (Thinking, tool cards, pictures, Retry, Copy,
        Edit, Regenerate, Delete, the editor), top to bottom and left to right.

        These controls stay out of the window's Tab chain (recycled widgets would put them there
        in the order they were made, not shown): the list hands the focus on itself."""
        viewport = self.viewport()
        area = viewport.rect()
        found: list[tuple[int, int, QWidget]] = []
        for widget in self._widgets.values():
            if not widget.isVisible():
                continue
            for child in widget.findChildren(QWidget):
                if not isinstance(child, (QAbstractButton, QPlainTextEdit)) and child.objectName() != "message_image":
                    continue
                if not child.isVisible() or not child.isEnabled():
                    continue
                corner = child.mapTo(viewport, child.rect().topLeft())
                if QRect(corner, child.size()).intersects(area):
                    found.append((corner.y(), corner.x(), child))
        found.sort(key=lambda entry: (entry[0], entry[1]))
        return [child for _y, _x, child in found]

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002
        """Tab from the list goes through the controls of the messages on screen, then on to the
        composer; Shift+Tab from the first of them comes back to the list."""
        focus = QApplication.focusWidget()
        if focus is None or not (focus is self or self.viewport().isAncestorOf(focus)):
            return super().focusNextPrevChild(next)
        controls = self.message_controls()
        if focus is self:
            if next and controls:
                self._focus_control(controls[0], Qt.FocusReason.TabFocusReason)
                return True
            return super().focusNextPrevChild(next)
        index = controls.index(focus) if focus in controls else -1
        step = index + (1 if next else -1)
        if index >= 0 and 0 <= step < len(controls):
            self._focus_control(controls[step], Qt.FocusReason.TabFocusReason if next else Qt.FocusReason.BacktabFocusReason)
            return True
        if not next:
            self.setFocus(Qt.FocusReason.BacktabFocusReason)
            return True
        target = self.nextInFocusChain()  # past the last: whatever follows the list
        while target is not self and (
            self.isAncestorOf(target) or not target.isVisible() or not target.isEnabled()
            or not target.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            target = target.nextInFocusChain()
        target.setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def _focus_control(self, control: QWidget, reason: Qt.FocusReason) -> None:
        """Focus a message's control, scrolling it fully into view if it is cut by an edge."""
        top = control.mapTo(self.viewport(), control.rect().topLeft()).y()
        bottom = top + control.height()
        height = self.viewport().height()
        if top < 0 or bottom > height:
            self._follow = False
            bar = self.verticalScrollBar()
            self._set_scroll(bar.value() + (top - SPACING if top < 0 else bottom - height + SPACING))
            self.ensure_layout()
        control.setFocus(reason)

    # -- Qt events --------------------------------------------------------------------------

    @Slot(int)
    def _on_scrolled(self, value: int) -> None:
        if self._adjusting:
            return
        bar = self.verticalScrollBar()
        self._follow = value >= bar.maximum() - FOLLOW_SLACK
        self.ensure_layout()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self._exact = [False] * len(self._heights)
            width = self._row_width()
            for row, item in enumerate(self._model.items):
                if not self._exact[row]:
                    self._heights[row] = self._estimate(item, width)
            self._recompute_tops(0)
        self._empty_label.setGeometry(self.viewport().rect().adjusted(40, 40, -40, -40))
        self.ensure_layout()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._font_metrics = None
            self._cache.set_theme(self._make_theme())
            self._rebind_all()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        self.ensure_layout()

    def _make_theme(self) -> RenderTheme:
        screen = self.screen() if self.isVisible() else QGuiApplication.primaryScreen()
        dpr = screen.devicePixelRatio() if screen is not None else 1.0
        return RenderTheme.from_palette(self.palette(), self.font(), dpr=dpr)

    def _update_empty(self) -> None:
        empty = not self._heights and bool(self._empty_label.text())
        self._empty_label.setVisible(empty)
        if empty:
            self._empty_label.setGeometry(self.viewport().rect().adjusted(40, 40, -40, -40))
