"""The conversations sidebar: New, search, the grouped list, and Undo after a delete.

It shows and asks; the page does. Every change (open, rename, pin, delete, undo, search) leaves
as a signal, and the page stores it and gives the sidebar fresh rows.

Search is debounced (the store answers in milliseconds, but not every keystroke needs an answer)
and shows each hit's title and snippet, the matches highlighted from the store's markers after
escaping, so message text is never interpreted as markup.

Under the search box, the "By meaning" switch and the indexing line (progress, Pause/Resume, and
what went wrong) belong to search by meaning (``app.ui.chat.semantic_search``): the switch only
asks (``meaning_toggle_requested``) and shows what it is told (``set_meaning``), because turning
it on first needs the user's consent to the cost. Hits found by meaning alone carry a small tag.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QAction,
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.store import ConversationKind
from app.ui.chat.sidebar_model import (
    ConversationListModel,
    SearchResultsModel,
    highlighted_html,
    voice_tag,
)

__all__ = ["ConversationSidebar", "SEARCH_DELAY_MS", "UNDO_SECONDS", "meaning_tag"]

SEARCH_DELAY_MS = 200
UNDO_SECONDS = 15

ModelIndex = QModelIndex | QPersistentModelIndex


def meaning_tag() -> str:
    """The small tag beside a hit that only search by meaning found."""
    return QCoreApplication.translate("ConversationSidebar", "by meaning", "tag of a search hit found by meaning only")


def _tag_width(option: QStyleOptionViewItem, tag: str | None = None) -> int:
    """The width of the "Voice" tag (or ``tag``) in ``option``'s font (with its padding and gap)."""
    font = QFont(option.font)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * 0.85)
    return QFontMetrics(font).horizontalAdvance(voice_tag() if tag is None else tag) + 10 + 6


def _draw_tag(
    painter: QPainter, option: QStyleOptionViewItem, right: int, top: int, height: int, tag: str | None = None
) -> None:
    """The small rounded "Voice" tag (or ``tag``), right-aligned at ``right``, vertically centred in the line."""
    tag = voice_tag() if tag is None else tag
    painter.save()
    font = QFont(option.font)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * 0.85)
    painter.setFont(font)
    metrics = painter.fontMetrics()
    width = metrics.horizontalAdvance(tag) + 10
    tag_height = metrics.height() + 2
    rect = QRect(right - width, top + (height - tag_height) // 2, width, tag_height)
    selected = bool(option.state & QStyle.StateFlag.State_Selected)
    text = QColor(option.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
    fill = QColor(text)
    fill.setAlphaF(0.12)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(rect, 4, 4)
    text.setAlphaF(0.75)
    painter.setPen(text)
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), tag)
    painter.restore()


class _ConversationDelegate(QStyledItemDelegate):
    """Group headers as small muted captions; conversations as one elided line."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        if index.data(ConversationListModel.HeaderRole):
            painter.save()
            font = QFont(option.font)
            font.setBold(True)
            if font.pointSizeF() > 0:
                font.setPointSizeF(font.pointSizeF() * 0.85)
            painter.setFont(font)
            color = QColor(option.palette.color(QPalette.ColorRole.Text))
            color.setAlphaF(0.6)
            painter.setPen(color)
            rect = option.rect.adjusted(8, 6, -8, 0)
            text = painter.fontMetrics().elidedText(str(index.data() or ""), Qt.TextElideMode.ElideRight, rect.width())
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
            painter.restore()
            return
        tag_text = index.data(ConversationListModel.TagRole)  # "Voice", "Completion" or None
        if not tag_text:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        tag = _tag_width(opt, tag_text)
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        opt.text = opt.fontMetrics.elidedText(opt.text, Qt.TextElideMode.ElideRight, max(0, text_rect.width() - tag - 4))
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        _draw_tag(painter, opt, text_rect.right() - 2, option.rect.top(), option.rect.height(), tag_text)

    def initStyleOption(self, option: QStyleOptionViewItem, index: ModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideRight

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:  # noqa: N802
        return QSize(100, option.fontMetrics.height() + 12)


#: Lines of snippet a search hit shows at most (fewer when the snippet is shorter).
SNIPPET_LINES = 3
#: Padding above and below a hit's text, and between the title and the snippet.
_HIT_PADDING = 6
_TITLE_GAP = 2


def _snippet_height(document: QTextDocument, max_lines: int) -> int:
    """The height of the snippet's first ``max_lines`` lines (whole lines only), 0 if it is empty."""
    if document.isEmpty():
        return 0
    layout = document.documentLayout()
    bottom = 0.0
    seen = 0
    block = document.begin()
    while block.isValid() and seen < max_lines:
        top = layout.blockBoundingRect(block).top()
        lines = block.layout()
        for i in range(lines.lineCount()):
            if seen >= max_lines:
                break
            bottom = top + lines.lineAt(i).y() + lines.lineAt(i).height()
            seen += 1
        block = block.next()
    return int(bottom + 0.999)


class _SearchDelegate(QStyledItemDelegate):
    """A hit: the conversation's title in bold, then the snippet with the matches highlighted.

    Every hit is as tall as what it shows (the title, then up to :data:`SNIPPET_LINES` of snippet)
    with the same padding, so the list reads evenly. The title gets the whole width: the tags
    ("by meaning", "Voice") stand beside it only when both fit, else they open the snippet's first
    line (a line of their own when the list is too narrow for them and some words); the title is
    elided only when the row itself is narrower than it (the tooltip has the whole title).
    """

    def _width(self, option: QStyleOptionViewItem) -> int:
        """The text width of a hit: the view's (``option.rect`` may still hold an older layout's)."""
        view = self.parent()
        width = view.viewport().width() if isinstance(view, QAbstractItemView) else option.rect.width()
        return max(40, width - 16)

    def _tags(self, option: QStyleOptionViewItem, index: ModelIndex) -> list[tuple[str, int]]:
        """(text, width) of each tag, left to right."""
        tags: list[tuple[str, int]] = []
        if index.data(SearchResultsModel.MeaningRole):
            tags.append((meaning_tag(), _tag_width(option, meaning_tag())))
        kind = index.data(SearchResultsModel.TagRole)  # "Voice", "Completion" or None
        if kind:
            tags.append((str(kind), _tag_width(option, str(kind))))
        return tags

    def _title_font(self, option: QStyleOptionViewItem) -> QFont:
        font = QFont(option.font)
        font.setBold(True)
        return font

    def _layout(
        self, option: QStyleOptionViewItem, index: ModelIndex, width: int
    ) -> tuple[str, bool, list[tuple[str, int]], QTextDocument, int]:
        """(the title as drawn, tags beside the title?, the tags, the snippet document, its height shown)."""
        metrics = QFontMetrics(self._title_font(option))
        title = str(index.data(SearchResultsModel.TitleRole) or "")
        tags = self._tags(option, index)
        tags_width = sum(w for _text, w in tags)
        has_snippet = index.data(SearchResultsModel.MessageIdRole) is not None
        beside = not tags or not has_snippet or metrics.horizontalAdvance(title) + 6 + tags_width <= width
        # A really narrow list: no room for words after the tags, which get the line to themselves.
        own_line = not beside and width - tags_width < 12 * QFontMetrics(option.font).averageCharWidth()
        title_width = width - tags_width if beside else width
        shown = metrics.elidedText(title, Qt.TextElideMode.ElideRight, max(0, title_width))
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(0)
        if has_snippet:
            highlight = QColor(option.palette.color(QPalette.ColorRole.Highlight))
            highlight.setAlphaF(0.35)
            snippet = str(index.data(SearchResultsModel.SnippetRole) or "")
            html = highlighted_html(snippet, highlight.name(QColor.NameFormat.HexArgb))
            document.setHtml("<br>" + html if own_line else html)
            if not beside and not own_line:
                # The tags open the first line of the snippet, which starts after them.
                cursor = QTextCursor(document)
                block_format = cursor.blockFormat()
                block_format.setTextIndent(tags_width)
                cursor.setBlockFormat(block_format)
        document.setTextWidth(width)
        return shown, beside, tags, document, _snippet_height(document, SNIPPET_LINES + int(own_line))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = option.rect.adjusted(8, _HIT_PADDING, -8, -_HIT_PADDING)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        title, beside, tags, document, snippet_height = self._layout(option, index, rect.width())
        painter.save()
        painter.setFont(self._title_font(option))
        painter.setPen(option.palette.color(text_role))
        line = painter.fontMetrics().height()
        painter.drawText(QRect(rect.left(), rect.top(), rect.width(), line), int(Qt.AlignmentFlag.AlignLeft), title)
        snippet_top = rect.top() + line + _TITLE_GAP
        if beside:
            right = rect.right()
            for text, width in reversed(tags):
                _draw_tag(painter, option, right, rect.top(), line, text)
                right -= width
        elif document.begin().layout().lineCount():
            first = document.begin().layout().lineAt(0)
            right = rect.left()
            for text, width in tags:
                right += width
                _draw_tag(painter, option, right - 6, snippet_top + int(first.y()), int(first.height()), text)
        painter.translate(rect.left(), snippet_top)
        painter.setClipRect(QRect(0, 0, rect.width(), snippet_height))
        context = QAbstractTextDocumentLayout.PaintContext()
        palette = QPalette(option.palette)
        palette.setColor(QPalette.ColorRole.Text, option.palette.color(text_role))
        context.palette = palette
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:  # noqa: N802
        width = self._width(option)
        _title, _beside, _tags, _document, snippet_height = self._layout(option, index, width)
        line = QFontMetrics(self._title_font(option)).height()
        height = line + (_TITLE_GAP + snippet_height if snippet_height else 0)
        return QSize(100, height + 2 * _HIT_PADDING)


class _ConversationList(QListView):
    """The list; Delete asks to delete the current conversation, the Menu key (Shift+F10) shows
    the current conversation's menu beside it."""

    delete_pressed = Signal()

    #: The Menu key or Shift+F10 (or the platform's keyboard context-menu event).
    menu_key_pressed = Signal()

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ContextMenu
            and isinstance(event, QContextMenuEvent)
            and event.reason() == QContextMenuEvent.Reason.Keyboard
        ):
            # Qt would pop it up in the middle of the list; the menu is the current row's, beside it.
            self.menu_key_pressed.emit()
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Delete) and self.state() != QAbstractItemView.State.EditingState:
            self.delete_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class ConversationSidebar(QWidget):
    """New chat, search, and the conversations; tells the page what the user asked for."""

    new_requested = Signal()
    conversation_activated = Signal(int)
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)
    pin_requested = Signal(int, bool)
    undo_requested = Signal(int)
    #: (query) — the debounced search text; "" when the search was cleared
    search_requested = Signal(str)
    #: (conversation id, message id or -1 for a title hit)
    hit_activated = Signal(int, int)
    #: (on) — the user clicked "By meaning"; the switch shows the new state once it is applied
    meaning_toggle_requested = Signal(bool)
    #: the button of the indexing line (Pause, Resume or Retry) was clicked
    meaning_action_requested = Signal()
    #: the search box got the focus: a search may follow (search by meaning loads its vectors)
    search_focused = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chat_sidebar")
        self.model = ConversationListModel(self)
        self.model.rename_requested.connect(self.rename_requested)
        self.results = SearchResultsModel(self)
        self._current_id: int | None = None
        self._selecting = False
        self._undo_id: int | None = None

        self.new_button = QPushButton(self.tr("New Chat"), self)
        self.new_button.setObjectName("new_chat_button")
        self.new_button.setToolTip(self.tr("Start a new conversation (Ctrl+N)"))
        self.new_button.clicked.connect(self.new_requested)
        self.new_menu_button = QToolButton(self)  # its menu (New chat, New text completion): the page's
        self.new_menu_button.setObjectName("new_menu_button")
        self.new_menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.new_menu_button.setArrowType(Qt.ArrowType.DownArrow)

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("search_edit")
        self.search_edit.setPlaceholderText(self.tr("Search conversations"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._on_search_text_changed)
        self.search_edit.installEventFilter(self)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_timer)
        self.search_edit.setAccessibleName(self.tr("Search conversations"))
        self.search_edit.setToolTip(self.tr("Find conversations by title or by words in their messages"))

        self.meaning_check = QCheckBox(self.tr("By meaning"), self)
        self.meaning_check.setObjectName("search_by_meaning")
        self.meaning_check.setAccessibleName(self.tr("Search by meaning"))
        self.meaning_check.setToolTip(
            self.tr(
                "Also find messages that mean the same without using the same words. The history is "
                "indexed with the profile's embedding model, which costs tokens."
            )
        )
        self.meaning_check.clicked.connect(self._on_meaning_clicked)
        self.meaning_bar = QWidget(self)
        self.meaning_bar.setObjectName("meaning_bar")
        self.meaning_label = QLabel(self.meaning_bar)
        self.meaning_label.setObjectName("meaning_status")
        self.meaning_label.setWordWrap(True)
        self.meaning_label.setAccessibleName(self.tr("Indexing by meaning"))
        muted = self.meaning_label.font()
        if muted.pointSizeF() > 0:
            muted.setPointSizeF(muted.pointSizeF() * 0.9)
        self.meaning_label.setFont(muted)
        self.meaning_button = QToolButton(self.meaning_bar)
        self.meaning_button.setObjectName("meaning_action")
        self.meaning_button.setFont(muted)
        self.meaning_button.clicked.connect(self.meaning_action_requested)
        meaning_layout = QHBoxLayout(self.meaning_bar)
        meaning_layout.setContentsMargins(2, 0, 0, 0)
        meaning_layout.setSpacing(4)
        meaning_layout.addWidget(self.meaning_label, 1)
        meaning_layout.addWidget(self.meaning_button, 0, Qt.AlignmentFlag.AlignTop)
        self.meaning_bar.hide()

        self.list_view = _ConversationList(self)
        self.list_view.setObjectName("conversation_list")
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(_ConversationDelegate(self.list_view))
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list_view.customContextMenuRequested.connect(self._on_context_menu)
        self.list_view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        self.list_view.clicked.connect(self._on_clicked)
        self.list_view.delete_pressed.connect(self._on_delete_pressed)
        self.menu_action = QAction(self.tr("Show what can be done with the selected conversation"), self.list_view)
        self.menu_action.setShortcuts([QKeySequence(Qt.Key.Key_Menu), QKeySequence("Shift+F10")])
        self.menu_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.menu_action.triggered.connect(self._on_menu_key)
        self.list_view.addAction(self.menu_action)
        self.list_view.menu_key_pressed.connect(self._on_menu_key)
        self.list_view.setAccessibleName(self.tr("Conversations"))
        self.list_view.setToolTip(
            self.tr("Your conversations, newest first: Enter opens, F2 renames, Delete deletes, the Menu key shows more")
        )

        self.results_view = QListView(self)
        self.results_view.setObjectName("search_results")
        self.results_view.setModel(self.results)
        self.results_view.setItemDelegate(_SearchDelegate(self.results_view))
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Each hit is as tall as its snippet at this width: a new width lays them out again.
        self.results_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.results_view.setWordWrap(True)  # what makes Adjust lay a list out again on a new width
        self.results_view.activated.connect(self._on_hit_activated)
        self.results_view.clicked.connect(self._on_hit_activated)
        self.results_view.setAccessibleName(self.tr("Search results"))
        self.results_view.setToolTip(self.tr("Messages that match the search; Enter opens the conversation at that message"))
        self.no_results = QLabel(self.tr("Nothing found."), self)
        self.no_results.setObjectName("no_results_label")
        self.no_results.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.no_results.setWordWrap(True)
        self.no_results.setContentsMargins(8, 16, 8, 8)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.list_view)
        self.stack.addWidget(self.results_view)
        self.stack.addWidget(self.no_results)

        self.undo_bar = QWidget(self)
        self.undo_bar.setObjectName("undo_bar")
        self.undo_label = QLabel(self.undo_bar)
        self.undo_label.setWordWrap(True)
        self.undo_button = QPushButton(self.tr("Undo"), self.undo_bar)
        self.undo_button.setObjectName("undo_button")
        self.undo_button.clicked.connect(self._on_undo_clicked)
        close = QToolButton(self.undo_bar)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss"))
        close.clicked.connect(self.hide_undo)
        undo_layout = QHBoxLayout(self.undo_bar)
        undo_layout.setContentsMargins(8, 4, 4, 4)
        undo_layout.addWidget(self.undo_label, 1)
        undo_layout.addWidget(self.undo_button)
        undo_layout.addWidget(close)
        self.undo_bar.hide()
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.timeout.connect(self.hide_undo)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        new_row = QHBoxLayout()
        new_row.setSpacing(2)
        new_row.addWidget(self.new_button, 1)
        new_row.addWidget(self.new_menu_button)
        layout.addLayout(new_row)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.meaning_check)
        layout.addWidget(self.meaning_bar)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.undo_bar)

    # -- public -----------------------------------------------------------------------------

    @property
    def current_id(self) -> int | None:
        return self._current_id

    def set_current(self, conversation_id: int | None) -> None:
        """Select the open conversation's row, without asking to open it again."""
        self._current_id = conversation_id
        row = self.model.row_of(conversation_id) if conversation_id is not None else -1
        self._selecting = True
        try:
            selection = self.list_view.selectionModel()
            if row >= 0:
                index = self.model.index(row, 0)
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                self.list_view.scrollTo(index)
            else:
                selection.clearSelection()
                selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        finally:
            self._selecting = False

    def set_conversations(self, conversations: list) -> None:  # list[Conversation]
        editing = self.list_view.state() == QAbstractItemView.State.EditingState
        if editing:
            return  # the user is typing a name; the next reload brings the rows
        self.model.set_conversations(conversations)
        self.set_current(self._current_id)

    def set_results(self, query: str, hits: list, meaning: frozenset[int] | set[int] = frozenset()) -> None:
        """Show ``hits`` (list[SearchHit]) for ``query``; ``meaning``: ids of messages found by meaning only."""
        if query != self.search_edit.text().strip():
            return  # an answer to an older query
        voice = {c.id for c in self.model.conversations() if c.kind is ConversationKind.VOICE}
        self.results.set_hits(query, hits, voice, meaning)
        self.stack.setCurrentWidget(self.results_view if hits else self.no_results)

    def searching(self) -> bool:
        return bool(self.search_edit.text().strip())

    def set_meaning(self, on: bool) -> None:
        """Show whether search by meaning is on (it was applied), and search again if it changed."""
        changed = self.meaning_check.isChecked() != on
        self.meaning_check.setChecked(on)
        if changed:
            self.search_again()

    def set_meaning_status(self, text: str, action: str = "", action_tip: str = "") -> None:
        """The indexing line: ``text`` ("" hides it), and its button's label (none when "")."""
        self.meaning_label.setText(text)
        self.meaning_button.setText(action)
        self.meaning_button.setToolTip(action_tip or action)
        self.meaning_button.setAccessibleName(action)
        self.meaning_button.setVisible(bool(action))
        self.meaning_bar.setVisible(bool(text))

    def search_again(self) -> None:
        """Ask again for the hits of the text in the search box (the way of searching changed)."""
        if self.searching():
            self._search_timer.stop()
            self._on_search_timer()

    def start_rename(self, conversation_id: int) -> None:
        row = self.model.row_of(conversation_id)
        if row < 0:
            return
        if self.searching():
            self.search_edit.clear()
        index = self.model.index(row, 0)
        self.list_view.setCurrentIndex(index)
        self.list_view.edit(index)

    def show_undo(self, text: str, conversation_id: int) -> None:
        self._undo_id = conversation_id
        self.undo_label.setText(text)
        self.undo_bar.show()
        self._undo_timer.start(UNDO_SECONDS * 1000)

    @Slot()
    def hide_undo(self) -> None:
        self._undo_timer.stop()
        self._undo_id = None
        self.undo_bar.hide()

    # -- slots ------------------------------------------------------------------------------

    @Slot(str)
    def _on_search_text_changed(self, text: str) -> None:
        if not text.strip():
            self._search_timer.stop()
            self.results.set_hits("", [])
            self.stack.setCurrentWidget(self.list_view)
            self.search_requested.emit("")
            return
        self._search_timer.start()

    @Slot(bool)
    def _on_meaning_clicked(self, checked: bool) -> None:
        # The switch shows what is applied: turning it on waits for the user's consent.
        self.meaning_check.setChecked(not checked)
        self.meaning_toggle_requested.emit(checked)

    @Slot()
    def _on_search_timer(self) -> None:
        query = self.search_edit.text().strip()
        if query:
            self.search_requested.emit(query)

    @Slot(QModelIndex, QModelIndex)
    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._selecting or not current.isValid():
            return
        conversation_id = current.data(ConversationListModel.IdRole)
        if isinstance(conversation_id, int) and conversation_id != self._current_id:
            self.conversation_activated.emit(conversation_id)

    @Slot(QModelIndex)
    def _on_clicked(self, index: QModelIndex) -> None:
        conversation_id = index.data(ConversationListModel.IdRole)
        if isinstance(conversation_id, int) and conversation_id != self._current_id:
            self.conversation_activated.emit(conversation_id)

    @Slot(QModelIndex)
    def _on_hit_activated(self, index: QModelIndex) -> None:
        conversation_id = index.data(SearchResultsModel.ConversationIdRole)
        message_id = index.data(SearchResultsModel.MessageIdRole)
        if isinstance(conversation_id, int):
            self.hit_activated.emit(conversation_id, message_id if isinstance(message_id, int) else -1)

    @Slot()
    def _on_delete_pressed(self) -> None:
        index = self.list_view.currentIndex()
        conversation_id = index.data(ConversationListModel.IdRole) if index.isValid() else None
        if isinstance(conversation_id, int):
            self.delete_requested.emit(conversation_id)

    @Slot()
    def _on_undo_clicked(self) -> None:
        conversation_id = self._undo_id
        self.hide_undo()
        if conversation_id is not None:
            self.undo_requested.emit(conversation_id)

    @Slot()
    def _on_menu_key(self) -> None:
        """The Menu key or Shift+F10: the current conversation's menu, beside its row."""
        current = self.list_view.currentIndex()
        if current.isValid():
            self.list_view.scrollTo(current)
            rect = self.list_view.visualRect(current)
            self._on_context_menu(QPoint(rect.left() + 24, rect.center().y()))

    @Slot(QPoint)
    def _on_context_menu(self, point: QPoint) -> None:
        index = self.list_view.indexAt(point)
        conversation_id = index.data(ConversationListModel.IdRole) if index.isValid() else None
        if not isinstance(conversation_id, int):
            return
        menu = self.context_menu(conversation_id)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.list_view.viewport().mapToGlobal(point))

    def context_menu(self, conversation_id: int) -> QMenu:
        """The menu of a conversation: Rename, Pin/Unpin, Delete (built fresh each time)."""
        conversation = self.model.conversation(conversation_id)
        pinned = bool(conversation is not None and conversation.pinned)
        menu = QMenu(self)
        rename = menu.addAction(self.tr("Rename"))
        rename.setShortcut(QKeySequence(Qt.Key.Key_F2))
        rename.setObjectName("rename_action")
        rename.triggered.connect(lambda: self.start_rename(conversation_id))
        pin = menu.addAction(self.tr("Unpin") if pinned else self.tr("Pin"))
        pin.setObjectName("pin_action")
        pin.triggered.connect(lambda: self.pin_requested.emit(conversation_id, not pinned))
        menu.addSeparator()
        delete = menu.addAction(self.tr("Delete"))
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setObjectName("delete_action")
        delete.triggered.connect(lambda: self.delete_requested.emit(conversation_id))
        return menu

    def eventFilter(self, watched: object, event: QEvent) -> bool:  # noqa: N802
        if watched is self.search_edit and event.type() == QEvent.Type.FocusIn:
            self.search_focused.emit()
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Escape and self.search_edit.text():
                self.search_edit.clear()
                return True
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.searching():
                self._search_timer.stop()
                self._on_search_timer()
                if self.results.rowCount() and event.key() == Qt.Key.Key_Down:
                    self.results_view.setFocus()
                    self.results_view.setCurrentIndex(self.results.index(0, 0))
                return True
        return super().eventFilter(watched, event)
