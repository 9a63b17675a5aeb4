"""Search by meaning in the Chat tab: the switch and its consent, indexing with progress, Pause/Resume,
failures in words, resuming after a restart, and the blended hits in the sidebar — all against the
loopback server's deterministic /embeddings and a real SQLite file."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from app.profiles import Capability
from app.semantic import BackfillState
from app.store import Role, Store, database_path
from app.store import vectors as store_vectors
from app.ui.chat.page import ChatPage
from app.ui.chat.sidebar_model import SearchResultsModel
from app.ui.context import AppContext
from tests.loopback.server import Fault
from tests.ui.chat.chat_fixtures import ChatHarness, chat_context, open_store, resolve  # noqa: F401
from tests.ui.conftest import run

MODEL = "text-embedding-3-small"
DIMS = 1536


def add_messages(context: AppContext, texts: list[str], title: str = "") -> list[int]:
    """One conversation holding ``texts`` (user, assistant, user…), written directly in the database."""
    store = Store(database_path(context.locations.data))
    try:
        with store.batch():
            conversation = store.create_conversation(title=title)
            return [
                store.append_message(conversation.id, Role.USER if i % 2 == 0 else Role.ASSISTANT, text).id
                for i, text in enumerate(texts)
            ]
    finally:
        store.close()


def stored_vectors(h: ChatHarness) -> dict[int, np.ndarray]:
    def read(s: Store) -> dict[int, np.ndarray]:
        rows = s._conn.execute("SELECT message_id, vector FROM message_vectors WHERE model = ?", (MODEL,))
        return {r[0]: store_vectors.unpack_vector(r[1]) for r in rows}

    return h.call(h.store.run(read))


@pytest.fixture
def make_page(qtbot: Any, chat_context: AppContext) -> Iterator[Callable[..., ChatHarness]]:
    pages: list[tuple[ChatPage, AppContext]] = []

    def make(context: AppContext = chat_context) -> ChatHarness:
        page = ChatPage(context)
        page.resize(1000, 700)
        page.show()
        qtbot.waitExposed(page)
        pages.append((page, context))
        return ChatHarness(qtbot, context, page)

    yield make
    for page, context in pages:
        page.hide()
        run(qtbot, context.tasks.cancel_all())
        page.close()
        page.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def embedding_requests(loopback: Any) -> list[Any]:
    return loopback.requests_to("/embeddings")


def wait_done(h: ChatHarness, timeout: int = 10000) -> None:
    h.qtbot.waitUntil(lambda: h.page.semantic.state is BackfillState.DONE, timeout=timeout)


def test_the_switch_asks_first_then_indexes_every_message(make_page: Any, chat_context: AppContext, loopback: Any) -> None:
    texts = ["How do I bake bread?", "Flour, water, salt and yeast.", "And sourdough?"]
    ids = add_messages(chat_context, texts)
    h = make_page()
    sidebar = h.page.sidebar
    assert not sidebar.meaning_check.isChecked() and sidebar.meaning_bar.isHidden()
    assert sidebar.meaning_check.accessibleName() and sidebar.meaning_check.toolTip()

    sidebar.meaning_check.click()
    h.qtbot.waitUntil(lambda: h.page.semantic.confirmation is not None, timeout=5000)
    box = h.page.semantic.confirmation
    assert box is not None and box.isVisible() and not sidebar.meaning_check.isChecked()
    info = box.informativeText()
    characters = sum(len(t) for t in texts)
    assert "3 messages" in info and f"{characters} characters" in info
    assert f"“{MODEL}”" in info and "“Loopback”" in info and "tokens" in info

    # Cancel: nothing is turned on, nothing is sent.
    box.button(QMessageBox.StandardButton.Cancel).click()
    h.qtbot.waitUntil(lambda: h.page.semantic.confirmation is None, timeout=2000)
    h.qtbot.wait(100)
    assert not chat_context.preferences.chat_search_by_meaning and not sidebar.meaning_check.isChecked()
    assert embedding_requests(loopback) == []

    # Again, and Turn on: the history is embedded with the profile's model.
    sidebar.meaning_check.click()
    h.qtbot.waitUntil(lambda: h.page.semantic.confirmation is not None, timeout=5000)
    turn_on = h.page.semantic.confirmation.findChild(object, "meaning_turn_on")
    turn_on.click()
    h.qtbot.waitUntil(lambda: sidebar.meaning_check.isChecked(), timeout=2000)
    assert chat_context.preferences.chat_search_by_meaning
    wait_done(h)
    found = stored_vectors(h)
    assert sorted(found) == sorted(ids)
    for message_id, text in zip(ids, texts, strict=True):
        np.testing.assert_array_equal(found[message_id], np.asarray(loopback.embedding(text, DIMS), dtype=np.float32))
    assert all(r.json["model"] == MODEL for r in embedding_requests(loopback))

    # Off, then on again: indexed already, so no second question.
    sidebar.meaning_check.click()
    h.qtbot.waitUntil(lambda: not sidebar.meaning_check.isChecked(), timeout=2000)
    assert not chat_context.preferences.chat_search_by_meaning and sidebar.meaning_bar.isHidden()
    sidebar.meaning_check.click()
    h.qtbot.waitUntil(lambda: sidebar.meaning_check.isChecked(), timeout=5000)
    assert h.page.semantic.confirmation is None


def test_progress_pause_and_resume_through_the_indexing_line(make_page: Any, chat_context: AppContext, loopback: Any) -> None:
    add_messages(chat_context, [f"note number {i} about gardening" for i in range(200)])
    chat_context.preferences.chat_search_by_meaning = True
    loopback.inject("/embeddings", Fault(delay_first_byte=0.25), times=-1)
    h = make_page()
    sidebar = h.page.sidebar
    h.qtbot.waitUntil(lambda: h.page.semantic.backfill is not None and h.page.semantic.backfill.done >= 64, timeout=10000)
    assert sidebar.meaning_bar.isVisible()
    assert sidebar.meaning_label.text().startswith("Indexing by meaning: ")
    assert "of 200" in sidebar.meaning_label.text()
    assert sidebar.meaning_button.text() == "Pause"

    sidebar.meaning_button.click()
    h.qtbot.waitUntil(lambda: "paused" in sidebar.meaning_label.text(), timeout=2000)
    assert sidebar.meaning_button.text() == "Resume"
    h.qtbot.wait(600)  # the batch in flight is stored, then nothing more is asked
    asked = len(embedding_requests(loopback))
    h.qtbot.wait(600)
    assert len(embedding_requests(loopback)) == asked
    done = h.page.semantic.backfill.done
    assert 0 < done < 200
    assert f"{done} of 200" in sidebar.meaning_label.text()

    sidebar.meaning_button.click()
    wait_done(h, 20000)
    assert len(stored_vectors(h)) == 200
    assert sidebar.meaning_bar.isHidden()


def test_indexing_resumes_after_a_restart(qtbot: Any, make_page: Any, chat_context: AppContext, loopback: Any) -> None:
    add_messages(chat_context, [f"travel diary entry {i}" for i in range(150)])
    chat_context.preferences.chat_search_by_meaning = True
    loopback.inject("/embeddings", Fault(delay_first_byte=0.2), times=-1)
    first = make_page()
    qtbot.waitUntil(lambda: first.page.semantic.backfill.done >= 64, timeout=10000)
    run(qtbot, chat_context.tasks.cancel_all())  # quitting: the indexing task is cancelled
    assert first.page.semantic.backfill.state is BackfillState.CANCELLED
    kept = len(stored_vectors(first))
    assert 64 <= kept < 150
    first.page.hide()

    # A new run: another store instance on the same file, another page.
    loopback.clear_faults()
    loopback.clear()
    store = open_store(qtbot, chat_context)
    try:
        context = dataclasses.replace(chat_context, store=store)
        second = make_page(context)
        wait_done(second)
        assert len(stored_vectors(second)) == 150
        sent = [text for r in embedding_requests(loopback) for text in r.json["input"]]
        assert len(sent) == 150 - kept  # what was stored before was not sent again
    finally:
        run(qtbot, context.tasks.cancel_all())
        resolve(qtbot, store.close())


def test_a_bad_token_pauses_indexing_with_words_and_the_chat_still_works(
    make_page: Any, chat_context: AppContext, loopback: Any
) -> None:
    add_messages(chat_context, ["first thought", "second thought"])
    chat_context.preferences.chat_search_by_meaning = True
    loopback.inject("/embeddings", Fault(status=401), times=1)
    h = make_page()
    sidebar = h.page.sidebar
    h.qtbot.waitUntil(lambda: "stopped" in sidebar.meaning_label.text(), timeout=5000)
    assert sidebar.meaning_label.text().startswith("Indexing by meaning stopped: ")
    assert sidebar.meaning_button.text() == "Retry"
    assert h.page.semantic.state is BackfillState.PAUSED

    h.send("Are you there?")
    assert h.wait_done().text == "Echo: Are you there?"

    sidebar.meaning_button.click()
    wait_done(h)
    assert len(stored_vectors(h)) == 4  # the two, and the question and its answer
    assert sidebar.meaning_bar.isHidden()


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def test_blended_hits_in_the_sidebar_with_meaning_only_tagged(make_page: Any, chat_context: AppContext, loopback: Any) -> None:
    query = "zebra"
    texts = ["zebra stripes and the query itself", "savanna animals", "grazing herds", "zebra crossing rules"]
    ids = add_messages(chat_context, texts, title="Animals")
    q = np.asarray(loopback.embedding(query, DIMS), dtype=np.float32)
    rng = np.random.default_rng(7)
    other = rng.standard_normal(DIMS).astype(np.float32)
    other -= other.dot(q) * q
    other = _unit(other)
    known = {
        ids[0]: q,  # cosine 1, and the word: found both ways
        ids[1]: _unit(0.8 * q + 0.6 * other),  # cosine 0.8, meaning only
        ids[2]: _unit(0.2 * q + 0.98 * other),  # cosine 0.2, meaning only
        ids[3]: -q,  # the word, and the farthest vector
    }
    store = Store(database_path(chat_context.locations.data))
    try:
        store_vectors.put_vectors(
            store, MODEL, [(i, store_vectors.text_hash(t), known[i]) for i, t in zip(ids, texts, strict=True)]
        )
    finally:
        store.close()
    chat_context.preferences.chat_search_by_meaning = True
    h = make_page()
    wait_done(h)
    assert len(embedding_requests(loopback)) == 0  # nothing left to index: the vectors above stay

    sidebar = h.page.sidebar
    sidebar.search_edit.setText(query)
    h.qtbot.waitUntil(lambda: sidebar.results.rowCount() > 0, timeout=5000)
    rows = [sidebar.results.index(r, 0) for r in range(sidebar.results.rowCount())]
    shown = [i.data(SearchResultsModel.MessageIdRole) for i in rows]
    assert shown == [ids[0], ids[3], ids[1], ids[2]]
    tagged = [bool(i.data(SearchResultsModel.MeaningRole)) for i in rows]
    assert tagged == [False, False, True, True]
    assert rows[2].data(SearchResultsModel.SnippetRole) == "savanna animals"
    assert embedding_requests(loopback)[-1].json["input"] == [query]

    # Off: the same search by words only.
    sidebar.meaning_check.click()
    h.qtbot.waitUntil(lambda: sidebar.results.rowCount() == 2, timeout=5000)
    words = {sidebar.results.index(r, 0).data(SearchResultsModel.MessageIdRole) for r in range(2)}
    assert words == {ids[0], ids[3]}
    assert not any(sidebar.results.index(r, 0).data(SearchResultsModel.MeaningRole) for r in range(2))

    # On again; a hit found by meaning opens its conversation.
    sidebar.meaning_check.click()
    h.qtbot.waitUntil(lambda: sidebar.results.rowCount() == 4, timeout=5000)
    index = sidebar.results.index(2, 0)
    sidebar.results_view.clicked.emit(index)
    h.qtbot.waitUntil(lambda: any(item.id == ids[1] for item in h.page.model.items), timeout=5000)


def test_a_query_that_cannot_be_embedded_shows_word_matches_and_why(
    make_page: Any, chat_context: AppContext, loopback: Any
) -> None:
    ids = add_messages(chat_context, ["the word lantern", "something else"])
    chat_context.preferences.chat_search_by_meaning = True
    h = make_page()
    wait_done(h)
    loopback.inject("/embeddings", Fault(status=401), times=1)
    sidebar = h.page.sidebar
    sidebar.search_edit.setText("lantern")
    h.qtbot.waitUntil(lambda: sidebar.meaning_label.text().startswith("Showing word matches only: "), timeout=5000)
    assert "token" in sidebar.meaning_label.text()
    found = [sidebar.results.index(r, 0).data(SearchResultsModel.MessageIdRole) for r in range(sidebar.results.rowCount())]
    assert ids[0] in found and ids[1] not in found  # the word matches, without "something else"
    assert not any(sidebar.results.index(r, 0).data(SearchResultsModel.MeaningRole) for r in range(len(found)))
    assert sidebar.meaning_bar.isVisible()


def test_history_changes_are_indexed_later(make_page: Any, chat_context: AppContext, loopback: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("app.ui.chat.semantic_search.HISTORY_DELAY_MS", 50)
    chat_context.preferences.chat_search_by_meaning = True
    h = make_page()
    h.page.semantic._history_timer.setInterval(50)
    h.send("a brand new question")
    h.wait_done()
    h.qtbot.waitUntil(lambda: len(stored_vectors(h)) == 2, timeout=10000)
    assert chat_context.session.profile.model_for(Capability.EMBEDDING) == MODEL


def test_the_vectors_are_read_when_the_search_box_gets_the_focus_and_freed_when_turned_off(
    make_page: Any, chat_context: AppContext, loopback: Any
) -> None:
    add_messages(chat_context, [f"message {i}" for i in range(20)])
    chat_context.preferences.chat_search_by_meaning = True
    h = make_page()
    wait_done(h)

    def loaded() -> bool:
        return h.call(h.store.run(lambda s: store_vectors.matrix_loaded(s, MODEL)))

    assert not loaded()  # not before the user is about to search
    h.page.sidebar.search_edit.setFocus()
    h.qtbot.waitUntil(loaded, timeout=5000)
    h.page.sidebar.meaning_check.click()  # off
    h.qtbot.waitUntil(lambda: not loaded(), timeout=5000)
    assert len(stored_vectors(h)) == 20  # the vectors stay in the database


def test_a_profile_with_another_embedding_model_asks_before_indexing(
    qtbot: Any, make_context: Any, make_page: Any, loopback: Any, vault: Any
) -> None:
    from app.profiles import Profile

    first = Profile(id="default", name="Loopback", base_url=loopback.base_url, timeout=10, connect_timeout=5)
    second = Profile(id="second", name="Large", base_url=loopback.base_url, timeout=10, connect_timeout=5)
    second.models = {**second.models, "embedding": "text-embedding-3-large"}
    vault.set("default", loopback.token)
    vault.set("second", loopback.token)
    base = make_context(profiles=[first, second])
    store = open_store(qtbot, base)
    context = dataclasses.replace(base, store=store)
    try:
        base.session.start()
        qtbot.waitUntil(lambda: base.session.client is not None, timeout=5000)
        add_messages(context, ["one thing", "another thing"])
        context.preferences.chat_search_by_meaning = True
        h = make_page(context)
        wait_done(h)
        loopback.clear()

        context.session.switch_profile("second")
        sidebar = h.page.sidebar
        qtbot.waitUntil(lambda: sidebar.meaning_label.text().startswith("Not indexed with “text-embedding-3-large”"), timeout=5000)
        assert "2 messages" in sidebar.meaning_label.text() and sidebar.meaning_button.text() == "Start…"
        qtbot.wait(200)
        assert embedding_requests(loopback) == []  # nothing sent without the user's go-ahead

        sidebar.meaning_button.click()
        qtbot.waitUntil(lambda: h.page.semantic.confirmation is not None, timeout=2000)
        assert "“Large”" in h.page.semantic.confirmation.informativeText()
        h.page.semantic.confirmation.findChild(object, "meaning_turn_on").click()
        wait_done(h)
        assert {r.json["model"] for r in embedding_requests(loopback)} == {"text-embedding-3-large"}
        count = h.call(store.run(lambda s: store_vectors.vector_count(s, "text-embedding-3-large")))
        assert count == 2

        context.session.switch_profile("default")  # back: indexed already, so no question
        qtbot.waitUntil(lambda: h.page.semantic.backfill is not None and h.page.semantic.backfill.model == MODEL, timeout=5000)
        wait_done(h)
        assert h.page.semantic.confirmation is None
    finally:
        run(qtbot, context.tasks.cancel_all())
        h.page.hide()
        resolve(qtbot, store.close())


def test_without_a_token_the_line_says_so_and_nothing_breaks(
    qtbot: Any, make_context: Any, make_page: Any, loopback: Any
) -> None:
    from app.profiles import Profile

    base = make_context(profiles=[Profile(id="tokenless", name="No token", base_url=loopback.base_url)])
    store = open_store(qtbot, base)
    context = dataclasses.replace(base, store=store)
    try:
        base.session.start()
        qtbot.waitUntil(lambda: base.session.connection.status.value == "no_token", timeout=5000)
        add_messages(context, ["kept text"])
        context.preferences.chat_search_by_meaning = True
        h = make_page(context)
        sidebar = h.page.sidebar
        assert sidebar.meaning_label.text() == "No token — open Settings to add one."
        sidebar.search_edit.setText("kept")
        qtbot.waitUntil(lambda: sidebar.results.rowCount() > 0, timeout=5000)  # words still find it
        assert embedding_requests(loopback) == []
    finally:
        run(qtbot, context.tasks.cancel_all())
        resolve(qtbot, store.close())


def test_the_vectors_copy_in_memory_is_let_go_after_a_while_without_searching(
    make_page: Any, chat_context: AppContext, loopback: Any
) -> None:
    add_messages(chat_context, [f"message {i}" for i in range(20)])
    chat_context.preferences.chat_search_by_meaning = True
    h = make_page()
    wait_done(h)

    def loaded() -> bool:
        return h.call(h.store.run(lambda s: store_vectors.matrix_loaded(s, MODEL)))

    h.page.semantic._idle_timer.setInterval(300)
    h.page.sidebar.search_edit.setFocus()
    h.qtbot.waitUntil(loaded, timeout=5000)
    h.qtbot.waitUntil(lambda: not loaded(), timeout=5000)  # idle: the copy goes, the switch stays on
    assert h.page.sidebar.meaning_check.isChecked()
    assert len(stored_vectors(h)) == 20
    h.page.sidebar.search_edit.clearFocus()
    h.page.sidebar.search_edit.setFocus()  # about to search again: read again
    h.qtbot.waitUntil(loaded, timeout=5000)
