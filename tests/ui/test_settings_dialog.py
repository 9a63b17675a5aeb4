"""The settings dialog: profiles, tokens through the Vault only, Test connection, Load models."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from app.credentials import Vault
from app.profiles import Capability, Profile, ProxyMode
from app.ui.session import ConnectionStatus, TokenSource
from app.ui.settings.dialog import SettingsDialog
from tests.loopback.server import Fault


def _open(qtbot: Any, context: Any) -> SettingsDialog:
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.profiles_page.tokens_loaded, timeout=10000):
        dialog.open()
    return dialog


def _type(qtbot: Any, edit: QLineEdit, text: str) -> None:
    """Replace the field's text by typing, as a user would (so textEdited fires)."""
    edit.setFocus()
    edit.selectAll()
    if text:
        qtbot.keyClicks(edit, text)
    else:
        qtbot.keyClick(edit, Qt.Key.Key_Delete)


def _button(dialog: SettingsDialog, which: QDialogButtonBox.StandardButton) -> Any:
    return dialog.buttons.button(which)


def _test_connection(qtbot: Any, page: Any, timeout: int = 15000) -> str:
    with qtbot.waitSignal(page.test_finished, timeout=timeout) as blocker:
        page.test_button.click()
    return str(blocker.args[0])


def _all_files_text(root: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())


def test_form_shows_the_active_profile(qtbot: Any, make_context: Any) -> None:
    dialog = _open(qtbot, make_context())
    page = dialog.profiles_page
    assert page.profile_list.count() == 1
    assert page.profile_list.item(0).text() == "Default (active)"
    assert page.name_edit.text() == "Default"
    assert page.base_url_edit.text() == "https://apinew.tutujin.com/v1"
    assert page.token_edit.text() == ""
    assert page.token_edit.line_edit.echoMode() == QLineEdit.EchoMode.Password
    assert page.token_note.text() == "No token stored."
    assert page.model_combos[Capability.CHAT].currentText() == "gpt-4o-mini"
    assert all(combo.isEditable() for combo in page.model_combos.values())
    assert page.timeout_spin.value() == 600 and page.connect_timeout_spin.value() == 10
    assert page.proxy_combo.currentData() == ProxyMode.SYSTEM.value
    assert not page.proxy_edit.isEnabled()
    assert page.verify_check.isChecked()
    assert page.keychain_notice.isHidden()
    assert page.environment_notice.isHidden()
    assert not page.remove_button.isEnabled()  # the last profile cannot go


def test_show_toggle_reveals_the_token(qtbot: Any, make_context: Any) -> None:
    dialog = _open(qtbot, make_context())
    page = dialog.profiles_page
    page.token_edit.toggle_button.click()
    assert page.token_edit.line_edit.echoMode() == QLineEdit.EchoMode.Normal
    assert page.token_edit.toggle_button.text() == "Hide"
    page.token_edit.toggle_button.click()
    assert page.token_edit.line_edit.echoMode() == QLineEdit.EchoMode.Password


def test_test_connection_uses_the_unsaved_form(
    qtbot: Any, make_context: Any, loopback: Any, keyring_backend: Any
) -> None:
    context = make_context()
    dialog = _open(qtbot, context)
    page = dialog.profiles_page
    _type(qtbot, page.base_url_edit, loopback.base_url)
    _type(qtbot, page.token_edit.line_edit, loopback.token)
    message = _test_connection(qtbot, page)
    assert message == f"Connected — {len(loopback.models)} models"
    assert page.test_result.text() == message
    assert loopback.last("/models").token == loopback.token
    # Nothing was saved: the keychain is empty and profiles.json (if any) has the old URL.
    assert keyring_backend.entries == {}
    assert context.session.stored_profile.base_url == "https://apinew.tutujin.com/v1"


def test_test_connection_rejected_token(qtbot: Any, make_context: Any, loopback: Any) -> None:
    dialog = _open(qtbot, make_context())
    page = dialog.profiles_page
    _type(qtbot, page.base_url_edit, loopback.base_url)
    _type(qtbot, page.token_edit.line_edit, "sk-not-the-right-one")
    assert _test_connection(qtbot, page) == "The server rejected the token — check it in Settings."


def test_test_connection_closed_port(qtbot: Any, make_context: Any, closed_port: int) -> None:
    dialog = _open(qtbot, make_context())
    page = dialog.profiles_page
    _type(qtbot, page.base_url_edit, f"http://127.0.0.1:{closed_port}/v1")
    _type(qtbot, page.token_edit.line_edit, "sk-any-token-1234")
    message = _test_connection(qtbot, page)
    assert message == f"Cannot reach 127.0.0.1:{closed_port}: the connection was refused — is the server running?"


def test_test_connection_can_be_cancelled(qtbot: Any, make_context: Any, loopback: Any) -> None:
    loopback.inject("/models", Fault(delay_first_byte=20))
    dialog = _open(qtbot, make_context())
    page = dialog.profiles_page
    _type(qtbot, page.base_url_edit, loopback.base_url)
    _type(qtbot, page.token_edit.line_edit, loopback.token)
    page.test_button.click()
    qtbot.waitUntil(lambda: loopback.open_connections > 0)
    assert page.test_button.text() == "Cancel test"
    assert page.test_result.text() == "Testing…"
    with qtbot.waitSignal(page.test_finished, timeout=3000) as blocker:
        page.test_button.click()
    assert blocker.args[0] == "Test cancelled."
    assert page.test_button.text() == "Test connection"
    qtbot.waitUntil(lambda: loopback.open_connections == 0, timeout=2000)


def test_load_models_fills_the_combos(qtbot: Any, make_context: Any, loopback: Any) -> None:
    dialog = _open(qtbot, make_context())
    page = dialog.profiles_page
    _type(qtbot, page.base_url_edit, loopback.base_url)
    _type(qtbot, page.token_edit.line_edit, loopback.token)
    with qtbot.waitSignal(page.models_loaded, timeout=10000) as blocker:
        page.load_models_button.click()
    assert blocker.args[0] == f"Loaded {len(loopback.models)} models."
    chat = page.model_combos[Capability.CHAT]
    items = [chat.itemText(i) for i in range(chat.count())]
    assert sorted(items) == sorted(loopback.models)
    assert chat.currentText() == "gpt-4o-mini"  # loading does not change the choice


def test_load_models_404_lets_the_user_type(qtbot: Any, make_context: Any, loopback: Any) -> None:
    loopback.inject("/models", Fault(quirk=10))
    dialog = _open(qtbot, make_context())
    page = dialog.profiles_page
    _type(qtbot, page.base_url_edit, loopback.base_url)
    _type(qtbot, page.token_edit.line_edit, loopback.token)
    with qtbot.waitSignal(page.models_loaded, timeout=10000) as blocker:
        page.load_models_button.click()
    assert blocker.args[0] == "This server does not list its models — type the model names."
    chat = page.model_combos[Capability.CHAT]
    _type(qtbot, chat.lineEdit(), "my-local-model")
    assert page.current_profile().models["chat"] == "my-local-model"


def test_profiles_add_rename_activate_and_save(
    qtbot: Any, make_context: Any, loopback: Any, keyring_backend: Any
) -> None:
    context = make_context()
    dialog = _open(qtbot, context)
    page = dialog.profiles_page
    page.add_button.click()
    assert page.profile_list.count() == 2
    assert page.name_edit.text() == "New profile"
    _type(qtbot, page.name_edit, "Local relay")
    assert page.profile_list.currentItem().text() == "Local relay"
    _type(qtbot, page.base_url_edit, loopback.base_url)
    _type(qtbot, page.token_edit.line_edit, loopback.token)
    assert "Will be stored in the system keychain" in page.token_note.text()
    _type(qtbot, page.model_combos[Capability.SPEECH].lineEdit(), "tts-1-hd")
    page.timeout_spin.setValue(120)
    page.activate_button.click()
    assert page.profile_list.currentItem().text() == "Local relay (active)"
    new_id = page.current_profile().id

    with qtbot.waitSignal(dialog.finished, timeout=10000):
        _button(dialog, QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted

    saved = json.loads((context.locations.config / "profiles.json").read_text())
    assert saved["active"] == new_id
    names = {p["name"]: p for p in saved["profiles"]}
    assert set(names) == {"Default", "Local relay"}
    assert names["Local relay"]["base_url"] == loopback.base_url
    assert names["Local relay"]["models"]["speech"] == "tts-1-hd"
    assert names["Local relay"]["timeout"] == 120
    assert keyring_backend.entries == {("parla", new_id): loopback.token}
    assert loopback.token not in _all_files_text(context.locations.config)

    session = context.session
    qtbot.waitUntil(lambda: session.connection.status == ConnectionStatus.CONNECTED, timeout=10000)
    assert session.profile.name == "Local relay"
    assert session.token_source == TokenSource.KEYCHAIN


def test_duplicate_copies_settings_and_token_and_remove_deletes(
    qtbot: Any, make_context: Any, loopback: Any, keyring_backend: Any, vault: Vault, loopback_profile: Profile
) -> None:
    vault.set("default", loopback.token)
    context = make_context(profiles=[loopback_profile])
    dialog = _open(qtbot, context)
    page = dialog.profiles_page
    assert page.token_edit.text() == loopback.token
    assert page.token_note.text() == "Stored in the system keychain."
    page.duplicate_button.click()
    assert page.name_edit.text() == "Loopback (copy)"
    assert page.base_url_edit.text() == loopback.base_url
    assert page.token_edit.text() == loopback.token
    copy_id = page.current_profile().id
    # Remove the original: its keychain entry must go when saved.
    page.select_profile("default")
    page.remove_button.click()
    assert page.profile_list.count() == 1
    assert page.profile_list.item(0).text() == "Loopback (copy) (active)"
    assert page.name_edit.text() == "Loopback (copy)"  # the form follows the selection
    assert page.current_profile().id == copy_id
    with qtbot.waitSignal(dialog.finished, timeout=10000):
        _button(dialog, QDialogButtonBox.StandardButton.Ok).click()
    assert keyring_backend.entries == {("parla", copy_id): loopback.token}
    assert context.session.active_id == copy_id


def test_clearing_the_token_removes_it(
    qtbot: Any, make_context: Any, keyring_backend: Any, vault: Vault, closed_port: int
) -> None:
    vault.set("default", "sk-old-token-99999")
    context = make_context(profiles=[Profile(id="default", name="P", base_url=f"http://127.0.0.1:{closed_port}/v1")])
    dialog = _open(qtbot, context)
    page = dialog.profiles_page
    _type(qtbot, page.token_edit.line_edit, "")
    assert page.token_note.text() == "The token will be removed when you press OK or Apply."
    task = dialog.save()
    qtbot.waitUntil(task.done, timeout=10000)
    assert task.result() is True
    assert keyring_backend.entries == {}
    qtbot.waitUntil(lambda: context.session.connection.status == ConnectionStatus.NO_TOKEN)


@pytest.mark.parametrize(
    ("mode_index", "url", "problem"),
    [
        (2, "ftp://proxy.example:21", "The proxy URL must start with http://, https://, socks5:// or socks5h://"),
        (2, "socks5://127.0.0.1:99999", "The port in the proxy URL is not valid."),
        (2, "", "Enter the proxy URL"),
    ],
)
def test_invalid_proxy_blocks_saving(qtbot: Any, make_context: Any, mode_index: int, url: str, problem: str) -> None:
    context = make_context()
    dialog = _open(qtbot, context)
    page = dialog.profiles_page
    page.proxy_combo.setCurrentIndex(mode_index)
    assert page.proxy_edit.isEnabled()
    _type(qtbot, page.proxy_edit, url)
    task = dialog.save()
    qtbot.waitUntil(task.done)
    assert task.result() is False
    assert page.problem_label.text().startswith(problem)
    assert not (context.locations.config / "profiles.json").exists()


def test_socks_proxy_is_accepted(qtbot: Any, make_context: Any) -> None:
    context = make_context()
    dialog = _open(qtbot, context)
    page = dialog.profiles_page
    page.proxy_combo.setCurrentIndex(2)
    _type(qtbot, page.proxy_edit, "socks5h://127.0.0.1:1080")
    task = dialog.save()
    qtbot.waitUntil(task.done, timeout=10000)
    assert task.result() is True
    saved = json.loads((context.locations.config / "profiles.json").read_text())["profiles"][0]
    assert saved["proxy_mode"] == "custom" and saved["proxy_url"] == "socks5h://127.0.0.1:1080"


def test_missing_ca_bundle_and_bad_url_are_reported(qtbot: Any, make_context: Any, tmp_path: Path) -> None:
    dialog = _open(qtbot, make_context())
    page = dialog.profiles_page
    _type(qtbot, page.ca_edit.line_edit, str(tmp_path / "missing.pem"))
    assert page.problem_label.text() == "The CA bundle file does not exist."
    bundle = tmp_path / "bundle.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    _type(qtbot, page.ca_edit.line_edit, str(bundle))
    assert page.problem_label.text() == ""
    page.verify_check.setChecked(False)
    assert not page.ca_edit.isEnabled()
    _type(qtbot, page.base_url_edit, "api.example.com/v1")
    assert page.problem_label.text() == "The base URL must start with http:// or https:// and name a host."
    _type(qtbot, page.name_edit, "")
    assert page.problem_label.text() == "The profile needs a name."


def test_unusable_keychain_is_explained_and_session_only_works(
    qtbot: Any, make_context: Any, no_keychain: Any, loopback: Any
) -> None:
    vault = Vault()  # the real one, resolving its backend: there is no D-Bus session at all
    context = make_context(profiles=[Profile(id="default", name="L", base_url=loopback.base_url)], vault=vault)
    dialog = _open(qtbot, context)
    page = dialog.profiles_page
    assert page.keychain_notice.isVisibleTo(dialog)
    assert page.keychain_reason.text().startswith("No keychain is available to store the token")
    assert not page.session_only_check.isChecked()  # never a silent fallback
    _type(qtbot, page.token_edit.line_edit, loopback.token)
    assert page.token_note.text().startswith("The keychain cannot store it")

    # Without the session-only choice nothing is stored and the dialog stays open.
    task = dialog.save()
    qtbot.waitUntil(task.done, timeout=10000)
    assert task.result() is False
    assert "The token was not saved" in page.problem_label.text()
    assert not vault.is_session_only("default")

    page.session_only_check.setChecked(True)
    assert page.token_note.text() == "Will be kept for this session only when you press OK or Apply."
    with qtbot.waitSignal(dialog.finished, timeout=10000):
        _button(dialog, QDialogButtonBox.StandardButton.Ok).click()
    assert vault.is_session_only("default")
    session = context.session
    qtbot.waitUntil(lambda: session.connection.status == ConnectionStatus.CONNECTED, timeout=10000)
    assert session.token_source == TokenSource.SESSION
    assert loopback.token not in _all_files_text(context.locations.config.parent)


def test_environment_override_is_shown(
    qtbot: Any, make_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    context = make_context()
    dialog = _open(qtbot, context)
    page = dialog.profiles_page
    notice = page.environment_notice.text()
    assert page.environment_notice.isVisibleTo(page)
    assert "OPENAI_BASE_URL" in notice and "http://127.0.0.1:9/v1" in notice
    assert "OPENAI_API_KEY" in notice and "never saved" in notice
    assert "sk-from-the-environment" not in notice
    assert "OPENAI_API_KEY from the environment is used instead" in page.token_note.text()
    # The form shows the stored values, not the environment's.
    assert page.base_url_edit.text() == "https://apinew.tutujin.com/v1"


def test_general_page_saves_theme_and_language(qtbot: Any, make_context: Any) -> None:
    context = make_context()
    dialog = _open(qtbot, context)
    general = dialog.general_page
    assert [general.language_combo.itemText(i) for i in range(3)] == ["System default", "English", "简体中文"]
    assert [general.theme_combo.itemText(i) for i in range(3)] == ["Follow the system", "Light", "Dark"]
    general.theme_combo.setCurrentIndex(2)
    general.language_combo.setCurrentIndex(2)
    messages: list[str] = []
    context.notifier.status_posted.connect(lambda text, _ms: messages.append(text))
    with qtbot.waitSignal(dialog.settings_saved, timeout=10000):
        _button(dialog, QDialogButtonBox.StandardButton.Apply).click()
    assert context.preferences.theme == "dark"
    assert context.preferences.language == "zh_CN"
    ini = (context.locations.config / "parla.ini").read_text()
    assert "dark" in ini and "zh_CN" in ini
    assert messages == ["The new language takes effect the next time Parla starts."]
    assert dialog.isVisible()  # Apply keeps it open


def test_cancel_discards_everything(qtbot: Any, make_context: Any, keyring_backend: Any) -> None:
    context = make_context()
    dialog = _open(qtbot, context)
    page = dialog.profiles_page
    page.add_button.click()
    _type(qtbot, page.token_edit.line_edit, "sk-typed-but-cancelled")
    dialog.general_page.theme_combo.setCurrentIndex(2)
    _button(dialog, QDialogButtonBox.StandardButton.Cancel).click()
    assert keyring_backend.entries == {}
    assert not (context.locations.config / "profiles.json").exists()
    assert context.preferences.theme == "system"


def test_renaming_keeps_the_connection(
    qtbot: Any, make_context: Any, loopback: Any, vault: Vault, loopback_profile: Profile
) -> None:
    vault.set("default", loopback.token)
    context = make_context(profiles=[loopback_profile])
    session = context.session
    session.start()
    qtbot.waitUntil(lambda: session.connection.status == ConnectionStatus.CONNECTED, timeout=10000)
    client = session.client
    dialog = _open(qtbot, context)
    _type(qtbot, dialog.profiles_page.name_edit, "Renamed")
    with qtbot.waitSignal(dialog.finished, timeout=10000):
        _button(dialog, QDialogButtonBox.StandardButton.Ok).click()
    assert session.profile.name == "Renamed"
    assert session.client is client and not client.closed
    assert len(loopback.requests_to("/models")) == 1  # no second check for a new name


@pytest.mark.keychain
def test_token_round_trip_through_a_real_keychain(
    qtbot: Any, make_context: Any, secret_service: Any, loopback: Any
) -> None:
    vault = Vault()  # resolves the private gnome-keyring the fixture started
    context = make_context(profiles=[Profile(id="default", name="L", base_url=loopback.base_url)], vault=vault)
    dialog = _open(qtbot, context)
    page = dialog.profiles_page
    assert page.keychain_notice.isHidden()
    _type(qtbot, page.token_edit.line_edit, loopback.token)
    with qtbot.waitSignal(dialog.finished, timeout=15000):
        _button(dialog, QDialogButtonBox.StandardButton.Ok).click()
    assert Vault().get("default") == loopback.token  # a fresh Vault reads it back from the keychain
    session = context.session
    qtbot.waitUntil(lambda: session.connection.status == ConnectionStatus.CONNECTED, timeout=15000)
    assert session.token_source == TokenSource.KEYCHAIN
    assert loopback.token not in _all_files_text(context.locations.config.parent)

    # The next opening of the dialog shows it is there.
    again = _open(qtbot, context)
    assert again.profiles_page.token_edit.text() == loopback.token
    assert again.profiles_page.token_note.text() == "Stored in the system keychain."
