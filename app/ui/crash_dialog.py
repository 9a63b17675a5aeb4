"""The crash dialog and its report: what a user can paste into a bug report, and nothing more.

The dialog carries a report meant to be pasted into a bug report (:func:`crash_report`): Parla's,
Python's, Qt's and PySide6's versions, the platform, and the traceback. It never holds a token
(``app.logs.redact``), nor the user's home folder, and exception texts — the one place where data
could slip into a traceback — are cut short, with long quoted values (a repr of a string, a file
name) replaced by their length. Source lines come from Parla's code, never from the user. The
report is shown in full before it is copied, so the user sees everything they would share.

Loaded on the first crash only (``Notifier.crash``): none of this is needed to start Parla.
"""

from __future__ import annotations

import os
import re
import sys
import time
import traceback
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QTimer, Slot, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.logs import redact

__all__ = ["MESSAGE_LIMIT", "QUOTED_LIMIT", "CrashDialog", "crash_report", "exception_summary"]


class CrashDialog(QDialog):
    """What went wrong, where the log is, and the report with a button that copies it."""

    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crash_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # With the main window hidden in the tray, closing this must not count as closing the app.
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.setWindowTitle(self.tr("Parla — unexpected error"))
        self._report = report

        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48))
        icon.setAccessibleName(self.tr("Error"))
        heading = QLabel(
            self.tr("Parla ran into an unexpected problem. It may keep working, but restart it if anything looks wrong."),
            self,
        )
        heading.setWordWrap(True)
        self._summary = QLabel(self)
        self._summary.setObjectName("crash_summary")
        self._summary.setWordWrap(True)
        self._summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._summary.setTextFormat(Qt.TextFormat.PlainText)

        self._report_view = QPlainTextEdit(self)
        self._report_view.setObjectName("crash_report")
        self._report_view.setReadOnly(True)
        self._report_view.setPlainText(report)
        self._report_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._report_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._report_view.setAccessibleName(self.tr("Crash report"))
        self._report_view.setToolTip(self.tr("The report to paste into a bug report: versions, platform and traceback"))
        note = QLabel(
            self.tr("The report holds no token; long quoted values are replaced by their length. Read it before you share it."),
            self,
        )
        note.setWordWrap(True)

        self._buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self._copy_button = QPushButton(self.tr("&Copy report"), self)
        self._copy_button.setObjectName("copy_report_button")
        self._copy_button.setToolTip(self.tr("Copy the report to the clipboard"))
        self._copy_button.setAutoDefault(False)
        self._buttons.addButton(self._copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = self._buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setToolTip(self.tr("Close this message; Parla keeps running"))
        self._copy_button.clicked.connect(self.copy_report)
        self._buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.addWidget(heading)
        text.addWidget(self._summary)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self._report_view, 1)
        layout.addWidget(note)
        layout.addWidget(self._buttons)
        self.resize(720, 520)

    def set_summary(self, text: str) -> None:
        self._summary.setText(text)

    def summary(self) -> str:
        """The lines above the report: what failed, where the log is, how many failures since."""
        return self._summary.text()

    def report(self) -> str:
        return self._report

    @property
    def copy_button(self) -> QPushButton:
        return self._copy_button

    @Slot()
    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self._report)
        self._copy_button.setText(self.tr("Copied"))
        QTimer.singleShot(2000, self._restore_copy_text)

    @Slot()
    def _restore_copy_text(self) -> None:
        self._copy_button.setText(self.tr("&Copy report"))


# -- the report ------------------------------------------------------------------------------------

#: An exception's text is cut to this many characters in the report.
MESSAGE_LIMIT = 200
#: A quoted value at least this long is replaced by its length ('<57 characters>').
QUOTED_LIMIT = 24

_QUOTED_RE = re.compile(r"'([^'\n]{%d,})'|\"([^\"\n]{%d,})\"" % (QUOTED_LIMIT, QUOTED_LIMIT))
_CAUSE = "The above exception was the direct cause of the following exception:"
_CONTEXT = "During handling of the above exception, another exception occurred:"


def _scrub_paths(text: str) -> str:
    """Paths shortened: Parla's own files relative to its folder, the home folder as ``~``."""
    root = str(Path(__file__).resolve().parents[2])
    text = text.replace(root + os.sep, "")
    home = os.path.expanduser("~")
    if home and home not in ("/", "~"):
        text = text.replace(home, "~")
    return text


def _safe_text(text: str) -> str:
    """An exception's text, fit for the report: no secret, no home folder, no long quoted value."""
    text = _scrub_paths(redact(text))

    def shorten(match: re.Match[str]) -> str:
        value = match.group(1) if match.group(1) is not None else match.group(2)
        quote = "'" if match.group(1) is not None else '"'
        return f"{quote}<{len(value)} characters>{quote}"

    text = _QUOTED_RE.sub(shorten, text)
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 1] + "…"
    return text


def _type_name(exc: BaseException) -> str:
    cls = type(exc)
    module = cls.__module__
    return cls.__qualname__ if module in ("builtins", "__main__") else f"{module}.{cls.__qualname__}"


def exception_summary(exc: BaseException) -> str:
    """``Type: text`` of one exception, as the report shows it."""
    text = _safe_text(str(exc))
    name = type(exc).__name__
    return f"{name}: {text}" if text else name


def _chain(exc: BaseException) -> list[tuple[BaseException, str]]:
    """The exception and its causes, oldest first, each with the sentence linking it to the next."""
    found: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found.append((current, link))
        if current.__cause__ is not None:
            link, current = _CAUSE, current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            link, current = _CONTEXT, current.__context__
        else:
            current = None
    found.reverse()
    # Each link belongs after the exception it leads from: shift them by one.
    links = [link for _exc, link in found]
    return [(item, links[i - 1] if i else "") for i, (item, _l) in enumerate(found)]


def _format_traceback(exc: BaseException) -> str:
    parts: list[str] = []
    for item, link in _chain(exc):
        if link:
            parts.append(f"\n{link}\n\n")
        frames = traceback.extract_tb(item.__traceback__)
        if frames:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(redact(line) for line in traceback.format_list(frames))
        text = _safe_text(str(item))
        parts.append(f"{_type_name(item)}: {text}\n" if text else f"{_type_name(item)}\n")
    return _scrub_paths("".join(parts))


def crash_report(exc: BaseException, *, where: str = "") -> str:
    """The text a user pastes into a bug report: versions, platform, traceback — nothing personal."""
    import platform  # ~5 ms, and only a crash needs it

    app = QGuiApplication.instance()
    platform_name = QGuiApplication.platformName() if isinstance(app, QGuiApplication) else "-"
    lines = [
        f"Parla {__version__} — unexpected error",
        f"Time: {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC",
        f"Python: {platform.python_version()} ({platform.python_implementation()})",
        f"Qt: {qVersion()}, PySide6 {pyside_version}, platform plugin {platform_name}",
        f"System: {platform.platform()} ({'bundle' if getattr(sys, 'frozen', False) else 'source'})",
    ]
    if where:
        lines.append(f"Where: {where}")
    return "\n".join(lines) + "\n\n" + _format_traceback(exc)
