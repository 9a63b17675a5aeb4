"""A light widget that paints one message's ``QTextDocument``, with selection and clickable links.

Why not a ``QTextBrowser`` per message: a text edit is a scroll area with its own viewport,
control and undo stack, it rewrites the document's default text option and font when given one,
and the message list creates and recycles these widgets as the user scrolls. This one only draws
the document's layout (clipped to what is exposed, so a long message costs what is visible),
maps the mouse to document positions for selection and links, and reports heights for widths.

Links are never opened here: :attr:`DocumentView.anchor_clicked` hands the address to the message
list, which decides (copy a code block, open http(s)/mailto in the system browser on click).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QContextMenuEvent,
    QGuiApplication,
    QHelpEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication, QMenu, QSizePolicy, QToolTip, QWidget

__all__ = ["DocumentView"]


class DocumentView(QWidget):
    """Paints a document at the widget's width; select with the mouse, copy with Ctrl+C."""

    #: A link was clicked (pressed and released on the same anchor): (document, href).
    anchor_clicked = Signal(object, str)
    #: The button went down on a link starting with :attr:`drag_prefix` (a drag may follow): href
    drag_anchor_pressed = Signal(str)
    #: The mouse moved far enough from such a link with the button down (drag it out): href
    drag_anchor_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        self._document: QTextDocument | None = None
        self._selection: QTextCursor | None = None
        self._pressed_anchor = ""
        self._press_position: QPoint | None = None
        self._selecting = False
        self._text_color: QColor | None = None
        self._hover_anchor = ""
        #: Links starting with this are dragged (not selected across) when the mouse moves from them.
        self.drag_prefix = ""
        self._drag_anchor = ""

    # -- content --------------------------------------------------------------------------

    def document(self) -> QTextDocument | None:
        return self._document

    def set_document(self, document: QTextDocument | None) -> None:
        if document is self._document:
            return
        self._document = document
        self._selection = None
        self._pressed_anchor = ""
        if document is not None and self.width() > 0:
            document.setTextWidth(self.width())
        self.updateGeometry()
        self.update()

    def set_text_color(self, color: QColor | None) -> None:
        """Draw the document's unformatted text in ``color`` (muted for the Thinking section)."""
        self._text_color = color
        self.update()

    def selected_text(self) -> str:
        if self._selection is None or not self._selection.hasSelection():
            return ""
        return self._selection.selection().toPlainText()

    def select_all(self) -> None:
        if self._document is None:
            return
        cursor = QTextCursor(self._document)
        cursor.select(QTextCursor.SelectionType.Document)
        self._selection = cursor
        self.update()

    def clear_selection(self) -> None:
        if self._selection is not None:
            self._selection = None
            self.update()

    # -- size -------------------------------------------------------------------------------

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        document = self._document
        if document is None or width <= 0:
            return 0
        if document.textWidth() != width:
            document.setTextWidth(width)
        return math.ceil(document.size().height())

    def sizeHint(self) -> QSize:  # noqa: N802
        width = self.width() if self.width() > 0 else 400
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(0, 0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        if self._document is not None and self._document.textWidth() != event.size().width():
            self._document.setTextWidth(event.size().width())
        super().resizeEvent(event)

    # -- painting ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        document = self._document
        if document is None:
            return
        if document.textWidth() != self.width():
            document.setTextWidth(self.width())
        painter = QPainter(self)
        context = QAbstractTextDocumentLayout.PaintContext()
        palette = QPalette(self.palette())
        if self._text_color is not None:
            palette.setColor(QPalette.ColorRole.Text, self._text_color)
        context.palette = palette
        context.clip = QRectF(event.rect())
        painter.setClipRect(event.rect())
        if self._selection is not None and self._selection.hasSelection():
            selection = QAbstractTextDocumentLayout.Selection()
            selection.cursor = self._selection
            fmt = QTextCharFormat()
            group = QPalette.ColorGroup.Active if self.hasFocus() else QPalette.ColorGroup.Inactive
            fmt.setBackground(self.palette().brush(group, QPalette.ColorRole.Highlight))
            fmt.setForeground(self.palette().brush(group, QPalette.ColorRole.HighlightedText))
            selection.format = fmt
            context.selections = [selection]
        document.documentLayout().draw(painter, context)
        painter.end()

    # -- mouse ------------------------------------------------------------------------------

    def _position_at(self, point: QPoint) -> int:
        assert self._document is not None
        return self._document.documentLayout().hitTest(QPointF(point), Qt.HitTestAccuracy.FuzzyHit)

    def anchor_at(self, point: QPoint) -> str:
        if self._document is None:
            return ""
        return self._document.documentLayout().anchorAt(QPointF(point))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._document is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        point = event.position().toPoint()
        self._pressed_anchor = self.anchor_at(point)
        self._press_position = point
        self._drag_anchor = ""
        if self.drag_prefix and self._pressed_anchor.startswith(self.drag_prefix):
            self._drag_anchor = self._pressed_anchor
            self.drag_anchor_pressed.emit(self._drag_anchor)
        position = self._position_at(point)
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self._selection is not None:
            self._selection.setPosition(max(0, position), QTextCursor.MoveMode.KeepAnchor)
        else:
            cursor = QTextCursor(self._document)
            cursor.setPosition(max(0, position))
            self._selection = cursor
        self._selecting = True
        self.update()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        point = event.position().toPoint()
        if self._drag_anchor and event.buttons() & Qt.MouseButton.LeftButton and self._press_position is not None:
            if (point - self._press_position).manhattanLength() >= QApplication.startDragDistance():
                href, self._drag_anchor = self._drag_anchor, ""
                self._pressed_anchor = ""
                self._selecting = False
                self._selection = None
                self.update()
                self.drag_anchor_requested.emit(href)
            event.accept()
            return
        if self._selecting and self._selection is not None and event.buttons() & Qt.MouseButton.LeftButton:
            if self._press_position is not None and (point - self._press_position).manhattanLength() > 3:
                self._pressed_anchor = ""  # a drag that started on a link selects instead
            position = self._position_at(point)
            if position >= 0:
                self._selection.setPosition(position, QTextCursor.MoveMode.KeepAnchor)
                self.update()
        anchor = self.anchor_at(point)
        if anchor != self._hover_anchor:
            self._hover_anchor = anchor
            if anchor:
                self.setCursor(Qt.CursorShape.PointingHandCursor)
            else:
                self.setCursor(Qt.CursorShape.IBeamCursor)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        self._selecting = False
        self._drag_anchor = ""
        anchor = self.anchor_at(event.position().toPoint())
        if anchor and anchor == self._pressed_anchor and self._document is not None:
            if self._selection is not None and not self._selection.hasSelection():
                self._selection = None
            self._pressed_anchor = ""
            self.anchor_clicked.emit(self._document, anchor)
        self._pressed_anchor = ""
        if self._selection is not None and self._selection.hasSelection():
            clipboard = QGuiApplication.clipboard()
            if clipboard.supportsSelection():
                clipboard.setText(self.selected_text(), clipboard.Mode.Selection)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._document is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        position = self._position_at(event.position().toPoint())
        if position < 0:
            return
        cursor = QTextCursor(self._document)
        cursor.setPosition(position)
        cursor.select(QTextCursor.SelectionType.WordUnderCursor)
        self._selection = cursor
        self.update()
        event.accept()

    def leaveEvent(self, event: object) -> None:  # noqa: N802
        self._hover_anchor = ""
        self.unsetCursor()
        super().leaveEvent(event)  # type: ignore[arg-type]

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            anchor = self.anchor_at(event.pos())
            if anchor and not anchor.startswith("parla-"):
                QToolTip.showText(event.globalPos(), anchor, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    # -- keyboard and menu ------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Copy):
            text = self.selected_text()
            if text:
                QGuiApplication.clipboard().setText(text)
            event.accept()
            return
        if event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        menu = QMenu(self)
        copy = menu.addAction(self.tr("Copy"))
        copy.setEnabled(bool(self.selected_text()))
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(self.selected_text()))
        anchor = self.anchor_at(event.pos())
        if anchor and not anchor.startswith("parla-"):
            link = menu.addAction(self.tr("Copy Link Address"))
            link.triggered.connect(lambda: QGuiApplication.clipboard().setText(anchor))
        menu.addSeparator()
        select_all = menu.addAction(self.tr("Select All"))
        select_all.triggered.connect(self.select_all)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())
