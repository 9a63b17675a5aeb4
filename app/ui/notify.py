"""The one sink for messages to the user: status bar notes, a banner, and the crash dialog.

Code that has something to tell the user calls a :class:`Notifier` method and does not care where
it shows; the main window connects the signals to its status bar and banner. Errors arrive as
exceptions and are turned into words by ``app.ui.errors.user_message`` here, so no caller formats
an exception itself. Unexpected exceptions (from ``sys.excepthook`` — where PySide6 also sends an
exception raised in a slot —, the asyncio loop's handler or a task) are logged with their traceback
by whoever caught them, then shown here in a crash dialog (``app.ui.crash_dialog``) with a report
to copy; the app keeps running.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from app.ui.errors import user_message

if TYPE_CHECKING:
    from app.ui.crash_dialog import CrashDialog

__all__ = ["Level", "Notifier"]

log = logging.getLogger(__name__)


class Level(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Notifier(QObject):
    """Routes messages to wherever the window shows them. Safe to call from any thread."""

    #: text, how long to show it (ms; 0 = until replaced)
    status_posted = Signal(str, int)
    #: text, level (a :class:`Level` value)
    banner_posted = Signal(str, str)
    banner_cleared = Signal()
    #: summary, details (traceback, already redacted) — internal: queued to the GUI thread
    _crash_reported = Signal(str, str)

    def __init__(self, log_file: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._log_file = log_file
        self._crash_dialog: QMessageBox | None = None
        self._crash_summary = ""
        self._more_crashes = 0
        self._crash_reported.connect(self._on_crash_reported, Qt.ConnectionType.QueuedConnection)

    # -- ordinary messages -----------------------------------------------------------------------

    def info(self, text: str, timeout_ms: int = 5000) -> None:
        """A passing note in the status bar ("Settings saved")."""
        self.status_posted.emit(text, timeout_ms)

    def warn(self, text: str) -> None:
        """Something the user should read, shown in the banner until dismissed."""
        self.banner_posted.emit(text, Level.WARNING.value)

    def error(self, error: BaseException | str) -> str:
        """An expected failure, shown in the banner; returns the words shown (for a tooltip or log)."""
        text = error if isinstance(error, str) else user_message(error)
        self.banner_posted.emit(text, Level.ERROR.value)
        return text

    def clear(self) -> None:
        self.banner_cleared.emit()

    # -- unexpected failures ---------------------------------------------------------------------

    def crash(self, exc: BaseException, *, where: str = "") -> None:
        """Show an unexpected exception in the crash dialog. The caller has logged it already.

        Safe from any thread: the report is made here, the dialog on the GUI thread.
        """
        from app.ui.crash_dialog import crash_report, exception_summary

        summary = exception_summary(exc)
        if where:
            summary = f"{where}: {summary}"
        self._crash_reported.emit(summary, crash_report(exc, where=where))

    @Slot(str, str)
    def _on_crash_reported(self, summary: str, report: str) -> None:
        app = QApplication.instance()
        if not isinstance(app, QApplication) or app.closingDown():
            return
        if self._crash_dialog is not None:
            # One dialog at a time: a failure repeating in a timer must not bury the window.
            self._more_crashes += 1
            self._crash_dialog.set_summary(self._crash_informative_text())
            return
        from app.ui.crash_dialog import CrashDialog

        parent: QWidget | None = app.activeWindow()
        dialog = CrashDialog(report, parent)
        self._crash_dialog = dialog
        self._crash_summary = summary
        dialog.set_summary(self._crash_informative_text(summary))
        dialog.finished.connect(self._on_crash_dialog_finished)
        dialog.open()

    def _crash_informative_text(self, summary: str | None = None) -> str:
        if summary is None:
            summary = self._crash_summary
        lines = [summary]
        if self._log_file is not None:
            lines.append(self.tr("The details were written to {path}.").format(path=str(self._log_file)))
        if self._more_crashes:
            lines.append(self.tr("Problems that happened since: {count} — see the log.").format(count=self._more_crashes))
        return "\n\n".join(lines)

    @Slot(int)
    def _on_crash_dialog_finished(self, _result: int) -> None:
        self._crash_dialog = None
        self._more_crashes = 0

    @property
    def crash_dialog(self) -> CrashDialog | None:
        """The crash dialog while it is open (tests look at it)."""
        return self._crash_dialog
