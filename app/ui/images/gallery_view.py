"""The gallery grid: search by prompt, thumbnails, a menu of actions, and Undo after Delete."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QContextMenuEvent, QFontMetrics, QKeyEvent, QKeySequence, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
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
    QVBoxLayout,
    QWidget,
)

from app.store.gallery import GalleryImage
from app.ui.images.actions import MULTI, ImageAction, make_actions
from app.ui.images.gallery_model import GalleryModel

__all__ = ["GalleryDelegate", "GalleryPanel", "GalleryView"]

#: Side of the square a thumbnail is drawn in, in device-independent pixels.
THUMB_SIDE = 150
_PADDING = 6
SEARCH_DELAY_MS = 250


class GalleryDelegate(QStyledItemDelegate):
    """A cell: the thumbnail centred in a square, and the prompt's first line under it."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        line = QFontMetrics(option.font).height()
        return QSize(THUMB_SIDE + 2 * _PADDING, THUMB_SIDE + line + 3 * _PADDING)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        painter.save()
        style = option.widget.style() if option.widget is not None else None
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        rect = option.rect
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        elif option.state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.AlternateBase))
        square = QRect(rect.left() + _PADDING, rect.top() + _PADDING, THUMB_SIDE, THUMB_SIDE)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if pixmap is not None and not pixmap.isNull():
            ratio = pixmap.devicePixelRatio() or 1.0
            width, height = pixmap.width() / ratio, pixmap.height() / ratio
            scale = min(1.0, THUMB_SIDE / max(width, height, 1))
            w, h = int(width * scale), int(height * scale)
            target = QRect(square.left() + (THUMB_SIDE - w) // 2, square.top() + (THUMB_SIDE - h) // 2, w, h)
            painter.drawPixmap(target, pixmap)
        else:
            painter.fillRect(square, palette.color(QPalette.ColorRole.Mid if not selected else QPalette.ColorRole.Dark))
            if index.data(GalleryModel.BrokenRole):
                painter.setPen(palette.color(QPalette.ColorRole.BrightText))
                painter.drawText(square, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                                 self.tr("File missing"))
        text_rect = QRect(rect.left() + _PADDING, square.bottom() + _PADDING,
                          THUMB_SIDE, rect.bottom() - square.bottom() - _PADDING)
        prompt = " ".join(str(index.data(Qt.ItemDataRole.DisplayRole) or "").split())
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(palette.color(role))
        metrics = QFontMetrics(option.font)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                         metrics.elidedText(prompt, Qt.TextElideMode.ElideRight, THUMB_SIDE))
        if option.state & QStyle.StateFlag.State_HasFocus and style is not None:
            painter.setPen(palette.color(QPalette.ColorRole.Highlight))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.restore()


class GalleryView(QListView):
    """The grid itself: Enter opens, Delete deletes, the context menu has every action."""

    #: The user wants ``action`` done to these pictures.
    action_requested = Signal(str, list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gallery_view")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSpacing(4)
        self.setWordWrap(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setMouseTracking(True)
        self.setItemDelegate(GalleryDelegate(self))
        self.actions_by_kind = make_actions(self, shortcuts=True)
        # Enter opens the current picture (handled in keyPressEvent, as the view also needs it while
        # nothing is current); the action shows the keys in the menu and in Help ▸ Keyboard shortcuts.
        self.actions_by_kind[ImageAction.OPEN].setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
        for kind, action in self.actions_by_kind.items():
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(self._on_action_triggered)
            if kind != ImageAction.OPEN:
                self.addAction(action)
        self.menu_action = QAction(self.tr("Show what can be done with the selected pictures"), self)
        self.menu_action.setShortcuts([QKeySequence(Qt.Key.Key_Menu), QKeySequence("Shift+F10")])
        self.menu_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.menu_action.triggered.connect(self._on_menu_key)
        self.addAction(self.menu_action)
        self.doubleClicked.connect(self._on_double_clicked)

    def selected_images(self) -> list[GalleryImage]:
        rows = sorted(index.row() for index in self.selectionModel().selectedIndexes()) if self.selectionModel() else []
        images = [self.model().data(self.model().index(row, 0), GalleryModel.ImageRole) for row in rows]
        if not images and self.currentIndex().isValid():
            images = [self.currentIndex().data(GalleryModel.ImageRole)]
        return [image for image in images if image is not None]

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            self._on_menu_key()
            return
        index = self.indexAt(event.pos())
        if not index.isValid():
            return
        if not self.selectionModel().isSelected(index):
            self.setCurrentIndex(index)
        self._popup(event.globalPos())

    def _popup(self, position: QPoint) -> QMenu:
        menu = self.context_menu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # popup(), not exec(): a nested event loop would run asyncio callbacks inside this handler.
        menu.popup(position)
        return menu

    @Slot()
    def _on_menu_key(self) -> None:
        """The Menu key or Shift+F10: the context menu of the current picture, beside it."""
        index = self.currentIndex()
        if not index.isValid():
            return
        self.scrollTo(index)
        rect = self.visualRect(index)
        self._popup(self.viewport().mapToGlobal(rect.center()))

    def context_menu(self) -> QMenu:
        """The menu for the current selection (also what tests look at)."""
        count = len(self.selected_images())
        menu = QMenu(self)
        menu.setObjectName("gallery_menu")
        order = [
            ImageAction.OPEN, None, ImageAction.EDIT, ImageAction.VARY, ImageAction.REUSE_PROMPT,
            ImageAction.SEND_TO_CHAT, None, ImageAction.COPY, ImageAction.SAVE_AS, ImageAction.SHOW_IN_FOLDER,
            None, ImageAction.DELETE,
        ]
        for kind in order:
            if kind is None:
                menu.addSeparator()
                continue
            action = self.actions_by_kind[kind]
            action.setEnabled(count == 1 or (count > 1 and kind in MULTI))
            menu.addAction(action)
        return menu

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.action_requested.emit(ImageAction.OPEN.value, self.selected_images()[:1])
            return
        super().keyPressEvent(event)

    @Slot()
    def _on_action_triggered(self) -> None:
        action = self.sender()
        if not isinstance(action, QAction):
            return
        images = self.selected_images()
        kind = ImageAction(action.data())
        if not images:
            return
        if kind not in MULTI:
            images = images[:1]
        self.action_requested.emit(kind.value, images)

    @Slot(QModelIndex)
    def _on_double_clicked(self, index: QModelIndex) -> None:
        image = index.data(GalleryModel.ImageRole)
        if image is not None:
            self.action_requested.emit(ImageAction.OPEN.value, [image])


class UndoBar(QFrame):
    """"3 pictures deleted. [Undo]" — shown for a while after a delete."""

    undo_requested = Signal()
    expired = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gallery_undo_bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.undo_button = QPushButton(self.tr("Undo"), self)
        self.undo_button.setObjectName("gallery_undo_button")
        self.undo_button.clicked.connect(self.undo_requested)
        # Ctrl+Z while the bar shows, from anywhere in the gallery (the panel adds the action).
        self.undo_action = QAction(self.tr("Undo the delete"), self)
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.undo_action.setEnabled(False)
        self.undo_action.triggered.connect(self.undo_requested)
        self.undo_button.setToolTip(self.tr("Bring the deleted pictures back ({key})").format(
            key=self.undo_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._on_timeout)
        self.hide()

    def show_deleted(self, count: int, seconds: float) -> None:
        self.label.setText(
            self.tr("Picture deleted.") if count == 1 else self.tr("{count} pictures deleted.").format(count=count)
        )
        self.timer.start(int(seconds * 1000))
        self.show()
        self.undo_action.setEnabled(True)

    def dismiss(self) -> None:
        self.timer.stop()
        self.hide()
        self.undo_action.setEnabled(False)

    @Slot()
    def _on_timeout(self) -> None:
        self.hide()
        self.undo_action.setEnabled(False)
        self.expired.emit()


class GalleryPanel(QWidget):
    """Search box, count, the grid (or a sentence when it is empty) and the Undo bar."""

    #: The search text settled (after a short pause in typing).
    search_changed = Signal(str)

    def __init__(self, model: GalleryModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gallery_panel")
        self.model = model
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("gallery_search")
        self.search_edit.setPlaceholderText(self.tr("Search prompts"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName(self.tr("Search the gallery by prompt"))
        self.search_edit.setToolTip(self.tr("Shows only the pictures whose prompt contains these words"))
        self.count_label = QLabel(self)
        self.count_label.setObjectName("gallery_count")
        self.view = GalleryView(self)
        self.view.setModel(model)
        self.view.setAccessibleName(self.tr("Gallery"))
        self.view.setToolTip(self.tr("Enter opens a picture; the Menu key or Shift+F10 lists what else can be done"))
        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("gallery_empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setMargin(24)
        # It takes the focus when the last picture goes (Delete): the keyboard stays in the gallery,
        # where Ctrl+Z brings the picture back.
        self.empty_label.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty_label)
        self.undo_bar = UndoBar(self)
        self.addAction(self.undo_bar.undo_action)

        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.undo_bar)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_settled)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self._loading_text: str | None = None
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved):
            signal.connect(self.refresh_state)
        self.refresh_state()

    def set_message(self, text: str | None) -> None:
        """A sentence in place of the grid (opening, or the store failed); None shows the grid again."""
        self._loading_text = text
        self.refresh_state()

    @Slot()
    def refresh_state(self) -> None:
        focused = self.stack.currentWidget().hasFocus()
        self._refresh_state()
        current = self.stack.currentWidget()
        if focused and not current.hasFocus():
            current.setFocus(Qt.FocusReason.OtherFocusReason)

    def _refresh_state(self) -> None:
        count = self.model.total
        if self._loading_text is not None:
            self.count_label.setText("")
        else:
            self.count_label.setText(
                self.tr("1 picture") if count == 1 else self.tr("{count} pictures").format(count=count)
            )
        if self._loading_text is not None:
            self.empty_label.setText(self._loading_text)
            self.stack.setCurrentWidget(self.empty_label)
        elif self.model.rowCount() == 0:
            query = self.model.query
            self.empty_label.setText(
                self.tr("No picture's prompt contains “{query}”.").format(query=query) if query
                else self.tr("No pictures yet. Describe one in Generate and press Generate; "
                             "what you make, edit or vary is kept here.")
            )
            self.stack.setCurrentWidget(self.empty_label)
        else:
            self.stack.setCurrentWidget(self.view)

    @Slot()
    def _on_search_settled(self) -> None:
        self.search_changed.emit(self.search_edit.text().strip())
