"""Accessibility and comfort: names and tooltips, the shortcut list, the text size, lazy tabs.

Accessible names are read the way a screen reader gets them, through ``QAccessible``. The window's
own controls (menus, tab bar, status bar, banner) and the dialogs it owns (General settings, About,
Keyboard shortcuts) are checked; the tab pages and the other dialogs are walked by
tests/ui/test_accessibility_pages.py. Fake tab pages stand in for the real ones here, so these
tests are about the window alone.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QKeySequenceEdit,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSlider,
    QTabBar,
    QTextEdit,
    QWidget,
)

from app.settings import Preferences
from app.ui import main_window
from app.ui.font_size import MIN_POINT_SIZE, apply_font_size, system_font
from app.ui.pages import PlaceholderPage

CONTROLS = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QAbstractItemView, QTabBar, QSlider,
            QPlainTextEdit, QTextEdit, QKeySequenceEdit)
built: list[str] = []


class _Page(PlaceholderPage):
    def __init__(self, context: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.set_text(type(self).__name__)
        built.append(type(self).__name__)


class ChatStub(_Page):
    """Has a shortcut of its own, described for the list."""

    def __init__(self, context: Any, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.new_shortcut = QShortcut(QKeySequence("Ctrl+N"), self)
        self.new_shortcut.setWhatsThis("Start a new conversation")


class ImagesStub(_Page):
    pass


class VoiceStub(_Page):
    pass


@pytest.fixture(autouse=True)
def stub_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    built.clear()
    monkeypatch.setattr(main_window, "TAB_PAGES", (ChatStub, ImagesStub, VoiceStub))


@pytest.fixture
def restore_font(qapp: QApplication) -> Any:
    font = qapp.font()
    yield
    qapp.setFont(font)


def _accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface is not None else ""


def _unnamed_controls(root: QWidget, skip: tuple[QWidget, ...] = ()) -> list[str]:
    """Visible controls under ``root`` lacking an accessible name or a tooltip (Qt's own internals aside)."""
    missing = []
    for widget in root.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not widget.isVisibleTo(root):
            continue
        if widget.objectName().startswith("qt_") or any(s.isAncestorOf(widget) for s in skip):
            continue
        if isinstance(widget, QAbstractItemView) and isinstance(widget.parent(), QComboBox):
            continue
        if isinstance(widget.parent(), QAbstractSpinBox):  # the spin box's own line edit
            continue
        if not _accessible_name(widget) or not widget.toolTip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} {_accessible_name(widget)!r}")
    return missing


def _show(qtbot: Any, window: Any) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def test_window_controls_have_names_and_tooltips(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    _show(qtbot, window)
    window._context.notifier.error("Something to read")  # the banner and its Dismiss button
    slots = tuple(window.tabs.widget(i) for i in range(window.tabs.count()))
    assert _unnamed_controls(window, skip=slots) == []
    for index in range(window.tabs.count()):
        assert window.tabs.tabToolTip(index)
    for menu in window.menuBar().findChildren(QMenu):
        for action in menu.actions():
            if not action.isSeparator() and action.menu() is None:
                assert action.text() and action.toolTip() and action.toolTip() != action.text().replace("&", "")
    assert window.menuBar().accessibleName() and window.statusBar().accessibleName()


def test_dialogs_have_names_and_tooltips(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    _show(qtbot, window)
    dialog = window.open_settings(1)  # General
    qtbot.waitUntil(dialog.isVisible)
    general = dialog.general_page
    assert _unnamed_controls(general) == []
    dialog.reject()
    shortcuts = window.open_shortcuts()
    qtbot.waitUntil(shortcuts.isVisible)
    assert _unnamed_controls(shortcuts) == []
    shortcuts.reject()
    qtbot.waitUntil(lambda: window.settings_dialog is None and window.shortcuts_dialog is None)


def test_the_shortcut_list_holds_every_shortcut(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    _show(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F1)  # Help ▸ Keyboard shortcuts
    dialog = window.shortcuts_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    rows = dialog.rows()
    listed = {(scope, action): keys for scope, action, keys in rows}
    # Every action with a shortcut in the window's menus, and every QShortcut of window and pages.
    for action in window.findChildren(type(window.quit_action)):
        for sequence in action.shortcuts():
            key = sequence.toString(QKeySequence.SequenceFormat.NativeText)
            assert any(key in keys.split(", ") for keys in listed.values()), f"{action.text()} {key} missing"
    for shortcut in window.findChildren(QShortcut):
        key = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
        assert any(key in keys.split(", ") for keys in listed.values()), f"{shortcut.whatsThis()} {key} missing"
    assert listed[("Everywhere", "File ▸ Quit")] == "Ctrl+Q"
    assert listed[("Everywhere", "View ▸ Larger text")] == "Ctrl+=, Ctrl++"
    assert "Ctrl+Return" in listed[("Everywhere", "Run the current tab's main action (send, generate, speak)")]
    assert listed[("Chat", "Start a new conversation")] == "Ctrl+N"  # the page's own, found by itself
    dialog.reject()


def test_text_size_keys_change_the_font_and_persist(qtbot: Any, make_window: Any, restore_font: Any) -> None:
    window = make_window()
    _show(qtbot, window)
    preferences = window._context.preferences
    base = round(system_font().pointSizeF())
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert preferences.font_size == base + 2
    assert QApplication.font().pointSize() == base + 2
    qtbot.waitUntil(lambda: window.built_page(0) is not None)
    label = window.built_page(0).label
    qtbot.waitUntil(lambda: label.font().pointSize() == base + 2)  # widgets follow
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert preferences.font_size == base + 1 and QApplication.font().pointSize() == base + 1

    # Persisted: the file holds it, and a new start applies it before the window shows.
    reread = Preferences(preferences.path)
    assert reread.font_size == base + 1
    QGuiApplication.setFont(system_font())
    apply_font_size(reread)
    assert QApplication.font().pointSize() == base + 1

    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert preferences.font_size == 0
    assert QApplication.font().pointSize() == system_font().pointSize()
    for _ in range(40):
        window.text_size_actions[1].trigger()
    assert preferences.font_size == MIN_POINT_SIZE  # never unreadable


def test_pages_are_built_when_first_shown(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    assert built == []  # nothing before the window shows
    _show(qtbot, window)
    qtbot.waitUntil(lambda: built == ["ChatStub"])  # the shown tab, after the first frame
    assert window.built_page(1) is None and window.built_page(2) is None
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert built == ["ChatStub", "VoiceStub"]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.built_page(2).label)
    window.tabs.setCurrentIndex(1)  # a click on the tab
    assert built == ["ChatStub", "VoiceStub", "ImagesStub"]
    window.tabs.setCurrentIndex(0)
    assert len(built) == 3  # each page once


def test_a_page_that_fails_to_build_is_reported_and_the_window_keeps_working(
    qtbot: Any, make_window: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken(QWidget):
        def __init__(self, context: Any, parent: QWidget | None = None) -> None:
            raise RuntimeError("this page is broken")

    monkeypatch.setattr(main_window, "TAB_PAGES", (ChatStub, Broken, "app.ui.pages:PlaceholderPage"))
    window = make_window()
    _show(qtbot, window)
    notifier = window._context.notifier
    window.show_tab(1)
    qtbot.waitUntil(lambda: notifier.crash_dialog is not None)
    assert "opening the Images tab: RuntimeError: this page is broken" in notifier.crash_dialog.summary()
    notifier.crash_dialog.reject()
    window.show_tab(0)
    assert window.tabs.currentIndex() == 0 and window.built_page(0) is not None
