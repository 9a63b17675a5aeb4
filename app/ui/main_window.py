"""The main window: three tabs, the menus, the keyboard map and the status bar.

The window owns no API logic. Tab pages are built from :data:`TAB_PAGES` with the shared
:class:`~app.ui.context.AppContext` and only need to satisfy :class:`~app.ui.pages.TabPage`:
Ctrl+1/2/3 show a tab and call its ``focus_main_input()``, Ctrl+Enter calls the current page's
``trigger_main_action()``. Messages from anywhere arrive through the context's ``Notifier``: passing
notes in the status bar, errors in the banner above the tabs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QKeyCombination, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget

from app.ui.about import AboutDialog
from app.ui.chat.page import ChatPage
from app.ui.context import AppContext
from app.ui.images.page import ImagesPage
from app.ui.pages import TabPage
from app.ui.settings.dialog import SettingsDialog
from app.ui.status_bar import ConnectionIndicator, ProfileSwitcher
from app.ui.voice.page import VoicePage
from app.ui.widgets.banner import Banner

__all__ = ["MainWindow", "TAB_PAGES"]

log = logging.getLogger(__name__)

PageFactory = Callable[[AppContext, QWidget], QWidget]

#: The tab pages in order (Ctrl+1, Ctrl+2, Ctrl+3); a later issue swaps its placeholder for the real page.
TAB_PAGES: tuple[PageFactory, ...] = (ChatPage, ImagesPage, VoicePage)

_GEOMETRY_KEY = "main_window/geometry"
_STATE_KEY = "main_window/state"
_TAB_KEY = "main_window/current_tab"


class MainWindow(QMainWindow):
    """Parla's only top-level window."""

    #: Quit was chosen (menu or Ctrl+Q); main.py ends the event loop.
    quit_requested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._settings_dialog: SettingsDialog | None = None
        self._about_box: AboutDialog | None = None
        self.setWindowTitle("Parla")
        self.setObjectName("main_window")

        self._banner = Banner(self)
        self._tabs = QTabWidget(self)
        self._tabs.setDocumentMode(True)
        self._pages: list[QWidget] = []
        titles = (self.tr("Chat"), self.tr("Images"), self.tr("Voice"))
        for factory, title in zip(TAB_PAGES, titles, strict=True):
            page = factory(context, self._tabs)
            assert isinstance(page, TabPage), f"{type(page).__name__} does not implement TabPage"
            self._pages.append(page)
            self._tabs.addTab(page, title)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._banner)
        layout.addWidget(self._tabs, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self._build_shortcuts()
        self._build_status_bar()

        notifier = context.notifier
        notifier.status_posted.connect(self._on_status_posted)
        notifier.banner_posted.connect(self._banner.show_message)
        notifier.banner_cleared.connect(self._banner.clear)

        self._restore_state()

    # -- construction ----------------------------------------------------------------------------

    def _build_menus(self) -> None:
        menu_bar = self.menuBar()

        file_menu = menu_bar.addMenu(self.tr("&File"))
        self._settings_action = QAction(self.tr("&Settings…"), self)
        self._settings_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Comma))
        self._settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self._settings_action.triggered.connect(self._on_settings_triggered)
        file_menu.addAction(self._settings_action)
        file_menu.addSeparator()
        self._quit_action = QAction(self.tr("&Quit"), self)
        self._quit_action.setShortcut(QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Q))
        self._quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self._quit_action.triggered.connect(self._on_quit_triggered)
        file_menu.addAction(self._quit_action)

        view_menu = menu_bar.addMenu(self.tr("&View"))
        self._tab_actions: list[QAction] = []
        keys = (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3)
        for index, key in enumerate(keys):
            action = QAction(self._tabs.tabText(index), self)
            action.setShortcut(QKeySequence(Qt.Modifier.CTRL | key))
            action.setData(index)
            action.triggered.connect(self._on_tab_action_triggered)
            view_menu.addAction(action)
            self._tab_actions.append(action)

        help_menu = menu_bar.addMenu(self.tr("&Help"))
        self._about_action = QAction(self.tr("&About Parla"), self)
        self._about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self._about_action.triggered.connect(self._on_about_triggered)
        help_menu.addAction(self._about_action)

    def _build_shortcuts(self) -> None:
        # Return on the main keyboard and Enter on the keypad both count as "Enter".
        self._main_action_shortcuts: list[QShortcut] = []
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(QKeyCombination(Qt.KeyboardModifier.ControlModifier, key)), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self._on_main_action_shortcut)
            self._main_action_shortcuts.append(shortcut)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        session = self._context.session
        self._profile_switcher = ProfileSwitcher(session, status)
        self._profile_switcher.manage_requested.connect(self._on_manage_profiles_requested)
        self._connection_indicator = ConnectionIndicator(session, status)
        self._connection_indicator.settings_requested.connect(self._on_manage_profiles_requested)
        status.addPermanentWidget(self._profile_switcher)
        status.addPermanentWidget(self._connection_indicator, 1)

    # -- public ----------------------------------------------------------------------------------

    @property
    def tabs(self) -> QTabWidget:
        return self._tabs

    @property
    def pages(self) -> list[QWidget]:
        return list(self._pages)

    @property
    def banner(self) -> Banner:
        return self._banner

    @property
    def settings_action(self) -> QAction:
        return self._settings_action

    @property
    def quit_action(self) -> QAction:
        return self._quit_action

    @property
    def about_action(self) -> QAction:
        return self._about_action

    @property
    def tab_actions(self) -> list[QAction]:
        return list(self._tab_actions)

    @property
    def profile_switcher(self) -> ProfileSwitcher:
        return self._profile_switcher

    @property
    def connection_indicator(self) -> ConnectionIndicator:
        return self._connection_indicator

    @property
    def settings_dialog(self) -> SettingsDialog | None:
        """The settings dialog while it is open."""
        return self._settings_dialog

    @property
    def about_box(self) -> AboutDialog | None:
        return self._about_box

    def show_tab(self, index: int) -> None:
        """Switch to tab ``index`` and put the focus in its main input."""
        if not 0 <= index < self._tabs.count():
            return
        self._tabs.setCurrentIndex(index)
        page = self._tabs.widget(index)
        if isinstance(page, TabPage):
            page.focus_main_input()

    def open_settings(self, page: int = SettingsDialog.PROFILES) -> SettingsDialog:
        """Show the settings dialog (or raise the open one) on ``page``."""
        if self._settings_dialog is None:
            dialog = SettingsDialog(self._context, self)
            dialog.finished.connect(self._on_settings_finished)
            self._settings_dialog = dialog
            dialog.show_page(page)
            dialog.open()
        else:
            self._settings_dialog.show_page(page)
            self._settings_dialog.raise_()
            self._settings_dialog.activateWindow()
        return self._settings_dialog

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(1000, 700)

    # -- slots -----------------------------------------------------------------------------------

    @Slot()
    def _on_settings_triggered(self) -> None:
        self.open_settings()

    @Slot()
    def _on_manage_profiles_requested(self) -> None:
        self.open_settings(SettingsDialog.PROFILES)

    @Slot(int)
    def _on_settings_finished(self, _result: int) -> None:
        dialog, self._settings_dialog = self._settings_dialog, None
        if dialog is not None:
            # Its tasks must unwind before the C++ object goes; dispose() awaits them, then deletes.
            self._context.tasks.spawn(dialog.dispose(), name="settings.dispose")

    @Slot()
    def _on_quit_triggered(self) -> None:
        self.close()
        self.quit_requested.emit()

    @Slot()
    def _on_tab_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.show_tab(int(action.data()))

    @Slot()
    def _on_main_action_shortcut(self) -> None:
        page = self._tabs.currentWidget()
        if isinstance(page, TabPage):
            page.trigger_main_action()

    @Slot()
    def _on_about_triggered(self) -> None:
        if self._about_box is not None:
            self._about_box.raise_()
            self._about_box.activateWindow()
            return
        box = AboutDialog(self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._on_about_finished)
        self._about_box = box
        box.open()

    @Slot(int)
    def _on_about_finished(self, _result: int) -> None:
        self._about_box = None

    @Slot(str, int)
    def _on_status_posted(self, text: str, timeout_ms: int) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    # -- state -----------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        state = self._context.window_state
        geometry = state.bytes_value(_GEOMETRY_KEY)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(self.sizeHint())
        window_state = state.bytes_value(_STATE_KEY)
        if window_state is not None:
            self.restoreState(window_state)
        tab = state.int_value(_TAB_KEY, 0)
        if 0 <= tab < self._tabs.count():
            self._tabs.setCurrentIndex(tab)

    def save_state(self) -> None:
        state = self._context.window_state
        state.set_bytes_value(_GEOMETRY_KEY, self.saveGeometry())
        state.set_bytes_value(_STATE_KEY, self.saveState())
        state.set_int_value(_TAB_KEY, self._tabs.currentIndex())
        state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.save_state()
        if self._settings_dialog is not None:
            self._settings_dialog.reject()
        super().closeEvent(event)
