"""Function calling, QA fixes: tools of an MCP server that died, "Ask again", the search tool not
finding its own question, MCP tools shown by their own names.

The MCP test runs a real server (tests/unit/tools/mcp_server.py, by this Python) through a real
ToolService, and kills it with its ``die`` tool.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app import paths
from app.store import MessageState
from app.tools import Tool
from app.tools.mcp_servers import McpToolError
from app.ui.chat import tool_cards
from app.ui.chat.page import ChatPage
from app.ui.chat.tool_cards import ToolConfirmDialog
from app.ui.tools_service import McpServerSettings, ToolService
from tests.ui.chat.chat_fixtures import ChatHarness, chat, chat_context  # noqa: F401
from tests.ui.conftest import run

SERVER = str(Path(__file__).resolve().parents[2] / "unit" / "tools" / "mcp_server.py")
START = 30_000  # ms: the SDK's first import and a Python server's start on a loaded 2-core machine


def _tools_on(chat: ChatHarness, tools: list[str]) -> None:
    chat.call(chat.page.controller.update_settings(settings={"tools_enabled": True, "tools": tools}))


def _tool_results(body: dict[str, Any]) -> list[str]:
    return [m["content"] for m in body["messages"] if m["role"] == "tool"]


def _wait_dialog(chat: ChatHarness) -> ToolConfirmDialog:
    chat.qtbot.waitUntil(lambda: chat.page.controller.confirmation is not None
                         and chat.page.controller.confirmation.isVisible(), timeout=5000)
    dialog = chat.page.controller.confirmation
    assert dialog is not None
    return dialog


def _page_with(qtbot: Any, context: Any, service: ToolService) -> Iterator[ChatHarness]:
    context = dataclasses.replace(context, tools=service)
    page = ChatPage(context)
    page.resize(1100, 760)
    page.show()
    qtbot.waitExposed(page)
    try:
        yield ChatHarness(qtbot, context, page)
    finally:
        page.hide()
        run(qtbot, context.tasks.cancel_all())
        page.close()


@pytest.fixture
def real_service(qtbot: Any, chat_context: Any, vault: Any) -> Iterator[ToolService]:
    tools = ToolService(locations=paths.locations().ensure(), vault=vault)
    yield tools
    run(qtbot, tools.aclose(), timeout=30)


@pytest.fixture
def mcp_chat(qtbot: Any, chat_context: Any, real_service: ToolService) -> Iterator[ChatHarness]:
    yield from _page_with(qtbot, chat_context, real_service)


def _labels(chat: ChatHarness) -> list[str]:
    tools = chat.page.settings_panel.tools_list
    return [tools.item(i).text() for i in range(tools.count())]


def test_a_dead_mcp_server_keeps_its_tools_listed_and_the_reply_says_so(
    mcp_chat: ChatHarness, real_service: ToolService, loopback: Any
) -> None:
    chat, service = mcp_chat, real_service
    run(chat.qtbot, service.add_server(McpServerSettings("testsrv", sys.executable, (SERVER,))))
    chat.qtbot.waitUntil(lambda: service.state("testsrv").status == "ready", timeout=START)
    _tools_on(chat, ["current_datetime", "testsrv__add"])
    panel = chat.page.settings_panel
    chat.page.settings_button.setChecked(True)
    chat.qtbot.waitUntil(panel.isVisible)
    # The MCP tool by its own name, its server second; not "testsrv__add".
    assert "add — testsrv" in _labels(chat)
    assert not panel.tools_unavailable_label.isVisible()

    chat.send("use tool testsrv__add")
    dialog = _wait_dialog(chat)
    assert "The model wants to use “add — testsrv”." in [label.text() for label in dialog.findChildren(QLabel)]
    dialog.allow_once_button.click()
    reply = chat.wait_done()
    assert reply.state is MessageState.COMPLETE and reply.text == "Result: 84"
    assert reply.tool_calls[0]["mcp_name"] == "add"
    card = chat.widget(reply.id).tool_cards.cards[0]
    assert card.header.text() == "Tool: add — testsrv"
    assert not chat.widget(reply.id).tool_cards.notice_label.isVisible()

    # The server dies.
    with pytest.raises(McpToolError):
        run(chat.qtbot, service.registry["testsrv__die"].run({}), timeout=30)
    chat.qtbot.waitUntil(lambda: service.state("testsrv").status == "exited", timeout=15000)
    assert "testsrv__add" not in service.registry
    # Still listed and chosen, marked, with the server's state in words.
    labels = _labels(chat)
    assert labels[-1] == "add — testsrv (unavailable)"
    assert panel.tools_list.item(len(labels) - 1).checkState() == Qt.CheckState.Checked
    assert "testsrv__add" in panel.chosen_tools()
    assert panel.tools_unavailable_label.isVisible()
    assert "server “testsrv” exited — start it in Settings ▸ MCP servers" in panel.tools_unavailable_label.text()

    # A reply goes out with the tools that exist, and says which chosen ones it lacked.
    chat.send("use tool current_datetime")
    reply = chat.wait_done()
    assert reply.state is MessageState.COMPLETE
    first = loopback.requests_to("/chat/completions")[-2].json
    assert [t["function"]["name"] for t in first["tools"]] == ["current_datetime"]
    assert [r["status"] for r in reply.tool_calls] == [tool_cards.OK]
    notice = chat.widget(reply.id).tool_cards.notice_label
    assert notice.isVisible()
    assert notice.text() == ("Sent without these chosen tools: “add — testsrv” "
                             "(server “testsrv” exited — start it in Settings ▸ MCP servers).")

    # Only the dead server's tools chosen: the reply goes out without tools, and says so.
    _tools_on(chat, ["testsrv__add"])
    chat.send("use tool testsrv__add")
    reply = chat.wait_done()
    assert reply.state is MessageState.COMPLETE and reply.text == "Echo: use tool testsrv__add"
    assert "tools" not in loopback.last("/chat/completions").json
    notice = chat.widget(reply.id).tool_cards.notice_label
    assert notice.isVisible() and "“add — testsrv”" in notice.text()
    # An earlier reply keeps its own line (none) — the notice belongs to the reply it was sent with.
    first_reply = chat.items()[1]
    assert not chat.widget(first_reply.id).tool_cards.notice_label.isVisible()

    # Started again: available, the mark goes away.
    service.start("testsrv")
    chat.qtbot.waitUntil(lambda: service.state("testsrv").status == "ready", timeout=START)
    chat.qtbot.waitUntil(lambda: "add — testsrv" in _labels(chat), timeout=5000)
    assert not panel.tools_unavailable_label.isVisible()


def _note_tool() -> Tool:
    async def run_note(arguments: dict[str, Any]) -> str:
        return "noted: " + str(arguments.get("text"))

    return Tool(name="notes__add", description="Add a note.", source="mcp:notes",
                parameters={"type": "object", "properties": {"text": {"type": "string"}}}, run=run_note,
                meta={"server": "notes", "mcp_name": "add"})


@pytest.fixture
def plain_service() -> ToolService:
    service = ToolService()
    service.registry.add(_note_tool())
    return service


@pytest.fixture
def notes_chat(qtbot: Any, chat_context: Any, plain_service: ToolService) -> Iterator[ChatHarness]:
    yield from _page_with(qtbot, chat_context, plain_service)


def test_allowed_for_the_conversation_is_shown_and_ask_again_takes_it_back(notes_chat: ChatHarness) -> None:
    chat = notes_chat
    _tools_on(chat, ["notes__add"])
    panel = chat.page.settings_panel
    chat.page.settings_button.setChecked(True)
    chat.qtbot.waitUntil(panel.isVisible)
    assert not panel.allowed_box.isVisible() and panel.allowed_rows == []

    chat.send("use tool notes__add")
    _wait_dialog(chat).allow_always_button.click()
    chat.wait_done()
    cid = chat.page.controller.current_id
    assert chat.call(chat.store.get_conversation(cid)).settings["tools_allowed"] == ["notes__add"]
    # The panel lists it, with "Ask again".
    chat.qtbot.waitUntil(lambda: [name for name, _b in panel.allowed_rows] == ["notes__add"], timeout=3000)
    assert panel.allowed_box.isVisible() and panel.allowed_heading.isVisible()
    _name, button = panel.allowed_rows[0]
    assert button.text() == "Ask again" and button.accessibleName() and button.toolTip()
    assert "add — notes" in button.accessibleName()
    # Allowed: the next call runs without asking.
    chat.send("use tool notes__add")
    reply = chat.wait_done()
    assert chat.page.controller.confirmation is None
    assert reply.tool_calls[0]["status"] == tool_cards.OK

    button.click()
    chat.qtbot.waitUntil(
        lambda: chat.call(chat.store.get_conversation(cid)).settings.get("tools_allowed") == [], timeout=3000)
    assert not panel.allowed_box.isVisible() and panel.allowed_rows == []
    # Other settings were kept.
    settings = chat.call(chat.store.get_conversation(cid)).settings
    assert settings["tools_enabled"] is True and settings["tools"] == ["notes__add"]
    # And it asks again.
    chat.send("use tool notes__add")
    dialog = _wait_dialog(chat)
    dialog.deny_button.click()
    reply = chat.wait_done()
    assert reply.tool_calls[0]["status"] == tool_cards.DECLINED


def test_the_search_tool_does_not_find_its_own_question(chat: ChatHarness, loopback: Any) -> None:
    text = "use tool search_conversations about the okapi migration"
    chat.send(text)  # an earlier conversation, tools off: it holds the same words
    chat.wait_done()
    earlier = chat.page.controller.current_id
    chat.call(chat.page.controller.open_conversation(None))
    _tools_on(chat, ["search_conversations"])
    chat.send(text)
    reply = chat.wait_done()
    current = chat.page.controller.current_id
    assert current != earlier
    hits = json.loads(_tool_results(loopback.last("/chat/completions").json)[0])
    assert hits, "the earlier conversation's messages are found"
    assert {hit["conversation_id"] for hit in hits} == {earlier}
    assert reply.state is MessageState.COMPLETE

    # Asked again in the same conversation: the earlier question and answer of this conversation are
    # fair hits, this turn's question is not.
    chat.send(text)
    chat.wait_done()
    hits = json.loads(_tool_results(loopback.last("/chat/completions").json)[0])
    mine = [hit for hit in hits if hit["conversation_id"] == current]
    assert len([hit for hit in mine if hit.get("role") == "user"]) == 1  # the first question, not this one


def test_mcp_names_on_cards_and_in_the_list() -> None:
    record = tool_cards.call_record("c1", "files__read_file", "{}", round_no=1, source="mcp:files",
                                    mcp_name="read_file")
    assert tool_cards.record_display_name(record) == "read_file — files"
    # Records stored before mcp_name was kept: the server's prefix is taken off.
    old = tool_cards.call_record("c2", "files__list", "{}", round_no=1, source="mcp:files")
    assert tool_cards.record_display_name(old) == "list — files"
    assert tool_cards.record_display_name(tool_cards.call_record("c3", "calculator", "{}", round_no=1)) == "Calculator"


def test_the_panel_opens_settings_on_the_mcp_page_from_the_window(
    qtbot: Any, chat_context: Any, vault: Any
) -> None:
    from app.ui.main_window import CHAT_TAB, MainWindow

    service = ToolService(locations=paths.locations().ensure(), vault=vault)
    run(qtbot, service.add_server(McpServerSettings("notes", sys.executable, (SERVER,), enabled=False)))
    context = dataclasses.replace(chat_context, tools=service)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    try:
        page = window.page(CHAT_TAB)
        assert isinstance(page, ChatPage)
        window.tabs.setCurrentIndex(CHAT_TAB)
        run(qtbot, page.controller.update_settings(settings={"tools_enabled": True, "tools": ["notes__add"]}))
        page.settings_button.setChecked(True)
        panel = page.settings_panel
        qtbot.waitUntil(lambda: panel.tools_unavailable_label.isVisible(), timeout=5000)
        assert "server “notes” is turned off — start it in Settings ▸ MCP servers" in panel.tools_unavailable_label.text()
        button = panel.mcp_settings_button
        assert button.isVisible() and button.accessibleName() and button.toolTip()
        button.click()
        dialog = window._settings_dialog
        assert dialog is not None and dialog.isVisible()
        assert dialog._tabs.currentWidget() is dialog.mcp_page
        dialog.reject()
        qtbot.waitUntil(lambda: window._settings_dialog is None or not dialog.isVisible(), timeout=5000)
    finally:
        run(qtbot, context.tasks.cancel_all())
        window.close()
        run(qtbot, service.aclose(), timeout=30)
