"""Fixtures for the UI tests: a qasync loop inside pytest-qt, a private PARLA_HOME, the app's objects.

The loop: one ``qasync.QEventLoop(qapp, already_running=True)`` for the session, made the *running*
loop only for the duration of each test that asks for it (``qloop``), so pytest-asyncio tests
elsewhere in the suite still get a clean thread. Tasks progress whenever Qt processes events —
inside ``qtbot.waitUntil``/``waitSignal`` — so tests are plain sync functions that poll. Teardown
cancels what is left and lets it unwind; it never calls ``loop.stop()`` (that calls
``QApplication.exit()`` and later tests' waits would return at once).

Every test gets an empty PARLA_HOME and no OPENAI_* variables, and tokens live in an in-memory
keyring pinned into the Vault: the machine's real keychain is never touched, and nothing reaches the
internet (profiles point at the loopback server or at a closed 127.0.0.1 port).
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError
from PySide6.QtWidgets import QApplication

from app import paths
from app.credentials import Vault
from app.profiles import EnvironmentOverride, Profile, ProfileStore
from app.settings import Preferences, WindowState
from app.ui.context import AppContext
from app.ui.notify import Notifier
from app.ui.session import Session
from app.ui.tasks import TaskRegistry

T = TypeVar("T")


class MemoryKeyring(KeyringBackend):
    """A keychain in a dict: the UI tests' stand-in (the real one is tested with gnome-keyring)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("no such entry")


@pytest.fixture(scope="session", autouse=True)
def _empty_clipboard_at_the_end(qapp: QApplication) -> Iterator[None]:
    """Qt's offscreen platform (the tests') crashes at exit while destroying clipboard data that
    holds a picture (the Images tab's Copy puts one there); xcb does not. Empty it before."""
    yield
    qapp.clipboard().clear()


@pytest.fixture(scope="session")
def _session_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    loop = qasync.QEventLoop(qapp, already_running=True)
    executor = qasync.QThreadExecutor(4)
    loop.set_default_executor(executor)
    asyncio.events._set_running_loop(None)  # only while a test asks for it (qloop)
    yield loop
    executor.shutdown(wait=True)


@pytest.fixture
def qloop(qapp: QApplication, _session_loop: qasync.QEventLoop) -> Iterator[qasync.QEventLoop]:
    """The qasync loop, running for this test: tasks progress while Qt processes events."""
    loop = _session_loop
    asyncio.events._set_running_loop(loop)
    try:
        yield loop
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        deadline = time.monotonic() + 5
        while any(not task.done() for task in pending) and time.monotonic() < deadline:
            qapp.processEvents()
            time.sleep(0.002)
        asyncio.events._set_running_loop(None)
        stuck = [task.get_name() for task in pending if not task.done()]
        assert not stuck, f"tasks did not unwind: {stuck}"


def run(qtbot: Any, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
    """Run ``coro`` on the running qasync loop from a sync test and return its result."""
    task = asyncio.get_running_loop().create_task(coro)
    qtbot.waitUntil(task.done, timeout=int(timeout * 1000))
    return task.result()


@pytest.fixture(autouse=True)
def parla_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every UI test: an empty PARLA_HOME, no OPENAI_* overrides, no way to reach a real keychain."""
    home = tmp_path / "parla-home"
    monkeypatch.setenv("PARLA_HOME", str(home))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "PYTHON_KEYRING_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    return home


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def vault(keyring_backend: MemoryKeyring) -> Vault:
    return Vault(backend=keyring_backend)


@pytest.fixture
def closed_port() -> int:
    """A 127.0.0.1 port nobody listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ContextFactory:
    """Builds the objects main.py wires, over the test's PARLA_HOME."""

    def __init__(self, qtbot: Any, vault: Vault) -> None:
        self._qtbot = qtbot
        self._vault = vault
        self.unexpected: list[BaseException] = []
        self.made: list[AppContext] = []

    def __call__(
        self, *, profiles: list[Profile] | None = None, active: str | None = None, vault: Vault | None = None
    ) -> AppContext:
        locations = paths.locations().ensure()
        store = ProfileStore(locations.config)
        if profiles is not None:
            store.profiles = list(profiles)
            store.active_id = active or profiles[0].id
            store.save()
        tasks = TaskRegistry()
        tasks.on_unexpected = self.unexpected.append
        session = Session(store, vault or self._vault, tasks, environment=EnvironmentOverride.from_env())
        context = AppContext(
            locations=locations,
            preferences=Preferences.in_folder(locations.config),
            window_state=WindowState.in_folder(locations.config),
            tasks=tasks,
            notifier=Notifier(log_file=locations.logs / "parla.log"),
            session=session,
        )
        self.made.append(context)
        return context

    def close(self) -> None:
        for context in self.made:
            run(self._qtbot, context.tasks.cancel_all())
            run(self._qtbot, context.session.aclose())


@pytest.fixture
def make_context(qtbot: Any, qloop: qasync.QEventLoop, parla_home: Path, vault: Vault) -> Iterator[ContextFactory]:
    factory = ContextFactory(qtbot, vault)
    try:
        yield factory
    finally:
        factory.close()
    assert not factory.unexpected, f"unexpected errors in tasks: {factory.unexpected!r}"


@pytest.fixture
def context(make_context: ContextFactory) -> AppContext:
    return make_context()


@pytest.fixture
def loopback_profile(loopback: Any) -> Profile:
    return Profile(id="default", name="Loopback", base_url=loopback.base_url, timeout=10, connect_timeout=5)


@pytest.fixture
def make_window(qtbot: Any, make_context: ContextFactory) -> Iterator[Any]:
    """``make_window(context)`` builds a MainWindow; all are closed while the loop still runs."""
    from app.ui.main_window import MainWindow

    windows: list[MainWindow] = []

    def make(context: AppContext | None = None) -> MainWindow:
        window = MainWindow(context or make_context())
        qtbot.addWidget(window)
        windows.append(window)
        return window

    try:
        yield make
    finally:
        for window in windows:
            window.close()
        qtbot.wait(10)
