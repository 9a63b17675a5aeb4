"""Fixtures for the Chat tab's tests: a context with a real store, and a page talking to the loopback.

Import the fixtures into a test module (``from tests.ui.chat.chat_fixtures import *``); they build
on tests/ui/conftest.py (``make_context``, the qasync loop, the private PARLA_HOME).

Teardown order matters: the page's tasks are cancelled (a stopped reply writes its last state)
before the store closes, as ``app.main`` does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Iterator
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from app.profiles import Profile
from app.store import AsyncStore, MessageState, Role, Store, database_path
from app.ui.chat.page import ChatPage
from app.ui.context import AppContext
from tests.ui.conftest import run

T = TypeVar("T")

__all__ = ["ChatHarness", "chat", "chat_context", "long_history", "open_store", "resolve", "wait_reply_done"]


def resolve(qtbot: Any, awaitable: Awaitable[T], timeout: float = 10.0) -> T:
    """The result of a coroutine or future (a store call), from a sync test."""

    async def wait() -> T:
        return await awaitable

    return run(qtbot, wait(), timeout)


def open_store(qtbot: Any, context: AppContext) -> AsyncStore:
    return resolve(qtbot, AsyncStore.open(database_path(context.locations.data)))


@pytest.fixture
def chat_context(qtbot: Any, make_context: Any, loopback: Any, loopback_profile: Profile, vault: Any) -> Iterator[AppContext]:
    """A context whose profile talks to the loopback server (connected), with an open store."""
    vault.set("default", loopback.token)
    base = make_context(profiles=[loopback_profile])
    store = open_store(qtbot, base)
    context = dataclasses.replace(base, store=store)
    base.session.start()
    qtbot.waitUntil(lambda: base.session.client is not None, timeout=5000)
    try:
        yield context
    finally:
        run(qtbot, context.tasks.cancel_all())
        resolve(qtbot, store.close())


class ChatHarness:
    """A shown ChatPage and helpers to drive it like a user."""

    def __init__(self, qtbot: Any, context: AppContext, page: ChatPage) -> None:
        self.qtbot = qtbot
        self.context = context
        self.page = page

    @property
    def store(self) -> AsyncStore:
        assert self.context.store is not None
        return self.context.store

    def type(self, text: str) -> None:
        self.page.composer.editor.setPlainText(text)

    def send(self, text: str) -> None:
        self.type(text)
        assert self.page.composer.send_button.isEnabled()
        self.page.composer.send_button.click()
        self.qtbot.waitUntil(lambda: self.page.composer.text() == "", timeout=5000)

    def call(self, awaitable: Awaitable[T]) -> T:
        return resolve(self.qtbot, awaitable)

    def items(self) -> list[Any]:
        return list(self.page.model.items)

    def last(self) -> Any:
        return self.page.model.items[-1]

    def wait_done(self, timeout: int = 10000) -> Any:
        wait_reply_done(self.qtbot, self.page, timeout)
        return self.last()

    def widget(self, message_id: int) -> Any:
        self.page.view.ensure_layout()
        return self.page.view.widget_for(message_id)

    def wait_idle(self) -> None:
        """Let queued work (sidebar reloads, layouts) run."""
        self.qtbot.wait(80)


def wait_reply_done(qtbot: Any, page: ChatPage, timeout: int = 10000) -> None:
    def done() -> bool:
        items = page.model.items
        return bool(items) and items[-1].state is not MessageState.STREAMING and not page.controller.is_streaming()

    qtbot.waitUntil(done, timeout=timeout)


@pytest.fixture
def chat(qtbot: Any, chat_context: AppContext) -> Iterator[ChatHarness]:
    # Not qtbot.addWidget: pytest-qt would delete the page before the tasks are cancelled, and a
    # reply that is stopped records its end through the page's model (main.py keeps that order).
    page = ChatPage(chat_context)
    page.resize(1000, 700)
    page.show()
    qtbot.waitExposed(page)
    harness = ChatHarness(qtbot, chat_context, page)
    qtbot.wait(50)
    try:
        yield harness
    finally:
        page.hide()  # from now on the page starts no new work (a hidden page defers its reloads)
        run(qtbot, chat_context.tasks.cancel_all())
        page.close()
        page.deleteLater()
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def long_history(chat_context: Any) -> tuple[int, int]:
    """A conversation of 300 messages (one of them mentions a zebra) and another one, made directly."""
    store = Store(database_path(chat_context.locations.data))
    try:
        with store.batch():
            other = store.create_conversation(title="Unrelated")
            store.append_message(other.id, Role.USER, "nothing to see")
            conversation = store.create_conversation()
            target = 0
            for i in range(300):
                role = Role.USER if i % 2 == 0 else Role.ASSISTANT
                text = f"message number {i} " + ("lorem ipsum dolor sit amet " * (1 + i % 7))
                if i == 57:
                    text = "Here the word zebra appears, and <b>markup</b> stays text."
                message = store.append_message(conversation.id, role, text)
                if i == 57:
                    target = message.id
    finally:
        store.close()
    return conversation.id, target
