"""The main window: three tabs, the menus, the keyboard map, the status bar and the tray icon.

The window owns no API logic. Tab pages come from :data:`TAB_PAGES` and only need to satisfy
:class:`~app.ui.pages.TabPage`: Ctrl+1/2/3 show a tab and call its ``focus_main_input()``,
Ctrl+Enter calls the current page's ``trigger_main_action()``. Messages from anywhere arrive
through the context's ``Notifier``: passing notes in the status bar, errors in the banner above
the tabs.

**Pages are built on first use.** Each tab holds an empty slot; a page is imported and constructed
when its tab is first shown (clicked, Ctrl+1/2/3, Ctrl+Tab, a tray action), so a cold start pays
only for the tab the user sees — and that one is built right *after* the window's first frame (its
first expose), so the window appears at once and its tab fills in a moment later instead of the
whole window waiting for the heaviest page. An entry of :data:`TAB_PAGES` may be the page class
itself or ``"module:Class"``, which also delays the *import* of the page's module (and whatever it
imports at the top) until then. :meth:`MainWindow.page` builds one on demand, :attr:`pages` all.

**Optional hooks.** The tray's "New chat" and "Push to talk" call ``new_conversation()`` on the
Chat page and ``start_push_to_talk()`` on the Voice page when those pages have them; otherwise the
menu items are disabled, so they never pretend.

**Close to tray.** With the ``tray`` preference on and a notification area present, closing the
window hides it and Parla keeps running; Quit (menu, Ctrl+Q, tray) ends it.
"""

from __future__ import annotations

import importlib
import logging
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

# Not ``Qt`` nor ``QEvent``: importing either makes PySide6 build their ~100 enums (~15 ms) before
# the first frame. The methods that need them import them when they run.
from PySide6.QtCore import QSize, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import QMainWindow, QTabWidget, QVBoxLayout, QWidget

from app.settings import Preferences, WindowState

if TYPE_CHECKING:
    from app.ui.about import AboutDialog
    from app.ui.context import AppContext
    from app.ui.models_dialog import ModelsDialog
    from app.ui.settings.dialog import SettingsDialog
    from app.ui.shortcuts_dialog import ShortcutEntry, ShortcutsDialog
    from app.ui.status_bar import ConnectionIndicator, ProfileSwitcher
    from app.ui.tray import TrayIcon
    from app.ui.widgets.banner import Banner

__all__ = ["CHAT_TAB", "IMAGES_TAB", "TAB_PAGES", "VOICE_TAB", "MainWindow"]

log = logging.getLogger(__name__)

PageFactory = Callable[["AppContext", QWidget], QWidget]

#: The tab pages in order (Ctrl+1, Ctrl+2, Ctrl+3): a page class, or "module:Class" to import it on
#: first use too. Each tab's issue replaces its own line.
TAB_PAGES: tuple[PageFactory | str, ...] = (
    "app.ui.chat.page:ChatPage",
    "app.ui.images.page:ImagesPage",
    "app.ui.voice.page:VoicePage",
)

CHAT_TAB, IMAGES_TAB, VOICE_TAB = 0, 1, 2

#: Optional page methods the window offers elsewhere (tray menu): (tab, method name).
NEW_CHAT_HOOK = (CHAT_TAB, "new_conversation")
PUSH_TO_TALK_HOOK = (VOICE_TAB, "start_push_to_talk")

_GEOMETRY_KEY = "main_window/geometry"
_STATE_KEY = "main_window/state"
_TAB_KEY = "main_window/current_tab"


def resolve_page_factory(spec: PageFactory | str) -> PageFactory:
    """The page class of a :data:`TAB_PAGES` entry, importing its module if the entry is a string."""
    if not isinstance(spec, str):
        return spec
    module_name, _, attribute = spec.partition(":")
    factory = getattr(importlib.import_module(module_name), attribute)
    if not callable(factory):
        raise TypeError(f"{spec} is not a page class")
    return factory  # type: ignore[no-any-return]


def _qt() -> type:
    """``PySide6.QtCore.Qt``, imported when first needed (see the imports above)."""
    from PySide6.QtCore import Qt

    return Qt


def _tab_page() -> type:
    from app.ui.pages import TabPage  # its module imports Qt

    return TabPage


class _PageSlot(QWidget):
    """What the tab widget holds: empty until its page is built into it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page: QWidget | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

    def set_page(self, page: QWidget) -> None:
        self.page = page
        layout = self.layout()
        assert layout is not None
        layout.addWidget(page)
        self.setFocusProxy(page)
        page.show()


class MainWindow(QMainWindow):
    """Parla's only top-level window."""

    #: Quit was chosen (menu, Ctrl+Q or the tray); main.py ends the event loop.
    quit_requested = Signal()
    #: A tab's page was just built (its index).
    page_built = Signal(int)
    #: The window's first frame has been shown (its first expose handled); no page is built yet.
    first_frame_shown = Signal()
    #: Start-up is over: the first frame was shown and the current tab's page built (or failed).
    started = Signal()

    def __init__(
        self,
        context: AppContext | None = None,
        parent: QWidget | None = None,
        *,
        preferences: Preferences | None = None,
        window_state: WindowState | None = None,
    ) -> None:
        """The window; with ``context`` complete at once, else a shell until :meth:`attach`.

        ``app.main`` builds the shell from ``preferences`` and ``window_state`` alone — menus, tabs,
        geometry — and shows it before importing asyncio, the session and the keychain; the status
        bar's profile switcher and connection state arrive with :meth:`attach` a moment later.
        """
        super().__init__(parent)
        if context is None and (preferences is None or window_state is None):
            raise TypeError("MainWindow needs a context, or preferences and window_state for a shell")
        self._context: AppContext = context  # type: ignore[assignment]  # set by attach() for a shell
        self._preferences: Preferences = preferences if preferences is not None else context.preferences  # type: ignore[union-attr]
        self._window_state: WindowState = window_state if window_state is not None else context.window_state  # type: ignore[union-attr]
        self._attached = False
        self._first_frame_done = False
        self._first_frame_before_attach = False
        self._expose_poll: QTimer | None = None
        self._pending_keys: list[tuple[QAction, tuple[str | QKeySequence.StandardKey, ...]]] = []
        self._settings_dialog: SettingsDialog | None = None
        self._about_box: AboutDialog | None = None
        self._shortcuts_dialog: ShortcutsDialog | None = None
        self._models_dialog: ModelsDialog | None = None
        self._tray: TrayIcon | None = None
        self._tray_hint_shown = False
        self._quitting = False
        self._first_page_pending = True
        self._first_page_waiting = False
        self._pages_held = False
        self._complete_context: Callable[[], AppContext] | None = None
        self.setWindowTitle("Parla")
        self.setObjectName("main_window")

        self._banner: Banner | None = None  # made by attach(): nothing to say before
        self._tabs = QTabWidget(self)
        self._tabs.setDocumentMode(True)
        self._tabs.tabBar().setToolTip(self.tr("Chat, Images and Voice (Ctrl+1, Ctrl+2, Ctrl+3; Ctrl+Tab for the next)"))
        self._factories: list[PageFactory | str] = list(TAB_PAGES)
        self._slots: list[_PageSlot] = []
        self._titles = (self.tr("Chat"), self.tr("Images"), self.tr("Voice"))
        descriptions = (
            self.tr("Chat: conversations with any chat model (Ctrl+1)"),
            self.tr("Images: generate, edit and vary images (Ctrl+2)"),
            self.tr("Voice: push-to-talk conversations and audio tools (Ctrl+3)"),
        )
        for title, description in zip(self._titles, descriptions, strict=True):
            slot = _PageSlot(self._tabs)
            index = self._tabs.addTab(slot, title)
            self._tabs.setTabToolTip(index, description)
            self._slots.append(slot)
        if len(self._factories) != len(self._slots):
            raise ValueError(f"TAB_PAGES has {len(self._factories)} entries for {len(self._slots)} tabs")
        self.page_built.connect(self._on_page_built)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._tabs, 1)
        self._central_layout = layout
        self.setCentralWidget(central)

        self._build_menus()
        self._build_tray_actions()

        self._restore_state()
        # Connected after the restore: the restored tab's page is built after the first frame.
        self._tabs.currentChanged.connect(self._on_current_tab_changed)
        self._preferences.changed.connect(self._on_preference_changed)
        if context is not None:
            self.attach(context)

    def attach(self, context: AppContext) -> None:
        """Connect the shell to the app's objects: the status bar, messages, the tray."""
        if self._attached:
            raise RuntimeError("the window is already attached to a context")
        self._attached = True
        self._context = context
        self._name_for_assistive_technology()
        self._build_status_bar()
        self._build_shortcuts()
        from app.ui.widgets.banner import Banner

        self._banner = Banner(self)
        self._central_layout.insertWidget(0, self._banner)
        notifier = context.notifier
        notifier.status_posted.connect(self._on_status_posted)
        notifier.banner_posted.connect(self._banner.show_message)
        notifier.banner_cleared.connect(self._banner.clear)
        if self._preferences.tray:
            self._sync_tray()
        if self._first_frame_before_attach:
            QTimer.singleShot(0, self, self._build_first_page)

    @property
    def window_state(self) -> WindowState:
        return self._window_state

    def _name_for_assistive_technology(self) -> None:
        """Accessible names (set in attach(): the first one wakes Qt's accessibility, ~2 ms)."""
        self.setAccessibleName(self.tr("Parla"))
        self._tabs.setAccessibleName(self.tr("Parla tabs"))
        self._tabs.tabBar().setAccessibleName(self.tr("Tabs"))
        for slot, title in zip(self._slots, self._titles, strict=True):
            slot.setAccessibleName(title)
        self.menuBar().setAccessibleName(self.tr("Main menu"))
        self.statusBar().setAccessibleName(self.tr("Status bar"))

    def when_first_frame_shown(self, callback: Callable[[], object]) -> None:
        """Call ``callback`` once the first frame is shown: now if it already was, else then."""
        if self._first_frame_done:
            callback()
        else:
            self.first_frame_shown.connect(callback)

    # -- construction ----------------------------------------------------------------------------

    def _build_menus(self) -> None:
        menu_bar = self.menuBar()

        file_menu = menu_bar.addMenu(self.tr("&File"))
        self._settings_action = QAction(self.tr("&Settings…"), self)
        self._keys(self._settings_action, "Ctrl+,")
        self._settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self._describe(self._settings_action, self.tr("Profiles, tokens, language, theme, text size and tray"))
        self._settings_action.triggered.connect(self._on_settings_triggered)
        file_menu.addAction(self._settings_action)
        self._models_action = QAction(self.tr("&Models…"), self)
        self._keys(self._models_action, "Ctrl+Shift+M")
        self._describe(self._models_action, self.tr("The server's models, and which one Parla uses for what"))
        self._models_action.triggered.connect(self._on_models_triggered)
        file_menu.addAction(self._models_action)
        file_menu.addSeparator()
        self._quit_action = QAction(self.tr("&Quit"), self)
        self._keys(self._quit_action, "Ctrl+Q")
        self._quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self._describe(self._quit_action, self.tr("Stop every request and quit Parla"))
        self._quit_action.triggered.connect(self._on_quit_triggered)
        file_menu.addAction(self._quit_action)

        view_menu = menu_bar.addMenu(self.tr("&View"))
        self._tab_actions: list[QAction] = []
        keys = ("Ctrl+1", "Ctrl+2", "Ctrl+3")
        for index, key in enumerate(keys):
            action = QAction(self._tabs.tabText(index), self)
            self._keys(action, key)
            action.setData(index)
            self._describe(action, self.tr("Show the {tab} tab").format(tab=self._tabs.tabText(index)))
            action.triggered.connect(self._on_tab_action_triggered)
            view_menu.addAction(action)
            self._tab_actions.append(action)
        view_menu.addSeparator()
        self._larger_text_action = QAction(self.tr("&Larger text"), self)
        self._keys(self._larger_text_action, "Ctrl+=", "Ctrl++")
        self._describe(self._larger_text_action, self.tr("Make all text one point larger"))
        self._larger_text_action.triggered.connect(self._on_larger_text_triggered)
        self._smaller_text_action = QAction(self.tr("&Smaller text"), self)
        self._keys(self._smaller_text_action, "Ctrl+-")
        self._describe(self._smaller_text_action, self.tr("Make all text one point smaller"))
        self._smaller_text_action.triggered.connect(self._on_smaller_text_triggered)
        self._default_text_action = QAction(self.tr("&Default text size"), self)
        self._keys(self._default_text_action, "Ctrl+0")
        self._describe(self._default_text_action, self.tr("Use the desktop's text size again"))
        self._default_text_action.triggered.connect(self._on_default_text_triggered)
        for action in (self._larger_text_action, self._smaller_text_action, self._default_text_action):
            view_menu.addAction(action)

        help_menu = menu_bar.addMenu(self.tr("&Help"))
        self._shortcuts_action = QAction(self.tr("&Keyboard shortcuts"), self)
        self._keys(self._shortcuts_action, QKeySequence.StandardKey.HelpContents)
        self._describe(self._shortcuts_action, self.tr("List every keyboard shortcut"))
        self._shortcuts_action.triggered.connect(self._on_shortcuts_triggered)
        help_menu.addAction(self._shortcuts_action)
        self._about_action = QAction(self.tr("&About Parla"), self)
        self._about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self._describe(self._about_action, self.tr("Version, license and the libraries Parla uses"))
        self._about_action.triggered.connect(self._on_about_triggered)
        help_menu.addAction(self._about_action)

        for menu in (file_menu, view_menu, help_menu):
            menu.setToolTipsVisible(True)

    def _keys(self, action: QAction, *keys: str | QKeySequence.StandardKey) -> None:
        """Give ``action`` its shortcuts in :meth:`attach`, after the first frame: the first
        ``setShortcut`` makes PySide6 build the ``Qt`` namespace's enums (~15 ms)."""
        self._pending_keys.append((action, keys))

    @staticmethod
    def _describe(action: QAction, text: str) -> None:
        """The tooltip (menus show it on hover) and the status-bar tip of an action."""
        action.setToolTip(text)
        action.setStatusTip(text)

    def _build_shortcuts(self) -> None:
        for action, keys in self._pending_keys:
            sequences = [QKeySequence(key) for key in keys]
            if len(sequences) == 1:
                action.setShortcut(sequences[0])
            else:
                action.setShortcuts(sequences)
        self._pending_keys.clear()
        # Return on the main keyboard and Enter on the keypad both count as "Enter".
        self._main_action_shortcuts: list[QShortcut] = []
        for key in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(key), self)  # the default context: the window
            shortcut.setWhatsThis(self.tr("Run the current tab's main action (send, generate, speak)"))
            shortcut.activated.connect(self._on_main_action_shortcut)
            self._main_action_shortcuts.append(shortcut)

    def _build_status_bar(self) -> None:
        from app.ui.status_bar import (  # imports the session, asyncio
            ConnectionIndicator,
            ProfileSwitcher,
        )

        status = self.statusBar()
        session = self._context.session
        self._profile_switcher = ProfileSwitcher(session, status)
        self._profile_switcher.manage_requested.connect(self._on_manage_profiles_requested)
        self._connection_indicator = ConnectionIndicator(session, status)
        self._connection_indicator.settings_requested.connect(self._on_manage_profiles_requested)
        status.addPermanentWidget(self._profile_switcher)
        status.addPermanentWidget(self._connection_indicator, 1)

    def _build_tray_actions(self) -> None:
        """The tray menu's own actions (Quit is the File menu's)."""
        self._show_action = QAction(self.tr("&Show Parla"), self)
        self._describe(self._show_action, self.tr("Bring the Parla window to the front"))
        self._show_action.triggered.connect(self.bring_to_front)
        self._new_chat_action = QAction(self.tr("&New chat"), self)
        self._describe(self._new_chat_action, self.tr("Show the window and start a new conversation"))
        self._new_chat_action.triggered.connect(self._on_new_chat_triggered)
        self._push_to_talk_action = QAction(self.tr("&Push to talk"), self)
        self._describe(self._push_to_talk_action, self.tr("Show the window and start talking on the Voice tab"))
        self._push_to_talk_action.triggered.connect(self._on_push_to_talk_triggered)

    # -- public ----------------------------------------------------------------------------------

    @property
    def tabs(self) -> QTabWidget:
        return self._tabs

    @property
    def pages(self) -> list[QWidget]:
        """Every tab's page, building those not built yet (a test or the shortcut list needs all)."""
        return [self.page(index) for index in range(len(self._slots))]

    def page(self, index: int) -> QWidget:
        """Tab ``index``'s page, built now if this is its first use."""
        slot = self._slots[index]
        if slot.page is None and self._complete_context is not None:
            self.release_pages(self._complete_context())  # may build this very page (the first)
        if slot.page is None:
            started = time.perf_counter()
            factory = resolve_page_factory(self._factories[index])
            page = factory(self._context, slot)
            if not isinstance(page, _tab_page()):
                page.deleteLater()
                raise TypeError(f"{type(page).__name__} does not implement TabPage")
            slot.set_page(page)
            log.info("built the %s page in %.0f ms", type(page).__name__, (time.perf_counter() - started) * 1000)
            self.page_built.emit(index)
        return slot.page

    def hold_pages(self, complete: Callable[[], AppContext]) -> None:
        """The context is not complete yet (main.py opens the store after the first frame).

        The first page waits, after the first frame, for :meth:`release_pages`. A page wanted
        sooner (:meth:`page`: a tab clicked, a test) calls ``complete()``, which waits for the
        rest of the context and returns it.
        """
        self._complete_context = complete
        self._pages_held = True

    def release_pages(self, context: AppContext) -> None:
        """Take the completed context (its store opened, or failed) and build the waiting page."""
        self._context = context
        if not self._pages_held:
            return
        self._pages_held = False
        self._complete_context = None
        if self._first_page_waiting:
            self._finish_first_page()

    def built_page(self, index: int) -> QWidget | None:
        """Tab ``index``'s page if it has been built, else None (never builds)."""
        return self._slots[index].page

    @property
    def banner(self) -> Banner:
        assert self._banner is not None, "the banner comes with attach()"
        return self._banner

    @property
    def settings_action(self) -> QAction:
        return self._settings_action

    @property
    def models_action(self) -> QAction:
        return self._models_action

    @property
    def quit_action(self) -> QAction:
        return self._quit_action

    @property
    def about_action(self) -> QAction:
        return self._about_action

    @property
    def shortcuts_action(self) -> QAction:
        return self._shortcuts_action

    @property
    def tab_actions(self) -> list[QAction]:
        return list(self._tab_actions)

    @property
    def text_size_actions(self) -> tuple[QAction, QAction, QAction]:
        """Larger, smaller, default."""
        return (self._larger_text_action, self._smaller_text_action, self._default_text_action)

    @property
    def tray_actions(self) -> tuple[QAction, QAction, QAction, QAction]:
        """What the tray menu offers: show, new chat, push to talk, quit."""
        return (self._show_action, self._new_chat_action, self._push_to_talk_action, self._quit_action)

    @property
    def tray(self) -> TrayIcon | None:
        """The tray icon while the preference is on and the desktop has a notification area."""
        return self._tray

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
    def models_dialog(self) -> ModelsDialog | None:
        """The models browser while it is open."""
        return self._models_dialog

    @property
    def about_box(self) -> AboutDialog | None:
        return self._about_box

    @property
    def shortcuts_dialog(self) -> ShortcutsDialog | None:
        return self._shortcuts_dialog

    def show_tab(self, index: int) -> None:
        """Switch to tab ``index`` and put the focus in its main input."""
        if not 0 <= index < self._tabs.count():
            return
        self._tabs.setCurrentIndex(index)
        page = self._build_page_safely(index)
        if isinstance(page, _tab_page()):
            page.focus_main_input()

    def open_settings(self, page: int | None = None) -> SettingsDialog:
        """Show the settings dialog (or raise the open one) on ``page`` (Profiles by default)."""
        from app.ui.settings.dialog import SettingsDialog

        if page is None:
            page = SettingsDialog.PROFILES
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

    def open_models(self) -> ModelsDialog:
        """File ▸ Models… (or raise the open browser); non-modal, it loads as it appears."""
        from app.ui.models_dialog import ModelsDialog

        if self._models_dialog is None:
            dialog = ModelsDialog(self._context, self)
            dialog.finished.connect(self._on_models_finished)
            self._models_dialog = dialog
            dialog.show()
        else:
            self._models_dialog.raise_()
            self._models_dialog.activateWindow()
        return self._models_dialog

    def open_shortcuts(self) -> ShortcutsDialog:
        """Help ▸ Keyboard shortcuts (or raise the open list)."""
        from app.ui.shortcuts_dialog import ShortcutsDialog

        if self._shortcuts_dialog is None:
            dialog = ShortcutsDialog(self.shortcut_entries(), self)
            dialog.setAttribute(_qt().WidgetAttribute.WA_DeleteOnClose)
            dialog.finished.connect(self._on_shortcuts_finished)
            self._shortcuts_dialog = dialog
            dialog.open()
        else:
            self._shortcuts_dialog.raise_()
            self._shortcuts_dialog.activateWindow()
        return self._shortcuts_dialog

    def shortcut_entries(self) -> list[ShortcutEntry]:
        """Every keyboard shortcut: the menus', the window's, then each tab page's (all are built)."""
        from PySide6.QtWidgets import QMenu

        from app.ui.shortcuts_dialog import ShortcutEntry

        everywhere = self.tr("Everywhere")
        found: dict[tuple[str, str], list[str]] = {}

        def add(scope: str, description: str, sequences: list[QKeySequence]) -> None:
            keys = [seq.toString(QKeySequence.SequenceFormat.NativeText) for seq in sequences if not seq.isEmpty()]
            if not keys or not description:
                return
            listed = found.setdefault((scope, description), [])
            listed.extend(key for key in keys if key not in listed)

        def add_menu(menu: QMenu, path: str) -> None:
            for action in menu.actions():
                if action.isSeparator():
                    continue
                text = _plain(action.text())
                submenu = action.menu()
                if isinstance(submenu, QMenu):
                    add_menu(submenu, f"{path} ▸ {text}")
                else:
                    add(everywhere, f"{path} ▸ {text}", action.shortcuts())

        for menu_action in self.menuBar().actions():
            submenu = menu_action.menu()
            if isinstance(submenu, QMenu):
                add_menu(submenu, _plain(menu_action.text()))
        for shortcut in self.findChildren(QShortcut):
            if self._owning_tab(shortcut) is None:
                add(everywhere, shortcut.whatsThis(), shortcut.keys())
        add(everywhere, self.tr("Next tab / previous tab"), [QKeySequence("Ctrl+Tab"), QKeySequence("Ctrl+Shift+Tab")])

        for index in range(len(self._slots)):
            page = self._build_page_safely(index)
            if page is None:
                continue
            scope = self._tabs.tabText(index)
            for action in page.findChildren(QAction):
                add(scope, _plain(action.text()) or action.toolTip(), action.shortcuts())
            for shortcut in page.findChildren(QShortcut):
                add(scope, shortcut.whatsThis() or self.tr("(undescribed shortcut)"), shortcut.keys())
        return [ShortcutEntry(scope, description, tuple(keys)) for (scope, description), keys in found.items()]

    def bring_to_front(self) -> None:
        """Show the window (from the tray, minimized or behind others) and give it the focus."""
        if self.isMinimized():
            qt = _qt()
            self.setWindowState((self.windowState() & ~qt.WindowState.WindowMinimized) | qt.WindowState.WindowActive)
        self.show()
        self.raise_()
        self.activateWindow()

    def request_quit(self) -> None:
        """Close for good (not to the tray) and ask main.py to end the event loop."""
        self._quitting = True
        self.close()
        self.quit_requested.emit()

    def has_page_hook(self, hook: tuple[int, str]) -> bool:
        """True when the tab's page offers the optional method (looked up on the class if not built)."""
        index, name = hook
        target: object | None = self.built_page(index)
        if target is None:
            try:
                target = resolve_page_factory(self._factories[index])
            except Exception:
                log.exception("the page of tab %d cannot be imported", index)
                return False
        return callable(getattr(target, name, None))

    def run_page_hook(self, hook: tuple[int, str]) -> bool:
        """Show the window and the tab, then call the page's optional method; False if it has none."""
        index, name = hook
        self.bring_to_front()
        self.show_tab(index)
        page = self.built_page(index)
        method = getattr(page, name, None) if page is not None else None
        if not callable(method):
            return False
        method()
        return True

    def sizeHint(self) -> QSize:
        return QSize(1000, 700)

    # -- lazy pages ------------------------------------------------------------------------------

    def _build_page_safely(self, index: int) -> QWidget | None:
        """Build a page for the user to see; a failure is reported and the app keeps running."""
        if not 0 <= index < len(self._slots):
            return None
        try:
            return self.page(index)
        except Exception as exc:
            log.exception("the %s tab could not be built", self._tabs.tabText(index))
            self._context.notifier.crash(exc, where=f"opening the {self._tabs.tabText(index)} tab")
            return None

    def _owning_tab(self, widget_or_object: object) -> int | None:
        parent = getattr(widget_or_object, "parent", lambda: None)()
        while parent is not None:
            if parent in self._slots:
                return self._slots.index(parent)
            parent = parent.parent()
        return None

    @Slot(int)
    def _on_current_tab_changed(self, index: int) -> None:
        self._build_page_safely(index)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._first_page_pending and self._expose_poll is None:
            # The first frame is painted when the window is exposed (the expose is handled by
            # painting). Polled rather than filtered: an event filter would make every event's
            # type() build QEvent's enums before the first frame.
            self._expose_poll = QTimer(self)
            self._expose_poll.setInterval(5)
            self._expose_poll.timeout.connect(self._on_expose_poll)
            self._expose_poll.start()
            # Without an expose (started minimized, or a platform that never sends one): soon anyway.
            QTimer.singleShot(300, self, self._build_first_page)

    @Slot()
    def _on_expose_poll(self) -> None:
        handle = self.windowHandle()
        if not self._first_page_pending:
            self._stop_expose_poll()
        elif handle is not None and handle.isExposed():
            self._stop_expose_poll()
            # Queued: the expose is handled (the frame painted and flushed) before the page is built.
            QTimer.singleShot(0, self, self._build_first_page)

    def _stop_expose_poll(self) -> None:
        if self._expose_poll is not None:
            self._expose_poll.stop()
            self._expose_poll.deleteLater()
            self._expose_poll = None

    @Slot()
    def _build_first_page(self) -> None:
        if not self._first_page_pending:
            return
        if not self._attached:  # painted before app.main attached the context: go on from attach()
            self._first_frame_before_attach = True
            return
        self._first_page_pending = False
        self._stop_expose_poll()
        self._first_page_waiting = True
        self._first_frame_done = True
        self.first_frame_shown.emit()
        if not self._pages_held:
            self._finish_first_page()

    def _finish_first_page(self) -> None:
        self._first_page_waiting = False
        index = self._tabs.currentIndex()
        page = self._build_page_safely(index)
        focus = QGuiApplication.focusObject()
        if isinstance(page, _tab_page()) and self.isActiveWindow() and (focus is None or focus is self or focus is self._tabs.tabBar()):
            page.focus_main_input()
        log.debug("first page built: tab %d", index)
        self.started.emit()

    # -- tray ------------------------------------------------------------------------------------

    def _sync_tray(self) -> None:
        """Show or remove the tray icon to match the preference (and the desktop's tray)."""
        from PySide6.QtWidgets import QStyle

        from app.ui.tray import TrayIcon

        wanted = self._preferences.tray and TrayIcon.available()
        if wanted and self._tray is None:
            icon = QGuiApplication.windowIcon()
            if icon.isNull():
                icon = self.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
            actions = [self._show_action, None, self._new_chat_action, self._push_to_talk_action, None, self._quit_action]
            tray = TrayIcon(icon, actions, self)
            tray.show_requested.connect(self.bring_to_front)
            tray.menu_about_to_show.connect(self._refresh_hook_actions)
            self._tray = tray
            tray.show()
            # Before the menu first opens, so a tray host that exports it (D-Bus) shows it right.
            QTimer.singleShot(0, self, self._refresh_hook_actions)
            log.info("tray icon shown")
        elif not wanted and self._tray is not None:
            tray, self._tray = self._tray, None
            tray.hide()
            tray.deleteLater()
            log.info("tray icon removed")
        elif self._preferences.tray and self._tray is None:
            log.info("the tray is on, but the desktop has no notification area: closing the window quits")

    @Slot()
    def _refresh_hook_actions(self) -> None:
        self._new_chat_action.setEnabled(self.has_page_hook(NEW_CHAT_HOOK))
        self._push_to_talk_action.setEnabled(self.has_page_hook(PUSH_TO_TALK_HOOK))

    # -- slots -----------------------------------------------------------------------------------

    @Slot()
    def _on_settings_triggered(self) -> None:
        self.open_settings()

    @Slot()
    def _on_manage_profiles_requested(self) -> None:
        self.open_settings(None)

    @Slot(int)
    def _on_settings_finished(self, _result: int) -> None:
        dialog, self._settings_dialog = self._settings_dialog, None
        if dialog is not None:
            # Its tasks must unwind before the C++ object goes; dispose() awaits them, then deletes.
            self._context.tasks.spawn(dialog.dispose(), name="settings.dispose")

    @Slot()
    def _on_models_triggered(self) -> None:
        self.open_models()

    @Slot(int)
    def _on_models_finished(self, _result: int) -> None:
        dialog, self._models_dialog = self._models_dialog, None
        if dialog is not None:
            # Its requests must unwind before the C++ object goes; dispose() awaits them, then deletes.
            self._context.tasks.spawn(dialog.dispose(), name="models.dispose")

    @Slot()
    def _on_quit_triggered(self) -> None:
        self.request_quit()

    @Slot()
    def _on_tab_action_triggered(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.show_tab(int(action.data()))

    @Slot()
    def _on_main_action_shortcut(self) -> None:
        page = self.built_page(self._tabs.currentIndex())
        if isinstance(page, _tab_page()):
            page.trigger_main_action()

    @Slot()
    @Slot(int)
    def _on_page_built(self, index: int) -> None:
        # Pages never know each other; the window joins the Images tab's "Send to chat" to the
        # Chat tab's composer (both are built lazily, so the join happens when Images appears).
        signal = getattr(self._slots[index].page, "send_to_chat_requested", None)
        if index == IMAGES_TAB and signal is not None:
            signal.connect(self._on_send_to_chat_requested)

    @Slot(str)
    def _on_send_to_chat_requested(self, path: str) -> None:
        chat = self.page(CHAT_TAB)
        self._tabs.setCurrentIndex(CHAT_TAB)
        chat.attach_image_file(path)

    def _on_new_chat_triggered(self) -> None:
        self.run_page_hook(NEW_CHAT_HOOK)

    @Slot()
    def _on_push_to_talk_triggered(self) -> None:
        self.run_page_hook(PUSH_TO_TALK_HOOK)

    @Slot()
    def _on_larger_text_triggered(self) -> None:
        from app.ui.font_size import step_font_size

        size = step_font_size(self._preferences, +1)
        self._context.notifier.info(self.tr("Text size: {size} pt").format(size=size), 2000)

    @Slot()
    def _on_smaller_text_triggered(self) -> None:
        from app.ui.font_size import step_font_size

        size = step_font_size(self._preferences, -1)
        self._context.notifier.info(self.tr("Text size: {size} pt").format(size=size), 2000)

    @Slot()
    def _on_default_text_triggered(self) -> None:
        self._preferences.font_size = 0
        self._context.notifier.info(self.tr("Text size: the desktop's default"), 2000)

    @Slot(str)
    def _on_preference_changed(self, name: str) -> None:
        if name == "font_size":
            from app.ui.font_size import apply_font_size

            apply_font_size(self._preferences)
        elif name == "tray":
            self._sync_tray()

    @Slot()
    def _on_shortcuts_triggered(self) -> None:
        self.open_shortcuts()

    @Slot(int)
    def _on_shortcuts_finished(self, _result: int) -> None:
        self._shortcuts_dialog = None

    @Slot()
    def _on_about_triggered(self) -> None:
        from app.ui.about import AboutDialog

        if self._about_box is not None:
            self._about_box.raise_()
            self._about_box.activateWindow()
            return
        box = AboutDialog(self)
        box.setAttribute(_qt().WidgetAttribute.WA_DeleteOnClose)
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
        state = self._window_state
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
        state = self._window_state
        state.set_bytes_value(_GEOMETRY_KEY, self.saveGeometry())
        state.set_bytes_value(_STATE_KEY, self.saveState())
        state.set_int_value(_TAB_KEY, self._tabs.currentIndex())
        state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        tray = self._tray
        if not self._quitting and tray is not None and tray.isVisible():
            event.ignore()
            self.hide()
            if not self._tray_hint_shown:
                self._tray_hint_shown = True
                tray.showMessage(
                    self.tr("Parla is still running"),
                    self.tr("Parla keeps running in the tray. Choose Quit in its menu to end it."),
                    tray.icon(),
                    5000,
                )
            log.info("window hidden to the tray")
            return
        if self._settings_dialog is not None:
            self._settings_dialog.reject()
        if tray is not None:
            tray.hide()
        super().closeEvent(event)


def _plain(text: str) -> str:
    """A menu text without its mnemonic (``&Quit``, or ``退出(&Q)`` in CJK) and trailing ellipsis."""
    text = re.sub(r"\(&[^&\s]\)", "", text)
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()
