r"""One Parla per user and data folder: starting it again raises the running window.

Two Parla processes on the same ``PARLA_HOME`` (or the same user's default folders) would share one
conversation database and one settings file, so the second start hands over to the first instead:

1. A lock file in the config folder (:class:`QLockFile`) says who the *primary* is. Qt writes the
   holder's PID, host and program name into it, so a lock left by a process that crashed or was
   killed is recognised as stale and taken over. The age of the lock plays no part
   (``setStaleLockTime(0)``): a Parla that has been running for a week is not stale.
2. The primary listens on a local socket (a Unix socket, or a named pipe on Windows) whose name is
   derived from the user and the config folder, so two users, or two ``PARLA_HOME`` folders, never
   meet. A socket file left behind by a crash is removed before listening — safe, since only the
   lock holder listens.
3. A second start finds the lock taken, connects, sends ``activate`` and waits for ``ok``; then it
   exits with code 0 and the primary brings its window to the front (:attr:`activation_requested`).
   The primary may still be starting (it listens only once its window shows), so the second start
   retries for a few seconds before concluding that the running Parla does not answer.

On Windows the name is a named pipe (``\\.\pipe\parla-…``) served by QtNetwork's QLocalServer;
pipes vanish with their process, so there is never a stale one there. Elsewhere it is a Unix socket
in the temporary folder, served with Python's :mod:`socket` and a :class:`QSocketNotifier` — the
same protocol, without loading QtNetwork (~3 MB) into a process that needs nothing else from it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLockFile, QObject, QSocketNotifier, Signal, Slot

if TYPE_CHECKING:
    import socket
    from collections.abc import Callable

    from PySide6.QtNetwork import QLocalServer, QLocalSocket

__all__ = ["LOCK_FILENAME", "ActivationResult", "InstanceGuard", "running_pid", "server_name"]

log = logging.getLogger(__name__)

LOCK_FILENAME = "parla.lock"
_REQUEST = b"activate\n"
_REPLY = b"ok\n"
#: Named pipes through QtNetwork on Windows; a Unix socket served with Python elsewhere.
_USE_QT_NETWORK = sys.platform == "win32"


class ActivationResult(StrEnum):
    ACTIVATED = "activated"  # the running Parla answered and raises its window
    NO_ANSWER = "no_answer"  # it holds the lock but did not answer in time


def _user_key() -> str:
    try:
        return f"{os.getuid()}"  # type: ignore[attr-defined,unused-ignore]
    except AttributeError:  # Windows
        import getpass

        try:
            return getpass.getuser()
        except Exception:
            return os.environ.get("USERNAME", "")


def server_name(config_dir: Path) -> str:
    """The local socket's name for this user and config folder (short: Unix socket paths are)."""
    import hashlib  # loads OpenSSL's libcrypto (~3 ms): not before the first frame

    key = f"{_user_key()}\0{Path(config_dir).resolve()}".encode()
    return "parla-" + hashlib.sha256(key).hexdigest()[:20]


def socket_path(name: str) -> Path:
    """Where the Unix socket called ``name`` lives (where QLocalServer would put it too)."""
    return Path(tempfile.gettempdir()) / name


class InstanceGuard(QObject):
    """The lock and the local server of the primary Parla, or the client of a second start."""

    #: Another start asked this (primary) process to show its window.
    activation_requested = Signal()

    def __init__(self, config_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._config_dir = Path(config_dir)
        self._name_cache: str | None = None  # server_name() on first use: after the first frame
        self._lock = QLockFile(str(self._config_dir / LOCK_FILENAME))
        self._lock.setStaleLockTime(0)  # only a dead holder makes the lock stale, never its age
        self._server: QLocalServer | None = None
        self._listener: _UnixListener | None = None
        self._primary = False

    @property
    def _name(self) -> str:
        if self._name_cache is None:
            self._name_cache = server_name(self._config_dir)
        return self._name_cache

    @property
    def name(self) -> str:
        return self._name

    @property
    def is_primary(self) -> bool:
        return self._primary

    @property
    def server(self) -> QLocalServer | None:
        return self._server

    def acquire(self) -> bool:
        """Become the primary: True if this process now holds the lock (or cannot have one).

        A lock that cannot be written at all (a read-only folder) is not a reason to refuse to start:
        Parla then runs without the single-instance check, and says so in the log.
        """
        self._config_dir.mkdir(parents=True, exist_ok=True)
        if self._lock.tryLock(0):
            self._primary = True
            return True
        error = self._lock.error()
        if error == QLockFile.LockError.LockFailedError:
            pid = running_pid(self._config_dir)
            log.info("another Parla holds the lock (pid %s)", pid if pid is not None else "?")
            return False
        log.warning("cannot use the single-instance lock (%s): starting without it", error.name)
        self._primary = True
        return True

    def listen(self) -> bool:
        """Primary: accept ``activate`` requests. False (and logged) if the socket cannot be made."""
        if self._server is not None or self._listener is not None:
            return True
        if not _USE_QT_NETWORK:
            try:
                self._listener = _UnixListener(socket_path(self._name), self._on_request, self)
            except OSError as exc:
                log.warning("single-instance socket unavailable: %s", exc.strerror or type(exc).__name__)
                return False
            log.info("listening for other starts on %s", self._listener.path)
            return True
        from PySide6.QtNetwork import QLocalServer

        # Only the lock holder gets here, so a socket by this name is a stale one left by a crash.
        QLocalServer.removeServer(self._name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self._name):
            log.warning("single-instance socket unavailable: %s", server.errorString())
            server.deleteLater()
            return False
        server.newConnection.connect(self._on_new_connection)
        self._server = server
        log.info("listening for other starts on %s", server.fullServerName())
        return True

    def notify_primary(self, timeout: float = 5.0) -> ActivationResult:
        """Second start: ask the primary to show its window; retry while it is still starting."""
        deadline = time.monotonic() + timeout
        if not _USE_QT_NETWORK:
            path = socket_path(self._name)
            while True:
                if _unix_exchange(path, deadline):
                    return ActivationResult.ACTIVATED
                if time.monotonic() >= deadline:
                    return ActivationResult.NO_ANSWER
                time.sleep(0.1)
        from PySide6.QtNetwork import QLocalSocket

        while True:
            socket = QLocalSocket()
            socket.connectToServer(self._name)
            if socket.waitForConnected(500) and _exchange(socket, deadline):
                return ActivationResult.ACTIVATED
            socket.abort()
            if time.monotonic() >= deadline:
                return ActivationResult.NO_ANSWER
            time.sleep(0.1)

    def release(self) -> None:
        """Stop listening and drop the lock (at exit; a crash leaves a lock the next start takes)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._primary and self._lock.isLocked():
            self._lock.unlock()
        self._primary = False

    @Slot()
    def _on_new_connection(self) -> None:
        server = self._server
        if server is None:
            return
        while server.hasPendingConnections():
            socket = server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._on_ready_read(socket)

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > 256:  # not one of ours
                socket.abort()
            return
        request = bytes(socket.readLine().data())
        if request != _REQUEST:
            log.warning("ignored an unknown request on the single-instance socket")
            socket.abort()
            return
        socket.write(_REPLY)
        socket.flush()
        socket.disconnectFromServer()
        self._on_request()

    def _on_request(self) -> None:
        log.info("another start of Parla asked to show this window")
        self.activation_requested.emit()


class _UnixListener(QObject):
    """The primary's Unix socket: accepts connections and answers ``activate`` with ``ok``.

    Non-blocking sockets watched by :class:`QSocketNotifier`, so the event loop is never held.
    """

    def __init__(self, path: Path, on_request: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        import socket as _socket  # here, not at start-up: the lock alone is taken before the first frame

        self.path = path
        self._on_request = on_request
        # Only the lock holder gets here, so a socket by this name is a stale one left by a crash.
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        server = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            # Connecting needs write permission on the socket file: with the usual umask (022)
            # nobody else has it from the start, and the chmod makes it the user's alone. (Not a
            # process-wide umask change around bind(): other threads may be creating files.)
            server.bind(str(path))
            os.chmod(path, 0o600)
            server.listen(4)
            server.setblocking(False)
        except OSError:
            server.close()
            raise
        self._server = server
        self._clients: dict[int, tuple[socket.socket, QSocketNotifier, bytearray]] = {}
        self._notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_acceptable)

    def close(self) -> None:
        self._notifier.setEnabled(False)
        for fd in list(self._clients):
            self._drop(fd)
        self._server.close()
        with contextlib.suppress(OSError):
            self.path.unlink()

    @Slot()
    def _on_acceptable(self) -> None:
        while True:
            try:
                client, _address = self._server.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.warning("single-instance socket: accept failed (%s)", exc.strerror or type(exc).__name__)
                return
            client.setblocking(False)
            notifier = QSocketNotifier(client.fileno(), QSocketNotifier.Type.Read, self)
            fd = client.fileno()
            self._clients[fd] = (client, notifier, bytearray())
            notifier.activated.connect(lambda *_signal_args, fd=fd: self._on_readable(fd))

    def _on_readable(self, fd: int) -> None:
        entry = self._clients.get(fd)
        if entry is None:
            return
        client, _notifier, received = entry
        try:
            chunk = client.recv(256)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._drop(fd)
            return
        received += chunk
        if b"\n" not in received:
            if len(received) > 256:  # not one of ours
                self._drop(fd)
            return
        if bytes(received) != _REQUEST:
            log.warning("ignored an unknown request on the single-instance socket")
            self._drop(fd)
            return
        with contextlib.suppress(OSError):
            client.sendall(_REPLY)  # three bytes into an empty socket buffer: never blocks
        self._drop(fd)
        self._on_request()

    def _drop(self, fd: int) -> None:
        entry = self._clients.pop(fd, None)
        if entry is None:
            return
        client, notifier, _received = entry
        notifier.setEnabled(False)
        notifier.deleteLater()
        client.close()


def _unix_exchange(path: Path, deadline: float) -> bool:
    """Connect to the primary's Unix socket, send the request, wait for the reply (blocking)."""
    import socket as _socket

    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return False
    with _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM) as client:
        client.settimeout(min(remaining, 1.0))
        try:
            client.connect(str(path))
            client.sendall(_REQUEST)
            reply = b""
            while _REPLY not in reply:
                client.settimeout(max(0.01, min(deadline - time.monotonic(), 1.0)))
                chunk = client.recv(64)
                if not chunk:
                    return False
                reply += chunk
        except OSError:  # not listening yet (refused / no file), or timed out
            return False
    return True


def _exchange(socket: QLocalSocket, deadline: float) -> bool:
    """Send the request and wait for the reply on a connected socket."""
    socket.write(_REQUEST)
    if not socket.waitForBytesWritten(1000):
        return False
    reply = b""
    while _REPLY not in reply:
        remaining = int((deadline - time.monotonic()) * 1000)
        if remaining <= 0 or not socket.waitForReadyRead(min(remaining, 1000)):
            if socket.state() != socket.LocalSocketState.ConnectedState or remaining <= 0:
                return False
            continue
        reply += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    return True


def running_pid(config_dir: Path) -> int | None:
    """The PID written in the lock file, for messages; None if unreadable."""
    pid, _host, _app = QLockFile(str(Path(config_dir) / LOCK_FILENAME)).getLockInfo()
    return int(pid) if pid else None

