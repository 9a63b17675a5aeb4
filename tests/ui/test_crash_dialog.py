"""Unexpected exceptions: logged, shown in a crash dialog with a copyable report, and survived.

The exceptions are raised where they happen in the app — in a slot called by Qt, in a task of the
registry, in a task nobody watches — with the handlers ``app.main`` installs, and the report is
checked for what it must hold (versions, platform, traceback) and must not (the token, the home
folder, long quoted values such as a message's text).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractButton, QApplication, QPlainTextEdit, QPushButton

from app import __version__
from app.logs import register_secret
from app.main import _logging_excepthook, _loop_exception_handler
from app.ui import main_window
from app.ui.crash_dialog import MESSAGE_LIMIT, CrashDialog, crash_report, exception_summary
from app.ui.pages import PlaceholderPage

TOKEN = "sk-crash-canary-5b7e1d9c3a"
MESSAGE_TEXT = "Please summarise my private medical letter from Dr. Example"  # stands for chat content


class _Page(PlaceholderPage):
    """A tab page with nothing behind it: these tests are about the window, not the tabs."""

    def __init__(self, context: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.set_text("page")


@pytest.fixture(autouse=True)
def plain_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(main_window, "TAB_PAGES", (_Page, _Page, _Page))


def _dialog(qtbot: Any, notifier: Any) -> CrashDialog:
    qtbot.waitUntil(lambda: notifier.crash_dialog is not None and notifier.crash_dialog.isVisible(), timeout=5000)
    dialog = notifier.crash_dialog
    assert isinstance(dialog, CrashDialog)
    return dialog


def _check_report(report: str) -> None:
    assert f"Parla {__version__}" in report
    assert "Python: " in report and "PySide6 " in report and "Qt: " in report
    assert "System: " in report and "platform plugin" in report
    assert "Traceback (most recent call last):" in report
    assert TOKEN not in report
    assert "medical letter" not in report
    home = os.path.expanduser("~")
    if home not in ("/", ""):
        assert home + os.sep not in report


@pytest.mark.qt_no_exception_capture  # the app's own excepthook is under test, not pytest-qt's
def test_an_exception_in_a_slot_opens_the_dialog_and_the_app_keeps_running(
    qtbot: Any, make_window: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    notifier = window._context.notifier
    monkeypatch.setattr(sys, "excepthook", _logging_excepthook(notifier.crash))

    register_secret(TOKEN)
    button = QPushButton("Break", window)
    clicks: list[int] = []

    def broken_slot() -> None:
        clicks.append(1)
        raise ValueError(f"request failed with {TOKEN}: '{MESSAGE_TEXT}'")

    button.clicked.connect(broken_slot)
    with caplog.at_level(logging.CRITICAL, logger="app.main"):
        button.click()
        dialog = _dialog(qtbot, notifier)
    assert any(record.message == "unexpected error" and record.exc_info for record in caplog.records)

    summary = dialog.summary()
    assert summary.startswith("ValueError: request failed with ***")
    assert "parla.log" in summary
    report = dialog.report()
    _check_report(report)
    assert "broken_slot" in report  # the frame that raised
    assert "'<59 characters>'" in report  # the quoted text replaced by its length

    # The copy button puts exactly the report on the clipboard and leaves the dialog open.
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == report
    assert dialog.isVisible()

    # The app keeps running: the same slot can run again, the window still works.
    button.click()
    assert clicks == [1, 1]
    qtbot.waitUntil(lambda: "see the log" in dialog.summary())  # one dialog, counting the rest
    window.show_tab(1)
    assert window.tabs.currentIndex() == 1
    dialog.reject()
    qtbot.waitUntil(lambda: notifier.crash_dialog is None)


def test_an_exception_in_a_task_opens_the_dialog(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    context = window._context
    notifier = context.notifier
    context.tasks.on_unexpected = notifier.crash  # what main.py wires
    register_secret(TOKEN)

    async def broken() -> None:
        await asyncio.sleep(0)
        try:
            {}["missing"]
        except KeyError as exc:
            raise RuntimeError(f"Bearer {TOKEN} rejected for {MESSAGE_TEXT!r}") from exc

    context.tasks.spawn(broken(), name="test.broken")
    dialog = _dialog(qtbot, notifier)
    report = dialog.report()
    _check_report(report)
    assert "KeyError: 'missing'" in report
    assert "The above exception was the direct cause of the following exception:" in report
    assert "RuntimeError: Bearer *** rejected for '<59 characters>'" in report
    assert report.index("KeyError") < report.index("RuntimeError")  # oldest first, like Python
    dialog.reject()
    qtbot.waitUntil(lambda: notifier.crash_dialog is None)


def test_an_exception_in_an_unwatched_task_reaches_the_loop_handler(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    notifier = window._context.notifier
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(_loop_exception_handler(notifier.crash))
    try:
        loop.call_exception_handler({"message": "Task exception was never retrieved", "exception": OSError(2, "gone")})
        dialog = _dialog(qtbot, notifier)
        assert dialog.summary().startswith("FileNotFoundError: [Errno 2] gone")
        dialog.reject()
        qtbot.waitUntil(lambda: notifier.crash_dialog is None)
    finally:
        loop.set_exception_handler(previous)


def test_the_report_is_made_safe_without_a_window(qapp: QApplication) -> None:
    """Also for crashes reported from another thread: no widget is needed to make the report."""
    register_secret(TOKEN)
    long_text = "x" * 1000
    try:
        raise LookupError(f"{TOKEN} {long_text}")
    except LookupError as exc:
        report = crash_report(exc, where="a worker thread")
        summary = exception_summary(exc)
    assert "Where: a worker thread" in report
    assert TOKEN not in report and TOKEN not in summary
    last_line = report.strip().splitlines()[-1]
    assert last_line.startswith("LookupError: *** xxx")
    assert len(last_line) <= len("LookupError: ") + MESSAGE_LIMIT
    assert last_line.endswith("…")


def test_the_dialog_controls_are_named_and_explained(qtbot: Any, qapp: QApplication) -> None:
    dialog = CrashDialog("report text")
    qtbot.addWidget(dialog)
    view = dialog.findChild(QPlainTextEdit, "crash_report")
    assert isinstance(view, QPlainTextEdit)
    assert view.isReadOnly() and view.toPlainText() == "report text"
    assert view.accessibleName() and view.toolTip()
    buttons = dialog.findChildren(QAbstractButton)
    assert buttons and all(button.text() and button.toolTip() for button in buttons)
    assert "&" in dialog.copy_button.text()  # Alt+C copies
