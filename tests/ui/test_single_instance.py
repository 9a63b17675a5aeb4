"""One Parla per user and data folder: real processes, a real lock file and a real local socket.

A second ``python -m app`` on the same PARLA_HOME must hand over to the first (which raises its
window) and exit 0; one on another PARLA_HOME is a separate Parla; a lock and a socket left behind
by a killed Parla must not stop the next start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.ui.single_instance import LOCK_FILENAME, ActivationResult, InstanceGuard, running_pid, server_name

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_STDERR = ("propagateSizeHints()", "does not support raise()")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DBUS_", "PYTHON_KEYRING"))}
    env.update(PARLA_HOME=str(home), QT_QPA_PLATFORM="offscreen", LANG="en_US.UTF-8", PYTHONPATH=str(ROOT))
    return env


def _log(home: Path) -> str:
    path = home / "logs" / "parla.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _wait_for(predicate: object, timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Parla:
    """A ``python -m app`` process on a PARLA_HOME."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app"], cwd=ROOT, env=_env(home),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    def wait_listening(self) -> None:
        _wait_for(lambda: "listening for other starts" in _log(self.home) or self.proc.poll() is not None,
                  what="the first Parla to listen")
        assert self.proc.poll() is None, self.proc.communicate()

    def stop(self) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            _out, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _out, err = self.proc.communicate()
        return self.proc.returncode, err


@pytest.fixture
def started() -> Iterator[list[Parla]]:
    processes: list[Parla] = []
    yield processes
    for parla in processes:
        if parla.proc.poll() is None:
            parla.proc.kill()
            parla.proc.communicate()


def _unexpected(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip() and not any(a in line for a in ALLOWED_STDERR)]


def test_a_second_start_raises_the_first_window_and_exits(tmp_path: Path, started: list[Parla]) -> None:
    home = tmp_path / "home"
    first = Parla(home)
    started.append(first)
    first.wait_listening()

    t0 = time.monotonic()
    second = subprocess.run(
        [sys.executable, "-m", "app"], cwd=ROOT, env=_env(home), capture_output=True, text=True, timeout=30
    )
    assert second.returncode == 0, second.stderr
    assert time.monotonic() - t0 < 10
    assert _unexpected(second.stderr) == []
    log = _log(home)
    assert "Parla is already running: its window was brought to the front" in log
    _wait_for(lambda: "another start of Parla asked to show this window" in _log(home), what="the activation")
    assert first.proc.poll() is None  # the first one keeps running

    code, err = first.stop()
    assert code == 0, err
    assert _unexpected(err) == []
    # Only the first one opened the window and the database.
    assert _log(home).count("main window shown") == 1
    assert not (home / "config" / LOCK_FILENAME).exists()  # released at exit


def test_another_data_folder_is_another_parla(tmp_path: Path, started: list[Parla]) -> None:
    first = Parla(tmp_path / "one")
    other = Parla(tmp_path / "two")
    started.extend([first, other])
    first.wait_listening()
    other.wait_listening()
    assert server_name((tmp_path / "one" / "config")) != server_name(tmp_path / "two" / "config")
    for parla in (first, other):
        code, err = parla.stop()
        assert code == 0, err


def test_a_killed_parla_leaves_nothing_that_blocks_the_next_start(tmp_path: Path, started: list[Parla]) -> None:
    home = tmp_path / "home"
    crashed = Parla(home)
    started.append(crashed)
    crashed.wait_listening()
    crashed.proc.kill()  # SIGKILL: no cleanup at all, like a crash or a power cut
    crashed.proc.communicate()
    assert (home / "config" / LOCK_FILENAME).exists()
    socket_file = Path("/tmp") / server_name(home / "config")  # QLocalServer's folder on Linux
    assert socket_file.exists()

    lines_before = _log(home).count("listening for other starts")
    restarted = Parla(home)
    started.append(restarted)
    _wait_for(lambda: _log(home).count("listening for other starts") > lines_before or restarted.proc.poll() is not None,
              what="the restarted Parla to take over")
    assert restarted.proc.poll() is None, restarted.proc.communicate()
    assert running_pid(home / "config") == restarted.proc.pid

    # And it answers: a third start hands over to it.
    third = subprocess.run(
        [sys.executable, "-m", "app"], cwd=ROOT, env=_env(home), capture_output=True, text=True, timeout=30
    )
    assert third.returncode == 0, third.stderr
    code, err = restarted.stop()
    assert code == 0, err


def test_a_running_parla_that_does_not_answer_is_reported(tmp_path: Path, started: list[Parla]) -> None:
    """A hung primary (here: stopped with SIGSTOP) holds the lock but cannot answer."""
    home = tmp_path / "home"
    hung = Parla(home)
    started.append(hung)
    hung.wait_listening()
    hung.proc.send_signal(signal.SIGSTOP)
    try:
        guard = InstanceGuard(home / "config")
        assert guard.acquire() is False  # the lock holder is alive
        t0 = time.monotonic()
        assert guard.notify_primary(timeout=1.5) is ActivationResult.NO_ANSWER
        assert 1.0 < time.monotonic() - t0 < 6
    finally:
        hung.proc.send_signal(signal.SIGCONT)
    code, err = hung.stop()
    assert code == 0, err
