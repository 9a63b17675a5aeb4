"""Failures shown beside the message, with Retry — the user's text is never lost."""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import Any

from app.store import MessageState, Role
from app.ui.chat.message_widget import MessageAction
from app.ui.chat.page import ChatPage
from tests.loopback.server import Fault
from tests.ui.chat.chat_fixtures import ChatHarness, chat, chat_context, open_store, resolve  # noqa: F401
from tests.ui.conftest import run


def _error_text(chat: ChatHarness, message_id: int) -> str:
    widget = chat.widget(message_id)
    assert widget is not None and widget._error_box.isVisible()
    return widget._error_label.text()


def test_mid_stream_error_keeps_the_partial_text_and_retry_works(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/chat/completions", Fault(mid_stream_error=True, after_chunks=4))
    chat.send("a message long enough to be cut in the middle")
    reply = chat.wait_done()
    assert reply.state is MessageState.ERROR
    assert reply.text and "Echo: a message long enough".startswith(reply.text)  # what arrived stays
    assert _error_text(chat, reply.id).startswith("The reply was cut off")
    stored = chat.call(chat.store.get_message(reply.id))
    assert stored.state is MessageState.ERROR and stored.text == reply.text and stored.error
    # The text is shown, the error beside it — not instead of it.
    widget = chat.widget(reply.id)
    assert widget.content_view.isVisible() and widget.content_view.document().toPlainText() == reply.text
    widget.button(MessageAction.RETRY).click()
    chat.qtbot.waitUntil(lambda: chat.last() is not reply, timeout=5000)
    retried = chat.wait_done()
    assert retried.state is MessageState.COMPLETE
    assert retried.text == "Echo: a message long enough to be cut in the middle"
    assert [i.role for i in chat.items()] == [Role.USER, Role.ASSISTANT]


def test_401_says_the_token_was_rejected(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/chat/completions", Fault(status=401))
    chat.send("hello?")
    reply = chat.wait_done()
    assert reply.state is MessageState.ERROR and reply.text == ""
    assert _error_text(chat, reply.id) == "The server rejected the token — check it in Settings."
    user = chat.items()[0]
    assert user.text == "hello?"  # stored before anything was sent
    assert chat.call(chat.store.get_message(user.id)).text == "hello?"
    widget = chat.widget(reply.id)
    assert not widget.content_view.isVisible()
    assert widget.button(MessageAction.RETRY).isEnabled()


def test_429_with_retry_after_retries_by_itself_once(chat: ChatHarness, loopback: Any) -> None:
    # x-should-retry: false makes the client give up at once, so the page's own retry is what runs.
    loopback.inject(
        "/chat/completions", Fault(status=429, headers={"retry-after-ms": "300", "x-should-retry": "false"})
    )
    chat.send("busy?")
    chat.qtbot.waitUntil(lambda: chat.last().state is MessageState.ERROR, timeout=5000)
    assert _error_text(chat, chat.last().id) == "Rate limited — retrying in 1 s."
    reply = chat.wait_done()
    assert reply.state is MessageState.COMPLETE and reply.text == "Echo: busy?"
    assert len(loopback.requests_to("/chat/completions")) == 2


def test_429_without_retry_after_asks_to_try_later(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/chat/completions", Fault(status=429, headers={"x-should-retry": "false"}))
    chat.send("busy?")
    reply = chat.wait_done()
    assert reply.state is MessageState.ERROR
    assert _error_text(chat, reply.id).startswith("Rate limited — try again later")
    chat.qtbot.wait(300)
    assert len(loopback.requests_to("/chat/completions")) == 1  # no retry was promised, none made


def test_a_relay_that_rejects_stream_options_works_and_is_remembered(chat: ChatHarness, loopback: Any) -> None:
    loopback.reject_stream_options = True
    chat.send("first")
    reply = chat.wait_done()
    assert reply.state is MessageState.COMPLETE and reply.text == "Echo: first"
    requests = loopback.requests_to("/chat/completions")
    assert [("stream_options" in r.json, r.status) for r in requests] == [(True, 400), (False, 200)]
    chat.send("second")
    assert chat.wait_done().text == "Echo: second"
    later = loopback.requests_to("/chat/completions")[2:]
    assert len(later) == 1 and "stream_options" not in later[0].json  # remembered for the profile


def test_no_token_keeps_the_message_and_says_what_to_do(
    qtbot: Any, make_context: Any, loopback: Any, loopback_profile: Any
) -> None:
    base = make_context(profiles=[loopback_profile])  # nothing in the keychain
    store = open_store(qtbot, base)
    context = dataclasses.replace(base, store=store)
    base.session.start()
    qtbot.waitUntil(lambda: base.session.connection.status.value == "no_token")
    page = ChatPage(context)
    page.show()
    try:
        harness = ChatHarness(qtbot, context, page)
        harness.send("is anyone there?")
        reply = harness.wait_done()
        assert reply.state is MessageState.ERROR
        assert _error_text(harness, reply.id) == "No token — open Settings to add one."
        assert harness.items()[0].text == "is anyone there?"
        assert loopback.requests_to("/chat/completions") == []
    finally:
        page.hide()
        run(qtbot, context.tasks.cancel_all())
        page.deleteLater()
        resolve(qtbot, store.close())


def test_typed_text_survives_a_store_failure(chat: ChatHarness, monkeypatch: Any) -> None:
    def broken(_fn: Any) -> Any:
        raise sqlite3.OperationalError("database or disk is full")

    chat.send("works")
    chat.wait_done()
    monkeypatch.setattr(chat.store, "run", broken)
    banners: list[str] = []
    chat.context.notifier.banner_posted.connect(lambda text, _level: banners.append(text))
    chat.type("this must not be lost")
    chat.page.composer.send_button.click()
    chat.qtbot.waitUntil(lambda: banners != [])
    assert banners == ["The conversation history could not be read or written (OperationalError) — the details are in the log."]
    assert chat.page.composer.text() == "this must not be lost"
    assert chat.page.composer.send_button.isEnabled()
    assert len(chat.items()) == 2
