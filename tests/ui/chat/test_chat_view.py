"""The message list's own behaviour: links and Copy anchors, selection, Thinking, the unavailable state."""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from app.store import MessageState, Role, SchemaTooNewError, Store, database_path
from app.ui.chat.message_list import MessageListView
from app.ui.chat.page import ChatPage
from tests.ui.chat.chat_fixtures import ChatHarness, chat, chat_context  # noqa: F401
from tests.ui.conftest import run

REPLY = """Here is code:

```python
print("copied")
```

A [safe link](https://example.com/docs), a [bad one](javascript:alert(1)), raw <script>alert(1)</script>
and an image ![chart](http://images.example/chart.png).
"""


def _seed(chat_context: Any, text: str, reasoning: str = "") -> int:
    with Store(database_path(chat_context.locations.data)) as store:
        conversation = store.create_conversation(title="Seeded")
        store.append_message(conversation.id, Role.USER, "show me")
        store.append_message(conversation.id, Role.ASSISTANT, text, reasoning=reasoning, model="gpt-4o-mini")
        return conversation.id


def _open(chat: ChatHarness, conversation_id: int) -> Any:
    chat.page._on_conversation_activated(conversation_id)
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == conversation_id and len(chat.items()) == 2)
    widget = chat.widget(chat.items()[1].id)
    assert widget is not None
    return widget


def test_copy_anchor_and_links(chat: ChatHarness, chat_context: Any, monkeypatch: Any) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr("app.ui.chat.message_list.QDesktopServices.openUrl", lambda url: opened.append(url) or True)
    widget = _open(chat, _seed(chat_context, REPLY))
    document = widget.content_view.document()
    view: MessageListView = chat.page.view
    assert "<script>alert(1)</script>" in document.toPlainText()  # shown as text
    assert document.refused_resources == []  # the image is a placeholder link: nothing was even asked for
    view.open_anchor(document, "parla-copy:0")
    assert QApplication.clipboard().text().rstrip("\n") == 'print("copied")'
    view.open_anchor(document, "javascript:alert(1)")
    view.open_anchor(document, "file:///etc/passwd")
    assert opened == []  # never opened
    view.open_anchor(document, "https://example.com/docs")
    view.open_anchor(document, "parla-image:0")  # the image, only when clicked
    assert [u.toString() for u in opened] == ["https://example.com/docs", "http://images.example/chart.png"]


def test_clicking_a_link_in_the_text(chat: ChatHarness, chat_context: Any, monkeypatch: Any) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr("app.ui.chat.message_list.QDesktopServices.openUrl", lambda url: opened.append(url) or True)
    widget = _open(chat, _seed(chat_context, "Read [the docs](https://example.com/docs) now."))
    content = widget.content_view
    layout = content.document().documentLayout()
    point = None
    for x in range(0, content.width(), 3):
        for y in range(0, min(content.height(), 40), 3):
            if layout.anchorAt(QPoint(x, y).toPointF()) == "https://example.com/docs":
                point = QPoint(x, y)
                break
        if point is not None:
            break
    assert point is not None
    chat.qtbot.mouseClick(content, Qt.MouseButton.LeftButton, pos=point)
    assert [u.toString() for u in opened] == ["https://example.com/docs"]


def test_select_and_copy_text(chat: ChatHarness, chat_context: Any) -> None:
    widget = _open(chat, _seed(chat_context, "Alpha beta gamma."))
    content = widget.content_view
    content.setFocus()
    chat.qtbot.keySequence(content, QKeySequence.StandardKey.SelectAll)
    chat.qtbot.keySequence(content, QKeySequence.StandardKey.Copy)
    assert QApplication.clipboard().text() == "Alpha beta gamma."
    chat.qtbot.mouseDClick(content, Qt.MouseButton.LeftButton, pos=QPoint(5, content.height() // 2))
    assert content.selected_text() == "Alpha"


def test_thinking_toggle_changes_the_row_height(chat: ChatHarness, chat_context: Any) -> None:
    reasoning = "\n\n".join(f"Step {i}: consider the options carefully." for i in range(8))
    widget = _open(chat, _seed(chat_context, "The answer.", reasoning=reasoning))
    view = chat.page.view
    row = chat.page.model.row_of(widget.item.id)
    assert widget._thinking_button.isVisible() and not widget._reasoning_frame.isVisible()
    closed = view.row_geometry(row).height()
    widget._thinking_button.click()
    view.ensure_layout()
    assert widget._reasoning_frame.isVisible()
    assert view.row_geometry(row).height() > closed + 100
    assert "Step 7" in widget.reasoning_view.document().toPlainText()
    widget._thinking_button.click()
    view.ensure_layout()
    assert view.row_geometry(row).height() == closed


def test_user_and_assistant_messages_look_different(chat: ChatHarness, chat_context: Any) -> None:
    reply = _open(chat, _seed(chat_context, "Reply text"))
    user = chat.widget(chat.items()[0].id)
    assert user._header.text() == "You" and reply._header.text() == "gpt-4o-mini"
    assert user.geometry().left() > reply.geometry().left()  # the user's bubble is set in from the left
    assert user.button("edit").isVisible() and not reply.button("edit").isVisible()
    assert reply.button("regenerate").isVisible()


def test_a_store_that_cannot_open_is_explained(qtbot: Any, make_context: Any) -> None:
    context = dataclasses.replace(make_context(), store=None, store_error=SchemaTooNewError("too new"))
    page = ChatPage(context)
    page.show()
    try:
        label = page.findChild(type(page._unavailable_label), "chat_unavailable")
        assert "update Parla" in label.text()
        page.focus_main_input()
        page.trigger_main_action()  # nothing to do, nothing breaks
    finally:
        page.hide()
        run(qtbot, context.tasks.cancel_all())
        page.deleteLater()


def test_an_interrupted_reply_says_so(chat: ChatHarness, chat_context: Any) -> None:
    with Store(database_path(chat_context.locations.data)) as store:
        conversation = store.create_conversation()
        store.append_message(conversation.id, Role.USER, "question")
        store.append_message(conversation.id, Role.ASSISTANT, "half an ans", state=MessageState.STREAMING)
    # A new store on the file recovers it, as the next start does.
    with Store(database_path(chat_context.locations.data)) as store:
        assert store.recovered == 1
    widget = _open(chat, conversation.id)
    assert widget._status.text() == "Interrupted — Parla closed before the reply finished."
    assert widget.content_view.document().toPlainText() == "half an ans"


def test_new_chat_with_the_settings_panel_open_can_be_set_up_at_once(chat: ChatHarness) -> None:
    chat.send("first conversation")
    chat.wait_done()
    first = chat.page.controller.current_id
    chat.page.settings_button.click()
    assert chat.page.settings_panel.isVisible()
    chat.page.new_chat()
    # The panel does not wait for something to be typed: the new chat has its row, the panel is usable.
    chat.qtbot.waitUntil(
        lambda: chat.page.controller.current is not None and chat.page.controller.current.id != first,
        timeout=5000,
    )
    chat.qtbot.waitUntil(lambda: chat.page.settings_panel.isEnabled(), timeout=5000)
    assert not chat.page.model.items
