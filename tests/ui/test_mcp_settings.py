"""Settings ▸ MCP servers with real servers (tests/unit/tools/mcp_server.py run by this Python).

Servers are added through the page's own form, become ready, list their tools, join
``ToolService.registry``; a missing command fails with a plain reason; a server that dies
mid-session shows "exited" and its tools leave; the list persists in the config folder; ``aclose``
leaves no process behind. The last tests run the real app: without servers it never imports ``mcp``;
with one it starts it after the first frame and ends it at exit.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from app import paths
from app.credentials import Vault
from app.resources import root_dir
from app.tools.mcp_servers import McpServerState, McpToolError
from app.ui.settings.dialog import SettingsDialog
from app.ui.settings.mcp_page import (
    McpServersPage,
    parse_arguments,
    parse_environment,
    reason_text,
    state_text,
)
from app.ui.tools_service import (
    McpServerSettings,
    McpServerStore,
    ToolService,
    vault_key,
)
from tests.ui.conftest import run
from tests.ui.test_accessibility_pages import chinese  # noqa: F401

SERVER = str(Path(__file__).resolve().parents[1] / "unit" / "tools" / "mcp_server.py")
START = 30_000  # ms: the SDK's first import and a Python server's start on a loaded 2-core machine


@pytest.fixture
def service(qtbot: Any, qloop: Any, parla_home: Path, vault: Vault) -> Any:
    tools = ToolService(locations=paths.locations().ensure(), vault=vault)
    yield tools
    run(qtbot, tools.aclose(), timeout=30)


def _open(qtbot: Any, make_context: Any, service: ToolService) -> SettingsDialog:
    context = dataclasses.replace(make_context(), tools=service)
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.profiles_page.tokens_loaded, timeout=10000):
        dialog.open()
    dialog.show_page(SettingsDialog.MCP)
    return dialog


def _add(qtbot: Any, page: McpServersPage, name: str, command: str, args: str = "", env: str = "") -> None:
    page.add_button.click()
    editor = page.editor
    assert editor is not None and editor.isVisible()
    editor.name_edit.setText(name)
    editor.command_edit.setText(command)
    editor.args_edit.setText(args)
    editor.env_edit.setPlainText(env)
    editor.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not editor.error_label.isVisible(), editor.error_label.text()
    qtbot.waitUntil(lambda: page.editor is None and page._service.server(name) is not None, timeout=5000)


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def test_add_a_server_through_the_page(qtbot: Any, make_context: Any, service: ToolService, tmp_path: Path) -> None:
    dialog = _open(qtbot, make_context, service)
    page = dialog.mcp_page
    assert page is not None and page.empty_label.isVisible()
    changes: list[int] = []
    service.tools_changed.connect(lambda: changes.append(1))
    states: list[str] = []
    service.server_state_changed.connect(states.append)
    pid_file = tmp_path / "server.pid"
    _add(qtbot, page, "test", sys.executable, f"'{SERVER}'", f"MCP_TEST_PID_FILE={pid_file}\n\nAPI_KEY=s3cr3t-value-123\n")
    qtbot.waitUntil(lambda: service.state("test").status == "ready", timeout=START)
    assert service.registry.names() == ["test__add", "test__echo", "test__fail", "test__die"]
    assert changes  # the chat hears about the new tools
    assert states and set(states) == {"test"}
    assert page.row_state("test") == "Ready, 4 tools"
    # The State column holds its text whole (not clipped against the frame).
    metrics = page.server_list.fontMetrics()
    assert page.server_list.columnWidth(1) >= metrics.horizontalAdvance("Ready, 4 tools") + 12
    page.select("test")
    assert "parla-test-server" in page.state_label.text()
    tools = [(page.tool_list.topLevelItem(i).text(0), page.tool_list.topLevelItem(i).text(1))
             for i in range(page.tool_list.topLevelItemCount())]
    assert tools == [("add", "Add two integers."), ("echo", "Echo the text back."),
                     ("fail", "Always fails."), ("die", "Exit the server process at once.")]
    assert not page.start_button.isEnabled() and page.stop_button.isEnabled()
    assert run(qtbot, service.registry["test__add"].run({"a": 2, "b": 3})) == "5"

    # Saved at once, readable only by the user, and the secret value never reaches the log.
    store = McpServerStore(paths.locations().config)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert McpServerStore(paths.locations().config).load() == [
        McpServerSettings("test", sys.executable, (SERVER,), {"MCP_TEST_PID_FILE": str(pid_file), "API_KEY": "s3cr3t-value-123"})
    ]
    log_text = "\n".join(p.read_text(errors="replace") for p in paths.locations().logs.rglob("*") if p.is_file())
    assert "s3cr3t-value-123" not in log_text

    # Stop, then Start again from the page.
    page.stop_button.click()
    qtbot.waitUntil(lambda: service.state("test").status == "stopped", timeout=15000)
    assert service.registry.names() == [] and page.row_state("test") == "Stopped"
    assert page.tool_list.topLevelItemCount() == 0 and page.start_button.isEnabled()
    page.start_button.click()
    qtbot.waitUntil(lambda: service.state("test").status == "ready", timeout=START)
    pid = int(pid_file.read_text())
    assert _alive(pid)
    run(qtbot, service.aclose(), timeout=30)
    assert not _alive(pid), "the server process outlived aclose()"
    assert service.registry.names() == []


def test_missing_command_fails_with_a_plain_reason(qtbot: Any, make_context: Any, service: ToolService) -> None:
    dialog = _open(qtbot, make_context, service)
    page = dialog.mcp_page
    assert page is not None
    _add(qtbot, page, "ghost", "/nonexistent/parla-mcp-server")
    qtbot.waitUntil(lambda: service.state("ghost").status == "failed", timeout=START)
    page.select("ghost")
    assert page.row_state("ghost") == "Failed"
    assert page.state_label.text() == "Failed: The command '/nonexistent/parla-mcp-server' was not found."
    assert page.start_button.isEnabled() and not page.stop_button.isEnabled()
    assert service.registry.names() == []
    # The dialog still works: OK saves the other pages and closes it.
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)


def test_crash_at_start_quotes_the_servers_last_words(qtbot: Any, service: ToolService) -> None:
    server = McpServerSettings("crash", sys.executable, (SERVER,), {"MCP_TEST_CRASH_AT_START": "1"})
    run(qtbot, service.add_server(server))
    qtbot.waitUntil(lambda: service.state("crash").status == "failed", timeout=START)
    _short, detail = state_text(server, service.state("crash"))
    assert detail.startswith("Failed: ")
    assert "Its last message: mcp test server: crashing at start as asked" in detail


def test_server_exiting_mid_session(qtbot: Any, make_context: Any, service: ToolService) -> None:
    dialog = _open(qtbot, make_context, service)
    page = dialog.mcp_page
    assert page is not None
    _add(qtbot, page, "test", sys.executable, SERVER)
    qtbot.waitUntil(lambda: service.state("test").status == "ready", timeout=START)
    changes: list[int] = []
    service.tools_changed.connect(lambda: changes.append(1))
    with pytest.raises(McpToolError):
        run(qtbot, service.registry["test__die"].run({}), timeout=30)
    qtbot.waitUntil(lambda: service.state("test").status == "exited", timeout=15000)
    assert service.registry.names() == [] and changes
    page.select("test")
    assert page.row_state("test") == "Exited"
    assert page.state_label.text().startswith("Exited: The server")
    assert page.tool_list.topLevelItemCount() == 0 and page.start_button.isEnabled()
    page.start_button.click()
    qtbot.waitUntil(lambda: service.state("test").status == "ready", timeout=START)
    assert "test__add" in service.registry


def test_configs_persist_and_enabled_ones_start(qtbot: Any, service: ToolService, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    on = McpServerSettings("on", sys.executable, (SERVER,), {"A": "1"}, str(work), True)
    off = McpServerSettings("off", sys.executable, (SERVER, "--flag with space"), {}, "", False)
    run(qtbot, service.add_server(on))
    run(qtbot, service.add_server(off))
    with pytest.raises(ValueError):
        run(qtbot, service.add_server(dataclasses.replace(off, name="OFF")))
    qtbot.waitUntil(lambda: service.state("on").status == "ready", timeout=START)
    assert service.state("off").status == "stopped"
    assert state_text(off, service.state("off"))[0] == "Disabled"
    run(qtbot, service.aclose(), timeout=30)

    again = ToolService(locations=paths.locations())
    try:
        assert again.servers() == [on, off]
        assert again.state("on").status == "stopped"  # nothing starts before start_enabled()
        again.start_enabled()
        qtbot.waitUntil(lambda: again.state("on").status == "ready", timeout=START)
        assert again.state("off").status == "stopped"
        assert again.registry.names() == ["on__add", "on__echo", "on__fail", "on__die"]
        # Renaming a running server restarts it under the new name; disabling stops it.
        run(qtbot, again.update_server("on", dataclasses.replace(on, name="renamed")))
        qtbot.waitUntil(lambda: again.state("renamed").status == "ready", timeout=START)
        assert again.registry.names() == ["renamed__add", "renamed__echo", "renamed__fail", "renamed__die"]
        run(qtbot, again.update_server("renamed", dataclasses.replace(on, name="renamed", enabled=False)))
        qtbot.waitUntil(lambda: again.state("renamed").status == "stopped", timeout=15000)
        assert again.registry.names() == []
        run(qtbot, again.remove_server("off"))
        assert [s.name for s in McpServerStore(paths.locations().config).load()] == ["renamed"]
    finally:
        run(qtbot, again.aclose(), timeout=30)


def test_edit_restarts_and_remove_stops_the_server(qtbot: Any, make_context: Any, service: ToolService, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = _open(qtbot, make_context, service)
    page = dialog.mcp_page
    assert page is not None
    pid_file = tmp_path / "pid"
    _add(qtbot, page, "test", sys.executable, SERVER, f"MCP_TEST_PID_FILE={pid_file}")
    qtbot.waitUntil(lambda: service.state("test").status == "ready", timeout=START)
    pid = int(pid_file.read_text())
    page.select("test")
    # Editing the environment of the running server restarts it with the new one.
    page.edit_button.click()
    editor = page.editor
    assert editor is not None and editor.env_edit.toPlainText() == f"MCP_TEST_PID_FILE={pid_file}"
    second = tmp_path / "pid2"
    editor.env_edit.setPlainText(f"MCP_TEST_PID_FILE={second}")
    editor.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: second.exists() and service.state("test").status == "ready", timeout=START)
    qtbot.waitUntil(lambda: not _alive(pid), timeout=15000)
    pid = int(second.read_text())
    page.remove_button.click()
    box = page.remove_box
    assert box is not None
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: service.servers() == [] and not _alive(pid), timeout=15000)
    assert service.registry.names() == [] and page.empty_label.isVisible()
    assert McpServerStore(paths.locations().config).load() == []


def test_the_form_explains_bad_input_and_keeps_it(qtbot: Any, make_context: Any, service: ToolService) -> None:
    dialog = _open(qtbot, make_context, service)
    page = dialog.mcp_page
    assert page is not None
    page.add_button.click()
    editor = page.editor
    assert editor is not None
    ok = editor.buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.click()
    assert editor.isVisible() and editor.error_label.text() == "Give the server a name."
    editor.name_edit.setText("files")
    ok.click()
    assert editor.error_label.text() == "Enter the command that runs the server."
    editor.command_edit.setText("npx")
    editor.args_edit.setText("-y 'unclosed")
    ok.click()
    assert editor.error_label.text() == "The arguments have a quote that is not closed."
    editor.args_edit.setText("-y server")
    editor.env_edit.setPlainText("GOOD=1\nno equals sign")
    ok.click()
    assert editor.error_label.text() == "Environment line 2: write it as NAME=value."
    assert editor.isVisible() and editor.env_edit.toPlainText() == "GOOD=1\nno equals sign"  # nothing lost
    editor.env_edit.setPlainText("GOOD=1")
    editor.cwd_edit.setText("/nonexistent/folder")
    ok.click()
    assert editor.error_label.text() == "The working folder does not exist."
    editor.cwd_edit.clear()
    editor.enabled_check.setChecked(False)  # kept, not started: npx may not even exist here
    ok.click()
    qtbot.waitUntil(lambda: page.editor is None and service.servers() != [], timeout=5000)
    assert service.servers() == [McpServerSettings("files", "npx", ("-y", "server"), {"GOOD": "1"}, "", False)]
    assert page.row_state("files") == "Disabled"
    # A second server may not take the same name.
    page.add_button.click()
    editor = page.editor
    assert editor is not None
    editor.name_edit.setText("FILES")
    editor.command_edit.setText("x")
    editor.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert editor.error_label.text() == "There is already a server named FILES."
    editor.reject()


@pytest.mark.keychain
def test_environment_values_in_a_real_keychain(
    qtbot: Any, make_context: Any, qloop: Any, secret_service: Any, tmp_path: Path
) -> None:
    first = ToolService(locations=paths.locations().ensure(), vault=Vault())
    try:
        dialog = _open(qtbot, make_context, first)
        page = dialog.mcp_page
        assert page is not None
        pid_file = tmp_path / "pid"
        page.add_button.click()
        editor = page.editor
        assert editor is not None
        editor.name_edit.setText("vaulted")
        editor.command_edit.setText(sys.executable)
        editor.args_edit.setText(SERVER)
        editor.env_edit.setPlainText(f"MCP_TEST_PID_FILE={pid_file}\nAPI_KEY=very secret value")
        editor.keychain_check.setChecked(True)
        assert editor.env_note.text() == "The values are kept in the system keychain and never logged."
        editor.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: first.state("vaulted").status == "ready", timeout=START)
        assert pid_file.exists()  # the environment reached the server
        qtbot.waitUntil(lambda: Vault().get(vault_key("vaulted")) is not None, timeout=10000)
        assert page.status_label.text() == ""
        saved = McpServerStore(paths.locations().config).path.read_text()
        assert "very secret value" not in saved and str(pid_file) not in saved
        assert json.loads(saved)["servers"][0]["env_in_keychain"] == ["MCP_TEST_PID_FILE", "API_KEY"]
    finally:
        run(qtbot, first.aclose(), timeout=30)
    dialog.close()

    # A new run reads the values from the keychain when the server starts, not before.
    pid_file.unlink()
    again = ToolService(locations=paths.locations(), vault=Vault())
    try:
        assert again.needs_keychain("vaulted")
        assert again.server("vaulted").env == {"MCP_TEST_PID_FILE": "", "API_KEY": ""}  # type: ignore[union-attr]
        again.start_enabled()
        qtbot.waitUntil(lambda: again.state("vaulted").status == "ready", timeout=START)
        assert pid_file.exists() and not again.needs_keychain("vaulted")
        # Editing shows the values, and removing deletes the keychain entry.
        dialog = _open(qtbot, make_context, again)
        page = dialog.mcp_page
        assert page is not None
        page.select("vaulted")
        page.edit_button.click()
        qtbot.waitUntil(lambda: page.editor is not None, timeout=5000)
        assert page.editor.env_edit.toPlainText() == f"MCP_TEST_PID_FILE={pid_file}\nAPI_KEY=very secret value"
        assert page.editor.keychain_check.isChecked()
        page.editor.reject()
        run(qtbot, again.remove_server("vaulted"))
        assert Vault().get(vault_key("vaulted")) is None
    finally:
        run(qtbot, again.aclose(), timeout=30)


def test_keychain_unavailable_keeps_the_values_for_the_session(
    qtbot: Any, make_context: Any, qloop: Any, no_keychain: Any
) -> None:
    tools = ToolService(locations=paths.locations().ensure(), vault=Vault())
    try:
        dialog = _open(qtbot, make_context, tools)
        page = dialog.mcp_page
        assert page is not None
        page.add_button.click()
        editor = page.editor
        assert editor is not None
        editor.name_edit.setText("test")
        editor.command_edit.setText(sys.executable)
        editor.args_edit.setText(SERVER)
        editor.env_edit.setPlainText("API_KEY=abc123")
        editor.keychain_check.setChecked(True)
        editor.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: "keychain" in page.status_label.text(), timeout=15000)
        assert page.status_label.text().endswith(
            "The environment values are used until Parla closes; edit the server again to store them.")
        qtbot.waitUntil(lambda: tools.state("test").status == "ready", timeout=START)
        assert "abc123" not in McpServerStore(paths.locations().config).path.read_text()
    finally:
        run(qtbot, tools.aclose(), timeout=30)
    # The next run cannot read them: the server fails with a plain reason, and can be edited again.
    again = ToolService(locations=paths.locations(), vault=Vault())
    try:
        again.start_enabled()
        qtbot.waitUntil(lambda: again.state("test").status == "failed", timeout=15000)
        _short, detail = state_text(again.server("test"), again.state("test"))
        assert detail == "Failed: Its environment values are in the keychain, but no keychain is available now."
        dialog = _open(qtbot, make_context, again)
        page = dialog.mcp_page
        assert page is not None
        page.select("test")
        page.edit_button.click()
        qtbot.waitUntil(lambda: "can be edited once the keychain opens" in page.status_label.text(), timeout=15000)
        assert page.editor is None  # never a form that would save blanks over the stored values
    finally:
        run(qtbot, again.aclose(), timeout=30)


def test_an_unreadable_list_is_kept_aside(qtbot: Any, make_context: Any, qloop: Any, vault: Vault) -> None:
    config = paths.locations().ensure().config
    (config / "mcp_servers.json").write_text("{not json", encoding="utf-8")
    tools = ToolService(locations=paths.locations(), vault=vault)
    try:
        dialog = _open(qtbot, make_context, tools)
        page = dialog.mcp_page
        assert page is not None and tools.servers() == []
        kept = config / "mcp_servers.json.unreadable"
        assert page.status_label.text() == (
            f"The saved list of MCP servers could not be read; it was kept as {kept} and the list starts empty.")
        run(qtbot, tools.add_server(McpServerSettings("new", "x", enabled=False)))
        assert kept.read_text(encoding="utf-8") == "{not json"
    finally:
        run(qtbot, tools.aclose(), timeout=30)


def test_controls_have_names_and_tooltips(qtbot: Any, make_context: Any, service: ToolService) -> None:
    from tests.ui.test_accessibility import _unnamed_controls

    run(qtbot, service.add_server(McpServerSettings("test", sys.executable, (SERVER,))))
    qtbot.waitUntil(lambda: service.state("test").status == "ready", timeout=START)
    dialog = _open(qtbot, make_context, service)
    page = dialog.mcp_page
    assert page is not None
    page.select("test")
    assert page.tool_list.isVisibleTo(page)
    assert _unnamed_controls(page) == []
    page.edit_button.click()
    editor = page.editor
    assert editor is not None
    qtbot.waitExposed(editor)
    assert _unnamed_controls(editor, skip=(editor.buttons,)) == []
    editor.reject()


def test_parsers_and_reasons() -> None:
    assert parse_arguments("-y 'a b' c\\ d") == (["-y", "a b", "c d"], "")
    assert parse_arguments("trailing\\")[1] == "The arguments end with a lone backslash."
    assert parse_environment("# comment\nA=1\n B = two words \n") == ({"A": "1", "B": "two words"}, "")
    assert parse_environment("A=1\nA=2")[1] == "Environment line 2: A is set twice."
    assert parse_environment("1A=x")[1].startswith("Environment line 1: the name 1A may only")
    assert parse_environment("=x")[1].startswith("Environment line 1: the name '' may only")
    assert reason_text("The server did not answer the handshake within 30 s. Its last message: boom") == (
        "The server did not answer within 30 s. Its last message: boom")
    assert reason_text("Something new") == "Something new"
    state = McpServerState("x", "ready", tools=("x__a",))
    assert state_text(None, state) == ("Ready, 1 tool", "Ready, 1 tool")
    assert state_text(None, McpServerState("x", "ready", tools=("x__a", "x__b")))[0] == "Ready, 2 tools"
    assert state_text(None, McpServerState("x", "ready"))[0] == "Ready, 0 tools"


def test_ready_state_in_chinese(chinese: None) -> None:
    assert state_text(None, McpServerState("x", "ready", tools=("x__a",)))[0] == "就绪，1 个工具"
    assert state_text(None, McpServerState("x", "ready", tools=("x__a", "x__b", "x__c")))[0] == "就绪，3 个工具"


HARNESS = r"""
import asyncio, os, sys
import app.main as m
from PySide6.QtWidgets import QApplication

from app.ui.tools_service import ToolService

original = m.amain
wanted = os.environ["PARLA_TEST_WAIT_FOR"]
start_enabled = ToolService.start_enabled

def start_enabled_reporting(self):
    window = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "main_window")
    print("start_enabled: window exposed", window.windowHandle().isExposed(), "mcp imported", "mcp" in sys.modules,
          flush=True)
    start_enabled(self)

ToolService.start_enabled = start_enabled_reporting

async def amain(app, *args, **kwargs):
    async def report_and_close():
        window = None
        while window is None:
            window = next((w for w in app.topLevelWidgets() if w.objectName() == "main_window"), None)
            await asyncio.sleep(0.05)
        tools = None
        while tools is None:
            tools = app.findChild(ToolService)
            await asyncio.sleep(0.02)
        deadline = asyncio.get_running_loop().time() + 40
        if wanted == "none":
            await asyncio.sleep(2.0)  # the first frame, the store, the connection check: all done
        else:
            while tools.state(wanted).status not in ("ready", "failed") and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.05)
            print("state:", tools.state(wanted).status, tools.registry.names(), flush=True)
        print("mcp imported:", "mcp" in sys.modules, flush=True)
        window.close()
    asyncio.get_running_loop().create_task(report_and_close())
    return await original(app, *args, **kwargs)

m.amain = amain
sys.exit(m.main(["parla"]))
"""


def _run_app(home: Path, loopback: Any, wanted: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "DBUS_", "PYTHON_KEYRING", "PARLA_"))}
    env.update(PARLA_HOME=str(home), OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=loopback.base_url,
               QT_QPA_PLATFORM="offscreen", PARLA_TEST_WAIT_FOR=wanted, LANG="en_US.UTF-8")
    return subprocess.run([sys.executable, "-c", HARNESS], check=False, env=env, cwd=root_dir(), capture_output=True,
                          text=True, timeout=90)


def test_app_without_servers_never_imports_mcp(tmp_path: Path, loopback: Any) -> None:
    result = _run_app(tmp_path / "home", loopback, "none")
    assert result.returncode == 0, result.stderr
    assert "start_enabled: window exposed True mcp imported False" in result.stdout, result.stdout
    assert "mcp imported: False" in result.stdout, result.stdout


def test_app_starts_a_configured_server_after_the_first_frame_and_ends_it(tmp_path: Path, loopback: Any) -> None:
    home = tmp_path / "home"
    pid_file = tmp_path / "pid"
    server = McpServerSettings("test", sys.executable, (SERVER,), {"MCP_TEST_PID_FILE": str(pid_file)})
    McpServerStore(home / "config").save([server])
    started = time.monotonic()
    result = _run_app(home, loopback, "test")
    assert result.returncode == 0, result.stderr
    assert "start_enabled: window exposed True mcp imported False" in result.stdout, result.stdout
    assert "state: ready ['test__add', 'test__echo', 'test__fail', 'test__die']" in result.stdout, result.stdout
    assert "mcp imported: True" in result.stdout
    pid = int(pid_file.read_text())
    assert not _alive(pid), "the server process outlived the app"
    assert time.monotonic() - started < 90
    assert json.loads((home / "config" / "mcp_servers.json").read_text())["servers"][0]["name"] == "test"
