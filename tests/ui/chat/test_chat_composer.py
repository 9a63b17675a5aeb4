"""The composer: Enter and Shift+Enter (and their swap), Send's state, drafts across switches and restarts."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.store import MessageState
from app.ui.chat.page import ChatPage
from tests.loopback.server import Fault
from tests.ui.chat.chat_fixtures import ChatHarness, chat, chat_context, open_store, resolve  # noqa: F401
from tests.ui.conftest import run


def test_enter_sends_and_shift_enter_breaks_the_line(chat: ChatHarness, loopback: Any) -> None:
    editor = chat.page.composer.editor
    editor.setFocus()
    chat.qtbot.keyClicks(editor, "line one")
    chat.qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    chat.qtbot.keyClicks(editor, "line two")
    assert chat.page.composer.text() == "line one\nline two"  # a real newline, not U+2028
    chat.qtbot.keyClick(editor, Qt.Key.Key_Return)
    chat.qtbot.waitUntil(lambda: chat.page.composer.text() == "")
    assert chat.wait_done().text == "Echo: line one\nline two"


def test_the_swapped_preference(chat: ChatHarness, loopback: Any) -> None:
    chat.context.preferences.enter_sends = False
    editor = chat.page.composer.editor
    assert "Shift+Enter to send" in editor.placeholderText()
    chat.qtbot.keyClicks(editor, "a")
    chat.qtbot.keyClick(editor, Qt.Key.Key_Return)
    chat.qtbot.keyClicks(editor, "b")
    assert chat.page.composer.text() == "a\nb"
    chat.qtbot.keyClick(editor, Qt.Key.Key_Enter, Qt.KeyboardModifier.ShiftModifier)
    chat.qtbot.waitUntil(lambda: chat.page.composer.text() == "")
    assert chat.wait_done().text == "Echo: a\nb"


def test_send_is_disabled_while_blank_or_streaming(chat: ChatHarness, loopback: Any) -> None:
    composer = chat.page.composer
    assert not composer.send_button.isEnabled()
    chat.type("   \n  ")
    assert not composer.send_button.isEnabled()
    chat.qtbot.keyClick(composer.editor, Qt.Key.Key_Return)  # Enter on blank text sends nothing
    chat.qtbot.wait(50)
    assert chat.items() == [] and loopback.requests_to("/chat/completions") == []
    loopback.inject("/chat/completions", Fault(delay_between_chunks=0.05))
    chat.send("slow reply, please, with enough words to take a while")
    chat.qtbot.waitUntil(lambda: composer.stop_button.isVisible())
    chat.type("next question")
    assert not composer.can_send() and not composer.send_button.isVisible()
    chat.page.trigger_main_action()  # Ctrl+Enter while streaming does nothing
    assert composer.text() == "next question"
    chat.wait_done()
    assert composer.send_button.isVisible() and composer.send_button.isEnabled()
    chat.page.trigger_main_action()  # Ctrl+Enter sends
    chat.qtbot.waitUntil(lambda: composer.text() == "")
    assert chat.wait_done().text == "Echo: next question"


def test_focus_main_input_and_ctrl_n(chat: ChatHarness) -> None:
    chat.page.window().activateWindow()
    chat.page.focus_main_input()
    chat.qtbot.waitUntil(lambda: QApplication.focusWidget() is chat.page.composer.editor)
    chat.send("keep me")
    chat.wait_done()
    first = chat.page.controller.current_id
    chat.qtbot.keyClick(chat.page.composer.editor, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    chat.qtbot.waitUntil(lambda: chat.page.controller.current is None)
    assert chat.items() == [] and chat.page.title_label.text() == "New chat"
    assert QApplication.focusWidget() is chat.page.composer.editor
    chat.send("a second conversation")
    chat.wait_done()
    assert chat.page.controller.current_id not in (None, first)
    chat.qtbot.waitUntil(lambda: len(chat.page.sidebar.model.conversations()) == 2)


def test_draft_survives_switching(chat: ChatHarness) -> None:
    chat.send("conversation A")
    chat.wait_done()
    a = chat.page.controller.current_id
    chat.page.new_chat()
    chat.qtbot.waitUntil(lambda: chat.page.controller.current is None)
    chat.send("conversation B")
    chat.wait_done()
    b = chat.page.controller.current_id
    chat.type("half-written thought for B")
    sidebar = chat.page.sidebar
    chat.qtbot.waitUntil(lambda: sidebar.model.row_of(a) >= 0)
    sidebar.list_view.setCurrentIndex(sidebar.model.index(sidebar.model.row_of(a), 0))
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == a)
    assert chat.page.composer.text() == ""
    assert chat.call(chat.store.load_draft(b)).text == "half-written thought for B"
    chat.type("and one for A")
    sidebar.list_view.setCurrentIndex(sidebar.model.index(sidebar.model.row_of(b), 0))
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == b)
    assert chat.page.composer.text() == "half-written thought for B"
    assert chat.call(chat.store.load_draft(a)).text == "and one for A"


def test_draft_of_a_new_chat_survives_a_restart(qtbot: Any, chat_context: Any) -> None:
    page = ChatPage(chat_context)
    page.show()
    qtbot.waitExposed(page)
    page.composer.editor.setPlainText("typed but never sent")
    qtbot.waitUntil(lambda: page.controller.current is not None, timeout=3000)  # the debounce wrote it
    conversation_id = page.controller.current_id
    page.composer.editor.setPlainText("typed but never sent, edited")
    page.hide()  # the window closes: the draft is written at once
    run(qtbot, chat_context.tasks.cancel_all())
    page.deleteLater()
    resolve(qtbot, chat_context.store.close())
    chat_context.window_state.sync()

    # "Restart": a new store on the same file, a new page.
    store = open_store(qtbot, chat_context)
    context = dataclasses.replace(chat_context, store=store)
    again = ChatPage(context)
    again.show()
    try:
        qtbot.waitUntil(lambda: again.controller.current_id == conversation_id, timeout=3000)
        assert again.composer.text() == "typed but never sent, edited"
        assert again.sidebar.model.conversation(conversation_id) is not None
    finally:
        again.hide()
        run(qtbot, context.tasks.cancel_all())
        again.deleteLater()
        resolve(qtbot, store.close())


def test_an_empty_new_chat_leaves_nothing_behind(chat: ChatHarness) -> None:
    chat.type("x")
    chat.qtbot.waitUntil(lambda: chat.page.controller.current is not None, timeout=3000)
    created = chat.page.controller.current_id
    chat.type("")
    chat.page.composer.editor.clear()
    chat.qtbot.wait(500)  # the debounced save of the now empty draft
    chat.page.new_chat()
    chat.qtbot.waitUntil(lambda: chat.page.controller.current is None)
    chat.qtbot.waitUntil(lambda: chat.call(chat.store.get_conversation(created)) is None, timeout=3000)


def test_streaming_continues_in_the_background_when_switching(chat: ChatHarness, loopback: Any) -> None:
    chat.send("first conversation")
    chat.wait_done()
    first = chat.page.controller.current_id
    chat.page.new_chat()
    chat.qtbot.waitUntil(lambda: chat.page.controller.current is None)
    loopback.inject("/chat/completions", Fault(delay_between_chunks=0.03))
    chat.send("streams while I look elsewhere, for a little while at least")
    second = chat.page.controller.current_id
    chat.qtbot.waitUntil(lambda: chat.last().text != "", timeout=5000)
    sidebar = chat.page.sidebar
    chat.qtbot.waitUntil(lambda: sidebar.model.row_of(first) >= 0)
    sidebar.list_view.setCurrentIndex(sidebar.model.index(sidebar.model.row_of(first), 0))
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == first)
    assert chat.page.composer.send_button.isVisible()  # this conversation is not busy
    sidebar.list_view.setCurrentIndex(sidebar.model.index(sidebar.model.row_of(second), 0))
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == second)
    reply = chat.wait_done()
    assert reply.state is MessageState.COMPLETE
    assert reply.text == "Echo: streams while I look elsewhere, for a little while at least"
