"""The real program in a subprocess: --version, and a clean exit with a request in flight.

The exit tests run ``app.main.main()`` unchanged (QApplication, translators, asyncio.Runner with the
qasync loop, ``app.exec()``) under the offscreen platform. A small driver added to ``amain`` closes
the window the way its close button does, once the test has seen the connection check arrive at
the loopback server and stall there — so the window closes in the middle of a request.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from app import __version__
from app.resources import root_dir
from tests.loopback.server import Fault

CANARY = "sk-canary-7f3e9a1c5b2d4e6f"

HARNESS = r"""
import asyncio, os, sys
from pathlib import Path
import app.main as m

flag = Path(os.environ["PARLA_TEST_CLOSE_FLAG"])
mode = os.environ["PARLA_TEST_MODE"]
original = m.amain

async def amain(app, locations, preferences, *rest):
    async def close_when_told():
        while not flag.exists():
            await asyncio.sleep(0.02)
        window = next(w for w in app.topLevelWidgets() if w.objectName() == "main_window")
        print("closing with", window.connection_indicator.text(), flush=True)
        window.close()  # what the title bar's close button does
    if mode == "close":
        asyncio.get_running_loop().create_task(close_when_told())
    print("ready", flush=True)
    return await original(app, locations, preferences, *rest)

m.amain = amain
sys.exit(m.main(["parla"]))
"""

ALLOWED_STDERR = ("This plugin does not support propagateSizeHints()",)


def _env(home: Path, base_url: str, flag: Path, mode: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DBUS_", "PYTHON_KEYRING"))}
    env.update(
        PARLA_HOME=str(home),
        OPENAI_API_KEY=CANARY,
        OPENAI_BASE_URL=base_url,
        QT_QPA_PLATFORM="offscreen",
        PYTHONWARNINGS="always",  # ResourceWarning (unclosed sockets/clients) included
        PYTHONDEVMODE="",
        PARLA_TEST_CLOSE_FLAG=str(flag),
        PARLA_TEST_MODE=mode,
        LANG="en_US.UTF-8",
    )
    return env


def _unexpected_stderr(stderr: str) -> list[str]:
    lines = [line for line in stderr.splitlines() if line.strip()]
    return [line for line in lines if not any(allowed in line for allowed in ALLOWED_STDERR)]


@pytest.mark.parametrize("mode", ["close", "sigterm", "idle"])
def test_exit_with_a_request_in_flight_is_clean(tmp_path: Path, loopback: Any, mode: str) -> None:
    """"close"/"sigterm": the check request is stalled at the server; "idle": it finished, and its
    keep-alive connection sits in the client's pool (left open, it would warn as an unclosed transport)."""
    loopback.token = CANARY
    if mode != "idle":
        loopback.inject("/models", Fault(delay_first_byte=60))
    home = tmp_path / "home"
    flag = tmp_path / "close-now"
    process = subprocess.Popen(
        [sys.executable, "-c", HARNESS],
        env=_env(home, loopback.base_url, flag, "sigterm" if mode == "sigterm" else "close"),
        cwd=root_dir(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not loopback.requests_to("/models"):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the connection check never reached the server"
            time.sleep(0.02)
        request = loopback.requests_to("/models")[0]
        if mode == "idle":
            assert request.completed.wait(10)
            assert loopback.open_connections == 1  # kept alive in the client's pool
        else:
            assert not request.completed.is_set()  # in flight: the server is still sitting on it
        if mode in ("close", "idle"):
            flag.touch()
        else:
            process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    if mode == "close":
        assert "closing with Checking connection…" in stdout
    assert _unexpected_stderr(stderr) == []
    if mode == "idle":
        assert "closing with Connected ·" in stdout
    else:
        assert request.disconnected.wait(5)  # the request's socket was closed by the exit
    assert loopback.wait_connections(0, timeout=5)

    log = (home / "logs" / "parla.log").read_text()
    assert "Parla exits with code 0" in log
    assert "Task was destroyed" not in log and "Traceback" not in log
    for path in home.rglob("*"):
        if path.is_file():
            assert CANARY not in path.read_text(errors="replace"), path
    state = (home / "config" / "state.ini").read_text()
    assert "geometry" in state  # the window saved its state on the way out


def test_python_m_app_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--version"],
        cwd=root_dir(),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Parla {__version__}\n"
    assert result.stderr == ""


def test_parla_script_version(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("parla")
    if not script.exists():
        found = shutil.which("parla")
        if found is None:
            pytest.skip("the `parla` script is not installed (make run / make test install it)")
        script = Path(found)
    # --version must not need a display, a QApplication or a writable home.
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PARLA_HOME"] = str(tmp_path / "unused")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"Parla {__version__}\n"
    assert not (tmp_path / "unused").exists()


FIRST_FRAME_PROBE = r"""
import os, sys
import app.main as m

shown = m._show_first_frame

def probe(app, window, budget=1.0):
    shown(app, window, budget)
    handle = window.windowHandle()
    heavy = ("asyncio", "qasync", "httpx", "keyring", "secretstorage", "sqlite3", "markdown_it", "pygments",
             "numpy", "matplotlib", "mcp", "app.ui.session", "app.ui.chat", "app.store", "app.api.client")
    print("exposed", handle is not None and handle.isExposed())
    print("loaded", " ".join(name for name in heavy if name in sys.modules))
    # The `Qt` namespace is not made before the first frame: PySide6 builds its ~100 enums on first use.
    print("qt-namespace", "Qt" in vars(sys.modules["PySide6.QtCore"]))
    sys.stdout.flush()
    os._exit(0)

m._show_first_frame = probe
sys.exit(m.main(["parla"]))
"""


def test_the_first_frame_comes_before_the_heavy_imports(tmp_path: Path) -> None:
    """The window is painted before asyncio, the session, httpx, the keychain and the tabs load."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(PARLA_HOME=str(tmp_path / "home"), QT_QPA_PLATFORM="offscreen", LANG="en_US.UTF-8")
    result = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME_PROBE], cwd=root_dir(), env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) if " " in line else (line, "") for line in result.stdout.splitlines())
    assert lines["exposed"] == "True"
    assert lines["loaded"] == ""
    assert lines["qt-namespace"] == "False"
