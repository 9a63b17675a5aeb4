"""Deleting a message in the Chat tab: gone at once, Undo brings it back whole, purged after the Undo time."""

from __future__ import annotations

import io
import json
from typing import Any

from PIL import Image
from PySide6.QtCore import Qt

from app.store import MessageState, Role, Store, database_path, image_part, text_part
from app.store.export import export_json
from app.ui.chat import tool_cards
from app.ui.chat.message_widget import MessageAction
from tests.loopback.server import Fault
from tests.ui.chat.chat_fixtures import ChatHarness, chat, chat_context  # noqa: F401


def _png(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (200, 80, 80)).save(buf, "PNG")
    return buf.getvalue()


def _seed(chat_context: Any) -> tuple[int, list[int]]:
    """A question with a picture, a reply with tool calls, usage and a cut-short state, and a follow-up."""
    with Store(database_path(chat_context.locations.data)) as s:
        conversation = s.create_conversation(title="Zebras")
        picture = s.put_attachment(_png(120, 60), "image/png", width=120, height=60)
        first = s.append_message(conversation.id, Role.USER, [text_part("Is this a zebra?"), image_part(picture.hash)])
        call = tool_cards.call_record("call_1", "calculator", '{"expression": "2+2"}', round_no=1, status=tool_cards.OK)
        call.update(result="4", duration=0.01)
        reply = s.append_message(
            conversation.id, Role.ASSISTANT, "Yes, a striped one.", tool_calls=[call], model="gpt-test",
            usage={"prompt_tokens": 30, "completion_tokens": 7}, finish_reason="length",
        )
        follow = s.append_message(conversation.id, Role.USER, "And its name?")
        last = s.append_message(conversation.id, Role.ASSISTANT, "Echo: And its name?", model="gpt-test")
        return conversation.id, [first.id, reply.id, follow.id, last.id]


def _open(chat: ChatHarness, conversation_id: int, count: int) -> None:
    chat.page._on_conversation_activated(conversation_id)
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == conversation_id and len(chat.items()) == count)


def _delete(chat: ChatHarness, message_id: int) -> int:
    """Click Delete on the message: no question, the row goes, the bar offers Undo."""
    bar = chat.page.view.undo_bar
    before = bar.token
    chat.widget(message_id).button(MessageAction.DELETE).click()
    chat.qtbot.waitUntil(lambda: bar.isVisible() and bar.token not in (None, before), timeout=5000)
    assert chat.page.model.find(message_id) is None
    assert chat.page.confirmation is None
    return bar.token


def _snapshot(item: Any) -> tuple:
    return (item.id, item.role, item.text, item.state, item.usage, item.finish_reason, item.model, item.images, item.tool_calls)


def test_delete_then_undo_brings_the_message_back_whole(chat: ChatHarness, chat_context: Any) -> None:
    cid, ids = _seed(chat_context)
    _open(chat, cid, 4)
    before = [_snapshot(item) for item in chat.items()]
    trash = _delete(chat, ids[1])
    bar = chat.page.view.undo_bar
    assert bar.label.text() == "Message deleted." and bar.undo_button.isVisible()
    # Gone from the view at once, and from what the store answers and exports.
    assert [i.id for i in chat.items()] == [ids[0], ids[2], ids[3]]
    assert chat.call(chat.store.count_messages(cid)) == 3
    assert chat.call(chat.store.get_message(ids[1])) is None
    assert chat.call(chat.store.search("striped")) == []
    assert "striped" not in json.dumps(chat.call(chat.store.run(lambda s: export_json(s, [cid]))))
    # Undo: the same row at the same place, with its tool calls, usage and state.
    bar.undo_button.click()
    chat.qtbot.waitUntil(lambda: len(chat.items()) == 4, timeout=5000)
    assert not bar.isVisible()
    assert [_snapshot(item) for item in chat.items()] == before
    widget = chat.widget(ids[1])
    assert widget is not None and len(widget.tool_cards.cards) == 1
    assert "Cut short" in widget._status.text()
    stored = chat.call(chat.store.get_message(ids[1]))
    assert stored.tool_calls[0]["result"] == "4" and stored.usage == {"prompt_tokens": 30, "completion_tokens": 7}
    assert chat.call(chat.store.run(lambda s: s.deleted_messages())) == []
    assert [h.message_id for h in chat.call(chat.store.search("striped"))] == [ids[1]]
    with __import__('pytest').raises(Exception):
        chat.call(chat.store.restore_message(trash))  # used up


def test_a_picture_message_comes_back_with_its_picture(chat: ChatHarness, chat_context: Any) -> None:
    cid, ids = _seed(chat_context)
    _open(chat, cid, 4)
    digest = chat.items()[0].images[0]["hash"]
    _delete(chat, ids[0])
    assert chat.page.title_label.text() != "" and chat.call(chat.store.get_attachment(digest)) is not None
    # Ctrl+Z in the message list is the same as the button.
    chat.page.view.setFocus()
    chat.qtbot.keyClick(chat.page.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    chat.qtbot.waitUntil(lambda: len(chat.items()) == 4, timeout=5000)
    assert chat.items()[0].id == ids[0] and chat.items()[0].images[0]["hash"] == digest
    widget = chat.widget(ids[0])
    assert widget.images.hashes() == [digest]


def test_the_history_sent_to_the_model_leaves_the_deleted_message_out(chat: ChatHarness, chat_context: Any, loopback: Any) -> None:
    cid, ids = _seed(chat_context)
    _open(chat, cid, 4)
    _delete(chat, ids[2])  # "And its name?"
    chat.send("one more")
    chat.wait_done()
    sent = loopback.requests_to("/chat/completions")[-1].json["messages"]
    assert [m["content"] for m in sent if m["role"] == "user"][-2:] == [
        [{"type": "text", "text": "Is this a zebra?"}, sent[0]["content"][1]], "one more"
    ] or [m["content"] for m in sent if m["role"] == "user"][-1] == "one more"
    user_texts = json.dumps([m for m in sent if m["role"] == "user"])
    assert "And its name?" not in user_texts and "one more" in user_texts
    assert "Yes, a striped one." in json.dumps(sent)  # the reply before it is still sent


def test_after_the_undo_time_the_message_is_purged(chat: ChatHarness, chat_context: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("app.ui.chat.page.MESSAGE_UNDO_SECONDS", 0.3)
    cid, ids = _seed(chat_context)
    _open(chat, cid, 4)
    _delete(chat, ids[3])
    bar = chat.page.view.undo_bar
    chat.qtbot.waitUntil(lambda: not bar.isVisible(), timeout=3000)
    chat.qtbot.waitUntil(lambda: chat.call(chat.store.run(lambda s: s.deleted_messages())) == [], timeout=3000)
    assert chat.call(chat.store.count_messages(cid)) == 3
    assert chat.page.controller.undo_pending is None


def test_a_second_delete_ends_the_first_ones_undo_and_dismiss_purges(chat: ChatHarness, chat_context: Any) -> None:
    cid, ids = _seed(chat_context)
    _open(chat, cid, 4)
    first = _delete(chat, ids[3])
    second = _delete(chat, ids[2])
    assert second != first
    chat.qtbot.waitUntil(lambda: [t for t, _m, _c in chat.call(chat.store.run(lambda s: s.deleted_messages()))] == [second])
    chat.page.view.undo_bar.close_button.click()  # ✕: deleted for good now
    chat.qtbot.waitUntil(lambda: chat.call(chat.store.run(lambda s: s.deleted_messages())) == [])
    assert [i.id for i in chat.items()] == ids[:2]


def test_undo_from_another_conversation_opens_it_with_the_message(chat: ChatHarness, chat_context: Any) -> None:
    cid, ids = _seed(chat_context)
    _open(chat, cid, 4)
    _delete(chat, ids[2])
    chat.page.new_chat()
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id is None)
    assert chat.page.view.undo_bar.isVisible()
    chat.page.view.undo_bar.undo_button.click()
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == cid and len(chat.items()) == 4, timeout=5000)
    assert [i.id for i in chat.items()] == ids


def test_deleting_while_a_reply_streams_is_safe(chat: ChatHarness, chat_context: Any, loopback: Any) -> None:
    cid, ids = _seed(chat_context)
    _open(chat, cid, 4)
    loopback.inject("/chat/completions", Fault(delay_between_chunks=0.05))
    chat.send("tell me a long story about zebras")
    chat.qtbot.waitUntil(lambda: chat.page.controller.is_streaming(), timeout=5000)
    live = chat.last()
    assert live.streaming and not chat.widget(live.id).button(MessageAction.DELETE).isEnabled()
    # The streaming reply cannot be deleted (even if asked directly); an older message can.
    assert chat.call(chat.page.controller.delete_message(live.id)) is None
    _delete(chat, ids[1])
    assert ids[1] not in [i.id for i in chat.items()]
    chat.page.view.undo_bar.undo_button.click()
    chat.qtbot.waitUntil(lambda: len(chat.items()) == 6, timeout=5000)
    reply = chat.wait_done()
    assert reply.state is MessageState.COMPLETE and reply.text.startswith("Echo: tell me a long story")
    assert [i.id for i in chat.items()][:4] == ids
    stored = chat.call(chat.store.messages(cid))
    assert [m.id for m in stored] == [i.id for i in chat.items()]
    assert stored[-1].text == reply.text


def test_a_restart_during_the_undo_time_leaves_it_deleted(chat: ChatHarness, chat_context: Any) -> None:
    """What the next start finds after a crash during the Undo time (the file as another process sees
    it): the message deleted, never half there; the start-up purge finishes the job."""
    cid, ids = _seed(chat_context)
    _open(chat, cid, 4)
    trash = _delete(chat, ids[1])
    chat.call(chat.store.run(lambda s: None))  # every call made so far has landed
    with Store(database_path(chat_context.locations.data)) as after_crash:
        assert [m.id for m in after_crash.messages(cid)] == [ids[0], ids[2], ids[3]]
        assert after_crash.deleted_messages() == [(trash, ids[1], cid)]
        after_crash.purge_deleted()
        assert after_crash.deleted_messages() == []
        assert after_crash.integrity_check() == ["ok"]
    # This session's Undo then finds nothing to bring back, and says so.
    posted: list[str] = []
    chat.context.notifier.banner_posted.connect(lambda text, _level: posted.append(text))
    chat.page.view.undo_bar.undo_button.click()
    chat.qtbot.waitUntil(lambda: posted == ["The message can no longer be brought back."], timeout=5000)
    assert [i.id for i in chat.items()] == [ids[0], ids[2], ids[3]]
