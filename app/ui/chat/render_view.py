"""A read-only view of one message, sized to its content, for a list of messages.

A ``QTextBrowser`` because it already gives selection, keyboard copy, link hover and the
pointing-hand cursor. What we change: it never navigates or loads anything (``openLinks`` off,
resources refused by :class:`MessageDocument`), it has no scroll bars and passes wheel events to
the list around it, and it reports its height for a given width so a list can lay it out.

Clicks on anchors are routed by scheme: ``parla-copy:<n>`` copies code block *n*;
``parla-image:<n>`` emits ``image_requested`` with the image's address (and opens it in the
browser when external opening is on — the browser fetches it, never Parla); http, https and
mailto links emit ``link_activated`` and open in the system browser or mail client. Anything
else is ignored, whatever the document contains.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QWidget

from app.ui.chat.markdown import LINK_SCHEMES, link_scheme
from app.ui.chat.render_document import COPY_SCHEME, IMAGE_SCHEME, MessageDocument, RenderTheme
from app.ui.chat.render_stream import StreamingRenderer

__all__ = ["MessageView", "preload"]


def preload() -> None:
    """Warm what a first reply would otherwise pay for: matplotlib's import and math fonts
    (~0.4 s) and the common Pygments lexers (~20 ms each). Call it once after the window shows,
    in a worker thread: ``await asyncio.to_thread(preload)``."""
    from app.ui.chat import highlight, math_render

    highlight.preload()
    math_render.preload()


class MessageView(QTextBrowser):
    """Shows one message (markdown), whole or streaming."""

    link_activated = Signal(QUrl)
    """An http(s)/mailto link was clicked (it is opened too when external opening is on)."""
    image_requested = Signal(QUrl)
    """An image placeholder was clicked; a later feature may fetch it with consent."""
    code_copied = Signal(int)
    """Code block n was put on the clipboard."""
    height_changed = Signal(int)
    """The height needed at the current width changed (a list view re-lays out)."""

    def __init__(self, theme: RenderTheme | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._message = MessageDocument(theme, self)
        self.setDocument(self._message)
        self._markdown = ""
        self._stream: StreamingRenderer | None = None
        self._open_external = True
        self._last_height = -1
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        self.viewport().setAutoFillBackground(False)
        self.setStyleSheet("QTextBrowser { background: transparent; }")
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.anchorClicked.connect(self._on_anchor_clicked)
        self._message.documentLayout().documentSizeChanged.connect(self._on_document_size_changed)

    # -- content -------------------------------------------------------------------------

    def message_document(self) -> MessageDocument:
        return self._message

    def markdown(self) -> str:
        """The markdown shown (while streaming: what has arrived)."""
        return self._stream.text() if self._stream is not None else self._markdown

    def set_markdown(self, markdown: str) -> None:
        """Show a complete message."""
        self._stream = None
        self._markdown = markdown
        self._message.set_markdown(markdown)

    def start_stream(self) -> StreamingRenderer:
        """Empty the view and return a renderer to feed the reply's deltas to."""
        self._markdown = ""
        self._stream = StreamingRenderer(self._message, self)
        self._stream.updated.connect(self._on_stream_updated)
        return self._stream

    def set_theme(self, theme: RenderTheme) -> None:
        """Rebuild with other colours or fonts (the palette changed: light ↔ dark)."""
        self._message.set_theme(theme)
        if self._stream is not None and not self._stream.is_finished():
            text = self._stream.text()
            self._stream.restart(text)
        else:
            self._message.set_markdown(self.markdown())

    def code_block(self, index: int) -> str:
        """The raw code of block ``index``."""
        return self._message.code_block(index)

    def set_open_external(self, enabled: bool) -> None:
        """Whether clicked links and image placeholders open in the system browser (default on)."""
        self._open_external = enabled

    # -- size ----------------------------------------------------------------------------

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        """Lay the document out at ``width`` to measure it, then put the current width back."""
        margins = self.contentsMargins()
        inner = max(1, width - margins.left() - margins.right())
        document = self._message
        current = document.textWidth()
        if inner == current:
            height = document.size().height()
        else:
            layout = document.documentLayout()
            blocked = layout.blockSignals(True)
            try:
                height = document.height_for_width(inner)
                document.setTextWidth(current)
            finally:
                layout.blockSignals(blocked)
        return int(height + 0.999) + margins.top() + margins.bottom()

    def _current_height(self) -> int:
        margins = self.contentsMargins()
        return int(self._message.size().height() + 0.999) + margins.top() + margins.bottom()

    def sizeHint(self) -> QSize:
        width = self.width() if self.width() > 0 else 480
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(80, 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._on_document_size_changed()

    def wheelEvent(self, event: QWheelEvent) -> None:
        """Let the message list scroll: this view never scrolls by itself."""
        event.ignore()

    @Slot()
    def _on_stream_updated(self) -> None:
        self._on_document_size_changed()

    @Slot()
    def _on_document_size_changed(self) -> None:
        height = self._current_height()
        if height != self._last_height:
            self._last_height = height
            self.updateGeometry()
            self.height_changed.emit(height)

    # -- links ---------------------------------------------------------------------------

    @Slot(QUrl)
    def _on_anchor_clicked(self, url: QUrl) -> None:
        self.activate_anchor(url.toString())

    def activate_anchor(self, href: str) -> None:
        """Do what a click on an anchor with ``href`` does (public for tests and key handling)."""
        scheme = link_scheme(href)
        if scheme == COPY_SCHEME:
            index = _index(href)
            if 0 <= index < self._message.code_block_count():
                QGuiApplication.clipboard().setText(self._message.code_block(index))
                self.code_copied.emit(index)
        elif scheme == IMAGE_SCHEME:
            index = _index(href)
            if 0 <= index < self._message.image_count():
                image = QUrl(self._message.image_url(index))
                if image.scheme().lower() in ("http", "https"):
                    self.image_requested.emit(image)
                    if self._open_external:
                        QDesktopServices.openUrl(image)
        elif scheme in LINK_SCHEMES:
            url = QUrl(href)
            self.link_activated.emit(url)
            if self._open_external:
                QDesktopServices.openUrl(url)

    def loadResource(self, type: int, name: QUrl) -> object:  # noqa: A002 - Qt's signature
        """Never load anything (the document's own resources are found before this is asked)."""
        return self._message.loadResource(type, name)


def _index(href: str) -> int:
    try:
        return int(href.split(":", 1)[1])
    except (IndexError, ValueError):
        return -1
