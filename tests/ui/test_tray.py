"""The tray icon (an optional setting): its menu, the page hooks, and closing to the tray.

In-process tests drive the window's logic with stub pages; the last test runs the real program on
the X server make test starts, with a real notification area (wmsystemtray, an XEmbed tray host), to
see that the icon docks, that closing the window leaves Parla running, and that the tray's Quit ends
it cleanly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from app.ui import main_window
from app.ui.pages import PlaceholderPage
from app.ui.tray import TrayIcon

ROOT = Path(__file__).resolve().parents[2]
calls: list[str] = []


class _Page(PlaceholderPage):
    def __init__(self, context: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.set_text(type(self).__name__)


class ChatWithHook(_Page):
    def new_conversation(self) -> None:
        calls.append("new_conversation")


class VoiceWithoutHook(_Page):
    pass


class VoiceWithHook(_Page):
    def start_push_to_talk(self) -> None:
        calls.append("start_push_to_talk")


@pytest.fixture(autouse=True)
def stub_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    calls.clear()
    monkeypatch.setattr(main_window, "TAB_PAGES", (ChatWithHook, _Page, VoiceWithoutHook))


# The offscreen platform has no tray: Qt says so when an icon is made there, and cannot raise windows.
OFFSCREEN_TRAY = pytest.mark.qt_log_ignore("systemTrayWindowChanged", "This plugin does not support raise")


@pytest.fixture
def tray_available(monkeypatch: pytest.MonkeyPatch) -> None:
    """The offscreen platform has no notification area; the window's logic is tested as if it had one."""
    monkeypatch.setattr(TrayIcon, "available", staticmethod(lambda: True))


def test_no_tray_by_default(make_window: Any) -> None:
    window = make_window()
    assert window._context.preferences.tray is False
    assert window.tray is None


@OFFSCREEN_TRAY
def test_the_tray_menu_offers_show_new_chat_push_to_talk_quit(qtbot: Any, make_window: Any, tray_available: None) -> None:
    context = None
    window = make_window()
    context = window._context
    context.preferences.tray = True  # as the General page's checkbox does
    tray = window.tray
    assert isinstance(tray, TrayIcon)
    texts = [a.text().replace("&", "") for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["Show Parla", "New chat", "Push to talk", "Quit"]
    assert not tray.icon().isNull()
    tray.menu_about_to_show.emit()
    show, new_chat, push_to_talk, quit_action = window.tray_actions
    assert new_chat.isEnabled()  # the chat page has new_conversation()
    assert not push_to_talk.isEnabled()  # the voice page has no start_push_to_talk(): no fake control
    assert window.built_page(2) is None  # looked up on the class, the page was not built for it

    new_chat.trigger()
    assert calls == ["new_conversation"]
    assert window.isVisible() and window.tabs.currentIndex() == 0

    context.preferences.tray = False
    assert window.tray is None


@OFFSCREEN_TRAY
def test_push_to_talk_calls_the_voice_page(qtbot: Any, make_window: Any, tray_available: None,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(main_window, "TAB_PAGES", (_Page, _Page, VoiceWithHook))
    window = make_window()
    window._context.preferences.tray = True
    window.tray.menu_about_to_show.emit()
    _show, new_chat, push_to_talk, _quit = window.tray_actions
    assert not new_chat.isEnabled() and push_to_talk.isEnabled()
    push_to_talk.trigger()
    assert calls == ["start_push_to_talk"]
    assert window.tabs.currentIndex() == 2


@OFFSCREEN_TRAY
def test_closing_hides_to_the_tray_and_quit_ends(qtbot: Any, make_window: Any, tray_available: None) -> None:
    window = make_window()
    window._context.preferences.tray = True
    window.show()
    qtbot.waitExposed(window)
    with qtbot.assertNotEmitted(window.quit_requested):
        window.close()  # the title bar's close button
    assert not window.isVisible()
    assert window.tray is not None and window.tray.isVisible()
    assert (window._context.locations.config / "state.ini").is_file()  # state saved on the way

    window.tray.show_requested.emit()  # a click on the icon
    qtbot.waitUntil(window.isVisible)

    with qtbot.waitSignal(window.quit_requested):
        window.tray_actions[3].trigger()  # Quit
    assert not window.isVisible()
    assert window.tray is None or not window.tray.isVisible()


@OFFSCREEN_TRAY
def test_without_a_notification_area_closing_quits(qtbot: Any, make_window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TrayIcon, "available", staticmethod(lambda: False))
    window = make_window()
    window._context.preferences.tray = True
    assert window.tray is None
    window.show()
    qtbot.waitExposed(window)
    window.close()
    assert not window.isVisible()


HARNESS = r"""
import asyncio, sys
import app.main as m

original = m.amain

async def amain(app, locations, preferences, *rest):
    async def scenario():
        window = None
        for _ in range(400):
            window = next((w for w in app.topLevelWidgets() if w.objectName() == "main_window"), None)
            if window is not None and window.tray is not None and window.tray.isVisible():
                break
            await asyncio.sleep(0.02)
        print("tray", window is not None and window.tray is not None, flush=True)
        window.close()
        await asyncio.sleep(0.3)
        print("after close: visible", window.isVisible(), flush=True)
        window.tray.show_requested.emit()
        await asyncio.sleep(0.3)
        print("after click: visible", window.isVisible(), flush=True)
        window.close()
        await asyncio.sleep(0.3)
        print("quitting from the tray", flush=True)
        window.tray_actions[3].trigger()
    asyncio.get_running_loop().create_task(scenario())
    return await original(app, locations, preferences, *rest)

m.amain = amain
sys.exit(m.main(["parla"]))
"""


def test_a_real_tray_on_x11(tmp_path: Path) -> None:
    display = os.environ.get("DISPLAY")
    host = shutil.which("wmsystemtray")
    if not display or host is None:
        pytest.fail("needs the X server of scripts/with-services and wmsystemtray (scripts/system-deps)")
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "parla.ini").write_text("[desktop]\ntray=true\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DBUS_", "PYTHON_KEYRING"))}
    env.update(PARLA_HOME=str(home), QT_QPA_PLATFORM="xcb", LANG="en_US.UTF-8", PYTHONPATH=str(ROOT))
    tray_host = subprocess.Popen([host, "--non-wmaker", "-display", display], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)  # the host takes the _NET_SYSTEM_TRAY selection
        assert tray_host.poll() is None, "wmsystemtray did not start"
        result = subprocess.run([sys.executable, "-c", HARNESS], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=60)
    finally:
        tray_host.terminate()
        tray_host.wait(5)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "tray True",
        "after close: visible False",
        "after click: visible True",
        "quitting from the tray",
    ]
    log = (home / "logs" / "parla.log").read_text()
    assert "tray icon shown" in log and "window hidden to the tray" in log
    assert "Parla exits with code 0" in log
