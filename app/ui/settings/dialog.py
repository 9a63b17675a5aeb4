"""The settings dialog: Profiles, General and Voice pages, saved together by OK or Apply.

The MCP servers page (when the app has a ``ToolService``) is the exception: a server is a live
process with Start and Stop buttons, so its changes take effect at once (the page says so).

It is window-modal but opened with ``open()``, never ``exec()``: a nested event loop would run
asyncio callbacks re-entrantly. Saving is a task (tokens go to the keychain in a worker thread), so
OK only closes the dialog once the save succeeded; a keychain failure keeps it open and explains.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTabWidget, QVBoxLayout, QWidget

from app.credentials import CredentialError
from app.profiles import Profile
from app.ui.context import AppContext
from app.ui.session import default_client_factory
from app.ui.settings.general_page import GeneralPage
from app.ui.settings.profiles_page import ProfilesPage
from app.ui.settings.voice_page import VoiceSettingsPage

if TYPE_CHECKING:
    from app.api.client import Client
    from app.ui.settings.mcp_page import McpServersPage

__all__ = ["SettingsDialog"]

log = logging.getLogger(__name__)


class SettingsDialog(QDialog):
    """Edits profiles (and their tokens) and preferences; nothing is stored before OK or Apply."""

    #: Settings were stored (profiles, tokens and preferences).
    settings_saved = Signal()

    PROFILES = 0
    GENERAL = 1
    VOICE = 2
    MCP = 3

    def __init__(
        self,
        context: AppContext,
        parent: QWidget | None = None,
        *,
        client_factory: Callable[[Profile, str | None], "Client"] = default_client_factory,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._saving = context.tasks.holder("settings.save")
        self.setWindowTitle(self.tr("Settings"))
        self.setModal(True)

        self._profiles_page = ProfilesPage(context.session, context.tasks, client_factory=client_factory, parent=self)
        self._general_page = GeneralPage(context.preferences, self)
        self._tabs = QTabWidget(self)
        self._tabs.addTab(self._profiles_page, self.tr("Profiles"))
        self._tabs.addTab(self._general_page, self.tr("General"))
        self._voice_page = VoiceSettingsPage(context, self)
        self._tabs.addTab(self._voice_page, self.tr("Voice"))
        self._mcp_page: McpServersPage | None = None
        if context.tools is not None:
            from app.ui.settings.mcp_page import McpServersPage

            self._mcp_page = McpServersPage(context.tools, context.tasks, self)
            self._tabs.addTab(self._mcp_page, self.tr("MCP servers"))

        self._status = QLabel(self)
        self._status.setWordWrap(True)
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply,
            self,
        )
        self._buttons.accepted.connect(self._on_ok_clicked)
        self._buttons.rejected.connect(self.reject)
        apply_button = self._buttons.button(QDialogButtonBox.StandardButton.Apply)
        apply_button.clicked.connect(self._on_apply_clicked)

        layout = QVBoxLayout(self)
        layout.addWidget(self._tabs, 1)
        layout.addWidget(self._status)
        layout.addWidget(self._buttons)
        self.resize(900, 700)

    # -- public ----------------------------------------------------------------------------------

    @property
    def profiles_page(self) -> ProfilesPage:
        return self._profiles_page

    @property
    def general_page(self) -> GeneralPage:
        return self._general_page

    @property
    def mcp_page(self) -> McpServersPage | None:
        """The MCP servers page (None when the context has no ToolService)."""
        return self._mcp_page

    @property
    def buttons(self) -> QDialogButtonBox:
        return self._buttons

    @property
    def save_task(self) -> asyncio.Task[bool] | None:
        return self._saving.task

    def show_page(self, index: int) -> None:
        self._tabs.setCurrentIndex(index)

    def open(self) -> None:  # noqa: A003 — QDialog.open
        super().open()
        self._profiles_page.start_loading()

    def save(self) -> asyncio.Task[bool]:
        """Store everything; the task's result says whether it worked."""
        return self._saving.start(self._save())

    async def dispose(self) -> None:
        """Stop the dialog's work and delete it (the window calls this once it has closed)."""
        await self._profiles_page.cancel_work_and_wait()
        await self._saving.cancel_and_wait()
        if self._mcp_page is not None:
            await self._mcp_page.cancel_work_and_wait()
        self.deleteLater()

    # -- saving ----------------------------------------------------------------------------------

    @Slot()
    def _on_ok_clicked(self) -> None:
        self._saving.start(self._save(close=True))

    @Slot()
    def _on_apply_clicked(self) -> None:
        self._saving.start(self._save())

    async def _save(self, *, close: bool = False) -> bool:
        page = self._profiles_page
        if not page.validate():
            self._tabs.setCurrentWidget(page)
            return False
        self._buttons.setEnabled(False)
        self._status.setText(self.tr("Saving…"))
        try:
            await self._context.session.apply_settings(
                page.profiles(),
                page.active_id(),
                page.changed_tokens(),
                session_only=page.session_only(),
                removed_ids=page.removed_ids(),
            )
        except CredentialError as exc:
            self._status.clear()
            self._tabs.setCurrentWidget(page)
            page.show_save_error(exc)
            return False
        finally:
            self._buttons.setEnabled(True)
        page.saved()
        language_changed = self._general_page.apply()
        self._voice_page.apply()
        self._status.setText(self.tr("Settings saved."))
        if language_changed:
            self._context.notifier.info(self.tr("The new language takes effect the next time Parla starts."), 10000)
        self.settings_saved.emit()
        if close:
            self.accept()
        return True

    def reject(self) -> None:
        self._profiles_page.cancel_work()
        self._saving.cancel()
        super().reject()
