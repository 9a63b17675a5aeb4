"""The Voice tab in the real main window: built on first use from TAB_PAGES, Ctrl+3 puts the focus
on Talk (so Space talks at once), Ctrl+Enter starts and sends a take, and the tray's Push to talk
(the page's start_push_to_talk hook) starts one."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.ui import main_window
from app.ui.voice.controller import Mode, Phase
from app.ui.voice.page import VoicePage
from tests.ui.voice.voice_fixtures import *
from tests.ui.voice.voice_fixtures import FakeAudio, VoiceHarness, speechlike


def test_the_voice_page_is_the_third_tab_and_offers_push_to_talk() -> None:
    factory = main_window.resolve_page_factory(main_window.TAB_PAGES[main_window.VOICE_TAB])
    assert factory is VoicePage
    assert callable(getattr(VoicePage, main_window.PUSH_TO_TALK_HOOK[1]))


@pytest.fixture
def window(qtbot: Any, voice_context: Any, fake_audio: FakeAudio, make_window: Any,
           monkeypatch: pytest.MonkeyPatch) -> Any:
    # (make_window after voice_context: the windows are closed before the context's teardown
    # processes events and deletes them)
    pages = list(main_window.TAB_PAGES)
    pages[main_window.VOICE_TAB] = functools.partial(VoicePage, backend=fake_audio.backend)
    monkeypatch.setattr(main_window, "TAB_PAGES", tuple(pages))
    win = make_window(voice_context)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    return win


def test_ctrl_3_space_and_ctrl_enter_in_the_window(window: Any, qtbot: Any, fake_audio: FakeAudio,
                                                  loopback: Any, voice_context: Any) -> None:
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    page = window.page(main_window.VOICE_TAB)
    assert isinstance(page, VoicePage)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.talk_button)
    voice = VoiceHarness(qtbot, voice_context, page, fake_audio, loopback)
    voice.wait_armed()

    qtbot.keyPress(QApplication.focusWidget(), Qt.Key.Key_Space)
    voice.wait_recording()
    voice.speak(speechlike(1.0))
    qtbot.keyRelease(QApplication.focusWidget(), Qt.Key.Key_Space)
    voice.wait_idle()
    assert len(loopback.requests_to("/audio/transcriptions")) == 1

    qtbot.keyClick(page.talk_button, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    voice.wait_recording()
    assert page.controller.mode is Mode.LATCHED
    voice.speak(speechlike(1.0))
    qtbot.keyClick(page.talk_button, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    voice.wait_idle()
    assert len(loopback.requests_to("/audio/transcriptions")) == 2


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_tray_push_to_talk_shows_the_tab_and_records(window: Any, qtbot: Any, fake_audio: FakeAudio,
                                                     loopback: Any, voice_context: Any) -> None:
    window.show_tab(main_window.CHAT_TAB)
    push_to_talk = window.tray_actions[2]
    assert push_to_talk.isEnabled()
    push_to_talk.trigger()
    assert window.tabs.currentIndex() == main_window.VOICE_TAB
    page = window.page(main_window.VOICE_TAB)
    assert page.controller.phase is Phase.RECORDING and page.controller.mode is Mode.LATCHED
    voice = VoiceHarness(qtbot, voice_context, page, fake_audio, loopback)
    voice.wait_recording()
    voice.speak(speechlike(1.0))
    page.talk_button.click()  # a click ends a latched take
    voice.wait_idle()
    assert len(loopback.requests_to("/audio/transcriptions")) == 1
