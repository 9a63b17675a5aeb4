"""Presets: built-ins in both languages, user presets kept across instances, the name and manage dialogs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from app.resources import i18n_dir
from app.ui.chat.presets import (
    DEFAULT_SETTINGS,
    PresetError,
    PresetStore,
    builtin_presets,
    normalize_settings,
)
from app.ui.chat.settings_panel import PresetManagerDialog, PresetNameDialog

SETTINGS = {"system_prompt": "你是一位诗人。Write poems.", "temperature": 1.3, "top_p": None, "max_tokens": 300,
            "presence_penalty": None, "frequency_penalty": -0.5}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config"


def test_normalize_settings_types_and_ranges() -> None:
    assert normalize_settings(None) == DEFAULT_SETTINGS
    assert normalize_settings({"system_prompt": 5, "temperature": "0.7", "top_p": 3, "max_tokens": 12.6,
                               "presence_penalty": -9, "frequency_penalty": float("nan"), "other": 1}) == {
        "system_prompt": "", "temperature": 0.7, "top_p": 1.0, "max_tokens": 13, "presence_penalty": -2.0,
        "frequency_penalty": None,
    }
    assert normalize_settings({"temperature": True, "max_tokens": "lots"})["temperature"] is None
    assert normalize_settings(SETTINGS) == SETTINGS


def test_builtins_exist_and_cannot_be_changed(qapp: QApplication, config: Path) -> None:
    names = [p.name for p in builtin_presets()]
    assert names == ["General assistant", "Translator (中⇄英)", "Code reviewer", "Concise", "Creative writer"]
    assert all(p.builtin and p.settings["system_prompt"] for p in builtin_presets())
    assert builtin_presets()[1].settings["temperature"] == 0.3
    store = PresetStore(config)
    assert [p.name for p in store.presets()] == names
    with pytest.raises(PresetError):
        store.delete("builtin:general")
    with pytest.raises(PresetError):
        store.rename("builtin:concise", "Short")
    assert not (config / "presets.json").exists()


def test_builtins_speak_chinese(qapp: QApplication, tmp_path: Path) -> None:
    qm = tmp_path / "parla_zh_CN.qm"
    tools = Path(sys.executable).parent
    subprocess.run([str(tools / "pyside6-lrelease"), "-silent", str(i18n_dir() / "parla_zh_CN.ts"), "-qm", str(qm)],
                   check=True)
    translator = QTranslator()
    assert translator.load(str(qm))
    qapp.installTranslator(translator)
    try:
        presets = builtin_presets()
        assert [p.name for p in presets] == ["通用助手", "翻译（中⇄英）", "代码审查", "简洁", "创意写作"]
        assert "中文" in presets[1].settings["system_prompt"] and "英文" in presets[1].settings["system_prompt"]
        assert all(p.id.startswith("builtin:") for p in presets)  # ids do not depend on the language
    finally:
        qapp.removeTranslator(translator)


def test_user_presets_persist_across_instances(qapp: QApplication, config: Path) -> None:
    first = PresetStore(config)
    poet = first.save("  Poet   laureate ", SETTINGS)
    assert poet.name == "Poet laureate" and not poet.builtin
    assert PresetStore(config).get(poet.id) == poet

    # A live second instance sees what the first one does, without being told.
    second = PresetStore(config)
    changes: list[None] = []
    second.changed.connect(lambda: changes.append(None))
    first.save("Terse", {"system_prompt": "Be terse.", "max_tokens": 50})
    first.rename(poet.id, "诗人")
    assert [p.name for p in second.user_presets()] == ["诗人", "Terse"]
    assert changes
    second.delete(poet.id)
    assert [p.name for p in first.user_presets()] == ["Terse"]
    assert [p.name for p in PresetStore(config).user_presets()] == ["Terse"]
    data = json.loads((config / "presets.json").read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["presets"][0]["settings"]["max_tokens"] == 50


def test_saving_under_an_existing_name_replaces_it(qapp: QApplication, config: Path) -> None:
    store = PresetStore(config)
    a = store.save("Poet", SETTINGS)
    b = store.save("POET", {"system_prompt": "v2"})
    assert a.id == b.id and b.name == "POET"
    assert [p.settings["system_prompt"] for p in store.user_presets()] == ["v2"]
    with pytest.raises(PresetError):
        store.save("   ", SETTINGS)
    other = store.save("Other", {})
    with pytest.raises(PresetError):
        store.rename(other.id, "poet")
    assert store.matching({"system_prompt": "v2"}) == store.get(a.id)
    assert store.matching(builtin_presets()[0].settings).id == "builtin:general"  # type: ignore[union-attr]
    assert store.matching({"system_prompt": "nothing like it"}) is None


def test_an_unreadable_file_is_kept_aside(qapp: QApplication, config: Path) -> None:
    config.mkdir(parents=True)
    (config / "presets.json").write_text("{ this is not json", encoding="utf-8")
    store = PresetStore(config)
    assert store.user_presets() == []
    kept = list(config.glob("presets.json.unreadable-*"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "{ this is not json"
    store.save("Fresh", SETTINGS)
    assert [p.name for p in PresetStore(config).user_presets()] == ["Fresh"]
    assert kept[0].exists()


def test_name_dialog_says_what_a_name_will_do(qtbot: Any, config: Path) -> None:
    store = PresetStore(config)
    store.save("Poet", SETTINGS)
    dialog = PresetNameDialog(store, title="Save as preset")
    qtbot.addWidget(dialog)
    assert not dialog.ok_button.isEnabled()  # empty
    dialog.name_edit.setText("Mine")
    assert dialog.ok_button.isEnabled() and dialog.ok_button.text() == "Save" and dialog.note.isHidden()
    dialog.name_edit.setText("poet")
    assert dialog.ok_button.isEnabled() and dialog.ok_button.text() == "Replace"
    assert dialog.note.text() == "A preset with this name exists: saving replaces it."
    dialog.name_edit.setText("Concise")
    assert not dialog.ok_button.isEnabled()
    assert dialog.note.text() == "A built-in preset has this name — choose another."

    other = store.save("Other", {})
    rename = PresetNameDialog(store, title="Rename", name="Other", renaming=other)
    qtbot.addWidget(rename)
    assert rename.ok_button.isEnabled() and rename.ok_button.text() == "Rename"
    rename.name_edit.setText("Poet")
    assert not rename.ok_button.isEnabled()
    assert rename.note.text() == "Another preset has this name — choose another."


def test_manage_dialog_renames_and_deletes(qtbot: Any, config: Path) -> None:
    store = PresetStore(config)
    poet = store.save("Poet", SETTINGS)
    dialog = PresetManagerDialog(store)
    qtbot.addWidget(dialog)
    dialog.open()
    # Built-ins are listed but cannot be touched.
    dialog.list.setCurrentRow(0)
    assert dialog.list.currentItem().text() == "General assistant (built-in)"
    assert not dialog.rename_button.isEnabled() and not dialog.delete_button.isEnabled()
    assert "cannot be renamed or deleted" in dialog.preview.text()

    dialog.select(poet.id)
    assert dialog.rename_button.isEnabled()
    assert "你是一位诗人。Write poems." in dialog.preview.text() and "Temperature 1.3 · Max tokens 300 · Frequency penalty -0.5" in dialog.preview.text()
    dialog.rename_button.click()
    name_dialog = dialog.child_dialog
    assert isinstance(name_dialog, PresetNameDialog)
    name_dialog.name_edit.setText("诗人")
    name_dialog.ok_button.click()
    assert [p.name for p in PresetStore(config).user_presets()] == ["诗人"]
    assert dialog.list.currentItem().text() == "诗人"

    dialog.delete_button.click()
    box = dialog.child_dialog
    assert isinstance(box, QMessageBox) and "诗人" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()  # cancelling keeps it
    assert len(store.user_presets()) == 1
    dialog.delete_button.click()
    box = dialog.child_dialog
    assert isinstance(box, QMessageBox)
    delete = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    delete.click()
    assert PresetStore(config).user_presets() == []
    assert all(not dialog.list.item(i).text().startswith("诗人") for i in range(dialog.list.count()))
    dialog.reject()
