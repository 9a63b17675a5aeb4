"""A text completion streaming when the process is killed with SIGKILL is still there at the next start.

Like test_chat_durability.py, for the Chat tab's completion mode: the real program runs in a
subprocess against the loopback server (about 200 characters a second); a small driver starts a
new text completion, types a prompt and presses Complete, then reports every 50 ms how long the
editor's text is. After the kill, the app starts again on the same PARLA_HOME and reports what the
reopened completion shows: the prompt and the text received up to about a second before the kill
(never less, nothing that did not arrive), marked interrupted; ``PRAGMA integrity_check`` says ok.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from app.store import (
    RECOVERED_FINISH_REASON,
    ConversationKind,
    MessageState,
    Role,
    Store,
    database_path,
)
from tests.e2e import test_chat_durability as chat_durability

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
        view = page.completion_view
        if mode == "send":
            await asyncio.sleep(0.3)  # the page has listed the conversations
            page.new_completion()
            while page.main_stack.currentWidget() is not view:
                await asyncio.sleep(0.01)
            view.editor.setPlainText(os.environ["PARLA_TEST_MESSAGE"])
            view.complete()
            while not view.controller.is_streaming():
                await asyncio.sleep(0.01)
            print("sent", flush=True)
            prompt = len(os.environ["PARLA_TEST_MESSAGE"])
            while True:
                print(f"progress {time.monotonic():.3f} {len(view.editor.text()) - prompt}", flush=True)
                await asyncio.sleep(0.05)
        else:
            while page.completion_controller.current is None or not view.editor.text():
                await asyncio.sleep(0.02)
            await asyncio.sleep(0.2)
            segments = view.editor.segments()
            state = {
                "conversation": page.completion_controller.current_id,
                "completion_mode": page.main_stack.currentWidget() is view,
                "segments": [[s.text, s.generated] for s in segments],
                "status": view.status_label.text(),
                "streaming": view.controller.is_streaming(),
                "integrity": await page._context.store.integrity_check(),
            }
            print("state " + json.dumps(state), flush=True)
            window.close()
    asyncio.get_running_loop().create_task(drive())
    return await original(app, locations, preferences, *rest)

m.amain = amain
sys.exit(m.main(["parla"]))
"""

PROMPT = " ".join(f"word{i:04d}" for i in range(400))  # the echo: 3,600 characters, about 18 s
EXPECTED = "Echo: " + PROMPT


class App(chat_durability.App):
    """The chat test's runner (output collection, kill, finish), started with this driver and prompt."""

    def __init__(self, home: Path, base_url: str, token: str, mode: str) -> None:
        original = chat_durability.DRIVER, chat_durability.MESSAGE
        chat_durability.DRIVER, chat_durability.MESSAGE = DRIVER, PROMPT
        try:
            super().__init__(home, base_url, token, mode)
        finally:
            chat_durability.DRIVER, chat_durability.MESSAGE = original


@pytest.mark.parametrize("kill_after", [1.5, 4.0], ids=["early", "later"])
def test_kill_9_mid_completion_keeps_what_arrived(tmp_path: Path, loopback: Any, kill_after: float) -> None:
    loopback.stream_delay = 0.02  # 4 characters per event: ~200 characters a second
    home = tmp_path / "home"
    app = App(home, loopback.base_url, loopback.token, "send")
    app.wait_line("sent")
    deadline = time.monotonic() + 20
    while not any(shown > 0 for _at, shown in app.progress()):
        assert time.monotonic() < deadline, "no text arrived"
        time.sleep(0.01)
    time.sleep(kill_after)
    killed_at = app.kill()
    assert app.process.returncode == -signal.SIGKILL
    progress = app.progress()
    shown_at_kill = max((shown for _at, shown in progress), default=0)
    shown_a_second_before = max((shown for at, shown in progress if at <= killed_at - 1.0), default=0)
    assert shown_at_kill > 0

    again = App(home, loopback.base_url, loopback.token, "inspect")
    line = again.wait_line("state ")
    code, stderr = again.finish()
    assert code == 0, stderr
    state = json.loads(line[len("state ") :])
    assert state["completion_mode"]  # reopened where the user was
    assert state["segments"][0] == [PROMPT, False]
    assert len(state["segments"]) == 2 and state["segments"][1][1] is True
    text = state["segments"][1][0]
    assert EXPECTED.startswith(text)  # only what arrived, in order
    assert len(text) >= shown_a_second_before, (len(text), shown_a_second_before, shown_at_kill)
    assert state["status"] == "Interrupted — Parla closed before the completion finished."
    assert not state["streaming"]
    assert state["integrity"] == ["ok"]

    with Store(database_path(home / "data")) as store:
        [conversation] = store.list_conversations()
        assert conversation.kind is ConversationKind.COMPLETION
        messages = store.messages(conversation.id)
        assert [m.role for m in messages] == [Role.USER, Role.ASSISTANT]
        assert messages[0].text == PROMPT
        assert messages[1].text == text and messages[1].state is MessageState.STOPPED
        assert messages[1].finish_reason == RECOVERED_FINISH_REASON
