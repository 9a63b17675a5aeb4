"""The status bar: the active profile, switching it, and the connection state in words."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.profiles import Profile
from app.ui.session import ConnectionStatus, TokenSource
from app.ui.settings.dialog import SettingsDialog
from tests.loopback.server import Fault


def _wait_status(qtbot: Any, window: Any, status: ConnectionStatus, timeout: int = 10000) -> None:
    session = window._context.session
    qtbot.waitUntil(lambda: session.connection.status == status, timeout=timeout)


def test_no_token_says_so_and_checks_nothing(qtbot: Any, make_window: Any, make_context: Any, closed_port: int) -> None:
    # The default base URL must never be contacted in tests: with no token no check runs at all.
    window = make_window(make_context())
    assert window._context.session.profile.base_url == "https://apinew.tutujin.com/v1"
    window._context.session.start()
    _wait_status(qtbot, window, ConnectionStatus.NO_TOKEN)
    indicator = window.connection_indicator
    assert indicator.text() == "No token — open Settings"
    assert indicator.action_text() == "Settings…"
    assert window._context.session.client is None
    assert window.profile_switcher.text() == "Default"


def test_no_token_action_opens_settings(qtbot: Any, make_window: Any) -> None:
    window = make_window()
    window._context.session.start()
    _wait_status(qtbot, window, ConnectionStatus.NO_TOKEN)
    window.connection_indicator._action.click()
    assert isinstance(window.settings_dialog, SettingsDialog)
    window.settings_dialog.reject()


def test_connected_shows_the_model_count(
    qtbot: Any, make_window: Any, make_context: Any, loopback: Any, loopback_profile: Profile, vault: Any
) -> None:
    vault.set("default", loopback.token)
    window = make_window(make_context(profiles=[loopback_profile]))
    session = window._context.session
    session.start()
    _wait_status(qtbot, window, ConnectionStatus.CONNECTED)
    assert window.connection_indicator.text() == f"Connected · {len(loopback.models)} models"
    assert window.connection_indicator.action_text() == ""
    assert session.token_source == TokenSource.KEYCHAIN
    assert loopback.last("/models").token == loopback.token
    assert session.require_client() is session.client


def test_one_model_is_singular(
    qtbot: Any, make_window: Any, make_context: Any, loopback: Any, loopback_profile: Profile, vault: Any
) -> None:
    loopback.models = ["only-model"]
    vault.set("default", loopback.token)
    window = make_window(make_context(profiles=[loopback_profile]))
    window._context.session.start()
    _wait_status(qtbot, window, ConnectionStatus.CONNECTED)
    assert window.connection_indicator.text() == "Connected · 1 model"


def test_checking_is_shown_while_the_server_thinks(
    qtbot: Any, make_window: Any, make_context: Any, loopback: Any, loopback_profile: Profile, vault: Any
) -> None:
    loopback.inject("/models", Fault(delay_first_byte=0.6))
    vault.set("default", loopback.token)
    window = make_window(make_context(profiles=[loopback_profile]))
    window._context.session.start()
    qtbot.waitUntil(lambda: loopback.open_connections > 0)
    assert window.connection_indicator.text() == "Checking connection…"
    _wait_status(qtbot, window, ConnectionStatus.CONNECTED)


def test_rejected_token_says_so(
    qtbot: Any, make_window: Any, make_context: Any, loopback: Any, loopback_profile: Profile, vault: Any
) -> None:
    vault.set("default", "sk-wrong-token-0000")
    window = make_window(make_context(profiles=[loopback_profile]))
    window._context.session.start()
    _wait_status(qtbot, window, ConnectionStatus.FAILED)
    assert window.connection_indicator.text() == "The server rejected the token — check it in Settings."
    assert window.connection_indicator.action_text() == "Settings…"


def test_unreachable_server_offers_retry(
    qtbot: Any, make_window: Any, make_context: Any, closed_port: int, vault: Any, loopback: Any
) -> None:
    profile = Profile(id="default", name="Closed", base_url=f"http://127.0.0.1:{closed_port}/v1", connect_timeout=2)
    vault.set("default", "sk-some-token-1234")
    window = make_window(make_context(profiles=[profile]))
    session = window._context.session
    session.start()
    _wait_status(qtbot, window, ConnectionStatus.FAILED)
    text = window.connection_indicator.text()
    assert text.startswith(f"Cannot reach 127.0.0.1:{closed_port}")
    assert "refused" in text
    assert window.connection_indicator.action_text() == "Retry"

    # Retry checks again; pointing the profile at a live server makes it succeed.
    session._store.profiles[0].base_url = loopback.base_url
    vault.set("default", loopback.token)
    window.connection_indicator._action.click()
    _wait_status(qtbot, window, ConnectionStatus.CONNECTED)


def test_switching_profile_from_the_status_bar(
    qtbot: Any, make_window: Any, make_context: Any, loopback: Any, loopback_profile: Profile, vault: Any, closed_port: int
) -> None:
    other = Profile(id="other", name="Other", base_url=f"http://127.0.0.1:{closed_port}/v1")
    vault.set("default", loopback.token)
    context = make_context(profiles=[loopback_profile, other], active="other")
    window = make_window(context)
    session = context.session
    session.start()
    _wait_status(qtbot, window, ConnectionStatus.NO_TOKEN)
    switcher = window.profile_switcher
    assert switcher.text() == "Other"
    actions = switcher.profile_actions()
    assert [a.text() for a in actions] == ["Loopback", "Other"]
    assert [a.isChecked() for a in actions] == [False, True]

    clients: list[Any] = []
    session.client_changed.connect(lambda: clients.append(session.client))
    actions[0].trigger()
    _wait_status(qtbot, window, ConnectionStatus.CONNECTED)
    assert switcher.text() == "Loopback"
    assert [a.isChecked() for a in switcher.profile_actions()] == [True, False]
    saved = json.loads((context.locations.config / "profiles.json").read_text())
    assert saved["active"] == "default"
    assert clients and clients[-1] is session.client

    # Switching away closes the old client.
    old = session.client
    switcher.profile_actions()[1].trigger()
    _wait_status(qtbot, window, ConnectionStatus.NO_TOKEN)
    qtbot.waitUntil(lambda: old.closed)


def test_environment_overrides_are_shown_and_never_saved(
    qtbot: Any, make_window: Any, make_context: Any, loopback: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", loopback.token)
    monkeypatch.setenv("OPENAI_BASE_URL", loopback.base_url)
    context = make_context()
    window = make_window(context)
    session = context.session
    session.start()
    _wait_status(qtbot, window, ConnectionStatus.CONNECTED)
    assert window.connection_indicator.environment_shown()
    assert session.token_source == TokenSource.ENVIRONMENT
    assert session.profile.base_url == loopback.base_url
    assert session.stored_profile.base_url == "https://apinew.tutujin.com/v1"
    session.switch_profile("default")  # no-op switch; then save the store explicitly
    context.session._store.save()
    for path in context.locations.config.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert loopback.token not in text and loopback.base_url not in text


def test_no_environment_marker_without_overrides(make_window: Any) -> None:
    window = make_window()
    assert not window.connection_indicator.environment_shown()
