"""The Linux bundle: `make bundle` builds it, and it starts, shows its window and exits cleanly.

This is what a user double-clicks, so it is started as one: the bundled executable alone, without
the source tree or the virtual environment on any path, in a private PARLA_HOME, offscreen. The
log shows the window was shown, in Chinese (so the translations travelled with it), that the first
tab's page — imported by name on first use — was built, and that SIGTERM ends it with code 0.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def _log(home: Path) -> str:
    path = home / "logs" / "parla.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_the_linux_bundle_builds_starts_and_exits_cleanly(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    t0 = time.monotonic()
    build = subprocess.run(
        # -o: the venv is installed already (this test runs in it); make installs PyInstaller if needed.
        ["make", "-s", "-C", str(ROOT), "-o", ".venv/.installed", "bundle", f"BUNDLE_DIST={dist}"],
        capture_output=True, text=True, timeout=840,
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    print(f"bundle built in {time.monotonic() - t0:.0f} s")
    program = dist / "parla" / "parla"
    assert program.is_file() and os.access(program, os.X_OK)
    internal = dist / "parla" / "_internal"
    assert (internal / "resources" / "i18n" / "parla_zh_CN.qm").is_file()
    assert (internal / "icons" / "hicolor" / "256x256" / "apps" / "parla.png").is_file()
    assert not (internal / "PySide6" / "QtQml.abi3.so").exists()  # unused Qt modules left out

    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env.update(PARLA_HOME=str(home), QT_QPA_PLATFORM="offscreen", LANG="zh_CN.UTF-8", LANGUAGE="zh_CN")
    env["PATH"] = "/usr/bin:/bin"
    proc = subprocess.Popen([str(program)], cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            log = _log(home)
            if "main window shown" in log and "built the" in log:
                break
            time.sleep(0.1)
        assert proc.poll() is None, proc.communicate()
        log = _log(home)
        assert "main window shown" in log, log
        assert "translation loaded for zh_CN" in log
        assert "built the" in log  # the first tab's page, imported by name
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Traceback" not in _log(home)
    assert "Parla exits with code 0" in _log(home)
