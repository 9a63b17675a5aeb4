"""One message as the list shows it: role, Thinking, the text, its state, usage and actions.

A :class:`MessageWidget` is recycled: the list binds it to whichever message scrolls into view
(:meth:`MessageWidget.bind`), so it holds no state of its own beyond what it shows, except while
the user edits a user message (the list then keeps that widget bound).

States are shown beside the text, never in place of it: an error is a tinted box with the
sentence from ``ui/errors.py`` and Retry under whatever arrived before the failure; a stopped
reply gets a "Stopped" note, one cut short by Parla closing an "Interrupted" note.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.store import MessageState, Role
from app.ui.chat.conversation_model import MessageItem
from app.ui.chat.document_view import DocumentView
from app.ui.chat.image_view import MESSAGE_THUMBNAIL_SIDE, ChatImageCache, MessageImages, MessageWebImages
from app.ui.chat.render_document import KEPT_SCHEME
from app.ui.chat.tool_cards import ToolCardsView, notice_of

#: ``finish_reason`` of a reply cut by the round limit of the tool loop (it offers Continue).
TOOL_ROUNDS_REASON = "tool_rounds"

__all__ = ["TOOL_ROUNDS_REASON", "MessageAction", "MessageWidget", "thumbnail_row_height"]


class MessageAction:
    """Names of the actions a message widget asks the list (and the page) to perform."""

    COPY_MARKDOWN = "copy_markdown"
    COPY_PLAIN = "copy_plain"
    EDIT = "edit"
    DELETE = "delete"
    REGENERATE = "regenerate"
    RETRY = "retry"
    #: Go on with the tool loop after the round limit stopped it.
    CONTINUE = "continue"


#: The lowest a row of thumbnails gets (a very wide picture stays easy to click).
_THUMBNAIL_MIN_HEIGHT = 48


def thumbnail_row_height(hashes: list[str], sizes: Mapping[str, tuple[int, int]]) -> int:
    """How tall a message's row of thumbnails is: as tall as its tallest picture at thumbnail
    size (pictures fit a :data:`MESSAGE_THUMBNAIL_SIDE` square), a full square when a picture's
    size is not known yet. The list estimates unmeasured rows with the same number."""
    tallest = 0
    for digest in hashes:
        size = sizes.get(digest)
        if size is None or size[0] <= 0 or size[1] <= 0:
            return MESSAGE_THUMBNAIL_SIDE
        width, height = size
        tallest = max(tallest, round(MESSAGE_THUMBNAIL_SIDE * min(1.0, height / width)))
    return max(_THUMBNAIL_MIN_HEIGHT, min(MESSAGE_THUMBNAIL_SIDE, tallest))


#: Horizontal room left of a user message: its bubble starts this far in (a share of the width).
USER_INDENT = 0.12
_BUBBLE_RADIUS = 10
_EDITOR_MAX_LINES = 14


class MessageWidget(QWidget):
    """Shows one :class:`MessageItem`; emits what the user asks for, by message id."""

    #: (action, message id) — see :class:`MessageAction`
    action_requested = Signal(str, int)
    #: (message id, new text): Save & Send in edit mode
    edit_submitted = Signal(int, str)
    edit_cancelled = Signal(int)
    #: The Thinking section was opened or closed by the user: (message id, open)
    thinking_toggled = Signal(int, bool)
    #: (document, href) from either document
    anchor_clicked = Signal(object, str)
    #: A picture of the message was clicked: its hash
    image_clicked = Signal(str)
    #: Load picture was clicked on a picture sent by its address: (message id, address)
    web_image_load_requested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message_widget")
        self._item: MessageItem | None = None
        self._is_last_reply = False
        self._editing = False
        self._flash_until = 0.0
        self._content_document: object | None = None

        self._header = QLabel(self)
        self._header.setObjectName("message_header")
        header_font = QFont(self.font())
        header_font.setBold(True)
        self._header.setFont(header_font)

        self._thinking_button = QToolButton(self)
        self._thinking_button.setObjectName("thinking_button")
        self._thinking_button.setAutoRaise(True)
        self._thinking_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._thinking_button.setAccessibleName(self.tr("Thinking"))
        self._thinking_button.setToolTip(self.tr("Show or hide how the model reasoned before answering"))
        self._thinking_button.clicked.connect(self._on_thinking_clicked)
        self._reasoning_view = DocumentView(self)
        self._reasoning_view.setObjectName("reasoning_view")
        self._reasoning_view.anchor_clicked.connect(self.anchor_clicked)
        self._reasoning_frame = QWidget(self)
        reasoning_layout = QHBoxLayout(self._reasoning_frame)
        reasoning_layout.setContentsMargins(10, 0, 0, 4)
        reasoning_layout.addWidget(self._reasoning_view)

        self._tool_cards = ToolCardsView(self)
        self._tool_cards.toggled.connect(self._on_tool_card_toggled)
        self._tool_cards.hide()

        self._content_view = DocumentView(self)
        self._content_view.setObjectName("content_view")
        self._content_view.anchor_clicked.connect(self.anchor_clicked)
        # A kept picture shown in the text drags out like a thumbnail.
        self._content_view.drag_prefix = KEPT_SCHEME + ":"
        self._content_view.drag_anchor_pressed.connect(lambda href: self._images.prepare_drag(_kept_hash(href)))
        self._content_view.drag_anchor_requested.connect(
            lambda href: self._images.request_drag(_kept_hash(href), self._content_view)
        )

        self._images = MessageImages(self)
        self._images.image_clicked.connect(self.image_clicked)
        self._images.hide()
        self._web_images = MessageWebImages(self)
        self._web_images.load_requested.connect(self._on_web_load_requested)
        self._web_images.hide()

        self._status = QLabel(self)
        self._status.setObjectName("message_status")
        self._status.setWordWrap(True)

        self._error_box = QWidget(self)
        self._error_box.setObjectName("message_error")
        self._error_label = QLabel(self._error_box)
        self._error_label.setWordWrap(True)
        self._error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._error_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._retry_button = QPushButton(self.tr("Retry"), self._error_box)
        self._retry_button.setObjectName("retry_button")
        self._retry_button.clicked.connect(lambda: self._request(MessageAction.RETRY))
        self._retry_button.setAccessibleName(self.tr("Retry"))
        self._retry_button.setToolTip(self.tr("Ask for this reply again"))
        self._continue_button = QPushButton(self.tr("Continue"), self._error_box)
        self._continue_button.setObjectName("continue_button")
        self._continue_button.setAccessibleName(self.tr("Continue"))
        self._continue_button.setToolTip(self.tr("Let the model go on using tools, with another round limit"))
        self._continue_button.clicked.connect(lambda: self._request(MessageAction.CONTINUE))
        self._continue_button.hide()
        error_layout = QHBoxLayout(self._error_box)
        error_layout.setContentsMargins(10, 6, 6, 6)
        error_layout.addWidget(self._error_label, 1)
        error_layout.addWidget(self._continue_button, 0, Qt.AlignmentFlag.AlignTop)
        error_layout.addWidget(self._retry_button, 0, Qt.AlignmentFlag.AlignTop)

        self._usage = QLabel(self)
        self._usage.setObjectName("message_usage")

        self._copy_button = QToolButton(self)
        self._copy_button.setObjectName("copy_button")
        self._copy_button.setText(self.tr("Copy"))
        self._copy_button.setAutoRaise(True)
        self._copy_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._copy_button.setAccessibleName(self.tr("Copy"))
        self._copy_button.setToolTip(self.tr("Copy this message as Markdown or as plain text"))
        copy_menu = QMenu(self._copy_button)
        self._copy_markdown_action = copy_menu.addAction(self.tr("Copy as Markdown"))
        self._copy_markdown_action.triggered.connect(lambda: self._request(MessageAction.COPY_MARKDOWN))
        self._copy_plain_action = copy_menu.addAction(self.tr("Copy as Plain Text"))
        self._copy_plain_action.triggered.connect(lambda: self._request(MessageAction.COPY_PLAIN))
        self._copy_button.setMenu(copy_menu)
        self._edit_button = self._action_button("edit_button", self.tr("Edit"), MessageAction.EDIT)
        self._edit_button.setToolTip(self.tr("Change this message and send it again; the replies after it are replaced"))
        self._regenerate_button = self._action_button("regenerate_button", self.tr("Regenerate"), MessageAction.REGENERATE)
        self._regenerate_button.setToolTip(self.tr("Ask for a new reply in place of this one"))
        self._delete_button = self._action_button("delete_button", self.tr("Delete"), MessageAction.DELETE)
        self._delete_button.setToolTip(self.tr("Delete this message (Undo brings it back for a while)"))
        self._actions = QWidget(self)
        actions_layout = QHBoxLayout(self._actions)
        actions_layout.setContentsMargins(0, 0, 0, 0)
        actions_layout.setSpacing(2)
        actions_layout.addWidget(self._usage)
        actions_layout.addStretch(1)
        for button in (self._copy_button, self._edit_button, self._regenerate_button, self._delete_button):
            button.setParent(self._actions)
            actions_layout.addWidget(button)

        self._editor: QPlainTextEdit | None = None
        self._editor_box: QWidget | None = None

        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 8, 12, 4)
        self._layout.setSpacing(4)
        self._layout.addWidget(self._header)
        self._layout.addWidget(self._thinking_button, 0, Qt.AlignmentFlag.AlignLeft)
        self._layout.addWidget(self._reasoning_frame)
        self._layout.addWidget(self._tool_cards)
        self._layout.addWidget(self._content_view)
        self._layout.addWidget(self._images)
        self._layout.addWidget(self._web_images)
        self._layout.addWidget(self._status)
        self._layout.addWidget(self._error_box)
        self._layout.addWidget(self._actions)

        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._refresh_status)
        self._apply_muted_colors()
        # Out of the window's Tab chain: the list leads Tab through them in the order they show.
        for button in (self._thinking_button, self._retry_button, self._continue_button, self._copy_button,
                       self._edit_button, self._regenerate_button, self._delete_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def _action_button(self, name: str, text: str, action: str) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setText(text)
        button.setAccessibleName(text)
        button.setAutoRaise(True)
        button.clicked.connect(lambda: self._request(action))
        return button

    # -- binding ----------------------------------------------------------------------------

    @property
    def item(self) -> MessageItem | None:
        return self._item

    @property
    def content_view(self) -> DocumentView:
        return self._content_view

    @property
    def reasoning_view(self) -> DocumentView:
        return self._reasoning_view

    @property
    def editing(self) -> bool:
        return self._editing

    @property
    def editor(self) -> QPlainTextEdit | None:
        return self._editor

    @property
    def images(self) -> MessageImages:
        return self._images

    @property
    def web_images(self) -> MessageWebImages:
        return self._web_images

    @property
    def tool_cards(self) -> ToolCardsView:
        return self._tool_cards

    def set_image_cache(self, cache: ChatImageCache | None) -> None:
        self._images.set_cache(cache)

    def button(self, action: str) -> QToolButton | QPushButton:
        """The control for ``action`` (tests and keyboard users)."""
        return {
            MessageAction.EDIT: self._edit_button,
            MessageAction.REGENERATE: self._regenerate_button,
            MessageAction.DELETE: self._delete_button,
            MessageAction.RETRY: self._retry_button,
            MessageAction.CONTINUE: self._continue_button,
            MessageAction.COPY_MARKDOWN: self._copy_button,
            MessageAction.COPY_PLAIN: self._copy_button,
        }[action]

    def copy_action(self, action: str) -> object:
        return self._copy_markdown_action if action == MessageAction.COPY_MARKDOWN else self._copy_plain_action

    def bind(
        self,
        item: MessageItem,
        content: object | None,
        reasoning: object | None,
        *,
        last_reply: bool,
        busy: bool,
        model_label: str,
        image_sizes: Mapping[str, tuple[int, int]] | None = None,
    ) -> None:
        """Show ``item`` with these documents; ``last_reply``: offer Regenerate; ``busy``: a reply
        streams; ``image_sizes``: pictures' sizes by hash, for thumbnails as tall as they need."""
        if self._item is not item:
            self._flash_until = 0.0
            if self._editing:
                self._stop_editing()
        self._item = item
        self._is_last_reply = last_reply
        user = item.role is Role.USER
        self._header.setText(self.tr("You") if user else (item.model or model_label or self.tr("Assistant")))
        self._content_view.set_document(content)  # type: ignore[arg-type]
        self._content_view.setVisible(not self._editing and content is not None and bool(item.text))
        # Pictures shown in the text (in place of their markdown) are not repeated below it.
        inlined = getattr(content, "inlined", ())
        thumbnails = [str(part["hash"]) for part in item.images if part["hash"] not in inlined]
        self._images.set_images(thumbnails)
        if thumbnails:
            # Not a square per picture: a wide picture would leave empty space under it.
            tile = thumbnail_row_height(thumbnails, image_sizes or {})
            for index in range(len(thumbnails)):
                self._images.thumb(index).setFixedHeight(tile)
            # A recycled widget had another message's row: its size hint, cached, must go now,
            # before the list measures this row.
            self._images.layout().invalidate()
            self._images.updateGeometry()
        self._web_images.set_urls(_web_urls(item.web_images), item.web_loading)

        has_reasoning = bool(item.reasoning) and reasoning is not None
        self._thinking_button.setVisible(has_reasoning)
        if has_reasoning:
            open_ = item.thinking_visible()
            self._thinking_button.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)
            thinking_now = item.streaming and not item.text
            self._thinking_button.setText(self.tr("Thinking…") if thinking_now else self.tr("Thinking"))
            self._reasoning_view.set_document(reasoning)  # type: ignore[arg-type]
            self._reasoning_frame.setVisible(open_)
        else:
            self._reasoning_view.set_document(None)
            self._reasoning_frame.setVisible(False)

        self._tool_cards.set_calls(item.tool_calls, item.tool_open, notice_of(item))

        error = item.state is MessageState.ERROR
        self._error_box.setVisible(error)
        if error:
            self._error_label.setText(item.error or self.tr("The reply failed."))
            self._retry_button.setEnabled(not busy)
            can_continue = item.finish_reason == TOOL_ROUNDS_REASON and last_reply
            self._continue_button.setVisible(can_continue)
            self._continue_button.setEnabled(not busy)

        self._refresh_status()
        if item.waiting:
            self._tick.start()
        else:
            self._tick.stop()

        prompt, completion = item.prompt_tokens(), item.completion_tokens()
        if not user and (prompt is not None or completion is not None):
            self._usage.setText(
                self.tr("Tokens: {prompt} prompt · {completion} completion").format(
                    prompt=_count(prompt), completion=_count(completion)
                )
            )
            self._usage.show()
        else:
            self._usage.clear()
            self._usage.hide()

        self._actions.setVisible(not item.streaming and not self._editing)
        self._copy_button.setVisible(bool(item.text))
        self._edit_button.setVisible(user)
        self._edit_button.setEnabled(not busy)
        self._regenerate_button.setVisible(not user and last_reply and not error)
        self._regenerate_button.setEnabled(not busy)
        self._delete_button.setEnabled(not item.streaming)
        self._copy_plain_action.setVisible(not user)
        self._copy_markdown_action.setText(self.tr("Copy as Markdown") if not user else self.tr("Copy Text"))
        self._layout.invalidate()
        self.updateGeometry()
        self.update()

    def unbind(self) -> None:
        self._tick.stop()
        if self._editing:
            self._stop_editing()
        self._item = None
        self._content_view.set_document(None)
        self._reasoning_view.set_document(None)

    def flash(self, seconds: float = 1.6) -> None:
        """Draw attention to this message for a moment (a search hit scrolled into view)."""
        self._flash_until = time.monotonic() + seconds
        self.update()
        QTimer.singleShot(int(seconds * 1000) + 20, self.update)

    # -- status -----------------------------------------------------------------------------

    @Slot()
    def _refresh_status(self) -> None:
        item = self._item
        text = ""
        if item is not None and item.role is not Role.USER:
            if item.waiting:
                started = item.live.started_at if item.live is not None else time.monotonic()
                seconds = max(0, int(time.monotonic() - started))
                if seconds >= 1:
                    text = self.tr("Waiting for the model… {seconds} s").format(seconds=seconds)
                else:
                    text = self.tr("Waiting for the model…")
            elif item.state is MessageState.STOPPED:
                text = self.tr("Interrupted — Parla closed before the reply finished.") if item.interrupted else self.tr("Stopped.")
            elif item.state is MessageState.COMPLETE and item.finish_reason == "length":
                text = self.tr("Cut short: the reply reached the token limit.")
            elif item.state is MessageState.COMPLETE and item.finish_reason == "content_filter":
                text = self.tr("Cut short by the server's content filter.")
        if text != self._status.text():
            self._status.setText(text)
        visible = bool(text)
        # isHidden, not isVisible: a recycled widget is bound while hidden, and an empty line left
        # "not hidden" would take a line of height under the message once it is shown.
        if visible == self._status.isHidden():
            self._status.setVisible(visible)
            self.updateGeometry()

    # -- editing ----------------------------------------------------------------------------

    def start_editing(self) -> None:
        """Swap the text for an editor with Save & Send and Cancel (user messages)."""
        item = self._item
        if item is None or item.role is not Role.USER or self._editing:
            return
        if self._editor_box is None:
            box = QWidget(self)
            editor = QPlainTextEdit(box)
            editor.setObjectName("message_editor")
            editor.setAccessibleName(self.tr("Edit message"))
            editor.setToolTip(self.tr("The new text of your message (Tab moves on to Save and Send)"))
            editor.setTabChangesFocus(True)
            editor.textChanged.connect(self._fit_editor)
            save = QPushButton(self.tr("Save and Send"), box)
            save.setObjectName("save_edit_button")
            save.setAccessibleName(self.tr("Save and Send"))
            save.setToolTip(self.tr("Send the changed message; the replies after it are replaced"))
            save.clicked.connect(self._on_save_edit)
            cancel = QPushButton(self.tr("Cancel"), box)
            cancel.setObjectName("cancel_edit_button")
            cancel.setAccessibleName(self.tr("Cancel"))
            cancel.setToolTip(self.tr("Keep the message as it was"))
            cancel.clicked.connect(self._on_cancel_edit)
            editor.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab: through the list, like the buttons
            save.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            buttons = QHBoxLayout()
            buttons.addStretch(1)
            buttons.addWidget(cancel)
            buttons.addWidget(save)
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(editor)
            layout.addLayout(buttons)
            self._editor_box = box
            self._editor = editor
            self._save_button = save
            self._layout.insertWidget(self._layout.indexOf(self._content_view) + 1, box)
        assert self._editor is not None and self._editor_box is not None
        self._editing = True
        self._editor.setPlainText(item.text)
        self._fit_editor()
        self._editor_box.show()
        self._content_view.hide()
        self._actions.hide()
        self._editor.setFocus(Qt.FocusReason.OtherFocusReason)
        cursor = self._editor.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self._editor.setTextCursor(cursor)
        self.updateGeometry()

    def _stop_editing(self) -> None:
        self._editing = False
        if self._editor_box is not None:
            self._editor_box.hide()
        self._content_view.show()
        self._actions.show()
        self.updateGeometry()

    @Slot()
    def _fit_editor(self) -> None:
        editor = self._editor
        if editor is None:
            return
        lines = max(2, min(_EDITOR_MAX_LINES, editor.document().blockCount() + 1))
        height = editor.fontMetrics().lineSpacing() * lines + 2 * editor.frameWidth() + 8
        if editor.height() != height:
            editor.setFixedHeight(height)
            self.updateGeometry()
            self.setMinimumHeight(0)

    @Slot()
    def _on_save_edit(self) -> None:
        if self._item is None or self._editor is None:
            return
        text = self._editor.toPlainText()
        if not text.strip():
            self._editor.setFocus()
            return
        self.edit_submitted.emit(self._item.id, text)

    @Slot()
    def _on_cancel_edit(self) -> None:
        if self._item is None:
            return
        message_id = self._item.id
        self._stop_editing()
        self.edit_cancelled.emit(message_id)

    def finish_editing(self) -> None:
        """The edit was taken (or abandoned): back to showing the message."""
        if self._editing:
            self._stop_editing()

    # -- events -----------------------------------------------------------------------------

    @Slot(str)
    def _on_web_load_requested(self, url: str) -> None:
        if self._item is not None:
            self._item.web_loading.add(url)
            self.web_image_load_requested.emit(self._item.id, url)

    def _request(self, action: str) -> None:
        if self._item is not None:
            self.action_requested.emit(action, self._item.id)

    @Slot(str, bool)
    def _on_tool_card_toggled(self, call_id: str, open_: bool) -> None:
        if self._item is None:
            return
        if open_:
            self._item.tool_open.add(call_id)
        else:
            self._item.tool_open.discard(call_id)
        self.updateGeometry()
        # The list re-measures the row on this signal (a card's height changed like Thinking's).
        self.thinking_toggled.emit(self._item.id, self._item.thinking_visible())

    @Slot()
    def _on_thinking_clicked(self) -> None:
        if self._item is None:
            return
        checked = not self._item.thinking_visible()
        self._item.thinking_open = checked
        self._thinking_button.setArrowType(Qt.ArrowType.DownArrow if checked else Qt.ArrowType.RightArrow)
        self._reasoning_frame.setVisible(checked)
        self.updateGeometry()
        self.thinking_toggled.emit(self._item.id, checked)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self._apply_muted_colors()  # colours and the smaller font follow the theme and text size
        super().changeEvent(event)

    def _apply_muted_colors(self) -> None:
        palette = self.palette()
        muted = QColor(palette.color(QPalette.ColorRole.Text))
        muted.setAlphaF(0.62)
        for label in (self._status, self._usage):
            label_palette = label.palette()
            label_palette.setColor(QPalette.ColorRole.WindowText, muted)
            label.setPalette(label_palette)
        self._reasoning_view.set_text_color(muted)
        small = QFont(self.font())
        if small.pointSizeF() > 0:
            small.setPointSizeF(small.pointSizeF() * 0.9)
        self._usage.setFont(small)
        self._status.setFont(small)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        # While editing, nothing visible may depend on the width (the editor has a fixed height):
        # the layout then has no height-for-width, and its size hint is the answer.
        if self._layout.hasHeightForWidth():
            return self._layout.totalHeightForWidth(width)
        return self._layout.totalSizeHint().height()

    def sizeHint(self) -> QSize:  # noqa: N802
        width = self.width() if self.width() > 0 else 600
        return QSize(width, self.heightForWidth(width))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        item = self._item
        if item is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        if item.role is Role.USER:
            fill = _mix(palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Highlight), 0.12)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, _BUBBLE_RADIUS, _BUBBLE_RADIUS)
        if item.state is MessageState.ERROR:
            box = QRectF(self._error_box.geometry()).adjusted(0.5, 0.5, -0.5, -0.5)
            tint = QColor(210, 60, 60)
            painter.setPen(tint)
            painter.setBrush(_mix(palette.color(QPalette.ColorRole.Base), tint, 0.14))
            painter.drawRoundedRect(box, 6, 6)
        if time.monotonic() < self._flash_until:
            pen_color = QColor(palette.color(QPalette.ColorRole.Highlight))
            painter.setPen(pen_color)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), _BUBBLE_RADIUS, _BUBBLE_RADIUS)
        painter.end()


def _kept_hash(href: str) -> str:
    return href.partition(":")[2]


def _web_urls(parts: list[dict]) -> list[str]:
    """The addresses of pictures sent by their address (``image_url`` parts with an http(s) URL)."""
    urls: list[str] = []
    for part in parts:
        image_url = part.get("image_url")
        url = image_url.get("url") if isinstance(image_url, dict) else None
        if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
            urls.append(url)
    return urls


def _mix(base: QColor, tint: QColor, amount: float) -> QColor:
    return QColor(
        round(base.red() * (1 - amount) + tint.red() * amount),
        round(base.green() * (1 - amount) + tint.green() * amount),
        round(base.blue() * (1 - amount) + tint.blue() * amount),
    )


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"
