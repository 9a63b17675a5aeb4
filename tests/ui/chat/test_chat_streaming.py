"""Sending, streaming, stopping, regenerating, editing — the Chat tab against the loopback server."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app.store import MessageState, Role
from app.ui.chat.message_widget import MessageAction
from tests.loopback.server import Fault
from tests.ui.chat.chat_fixtures import ChatHarness, chat, chat_context, long_history  # noqa: F401


def test_send_streams_the_reply_and_stores_both(chat: ChatHarness, loopback: Any) -> None:
    chat.send("Hello there")
    reply = chat.wait_done()
    assert reply.text == "Echo: Hello there"
    assert reply.state is MessageState.COMPLETE
    request = loopback.last("/chat/completions")
    assert request.json["stream"] is True
    assert request.json["messages"] == [{"role": "user", "content": "Hello there"}]
    assert request.json["model"] == "gpt-4o-mini"
    stored = chat.call(chat.store.messages(chat.page.controller.current_id))
    assert [(m.role, m.text, m.state) for m in stored] == [
        (Role.USER, "Hello there", MessageState.COMPLETE),
        (Role.ASSISTANT, "Echo: Hello there", MessageState.COMPLETE),
    ]
    # Usage was asked for and shown under the reply.
    assert request.json["stream_options"] == {"include_usage": True}
    assert stored[1].usage and stored[1].usage["completion_tokens"] > 0
    widget = chat.widget(reply.id)
    assert "prompt" in widget._usage.text() and widget._usage.isVisible()
    # The sidebar got the conversation, titled by the first message.
    chat.qtbot.waitUntil(lambda: chat.page.sidebar.model.conversations() != [])
    assert chat.page.sidebar.model.conversations()[0].title == "Hello there"
    chat.qtbot.waitUntil(lambda: chat.page.title_label.text() == "Hello there")  # the header follows


def test_history_and_system_prompt_are_sent(chat: ChatHarness, loopback: Any) -> None:
    chat.send("one")
    chat.wait_done()
    chat.call(chat.page.controller.update_settings(settings={"system_prompt": "Be brief.", "temperature": 0.3}))
    chat.send("two")
    chat.wait_done()
    body = loopback.last("/chat/completions").json
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "one"},
        {"role": "assistant", "content": "Echo: one"},
        {"role": "user", "content": "two"},
    ]
    assert body["temperature"] == 0.3


def test_stop_keeps_the_partial_text(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/chat/completions", Fault(delay_between_chunks=0.05))
    chat.send("a fairly long message so that the reply takes a while to arrive in pieces")
    chat.qtbot.waitUntil(lambda: len(chat.last().text) > 10, timeout=5000)
    assert chat.page.composer.stop_button.isVisible()
    assert not chat.page.composer.send_button.isVisible()
    chat.page.composer.stop_button.click()
    reply = chat.wait_done()
    assert reply.state is MessageState.STOPPED
    assert 10 < len(reply.text) < len("Echo: a fairly long message so that the reply takes a while to arrive in pieces")
    assert loopback.wait_disconnect(2)
    stored = chat.call(chat.store.get_message(reply.id))
    assert stored.state is MessageState.STOPPED and stored.text == reply.text
    widget = chat.widget(reply.id)
    assert widget._status.text() == "Stopped."


def test_escape_stops(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/chat/completions", Fault(delay_between_chunks=0.05))
    chat.send("stop me with the escape key please, this reply is long enough")
    chat.qtbot.waitUntil(lambda: len(chat.last().text) > 5, timeout=5000)
    chat.page.window().activateWindow()
    chat.qtbot.keyClick(chat.page.composer.editor, Qt.Key.Key_Escape)
    assert chat.wait_done().state is MessageState.STOPPED


def test_regenerate_replaces_the_last_reply(chat: ChatHarness, loopback: Any) -> None:
    chat.send("again")
    first = chat.wait_done()
    widget = chat.widget(first.id)
    button = widget.button(MessageAction.REGENERATE)
    assert button.isVisible() and button.isEnabled()
    button.click()
    chat.qtbot.waitUntil(lambda: chat.last() is not first, timeout=5000)
    second = chat.wait_done()
    assert second.text == "Echo: again"
    assert [i.role for i in chat.items()] == [Role.USER, Role.ASSISTANT]
    assert len(loopback.requests_to("/chat/completions")) == 2
    stored = chat.call(chat.store.messages(chat.page.controller.current_id))
    assert [m.text for m in stored] == ["again", "Echo: again"] and stored[1].id == second.id


def test_edit_and_resend_asks_before_replacing_later_messages(chat: ChatHarness, loopback: Any) -> None:
    chat.send("first question")
    chat.wait_done()
    chat.send("second question")
    chat.wait_done()
    first_user = chat.items()[0]
    widget = chat.widget(first_user.id)
    widget.button(MessageAction.EDIT).click()
    assert widget.editing and widget.editor is not None
    chat.page.view.ensure_layout()
    row = chat.page.view.row_geometry(0)
    assert row.height() >= widget.editor.height() + widget._save_button.height()  # room for the editor
    widget.editor.setPlainText("first question, edited")
    widget._save_button.click()
    chat.qtbot.waitUntil(lambda: chat.page.confirmation is not None)
    box = chat.page.confirmation
    assert "3 messages" in box.text()
    # Cancel: nothing changes, the editor keeps the text.
    box.button(QMessageBox.StandardButton.Cancel).click()
    chat.qtbot.waitUntil(lambda: chat.page.confirmation is None)
    assert len(chat.items()) == 4 and widget.editing
    widget._save_button.click()
    chat.qtbot.waitUntil(lambda: chat.page.confirmation is not None)
    accept = [b for b in chat.page.confirmation.buttons() if b.text() == "Send"][0]
    accept.click()
    chat.qtbot.waitUntil(lambda: len(chat.items()) == 2, timeout=5000)
    reply = chat.wait_done()
    assert reply.text == "Echo: first question, edited"
    assert chat.items()[0].text == "first question, edited"
    stored = chat.call(chat.store.messages(chat.page.controller.current_id))
    assert [m.text for m in stored] == ["first question, edited", "Echo: first question, edited"]


def test_copy_as_markdown_and_plain_text(chat: ChatHarness, loopback: Any) -> None:
    chat.send("**bold** and `code`")
    reply = chat.wait_done()
    widget = chat.widget(reply.id)
    widget.copy_action(MessageAction.COPY_MARKDOWN).trigger()
    assert QApplication.clipboard().text() == "Echo: **bold** and `code`"
    widget.copy_action(MessageAction.COPY_PLAIN).trigger()
    assert QApplication.clipboard().text() == "Echo: bold and code"


def test_delete_a_message_with_undo(chat: ChatHarness) -> None:
    # No question first: the message goes at once and the bar offers Undo (tests/ui/chat/test_message_undo.py).
    chat.send("delete my reply")
    reply = chat.wait_done()
    chat.widget(reply.id).button(MessageAction.DELETE).click()
    chat.qtbot.waitUntil(lambda: len(chat.items()) == 1 and chat.page.view.undo_bar.isVisible())
    assert chat.page.confirmation is None
    assert chat.call(chat.store.count_messages(chat.page.controller.current_id)) == 1


def test_reasoning_goes_to_a_thinking_section_collapsed_once_the_answer_starts(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/chat/completions", Fault(quirk=5, delay_between_chunks=0.03))
    chat.send("why")
    chat.qtbot.waitUntil(lambda: chat.last().reasoning != "", timeout=5000)
    item = chat.last()
    widget = chat.widget(item.id)
    assert widget._thinking_button.isVisible() and widget._reasoning_frame.isVisible()
    reply = chat.wait_done()
    assert reply.reasoning == "Thinking about: why" and reply.text == "Echo: why"
    widget = chat.widget(reply.id)
    assert widget._thinking_button.isVisible() and not widget._reasoning_frame.isVisible()
    widget._thinking_button.click()
    assert widget._reasoning_frame.isVisible()
    assert chat.call(chat.store.get_message(reply.id)).reasoning == "Thinking about: why"


def test_think_tags_become_thinking(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/chat/completions", Fault(quirk=5, variant="think"))
    chat.send("ponder")
    reply = chat.wait_done()
    assert reply.reasoning == "Thinking about: ponder"
    assert reply.text == "Echo: ponder"


def test_autoscroll_follows_until_the_user_scrolls_up(chat: ChatHarness, loopback: Any, long_history: Any) -> None:
    conversation_id, _ = long_history
    chat.page._on_conversation_activated(conversation_id)
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == conversation_id)
    view = chat.page.view
    bar = view.verticalScrollBar()
    loopback.inject("/chat/completions", Fault(delay_between_chunks=0.02))
    chat.send("line\n" * 40)
    chat.qtbot.waitUntil(lambda: chat.last().text.count("\n") > 5, timeout=5000)
    view.ensure_layout()
    assert view.following and bar.value() == bar.maximum()
    chat.qtbot.waitUntil(lambda: chat.last().text.count("\n") > 12, timeout=5000)
    view.ensure_layout()
    assert bar.value() == bar.maximum()  # still at the bottom as the reply grew
    bar.setValue(bar.maximum() - 600)  # the user scrolls up to read
    assert not view.following
    held = bar.value()
    first_visible = min(view.model.row_of(w.item.id) for w in view.visible_widgets() if view.row_geometry(view.model.row_of(w.item.id)).bottom() > 0)
    chat.qtbot.waitUntil(lambda: chat.last().text.count("\n") > 25, timeout=5000)
    view.ensure_layout()
    assert bar.value() == held and bar.maximum() > held + 600  # the text under the reader did not move
    assert view.row_geometry(first_visible).bottom() > 0
    chat.wait_done()
    bar.setValue(bar.maximum())  # back at the bottom: follows again
    assert view.following


def test_the_settings_panel_sets_what_is_sent(chat: ChatHarness, loopback: Any) -> None:
    page = chat.page
    page.settings_button.click()  # a new chat: the panel gets a conversation to hold its settings
    panel = page.settings_panel
    chat.qtbot.waitUntil(lambda: panel.isVisible() and panel.conversation_id() is not None)
    conversation_id = page.controller.current_id
    panel.prompt_edit.setPlainText("Answer in French.")
    panel.model_picker.combo.setEditText("gpt-4o")
    chat.qtbot.waitUntil(lambda: chat.call(chat.store.get_conversation(conversation_id)).model == "gpt-4o", timeout=3000)
    stored = chat.call(chat.store.get_conversation(conversation_id))
    assert stored.settings["system_prompt"] == "Answer in French."
    chat.qtbot.waitUntil(lambda: page.model_label.text() == "gpt-4o")
    chat.send("Bonjour")
    reply = chat.wait_done()
    body = loopback.last("/chat/completions").json
    assert body["model"] == "gpt-4o"
    assert body["messages"][0] == {"role": "system", "content": "Answer in French."}
    assert chat.widget(reply.id)._header.text() == "gpt-4o"
