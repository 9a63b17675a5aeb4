"""The main window: title, tabs, menus, keyboard map, banner, crash dialog, restored state."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMenu

from app import __version__
from app.api.errors import AuthenticationError
from app.ui.about import AboutDialog
from app.ui.pages import TabPage
from app.ui.settings.dialog import SettingsDialog


def _menu(window: Any, title: str) -> QMenu:
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == title:
            menu = action.menu()
            assert isinstance(menu, QMenu)
            return menu
    raise AssertionError(f"no menu {title!r} in {[a.text() for a in window.menuBar().actions()]}")


def _show(qtbot: Any, window: Any) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def test_title_and_tabs(make_window: Any) -> None:
    window = make_window()
    assert window.windowTitle() == "Parla"
    tabs = window.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Chat", "Images", "Voice"]
    # Every tab holds its real page now (tests/ui/chat, tests/ui/images, tests/ui/voice drive them).
    for page in window.pages:
        assert isinstance(page, TabPage)


def test_menus_and_their_shortcuts(make_window: Any) -> None:
    window = make_window()
    file_items = [a for a in _menu(window, "File").actions() if not a.isSeparator()]
    assert [a.text().replace("&", "") for a in file_items] == ["Settings…", "Models…", "Quit"]
    assert window.settings_action.shortcut() == QKeySequence("Ctrl+,")
    assert window.models_action.shortcut() == QKeySequence("Ctrl+Shift+M")
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")
    view_items = [a for a in _menu(window, "View").actions() if not a.isSeparator()]
    assert [a.text().replace("&", "") for a in view_items] == [
        "Chat", "Images", "Voice", "Larger text", "Smaller text", "Default text size"
    ]
    assert [a.shortcut() for a in view_items] == [QKeySequence(f"Ctrl+{n}") for n in ("1", "2", "3", "=", "-", "0")]
    help_items = _menu(window, "Help").actions()
    assert [a.text().replace("&", "") for a in help_items] == ["Keyboard shortcuts", "About Parla"]
    assert help_items[0].shortcut() == QKeySequence(QKeySequence.StandardKey.HelpContents)


@pytest.mark.parametrize("index", [1, 2, 0])
def test_ctrl_number_switches_tab_and_focuses_main_input(qtbot: Any, make_window: Any, index: int) -> None:
    window = make_window()
    _show(qtbot, window)
    window.tabs.setCurrentIndex((index + 1) % 3)
    qtbot.keyClick(window, getattr(Qt.Key, f"Key_{index + 1}"), Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == index
    page = window.pages[index]
    if hasattr(page, "label"):
        qtbot.waitUntil(lambda: QApplication.focusWidget() is page.label)
    else:
        qtbot.waitUntil(lambda: page.isAncestorOf(QApplication.focusWidget()))


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_ctrl_enter_triggers_the_current_pages_main_action(
    qtbot: Any, make_window: Any, monkeypatch: pytest.MonkeyPatch, key: Qt.Key
) -> None:
    window = make_window()
    _show(qtbot, window)
    calls: list[int] = []
    for i, page in enumerate(window.pages):
        monkeypatch.setattr(page, "trigger_main_action", lambda i=i: calls.append(i))
    window.show_tab(1)
    qtbot.waitUntil(lambda: window.pages[1].isAncestorOf(QApplication.focusWidget()))
    qtbot.keyClick(QApplication.focusWidget(), key, Qt.KeyboardModifier.ControlModifier)  # the Images prompt
    assert calls == [1]
    window.show_tab(2)
    qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
    assert calls == [1, 2]
    qtbot.keyClick(window, key)  # Enter alone is not the shortcut
    assert calls == [1, 2]


def test_placeholder_main_action_does_nothing(make_window: Any) -> None:
    window = make_window()
    for page in window.pages:
        page.trigger_main_action()
    assert window.banner.isHidden()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen cannot raise windows
def test_ctrl_comma_opens_settings(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    _show(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = window.settings_dialog
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == "Settings"
    # A second Ctrl+, raises the same dialog instead of stacking another.
    assert window.open_settings() is dialog
    dialog.reject()
    qtbot.waitUntil(lambda: window.settings_dialog is None)


def test_quit_closes_and_requests_quit(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    _show(qtbot, window)
    with qtbot.waitSignal(window.quit_requested, timeout=1000):
        qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_about_says_what_parla_is(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    _show(qtbot, window)
    window.about_action.trigger()
    box = window.about_box
    assert isinstance(box, AboutDialog)
    qtbot.waitUntil(box.isVisible)
    text = " ".join(label.text() for label in box.findChildren(QLabel))
    assert f"Parla {__version__}" in text
    assert "MIT License" in text
    assert "OpenAI-compatible" in text
    box.reject()
    qtbot.waitUntil(lambda: window.about_box is None)


def test_geometry_and_tab_are_restored(qtbot: Any, make_window: Any, make_context: Any) -> None:
    context = make_context()
    first = make_window(context)
    first.show()
    qtbot.waitExposed(first)
    first.resize(720, 530)
    first.show_tab(2)
    qtbot.waitUntil(lambda: first.size().width() == 720)
    first.close()
    assert (context.locations.config / "state.ini").is_file()
    assert not (context.locations.config / "parla.ini").exists() or "geometry" not in (
        context.locations.config / "parla.ini"
    ).read_text()

    second = make_window(make_context())
    assert second.tabs.currentIndex() == 2
    assert (second.width(), second.height()) == (720, 530)


def test_first_start_has_a_sensible_size(make_window: Any) -> None:
    window = make_window()
    assert window.width() >= 900 and window.height() >= 600
    assert window.tabs.currentIndex() == 0


def test_banner_shows_errors_until_dismissed(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    _show(qtbot, window)
    context_notifier = window._context.notifier
    shown = context_notifier.error(AuthenticationError("bad key", status_code=401, body={"error": {}}))
    assert shown == "The server rejected the token — check it in Settings."
    assert window.banner.isVisible() and window.banner.text() == shown
    with qtbot.waitSignal(window.banner.dismissed):
        window.banner.findChild(QAbstractButton).click()
    assert window.banner.isHidden()


def test_status_notes_go_to_the_status_bar(make_window: Any) -> None:
    window = make_window()
    window._context.notifier.info("Settings saved.")
    assert window.statusBar().currentMessage() == "Settings saved."


def test_unexpected_task_error_opens_the_crash_dialog(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    _show(qtbot, window)
    context = window._context
    notifier = context.notifier
    context.tasks.on_unexpected = notifier.crash

    async def broken() -> None:
        raise RuntimeError("boom sk-secret-token-123456")

    context.tasks.spawn(broken(), name="test.broken")
    qtbot.waitUntil(lambda: notifier.crash_dialog is not None and notifier.crash_dialog.isVisible())
    dialog = notifier.crash_dialog
    assert "RuntimeError: boom" in dialog.summary()
    assert "sk-secret-token-123456" not in dialog.summary() + dialog.report()
    assert "parla.log" in dialog.summary()
    # A second failure while it is open does not stack a second dialog.
    notifier.crash(ValueError("again"))
    qtbot.waitUntil(lambda: "see the log" in dialog.summary())
    dialog.close()
    qtbot.waitUntil(lambda: notifier.crash_dialog is None)
