"""Function calling in the Chat tab against the loopback server: cards, confirmation, limits, images."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QLabel

from app.store import MessageState
from app.store.gallery import AsyncGallery, images_dir
from app.tools import Tool
from app.ui.chat import tool_cards
from app.ui.chat.message_widget import TOOL_ROUNDS_REASON, MessageAction
from app.ui.chat.page import ChatPage
from app.ui.chat.tool_cards import ToolConfirmDialog
from app.ui.tools_service import ToolService
from tests.loopback._replies import CJK_SUFFIX
from tests.loopback.server import Fault
from tests.ui.chat.chat_fixtures import ChatHarness, chat, chat_context  # noqa: F401
from tests.ui.chat.insistent_client import InsistentClient
from tests.ui.conftest import run


def _tools_on(chat: ChatHarness, tools: list[str] | None = None, **extra: Any) -> None:
    settings: dict[str, Any] = {"tools_enabled": True, **extra}
    if tools is not None:
        settings["tools"] = tools
    chat.call(chat.page.controller.update_settings(settings=settings))


def _tool_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in body["messages"] if m["role"] == "tool"]


def _wait_dialog(chat: ChatHarness) -> ToolConfirmDialog:
    chat.qtbot.waitUntil(lambda: chat.page.controller.confirmation is not None
                         and chat.page.controller.confirmation.isVisible(), timeout=5000)
    dialog = chat.page.controller.confirmation
    assert dialog is not None
    return dialog


def test_streamed_call_with_split_arguments_shows_a_card(chat: ChatHarness, loopback: Any) -> None:
    _tools_on(chat, ["search_conversations"])
    text = "use tool search_conversations about the zebra we discussed long ago in spring"
    # Quirk 11: every event is written in pieces (mid-line, inside multi-byte characters), the
    # single call comes without an index, and the arguments end in Chinese.
    loopback.inject("/chat/completions", Fault(quirk=11))
    chat.send(text)
    reply = chat.wait_done()
    assert reply.state is MessageState.COMPLETE
    first, second = loopback.requests_to("/chat/completions")
    # The tool was offered, and the arguments came in many pieces (at most 5 characters each).
    assert [t["function"]["name"] for t in first.json["tools"]] == ["search_conversations"]
    query = text + CJK_SUFFIX
    assert len(json.dumps({"query": query, "limit": 42})) > 80
    assert len(reply.tool_calls) == 1
    record = reply.tool_calls[0]
    assert json.loads(record["function"]["arguments"]) == {"query": query, "limit": 42}
    assert record["status"] == tool_cards.OK and record["duration"] is not None
    # The search ran with the whole query (nothing holds the Chinese words) and the model got its answer.
    result = _tool_messages(second.json)[0]["content"]
    assert result == "No matching messages were found in the user's conversations."
    assert record["result"] == result
    assert reply.text == "Result: " + result
    # One card, collapsed; clicking opens it with the arguments and the result.
    widget = chat.widget(reply.id)
    cards = widget.tool_cards.cards
    assert len(cards) == 1 and not cards[0].is_open and cards[0].details.isHidden()
    assert "Search my conversations" in cards[0].header.text()
    assert cards[0].status_label.text().startswith("done")
    cards[0].header.click()
    assert cards[0].is_open and not cards[0].details.isHidden()
    assert json.loads(cards[0].arguments_label.text()) == {"query": query, "limit": 42}
    assert record["id"] in reply.tool_open


def test_parallel_calls_get_a_card_each(chat: ChatHarness, loopback: Any) -> None:
    _tools_on(chat, ["current_datetime", "calculator"])
    chat.send("use all tools")
    reply = chat.wait_done()
    names = [r["function"]["name"] for r in reply.tool_calls]
    assert names == ["current_datetime", "calculator"]
    assert [r["id"] for r in reply.tool_calls] == ["call_loopback_0", "call_loopback_1"]
    statuses = {r["function"]["name"]: r["status"] for r in reply.tool_calls}
    # "use all tools" is not an expression: the calculator fails, and the model is told.
    assert statuses == {"current_datetime": tool_cards.OK, "calculator": tool_cards.ERROR}
    body = loopback.last("/chat/completions").json
    results = _tool_messages(body)
    assert [m["tool_call_id"] for m in results] == ["call_loopback_0", "call_loopback_1"]
    assert results[1]["content"].startswith("Error: ")
    assert "iso" in json.loads(results[0]["content"])
    widget = chat.widget(reply.id)
    cards = widget.tool_cards.cards
    assert len(cards) == 2
    assert cards[1].status_label.text().startswith("failed")
    assert reply.text.startswith("Result: ")


def test_tools_off_sends_no_tools(chat: ChatHarness, loopback: Any) -> None:
    chat.send("use tool calculator")
    reply = chat.wait_done()
    assert "tools" not in loopback.last("/chat/completions").json
    assert reply.tool_calls == [] and reply.text == "Echo: use tool calculator"


def _insist(chat: ChatHarness, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    session = chat.page.controller.session
    real = session.require_client
    monkeypatch.setattr(session, "require_client", lambda: InsistentClient(real(), text))


def test_round_limit_runs_that_many_rounds_then_says_so_and_continue_goes_on(
    chat: ChatHarness, loopback: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat.context.preferences.chat_tool_rounds = 1
    _tools_on(chat, ["current_datetime"])
    _insist(chat, monkeypatch, "use tool current_datetime")
    chat.send("use tool current_datetime")
    reply = chat.wait_done()
    assert reply.state is MessageState.ERROR and reply.finish_reason == TOOL_ROUNDS_REASON
    assert reply.error == "Stopped after one round of tool calls."
    # One round of tools ran (the old meaning ran none), its result went back to the model, and
    # the call it asked for next shows as a card, not run.
    requests = loopback.requests_to("/chat/completions")
    assert len(requests) == 2
    assert len(_tool_messages(requests[1].json)) == 1 and "iso" in _tool_messages(requests[1].json)[0]["content"]
    assert [(r["round"], r["status"]) for r in reply.tool_calls] == [(1, tool_cards.OK), (2, tool_cards.NOT_RUN)]
    assert reply.tool_calls[1]["result"] == ""
    widget = chat.widget(reply.id)
    cards = widget.tool_cards.cards
    assert len(cards) == 2
    assert cards[0].status_label.text().startswith("done")
    assert cards[1].status_label.text() == "not run (limit reached)"
    assert widget._error_label.text() == "Stopped after one round of tool calls."
    retry, go_on = widget.button(MessageAction.RETRY), widget.button(MessageAction.CONTINUE)
    assert retry.isVisible() and go_on.isVisible() and go_on.isEnabled()
    stored = chat.call(chat.store.get_message(reply.id))
    assert stored.state is MessageState.ERROR and stored.finish_reason == TOOL_ROUNDS_REASON
    assert [r["status"] for r in stored.tool_calls] == [tool_cards.OK, tool_cards.NOT_RUN]
    # Continue (after reopening the conversation: all it needs is stored), with a model that now
    # answers: the unrun call is dropped, the run round is replayed, and the reply completes.
    monkeypatch.undo()
    cid = chat.page.controller.current_id
    chat.call(chat.page.controller.open_conversation(None))
    chat.call(chat.page.controller.open_conversation(cid))
    go_on = chat.widget(reply.id).button(MessageAction.CONTINUE)
    assert go_on.isVisible()
    go_on.click()
    chat.qtbot.waitUntil(lambda: chat.last().state is MessageState.STREAMING or chat.last().text != "", timeout=5000)
    reply = chat.wait_done()
    assert chat.last().id == reply.id and len(chat.items()) == 2
    assert reply.state is MessageState.COMPLETE and reply.error is None
    body = loopback.last("/chat/completions").json
    assert len(_tool_messages(body)) == 1  # only the round that ran; every call in it answered
    assert [r["status"] for r in reply.tool_calls] == [tool_cards.OK]
    assert reply.text.startswith("Result: {")
    stored = chat.call(chat.store.get_message(reply.id))
    assert stored.state is MessageState.COMPLETE and [r["status"] for r in stored.tool_calls] == [tool_cards.OK]


def test_a_limit_of_three_runs_three_rounds(chat: ChatHarness, loopback: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    chat.context.preferences.chat_tool_rounds = 3
    _tools_on(chat, ["current_datetime"])
    _insist(chat, monkeypatch, "use tool current_datetime")
    chat.send("use tool current_datetime")
    reply = chat.wait_done()
    assert reply.error == "Stopped after 3 rounds of tool calls."
    assert [(r["round"], r["status"]) for r in reply.tool_calls] == [
        (1, tool_cards.OK), (2, tool_cards.OK), (3, tool_cards.OK), (4, tool_cards.NOT_RUN)]
    assert len(loopback.requests_to("/chat/completions")) == 4


def test_a_limit_of_one_lets_a_model_that_answers_finish(chat: ChatHarness, loopback: Any) -> None:
    chat.context.preferences.chat_tool_rounds = 1
    _tools_on(chat, ["calculator"])
    chat.send("use tool calculator")
    reply = chat.wait_done()
    assert reply.state is MessageState.COMPLETE and reply.error is None
    assert [r["status"] for r in reply.tool_calls] == [tool_cards.ERROR]  # ran: no expression, told to the model
    assert reply.text.startswith("Result: Error: ")


def test_limit_of_eight_is_the_default(chat: ChatHarness) -> None:
    assert chat.context.preferences.chat_tool_rounds == 8
    assert chat.page.controller.max_tool_rounds() == 8


def test_confirmation_allow_once_then_for_the_conversation_then_no_prompt(chat: ChatHarness, loopback: Any) -> None:
    _tools_on(chat, ["generate_image"])
    chat.send("use tool generate_image of a red fox")
    dialog = _wait_dialog(chat)
    assert dialog.windowTitle() == "Run a tool?"
    assert json.loads(dialog.arguments_view.toPlainText()) == {"prompt": "use tool generate_image of a red fox", "size": "auto"}
    assert chat.last().tool_calls[0]["status"] == tool_cards.ASKING  # the card waits for the answer
    dialog.allow_once_button.click()
    reply = chat.wait_done()
    assert reply.state is MessageState.COMPLETE and reply.tool_calls[0]["status"] == tool_cards.OK
    # The picture: made by the profile's image model, kept, shown inline, and in the gallery.
    request = loopback.last("/images/generations")
    assert request.json["model"] == "gpt-image-1" and request.json["prompt"] == "use tool generate_image of a red fox"
    assert len(reply.images) == 1
    digest = reply.images[0]["hash"]
    stored = chat.call(chat.store.get_message(reply.id))
    assert [p["hash"] for p in stored.images] == [digest] and stored.text == reply.text
    widget = chat.widget(reply.id)
    assert widget.images.isVisible()
    gallery = AsyncGallery(chat.store, images_dir(chat.context.locations.data))
    kept = chat.call(gallery.list())
    assert len(kept) == 1 and kept[0].hash == digest and kept[0].prompt == "use tool generate_image of a red fox"
    assert kept[0].model == "gpt-image-1"
    assert "Images gallery" in _tool_messages(loopback.last("/chat/completions").json)[0]["content"]
    # Allowed once only: asked again; this time for the whole conversation.
    chat.send("use tool generate_image of a blue whale")
    dialog = _wait_dialog(chat)
    dialog.allow_always_button.click()
    chat.wait_done()
    assert chat.page.controller.current.settings["tools_allowed"] == ["generate_image"]
    settings = chat.call(chat.store.get_conversation(chat.page.controller.current_id)).settings
    assert settings["tools_allowed"] == ["generate_image"]
    # Now no prompt at all.
    chat.page.controller.confirmation = None
    chat.send("use tool generate_image of a green frog")
    reply = chat.wait_done()
    assert chat.page.controller.confirmation is None
    assert reply.tool_calls[0]["status"] == tool_cards.OK
    assert len(chat.call(gallery.list())) == 3


def test_deny_tells_the_model_and_the_card_says_declined(chat: ChatHarness, loopback: Any) -> None:
    _tools_on(chat, ["generate_image"])
    chat.send("use tool generate_image of a cat")
    dialog = _wait_dialog(chat)
    dialog.deny_button.click()
    reply = chat.wait_done()
    assert reply.tool_calls[0]["status"] == tool_cards.DECLINED
    assert _tool_messages(loopback.last("/chat/completions").json)[0]["content"] == "The user declined to run this tool."
    assert loopback.requests_to("/images/generations") == []
    assert reply.text == "Result: The user declined to run this tool."
    widget = chat.widget(reply.id)
    assert widget.tool_cards.cards[0].status_label.text().startswith("declined")


def test_stop_closes_a_pending_confirmation(chat: ChatHarness, loopback: Any) -> None:
    _tools_on(chat, ["generate_image"])
    chat.send("use tool generate_image of a dog")
    dialog = _wait_dialog(chat)
    chat.page.composer.stop_button.click()
    reply = chat.wait_done()
    assert reply.state is MessageState.STOPPED
    chat.qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=3000)
    assert chat.page.controller.confirmation is None
    assert reply.tool_calls[0]["status"] == tool_cards.STOPPED
    assert loopback.requests_to("/images/generations") == []
    stored = chat.call(chat.store.get_message(reply.id))
    assert stored.state is MessageState.STOPPED and stored.tool_calls[0]["status"] == tool_cards.STOPPED


def test_stop_during_a_running_tool(chat: ChatHarness, loopback: Any) -> None:
    _tools_on(chat, ["generate_image"], tools_allowed=["generate_image"])
    loopback.inject("/images/generations", Fault(delay_first_byte=5))
    chat.send("use tool generate_image of a slow snail")
    chat.qtbot.waitUntil(lambda: bool(chat.last().tool_calls) and chat.last().tool_calls[0]["status"] == tool_cards.RUNNING,
                         timeout=5000)
    chat.qtbot.waitUntil(lambda: bool(loopback.requests_to("/images/generations")), timeout=3000)  # the loop must run
    widget = chat.widget(chat.last().id)
    assert widget.tool_cards.cards[0].status_label.text() == "running…"
    # The running call is saved with the reply while it streams (the 250 ms saves), not only at the end.
    message_id = chat.last().id

    def saved_running() -> bool:
        stored = chat.call(chat.store.get_message(message_id))
        return bool(stored.tool_calls) and stored.tool_calls[0]["status"] == tool_cards.RUNNING

    chat.qtbot.waitUntil(saved_running, timeout=3000)
    chat.qtbot.keyClick(chat.page.composer.editor, Qt.Key.Key_Escape)
    reply = chat.wait_done()
    assert reply.state is MessageState.STOPPED and reply.tool_calls[0]["status"] == tool_cards.STOPPED
    assert loopback.wait_disconnect(3, "/images/generations")
    assert len(loopback.requests_to("/chat/completions")) == 1  # nothing was sent after the Stop


def test_tool_cards_survive_reopening_and_later_turns_send_only_the_answer(chat: ChatHarness, loopback: Any) -> None:
    _tools_on(chat, ["current_datetime", "calculator"])
    chat.send("use all tools")
    reply = chat.wait_done()
    cid = chat.page.controller.current_id
    chat.call(chat.page.controller.open_conversation(None))
    chat.call(chat.page.controller.open_conversation(cid))
    reopened = chat.page.model.find(reply.id)
    assert reopened is not reply
    assert [r["function"]["name"] for r in reopened.tool_calls] == ["current_datetime", "calculator"]
    assert [r["status"] for r in reopened.tool_calls] == [tool_cards.OK, tool_cards.ERROR]
    assert reopened.tool_calls[0]["result"] == reply.tool_calls[0]["result"]
    widget = chat.widget(reply.id)
    assert len(widget.tool_cards.cards) == 2
    # The next turn's history: the question and the final answer, no tool messages.
    chat.send("thanks")
    chat.wait_done()
    messages = loopback.last("/chat/completions").json["messages"]
    assert messages == [
        {"role": "user", "content": "use all tools"},
        {"role": "assistant", "content": reply.text},
        {"role": "user", "content": "thanks"},
    ]


@pytest.fixture
def service() -> ToolService:
    return ToolService()


@pytest.fixture
def mcp_chat(qtbot: Any, chat_context: Any, service: ToolService) -> Iterator[ChatHarness]:
    """A Chat page whose context has a ToolService (the MCP servers' shared registry)."""
    context = dataclasses.replace(chat_context, tools=service)
    page = ChatPage(context)
    page.resize(1000, 700)
    page.show()
    qtbot.waitExposed(page)
    try:
        yield ChatHarness(qtbot, context, page)
    finally:
        page.hide()
        run(qtbot, context.tasks.cancel_all())
        page.close()
        page.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _note_tool() -> Tool:
    async def run_note(arguments: dict[str, Any]) -> str:
        return "noted: " + str(arguments.get("text"))

    return Tool(name="notes__add", description="Add a note.", source="mcp:notes",
                parameters={"type": "object", "properties": {"text": {"type": "string"}}}, run=run_note,
                meta={"tool": "add"})


def test_settings_panel_tools_section_stores_the_choice(mcp_chat: ChatHarness, loopback: Any,
                                                        service: ToolService) -> None:
    chat = mcp_chat
    panel = chat.page.settings_panel
    chat.send("hello")  # a conversation to configure
    chat.wait_done()
    chat.page.settings_button.setChecked(True)
    chat.qtbot.waitUntil(panel.isVisible)
    names = [panel.tools_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(panel.tools_list.count())]
    assert names == list(tool_cards.BUILTIN_TOOL_NAMES)
    labels = [panel.tools_list.item(i).text() for i in range(panel.tools_list.count())]
    assert labels == ["Current date and time", "Calculator", "Image generation", "Search my conversations"]
    assert "Source: Built-in" in panel.tools_list.item(1).toolTip()
    assert not panel.tools_check.isChecked() and not panel.tools_list.isEnabled()  # off by default
    assert panel.tools_check.accessibleName() and panel.tools_check.toolTip()
    panel.tools_check.click()
    panel.tools_list.item(2).setCheckState(Qt.CheckState.Unchecked)  # no image generation
    cid = chat.page.controller.current_id
    chat.qtbot.waitUntil(lambda: chat.page.controller.current.settings.get("tools_enabled") is True, timeout=3000)
    stored = chat.call(chat.store.get_conversation(cid)).settings
    assert stored["tools_enabled"] is True
    assert stored["tools"] == ["current_datetime", "calculator", "search_conversations"]
    # The next reply offers exactly those.
    chat.send("use all tools")
    chat.wait_done()
    offered = [t["function"]["name"] for t in loopback.requests_to("/chat/completions")[-2].json["tools"]]
    assert offered == ["current_datetime", "calculator", "search_conversations"]

    # MCP tools appear when a server's tools join the shared registry, with their server as source.
    service.registry.add(_note_tool())
    service.tools_changed.emit()
    labels = [panel.tools_list.item(i).text() for i in range(panel.tools_list.count())]
    assert labels[-1] == "add — notes"
    assert "Source: MCP server “notes”" in panel.tools_list.item(4).toolTip()
    assert panel.tools_list.item(4).checkState() == Qt.CheckState.Unchecked  # MCP tools are opt-in
    panel.tools_list.item(4).setCheckState(Qt.CheckState.Checked)
    chat.qtbot.waitUntil(lambda: "notes__add" in (chat.page.controller.current.settings.get("tools") or []), timeout=3000)
    # An MCP tool asks first (it is not marked read-only).
    chat.send("use tool notes__add")
    dialog = _wait_dialog(chat)
    assert "Add a note." in [label.text() for label in dialog.findChildren(QLabel)]
    dialog.allow_once_button.click()
    reply = chat.wait_done()
    assert reply.tool_calls[0]["source"] == "mcp:notes" and reply.tool_calls[0]["status"] == tool_cards.OK
    assert reply.text == "Result: noted: use tool notes__add"
    # Its tools go away (no server by that name is set up): the tool stays listed and chosen,
    # marked unavailable with the reason, for when it is back.
    service.registry.remove_source("mcp:notes")
    service.tools_changed.emit()
    assert panel.tools_list.count() == 5
    assert panel.tools_list.item(4).text() == "add — notes (unavailable)"
    assert panel.tools_list.item(4).checkState() == Qt.CheckState.Checked
    assert "notes__add" in panel.chosen_tools()
    assert "its MCP server “notes” is no longer set up" in panel.tools_unavailable_label.text()
    assert panel.tools_unavailable_label.isVisible()


def test_read_only_mcp_tools_do_not_ask() -> None:
    async def run(_arguments: dict[str, Any]) -> str:
        return ""

    plain = Tool(name="files__read", description="", parameters={}, run=run, source="mcp:files")
    read_only = Tool(name="files__list", description="", parameters={}, run=run, source="mcp:files",
                     meta={"annotations": {"readOnlyHint": True}})
    builtin = Tool(name="calc", description="", parameters={}, run=run)
    assert tool_cards.needs_confirmation(plain)
    assert not tool_cards.needs_confirmation(read_only)
    assert not tool_cards.needs_confirmation(builtin)


def test_general_page_sets_the_round_limit(qtbot: Any, chat_context: Any) -> None:
    from app.ui.settings.general_page import GeneralPage

    page = GeneralPage(chat_context.preferences)
    qtbot.addWidget(page)
    spin = page.tool_rounds_spin
    assert spin.value() == 8 and spin.minimum() == 1 and spin.maximum() == 32
    assert spin.accessibleName() == "Rounds of tool calls per reply" and spin.toolTip()
    spin.setValue(3)
    page.apply()
    assert chat_context.preferences.chat_tool_rounds == 3
    assert "tool_rounds=3" in (chat_context.locations.config / "parla.ini").read_text()


def test_search_blends_meaning_when_vectors_exist(chat: ChatHarness, loopback: Any) -> None:
    from app.store import vectors

    chat.send("the zebra crossing near the station")
    chat.wait_done()
    # No vectors yet: full text only (no embedding request), with title, date and a plain snippet.
    loopback.clear()
    hits = chat.call(chat.page.controller._search_history("zebra", 5))
    assert loopback.requests_to("/embeddings") == []
    assert hits[0]["title"] == "the zebra crossing near the station"
    assert any(hit.get("role") == "user" for hit in hits)  # the message itself, besides the title
    assert "zebra" in hits[0]["snippet"] and "\x02" not in hits[0]["snippet"] and hits[0]["date"][:4].isdigit()
    messages = chat.call(chat.store.messages(chat.page.controller.current_id))
    model = "text-embedding-3-small"
    rows = [(m.id, vectors.text_hash(m.text), loopback.embedding(m.text, 1536)) for m in messages]
    chat.call(chat.store.run(lambda s: vectors.put_vectors(s, model, rows)))
    loopback.clear()
    hits = chat.call(chat.page.controller._search_history("zebra", 5))
    embeddings = loopback.requests_to("/embeddings")
    assert len(embeddings) == 1 and embeddings[0].json["input"] == ["zebra"]
    assert embeddings[0].json["model"] == model
    assert hits and hits[0]["title"] == "the zebra crossing near the station"
    assert set(hits[0]) >= {"title", "date", "snippet", "conversation_id"}
    assert "zebra" in hits[0]["snippet"]


def test_a_card_shows_the_arguments_while_the_model_writes_them(chat: ChatHarness, loopback: Any) -> None:
    _tools_on(chat, ["calculator"])
    loopback.inject("/chat/completions", Fault(delay_between_chunks=0.04))
    text = "use tool calculator " + "1 + 2 * 3 " * 8

    def partial() -> bool:
        calls = chat.last().tool_calls
        return bool(calls) and 10 < len(calls[0]["function"]["arguments"]) < len(text)

    chat.send(text)
    chat.qtbot.waitUntil(partial, timeout=5000)
    assert chat.last().tool_calls[0]["status"] == tool_cards.PENDING
    assert len(loopback.requests_to("/chat/completions")) == 1  # the round is still streaming
    widget = chat.widget(chat.last().id)
    assert len(widget.tool_cards.cards) == 1 and "Calculator" in widget.tool_cards.cards[0].header.text()
    reply = chat.wait_done()
    assert len(reply.tool_calls) == 1
    assert json.loads(reply.tool_calls[0]["function"]["arguments"]) == {"expression": text}
    assert reply.tool_calls[0]["id"] == "call_loopback_0" and reply.tool_calls[0]["status"] == tool_cards.ERROR


def test_continue_replays_the_recorded_rounds_as_a_valid_history() -> None:
    from app.ui.chat.controller import _replay_rounds

    def record(call_id: str, round_no: int, status: str, result: str = "") -> dict[str, Any]:
        data = tool_cards.call_record(call_id, "calculator", '{"expression": "1+1"}', round_no=round_no, status=status)
        data["result"] = result
        return data

    records = [record("a", 1, tool_cards.OK, "2"), record("b", 1, tool_cards.DECLINED, "x"),
               record("c", 2, tool_cards.ERROR, "Error: bad"), record("d", 2, tool_cards.STOPPED)]
    messages = _replay_rounds(records)
    assert [m["role"] for m in messages] == ["assistant", "tool", "tool", "assistant", "tool", "tool"]
    assert [c["id"] for c in messages[0]["tool_calls"]] == ["a", "b"]
    assert messages[0]["tool_calls"][0] == {"id": "a", "type": "function",
                                            "function": {"name": "calculator", "arguments": '{"expression": "1+1"}'}}
    assert [m["content"] for m in messages if m["role"] == "tool"] == [
        "2", "The user declined to run this tool.", "Error: bad", "Error: the call was stopped before it finished."]
    assert [m["tool_call_id"] for m in messages if m["role"] == "tool"] == ["a", "b", "c", "d"]


def test_an_api_error_after_a_tool_round_keeps_the_cards_and_offers_retry(chat: ChatHarness, loopback: Any) -> None:
    _tools_on(chat, ["current_datetime"])
    loopback.inject("/chat/completions", Fault())  # the first round goes through …
    loopback.inject("/chat/completions", Fault(status=400))  # … the second is refused
    chat.send("use tool current_datetime")
    reply = chat.wait_done()
    assert reply.state is MessageState.ERROR
    assert "If this model cannot use tools, turn them off in the conversation's settings." in reply.error
    assert [r["status"] for r in reply.tool_calls] == [tool_cards.OK]
    stored = chat.call(chat.store.get_message(reply.id))
    assert stored.state is MessageState.ERROR and stored.tool_calls[0]["status"] == tool_cards.OK
    widget = chat.widget(reply.id)
    assert widget.button(MessageAction.RETRY).isVisible() and not widget.button(MessageAction.CONTINUE).isVisible()
    widget.button(MessageAction.RETRY).click()
    chat.qtbot.waitUntil(lambda: chat.last() is not reply, timeout=5000)
    again = chat.wait_done()
    assert again.state is MessageState.COMPLETE and again.text.startswith("Result: {")
    assert [r["status"] for r in again.tool_calls] == [tool_cards.OK]
