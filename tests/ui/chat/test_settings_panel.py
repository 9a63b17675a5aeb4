"""The conversation settings panel: shows a conversation's settings, reports the user's changes, presets."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea

from app.profiles import Profile
from app.store import Conversation, ConversationKind
from app.ui.chat.presets import PresetStore
from app.ui.chat.settings_panel import (
    DEBOUNCE_MS,
    ConversationSettingsPanel,
    PresetNameDialog,
)
from app.ui.session import ConnectionStatus
from tests.loopback.server import Fault

ALL_DEFAULT = {"system_prompt": "", "temperature": None, "top_p": None, "max_tokens": None,
               "presence_penalty": None, "frequency_penalty": None}


def conversation(id: int = 1, *, model: str = "", **settings: Any) -> Conversation:
    return Conversation(
        id=id, uid=f"uid-{id}", title="", title_is_custom=False, pinned=False, kind=ConversationKind.CHAT,
        model=model, profile_id="", settings=settings, draft_text="", draft_attachments=[],
        created_at=0.0, updated_at=0.0, deleted_at=None,
    )


class Reports:
    """Every report of the panel, with the conversation id it came with."""

    def __init__(self, panel: ConversationSettingsPanel) -> None:
        self.plain: list[tuple[str, dict[str, Any]]] = []
        self.with_id: list[tuple[int, str, dict[str, Any]]] = []
        self.id_during: list[int | None] = []
        panel.settings_changed.connect(lambda m, s: (self.plain.append((m, s)), self.id_during.append(panel.conversation_id())))
        panel.conversation_settings_changed.connect(lambda i, m, s: self.with_id.append((i, m, s)))


def make_panel(qtbot: Any, context: Any) -> tuple[ConversationSettingsPanel, Reports]:
    panel = ConversationSettingsPanel(context)
    qtbot.addWidget(panel)
    panel.resize(340, 720)
    panel.show()
    qtbot.waitExposed(panel)
    return panel, Reports(panel)


def wait_report(qtbot: Any, panel: ConversationSettingsPanel, reports: Reports, count: int = 1) -> None:
    qtbot.waitUntil(lambda: len(reports.plain) >= count, timeout=3000)
    qtbot.wait(DEBOUNCE_MS + 100)  # and nothing more follows
    assert len(reports.plain) == count
    assert not panel.has_pending_change()


def test_shows_the_conversation_and_reports_nothing_by_itself(qtbot: Any, context: Any) -> None:
    panel, reports = make_panel(qtbot, context)
    assert not panel.findChild(type(panel._content), "settings_content").isEnabled()  # no conversation yet
    panel.set_conversation(conversation(model="gpt-4o", system_prompt="你好，请用中文回答。", temperature=0.7,
                                        max_tokens=800, tools=["web"]))
    assert panel.model() == "gpt-4o"
    assert panel.prompt_edit.toPlainText() == "你好，请用中文回答。"
    assert panel.parameters["temperature"].check.isChecked()
    assert panel.parameters["temperature"].spin.value() == pytest.approx(0.7)
    assert panel.parameters["temperature"].slider.value() == 70  # type: ignore[union-attr]
    assert panel.parameters["max_tokens"].spin.value() == 800
    top_p = panel.parameters["top_p"]
    assert not top_p.check.isChecked() and not top_p.spin.isEnabled() and top_p.spin.text() == "Default"
    assert panel.settings() == {"system_prompt": "你好，请用中文回答。", "temperature": 0.7, "top_p": None,
                                "max_tokens": 800, "presence_penalty": None, "frequency_penalty": None,
                                "tools": ["web"]}
    qtbot.wait(DEBOUNCE_MS + 100)
    assert reports.plain == []
    assert panel.model_picker.combo.lineEdit().placeholderText() == "Default (gpt-4o-mini)"


def test_the_api_ranges(qtbot: Any, context: Any) -> None:
    panel, _ = make_panel(qtbot, context)
    ranges = {key: (c.spin.minimum(), c.spin.maximum()) for key, c in panel.parameters.items()}
    assert ranges == {"temperature": (0.0, 2.0), "top_p": (0.0, 1.0), "max_tokens": (1, 1_000_000),
                      "presence_penalty": (-2.0, 2.0), "frequency_penalty": (-2.0, 2.0)}


def test_user_changes_are_reported_once_with_the_right_dict(qtbot: Any, context: Any) -> None:
    panel, reports = make_panel(qtbot, context)
    panel.set_conversation(conversation(7, model="gpt-4o", tools=["web"]))
    panel.prompt_edit.setFocus()
    qtbot.keyClicks(panel.prompt_edit, "Be brief.")
    temperature = panel.parameters["temperature"]
    temperature.check.click()  # on: starts at the API's default
    assert temperature.spin.isEnabled() and temperature.spin.value() == 1.0
    temperature.spin.setValue(0.25)
    panel.parameters["max_tokens"].check.click()
    panel.parameters["max_tokens"].spin.setValue(1000)
    wait_report(qtbot, panel, reports)
    expected = {"system_prompt": "Be brief.", "temperature": 0.25, "top_p": None, "max_tokens": 1000,
                "presence_penalty": None, "frequency_penalty": None, "tools": ["web"]}
    assert reports.plain == [("gpt-4o", expected)]
    assert reports.with_id == [(7, "gpt-4o", expected)]
    assert isinstance(reports.plain[0][1]["max_tokens"], int)

    # The slider moves the value too; turning a parameter off sends None (the server's default).
    temperature.slider.setValue(150)  # type: ignore[union-attr]
    assert temperature.spin.value() == pytest.approx(1.5)
    panel.parameters["max_tokens"].check.click()
    wait_report(qtbot, panel, reports, 2)
    assert reports.plain[-1][1]["temperature"] == 1.5 and reports.plain[-1][1]["max_tokens"] is None
    # Turned on again, it comes back with the value it had.
    panel.parameters["max_tokens"].check.click()
    wait_report(qtbot, panel, reports, 3)
    assert reports.plain[-1][1]["max_tokens"] == 1000


def test_the_model_is_reported_too(qtbot: Any, context: Any) -> None:
    panel, reports = make_panel(qtbot, context)
    panel.set_conversation(conversation(3))
    line_edit = panel.model_picker.combo.lineEdit()
    line_edit.setFocus()
    qtbot.keyClicks(line_edit, "claude-3-5-sonnet")
    wait_report(qtbot, panel, reports)
    assert reports.plain == [("claude-3-5-sonnet", ALL_DEFAULT)]
    line_edit.clear()  # empty: back to the profile's default
    wait_report(qtbot, panel, reports, 2)
    assert reports.plain[-1][0] == ""


def test_switching_conversations_reports_the_pending_change_for_the_old_one(qtbot: Any, context: Any) -> None:
    panel, reports = make_panel(qtbot, context)
    panel.set_conversation(conversation(1, system_prompt="one"))
    panel.prompt_edit.setFocus()
    panel.prompt_edit.moveCursor(panel.prompt_edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(panel.prompt_edit, " more")
    assert panel.has_pending_change() and reports.plain == []
    panel.set_conversation(conversation(2, model="gpt-4o", system_prompt="two", top_p=0.5))
    # Reported at once, as conversation 1's: the id was still 1 while the signal ran.
    assert reports.with_id == [(1, "", {**ALL_DEFAULT, "system_prompt": "one more"})]
    assert reports.id_during == [1]
    assert panel.prompt_edit.toPlainText() == "two" and panel.parameters["top_p"].value() == 0.5
    qtbot.wait(DEBOUNCE_MS + 100)
    assert len(reports.plain) == 1  # and nothing for conversation 2, which nobody touched


def test_the_same_conversation_again_keeps_what_the_user_types(qtbot: Any, context: Any) -> None:
    panel, reports = make_panel(qtbot, context)
    panel.set_conversation(conversation(5, system_prompt="Hello"))
    panel.prompt_edit.setFocus()
    panel.prompt_edit.moveCursor(panel.prompt_edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(panel.prompt_edit, " world")
    # The page reloads conversation 5 from the store (an older copy) while the user types.
    panel.set_conversation(conversation(5, system_prompt="Hello"))
    assert panel.prompt_edit.toPlainText() == "Hello world"
    assert reports.with_id[-1] == (5, "", {**ALL_DEFAULT, "system_prompt": "Hello world"})
    # Once saved, the saved copy comes back: nothing changes, the cursor stays where it was.
    position = panel.prompt_edit.textCursor().position()
    panel.set_conversation(conversation(5, system_prompt="Hello world"))
    assert panel.prompt_edit.textCursor().position() == position
    qtbot.keyClicks(panel.prompt_edit, "!")
    assert panel.prompt_edit.toPlainText() == "Hello world!"


def test_no_conversation_disables_everything(qtbot: Any, context: Any) -> None:
    panel, reports = make_panel(qtbot, context)
    panel.set_conversation(conversation(1, system_prompt="x", temperature=1.2))
    panel.set_conversation(None)
    assert panel.conversation_id() is None
    assert not panel.prompt_edit.isEnabled() and not panel.parameters["temperature"].check.isEnabled()
    assert panel.settings() == ALL_DEFAULT and panel.model() == ""
    panel.flush()
    assert reports.plain == []


def test_reset_to_defaults(qtbot: Any, context: Any) -> None:
    panel, reports = make_panel(qtbot, context)
    panel.set_conversation(conversation(1, model="gpt-4o", system_prompt="x", temperature=1.2, top_p=0.3,
                                        max_tokens=5, presence_penalty=1, frequency_penalty=-1, tools=["web"]))
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    wait_report(qtbot, panel, reports)
    assert reports.plain == [("", {**ALL_DEFAULT, "tools": ["web"]})]
    assert all(not c.check.isChecked() for c in panel.parameters.values())


def test_applying_a_preset(qtbot: Any, context: Any) -> None:
    panel, reports = make_panel(qtbot, context)
    panel.set_conversation(conversation(1, model="gpt-4o", system_prompt="mine"))
    combo = panel.preset_combo
    assert combo.currentIndex() == -1 and combo.currentText() == "" and combo.placeholderText() == "Custom"
    index = combo.findText("Translator (中⇄英)")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    wait_report(qtbot, panel, reports)
    model, settings = reports.plain[0]
    assert model == "gpt-4o"  # a preset never changes the model
    assert settings["temperature"] == 0.3 and "Chinese" in settings["system_prompt"]
    assert panel.prompt_edit.toPlainText() == settings["system_prompt"]
    assert combo.currentText() == "Translator (中⇄英)"
    # Editing makes the settings the conversation's own again.
    panel.prompt_edit.setFocus()
    qtbot.keyClicks(panel.prompt_edit, "!")
    assert combo.currentIndex() == -1
    # A conversation whose settings equal a preset shows it.
    panel.set_conversation(conversation(2, system_prompt=panel.presets.get("builtin:concise").settings["system_prompt"]))  # type: ignore[union-attr]
    assert combo.currentText() == "Concise"


# The offscreen platform cannot raise the combo box's popup or grab the keyboard for it.
@pytest.mark.qt_log_ignore("This plugin does not support raise", "This plugin does not support grabbing the keyboard")
def test_save_as_preset_persists_and_shows_in_other_panels(qtbot: Any, context: Any) -> None:
    panel, reports = make_panel(qtbot, context)
    panel.set_conversation(conversation(1, system_prompt="你是一位诗人。", temperature=1.4))
    panel.save_preset_action.trigger()
    dialog = panel.dialog
    assert isinstance(dialog, PresetNameDialog) and dialog.isVisible()
    dialog.name_edit.setText("诗人")
    dialog.ok_button.click()
    assert [p.name for p in PresetStore(context.locations.config).user_presets()] == ["诗人"]
    assert panel.preset_combo.currentText() == "诗人"  # the settings now match it
    assert reports.plain == []  # saving a preset changes nothing in the conversation

    other, other_reports = make_panel(qtbot, context)  # another panel, the same config folder
    other.set_conversation(conversation(2))
    index = other.preset_combo.findText("诗人")
    assert index >= 0
    other.preset_combo.setCurrentIndex(index)
    other.preset_combo.activated.emit(index)
    wait_report(qtbot, other, other_reports)
    assert other_reports.plain == [("", {**ALL_DEFAULT, "system_prompt": "你是一位诗人。", "temperature": 1.4})]

    # Deleting it in the manager removes it from every panel's list.
    panel.manage_presets_action.trigger()
    manager = panel.dialog
    manager.select(panel.presets.find_user_preset("诗人").id)  # type: ignore[union-attr]
    manager.delete_button.click()
    box = manager.child_dialog
    next(b for b in box.buttons() if box.buttonRole(b) == box.ButtonRole.DestructiveRole).click()
    manager.reject()
    assert panel.preset_combo.findText("诗人") == -1
    assert other.preset_combo.findText("诗人") >= 0  # the other panel has not looked at the file yet
    other.preset_combo.showPopup()  # opening the list re-reads it
    other.preset_combo.hidePopup()
    assert other.preset_combo.findText("诗人") == -1
    assert PresetStore(context.locations.config).user_presets() == []


def test_models_come_from_the_active_profile(
    qtbot: Any, make_context: Any, loopback: Any, loopback_profile: Profile, vault: Any
) -> None:
    vault.set("default", loopback.token)
    context = make_context(profiles=[loopback_profile])
    context.session.start()
    qtbot.waitUntil(lambda: context.session.connection.status == ConnectionStatus.CONNECTED, timeout=10000)
    checks = len(loopback.requests_to("/models"))
    panel, reports = make_panel(qtbot, context)  # shown: it loads the list
    qtbot.waitUntil(lambda: panel.model_picker.models() != [], timeout=10000)
    assert panel.model_picker.models()[:4] == ["deepseek-reasoner", "gpt-4o", "gpt-4o-image", "gpt-4o-mini"]
    assert len(loopback.requests_to("/models")) == checks + 1
    panel.set_conversation(conversation(1))
    panel.model_picker.combo.setCurrentIndex(panel.model_picker.combo.findText("deepseek-reasoner"))
    wait_report(qtbot, panel, reports)
    assert reports.plain[0][0] == "deepseek-reasoner"
    # Reload asks again; a server without /models leaves the typed model and says so.
    loopback.inject("/models", Fault(quirk=10))
    panel.model_picker.refresh_button.click()
    qtbot.waitUntil(lambda: panel.model_picker.hint() != "" and not panel.model_picker.is_loading(), timeout=10000)
    assert panel.model_picker.hint() == "This server does not list its models — type a model name."
    assert panel.model() == "deepseek-reasoner"


def test_without_a_token_the_picker_says_so(qtbot: Any, context: Any) -> None:
    context.session.start()
    qtbot.waitUntil(lambda: context.session.connection.status == ConnectionStatus.NO_TOKEN, timeout=10000)
    panel, _ = make_panel(qtbot, context)
    qtbot.waitUntil(lambda: panel.model_picker.hint() != "", timeout=3000)
    assert panel.model_picker.hint() == "Could not load the models: No token — open Settings to add one."
    panel.set_conversation(conversation(1, model="my-model"))
    assert panel.model() == "my-model"


def test_the_wheel_scrolls_the_panel_instead_of_changing_values(qtbot: Any, context: Any) -> None:
    panel, reports = make_panel(qtbot, context)
    panel.resize(340, 260)  # short: the panel scrolls
    panel.set_conversation(conversation(1, temperature=1.0))
    spin = panel.parameters["temperature"].spin
    bar = panel.findChild(QScrollArea).verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    panel.findChild(QScrollArea).ensureWidgetVisible(spin)  # scrolled down to it (the Tools section is below)
    qtbot.waitUntil(lambda: spin.visibleRegion().boundingRect().height() > 0)
    assert bar.value() > 0
    panel.prompt_edit.setFocus()
    before = bar.value()
    _wheel(spin, up=True)
    assert spin.value() == 1.0 and bar.value() < before  # not focused: the panel scrolled
    panel.activateWindow()
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    _wheel(spin, up=True)
    assert spin.value() > 1.0  # focused: the wheel is the spin box's
    wait_report(qtbot, panel, reports)


def _wheel(widget: Any, *, up: bool) -> None:
    center = QPointF(widget.rect().center())
    event = QWheelEvent(center, QPointF(widget.mapToGlobal(widget.rect().center())), QPoint(0, 0),
                        QPoint(0, 120 if up else -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_hiding_the_panel_reports_a_pending_change_at_once(qtbot: Any, context: Any) -> None:
    panel, reports = make_panel(qtbot, context)
    panel.set_conversation(conversation(4))
    panel.parameters["top_p"].check.click()
    assert panel.has_pending_change()
    panel.hide()
    assert reports.with_id == [(4, "", {**ALL_DEFAULT, "top_p": 1.0})]
