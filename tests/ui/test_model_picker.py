"""The model picker: the server's list (chat models first), filter as you type, free text, 404."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from app.api.client import Client
from app.ui.widgets.model_picker import (
    ModelCatalog,
    ModelPicker,
    is_chat_model,
    sort_model_ids,
)
from tests.loopback.server import DEFAULT_MODELS, Fault
from tests.ui.conftest import run

CHAT_FIRST = [
    "deepseek-reasoner", "gpt-4o", "gpt-4o-image", "gpt-4o-mini",
    "dall-e-2", "dall-e-3", "gpt-4o-mini-tts", "gpt-4o-transcribe", "gpt-image-1",
    "text-embedding-3-small", "tts-1", "whisper-1",
]


@pytest.fixture
def client(qtbot: Any, qloop: Any, loopback: Any) -> Iterator[Client]:
    c = Client(loopback.base_url, loopback.token, max_retries=0)
    yield c
    run(qtbot, c.aclose())


def _picker(qtbot: Any, catalog: ModelCatalog | None = None) -> ModelPicker:
    picker = ModelPicker(catalog=catalog)
    qtbot.addWidget(picker)
    picker.resize(320, 60)
    picker.show()
    qtbot.waitExposed(picker)
    return picker


@pytest.mark.parametrize(
    ("model_id", "chat"),
    [
        ("gpt-4o", True), ("gpt-4o-mini", True), ("gpt-4o-image", True), ("deepseek-reasoner", True),
        ("claude-3-5-sonnet-20241022", True), ("gemini-2.0-flash", True), ("qwen-max", True),
        ("gpt-4o-audio-preview", True), ("gpt-4o-search-preview", True), ("o3-mini", True),
        ("text-embedding-3-small", False), ("bge-m3-embedding", False), ("dall-e-3", False),
        ("gpt-image-1", False), ("tts-1-hd", False), ("gpt-4o-mini-tts", False), ("whisper-1", False),
        ("gpt-4o-transcribe", False), ("omni-moderation-latest", False), ("davinci-002", False),
        ("gpt-3.5-turbo-instruct", False), ("gpt-4o-realtime-preview", False), ("flux-pro", False),
        ("stable-diffusion-xl", False), ("bge-reranker-v2", False),
    ],
)
def test_chat_model_heuristic(model_id: str, chat: bool) -> None:
    assert is_chat_model(model_id) is chat


def test_sorting_puts_chat_models_first() -> None:
    assert sort_model_ids(reversed(DEFAULT_MODELS)) == CHAT_FIRST
    assert sort_model_ids(["B", "a", " a ", "", "c"]) == ["a", "B", "c"]


def test_load_fills_the_list_from_the_server(qtbot: Any, client: Client, loopback: Any) -> None:
    picker = _picker(qtbot)
    assert run(qtbot, picker.load(client)) is True
    assert picker.models() == CHAT_FIRST
    combo = picker.combo
    # A separator between the chat models and the others; nothing selected, nothing typed.
    assert [combo.itemText(i) for i in range(combo.count())] == CHAT_FIRST[:4] + [""] + CHAT_FIRST[4:]
    assert picker.model() == "" and picker.hint() == ""
    assert loopback.last("/models").token == loopback.token


def test_the_list_is_cached_per_server_for_the_session(qtbot: Any, client: Client, loopback: Any) -> None:
    catalog = ModelCatalog()
    first, second = _picker(qtbot, catalog), _picker(qtbot, catalog)
    run(qtbot, first.load(client, key="default|a"))
    run(qtbot, second.load(client, key="default|a"))
    assert second.models() == CHAT_FIRST
    assert len(loopback.requests_to("/models")) == 1
    loopback.models = ["new-model"]
    run(qtbot, second.load(client, key="default|a", refresh=True))
    assert second.models() == ["new-model"] and len(loopback.requests_to("/models")) == 2
    run(qtbot, first.load(client, key="other|b"))  # another profile: asked, not reused
    assert len(loopback.requests_to("/models")) == 3
    assert catalog.get("default|a") == ["new-model"]


@pytest.mark.parametrize("variant", [None, "html"])
def test_a_server_without_models_keeps_free_text(qtbot: Any, client: Client, loopback: Any, variant: str | None) -> None:
    loopback.inject("/models", Fault(quirk=10, variant=variant))
    picker = _picker(qtbot)
    picker.set_model("llama3.1:8b")
    with qtbot.waitSignal(picker.loaded) as blocker:
        result = run(qtbot, picker.load(client))
    assert result is False
    assert blocker.args == ["This server does not list its models — type a model name."]
    assert picker.hint() == "This server does not list its models — type a model name."
    assert picker.model() == "llama3.1:8b" and picker.models() == []
    assert picker.findChild(type(picker._hint), "model_hint").isVisible()
    # The next load asks again (a failure is not cached) and clears the hint when it works.
    assert run(qtbot, picker.load(client)) is True
    assert picker.hint() == "" and picker.model() == "llama3.1:8b"


def test_other_failures_say_why(qtbot: Any, qloop: Any, loopback: Any) -> None:
    bad = Client(loopback.base_url, "sk-wrong-token-000", max_retries=0)
    try:
        picker = _picker(qtbot)
        assert run(qtbot, picker.load(bad)) is False
        assert picker.hint() == "Could not load the models: The server rejected the token — check it in Settings."
    finally:
        run(qtbot, bad.aclose())


# The offscreen platform cannot raise the completer's popup or grab the keyboard for it; it still works.
@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support grabbing the keyboard")
def test_filter_as_you_type_then_pick(qtbot: Any, client: Client) -> None:
    picker = _picker(qtbot)
    run(qtbot, picker.load(client))
    emitted: list[str] = []
    picker.model_changed.connect(emitted.append)
    line_edit = picker.combo.lineEdit()
    line_edit.setFocus()
    qtbot.keyClicks(line_edit, "MINI")  # anywhere in the id, any case
    completer = picker.combo.completer()
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible)
    shown = [completer.completionModel().index(r, 0).data() for r in range(completer.completionCount())]
    assert shown == ["gpt-4o-mini", "gpt-4o-mini-tts"]
    assert emitted[-1] == "MINI"  # free text is a model too, until something is picked
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not popup.isVisible())
    assert picker.model() == "gpt-4o-mini"
    assert emitted[-1] == "gpt-4o-mini"
    line_edit.clear()
    qtbot.keyClicks(line_edit, "4o-i")
    shown = [completer.completionModel().index(r, 0).data() for r in range(completer.completionCount())]
    assert shown == ["gpt-4o-image"]


def test_free_text_and_silent_set_model(qtbot: Any, client: Client) -> None:
    picker = _picker(qtbot)
    emitted: list[str] = []
    picker.model_changed.connect(emitted.append)
    picker.set_model("gpt-4o")
    assert picker.model() == "gpt-4o" and emitted == []
    run(qtbot, picker.load(client))
    assert picker.model() == "gpt-4o"  # kept across the refill, and now the list's item
    assert picker.combo.currentIndex() == picker.combo.findText("gpt-4o")
    assert emitted == []
    picker.combo.lineEdit().setFocus()
    picker.combo.lineEdit().selectAll()
    qtbot.keyClicks(picker.combo.lineEdit(), "  my-fine-tune ")
    assert picker.model() == "my-fine-tune" and emitted[-1] == "my-fine-tune"
    picker.set_model("")
    assert picker.model() == ""
    picker.set_default_model("gpt-4o-mini")
    assert picker.combo.lineEdit().placeholderText() == "Default (gpt-4o-mini)"


def test_choosing_from_the_drop_down(qtbot: Any, client: Client) -> None:
    picker = _picker(qtbot)
    run(qtbot, picker.load(client))
    with qtbot.waitSignal(picker.model_changed) as blocker:
        picker.combo.setCurrentIndex(picker.combo.findText("deepseek-reasoner"))
    assert blocker.args == ["deepseek-reasoner"]


def test_refresh_button_asks_the_owner(qtbot: Any, qloop: Any) -> None:
    picker = _picker(qtbot)
    with qtbot.waitSignal(picker.refresh_requested):
        qtbot.mouseClick(picker.refresh_button, Qt.MouseButton.LeftButton)
