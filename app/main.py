"""Start Parla: the only place that makes the QApplication, the translators and the qasync loop.

``main()`` does what must happen before the event loop (arguments, folders, logging, the
application object, translations, theme) and then runs :func:`amain` on a ``qasync.QEventLoop``
through ``asyncio.Runner`` (Python 3.11 has no ``asyncio.run(loop_factory=…)``). ``amain`` wires the
objects, shows the window and waits for the last window to close or for Quit; its ``finally``
cancels every task and closes the HTTP clients *while the loop still runs* — cleaning up from
``aboutToQuit`` is too late, qasync no longer runs coroutines then. That is what lets a user close
the window in the middle of a request and get exit code 0 with nothing left pending.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import platform
import signal
import sys
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

import qasync
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    QTranslator,
    QtMsgType,
    qInstallMessageHandler,
    qVersion,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app import __version__, paths
from app.credentials import Vault
from app.logs import LOG_FILENAME, register_secret, setup_logging
from app.profiles import EnvironmentOverride, ProfileStore
from app.resources import app_icon_files, i18n_dir
from app.settings import Language, Preferences, WindowState
from app.ui.context import AppContext
from app.ui.main_window import MainWindow
from app.ui.notify import Notifier
from app.ui.session import Session
from app.ui.tasks import TaskRegistry
from app.ui.theme import ThemeManager

__all__ = ["amain", "install_translators", "main"]

log = logging.getLogger("app.main")

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]


def _parse_args(args: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="parla", description="A desktop client for OpenAI-compatible APIs.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--debug", action="store_true", help="write debug details to the log file")
    # Qt's own options (-platform, -style, …) pass through to QApplication.
    options, _qt_args = parser.parse_known_args(args)
    return options


def main(argv: list[str] | None = None) -> int:
    """Run Parla; returns the process exit code."""
    argv = list(sys.argv if argv is None else argv)
    options = _parse_args(argv[1:])
    if options.version:
        print(f"Parla {__version__}")
        return 0

    locations = paths.locations().ensure()
    setup_logging(locations.logs, level=logging.DEBUG if options.debug else logging.INFO)
    log.info(
        "Parla %s starting (Python %s, Qt %s, PySide6 %s, %s)",
        __version__,
        platform.python_version(),
        qVersion(),
        pyside_version,
        platform.platform(),
    )
    # Until the window exists, an unexpected error can only be logged (never a silent print).
    sys.excepthook = _logging_excepthook(None)
    threading.excepthook = _thread_excepthook
    qInstallMessageHandler(_qt_message_handler)

    QApplication.setApplicationName("Parla")
    QApplication.setOrganizationName("Parla")
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName("parla")
    app = QApplication(argv)
    icon = _app_icon()
    if icon is not None:
        app.setWindowIcon(icon)

    preferences = Preferences.in_folder(locations.config)
    translators = install_translators(app, preferences.language)

    theme = ThemeManager(app, preferences)  # kept alive by this frame for the whole run
    theme.apply()

    try:
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            code = runner.run(amain(app, locations, preferences))
    finally:
        for translator in translators:
            app.removeTranslator(translator)
        qInstallMessageHandler(None)
    log.info("Parla exits with code %d", code)
    logging.shutdown()
    return code


async def amain(app: QApplication, locations: paths.Locations, preferences: Preferences) -> int:
    """Wire the objects, show the window, and clean up before the loop stops."""
    loop = asyncio.get_running_loop()
    notifier = Notifier(log_file=locations.logs / LOG_FILENAME)
    tasks = TaskRegistry()
    tasks.on_unexpected = notifier.crash
    sys.excepthook = _logging_excepthook(notifier.crash)
    loop.set_exception_handler(_loop_exception_handler(notifier.crash))

    environment = EnvironmentOverride.from_env()
    if environment.token:
        register_secret(environment.token)
    if environment.active:
        log.info("environment overrides the active profile (base URL: %s, token: %s)",
                 bool(environment.base_url), bool(environment.token))
    session = Session(ProfileStore(locations.config), Vault(), tasks, environment=environment)
    context = AppContext(
        locations=locations,
        preferences=preferences,
        window_state=WindowState.in_folder(locations.config),
        tasks=tasks,
        notifier=notifier,
        session=session,
    )
    window = MainWindow(context)

    quit_event = asyncio.Event()
    app.setQuitOnLastWindowClosed(False)
    app.lastWindowClosed.connect(quit_event.set)
    window.quit_requested.connect(quit_event.set)
    installed_signals = _install_signal_handlers(loop, window.close, quit_event.set)
    try:
        window.show()
        session.start()
        await quit_event.wait()
    finally:
        log.info("shutting down: %d task(s) running", len(tasks))
        for number in installed_signals:
            loop.remove_signal_handler(number)
        app.lastWindowClosed.disconnect(quit_event.set)
        if window.isVisible():
            window.close()
        for widget in app.topLevelWidgets():
            if widget.isVisible():
                widget.close()
        await tasks.cancel_all()
        await session.aclose()
        await _cancel_stray_tasks()
        sys.excepthook = _logging_excepthook(None)  # the window and its dialogs are going away
    return 0


def install_translators(app: QApplication, language: str) -> list[QTranslator]:
    """Load Parla's translation and Qt's own for ``language`` ("system" = the OS locale).

    Qt's translation (button texts in standard dialogs) is only loaded when Parla's own loaded, so
    the window never mixes two languages. Returns the installed translators (keep them alive).
    """
    if language == Language.SYSTEM:
        locale = QLocale.system()
    else:
        locale = QLocale(language)
        QLocale.setDefault(locale)
    installed: list[QTranslator] = []
    ours = QTranslator(app)
    if ours.load(locale, "parla", "_", str(i18n_dir())):
        app.installTranslator(ours)
        installed.append(ours)
        qt_translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qt = QTranslator(app)
        if qt.load(locale, "qtbase", "_", qt_translations):
            app.installTranslator(qt)
            installed.append(qt)
        log.info("translation loaded for %s", locale.name())
    elif locale.language() not in (QLocale.Language.English, QLocale.Language.C):
        if any(i18n_dir().glob("parla_*.ts")) and not any(i18n_dir().glob("parla_*.qm")):
            log.warning("translations are not built (run `make translations`): showing English")
        else:
            log.info("no translation for %s: showing English", locale.name())
    return installed


def _app_icon() -> QIcon | None:
    files = app_icon_files()
    if not files:
        return None
    icon = QIcon()
    for path in files:
        icon.addFile(str(path))
    return None if icon.isNull() else icon


def _install_signal_handlers(
    loop: asyncio.AbstractEventLoop, close_window: Callable[[], Any], request_quit: Callable[[], None]
) -> list[int]:
    """Ctrl+C in the terminal and SIGTERM quit like closing the window (state saved, tasks cancelled)."""

    def on_signal() -> None:
        log.info("quit requested by a signal")
        close_window()
        request_quit()

    installed: list[int] = []
    for number in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(number, on_signal)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # Windows, or not the main thread: the window's close button still works
        installed.append(number)
    return installed


async def _cancel_stray_tasks() -> None:
    """Cancel tasks nobody registered (a library's background task), so none is destroyed pending."""
    current = asyncio.current_task()
    stray = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    if not stray:
        return
    for task in stray:
        task.cancel()
    _done, pending = await asyncio.wait(stray, timeout=2.0)
    if pending:
        log.warning("%d task(s) did not stop at exit", len(pending))


def _logging_excepthook(show: Callable[[BaseException], None] | None) -> ExceptHook:
    """sys.excepthook: log the traceback, then show the crash dialog (once it exists)."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("unexpected error", exc_info=(exc_type, exc, tb))
        if show is not None:
            try:
                show(exc)
            except Exception:
                log.exception("the crash dialog failed")

    return hook


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    exc_info = (args.exc_type, args.exc_value, args.exc_traceback)
    name = args.thread.name if args.thread is not None else "?"
    log.critical("unexpected error in thread %s", name, exc_info=exc_info)  # type: ignore[arg-type]
    if args.exc_value is not None:
        sys.excepthook(args.exc_type, args.exc_value, args.exc_traceback)


def _loop_exception_handler(
    show: Callable[[BaseException], None],
) -> Callable[[asyncio.AbstractEventLoop, dict[str, Any]], None]:
    """The asyncio loop's handler: log what asyncio reports; a real exception also gets the dialog."""

    def handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = str(context.get("message") or "unhandled exception in the event loop")
        exc = context.get("exception")
        if not isinstance(exc, BaseException) or isinstance(exc, asyncio.CancelledError):
            log.error("asyncio: %s", message)
            return
        log.error("asyncio: %s", message, exc_info=exc)
        try:
            show(exc)
        except Exception:
            log.exception("the crash dialog failed")

    return handler


_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message_handler(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's warnings go to the log (and, being warnings, to stderr) like everything else."""
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)
