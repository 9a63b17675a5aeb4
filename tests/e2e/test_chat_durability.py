"""A reply streaming when the process is killed with SIGKILL is still there at the next start.

The real program runs in a subprocess (``app.main.main`` unchanged) against the loopback server,
which streams slowly (about 200 characters a second). A small driver added to ``amain`` sends a
message through the Chat page as a user would, then reports every 50 ms how much of the reply the
page shows. The test kills the process at several points, starts it again on the same PARLA_HOME
and asks the restarted page what it shows: the conversation reopened, the reply holding the text
received up to about a second before the kill (never less, never anything that did not arrive),
marked interrupted — and ``PRAGMA integrity_check`` says ok.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from app.resources import root_dir
from app.store import RECOVERED_FINISH_REASON, MessageState, Role, Store, database_path

DRIVER = r"""
import asyncio, json, os, sys, time
import app.main as m

mode = os.environ["PARLA_TEST_MODE"]
original = m.amain

async def amain(app, locations, preferences, *rest):
    async def drive():
        window = None
        while window is None:
            window = next((w for w in app.topLevelWidgets() if w.objectName() == "main_window"), None)
            await asyncio.sleep(0.02)
        page = window.pages[0]
        while page._context.session.client is None:
            await asyncio.sleep(0.02)
        if mode == "send":
            await asyncio.sleep(0.3)  # the page has listed the conversations
            page.composer.editor.setPlainText(os.environ["PARLA_TEST_MESSAGE"])
            page.send()
            while not page.model.items:
                await asyncio.sleep(0.01)
            print("sent", flush=True)
            while True:
                items = page.model.items
                shown = len(items[-1].text) if items and items[-1].role.value == "assistant" else 0
                print(f"progress {time.monotonic():.3f} {shown}", flush=True)
                await asyncio.sleep(0.05)
        else:
            while page.controller.current is None or not page.model.items:
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.2)
            page.view.ensure_layout()
            last = page.model.items[-1]
            widget = page.view.widget_for(last.id)
            state = {
                "conversation": page.controller.current_id,
                "roles": [item.role.value for item in page.model.items],
                "state": last.state.value,
                "finish_reason": last.finish_reason,
                "text": last.text,
                "status": widget._status.text() if widget is not None else None,
                "streaming": page.controller.is_streaming(),
                "integrity": await page._context.store.integrity_check(),
            }
            print("state " + json.dumps(state), flush=True)
            window.close()
    asyncio.get_running_loop().create_task(drive())
    return await original(app, locations, preferences, *rest)

m.amain = amain
sys.exit(m.main(["parla"]))
"""

MESSAGE = " ".join(f"word{i:04d}" for i in range(400))  # 3,600 characters: about 18 s at 200 chars/s
EXPECTED = "Echo: " + MESSAGE


class App:
    """One run of the app with the driver; stdout lines are collected with their arrival time."""

    def __init__(self, home: Path, base_url: str, token: str, mode: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DBUS_", "PYTHON_KEYRING"))}
        env.update(
            PARLA_HOME=str(home),
            OPENAI_API_KEY=token,
            OPENAI_BASE_URL=base_url,
            QT_QPA_PLATFORM="offscreen",
            LANG="en_US.UTF-8",
            PARLA_TEST_MODE=mode,
            PARLA_TEST_MESSAGE=MESSAGE,
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", DRIVER],
            env=env,
            cwd=root_dir(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[tuple[float, str]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append((time.monotonic(), line.strip()))

    def wait_line(self, prefix: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for _when, line in list(self.lines):
                if line.startswith(prefix):
                    return line
            if self.process.poll() is not None:
                self._reader.join(2)
                for _when, line in list(self.lines):
                    if line.startswith(prefix):
                        return line
                pytest.fail(f"the app exited ({self.process.returncode}) before {prefix!r}: {self.process.stderr.read()}")  # type: ignore[union-attr]
            time.sleep(0.01)
        self.process.kill()
        pytest.fail(f"no {prefix!r} line within {timeout} s")

    def progress(self) -> list[tuple[float, int]]:
        """(monotonic time in the app, characters shown) reports so far."""
        out = []
        for _when, line in list(self.lines):
            if line.startswith("progress "):
                _tag, at, shown = line.split()
                out.append((float(at), int(shown)))
        return out

    def kill(self) -> float:
        self.process.send_signal(signal.SIGKILL)
        killed_at = time.monotonic()
        self.process.wait(10)
        self._reader.join(2)
        return killed_at

    def finish(self, timeout: float = 30.0) -> tuple[int, str]:
        try:
            _out, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _out, err = self.process.communicate()
            pytest.fail(f"the app did not exit: {err}")
        self._reader.join(2)
        return self.process.returncode, err


@pytest.mark.parametrize("kill_after", [0.0, 1.5, 4.0], ids=["before-the-first-byte", "early", "later"])
def test_kill_9_mid_stream_keeps_what_arrived(tmp_path: Path, loopback: Any, kill_after: float) -> None:
    loopback.stream_delay = 0.02  # 4 characters per event: ~200 characters a second
    if kill_after == 0.0:
        from tests.loopback.server import Fault

        loopback.inject("/chat/completions", Fault(delay_first_byte=5))
    home = tmp_path / "home"
    app = App(home, loopback.base_url, loopback.token, "send")
    app.wait_line("sent")
    if kill_after:
        deadline = time.monotonic() + 20
        while not any(shown > 0 for _at, shown in app.progress()):
            assert time.monotonic() < deadline, "no text arrived"
            time.sleep(0.01)
        time.sleep(kill_after)
    else:
        loopback.wait_request("/chat/completions", timeout=10)
    killed_at = app.kill()
    assert app.process.returncode == -signal.SIGKILL
    progress = app.progress()
    shown_at_kill = max((shown for _at, shown in progress), default=0)
    # What the page showed a second before the kill must have been saved by then.
    shown_a_second_before = max((shown for at, shown in progress if at <= killed_at - 1.0), default=0)
    if kill_after >= 1.5:
        assert shown_at_kill > 0

    again = App(home, loopback.base_url, loopback.token, "inspect")
    line = again.wait_line("state ")
    code, stderr = again.finish()
    assert code == 0, stderr
    state = json.loads(line[len("state ") :])
    assert state["roles"] == ["user", "assistant"]
    assert state["state"] == MessageState.STOPPED.value
    assert state["finish_reason"] == RECOVERED_FINISH_REASON
    assert state["status"] == "Interrupted — Parla closed before the reply finished."
    assert not state["streaming"]
    assert state["integrity"] == ["ok"]
    text = state["text"]
    assert EXPECTED.startswith(text)  # only what arrived, in order
    assert len(text) >= shown_a_second_before, (len(text), shown_a_second_before, shown_at_kill)
    if kill_after == 0.0:
        assert text == ""

    with Store(database_path(home / "data")) as store:
        assert store.integrity_check() == ["ok"]
        [conversation] = store.list_conversations()
        messages = store.messages(conversation.id)
        assert [m.role for m in messages] == [Role.USER, Role.ASSISTANT]
        assert messages[0].text == MESSAGE
        assert messages[1].text == text and messages[1].state is MessageState.STOPPED
