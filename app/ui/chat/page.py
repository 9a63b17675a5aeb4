"""The Chat tab: the conversations sidebar, the message list, the composer — and their wiring.

The page is where clicks become calls on the :class:`~app.ui.chat.controller.ChatController` and
where its reports become what the widgets show. Anything that waits (the store, the network)
runs as a task from ``context.tasks``; expected failures (the store, the network) go to the
notifier's banner, never a silent log line. Keyboard: Ctrl+1 puts the cursor in the composer,
Ctrl+Enter sends, Ctrl+N starts a new chat, Esc stops a streaming reply.

The per-conversation settings panel (``settings_panel.py``) is a side panel toggled by the
Settings button; export and import (``export.py``) sit behind a menu button in the toolbar.

Text completions (``completion_view.py``, ``completion_controller.py``) are conversations of their
own kind, listed with the chats (tagged "Completion"): opening one swaps the message list and
composer for the completion view. The arrow beside New offers New chat (Ctrl+N) and New text
completion (Ctrl+Shift+N); Ctrl+Enter, Esc and Ctrl+1 act on whichever is shown.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QHideEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.api.errors import APIError
from app.chat_images import ChatImageError, PreparedImage, fetch_returned_image, make_thumbnail, prepare_image
from app.credentials import CredentialError
from app.store import Conversation, ConversationKind, NotFoundError, StoreClosedError, StoreError, image_part
from app.ui.chat.attachments import (
    THUMBNAIL_SIDE,
    ImageSource,
    PendingImage,
    image_error_text,
    image_sources,
    web_image_error_text,
    web_picture_load_error_text,
)
from app.ui.chat.completion_controller import CompletionController, search_listed
from app.ui.chat.completion_view import CompletionView
from app.ui.chat.composer import Composer
from app.ui.chat.controller import (
    LISTED_KINDS,
    MESSAGE_UNDO_SECONDS,
    ChatController,
    web_image_part,
    web_image_url,
)
from app.ui.chat.conversation_model import MessageListModel
from app.ui.chat.export import ExportActions
from app.ui.chat.image_view import ChatImageCache, ChatImageViewer, remove_old_drag_copies, set_drag_root
from app.ui.chat.markdown import to_plain_text
from app.ui.chat.message_list import MessageListView, warm_lexers
from app.ui.chat.message_widget import MessageAction
from app.ui.chat.semantic_search import SemanticSearch
from app.ui.chat.settings_panel import ConversationSettingsPanel
from app.ui.chat.sidebar import ConversationSidebar
from app.ui.chat.sidebar_model import conversation_title
from app.ui.context import AppContext
from app.ui.errors import NoTokenError, user_message
from app.ui.widgets.elided_label import ElidedLabel

__all__ = ["ChatPage"]

log = logging.getLogger(__name__)

#: The composer's text is saved this long after the last keystroke (and at once on switching).
DRAFT_DELAY_MS = 400
_CONVERSATION_KEY = "chat/conversation"
_SPLITTER_KEY = "chat/splitter"
_EXPECTED = (StoreError, sqlite3.Error, OSError, APIError)
#: What the sidebar lists: chats, voice conversations, text completions.
PAGE_KINDS = LISTED_KINDS | {ConversationKind.COMPLETION}


class ChatPage(QWidget):
    """Conversations on the left; the open one, and the composer, on the right."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chat_page")
        self._context = context
        self._store = context.store
        self.confirmation: QMessageBox | None = None
        self._draft_conversation: int | None = None
        self._draft_dirty = False
        self._pending_scroll: int | None = None
        self._search_holder = context.tasks.holder("chat.search")
        # Work started by this page must not outlive it (a window closed right after opening
        # would otherwise let "chat.start" touch deleted widgets). The slot holds the set, not self.
        own_tasks: set[asyncio.Task[Any]] = set()
        self._own_tasks = own_tasks
        self.destroyed.connect(lambda *_: [task.cancel() for task in list(own_tasks)])
        self._sidebar_stale = False
        self._completion_mode = False

        if self._store is None:
            self._build_unavailable(context.store_error)
            return

        self.model = MessageListModel(self)
        self.sidebar = ConversationSidebar(self)
        self.view = MessageListView(self.model, self)
        self.view.set_empty_text(self.tr("Ask anything. Conversations are kept on this computer."))
        self.composer = Composer(context.preferences, self)
        self.image_cache = ChatImageCache(self._store, context.tasks, self)
        # Copies made for dragging pictures out live in the cache; old ones go at start.
        self.drag_root = context.locations.cache / "drag"
        set_drag_root(self.drag_root)
        self.drag_cleanup = context.tasks.spawn(
            asyncio.to_thread(remove_old_drag_copies, self.drag_root), name="chat.drag-cleanup"
        )
        self.view.set_image_cache(self.image_cache)
        self.viewer: ChatImageViewer | None = None
        self.controller = ChatController(
            self._store, context.session, context.tasks, self.model, self.view.cache, self, context=context
        )
        self.completion_controller = CompletionController(self._store, context.session, context.tasks, self)

        self.title_label = ElidedLabel("", self, max_width=2000)
        self.title_label.setObjectName("conversation_title")
        title_font = self.title_label.font()
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.model_label = QLabel(self)
        self.model_label.setObjectName("conversation_model")
        self.settings_button = QPushButton(self.tr("Settings"), self)
        self.settings_button.setObjectName("conversation_settings_button")
        self.settings_button.setCheckable(True)
        self.settings_button.setToolTip(self.tr("Model, system prompt and parameters of this conversation"))
        self.settings_button.toggled.connect(self._on_settings_toggled)
        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(14, 8, 10, 4)
        toolbar.setSpacing(6)
        toolbar.addWidget(self.title_label, 1)
        toolbar.addWidget(self.model_label)
        toolbar.addSpacing(8)
        self._transfer_widgets = self._make_transfer_actions()
        for widget in self._transfer_widgets:
            toolbar.addWidget(widget)
        toolbar.addWidget(self.settings_button)

        main = QWidget(self)
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.setSpacing(0)
        main_layout.addLayout(toolbar)
        main_layout.addWidget(self.view, 1)
        main_layout.addWidget(self.view.undo_bar)  # Undo after deleting a message
        main_layout.addWidget(self.composer)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("chat_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.main_stack = QStackedWidget(self)
        self.main_stack.setObjectName("chat_main_stack")
        self.main_stack.addWidget(main)
        self.chat_area = main
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.main_stack)
        self.splitter.addWidget(self._make_settings_panel())
        self.settings_panel.hide()
        self.completion_view = CompletionView(
            context, self.completion_controller, self.main_stack, catalog=self.settings_panel.model_picker.catalog
        )
        self.main_stack.addWidget(self.completion_view)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([250, 700, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        saved = context.window_state.bytes_value(_SPLITTER_KEY)
        if saved is not None:
            self.splitter.restoreState(saved)
        self.splitter.splitterMoved.connect(self._on_splitter_moved)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self._save_draft_now)
        self._sidebar_timer = QTimer(self)
        self._sidebar_timer.setSingleShot(True)
        self._sidebar_timer.setInterval(30)
        self._sidebar_timer.timeout.connect(self._reload_sidebar)

        self.new_shortcut = QShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_N), self)
        self.new_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.new_shortcut.setWhatsThis(self.tr("New chat"))
        self.new_shortcut.activated.connect(self.new_chat)
        self.new_completion_shortcut = QShortcut(
            QKeySequence(Qt.Modifier.CTRL | Qt.Modifier.SHIFT | Qt.Key.Key_N), self
        )
        self.new_completion_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.new_completion_shortcut.setWhatsThis(self.tr("New text completion"))
        self.new_completion_shortcut.activated.connect(self.new_completion)
        self._make_new_menu()
        self.stop_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self.stop_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.stop_shortcut.setWhatsThis(self.tr("Stop the reply or the completion being written"))
        self.stop_shortcut.activated.connect(self.stop)
        self.stop_shortcut.setEnabled(False)

        self.composer.send_requested.connect(self.send)
        self.composer.stop_requested.connect(self.stop)
        self.composer.editor.textChanged.connect(self._on_composer_changed)
        self.composer.attachments.changed.connect(self._on_composer_changed)
        self.composer.attachments.detail_combo.currentIndexChanged.connect(self._on_composer_changed)
        self.composer.editor.images_inserted.connect(self.add_image_sources)
        self.composer.attach_requested.connect(self._on_attach_requested)
        self.composer.attachments.remove_requested.connect(self._remove_image)
        self.setAcceptDrops(True)
        self.file_dialog: QFileDialog | None = None
        self.sidebar.new_requested.connect(self.new_chat)
        self.sidebar.conversation_activated.connect(self._on_conversation_activated)
        self.sidebar.rename_requested.connect(self._on_rename_requested)
        self.sidebar.pin_requested.connect(self._on_pin_requested)
        self.sidebar.delete_requested.connect(self._on_delete_requested)
        self.sidebar.undo_requested.connect(self._on_undo_requested)
        self.sidebar.search_requested.connect(self._on_search_requested)
        self.sidebar.hit_activated.connect(self._on_hit_activated)
        self.semantic = SemanticSearch(context, self.sidebar, self)  # the "By meaning" switch and indexing
        self.controller.conversations_changed.connect(self.semantic.history_changed)
        self.view.action_requested.connect(self._on_message_action)
        self.view.edit_submitted.connect(self._on_edit_submitted)
        self.view.status_message.connect(self._on_status_message)
        self.view.image_activated.connect(self.open_image)
        self.view.web_image_load_requested.connect(self.load_web_image)
        self.view.undo_bar.undo_requested.connect(self._on_message_undo_requested)
        self.view.undo_bar.expired.connect(self.controller.finish_undo)
        self.controller.message_undo_ended.connect(self.view.undo_bar.hide_undo)
        self.controller.returned_images_failed.connect(self._on_returned_images_failed)
        self.controller.conversations_changed.connect(self._sidebar_timer.start)
        self.controller.current_changed.connect(self._on_current_changed)
        self.controller.streaming_changed.connect(self._on_streaming_changed)
        self.completion_controller.streaming_changed.connect(self._on_streaming_changed)
        self.completion_controller.current_changed.connect(self._on_completion_current_changed)
        self.completion_controller.conversations_changed.connect(self._sidebar_timer.start)
        self.completion_controller.conversations_changed.connect(self.semantic.history_changed)
        self.completion_view.error_occurred.connect(context.notifier.error)
        context.session.profiles_changed.connect(self._update_header)

        self._set_tab_order()
        restore = context.window_state.int_value(_CONVERSATION_KEY, 0)
        self._on_current_changed()
        self._spawn(self._start(restore), "chat.start")

    # -- the tab-page protocol --------------------------------------------------------------

    def focus_main_input(self) -> None:
        if self._store is None:
            self._unavailable_label.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        if self._completion_mode:
            self.completion_view.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        self.composer.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def trigger_main_action(self) -> None:
        """Ctrl+Enter: send what is in the composer, or complete the text (nothing while busy)."""
        if self._store is None:
            return
        if self._completion_mode:
            self.completion_view.complete()
        elif self.composer.can_send():
            self.send()

    def _set_tab_order(self) -> None:
        """Tab goes as the page reads: the sidebar, the toolbar, the messages (the list leads on
        through the controls of the messages on screen), the composer, Send/Stop, Attach, then
        the settings panel."""
        last = self.sidebar.new_button
        while self.sidebar.isAncestorOf(last.nextInFocusChain()):
            last = last.nextInFocusChain()
        chain = [last, *self._transfer_widgets, self.settings_button, self.view, self.composer.editor,
                 self.composer.send_button, self.composer.stop_button, self.composer.attachments.detail_combo,
                 self.composer.attach_button]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # -- startup ----------------------------------------------------------------------------

    def _build_unavailable(self, error: BaseException | None) -> None:
        text = self.tr("The conversation history could not be opened, so Chat is unavailable.")
        if error is not None:
            text += "\n\n" + user_message(error)
        self._unavailable_label = QLabel(text, self)
        self._unavailable_label.setObjectName("chat_unavailable")
        self._unavailable_label.setWordWrap(True)
        self._unavailable_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._unavailable_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._unavailable_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addWidget(self._unavailable_label)

    async def _start(self, last: int) -> None:
        """Show the conversation list, and reopen the conversation that was open last time."""
        conversations = await self._list_conversations()
        self.sidebar.set_conversations(conversations)
        if last and any(c.id == last for c in conversations):
            await self._open(last)

    async def _list_conversations(self) -> list[Conversation]:
        """Chats, voice conversations and text completions, as the sidebar shows them."""
        conversations = await self._store.list_conversations()  # type: ignore[union-attr]
        return [c for c in conversations if c.kind in PAGE_KINDS]

    # -- actions ----------------------------------------------------------------------------

    @Slot()
    def send(self) -> None:
        if not self.composer.can_send():
            return
        text = self.composer.text()
        self._draft_timer.stop()
        self._spawn(self._send(text), "chat.send")

    async def _send(self, text: str) -> None:
        self.composer.send_button.setEnabled(False)
        attachments = self.composer.attachments
        images = attachments.images()
        detail = attachments.detail()
        try:
            pending = [image.task for image in images if image.task is not None and not image.task.done()]
            if pending:  # still being prepared: a moment more
                await asyncio.wait(pending)
            images = [image for image in attachments.images() if image in images]  # bad ones were removed
            if not text.strip() and not images:
                return
            prepared = [image.payload for image in images if image.payload is not None]
            if len(prepared) != len(images):
                return  # one failed without being removed (cancelled): keep everything as it is
            sent = await self.controller.send(text, images=prepared, detail=detail if images else None)
        finally:
            self.composer.set_streaming(self.controller.is_streaming())
        if sent:
            # Only now, with the message stored, does the composer let go of the text and pictures.
            if self.composer.text() == text:
                self.composer.clear()
            for image in images:
                attachments.remove(image)
            self._draft_dirty = False
            self.view.scroll_to_bottom()

    # -- pictures in the conversation -------------------------------------------------------

    @Slot(str)
    def open_image(self, digest: str) -> None:
        """Open a kept picture in the viewer (zoom, fit, Copy, Save as)."""
        self._spawn(self._open_image(digest), "chat.view-picture")

    async def _open_image(self, digest: str) -> None:
        data, mime = await self.image_cache.picture(digest)
        if self.viewer is not None:
            self.viewer.close()  # one viewer at a time
        viewer = ChatImageViewer(
            data, mime, tasks=self._context.tasks, notifier=self._context.notifier, name=f"picture-{digest[:8]}", parent=self
        )
        viewer.finished.connect(lambda _result: self._forget_viewer(viewer))
        self.viewer = viewer
        viewer.show()

    @Slot(int, str)
    def load_web_image(self, message_id: int, url: str) -> None:
        """Load picture (the user's consent): download a picture sent by its address, keep it, show it."""
        self._spawn(self._load_web_image(message_id, url), "chat.load-web-picture")

    async def _load_web_image(self, message_id: int, url: str) -> None:
        item = next((item for item in self.model.items if item.id == message_id), None)
        host = QUrl(url).host() or url
        try:
            client = self._context.session.require_client()
            data, mime = await fetch_returned_image(client, url)
            record = await self._store.put_attachment(data, mime)
            message = await self._store.get_message(message_id)
            if message is None:
                return  # deleted meanwhile
            content: list[dict[str, Any]] = []
            for part in message.content:
                if web_image_url(part) == url:
                    detail = part["image_url"].get("detail")
                    # The kept copy, linked so it survives a restart; where it came from stays with it.
                    part = image_part(record.hash, detail=detail if isinstance(detail, str) else None, source_url=url)
                    if part in content:
                        continue  # the same address twice: one kept copy
                content.append(dict(part))
            message = await self._store.edit_message(message_id, content)
        except (ChatImageError, APIError, NoTokenError, CredentialError, StoreError, OSError) as exc:
            log.info("chat: a picture sent by its address could not be loaded: %s", type(exc).__name__)
            self._context.notifier.warn(web_picture_load_error_text(exc, host))
            if item is not None:
                item.web_loading.discard(url)
                self.model.changed_item(item, content=False)
            return
        if item is not None:
            item.web_loading.discard(url)
            item.images = [dict(part) for part in message.images]
            item.web_images = [dict(part) for part in message.content if part.get("type") == "image_url"]
            item.revision += 1
            self.model.changed_item(item, content=False)

    def _forget_viewer(self, viewer: ChatImageViewer) -> None:
        if self.viewer is viewer:
            self.viewer = None

    @Slot(int, str)
    def _on_returned_images_failed(self, _count: int, text: str) -> None:
        self._context.notifier.warn(text)

    # -- pictures in the composer -----------------------------------------------------------

    def attach_image_file(self, path: str) -> None:
        """Add a picture file to the composer (the Images tab's "Send to chat" calls this)."""
        if self._store is None:
            return
        from pathlib import Path

        self.add_image_sources([ImageSource(str(path), Path(path).name)])

    @Slot(list)
    def add_image_sources(self, sources: list[ImageSource]) -> None:
        """Pictures dropped, pasted or attached: thumbnails at once, prepared for sending meanwhile."""
        if self._store is None:
            return
        for source in sources:
            pending = PendingImage(source)
            self.composer.attachments.add(pending)
            pending.task = self._context.tasks.spawn(self._process_image(pending), name="chat.image")

    async def _process_image(self, pending: PendingImage) -> None:
        source = pending.source
        if source.url is not None:
            await self._process_web_image(pending)
            return
        max_side = self._context.preferences.chat_image_max_side
        try:
            thumbnail = await asyncio.to_thread(make_thumbnail, source.data, THUMBNAIL_SIDE)
            self.composer.attachments.set_thumbnail(pending, thumbnail)
            prepared = await asyncio.to_thread(
                prepare_image, source.data, max_side=max_side, name=source.name or None
            )
            pending.prepared = prepared
            # Kept at once, so the conversation's draft can name it (the store's grace period
            # protects it until the draft or a message does).
            record = await self._store.put_attachment(  # type: ignore[union-attr]
                prepared.data, prepared.mime, width=prepared.width, height=prepared.height
            )
            pending.hash = record.hash
            if self.composer.attachments.tile(pending) is not None:
                self._on_composer_changed()
        except ChatImageError as exc:
            log.info("chat: a picture was refused: %s", exc.kind)
            self.composer.attachments.remove(pending)
            self._context.notifier.warn(image_error_text(exc, source.name))
        except (OSError, StoreError) as exc:
            self.composer.attachments.remove(pending)
            self._context.notifier.error(exc)

    async def _process_web_image(self, pending: PendingImage) -> None:
        """A picture dragged from a web page: its address as it is, or downloaded first (a preference)."""
        source = pending.source
        url = source.url or ""
        name = source.name or url
        attachments = self.composer.attachments
        if self._context.preferences.chat_web_image_mode != "download":
            if source.data:  # the browser gave the pixels too: a thumbnail from them
                try:
                    attachments.set_thumbnail(
                        pending, await asyncio.to_thread(make_thumbnail, source.data, THUMBNAIL_SIDE)
                    )
                except ChatImageError:
                    pass
            tile = attachments.tile(pending)
            if pending.thumbnail is None and tile is not None:
                tile.show_address()
            pending.web_url = url
            if tile is not None:
                self._on_composer_changed()
            return
        try:
            client = self._context.session.require_client()
            data, _mime = await fetch_returned_image(client, url)
        except (ChatImageError, APIError, NoTokenError, CredentialError) as exc:
            log.info("chat: a web picture could not be downloaded: %s", type(exc).__name__)
            attachments.remove(pending)
            self._context.notifier.warn(web_image_error_text(exc, name))
            return
        pending.source = ImageSource(data, name)
        await self._process_image(pending)

    @Slot(object)
    def _remove_image(self, pending: PendingImage) -> None:
        if pending.task is not None and not pending.task.done():
            pending.task.cancel()
        self.composer.attachments.remove(pending)

    @Slot()
    def _on_attach_requested(self) -> None:
        dialog = QFileDialog(self, self.tr("Attach pictures"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters(
            [
                self.tr("Pictures (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff)"),
                self.tr("All files (*)"),
            ]
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(lambda files: [self.attach_image_file(path) for path in files])
        self.file_dialog = dialog
        dialog.open()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self._store is not None and image_sources(event.mimeData()):
            event.acceptProposedAction()
            return
        super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if self._store is not None and image_sources(event.mimeData()):
            event.acceptProposedAction()
            return
        super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        sources = image_sources(event.mimeData()) if self._store is not None else []
        if sources:
            event.acceptProposedAction()
            self.add_image_sources(sources)
            return
        super().dropEvent(event)

    @Slot()
    def stop(self) -> None:
        if self._completion_mode:
            self.completion_controller.stop()
        else:
            self.controller.stop()

    @Slot()
    def new_chat(self) -> None:
        """Ctrl+N: an empty conversation (written to the store once something is typed or sent)."""
        if self._store is None:
            return
        if not self._completion_mode and self.controller.current is None and not self.composer.text().strip():
            self.focus_main_input()
            return
        self._spawn(self._open_new_chat(), "chat.open")
        if not self._completion_mode:
            self.focus_main_input()

    async def _open_new_chat(self) -> None:
        await self._open(None, focus_input=True)
        if self.settings_panel.isVisible() and self.controller.current is None:
            # The settings panel is open: the new chat needs its row now, or the panel stays disabled.
            await self.controller.ensure_conversation()

    @Slot()
    def new_completion(self) -> None:
        """Ctrl+Shift+N: an empty text completion (written once something is typed)."""
        if self._store is None:
            return
        if (
            self._completion_mode
            and self.completion_controller.current is None
            and not self.completion_view.editor.text().strip()
        ):
            self.focus_main_input()
            return
        self._spawn(self._open_completion(None, focus_input=True), "chat.open")

    def _make_new_menu(self) -> None:
        """The arrow beside New: New chat, New text completion (with their shortcuts)."""
        button = self.sidebar.new_menu_button
        button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")  # the arrow says it
        button.setAccessibleName(self.tr("More kinds of conversation"))
        button.setToolTip(self.tr("Start a new chat or a new text completion"))
        menu = QMenu(button)
        chat_text = self.tr("New chat")
        completion_text = self.tr("New text completion")
        self.new_chat_action = menu.addAction(f"{chat_text}\tCtrl+N")
        self.new_chat_action.setToolTip(self.tr("A conversation with the model (Ctrl+N)"))
        self.new_chat_action.triggered.connect(self.new_chat)
        self.new_completion_action = menu.addAction(f"{completion_text}\tCtrl+Shift+N")
        self.new_completion_action.setToolTip(
            self.tr("A text the model continues, with the completions endpoint (Ctrl+Shift+N)")
        )
        self.new_completion_action.triggered.connect(self.new_completion)
        menu.setToolTipsVisible(True)
        button.setMenu(menu)

    def _show_mode(self, *, completion: bool) -> None:
        """Show the completion view or the chat (message list and composer)."""
        self._completion_mode = completion
        self.main_stack.setCurrentWidget(self.completion_view if completion else self.chat_area)
        self.settings_panel.setVisible(not completion and self.settings_button.isChecked())
        self._on_streaming_changed()

    async def _kind_of(self, conversation_id: int) -> ConversationKind | None:
        conversation = self.sidebar.model.conversation(conversation_id)
        if conversation is None:
            conversation = await self._store.get_conversation(conversation_id)  # type: ignore[union-attr]
        return conversation.kind if conversation is not None else None

    async def _open_completion(self, conversation_id: int | None, *, focus_input: bool = False) -> None:
        """Show a text completion (None: a new one); the chat side is left with nothing open."""
        previous = self.completion_controller.current_id
        await self._flush_draft()
        self.view.end_edit()
        self._completion_mode = True  # from now on the chat controller's reports are about a hidden side
        if self.controller.current is not None:
            await self.controller.open_conversation(None)
        await self.completion_view.open(conversation_id)
        self._show_mode(completion=True)
        self._on_completion_current_changed()
        if focus_input:
            self.focus_main_input()
        if previous is not None and previous != conversation_id:
            self._spawn(self.completion_controller.drop_if_empty(previous), "chat.drop-empty")

    async def _leave_completion(self) -> None:
        """Back to the chat: the completion's text written, its request stopped."""
        previous = self.completion_controller.current_id
        await self.completion_view.open(None)  # writes the text, stops a request, lets go of it
        if previous is not None:
            self._spawn(self.completion_controller.drop_if_empty(previous), "chat.drop-empty")

    def new_conversation(self) -> None:
        """The tray's "New chat" (``MainWindow``'s ``NEW_CHAT_HOOK``): the same as Ctrl+N."""
        self.new_chat()

    async def _open(
        self, conversation_id: int | None, *, focus_message: int | None = None, focus_input: bool = False
    ) -> None:
        if conversation_id is not None and await self._kind_of(conversation_id) is ConversationKind.COMPLETION:
            await self._open_completion(conversation_id)
            if focus_message is not None and self.completion_controller.current_id == conversation_id:
                await self.completion_view.reveal_message(focus_message)
            return
        if self._completion_mode or self.completion_controller.current is not None:
            await self._leave_completion()
            self._show_mode(completion=False)
            if focus_input:
                self.focus_main_input()
        await self._flush_draft()
        self.view.end_edit()
        conversation = await self.controller.open_conversation(conversation_id)
        if conversation is not None:
            warm_lexers()  # a reply's first code block then costs no frame
        # (A new, empty chat warms them when the user starts typing: until then, no memory for them.)
        self.composer.set_text(conversation.draft_text if conversation is not None else "")
        self._restore_draft_images(conversation.draft_attachments if conversation is not None else [])
        self._draft_conversation = conversation.id if conversation is not None else None
        self._draft_dirty = False
        self.view.ensure_layout()
        if focus_message is not None:
            await self.controller.wait_loaded()
            row = self.model.row_of(focus_message)
            if row >= 0:
                self.view.scroll_to_row(row, flash=True)
        else:
            self.view.scroll_to_bottom()

    # -- the composer's draft ---------------------------------------------------------------

    def _draft_parts(self) -> list[dict[str, Any]]:
        """The composer's pictures as the draft keeps them (those not yet prepared follow later)."""
        attachments = self.composer.attachments
        detail = attachments.detail()
        parts: list[dict[str, Any]] = []
        for pending in attachments.images():
            if pending.hash is not None:
                parts.append(image_part(pending.hash, detail=detail if detail != "auto" else None))
            elif pending.web_url is not None:
                parts.append(web_image_part(pending.web_url, detail if detail != "auto" else None))
        return parts

    def _restore_draft_images(self, parts: list[dict[str, Any]]) -> None:
        """Put the open conversation's draft pictures in the composer (those of the last one go)."""
        attachments = self.composer.attachments
        attachments.blockSignals(True)
        try:
            for pending in attachments.images():
                if pending.task is not None and not pending.task.done():
                    pending.task.cancel()
                attachments.remove(pending)
            details = {str(part.get("detail")) for part in parts if part.get("detail")}
            for part in parts:
                url = web_image_url(part)
                if url is not None:  # a web picture sent by its address
                    pending = PendingImage(ImageSource(b"", url.rsplit("/", 1)[-1], url=url), web_url=url)
                    attachments.add(pending)
                    tile = attachments.tile(pending)
                    if tile is not None:
                        tile.show_address()
                    continue
                if part.get("type") != "image" or not part.get("hash"):
                    continue
                pending = PendingImage(ImageSource(b"", ""), hash=str(part["hash"]))
                attachments.add(pending)
                pending.task = self._context.tasks.spawn(self._restore_image(pending), name="chat.draft-image")
            details |= {str(part["image_url"]["detail"]) for part in parts if web_image_url(part) and part["image_url"].get("detail")}
            if len(details) == 1:
                attachments.set_detail(details.pop())
        finally:
            attachments.blockSignals(False)
        self.composer._update_buttons()

    async def _restore_image(self, pending: PendingImage) -> None:
        """A draft picture back from the store: the kept (already prepared) bytes, and a thumbnail."""
        digest = pending.hash or ""
        try:
            record = await self._store.get_attachment(digest)  # type: ignore[union-attr]
            if record is None:
                raise StoreError(f"the picture {digest[:12]} is no longer kept")
            data = await self._store.read_attachment(digest)  # type: ignore[union-attr]
            pending.source = ImageSource(data, "")
            pending.prepared = PreparedImage(
                data=data, mime=record.mime, width=record.width or 0, height=record.height or 0
            )
            thumbnail = await asyncio.to_thread(make_thumbnail, data, THUMBNAIL_SIDE)
            self.composer.attachments.set_thumbnail(pending, thumbnail)
        except (ChatImageError, StoreError, OSError) as exc:
            log.warning("chat: a draft picture could not be restored: %s", type(exc).__name__)
            pending.hash = None
            if self.composer.attachments.remove(pending):
                self._on_composer_changed()
            self._context.notifier.warn(self.tr("A picture of the draft is no longer kept, so it was removed."))

    @Slot()
    def _on_composer_changed(self) -> None:
        warm_lexers()  # once: in the formula worker, while the user is still typing
        self._draft_dirty = True
        self._draft_conversation = self.controller.current_id
        self._draft_timer.start()

    @Slot()
    def _save_draft_now(self) -> None:
        if self._draft_dirty:
            self._spawn(self._flush_draft(), "chat.draft")

    async def _flush_draft(self) -> None:
        """Write the composer's text to its conversation now (switching away, leaving, a timer)."""
        self._draft_timer.stop()
        if not self._draft_dirty:
            return
        self._draft_dirty = False
        text = self.composer.text()
        parts = self._draft_parts()
        conversation_id = self._draft_conversation
        if conversation_id is not None and conversation_id != self.controller.current_id:
            # Typed in a conversation that is no longer open: its text still belongs to it.
            await self._store.save_draft(conversation_id, text, parts)  # type: ignore[union-attr]
            return
        await self.controller.save_draft(self.controller.current_id, text, parts)
        self._draft_conversation = self.controller.current_id

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        # Leaving the tab or closing the window: the draft is written now, not in 400 ms.
        if self._store is not None:
            self.completion_view.save_immediately()
        if self._store is not None and self._draft_dirty:
            self._draft_timer.stop()
            self._draft_dirty = False
            if self._draft_conversation is not None:
                try:
                    future = self._store.save_draft(
                        self._draft_conversation, self.composer.text(), self._draft_parts()
                    )
                except StoreError:
                    pass
                else:
                    future.add_done_callback(_log_future)
            elif self.composer.text().strip() or self._draft_parts():
                self._draft_dirty = True
                self._spawn(self._flush_draft(), "chat.draft")
        super().hideEvent(event)

    # -- sidebar ----------------------------------------------------------------------------

    @Slot()
    def _reload_sidebar(self) -> None:
        if not self.isVisible():
            self._sidebar_stale = True  # reloaded when the tab shows again
            return
        self._sidebar_stale = False
        self._spawn(self._reload_sidebar_now(), "chat.sidebar")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._store is not None and self._sidebar_stale:
            self._sidebar_timer.start()

    async def _reload_sidebar_now(self) -> None:
        conversations = await self._list_conversations()
        self.sidebar.set_conversations(conversations)
        self.controller.refresh_current(conversations)
        self.completion_controller.refresh_current(conversations)
        self.sidebar.set_current(self._current_id())
        if self.sidebar.searching():
            self._on_search_requested(self.sidebar.search_edit.text().strip())

    def _current_id(self) -> int | None:
        """The conversation shown: the open completion, or the open chat."""
        return self.completion_controller.current_id if self._completion_mode else self.controller.current_id

    @Slot(int)
    def _on_conversation_activated(self, conversation_id: int) -> None:
        if conversation_id != self._current_id():
            self._spawn(self._open(conversation_id), "chat.open")

    @Slot(int, str)
    def _on_rename_requested(self, conversation_id: int, title: str) -> None:
        self._spawn(self.controller.rename(conversation_id, title), "chat.rename")

    @Slot(int, bool)
    def _on_pin_requested(self, conversation_id: int, pinned: bool) -> None:
        self._spawn(self.controller.set_pinned(conversation_id, pinned), "chat.pin")

    @Slot(int)
    def _on_delete_requested(self, conversation_id: int) -> None:
        self._spawn(self._delete_conversation(conversation_id), "chat.delete")

    async def _delete_conversation(self, conversation_id: int) -> None:
        conversation = self.sidebar.model.conversation(conversation_id)
        title = conversation_title(conversation.title if conversation is not None else "")
        if conversation_id == self._current_id():
            await self._flush_draft()
            neighbour = self._neighbour_of(conversation_id)
            if self._completion_mode:
                await self.completion_view.flush()
                await self.completion_controller.stop_and_wait()
            await self.controller.delete_conversation(conversation_id)
            await self._open(neighbour)
        else:
            await self.controller.delete_conversation(conversation_id)
        self.sidebar.show_undo(self.tr("“{title}” deleted.").format(title=title), conversation_id)

    def _neighbour_of(self, conversation_id: int) -> int | None:
        ids = [c.id for c in self.sidebar.model.conversations()]
        if conversation_id not in ids:
            return None
        index = ids.index(conversation_id)
        others = ids[index + 1 :] + list(reversed(ids[:index]))
        return others[0] if others else None

    @Slot(int)
    def _on_undo_requested(self, conversation_id: int) -> None:
        self._spawn(self._undo_delete(conversation_id), "chat.undo")

    async def _undo_delete(self, conversation_id: int) -> None:
        await self.controller.restore_conversation(conversation_id)
        await self._open(conversation_id)

    @Slot(str)
    def _on_search_requested(self, query: str) -> None:
        if not query:
            self._search_holder.cancel()
            return
        self._search_holder.start(self._guard(self._search(query)))

    async def _search(self, query: str) -> None:
        # Chats, voice conversations and text completions (the controller's search knows only the first two).
        hits = await self._store.run(lambda s: search_listed(s, query, 50, PAGE_KINDS))  # type: ignore[union-attr]
        hits, meaning = await self.semantic.search(query, hits)  # unchanged unless "By meaning" is on
        self.sidebar.results.set_completions(
            {c.id for c in self.sidebar.model.conversations() if c.kind is ConversationKind.COMPLETION}
        )
        self.sidebar.set_results(query, hits, meaning)

    @Slot(int, int)
    def _on_hit_activated(self, conversation_id: int, message_id: int) -> None:
        focus = message_id if message_id >= 0 else None
        if conversation_id == self._current_id() and self._completion_mode:
            if focus is not None:
                self._spawn(self.completion_view.reveal_message(focus), "chat.completion.reveal")
            return
        if conversation_id == self._current_id():
            if focus is not None:
                row = self.model.row_of(focus)
                if row >= 0:
                    self.view.scroll_to_row(row, flash=True)
            return
        self._spawn(self._open(conversation_id, focus_message=focus), "chat.open")

    # -- messages ---------------------------------------------------------------------------

    @Slot(str, int)
    def _on_message_action(self, action: str, message_id: int) -> None:
        item = self.model.find(message_id)
        if item is None:
            return
        if action == MessageAction.COPY_MARKDOWN:
            QGuiApplication.clipboard().setText(item.text)
            self._context.notifier.info(self.tr("Message copied."))
        elif action == MessageAction.COPY_PLAIN:
            QGuiApplication.clipboard().setText(to_plain_text(item.text))
            self._context.notifier.info(self.tr("Message copied as plain text."))
        elif action == MessageAction.EDIT:
            if not self.controller.is_streaming():
                self.view.begin_edit(message_id)
        elif action in (MessageAction.REGENERATE, MessageAction.RETRY):
            self._spawn(self._regenerate(message_id), "chat.regenerate")
        elif action == MessageAction.CONTINUE:
            self._spawn(self.controller.continue_tools(message_id), "chat.continue-tools")
        elif action == MessageAction.DELETE:
            self._spawn(self._delete_message(message_id), "chat.delete-message")

    async def _regenerate(self, message_id: int) -> None:
        later = self.controller.replaced_by_regenerate(message_id)
        if later == 1:
            text = self.tr("Asking again replaces this reply and the message after it.")
        else:
            text = self.tr("Asking again replaces this reply and the {count} messages after it.").format(count=later)
        if later and not await self._confirm(self.tr("Replace later messages?"), text, self.tr("Replace")):
            return
        await self.controller.regenerate(message_id)
        self.view.scroll_to_bottom()

    @Slot(int, str)
    def _on_edit_submitted(self, message_id: int, text: str) -> None:
        self._spawn(self._edit_and_resend(message_id, text), "chat.edit")

    async def _edit_and_resend(self, message_id: int, text: str) -> None:
        later = self.controller.later_messages(message_id)
        if later == 1:
            question = self.tr("Sending the edited message replaces the message after it.")
        else:
            question = self.tr("Sending the edited message replaces the {count} messages after it.").format(count=later)
        if later and not await self._confirm(self.tr("Replace later messages?"), question, self.tr("Send")):
            return  # the editor stays open with the text
        if await self.controller.edit_and_resend(message_id, text):
            self.view.end_edit()
            self.view.scroll_to_bottom()

    async def _delete_message(self, message_id: int) -> None:
        """No question first: the message goes at once and the bar under the list offers Undo."""
        trash_id = await self.controller.delete_message(message_id)
        if trash_id is not None:
            self.view.undo_bar.show_undo(self.tr("Message deleted."), trash_id, MESSAGE_UNDO_SECONDS)

    @Slot(int)
    def _on_message_undo_requested(self, trash_id: int) -> None:
        self._spawn(self._undo_message_delete(trash_id), "chat.undo-message")

    async def _undo_message_delete(self, trash_id: int) -> None:
        try:
            message = await self.controller.undo_delete_message(trash_id)
        except NotFoundError:
            self._context.notifier.error(self.tr("The message can no longer be brought back."))
            return
        if message.conversation_id != self._current_id():
            await self._open(message.conversation_id, focus_message=message.id)
            return
        row = self.model.row_of(message.id)
        if row >= 0:
            self.view.scroll_to_row(row, flash=True)

    async def _confirm(self, title: str, text: str, accept: str) -> bool:
        """Ask in a window-modal box opened with open() (no nested event loop)."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, self)
        ok = box.addButton(accept, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(ok)
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def finished(_result: int) -> None:
            if not future.done():
                future.set_result(box.clickedButton() is ok)

        box.finished.connect(finished)
        self.confirmation = box
        box.open()
        try:
            return await future
        finally:
            self.confirmation = None
            box.deleteLater()

    # -- reports from the controller --------------------------------------------------------

    @Slot()
    def _on_completion_current_changed(self) -> None:
        if not self._completion_mode:
            return
        conversation = self.completion_controller.current
        cid = conversation.id if conversation is not None else None
        self._context.window_state.set_int_value(_CONVERSATION_KEY, cid or 0)
        self.sidebar.set_current(cid)
        self.export_actions.set_current_conversation(cid)

    @Slot()
    def _on_current_changed(self) -> None:
        if self._completion_mode:
            self._update_header()
            self._sync_settings_panel()
            self._on_completion_current_changed()
            return
        conversation = self.controller.current
        # Reopened at the next start (0: a new chat).
        self._context.window_state.set_int_value(_CONVERSATION_KEY, conversation.id if conversation is not None else 0)
        self.sidebar.set_current(conversation.id if conversation is not None else None)
        self._update_header()
        self._on_streaming_changed()
        self._sync_settings_panel()
        self.export_actions.set_current_conversation(conversation.id if conversation is not None else None)

    @Slot()
    def _update_header(self) -> None:
        conversation = self.controller.current
        self.title_label.setText(conversation_title(conversation.title if conversation is not None else ""))
        model = self.controller.model_for(conversation)
        self.model_label.setText(model)
        self.model_label.setToolTip(self.tr("The model this conversation asks"))
        self.view.set_model_label(model)

    @Slot()
    def _on_streaming_changed(self) -> None:
        streaming = self.controller.is_streaming()
        self.composer.set_streaming(streaming)
        self.view.set_busy(streaming)
        if self._completion_mode:
            self.stop_shortcut.setEnabled(self.completion_controller.is_streaming())
        else:
            self.stop_shortcut.setEnabled(streaming)

    @Slot(str)
    def _on_status_message(self, text: str) -> None:
        self._context.notifier.info(text)

    @Slot(int, int)
    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        self._context.window_state.set_bytes_value(_SPLITTER_KEY, QByteArray(self.splitter.saveState()))

    # -- integration points -----------------------------------------------------------------

    def _make_settings_panel(self) -> ConversationSettingsPanel:
        """The per-conversation settings (model, system prompt, parameters, presets): a side panel
        toggled by the Settings button. Its reports are stored on the conversation they belong to."""
        panel = ConversationSettingsPanel(self._context, self)
        panel.setObjectName("conversation_settings_panel")
        panel.conversation_settings_changed.connect(self._on_conversation_settings_changed)
        self.settings_panel = panel
        return panel

    def _sync_settings_panel(self) -> None:
        self.settings_panel.set_conversation(self.controller.current)

    @Slot(int, str, dict)
    def _on_conversation_settings_changed(self, conversation_id: int, model: str, settings: dict) -> None:
        self._spawn(self.controller.update_settings(conversation_id, model=model, settings=settings), "chat.settings")

    @Slot(bool)
    def _on_settings_toggled(self, shown: bool) -> None:
        self.settings_panel.setVisible(shown)
        if shown and self.controller.current is None:
            # A new chat has no row yet: make one, so its settings have somewhere to go.
            self._spawn(self.controller.ensure_conversation(), "chat.create")

    def _make_transfer_actions(self) -> list[QWidget]:
        """Export and import (``app.ui.chat.export``) behind one menu button in the toolbar."""
        self.export_actions = ExportActions(self._context, self)
        self.export_actions.conversations_imported.connect(self._on_conversations_imported)
        button = QToolButton(self)
        button.setObjectName("export_button")
        button.setText(self.tr("Export / Import"))
        button.setAccessibleName(self.tr("Export or import"))
        button.setToolTip(self.tr("Save conversations to a file, or bring conversations in from one"))
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        for action in self.export_actions.actions():
            menu.addAction(action)
        button.setMenu(menu)
        return [button]

    @Slot(list)
    def _on_conversations_imported(self, ids: list) -> None:
        self._sidebar_timer.start()
        if ids:
            self._spawn(self._open(int(ids[0])), "chat.open")

    # -- plumbing ---------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = self._context.tasks.spawn(self._guard(coro), name=name)
        self._own_tasks.add(task)
        task.add_done_callback(self._own_tasks.discard)
        task.add_done_callback(lambda _task: coro.close())  # cancelled before it started: no warning
        return task

    async def _guard(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Expected failures (store, network) go to the banner; anything else is a bug (crash dialog)."""
        try:
            return await coro
        except StoreClosedError:
            log.info("chat: the store closed under a task (Parla is quitting)")
            return None
        except _EXPECTED as exc:
            log.warning("chat: %s", type(exc).__name__, exc_info=exc)
            self._context.notifier.error(exc)
            return None


def _log_future(future: asyncio.Future[Any]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("saving the draft failed", exc_info=future.exception())
