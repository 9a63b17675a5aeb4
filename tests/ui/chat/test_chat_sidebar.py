"""The conversations sidebar: models, day groups, rename, pin, delete with Undo, search that opens the hit."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from app.store import (
    Conversation,
    ConversationKind,
    MessageState,
    Role,
    SearchHit,
    Store,
    database_path,
)
from app.ui.chat.conversation_model import MessageItem, MessageListModel
from app.ui.chat.sidebar_model import (
    ConversationListModel,
    SearchResultsModel,
    group_title,
    highlighted_html,
    plain_snippet,
)
from tests.ui.chat.chat_fixtures import ChatHarness, chat, chat_context, long_history  # noqa: F401

DAY = 86400.0


def _conversation(cid: int, title: str, updated: float, pinned: bool = False) -> Conversation:
    return Conversation(
        id=cid, uid=f"u{cid}", title=title, title_is_custom=False, pinned=pinned, kind=ConversationKind.CHAT,
        model="", profile_id="", settings={}, draft_text="", draft_attachments=[], created_at=updated,
        updated_at=updated, deleted_at=None,
    )


def test_conversation_model_groups_by_day_pinned_first(qtmodeltester: Any) -> None:
    now = time.mktime(time.strptime("2025-03-20 12:00", "%Y-%m-%d %H:%M"))
    model = ConversationListModel(clock=lambda: now)
    model.set_conversations(
        [
            _conversation(5, "Pinned one", now - 40 * DAY, pinned=True),
            _conversation(4, "", now - 60),
            _conversation(3, "Yesterday's", now - DAY),
            _conversation(2, "Last week", now - 3 * DAY),
            _conversation(1, "Long ago", now - 50 * DAY),
        ]
    )
    qtmodeltester.check(model)
    assert model.headers() == ["pinned", "today", "yesterday", "previous_7_days", "month:2025-01"]
    shown = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert shown == [
        "Pinned", "Pinned one", "Today", "New chat", "Yesterday", "Yesterday's",
        "Previous 7 days", "Last week", "January 2025", "Long ago",
    ]
    header = model.index(0, 0)
    assert not (model.flags(header) & Qt.ItemFlag.ItemIsSelectable)
    assert model.flags(model.index(1, 0)) & Qt.ItemFlag.ItemIsEditable
    # A refresh with the same rows changes data in place (no reset, the selection survives).
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.set_conversations([_conversation(5, "Renamed", now - 40 * DAY, pinned=True)] + model.conversations()[1:])
    assert resets == [] and model.index(1, 0).data() == "Renamed"
    qtmodeltester.check(model)


def test_month_headings_follow_the_language() -> None:
    assert group_title("month:2024-11") == "November 2024"


def test_search_model_and_escaped_highlights(qtmodeltester: Any) -> None:
    model = SearchResultsModel()
    model.set_hits(
        "script",
        [
            SearchHit(1, None, "A \x02script\x03 title", "A \x02script\x03 title", 0.0),
            SearchHit(2, 7, "Other", "…<b>not bold</b> \x02<script>\x03 alert(1)…", 0.0),
        ],
    )
    qtmodeltester.check(model)
    assert model.index(1, 0).data(SearchResultsModel.MessageIdRole) == 7
    html = highlighted_html(model.hit(1).snippet, "#ff0")
    assert "<b>" not in html and "<script>" not in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert '<span style="background-color:#ff0; font-weight:600">&lt;script&gt;</span>' in html


def test_message_model(qtmodeltester: Any) -> None:
    model = MessageListModel()
    items = [
        MessageItem(id=i, role=Role.USER if i % 2 else Role.ASSISTANT, text=f"m{i}", state=MessageState.COMPLETE)
        for i in range(1, 6)
    ]
    model.set_items(1, items)
    qtmodeltester.check(model)
    model.append([MessageItem(id=9, role=Role.ASSISTANT, text="", state=MessageState.STREAMING)])
    assert model.row_of(9) == 5 and model.index(5, 0).data(MessageListModel.StateRole) == "streaming"
    model.remove_from(3)
    assert [i.id for i in model.items] == [1, 2, 3]
    model.remove(2)
    assert model.row_of(3) == 1
    qtmodeltester.check(model)


def _sidebar_row(chat: ChatHarness, conversation_id: int) -> Any:
    sidebar = chat.page.sidebar
    chat.qtbot.waitUntil(lambda: sidebar.model.row_of(conversation_id) >= 0)
    return sidebar.model.index(sidebar.model.row_of(conversation_id), 0)


def test_rename_with_f2(chat: ChatHarness) -> None:
    chat.send("original first line\nsecond line")
    chat.wait_done()
    cid = chat.page.controller.current_id
    index = _sidebar_row(chat, cid)
    assert index.data() == "original first line"
    view = chat.page.sidebar.list_view
    view.setFocus()
    view.setCurrentIndex(index)
    chat.qtbot.keyClick(view, Qt.Key.Key_F2)
    editors = [w for w in view.findChildren(QLineEdit) if w.isVisible()]
    assert editors, "F2 opens the inline editor"
    editor = editors[0]
    editor.selectAll()
    chat.qtbot.keyClicks(editor, "My  renamed   chat")
    chat.qtbot.keyClick(editor, Qt.Key.Key_Return)
    chat.qtbot.waitUntil(lambda: chat.call(chat.store.get_conversation(cid)).title == "My renamed chat")
    assert chat.call(chat.store.get_conversation(cid)).title_is_custom
    chat.qtbot.waitUntil(lambda: _sidebar_row(chat, cid).data() == "My renamed chat")
    chat.qtbot.waitUntil(lambda: chat.page.title_label.text() == "My renamed chat")


def test_pin_from_the_context_menu(chat: ChatHarness) -> None:
    chat.send("older")
    chat.wait_done()
    older = chat.page.controller.current_id
    chat.page.new_chat()
    chat.qtbot.waitUntil(lambda: chat.page.controller.current is None)
    chat.send("newer")
    chat.wait_done()
    sidebar = chat.page.sidebar
    chat.qtbot.waitUntil(lambda: len(sidebar.model.conversations()) == 2)
    assert [c.id for c in sidebar.model.conversations()][1] == older
    menu = sidebar.context_menu(older)
    pin = next(a for a in menu.actions() if a.objectName() == "pin_action")
    assert pin.text() == "Pin"
    pin.trigger()
    chat.qtbot.waitUntil(lambda: sidebar.model.headers()[:1] == ["pinned"])
    assert sidebar.model.conversations()[0].id == older
    assert chat.call(chat.store.get_conversation(older)).pinned
    unpin = next(a for a in sidebar.context_menu(older).actions() if a.objectName() == "pin_action")
    assert unpin.text() == "Unpin"


def test_delete_then_undo(chat: ChatHarness) -> None:
    chat.send("keep this one")
    chat.wait_done()
    kept = chat.page.controller.current_id
    chat.page.new_chat()
    chat.qtbot.waitUntil(lambda: chat.page.controller.current is None)
    chat.send("delete this one")
    chat.wait_done()
    doomed = chat.page.controller.current_id
    sidebar = chat.page.sidebar
    _sidebar_row(chat, doomed)
    delete = next(a for a in sidebar.context_menu(doomed).actions() if a.objectName() == "delete_action")
    delete.trigger()
    chat.qtbot.waitUntil(lambda: sidebar.undo_bar.isVisible())
    assert sidebar.undo_label.text() == "“delete this one” deleted."
    chat.qtbot.waitUntil(lambda: sidebar.model.row_of(doomed) < 0)
    assert chat.page.controller.current_id == kept  # the neighbour opened
    assert chat.call(chat.store.get_conversation(doomed)).deleted
    sidebar.undo_button.click()
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == doomed)
    assert not sidebar.undo_bar.isVisible()
    assert [i.text for i in chat.items()] == ["delete this one", "Echo: delete this one"]
    chat.qtbot.waitUntil(lambda: sidebar.model.row_of(doomed) >= 0)


def test_delete_key_in_the_list(chat: ChatHarness) -> None:
    chat.send("remove me with the Delete key")
    chat.wait_done()
    cid = chat.page.controller.current_id
    view = chat.page.sidebar.list_view
    view.setFocus()
    view.setCurrentIndex(_sidebar_row(chat, cid))
    chat.qtbot.keyClick(view, Qt.Key.Key_Delete)
    chat.qtbot.waitUntil(lambda: chat.page.sidebar.undo_bar.isVisible())
    assert chat.call(chat.store.get_conversation(cid)).deleted
    assert chat.page.controller.current is None and chat.items() == []


def test_search_opens_the_conversation_scrolled_to_the_hit(chat: ChatHarness, long_history: tuple[int, int]) -> None:
    conversation_id, message_id = long_history
    sidebar = chat.page.sidebar
    chat.page._reload_sidebar()
    chat.qtbot.waitUntil(lambda: len(sidebar.model.conversations()) == 2)
    sidebar.search_edit.setFocus()
    chat.qtbot.keyClicks(sidebar.search_edit, "zebra")
    chat.qtbot.waitUntil(lambda: sidebar.results.rowCount() == 1, timeout=3000)
    assert sidebar.stack.currentWidget() is sidebar.results_view
    hit = sidebar.results.hit(0)
    assert hit.message_id == message_id and "\x02zebra\x03" in hit.snippet
    sidebar.results_view.clicked.emit(sidebar.results.index(0, 0))
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == conversation_id, timeout=3000)
    view = chat.page.view
    chat.qtbot.waitUntil(lambda: chat.page.model.row_of(message_id) >= 0)  # older messages load second
    row = chat.page.model.row_of(message_id)
    assert row == 57
    chat.qtbot.waitUntil(lambda: view.widget_for(message_id) is not None)
    geometry = view.row_geometry(row)
    assert 0 <= geometry.top() < view.viewport().height() // 2  # brought to the top of the view
    assert not view.following
    widget = view.widget_for(message_id)
    assert widget.content_view.document().toPlainText() == "Here the word zebra appears, and <b>markup</b> stays text."
    # Nothing found → says so; clearing the search shows the list again.
    sidebar.search_edit.setText("no such words anywhere")
    chat.qtbot.waitUntil(lambda: sidebar.stack.currentWidget() is sidebar.no_results, timeout=3000)
    sidebar.search_edit.clear()
    assert sidebar.stack.currentWidget() is sidebar.list_view


def test_only_visible_messages_get_widgets(chat: ChatHarness, long_history: tuple[int, int]) -> None:
    conversation_id, _ = long_history
    chat.page._reload_sidebar()
    chat.qtbot.waitUntil(lambda: chat.page.sidebar.model.row_of(conversation_id) >= 0)
    chat.page._on_conversation_activated(conversation_id)
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == conversation_id)
    view = chat.page.view
    chat.qtbot.waitUntil(lambda: len(chat.items()) == 300)
    view.ensure_layout()
    assert 0 < len(view.visible_widgets()) < 25
    assert view.cache.builds < 30
    bar = view.verticalScrollBar()
    assert bar.value() == bar.maximum() and view.following  # opened at the bottom
    last = chat.items()[-1]
    assert view.widget_for(last.id) is not None
    bar.setValue(0)
    view.ensure_layout()
    assert view.widget_for(chat.items()[0].id) is not None and view.widget_for(last.id) is None
    assert not view.following
    assert len(view.visible_widgets()) < 25
    QApplication.processEvents()


def test_voice_conversations_are_listed_searched_and_continued(chat: ChatHarness) -> None:
    """The Voice tab's conversations show in the list (tagged), are found by search, and a
    typed message continues them; text completions are listed and found too (tagged, see
    test_completion_mode.py)."""
    store = Store(database_path(chat.context.locations.data))
    try:
        with store.batch():
            voice = store.create_conversation(title="Spoken plans", kind=ConversationKind.VOICE)
            store.append_message(voice.id, Role.USER, "what about the giraffe trip")
            store.append_message(voice.id, Role.ASSISTANT, "The **giraffe** trip is on Monday.")
            completion = store.create_conversation(title="Raw completion", kind=ConversationKind.COMPLETION)
            store.append_message(completion.id, Role.USER, "giraffe completion text")
            typed = store.create_conversation(title="Typed chat")
            store.append_message(typed.id, Role.USER, "hello")
    finally:
        store.close()
    sidebar = chat.page.sidebar
    chat.page._reload_sidebar()
    chat.qtbot.waitUntil(lambda: len(sidebar.model.conversations()) == 3)
    ids = {c.id for c in sidebar.model.conversations()}
    assert ids == {voice.id, typed.id, completion.id}
    voice_row = sidebar.model.index(sidebar.model.row_of(voice.id), 0)
    typed_row = sidebar.model.index(sidebar.model.row_of(typed.id), 0)
    assert voice_row.data(ConversationListModel.VoiceRole) is True
    assert typed_row.data(ConversationListModel.VoiceRole) is False
    assert "voice" in voice_row.data(Qt.ItemDataRole.ToolTipRole).lower()
    # The tag is painted beside the title (not instead of it).
    image = sidebar.list_view.viewport().grab().toImage()
    assert not image.isNull()
    # Search: the voice conversation is found (and the completion), tagged, markup stripped.
    sidebar.search_edit.setText("giraffe")
    chat.qtbot.waitUntil(lambda: sidebar.results.rowCount() >= 1, timeout=3000)
    chat.wait_idle()
    hits = sidebar.results.hits()
    assert {hit.conversation_id for hit in hits} == {voice.id, completion.id}
    message_hit = next(
        row
        for row in range(sidebar.results.rowCount())
        if sidebar.results.hit(row).message_id is not None and sidebar.results.hit(row).conversation_id == voice.id
    )
    index = sidebar.results.index(message_hit, 0)
    assert index.data(SearchResultsModel.VoiceRole) is True
    assert "**" not in index.data() and "giraffe" in index.data()
    # Open it and continue by typing.
    sidebar.results_view.clicked.emit(index)
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == voice.id, timeout=3000)
    chat.qtbot.waitUntil(lambda: len(chat.items()) == 2, timeout=3000)
    chat.send("And the weather?")
    reply = chat.wait_done()
    assert reply.state is MessageState.COMPLETE and reply.text
    assert chat.page.controller.current_id == voice.id
    messages = chat.call(chat.store.messages(voice.id))
    assert [m.role for m in messages] == [Role.USER, Role.ASSISTANT, Role.USER, Role.ASSISTANT]


def test_search_snippets_lose_markdown_but_keep_highlights() -> None:
    snippet = "…use **\x02numpy\x03** with `\x02np\x03.array` and [docs](https://numpy.org) here"
    assert plain_snippet(snippet) == "…use \x02numpy\x03 with \x02np\x03.array and docs (https://numpy.org) here"
    html = highlighted_html("# A \x02hit\x03 in a *heading*\n\n- item <b>x</b>", "#ff0")
    assert html == 'A <span style="background-color:#ff0; font-weight:600">hit</span> in a heading  - item &lt;b&gt;x&lt;/b&gt;'
    model = SearchResultsModel()
    model.set_hits("numpy", [SearchHit(3, 9, "Title", snippet, 0.0)])
    assert model.index(0, 0).data() == "Title\n…use numpy with np.array and docs (https://numpy.org) here"
