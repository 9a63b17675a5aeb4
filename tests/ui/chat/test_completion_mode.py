"""The Chat tab's text completion mode against the loopback server: streaming in place, Stop,
parameters, n choices, echo, errors, persistence, the sidebar tag."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from app.store import ConversationKind, MessageState, Role, Store, database_path
from app.ui.chat.completion_controller import CompletionParameters, Segment
from app.ui.chat.completion_view import GENERATED, decode_escapes, encode_escapes
from app.ui.chat.page import ChatPage
from app.ui.chat.sidebar_model import ConversationListModel, SearchResultsModel
from tests.loopback.server import Fault
from tests.ui.chat.chat_fixtures import (  # noqa: F401
    ChatHarness,
    chat,
    chat_context,
    open_store,
    resolve,
)
from tests.ui.conftest import run
from tests.ui.test_accessibility_pages import chinese  # noqa: F401


def start_completion(chat: ChatHarness, text: str) -> Any:
    page = chat.page
    page.new_completion()
    chat.qtbot.waitUntil(lambda: page.main_stack.currentWidget() is page.completion_view, timeout=3000)
    view = page.completion_view
    view.editor.setPlainText(text)
    return view


def wait_finished(chat: ChatHarness, timeout: int = 10000) -> None:
    view = chat.page.completion_view
    chat.qtbot.waitUntil(lambda: not view.controller.is_streaming() and view.complete_button.isVisible(), timeout=timeout)
    chat.wait_idle()


def stored_messages(chat: ChatHarness) -> list[Any]:
    cid = chat.page.completion_controller.current_id
    assert cid is not None
    return chat.call(chat.store.messages(cid))


def test_complete_streams_in_place_after_the_prompt_and_keeps_it(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/completions", Fault(delay_between_chunks=0.02))
    view = start_completion(chat, "Once upon a time")
    view.complete_button.click()
    chat.qtbot.waitUntil(lambda: view.controller.is_streaming(), timeout=5000)
    assert view.stop_button.isVisible() and not view.complete_button.isVisible()
    assert view.editor.isReadOnly()
    # In place: the document grows after the prompt while the request is still running.
    chat.qtbot.waitUntil(lambda: len(view.editor.text()) > len("Once upon a time") + 4, timeout=5000)
    assert view.editor.text().startswith("Once upon a time")
    wait_finished(chat)
    assert view.editor.text() == "Once upon a timeEcho: Once upon a time"
    assert not view.editor.isReadOnly()
    # Visually distinct: the model's text carries the generated property and a background.
    segments = view.editor.segments()
    assert segments == [Segment("Once upon a time", False), Segment("Echo: Once upon a time", True)]
    cursor = QTextCursor(view.editor.document())
    cursor.setPosition(len("Once upon a time") + 3)
    assert cursor.charFormat().property(GENERATED) is True
    tinted = [(r.start, r.length, r.format.background().color()) for r in view.editor.document().firstBlock().layout().formats()]
    assert tinted == [(len("Once upon a time"), len("Echo: Once upon a time"), view.editor.generated_color())]
    assert view.editor.generated_color() != view.editor.palette().base().color()
    # A switch to the dark palette re-tints the model's text (no undo step, no change to the text).
    from app.ui.theme import dark_palette

    light = view.editor.generated_color()
    view.editor.setPalette(dark_palette())
    dark = view.editor.generated_color()
    assert dark != light and dark.lightness() < 128
    assert view.editor.document().firstBlock().layout().formats()[0].format.background().color() == dark
    # The request: the whole document is the prompt, streamed, usage asked for; usage shown.
    body = loopback.last("/completions").json
    assert body["prompt"] == "Once upon a time" and body["stream"] is True
    assert body["model"] == "gpt-4o-mini"
    assert body["stream_options"] == {"include_usage": True}
    assert view.usage_label.isVisible() and "prompt" in view.usage_label.text()
    # Kept as a completion conversation: a user segment and an assistant segment.
    messages = stored_messages(chat)
    assert [(m.role, m.text, m.state) for m in messages] == [
        (Role.USER, "Once upon a time", MessageState.COMPLETE),
        (Role.ASSISTANT, "Echo: Once upon a time", MessageState.COMPLETE),
    ]
    assert messages[1].usage and messages[1].usage["completion_tokens"] > 0
    conversation = chat.call(chat.store.get_conversation(chat.page.completion_controller.current_id))
    assert conversation.kind is ConversationKind.COMPLETION and conversation.title == "Once upon a time"
    # A one-step undo takes the whole completion back out.
    view.editor.setFocus()
    view.editor.undo()
    assert view.editor.text() == "Once upon a time"


def test_typing_after_a_completion_is_the_users_text_and_is_saved(chat: ChatHarness, loopback: Any) -> None:
    view = start_completion(chat, "A")
    view.complete_button.click()
    wait_finished(chat)
    assert view.editor.text() == "AEcho: A"
    view.editor.setFocus()
    view.editor.moveCursor(QTextCursor.MoveOperation.End)
    chat.qtbot.keyClicks(view.editor, " and B")
    assert view.editor.segments() == [Segment("A", False), Segment("Echo: A", True), Segment(" and B", False)]
    chat.qtbot.waitUntil(lambda: len(stored_messages(chat)) == 3, timeout=3000)
    assert [(m.role, m.text) for m in stored_messages(chat)] == [
        (Role.USER, "A"),
        (Role.ASSISTANT, "Echo: A"),
        (Role.USER, " and B"),
    ]
    # The next completion sends everything, and follows it.
    view.complete_button.click()
    wait_finished(chat)
    assert loopback.last("/completions").json["prompt"] == "AEcho: A and B"
    assert view.editor.text() == "AEcho: A and BEcho: AEcho: A and B"


def test_stop_keeps_the_partial_text(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/completions", Fault(delay_between_chunks=0.05))
    view = start_completion(chat, "a fairly long prompt so that the completion takes a while to arrive")
    prompt = view.editor.text()
    view.complete_button.click()
    chat.qtbot.waitUntil(lambda: len(view.editor.text()) > len(prompt) + 8, timeout=5000)
    chat.page.window().activateWindow()
    chat.qtbot.keyClick(view.editor, Qt.Key.Key_Escape)  # the page's Esc shortcut
    wait_finished(chat)
    assert loopback.wait_disconnect(2)
    text = view.editor.text()
    partial = text[len(prompt):]
    assert text.startswith(prompt) and 8 < len(partial) < len("Echo: " + prompt)
    assert view.status_label.text() == "Stopped."
    messages = stored_messages(chat)
    assert messages[-1].state is MessageState.STOPPED and messages[-1].text == partial
    assert messages[0].text == prompt


def test_parameters_are_sent_as_given_and_kept_per_conversation(chat: ChatHarness, loopback: Any) -> None:
    view = start_completion(chat, "Count: one, two,")
    panel = view.parameters_panel
    assert panel.isVisible()
    panel.controls["max_tokens"].set_value(3)
    panel.controls["temperature"].set_value(0.7)
    panel.controls["top_p"].set_value(0.9)
    panel.stop_edits[0].setText("\\n")
    panel.stop_edits[1].setText("END")
    panel.suffix_edit.setPlainText("and that is all.")
    panel.model_picker.set_model("davinci-002")
    view.complete_button.click()
    wait_finished(chat)
    body = loopback.last("/completions").json
    assert body["max_tokens"] == 3
    assert body["temperature"] == 0.7 and body["top_p"] == 0.9
    assert body["stop"] == ["\n", "END"]
    assert body["suffix"] == "and that is all."
    assert body["model"] == "davinci-002"
    assert "n" not in body and "echo" not in body
    # max_tokens = 3 keeps three pieces and says why it stopped.
    assert view.editor.text() == "Count: one, two," + "".join(loopback.chunk_pieces("Echo: Count: one, two,")[:3])
    messages = stored_messages(chat)
    assert messages[-1].finish_reason == "length"
    assert view.status_label.text() == "Cut short: the completion reached the max tokens limit."
    conversation = chat.call(chat.store.get_conversation(chat.page.completion_controller.current_id))
    assert conversation.model == "davinci-002"
    assert CompletionParameters.from_settings(conversation.settings) == CompletionParameters(
        max_tokens=3, temperature=0.7, top_p=0.9, stop=("\n", "END"), suffix="and that is all.", echo=False, n=1
    )


def test_two_choices_are_offered_and_the_pick_is_kept(chat: ChatHarness, loopback: Any) -> None:
    view = start_completion(chat, "Pick 🌏")
    view.parameters_panel.n_spin.setValue(2)
    view.parameters_panel.flush()
    view.complete_button.click()
    wait_finished(chat)
    assert loopback.last("/completions").json["n"] == 2
    assert view.choices_bar.isVisible() and view.choices_tabs.count() == 2
    assert view._choices == ["Echo: Pick 🌏", "Echo: Pick 🌏"]
    assert view.editor.text() == "Pick 🌏Echo: Pick 🌏"
    # Different texts, so a pick is visible: change the offered second choice, then pick it.
    view._choices[1] = "Another ending"
    view.choices_tabs.setCurrentIndex(1)
    assert view.editor.text() == "Pick 🌏Another ending"
    assert view.editor.segments()[-1] == Segment("Another ending", True)
    chat.qtbot.waitUntil(lambda: stored_messages(chat)[-1].text == "Another ending", timeout=3000)
    conversation = chat.call(chat.store.get_conversation(chat.page.completion_controller.current_id))
    assert conversation.settings["completion_choices"]["texts"] == ["Echo: Pick 🌏", "Echo: Pick 🌏"]


def test_echo_is_sent_and_the_prompt_is_not_repeated(chat: ChatHarness, loopback: Any) -> None:
    view = start_completion(chat, "Say it twice")
    view.parameters_panel.echo_check.setChecked(True)
    view.complete_button.click()
    wait_finished(chat)
    assert loopback.last("/completions").json["echo"] is True
    assert view.editor.text() == "Say it twiceEcho: Say it twice"
    assert stored_messages(chat)[-1].text == "Echo: Say it twice"


def test_an_error_keeps_the_prompt_and_retry_works(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/completions", Fault(status=500), times=-1)
    view = start_completion(chat, "Please do not lose me")
    view.complete_button.click()
    chat.qtbot.waitUntil(lambda: view.error_bar.isVisible(), timeout=15000)
    wait_finished(chat)
    assert view.editor.text() == "Please do not lose me"
    assert view.error_label.text()  # the sentence of user_message
    assert "server" in view.error_label.text().lower()
    assert view.retry_button.isVisible() and view.retry_button.isEnabled()
    messages = stored_messages(chat)
    assert messages[0].text == "Please do not lose me"
    assert messages[-1].state is MessageState.ERROR and messages[-1].error == view.error_label.text()
    loopback.clear_faults()
    view.retry_button.click()
    wait_finished(chat)
    assert not view.error_bar.isVisible()
    assert view.editor.text() == "Please do not lose meEcho: Please do not lose me"


def test_an_empty_prompt_gets_a_sentence_and_sends_nothing(chat: ChatHarness, loopback: Any) -> None:
    view = start_completion(chat, "   ")
    view.complete_button.click()
    chat.wait_idle()
    assert view.status_label.text() == "Write some text first: the model continues it."
    assert loopback.requests_to("/completions") == []


def test_reopening_restores_the_document_exactly(chat: ChatHarness, loopback: Any, qtbot: Any) -> None:
    view = start_completion(chat, "Line one\nLine two\n")
    view.complete_button.click()
    wait_finished(chat)
    view.editor.moveCursor(QTextCursor.MoveOperation.End)
    view.editor.insertPlainText("\nmine")
    expected_text = view.editor.text()
    expected = view.editor.segments()
    completion_id = chat.page.completion_controller.current_id
    # Away to a chat and back.
    chat.page.new_chat()
    qtbot.waitUntil(lambda: chat.page.main_stack.currentWidget() is chat.page.chat_area, timeout=3000)
    chat.send("a chat in between")
    chat.wait_done()
    chat.page._on_conversation_activated(completion_id)
    qtbot.waitUntil(lambda: chat.page.completion_controller.current_id == completion_id, timeout=3000)
    qtbot.waitUntil(lambda: view.editor.text() == expected_text, timeout=3000)
    assert view.editor.segments() == expected
    assert chat.page.sidebar.current_id == completion_id


def test_the_document_survives_a_restart_of_the_store(chat: ChatHarness, loopback: Any, qtbot: Any) -> None:
    loopback.inject("/completions", Fault(delay_between_chunks=0.02))
    view = start_completion(chat, "Persist me")
    chat.page.completion_view.parameters_panel.controls["temperature"].set_value(0.3)
    chat.page.completion_view.parameters_panel.flush()
    view.complete_button.click()
    wait_finished(chat)
    expected = view.editor.segments()
    cid = chat.page.completion_controller.current_id
    assert expected[-1].generated
    # A plain Store on the same file, after the page's writes: what a restart reads.
    store = Store(database_path(chat.context.locations.data))
    try:
        messages = store.messages(cid)
        conversation = store.get_conversation(cid)
    finally:
        store.close()
    assert [Segment(m.text, m.role is Role.ASSISTANT) for m in messages] == expected
    assert conversation is not None and conversation.settings["temperature"] == 0.3
    # A second page over a freshly opened store shows it again, exactly.
    second_store = open_store(qtbot, chat.context)
    context = dataclasses.replace(chat.context, store=second_store)
    page = ChatPage(context)
    try:
        page.show()
        qtbot.waitUntil(lambda: page.completion_controller.current_id == cid, timeout=5000)
        qtbot.waitUntil(lambda: page.completion_view.editor.segments() == expected, timeout=3000)
        assert page.main_stack.currentWidget() is page.completion_view
        assert page.completion_view.parameters_panel.controls["temperature"].value() == 0.3
    finally:
        page.hide()
        run(qtbot, context.tasks.cancel_all())
        page.close()
        page.deleteLater()
        resolve(qtbot, second_store.close())


def test_streaming_text_is_saved_while_it_arrives(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/completions", Fault(delay_between_chunks=0.1))
    view = start_completion(chat, "slowly, slowly, a long enough prompt for many pieces")
    view.complete_button.click()
    chat.qtbot.waitUntil(lambda: view.controller.is_streaming(), timeout=5000)
    chat.qtbot.wait(900)
    shown = view.editor.text()
    messages = stored_messages(chat)
    assert messages[-1].state is MessageState.STREAMING
    # What the store holds lags what is shown by at most a save interval or two (pieces of 4
    # characters every 100 ms; a save every 250 ms).
    generated = shown[len("slowly, slowly, a long enough prompt for many pieces"):]
    stored = messages[-1].text
    assert stored and generated.startswith(stored)
    assert len(generated) - len(stored) <= 4 * 6
    chat.page.stop()
    wait_finished(chat)


def test_sidebar_tags_completions_and_search_finds_them(chat: ChatHarness, loopback: Any) -> None:
    view = start_completion(chat, "A zebra walks into a bar")
    view.complete_button.click()
    wait_finished(chat)
    sidebar = chat.page.sidebar
    cid = chat.page.completion_controller.current_id
    chat.qtbot.waitUntil(lambda: sidebar.model.row_of(cid) >= 0, timeout=3000)
    index = sidebar.model.index(sidebar.model.row_of(cid), 0)
    assert index.data(ConversationListModel.TagRole) == "Completion"
    assert index.data() == "A zebra walks into a bar"
    assert sidebar.current_id == cid
    # Rename and pin like a chat.
    chat.page._on_rename_requested(cid, "Bar joke")
    chat.qtbot.waitUntil(lambda: view.title_label.text() == "Bar joke", timeout=3000)
    chat.page._on_pin_requested(cid, True)
    chat.qtbot.waitUntil(lambda: sidebar.model.conversation(cid) is not None and sidebar.model.conversation(cid).pinned, timeout=3000)
    # Search finds it, tagged.
    sidebar.search_edit.setText("zebra")
    chat.qtbot.waitUntil(lambda: sidebar.results.rowCount() > 0, timeout=3000)
    hit = sidebar.results.index(0, 0)
    assert hit.data(SearchResultsModel.ConversationIdRole) == cid
    assert hit.data(SearchResultsModel.TagRole) == "Completion"
    # Activating a hit in the generated text selects that segment in the editor.
    row = next(r for r in range(sidebar.results.rowCount()) if sidebar.results.hit(r).message_id is not None
               and sidebar.results.hit(r).snippet.count("Echo"))
    view.editor.moveCursor(QTextCursor.MoveOperation.Start)
    sidebar.results_view.clicked.emit(sidebar.results.index(row, 0))
    chat.qtbot.waitUntil(lambda: view.editor.textCursor().selectedText() == "Echo: A zebra walks into a bar", timeout=3000)
    sidebar.search_edit.clear()
    # Delete, then Undo brings it back, open.
    chat.page._on_delete_requested(cid)
    chat.qtbot.waitUntil(lambda: sidebar.model.row_of(cid) < 0, timeout=3000)
    chat.page._on_undo_requested(cid)
    chat.qtbot.waitUntil(lambda: chat.page.completion_controller.current_id == cid, timeout=3000)
    chat.qtbot.waitUntil(lambda: view.editor.text() == "A zebra walks into a barEcho: A zebra walks into a bar", timeout=3000)


def test_new_menu_and_shortcut_start_a_completion(chat: ChatHarness, loopback: Any) -> None:
    page = chat.page
    actions = page.sidebar.new_menu_button.menu().actions()
    assert [a.text().split("\t")[0] for a in actions] == ["New chat", "New text completion"]
    assert page.sidebar.new_menu_button.toolTip() and page.sidebar.new_menu_button.accessibleName()
    page.window().activateWindow()
    chat.qtbot.keyClick(page.composer.editor, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    chat.qtbot.waitUntil(lambda: page.main_stack.currentWidget() is page.completion_view, timeout=3000)
    assert page.completion_view.title_label.text() == "New text completion"
    actions[0].trigger()
    chat.qtbot.waitUntil(lambda: page.main_stack.currentWidget() is page.chat_area, timeout=3000)
    actions[1].trigger()
    chat.qtbot.waitUntil(lambda: page.main_stack.currentWidget() is page.completion_view, timeout=3000)
    # Ctrl+Enter completes in the editor.
    page.completion_view.editor.setPlainText("Keys")
    page.completion_view.editor.setFocus()
    chat.qtbot.keyClick(page.completion_view.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_finished(chat)
    assert page.completion_view.editor.text() == "KeysEcho: Keys"
    # An untouched new completion leaves nothing behind.
    page.new_completion()
    chat.wait_idle()
    page.new_chat()
    chat.wait_idle()
    completions = [c for c in chat.call(chat.store.list_conversations()) if c.kind is ConversationKind.COMPLETION]
    assert len(completions) == 1


def test_stop_sequence_escapes_round_trip() -> None:
    for text in ["\n", "a\tb", "back\\slash", "\\n literally", "END"]:
        assert decode_escapes(encode_escapes(text)) == text
    assert decode_escapes("\\n\\n") == "\n\n"
    assert decode_escapes("x\\q") == "x\\q"


def test_the_shortcut_is_in_the_keyboard_shortcuts_list(chat_context: Any, make_window: Any) -> None:
    window = make_window(chat_context)
    entries = {(e.scope, e.description): ", ".join(e.keys) for e in window.shortcut_entries()}
    assert entries[("Chat", "New text completion")] == "Ctrl+Shift+N"
    assert entries[("Chat", "New chat")] == "Ctrl+N"


def test_opening_a_chat_stops_a_running_completion_and_keeps_its_text(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/completions", Fault(delay_between_chunks=0.05))
    view = start_completion(chat, "a prompt long enough that the completion streams for a couple of seconds")
    prompt = view.editor.text()
    view.complete_button.click()
    chat.qtbot.waitUntil(lambda: len(view.editor.text()) > len(prompt) + 8, timeout=5000)
    completion_id = chat.page.completion_controller.current_id
    chat.page.new_chat()
    chat.qtbot.waitUntil(lambda: chat.page.main_stack.currentWidget() is chat.page.chat_area, timeout=3000)
    chat.qtbot.waitUntil(lambda: not chat.page.completion_controller.is_streaming(), timeout=3000)
    assert loopback.wait_disconnect(2)
    messages = chat.call(chat.store.messages(completion_id))
    assert messages[0].text == prompt
    assert messages[-1].state is MessageState.STOPPED and len(messages[-1].text) > 8
    assert chat.page.sidebar.current_id is None  # a new chat, not yet written


def test_parameters_read_from_settings_tolerate_odd_values() -> None:
    odd = {"max_tokens": -5, "temperature": "hot", "top_p": 3, "stop": ["a", "", 7, "b", "c", "d", "e"],
           "n": True, "echo": "yes", "suffix": None, "system_prompt": "kept", "completion_choices": {"message_id": 1}}
    parameters = CompletionParameters.from_settings(odd)
    assert parameters == CompletionParameters(max_tokens=None, temperature=None, top_p=1.0, stop=("a", "b", "c", "d"),
                                              suffix="", echo=False, n=1)
    # Other keys ride along; the stored choices never do (the controller owns them).
    assert parameters.extra == {"system_prompt": "kept"}
    assert parameters.to_settings()["system_prompt"] == "kept" and "completion_choices" not in parameters.to_settings()
    assert CompletionParameters.from_settings(None).request() == {"max_tokens": 256}


def _show_everything(chat: ChatHarness) -> Any:
    """A completion with an error, two choices and usage: every control of the view on screen."""
    view = start_completion(chat, "Names")
    view.parameters_panel.n_spin.setValue(2)
    view.parameters_panel.flush()
    view.complete_button.click()
    wait_finished(chat)
    view._show_error("shown for the test")
    assert view.choices_bar.isVisible()
    return view


def test_completion_controls_have_names_and_tooltips(chat: ChatHarness, loopback: Any) -> None:
    from tests.ui.test_accessibility_pages import controls, unnamed

    view = _show_everything(chat)
    assert len(controls(view)) >= 15
    assert not unnamed(view), "\n" + unnamed(view)
    assert chat.page.sidebar.new_menu_button.accessibleName() and chat.page.sidebar.new_menu_button.toolTip()


def test_completion_controls_are_translated(chinese: None, chat: ChatHarness, loopback: Any) -> None:
    from tests.ui.test_accessibility_pages import untranslated

    view = _show_everything(chat)
    assert view.complete_button.text() == "补全"
    assert not untranslated(view, ("gpt-4o-mini",)), "\n" + untranslated(view, ("gpt-4o-mini",))
    index = chat.page.sidebar.model.index(chat.page.sidebar.model.row_of(chat.page.completion_controller.current_id), 0)
    assert index.data(ConversationListModel.TagRole) == "补全"


def _complete_and_stop(chat: ChatHarness, view: Any) -> None:
    before = len(view.editor.text())
    view.complete_button.click()
    chat.qtbot.waitUntil(lambda: len(view.editor.text()) > before + 4, timeout=5000)
    view.stop_button.click()
    wait_finished(chat)
    assert view.status_label.text() == "Stopped."


def test_a_completion_right_after_a_stopped_one_keeps_its_own_record(chat: ChatHarness, loopback: Any, qtbot: Any) -> None:
    """QA repro: Complete, Stop, type, Complete, Stop, n = 2, Complete without typing, leave, restart."""
    loopback.inject("/completions", Fault(delay_between_chunks=0.05), times=2)
    view = start_completion(chat, "Once upon a time, in a land far away, there lived")
    _complete_and_stop(chat, view)
    view.editor.setFocus()
    view.editor.moveCursor(QTextCursor.MoveOperation.End)
    chat.qtbot.keyClicks(view.editor, " and then")
    _complete_and_stop(chat, view)
    view.parameters_panel.n_spin.setValue(2)
    view.parameters_panel.flush()
    view.complete_button.click()
    wait_finished(chat)
    assert view.status_label.text() == ""
    assert view.choices_bar.isVisible() and view.choices_tabs.count() == 2
    expected_text = view.editor.text()
    usage_text = view.usage_label.text()
    assert usage_text
    # The document is written again (the user picks a choice and goes back to the first; the tab hides).
    view.choices_tabs.setCurrentIndex(1)
    view.choices_tabs.setCurrentIndex(0)
    assert view.editor.text() == expected_text
    cid = chat.page.completion_controller.current_id
    run(qtbot, view.flush())
    chat.wait_idle()
    # Each run keeps its own message: stopped, stopped, then the finished one with its usage.
    store = Store(database_path(chat.context.locations.data))
    try:
        messages = store.messages(cid)
        conversation = store.get_conversation(cid)
    finally:
        store.close()
    assert [(m.role, m.state) for m in messages] == [
        (Role.USER, MessageState.COMPLETE),
        (Role.ASSISTANT, MessageState.STOPPED),
        (Role.USER, MessageState.COMPLETE),
        (Role.ASSISTANT, MessageState.STOPPED),
        (Role.ASSISTANT, MessageState.COMPLETE),
    ]
    assert "".join(m.text for m in messages) == expected_text
    assert messages[-1].usage and messages[-1].usage["completion_tokens"] > 0
    assert conversation is not None and conversation.settings["completion_choices"]["message_id"] == messages[-1].id
    # Reopened through a freshly opened store (a restart): the finished state, the choices, the usage.
    second_store = open_store(qtbot, chat.context)
    context = dataclasses.replace(chat.context, store=second_store)
    page = ChatPage(context)
    try:
        page.show()
        qtbot.waitUntil(lambda: page.completion_controller.current_id == cid, timeout=5000)
        reopened = page.completion_view
        qtbot.waitUntil(lambda: reopened.editor.text() == expected_text, timeout=3000)
        assert reopened.status_label.text() == ""
        assert reopened.choices_bar.isVisible() and reopened.choices_tabs.count() == 2
        assert reopened.usage_label.isVisible() and reopened.usage_label.text() == usage_text
        # Picking the second choice replaces only the last run's text, and is kept in its message.
        reopened.choices_tabs.setCurrentIndex(1)
        assert reopened.editor.text() == expected_text
        run(qtbot, reopened.flush())
        again = resolve(qtbot, second_store.messages(cid))
        assert [m.id for m in again] == [m.id for m in messages]
    finally:
        page.hide()
        run(qtbot, context.tasks.cancel_all())
        page.close()
        page.deleteLater()
        resolve(qtbot, second_store.close())


def test_syncing_keeps_each_runs_message_when_text_between_them_goes(tmp_path: Any) -> None:
    """Only a message whose text is all gone is deleted; the runs around it keep their records."""
    from app.ui.chat.completion_controller import _sync_segments, merge_segments

    with Store(tmp_path / "parla.sqlite3") as store:
        cid = store.create_conversation(kind=ConversationKind.COMPLETION).id
        store.append_message(cid, Role.USER, "A")
        first = store.append_message(cid, Role.ASSISTANT, " one", state=MessageState.STOPPED)
        store.append_message(cid, Role.USER, " B")
        second = store.append_message(cid, Role.ASSISTANT, " two", state=MessageState.STOPPED)
        third = store.append_message(cid, Role.ASSISTANT, " three", usage={"completion_tokens": 3})
        # Two generated runs side by side stay two (the same message's pieces still join).
        assert merge_segments([Segment("x", True, 1), Segment("y", True, 2), Segment("z", True, 2)]) == [
            Segment("x", True), Segment("yz", True)
        ]
        # The user deletes " B" and " two": the document is A, one, three.
        segments = [Segment("A"), Segment(" one", True, first.id), Segment(" three", True, third.id)]
        assert _sync_segments(store, cid, merge_segments(segments))
        messages = store.messages(cid)
        assert [(m.id, m.text, m.state) for m in messages] == [
            (messages[0].id, "A", MessageState.COMPLETE),
            (first.id, " one", MessageState.STOPPED),
            (third.id, " three", MessageState.COMPLETE),
        ]
        assert messages[-1].usage == {"completion_tokens": 3}
        assert second.id not in {m.id for m in messages}
        # Nothing differs: nothing is written.
        assert not _sync_segments(store, cid, merge_segments(segments))
