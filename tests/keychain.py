"""A real, private Secret Service for tests: a session D-Bus and gnome-keyring-daemon in temp dirs.

Each :class:`PrivateKeychain` owns a temp folder with its own ``XDG_DATA_HOME`` (where gnome-keyring
writes ``keyrings/login.keyring``), ``XDG_RUNTIME_DIR`` (the bus socket and the daemon's control
socket) and ``XDG_CONFIG_HOME`` (so no ``keyringrc.cfg`` of the machine steers keyring), a
``dbus-daemon`` with a config of its own (nothing activatable unless asked), and optionally a
``gnome-keyring-daemon`` fed its unlock password on stdin. Nothing outside the temp folder is read
or written, and closing it kills every process and removes the folder.

Processes are started with ``Popen`` in the foreground, never with ``--fork``: a forked daemon is
re-parented to PID 1, which in containers often does not reap children, leaving zombies behind.

The states tests can ask for (see :data:`STATES`), and what keyring does in each:

==================  ==========================================================  ==================
state               how it is made                                              keyring raises
==================  ==========================================================  ==================
``unlocked``        bus + ``gnome-keyring-daemon --unlock`` with a password      (works)
``locked``          ``unlocked``, then the default collection locked over D-Bus  ``KeyringLocked``
``wrong_password``  keyring created with one password, daemon restarted with     ``KeyringLocked``
                    another (the collection cannot be unlocked)
``not_unlocked``    bus + daemon started without ``--unlock``: no login keyring  ``InitError``
                    exists and no prompter can be shown to create one            ("Prompt dismissed")
``activatable``     bus whose service dir can activate gnome-keyring, no daemon  ``InitError``
                    running: what a desktop without a login session looks like   ("Prompt dismissed")
``bus_only``        bus, nothing provides or can activate org.freedesktop.secrets  (no backend)
``no_bus``          no ``DBUS_SESSION_BUS_ADDRESS`` at all                       ``NoKeyringError``
==================  ==========================================================  ==================

When ``dbus-daemon``, ``gnome-keyring-daemon`` or ``dbus-send`` is missing, tests that need them
skip, or fail with the list of missing binaries when ``PARLA_REQUIRE_SERVICES=1`` (CI sets it, so a
broken image cannot turn the keychain tests into silent skips).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

__all__ = [
    "DEFAULT_PASSWORD",
    "REQUIRED_BINARIES",
    "STATES",
    "KeychainStartError",
    "PrivateKeychain",
    "keychain_factory",
    "missing_binaries",
    "no_keychain",
    "require_keychain_services",
    "secret_service",
]

REQUIRED_BINARIES: tuple[str, ...] = ("dbus-daemon", "gnome-keyring-daemon", "dbus-send")
SECRETS_NAME = "org.freedesktop.secrets"
DEFAULT_COLLECTION = "/org/freedesktop/secrets/aliases/default"
DEFAULT_PASSWORD = "parla-keychain-test-password"
STATES: tuple[str, ...] = (
    "unlocked",
    "locked",
    "wrong_password",
    "not_unlocked",
    "activatable",
    "bus_only",
    "no_bus",
)
# Variables a keychain environment sets (or, for the bus address, may remove).
ENV_KEYS: tuple[str, ...] = (
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_DATA_HOME",
    "XDG_RUNTIME_DIR",
    "XDG_CONFIG_HOME",
)

_START_TIMEOUT = 10.0
_STOP_TIMEOUT = 5.0

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={runtime_dir}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{service_dir}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class KeychainStartError(RuntimeError):
    """A daemon did not come up; the message carries its log so CI output explains why."""


def missing_binaries() -> list[str]:
    """The programs this helper needs that are not on PATH."""
    return [name for name in REQUIRED_BINARIES if shutil.which(name) is None]


def services_required() -> bool:
    """True when the environment demands real services (CI): missing ones are then failures."""
    return os.environ.get("PARLA_REQUIRE_SERVICES") == "1"


def require_keychain_services() -> None:
    """Skip the calling test when the keychain programs are missing, or fail it if they must exist."""
    missing = missing_binaries()
    if not missing:
        return
    message = (
        f"keychain tests need {', '.join(missing)} "
        "(Debian: apt-get install --no-install-recommends dbus gnome-keyring)"
    )
    if services_required():
        pytest.fail(f"PARLA_REQUIRE_SERVICES=1 but {message}", pytrace=False)
    pytest.skip(message)


def _terminate(process: subprocess.Popen[bytes] | None) -> None:
    """Stop a child we started and reap it (no zombies, whatever happens)."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=_STOP_TIMEOUT)


class PrivateKeychain:
    """One private session bus, optionally with gnome-keyring, and the environment pointing at it.

    Use :meth:`env` for the variables to apply (the fixtures apply them with ``monkeypatch``), or
    :meth:`child_env` for a subprocess. Always :meth:`close` it (the fixtures do).
    """

    def __init__(self, *, activatable: bool = False) -> None:
        # mkdtemp, not pytest's tmp_path: the bus socket path must stay under ~100 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="parla-kc-"))
        self.data_home = self.root / "data"
        self.runtime_dir = self.root / "run"
        self.config_home = self.root / "config"
        self.service_dir = self.root / "services"
        for path in (self.data_home, self.runtime_dir, self.config_home, self.service_dir):
            path.mkdir(mode=0o700)
        self.activatable = activatable
        self.address: str | None = None
        self._bus: subprocess.Popen[bytes] | None = None
        self._daemon: subprocess.Popen[bytes] | None = None
        self._daemon_runs = 0

    # -- environment ---------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """The variables that point keyring (and gnome-keyring) at this keychain only."""
        env = {
            "XDG_DATA_HOME": str(self.data_home),
            "XDG_RUNTIME_DIR": str(self.runtime_dir),
            "XDG_CONFIG_HOME": str(self.config_home),
        }
        if self.address:
            env["DBUS_SESSION_BUS_ADDRESS"] = self.address
        return env

    def child_env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """A full environment for a subprocess: ``base`` (default os.environ) with ours applied."""
        env = dict(os.environ if base is None else base)
        for key in (*ENV_KEYS, "PYTHON_KEYRING_BACKEND"):
            env.pop(key, None)
        env.update(self.env())
        return env

    @property
    def keyring_dir(self) -> Path:
        """Where gnome-keyring keeps its (encrypted) keyring files."""
        return self.data_home / "keyrings"

    # -- D-Bus ---------------------------------------------------------------------------------

    def start_bus(self) -> None:
        """Start dbus-daemon on a socket in our runtime dir and learn its address."""
        if self.activatable:
            exe = shutil.which("gnome-keyring-daemon") or "gnome-keyring-daemon"
            (self.service_dir / f"{SECRETS_NAME}.service").write_text(
                f"[D-BUS Service]\nName={SECRETS_NAME}\n"
                f"Exec={exe} --start --foreground --components=secrets\n",
                encoding="utf-8",
            )
        config = self.root / "bus.conf"
        config.write_text(
            _BUS_CONFIG.format(runtime_dir=self.runtime_dir, service_dir=self.service_dir),
            encoding="utf-8",
        )
        log = (self.root / "dbus.log").open("wb")
        # The bus passes its environment to activated services: give it ours, so an activated
        # gnome-keyring writes into the temp folder too.
        self._bus = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
            env=self.child_env(),
        )
        log.close()
        assert self._bus.stdout is not None
        line = self._bus.stdout.readline().decode().strip()  # printed once listening; "" if it died
        self._bus.stdout.close()
        if not line:
            _terminate(self._bus)
            raise KeychainStartError(f"dbus-daemon did not start: {self._log('dbus.log')}")
        self.address = line

    def dbus_send(self, *args: str, dest: str, timeout: float = 5.0) -> str:
        """Call a method on our bus with dbus-send (independent of the Python libraries under test)."""
        if not self.address:
            raise RuntimeError("the bus is not running")
        result = subprocess.run(
            ["dbus-send", f"--bus={self.address}", "--print-reply", f"--dest={dest}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"dbus-send {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def secrets_owned(self) -> bool:
        """Whether something owns org.freedesktop.secrets on our bus right now."""
        reply = self.dbus_send(
            "/",
            "org.freedesktop.DBus.NameHasOwner",
            f"string:{SECRETS_NAME}",
            dest="org.freedesktop.DBus",
        )
        return "boolean true" in reply

    def _secrets_owner_pid(self) -> int | None:
        try:
            reply = self.dbus_send(
                "/",
                "org.freedesktop.DBus.GetConnectionUnixProcessID",
                f"string:{SECRETS_NAME}",
                dest="org.freedesktop.DBus",
            )
        except RuntimeError:
            return None
        words = reply.split()
        return int(words[-1]) if words and words[-1].isdigit() else None

    def _wait_for(
        self, condition: Callable[[], bool], what: str, process: subprocess.Popen[bytes] | None
    ) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        while not condition():
            if process is not None and process.poll() is not None:
                raise KeychainStartError(
                    f"{what}: the process exited ({process.returncode}): {self._last_daemon_log()}"
                )
            if time.monotonic() > deadline:
                raise KeychainStartError(
                    f"{what}: timed out after {_START_TIMEOUT} s: {self._last_daemon_log()}"
                )
            time.sleep(0.02)

    # -- gnome-keyring -------------------------------------------------------------------------

    def start_keyring(self, password: str | None = DEFAULT_PASSWORD) -> None:
        """Start gnome-keyring-daemon on our bus; with a password, unlock (or create) the login keyring.

        With ``password=None`` the daemon runs without any login keyring, so opening the default
        collection needs a prompt that cannot be shown: keyring reports "Prompt dismissed".
        """
        if self._bus is None:
            self.start_bus()
        self._daemon_runs += 1
        log = (self.root / f"gnome-keyring-{self._daemon_runs}.log").open("wb")
        args = ["gnome-keyring-daemon", "--foreground", "--components=secrets"]
        if password is not None:
            args.append("--unlock")
        self._daemon = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=log, stderr=log, env=self.child_env()
        )
        log.close()
        assert self._daemon.stdin is not None
        if password is not None:
            self._daemon.stdin.write(password.encode())  # read up to EOF, no newline needed
        self._daemon.stdin.close()
        self._wait_for(self.secrets_owned, "gnome-keyring-daemon", self._daemon)

    def stop_keyring(self) -> None:
        """Stop the daemon and wait until it has left the bus, so a restart cannot race it."""
        _terminate(self._daemon)
        self._daemon = None
        if self._bus is not None and self._bus.poll() is None:
            self._wait_for(lambda: not self.secrets_owned(), "gnome-keyring-daemon shutdown", None)

    def restart_keyring(self, password: str | None) -> None:
        """Restart the daemon on the same keyring files with another (possibly wrong) password."""
        self.stop_keyring()
        self.start_keyring(password)

    def lock(self) -> None:
        """Lock the default collection, as the screen locker or "Lock keyring" would."""
        self.dbus_send(
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            f"array:objpath:{DEFAULT_COLLECTION}",
            dest=SECRETS_NAME,
        )

    def is_locked(self) -> bool:
        """Whether the default collection reports itself locked."""
        reply = self.dbus_send(
            DEFAULT_COLLECTION,
            "org.freedesktop.DBus.Properties.Get",
            "string:org.freedesktop.Secret.Collection",
            "string:Locked",
            dest=SECRETS_NAME,
        )
        return "boolean true" in reply

    # -- teardown ------------------------------------------------------------------------------

    def _stop_activated(self) -> None:
        """Stop a daemon the bus activated by itself while the bus still runs, so the bus reaps it."""
        if self._bus is None or self._bus.poll() is not None:
            return
        try:
            if not self.secrets_owned():
                return
        except (RuntimeError, subprocess.TimeoutExpired):
            return
        pid = self._secrets_owner_pid()
        if pid is None:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + _STOP_TIMEOUT
        while time.monotonic() < deadline:
            try:
                if not self.secrets_owned():
                    break
            except (RuntimeError, subprocess.TimeoutExpired):
                break
            time.sleep(0.02)

    def close(self) -> None:
        """Kill every process this keychain started and delete its files. Safe to call twice."""
        try:
            _terminate(self._daemon)
            self._daemon = None
            self._stop_activated()
        finally:
            _terminate(self._bus)
            self._bus = None
            self.address = None
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "PrivateKeychain":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- diagnostics ---------------------------------------------------------------------------

    def _log(self, name: str) -> str:
        try:
            text = (self.root / name).read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return "(no log)"
        return text[-2000:] or "(empty log)"

    def _last_daemon_log(self) -> str:
        if not self._daemon_runs:
            return "(no daemon log)"
        return self._log(f"gnome-keyring-{self._daemon_runs}.log")


def build(state: str) -> PrivateKeychain:
    """A started :class:`PrivateKeychain` in one of :data:`STATES` (the caller closes it)."""
    if state not in STATES:
        raise ValueError(f"unknown keychain state {state!r}; one of {', '.join(STATES)}")
    keychain = PrivateKeychain(activatable=state == "activatable")
    try:
        if state == "no_bus":
            return keychain
        keychain.start_bus()
        if state in ("unlocked", "locked", "wrong_password"):
            keychain.start_keyring(DEFAULT_PASSWORD)
        elif state == "not_unlocked":
            keychain.start_keyring(None)
        if state == "locked":
            keychain.lock()
        elif state == "wrong_password":
            # The first --unlock created login.keyring with DEFAULT_PASSWORD; a daemon started
            # with another password cannot open it and leaves the collection locked.
            keychain.restart_keyring("not-the-" + DEFAULT_PASSWORD)
        return keychain
    except BaseException:
        keychain.close()
        raise


def _apply(monkeypatch: pytest.MonkeyPatch, keychain: PrivateKeychain) -> None:
    """Point this process at ``keychain`` for one test (monkeypatch restores everything after)."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    for key, value in keychain.env().items():
        monkeypatch.setenv(key, value)


KeychainFactory = Callable[[str], PrivateKeychain]


@pytest.fixture
def keychain_factory(monkeypatch: pytest.MonkeyPatch) -> Iterator[KeychainFactory]:
    """``make(state)`` builds a keychain in that state and points ``os.environ`` at it.

    Several may be made in one test; the last one made is the one the environment points at. All
    are closed at teardown. States other than ``no_bus`` need the keychain binaries (see
    :func:`require_keychain_services`).
    """
    made: list[PrivateKeychain] = []

    def make(state: str) -> PrivateKeychain:
        if state != "no_bus":
            require_keychain_services()
        keychain = build(state)
        made.append(keychain)
        _apply(monkeypatch, keychain)
        return keychain

    try:
        yield make
    finally:
        for keychain in reversed(made):
            keychain.close()


@pytest.fixture
def secret_service(keychain_factory: KeychainFactory) -> PrivateKeychain:
    """A running, unlocked gnome-keyring on a private bus; ``os.environ`` points at it."""
    return keychain_factory("unlocked")


@pytest.fixture
def no_keychain(keychain_factory: KeychainFactory) -> PrivateKeychain:
    """No D-Bus session at all (temp XDG dirs, no bus address): every keychain call must fail."""
    return keychain_factory("no_bus")
