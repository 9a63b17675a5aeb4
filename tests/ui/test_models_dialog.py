"""File ▸ Models…: the list of GET /models, the filter, details from GET /models/{id}, the defaults."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtWidgets import QMenu

from app.api.types import Model
from app.profiles import Capability, Profile, ProfileStore
from app.ui.context import AppContext
from app.ui.models_dialog import (
    ID_ROLE,
    ModelsDialog,
    ModelsFilterProxy,
    ModelsTableModel,
)
from app.ui.session import ConnectionStatus
from tests.loopback.server import Fault

Factory = Callable[..., AppContext]


def _connected(qtbot: Any, make_context: Any, vault: Any, loopback: Any, profile: Profile) -> AppContext:
    vault.set(profile.id, loopback.token)
    context = make_context(profiles=[profile])
    context.session.start()
    qtbot.waitUntil(lambda: context.session.connection.status == ConnectionStatus.CONNECTED, timeout=5000)
    return context


def _dialog(qtbot: Any, context: AppContext) -> ModelsDialog:
    dialog = ModelsDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _loaded(qtbot: Any, dialog: ModelsDialog) -> None:
    qtbot.waitUntil(lambda: dialog._loading.task is not None and dialog._loading.task.done(), timeout=5000)


def _shown_ids(dialog: ModelsDialog) -> list[str]:
    proxy = dialog.proxy
    return [proxy.index(row, 0).data(ID_ROLE) for row in range(proxy.rowCount())]


@pytest.fixture
def context(qtbot: Any, make_context: Any, vault: Any, loopback: Any, loopback_profile: Profile) -> AppContext:
    return _connected(qtbot, make_context, vault, loopback, loopback_profile)


def test_table_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    model = ModelsTableModel()
    model.set_models([
        Model(id="gpt-4o", created=1700000000, owned_by="openai"),
        Model(id="whisper-1", created=None, owned_by=None),
        Model(id="local", created=1600000000, owned_by="me"),
    ])
    qtmodeltester.check(model, force_py=True)
    proxy = ModelsFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_text("O")
    qtmodeltester.check(proxy, force_py=True)


def test_created_is_a_local_date_and_sorts_by_time() -> None:
    model = ModelsTableModel()
    model.set_models([Model(id="b", created=1700000000, owned_by="x"), Model(id="a", created=1600000000)])
    expected = QLocale().toString(QDateTime.fromSecsSinceEpoch(1700000000).toLocalTime().date(),
                                  QLocale.FormatType.ShortFormat)
    assert model.index(0, ModelsTableModel.CREATED).data() == expected
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Created"
    proxy = ModelsFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(ModelsTableModel.CREATED, Qt.SortOrder.AscendingOrder)
    assert [proxy.index(r, 0).data() for r in range(2)] == ["a", "b"]
    proxy.sort(ModelsTableModel.ID, Qt.SortOrder.DescendingOrder)
    assert [proxy.index(r, 0).data() for r in range(2)] == ["b", "a"]


def test_lists_the_servers_models_sorted(qtbot: Any, context: AppContext, loopback: Any) -> None:
    loopback.clear()
    dialog = _dialog(qtbot, context)
    assert not dialog.isModal()
    _loaded(qtbot, dialog)
    assert _shown_ids(dialog) == sorted(loopback.models, key=str.casefold)
    assert loopback.requests_to("/models")
    row = _shown_ids(dialog).index("gpt-4o")
    assert dialog.proxy.index(row, ModelsTableModel.OWNER).data()  # the server says who owns it
    assert dialog.status_text == f"Models on this server: {len(loopback.models)}"
    assert not dialog.is_loading()
    # Clicking the header sorts; the creation column sorts by time (all equal here) without errors.
    dialog.table.sortByColumn(ModelsTableModel.ID, Qt.SortOrder.DescendingOrder)
    assert _shown_ids(dialog) == sorted(loopback.models, key=str.casefold, reverse=True)


def test_busy_while_loading(qtbot: Any, context: AppContext, loopback: Any) -> None:
    loopback.inject("/models", Fault(delay_first_byte=0.5))
    dialog = _dialog(qtbot, context)
    qtbot.waitUntil(lambda: dialog.status_text == "Loading the models…", timeout=2000)
    assert dialog.is_loading()
    assert dialog._progress.isVisible()
    assert not dialog._refresh.isEnabled()
    _loaded(qtbot, dialog)
    assert not dialog._progress.isVisible() and dialog._refresh.isEnabled()
    assert dialog.proxy.rowCount() == len(loopback.models)


def test_filter_is_contains_and_ignores_case(qtbot: Any, context: AppContext, loopback: Any) -> None:
    dialog = _dialog(qtbot, context)
    _loaded(qtbot, dialog)
    dialog.filter_edit.setText("GPT-4O")
    assert _shown_ids(dialog) == sorted((m for m in loopback.models if "gpt-4o" in m), key=str.casefold)
    assert "gpt-4o-mini" in _shown_ids(dialog) and "whisper-1" not in _shown_ids(dialog)
    dialog.filter_edit.setText("isper")
    assert _shown_ids(dialog) == ["whisper-1"]
    dialog.filter_edit.setText("no such model")
    assert _shown_ids(dialog) == []
    dialog.filter_edit.clear()
    assert len(_shown_ids(dialog)) == len(loopback.models)


def test_details_come_from_retrieve(qtbot: Any, context: AppContext, loopback: Any) -> None:
    dialog = _dialog(qtbot, context)
    _loaded(qtbot, dialog)
    loopback.clear()
    assert dialog.select_model("whisper-1")
    qtbot.waitUntil(lambda: dialog.details_text.toPlainText().startswith("{"), timeout=5000)
    assert loopback.last("/models/whisper-1").method == "GET"
    shown = json.loads(dialog.details_text.toPlainText())
    assert shown["id"] == "whisper-1" and shown["object"] == "model" and shown["created"] == 1700000000
    assert "owned_by" in shown
    assert "\n  \"id\"" in dialog.details_text.toPlainText()  # pretty-printed


def test_details_error_is_shown_in_the_pane(qtbot: Any, context: AppContext, loopback: Any) -> None:
    dialog = _dialog(qtbot, context)
    _loaded(qtbot, dialog)
    loopback.inject("/models/tts-1", Fault(quirk=10))
    dialog.select_model("tts-1")
    qtbot.waitUntil(lambda: "was not found" in dialog.details_text.toPlainText(), timeout=5000)
    assert dialog.details_text.toPlainText() == (
        "The model “tts-1” was not found on this server — choose another one."
    )


@pytest.mark.parametrize(
    ("capability", "button", "model_id", "words"),
    [
        (Capability.CHAT, "Use for chat", "gpt-4o", "chat"),
        (Capability.IMAGE, "Use for images", "dall-e-3", "image"),
        (Capability.SPEECH, "Use for speech", "gpt-4o-mini-tts", "speech"),
        (Capability.TRANSCRIPTION, "Use for transcription", "gpt-4o-transcribe", "transcription"),
        (Capability.EMBEDDING, "Use for embeddings", "text-embedding-3-large", "embedding"),
    ],
)
def test_use_for_sets_and_saves_the_default(
    qtbot: Any, context: AppContext, loopback: Any, capability: Capability, button: str, model_id: str, words: str
) -> None:
    if model_id not in loopback.models:
        loopback.models.append(model_id)
    dialog = _dialog(qtbot, context)
    _loaded(qtbot, dialog)
    buttons = dialog.use_buttons
    assert buttons[capability].text() == button
    assert not any(b.isEnabled() for b in buttons.values())  # nothing selected yet
    assert context.session.profile.model_for(capability) != model_id
    others = {c: context.session.profile.model_for(c) for c in Capability if c != capability}
    assert dialog.select_model(model_id)
    qtbot.waitUntil(lambda: buttons[capability].isEnabled(), timeout=2000)
    with qtbot.waitSignal(context.session.profiles_changed, timeout=5000):
        qtbot.mouseClick(buttons[capability], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.confirmation_text != "", timeout=5000)
    assert dialog.confirmation_text == f"“{model_id}” is now the {words} model of the profile “Loopback”."
    assert context.session.profile.model_for(capability) == model_id
    assert all(b.isEnabled() for b in buttons.values())  # ready for the next choice
    assert model_id in buttons[capability].toolTip()
    stored = ProfileStore(context.locations.config)  # read back from disk
    assert stored.active.model_for(capability) == model_id
    assert {c: stored.active.model_for(c) for c in others} == others
    assert stored.active.base_url == loopback.base_url


def test_environment_override_is_not_saved(
    qtbot: Any, make_context: Any, vault: Any, loopback: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved_url = "http://127.0.0.1:9/v1"  # the profile's own address; the environment points at loopback
    monkeypatch.setenv("OPENAI_BASE_URL", loopback.base_url)
    profile = Profile(id="default", name="Mine", base_url=saved_url, timeout=10, connect_timeout=5)
    context = _connected(qtbot, make_context, vault, loopback, profile)
    dialog = _dialog(qtbot, context)
    _loaded(qtbot, dialog)
    dialog.select_model("gpt-4o")
    qtbot.waitUntil(lambda: dialog.use_buttons[Capability.CHAT].isEnabled(), timeout=2000)
    dialog.use_buttons[Capability.CHAT].click()
    qtbot.waitUntil(lambda: dialog.confirmation_text != "", timeout=5000)
    stored = ProfileStore(context.locations.config)
    assert stored.active.model_for(Capability.CHAT) == "gpt-4o"
    assert stored.active.base_url == saved_url


def test_server_without_models_says_so(qtbot: Any, context: AppContext, loopback: Any) -> None:
    loopback.inject("/models", Fault(quirk=10))
    dialog = _dialog(qtbot, context)
    _loaded(qtbot, dialog)
    assert dialog.status_text == "This server does not list its models."
    assert dialog.proxy.rowCount() == 0
    assert not dialog.filter_edit.isEnabled()
    assert not any(b.isEnabled() for b in dialog.use_buttons.values())


def test_rejected_token_is_explained(qtbot: Any, context: AppContext, loopback: Any) -> None:
    loopback.inject("/models", Fault(status=401))
    dialog = _dialog(qtbot, context)
    _loaded(qtbot, dialog)
    assert dialog.status_text == "Could not load the models: The server rejected the token — check it in Settings."
    assert dialog.proxy.rowCount() == 0
    # Reload works once the server answers again.
    dialog._refresh.click()
    _loaded(qtbot, dialog)
    assert dialog.proxy.rowCount() == len(loopback.models)


def test_no_token_is_explained(qtbot: Any, make_context: Any, loopback_profile: Profile) -> None:
    context = make_context(profiles=[loopback_profile])
    dialog = _dialog(qtbot, context)
    _loaded(qtbot, dialog)
    assert dialog.status_text.startswith("Could not load the models: No token")


def test_closing_cancels_the_loading(qtbot: Any, context: AppContext, loopback: Any) -> None:
    loopback.clear()
    loopback.inject("/models", Fault(delay_first_byte=5))
    dialog = _dialog(qtbot, context)
    qtbot.waitUntil(lambda: bool(loopback.requests_to("/models")), timeout=2000)  # the request is out
    assert dialog.is_loading()
    task = dialog._loading.task
    dialog.close()
    qtbot.waitUntil(lambda: task is not None and task.done(), timeout=2000)
    assert task is not None and task.cancelled()
    assert loopback.wait_disconnect(timeout=5, path_suffix="/models")


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen cannot raise windows
def test_menu_action_opens_it(qtbot: Any, make_window: Any, context: AppContext, loopback: Any) -> None:
    window = make_window(context)
    window.show()
    qtbot.waitExposed(window)
    file_menu = next(
        a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "File"
    )
    assert isinstance(file_menu, QMenu)
    assert window.models_action in file_menu.actions()
    window.models_action.trigger()
    dialog = window.models_dialog
    assert isinstance(dialog, ModelsDialog)
    assert dialog.isVisible() and not dialog.isModal()
    _loaded(qtbot, dialog)
    assert dialog.proxy.rowCount() == len(loopback.models)
    window.models_action.trigger()
    assert window.models_dialog is dialog  # raised, not a second one
    dialog.close()
    assert window.models_dialog is None
    qtbot.waitUntil(lambda: not any(t.get_name() == "models.dispose" for t in context.tasks.pending()), timeout=2000)
