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

# isort: off
# Everything that does not need Qt is imported before PySide6: once PySide6 is loaded, its
# ``__feature__`` hook reads the source of every module imported after it (~0.3 ms each).
import argparse
import dataclasses
import gc
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from app import __version__, paths
from app.logs import LOG_FILENAME, register_secret, setup_logging, start_rotation
from app.resources import app_icon_files, i18n_dir, icons_dir

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
    qVersion,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app.settings import Language, Preferences, WindowState
from app.ui.main_window import MainWindow
from app.ui.single_instance import ActivationResult, InstanceGuard, running_pid
from app.ui.theme import ThemeManager
# isort: on

# Imported after the first frame (see main()): asyncio, qasync, the session, the keychain, the tools.
if TYPE_CHECKING:
    import asyncio
    import concurrent.futures

    from app.store import AsyncStore
    from app.ui.context import AppContext

__all__ = ["APP_ID", "amain", "install_translators", "main"]

log = logging.getLogger("app.main")

#: The desktop id: the .desktop and AppStream file names, the Wayland app id, the macOS bundle id.
APP_ID = "io.github.parla_app.Parla"

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]


def _parse_args(args: list[str]) -> argparse.Namespace:
    if not any(arg.startswith("--") for arg in args):
        return argparse.Namespace(version=False, debug=False)  # the usual double-click start: no parser needed
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
    setup_logging(locations.logs, level=logging.DEBUG if options.debug else logging.INFO, rotate_later=True)
    # platform.platform() costs ~8 ms: it is logged once the window shows (_log_platform).
    log.info("Parla %s starting (Python %s, Qt %s, PySide6 %s)", __version__, sys.version.split()[0], qVersion(), pyside_version)
    # Until the window exists, an unexpected error can only be logged (never a silent print).
    sys.excepthook = _logging_excepthook(None)
    threading.excepthook = _thread_excepthook
    qInstallMessageHandler(_qt_message_handler)

    QApplication.setApplicationName("Parla")
    QApplication.setOrganizationName("Parla")
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(APP_ID)  # Wayland app id: matches packaging/APP_ID.desktop
    # Fusion everywhere (see app.ui.theme), named here so no Python wrapper of the style is made.
    fusion_arg = not any(arg == "-style" or arg.startswith("-style=") for arg in argv)
    app = QApplication([*argv, "-style", "fusion"] if fusion_arg else argv)
    # One Parla per user and data folder: a second start raises the first one's window and exits.
    guard = InstanceGuard(locations.config, app)  # amain finds it as the app's child
    if not guard.acquire():
        code = _hand_over_to_running_instance(guard, locations)
        qInstallMessageHandler(None)
        logging.shutdown()
        return code
    preferences = Preferences.in_folder(locations.config)
    translators = install_translators(app, preferences.language)
    if preferences.font_size:
        from app.ui.font_size import apply_font_size

        apply_font_size(preferences)

    theme = ThemeManager(app, preferences, fusion_set=fusion_arg)  # kept alive by this frame for the whole run
    theme.apply(remembered=True)  # the desktop's scheme as last seen; checked once the frame is up

    # The window first: its shell (menus, tabs, geometry) needs only Qt and the preferences, so it is
    # shown — painted — before asyncio, qasync, the session and the keychain are even imported.
    window = MainWindow(preferences=preferences, window_state=WindowState.in_folder(locations.config))
    _show_first_frame(app, window)
    # The icon after the first frame: decoding its sizes for _NET_WM_ICON takes a few ms; the
    # window manager shows it as soon as it is set.
    icon = _app_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    theme.check_desktop()
    start_rotation()

    import asyncio

    import qasync  # after PySide6: qasync then uses it instead of trying PyQt5, PyQt6 and PySide2 first

    try:
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            code = runner.run(amain(app, locations, preferences, window))
    finally:
        for translator in translators:
            app.removeTranslator(translator)
        guard.release()
        qInstallMessageHandler(None)
    log.info("Parla exits with code %d", code)
    logging.shutdown()
    return code


def _show_first_frame(app: QApplication, window: MainWindow, budget: float = 1.0) -> None:
    """Show the window and let Qt map and paint it, before the event loop runs.

    Only window-system events are handled (no input: nothing can be clicked before the app is
    wired); it returns once the window is exposed — its first frame painted — or after ``budget``
    seconds (a window started minimized is never exposed).
    """
    from PySide6.QtCore import QEventLoop

    window.show()
    flags = QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents
    deadline = time.monotonic() + budget
    handle = window.windowHandle()
    while time.monotonic() < deadline:
        app.processEvents(flags)
        if handle is not None and handle.isExposed():
            app.processEvents(flags)  # the paint and flush that follow the expose
            break
        time.sleep(0.001)


async def amain(
    app: QApplication, locations: paths.Locations, preferences: Preferences, window: MainWindow | None = None
) -> int:
    """Wire the objects, show the window, and clean up before the loop stops.

    ``window`` is the shell :func:`main` has already shown; without one (a script driving
    ``amain``), the shell is made here.
    """
    import asyncio

    from app.credentials import Vault
    from app.profiles import EnvironmentOverride, ProfileStore
    from app.ui.context import AppContext
    from app.ui.notify import Notifier
    from app.ui.session import Session
    from app.ui.tasks import TaskRegistry
    from app.ui.tools_service import ToolService

    _drop_source_lines()  # before the page and the services allocate: they reuse that memory
    if window is None:
        window = MainWindow(preferences=preferences, window_state=WindowState.in_folder(locations.config))
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
        window_state=window.window_state,
        tasks=tasks,
        notifier=notifier,
        session=session,
        tools=ToolService(app, locations=locations),
    )
    window.attach(context)
    # The first frame comes first: then the store opens (on its worker thread) while the session
    # loads the token and checks the connection, and the tab's page is built once the store is open.
    store_opening = _StoreOpening(locations)
    window.hold_pages(lambda: store_opening.context(context))
    first_frame = asyncio.Event()
    window.first_frame_shown.connect(first_frame.set)
    window.first_frame_shown.connect(session.start)
    window.first_frame_shown.connect(context.tools.start_enabled)  # type: ignore[union-attr]  # made just above
    window.started.connect(_freeze_startup_objects)
    quit_event = asyncio.Event()
    releasing = loop.create_task(
        _release_pages(first_frame, quit_event, store_opening, window, context), name="main.open-store"
    )
    app.setQuitOnLastWindowClosed(False)
    app.lastWindowClosed.connect(quit_event.set)
    window.quit_requested.connect(quit_event.set)
    installed_signals = _install_signal_handlers(loop, window.request_quit, quit_event.set)
    guard = app.findChild(InstanceGuard)
    try:
        window.show()
        log.info("main window shown (%dx%d)", window.width(), window.height())
        if guard is not None:
            guard.activation_requested.connect(window.bring_to_front)
            loop.call_later(0.5, guard.listen)  # QtNetwork loads after the first frame, not before
        loop.call_later(1.0, _log_platform)
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
        first_frame.set()  # closed before its first frame: the store is not opened at all
        await asyncio.wait([releasing])  # never cancelled: a store being opened is closed, not lost
        await tasks.cancel_all()
        await session.aclose()
        await context.tools.aclose()  # type: ignore[union-attr]  # stops the MCP servers' processes
        await _cancel_stray_tasks()
        store = store_opening.store
        if store is not None:
            await store.close()  # after the tasks: a stopped reply's last write lands first
        sys.excepthook = _logging_excepthook(None)  # the window and its dialogs are going away
    return 0


async def _release_pages(
    first_frame: asyncio.Event,
    quitting: asyncio.Event,
    opening: _StoreOpening,
    window: MainWindow,
    context: AppContext,
) -> None:
    """After the window's first frame: open the store, then let the window build its pages."""
    await first_frame.wait()
    if quitting.is_set() and not opening.started:
        return  # quit before the first frame: nothing to open
    await opening.wait()
    completed = opening.context(context)  # also when quitting: amain then closes the store
    if not quitting.is_set():
        _drop_source_lines()  # the store's and the session's imports; the page's memory reuses it
        window.release_pages(completed)


class _StoreOpening:
    """The conversation store, opened on its worker thread once the first frame is shown.

    ``AsyncStore.open`` does the same, but a page built before the opening finished (a test asking
    the window for its pages at once) needs it synchronously: :meth:`context` then waits for the
    worker — safe from the UI thread, the opening never needs it. On failure the app still starts
    and the Chat tab says why. Conversations deleted in an earlier session (their Undo is gone with
    it) are purged in the background: the call is queued first, so everything the window asks for
    comes after it.
    """

    def __init__(self, locations: paths.Locations) -> None:
        self._locations = locations
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._future: concurrent.futures.Future[Any] | None = None
        self._result: tuple[AsyncStore | None, BaseException | None] | None = None

    @property
    def started(self) -> bool:
        return self._future is not None

    @property
    def store(self) -> AsyncStore | None:
        return self._result[0] if self._result is not None else None

    def start(self) -> concurrent.futures.Future[Any]:
        if self._future is None:
            import concurrent.futures

            self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="parla-store")
            self._future = self._executor.submit(_open_blocking, self._locations)
        return self._future

    async def wait(self) -> None:
        """Open the store without blocking the event loop."""
        import asyncio

        try:
            await asyncio.wrap_future(self.start())
        except Exception:
            pass  # context() reports it

    def context(self, context: AppContext) -> AppContext:
        """``context`` with the store (or the reason it could not be opened); waits for the opening."""
        if self._result is None:
            future = self.start()
            assert self._executor is not None
            try:
                store = future.result()
            except Exception as exc:  # a newer schema, a damaged file, a folder we cannot write
                log.error("the conversation store could not be opened", exc_info=exc)
                self._executor.shutdown(wait=False)
                self._result = (None, exc)
            else:
                from app.store.async_store import AsyncStore

                async_store = AsyncStore(self._executor, store)  # its calls run on the opening's thread
                self._result = (async_store, None)
                if async_store.recovered:
                    log.info("%d reply(ies) interrupted by the last exit were kept as stopped", async_store.recovered)
                purge = async_store.purge_deleted(before=time.time())
                purge.add_done_callback(_log_purge)
        store, error = self._result
        return dataclasses.replace(context, store=store, store_error=error)


def _open_blocking(locations: paths.Locations) -> Any:
    """On the store's worker thread: import the store (sqlite3, ~20 ms) and open the database."""
    from app.store.store import Store, database_path

    return Store(database_path(locations.data))


def _drop_source_lines() -> None:
    """Forget the source lines PySide6 read while modules were imported.

    Once PySide6 is loaded, its ``__feature__`` import hook reads the source of every module
    imported after it (through ``linecache``, to see whether the module uses PySide6), and
    ``linecache`` keeps every line: ~4 MB of text, ~9 MB of ``str`` objects for start-up's 270
    modules. A traceback reads the lines it needs again.
    """
    import linecache

    linecache.clearcache()


def _freeze_startup_objects() -> None:
    """Once the window shows its first page: move everything alive into the GC's permanent generation.

    The objects made by start-up (modules, classes, the widgets' wrappers) live until exit; with
    them frozen a full collection no longer walks them, which removes the 20–50 ms pauses the
    collector otherwise makes at random while a reply streams.
    """
    _drop_source_lines()
    gc.collect()
    gc.freeze()
    log.debug("start-up objects frozen for the garbage collector: %d", gc.get_freeze_count())


def _log_purge(future: asyncio.Future[int]) -> None:
    if future.cancelled():
        return
    exc = future.exception()
    if exc is not None:
        log.error("purging deleted conversations failed", exc_info=exc)
    elif future.result():
        log.info("%d conversation(s) deleted in an earlier session purged", future.result())


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
    """The app icon from its PNG sizes up to 256 px (the SVG only if there are no PNGs).

    On X11 every size in the icon is sent to the X server with each window (_NET_WM_ICON): the
    512 px one alone is 1 MB, and the SVG would load the SVG icon engine at start-up.
    """
    sizes = (16, 24, 32, 48, 64, 128, 256)
    pngs = [icons_dir() / "hicolor" / f"{n}x{n}" / "apps" / "parla.png" for n in sizes]
    files = [path for path in pngs if path.is_file()] or app_icon_files()
    if not files:
        return None
    icon = QIcon()
    for path in files:
        icon.addFile(str(path))
    return None if icon.isNull() else icon


def _hand_over_to_running_instance(guard: InstanceGuard, locations: paths.Locations) -> int:
    """A second start: ask the running Parla to show its window, then exit."""
    result = guard.notify_primary()
    if result is ActivationResult.ACTIVATED:
        log.info("Parla is already running: its window was brought to the front")
        return 0
    pid = running_pid(locations.config)
    log.error("Parla is already running (pid %s) but did not answer", pid)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        install_translators(app, Preferences.in_folder(locations.config).language)
    text = QCoreApplication.translate(
        "main",
        "Parla is already running (process {pid}) but does not respond. Close it, or end that process, "
        "and start Parla again.",
    ).format(pid=pid if pid is not None else "?")
    print(text, file=sys.stderr)
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.critical(None, "Parla", text)
    return 1


def _log_platform() -> None:
    import platform

    log.info("platform: %s, Qt platform plugin %s", platform.platform(), QApplication.platformName())


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
    import asyncio

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

    import asyncio

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
