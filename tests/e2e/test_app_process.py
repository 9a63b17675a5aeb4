"""The real app as a user starts it: a separate process, real sockets, a real keychain.

These tests start ``python -m app`` with a private ``PARLA_HOME`` against the loopback server and
stop it the way a desktop session does (SIGTERM, which closes the window). They check what only a
whole process can show: environment overrides that are never saved, every file under PARLA_HOME,
and a token kept in the real keychain that reaches the server but no file and no log. (The clean
exit with a request in flight is tests/ui/test_app_process.py.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.credentials import Vault
from tests.keychain import PrivateKeychain
from tests.loopback.server import Fault, LoopbackServer

ROOT = Path(__file__).resolve().parents[2]

# What a clean shutdown never prints (asyncio, httpx/anyio, Python's dev mode, Qt).
_DIRTY_SHUTDOWN = (
    "Task was destroyed but it is pending",
    "Unclosed",
    "unclosed",
    "ResourceWarning",
    "was never awaited",
    "Traceback",
    "QObject::",
    "QThread:",
    "Error in sys.excepthook",
)


def _write_profile(home: Path, base_url: str) -> None:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    profile = {"id": "default", "name": "Loopback", "base_url": base_url}
    (config / "profiles.json").write_text(json.dumps({"active": "default", "profiles": [profile]}))


def _app_env(home: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(key, None)
    env.update(
        PARLA_HOME=str(home),
        QT_QPA_PLATFORM="offscreen",
        LANG="en_US.UTF-8",
        PYTHONPATH=str(ROOT),
    )
    return env


def _start(env: dict[str, str]) -> subprocess.Popen[str]:
    # -X dev: ResourceWarnings (unclosed sockets, clients) and never-awaited coroutines are printed.
    return subprocess.Popen(
        [sys.executable, "-X", "dev", "-m", "app", "--debug"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(proc: subprocess.Popen[str], timeout: float = 15) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        _out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
        pytest.fail(f"Parla did not exit within {timeout} s of SIGTERM; stderr:\n{err}")
    return proc.returncode, err


def _wait_for_request(server: LoopbackServer, suffix: str, proc: subprocess.Popen[str], timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for request in server.requests_to(suffix):
            return request
        if proc.poll() is not None:
            pytest.fail(f"Parla exited early with {proc.returncode}: {proc.communicate()[1]}")
        time.sleep(0.02)
    proc.kill()
    pytest.fail(f"Parla sent no {suffix} request within {timeout} s: {proc.communicate()[1]}")


def _assert_clean(code: int, stderr: str) -> None:
    assert code == 0, stderr
    dirty = [marker for marker in _DIRTY_SHUTDOWN if marker in stderr]
    assert not dirty, f"shutdown printed {dirty}:\n{stderr}"


def test_environment_overrides_are_used_and_never_saved(loopback: LoopbackServer, tmp_path: Path) -> None:
    home = tmp_path / "home"
    _write_profile(home, "http://127.0.0.1:9/v1")  # the stored profile: a closed port
    env = _app_env(home)
    env.update(OPENAI_BASE_URL=loopback.base_url, OPENAI_API_KEY=loopback.token)
    proc = _start(env)
    request = _wait_for_request(loopback, "/models", proc)
    assert request.headers["authorization"] == f"Bearer {loopback.token}"
    time.sleep(0.3)
    code, stderr = _stop(proc)
    _assert_clean(code, stderr)
    profiles = json.loads((home / "config" / "profiles.json").read_text())
    assert profiles["profiles"][0]["base_url"] == "http://127.0.0.1:9/v1"
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert loopback.base_url.encode() not in data or path.suffix == ".log", path
            assert loopback.token.encode() not in data, path


def test_parla_home_holds_every_file(loopback: LoopbackServer, tmp_path: Path) -> None:
    home = tmp_path / "portable"
    fake_home = tmp_path / "user"
    env = _app_env(home)
    env.update(
        HOME=str(fake_home),
        XDG_CONFIG_HOME=str(fake_home / ".config"),
        XDG_DATA_HOME=str(fake_home / ".local" / "share"),
        XDG_CACHE_HOME=str(fake_home / ".cache"),
        XDG_STATE_HOME=str(fake_home / ".local" / "state"),
        OPENAI_BASE_URL=loopback.base_url,
        OPENAI_API_KEY=loopback.token,
    )
    proc = _start(env)
    _wait_for_request(loopback, "/models", proc)
    time.sleep(0.3)
    code, stderr = _stop(proc)
    _assert_clean(code, stderr)
    assert (home / "logs" / "parla.log").is_file()
    assert any((home / "config").iterdir())
    written = [p for p in fake_home.rglob("*") if p.is_file()] if fake_home.exists() else []
    assert not written, f"files written outside PARLA_HOME: {written}"


def test_canary_token_reaches_the_server_and_no_file_or_log(
    loopback: LoopbackServer, secret_service: PrivateKeychain, tmp_path: Path
) -> None:
    canary = "sk-canary-" + os.urandom(12).hex()
    loopback.token = canary
    Vault().set("default", canary)  # through the real Secret Service, as the settings dialog does
    home = tmp_path / "home"
    _write_profile(home, loopback.base_url)
    # The server's error messages echo the token back, as OpenAI's "Incorrect API key" does.
    loopback.inject("/models", Fault(status=401, error={"message": f"Incorrect API key provided: {canary}",
                                                        "type": "invalid_request_error",
                                                        "code": "invalid_api_key"}))
    proc = _start(secret_service.child_env(_app_env(home)))
    request = _wait_for_request(loopback, "/models", proc)
    assert request.headers["authorization"] == f"Bearer {canary}"
    time.sleep(0.5)
    code, stderr = _stop(proc)
    _assert_clean(code, stderr)
    assert canary not in stderr
    files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.name == "parla.log" for p in files)
    assert any(p.name == "profiles.json" for p in files)
    for path in files:
        data = path.read_bytes()
        assert canary.encode() not in data, f"the token is in {path}"
        assert canary.encode("utf-16-le") not in data, f"the token is in {path} (UTF-16)"
    # The scan would have found it: the keychain really holds the token, encrypted.
    assert Vault().get("default") == canary
    for path in secret_service.keyring_dir.rglob("*"):
        if path.is_file():
            assert canary.encode() not in path.read_bytes()
