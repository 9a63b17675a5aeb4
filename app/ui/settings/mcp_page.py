"""The Settings dialog's MCP servers page: the user's MCP servers, their live state and their tools.

Unlike the other pages, what is done here takes effect at once (a note at the top says so): a server
is a running process with Start, Restart and Stop buttons, so adding, editing or removing one is
saved and applied immediately through :class:`~app.ui.tools_service.ToolService`, and Cancel has
nothing to undo. A server's environment values may be kept in the system keychain ("Keep the values
in the system keychain"); such a server is only opened for editing once its values were read, so
saving the form can never overwrite them with blanks. Adding and editing happen in :class:`McpServerEditor`, a small window-modal dialog
opened with ``open()`` (never ``exec()``: a nested event loop would run asyncio callbacks
re-entrantly) that keeps every field as typed until the input is valid.

The reasons a server failed or exited come from ``app.tools.mcp_servers`` in English; they are
translated here by :func:`reason_text` (known sentences; the server's own last stderr line is quoted
as it is).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.credentials import CredentialError
from app.tools.mcp_servers import McpServerState
from app.ui.errors import user_message
from app.ui.tasks import TaskRegistry
from app.ui.tools_service import McpServerSettings, ToolService

__all__ = [
    "McpServerEditor",
    "McpServersPage",
    "environment_lines",
    "parse_arguments",
    "parse_environment",
    "reason_text",
    "state_text",
]

translate = QCoreApplication.translate

_ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NAME_LIMIT = 40


def parse_arguments(text: str) -> tuple[list[str], str]:
    """The arguments split like a shell does, and "" — or [] and one sentence saying what is wrong."""
    try:
        return shlex.split(text), ""
    except ValueError as exc:
        if "quotation" in str(exc):
            return [], translate("McpServerEditor", "The arguments have a quote that is not closed.")
        return [], translate("McpServerEditor", "The arguments end with a lone backslash.")


def parse_environment(text: str) -> tuple[dict[str, str], str]:
    """``KEY=VALUE`` lines (blank lines and ``#`` comments skipped), and "" — or one sentence."""
    env: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, equals, value = line.partition("=")
        key = key.strip()
        if not equals:
            return {}, translate("McpServerEditor", "Environment line {n}: write it as NAME=value.").format(n=number)
        if not _ENV_KEY.match(key):
            return {}, translate(
                "McpServerEditor",
                "Environment line {n}: the name {name} may only have letters, digits and _, and not start with a digit.",
            ).format(n=number, name=key or "''")
        if key in env:
            return {}, translate("McpServerEditor", "Environment line {n}: {name} is set twice.").format(n=number, name=key)
        env[key] = value.strip()
    return env, ""


_REASONS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^The command (.+) was not found\.$"),
     lambda m: translate("McpServersPage", "The command {command} was not found.").format(command=m[1])),
    (re.compile(r"^The command (.+) cannot be run \(permission denied\)\.$"),
     lambda m: translate("McpServersPage", "The command {command} cannot be run (permission denied).").format(command=m[1])),
    (re.compile(r"^The server closed the connection\.$"),
     lambda m: translate("McpServersPage", "The server closed the connection.")),
    (re.compile(r"^The server ended during the handshake\.$"),
     lambda m: translate("McpServersPage", "The server ended before it was ready.")),
    (re.compile(r"^The server did not answer the handshake within (\S+) s\.$"),
     lambda m: translate("McpServersPage", "The server did not answer within {seconds} s.").format(seconds=m[1])),
    (re.compile(r"^The server process ended\.$"),
     lambda m: translate("McpServersPage", "The server process ended.")),
    (re.compile(r"^The working folder (.+) does not exist\.$"),
     lambda m: translate("McpServersPage", "The working folder {folder} does not exist.").format(folder=m[1])),
    (re.compile(r"^The environment values are not in the keychain\.$"),
     lambda m: translate("McpServersPage",
                         "Its environment values are not in the keychain: edit the server to enter them again.")),
    (re.compile(r"^The environment values could not be read from the keychain \((\w+)\)\.$"),
     lambda m: _keychain_reason(m[1])),
]


def _keychain_reason(kind: str) -> str:
    if kind == "locked":
        return translate("McpServersPage", "Its environment values are in the keychain, which is locked: unlock it and press Start.")
    if kind == "no_backend":
        return translate("McpServersPage", "Its environment values are in the keychain, but no keychain is available now.")
    return translate("McpServersPage", "Its environment values could not be read from the keychain.")
_LAST_MESSAGE = " Its last message: "


def reason_text(reason: str | None) -> str:
    """The manager's English reason in the user's language (the server's own words kept as they are)."""
    if not reason:
        return ""
    head, _, last = reason.partition(_LAST_MESSAGE)
    text = head
    for pattern, words in _REASONS:
        match = pattern.match(head)
        if match:
            text = words(match)
            break
    if last:
        text = translate("McpServersPage", "{reason} Its last message: {message}").format(reason=text, message=last)
    return text


def state_text(server: McpServerSettings | None, state: McpServerState) -> tuple[str, str]:
    """(short state for the list, the full sentence for the details)."""
    status = state.status
    if status == "ready":
        n = len(state.tools)
        # The sentence is chosen here: Qt's %n plural needs a compiled English catalogue.
        if n == 1:
            short = translate("McpServersPage", "Ready, 1 tool")
        else:
            short = translate("McpServersPage", "Ready, {count} tools").format(count=n)
        return short, short
    if status == "starting":
        short = translate("McpServersPage", "Starting…")
        return short, short
    if status == "failed":
        return translate("McpServersPage", "Failed"), translate("McpServersPage", "Failed: {reason}").format(
            reason=reason_text(state.reason))
    if status == "exited":
        return translate("McpServersPage", "Exited"), translate("McpServersPage", "Exited: {reason}").format(
            reason=reason_text(state.reason))
    if server is not None and not server.enabled:
        short = translate("McpServersPage", "Disabled")
        return short, translate("McpServersPage", "Disabled: it is not started with Parla. Start runs it until Parla closes.")
    short = translate("McpServersPage", "Stopped")
    return short, short


class McpServerEditor(QDialog):
    """The form for one server; :attr:`accepted_settings` is emitted with the valid result."""

    accepted_settings = Signal(object)  # McpServerSettings

    def __init__(
        self,
        server: McpServerSettings | None,
        taken_names: set[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._original = server
        self._taken = {name.casefold() for name in taken_names}
        self.setWindowTitle(self.tr("Edit MCP server") if server is not None else self.tr("Add MCP server"))
        self.setModal(True)

        self.name_edit = QLineEdit(self)
        self.name_edit.setMaxLength(NAME_LIMIT)
        self.name_edit.setPlaceholderText(self.tr("e.g. files"))
        self.name_edit.setAccessibleName(self.tr("Server name"))
        self.name_edit.setToolTip(self.tr("A short name; the chat sees its tools as <name>__<tool>"))

        self.command_edit = QLineEdit(self)
        self.command_edit.setPlaceholderText(self.tr("e.g. npx, uvx or /path/to/server"))
        self.command_edit.setAccessibleName(self.tr("Command"))
        self.command_edit.setToolTip(self.tr("The program that runs the server (found on PATH, or a full path)"))
        self.browse_button = QPushButton(self.tr("Browse…"), self)
        self.browse_button.setAccessibleName(self.tr("Choose the command"))
        self.browse_button.setToolTip(self.tr("Choose the server's program file"))
        self.browse_button.clicked.connect(self._on_browse_command)
        command_row = QHBoxLayout()
        command_row.setContentsMargins(0, 0, 0, 0)
        command_row.addWidget(self.command_edit, 1)
        command_row.addWidget(self.browse_button)

        self.args_edit = QLineEdit(self)
        self.args_edit.setPlaceholderText(self.tr("e.g. -y @modelcontextprotocol/server-filesystem ~/Documents"))
        self.args_edit.setAccessibleName(self.tr("Arguments"))
        self.args_edit.setToolTip(self.tr("Split like a shell does: quote an argument that has spaces"))

        self.env_edit = QPlainTextEdit(self)
        self.env_edit.setPlaceholderText(self.tr("One per line: NAME=value"))
        self.env_edit.setAccessibleName(self.tr("Environment variables"))
        self.env_edit.setToolTip(self.tr("Extra environment variables for the server, one NAME=value per line"))
        self.env_edit.setTabChangesFocus(True)
        self.env_edit.setFixedHeight(self.env_edit.fontMetrics().lineSpacing() * 5 + 12)

        self.cwd_edit = QLineEdit(self)
        self.cwd_edit.setPlaceholderText(self.tr("Parla's own (leave empty)"))
        self.cwd_edit.setAccessibleName(self.tr("Working folder"))
        self.cwd_edit.setToolTip(self.tr("The folder the server runs in; empty for Parla's own"))
        self.cwd_button = QPushButton(self.tr("Browse…"), self)
        self.cwd_button.setAccessibleName(self.tr("Choose the working folder"))
        self.cwd_button.setToolTip(self.tr("Choose the folder the server runs in"))
        self.cwd_button.clicked.connect(self._on_browse_cwd)
        cwd_row = QHBoxLayout()
        cwd_row.setContentsMargins(0, 0, 0, 0)
        cwd_row.addWidget(self.cwd_edit, 1)
        cwd_row.addWidget(self.cwd_button)

        self.enabled_check = QCheckBox(self.tr("Start it with Parla"), self)
        self.enabled_check.setAccessibleName(self.tr("Enabled"))
        self.enabled_check.setToolTip(self.tr("When off, the server is kept here but only runs when you press Start"))
        self.enabled_check.setChecked(True)

        self.env_note = QLabel(self)
        self.env_note.setEnabled(False)
        self.keychain_check = QCheckBox(self.tr("Keep the values in the system keychain"), self)
        self.keychain_check.setAccessibleName(self.tr("Keep the environment values in the keychain"))
        self.keychain_check.setToolTip(self.tr(
            "For API keys and passwords: the settings file then holds only the names of the variables"))
        self.keychain_check.toggled.connect(self._update_env_note)
        self._update_env_note()

        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName(self.tr("Problem"))
        palette = self.error_label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#c62828"))
        self.error_label.setPalette(palette)
        self.error_label.hide()

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow(self.tr("Command:"), command_row)
        form.addRow(self.tr("Arguments:"), self.args_edit)
        form.addRow(self.tr("Environment:"), self.env_edit)
        form.addRow("", self.keychain_check)
        form.addRow("", self.env_note)
        form.addRow(self.tr("Working folder:"), cwd_row)
        form.addRow("", self.enabled_check)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        if server is not None:
            self.name_edit.setText(server.name)
            self.command_edit.setText(server.command)
            self.args_edit.setText(shlex.join(server.args))
            self.env_edit.setPlainText(environment_lines(server.env))
            self.cwd_edit.setText(server.cwd)
            self.enabled_check.setChecked(server.enabled)
            self.keychain_check.setChecked(server.secret_env)
        self.setMinimumWidth(560)
        self.resize(640, self.sizeHint().height())

    def result_settings(self) -> tuple[McpServerSettings | None, str, QWidget | None]:
        """The settings, or None with one sentence and the field to fix."""
        name = self.name_edit.text().strip()
        if not name:
            return None, self.tr("Give the server a name."), self.name_edit
        if name.casefold() in self._taken:
            return None, self.tr("There is already a server named {name}.").format(name=name), self.name_edit
        command = self.command_edit.text().strip()
        if not command:
            return None, self.tr("Enter the command that runs the server."), self.command_edit
        args, problem = parse_arguments(self.args_edit.text())
        if problem:
            return None, problem, self.args_edit
        env, problem = parse_environment(self.env_edit.toPlainText())
        if problem:
            return None, problem, self.env_edit
        cwd = self.cwd_edit.text().strip()
        if cwd and not Path(cwd).expanduser().is_dir():
            return None, self.tr("The working folder does not exist."), self.cwd_edit
        settings = McpServerSettings(
            name, command, tuple(args), env, cwd, self.enabled_check.isChecked(), self.keychain_check.isChecked()
        )
        return settings, "", None

    @Slot()
    def _update_env_note(self) -> None:
        if self.keychain_check.isChecked():
            self.env_note.setText(self.tr("The values are kept in the system keychain and never logged."))
            self.env_note.setToolTip(self.tr("Parla's settings file keeps only the names of the variables"))
        else:
            self.env_note.setText(self.tr("The values are stored readable only by you and never logged."))
            self.env_note.setToolTip(self.tr("They are kept in Parla's settings folder (mcp_servers.json)"))

    @Slot()
    def _on_ok(self) -> None:
        settings, problem, field_widget = self.result_settings()
        if settings is None:
            self.error_label.setText(problem)
            self.error_label.show()
            if field_widget is not None:
                field_widget.setFocus()
            return
        self.error_label.hide()
        self.accepted_settings.emit(settings)
        self.accept()

    @Slot()
    def _on_browse_command(self) -> None:
        dialog = QFileDialog(self, self.tr("Choose the server's program"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.command_edit.setText)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    @Slot()
    def _on_browse_cwd(self) -> None:
        dialog = QFileDialog(self, self.tr("Choose the working folder"))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.cwd_edit.setText)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()


class McpServersPage(QWidget):
    """The list of servers with their live state, their tools, and add / edit / remove / start / stop."""

    def __init__(self, service: ToolService, tasks: TaskRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._saving = tasks.holder("settings.mcp")
        # The service finishes a save by itself; only the page's own follow-up (messages) must stop.
        self.destroyed.connect(self._saving.cancel)
        self._editor: McpServerEditor | None = None
        #: The "Remove?" question while it is open.
        self.remove_box: QMessageBox | None = None

        note = QLabel(self.tr(
            "MCP servers are programs that give the chat more tools. Changes on this page take effect at once."), self)
        note.setWordWrap(True)
        note.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        self.server_list = QTreeWidget(self)
        self.server_list.setColumnCount(2)
        self.server_list.setHeaderLabels([self.tr("Server"), self.tr("State")])
        self.server_list.setRootIsDecorated(False)
        self.server_list.setUniformRowHeights(True)
        self.server_list.setAccessibleName(self.tr("MCP servers"))
        self.server_list.setToolTip(self.tr("Your MCP servers and whether they are running"))
        self.server_list.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Sized by :meth:`_fit_state_column` (the contents plus a margin: ResizeToContents leaves the
        # last letter against the frame); a narrow list elides it, the tooltip has the sentence.
        self.server_list.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        self.server_list.header().setStretchLastSection(False)
        self.server_list.header().setAccessibleName(self.tr("Server list columns"))
        self.server_list.header().setToolTip(self.tr("Drag the edge of a column to change its width"))
        self.server_list.currentItemChanged.connect(self._on_current_changed)
        self.server_list.itemDoubleClicked.connect(self._on_edit)

        self.add_button = QPushButton(self.tr("Add…"), self)
        self.add_button.setAccessibleName(self.tr("Add a server"))
        self.add_button.setToolTip(self.tr("Add an MCP server that runs on this computer"))
        self.add_button.clicked.connect(self._on_add)
        self.edit_button = QPushButton(self.tr("Edit…"), self)
        self.edit_button.setAccessibleName(self.tr("Edit the server"))
        self.edit_button.setToolTip(self.tr("Change the selected server's command, arguments or environment"))
        self.edit_button.clicked.connect(self._on_edit)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.remove_button.setAccessibleName(self.tr("Remove the server"))
        self.remove_button.setToolTip(self.tr("Stop the selected server and remove it from Parla"))
        self.remove_button.clicked.connect(self._on_remove)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.add_button)
        list_buttons.addWidget(self.edit_button)
        list_buttons.addWidget(self.remove_button)
        list_buttons.addStretch(1)

        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.server_list, 1)
        left_layout.addLayout(list_buttons)

        self.title_label = QLabel(self)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.command_label = QLabel(self)
        self.command_label.setWordWrap(True)
        self.command_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.command_label.setAccessibleName(self.tr("Command line"))
        self.state_label = QLabel(self)
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label.setAccessibleName(self.tr("Server state"))

        self.start_button = QPushButton(self.tr("Start"), self)
        self.start_button.setAccessibleName(self.tr("Start the server"))
        self.start_button.setToolTip(self.tr("Run the selected server now"))
        self.start_button.clicked.connect(self._on_start)
        self.restart_button = QPushButton(self.tr("Restart"), self)
        self.restart_button.setAccessibleName(self.tr("Restart the server"))
        self.restart_button.setToolTip(self.tr("Stop the selected server and start it again"))
        self.restart_button.clicked.connect(self._on_start)
        self.stop_button = QPushButton(self.tr("Stop"), self)
        self.stop_button.setAccessibleName(self.tr("Stop the server"))
        self.stop_button.setToolTip(self.tr("Stop the selected server; its tools leave the chat"))
        self.stop_button.clicked.connect(self._on_stop)
        run_buttons = QHBoxLayout()
        run_buttons.addWidget(self.start_button)
        run_buttons.addWidget(self.restart_button)
        run_buttons.addWidget(self.stop_button)
        run_buttons.addStretch(1)

        tools_label = QLabel(self.tr("Tools:"), self)
        self.tool_list = QTreeWidget(self)
        self.tool_list.setColumnCount(2)
        self.tool_list.setHeaderLabels([self.tr("Tool"), self.tr("Description")])
        self.tool_list.setRootIsDecorated(False)
        self.tool_list.setWordWrap(True)
        self.tool_list.setAccessibleName(self.tr("Tools of the server"))
        self.tool_list.setToolTip(self.tr("The tools this server offers to the chat (while it is ready)"))
        self.tool_list.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tool_list.header().setStretchLastSection(True)
        self.tool_list.header().setAccessibleName(self.tr("Tool list columns"))
        self.tool_list.header().setToolTip(self.tr("Drag the edge of a column to change its width"))
        self.tools_empty_label = QLabel(self)
        self.tools_empty_label.setWordWrap(True)
        self.tools_empty_label.setEnabled(False)

        self.details = QWidget(self)
        details_layout = QVBoxLayout(self.details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addWidget(self.title_label)
        details_layout.addWidget(self.command_label)
        details_layout.addWidget(self.state_label)
        details_layout.addLayout(run_buttons)
        details_layout.addWidget(tools_label)
        details_layout.addWidget(self.tools_empty_label)
        details_layout.addWidget(self.tool_list, 1)
        details_layout.addStretch(0)  # takes the room while the list is hidden

        self.empty_label = QLabel(self.tr("No MCP servers yet. Press Add… to give the chat tools from one."), self)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setEnabled(False)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.details, 1)
        right_layout.addWidget(self.empty_label, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([340, 520])

        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName(self.tr("MCP page message"))

        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status_label)

        service.server_state_changed.connect(self._on_state_changed)
        service.servers_changed.connect(self._reload)
        self._reload()
        unreadable = service.unreadable_list
        if unreadable is not None:
            self.status_label.setText(self.tr(
                "The saved list of MCP servers could not be read; it was kept as {file} and the list starts empty."
            ).format(file=str(unreadable)))

    # -- public (tests) ------------------------------------------------------------------------------

    @property
    def editor(self) -> McpServerEditor | None:
        """The add/edit form while it is open."""
        return self._editor

    def select(self, name: str) -> None:
        for index in range(self.server_list.topLevelItemCount()):
            item = self.server_list.topLevelItem(index)
            if item.data(0, Qt.ItemDataRole.UserRole) == name:
                self.server_list.setCurrentItem(item)
                return

    def selected_name(self) -> str | None:
        item = self.server_list.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def row_state(self, name: str) -> str:
        item = self._item(name)
        return item.text(1) if item is not None else ""

    async def cancel_work_and_wait(self) -> None:
        await self._saving.cancel_and_wait()

    # -- list ----------------------------------------------------------------------------------------

    def _item(self, name: str) -> QTreeWidgetItem | None:
        for index in range(self.server_list.topLevelItemCount()):
            item = self.server_list.topLevelItem(index)
            if item.data(0, Qt.ItemDataRole.UserRole) == name:
                return item
        return None

    @Slot()
    def _reload(self) -> None:
        selected = self.selected_name()
        self.server_list.blockSignals(True)
        self.server_list.clear()
        for server in self._service.servers():
            item = QTreeWidgetItem([server.name, ""])
            item.setData(0, Qt.ItemDataRole.UserRole, server.name)
            self.server_list.addTopLevelItem(item)
            self._fill_row(item, server)
        self._fit_state_column()
        self.server_list.blockSignals(False)
        if self.server_list.topLevelItemCount():
            self.select(selected or "")
            if self.server_list.currentItem() is None:
                self.server_list.setCurrentItem(self.server_list.topLevelItem(0))
        self._show_details()

    def _fit_state_column(self) -> None:
        """The State column as wide as its longest text (or heading), with room to breathe."""
        metrics = self.server_list.fontMetrics()
        texts = [self.server_list.headerItem().text(1)] + [
            self.server_list.topLevelItem(i).text(1) for i in range(self.server_list.topLevelItemCount())
        ]
        widest = max(metrics.horizontalAdvance(text) for text in texts)
        self.server_list.setColumnWidth(1, widest + 3 * metrics.averageCharWidth() + 8)

    def _fill_row(self, item: QTreeWidgetItem, server: McpServerSettings) -> None:
        short, detail = state_text(server, self._service.state(server.name))
        item.setText(1, short)
        item.setToolTip(0, server.name)
        item.setToolTip(1, detail)
        status = self._service.state(server.name).status
        if status in ("failed", "exited"):
            item.setForeground(1, QColor("#c62828"))
        elif status == "ready":
            item.setForeground(1, QColor("#2e7d32"))
        else:
            item.setForeground(1, self.palette().color(QPalette.ColorRole.Text))
        self._fit_state_column()

    @Slot(str)
    def _on_state_changed(self, name: str) -> None:
        item = self._item(name)
        server = self._service.server(name)
        if item is not None and server is not None:
            self._fill_row(item, server)
        if name == self.selected_name():
            self._show_details()

    @Slot()
    def _on_current_changed(self) -> None:
        self._show_details()

    def _show_details(self) -> None:
        name = self.selected_name()
        server = self._service.server(name) if name is not None else None
        has_servers = self.server_list.topLevelItemCount() > 0
        self.details.setVisible(has_servers)
        self.empty_label.setVisible(not has_servers)
        self.edit_button.setEnabled(server is not None)
        self.remove_button.setEnabled(server is not None)
        self.tool_list.clear()
        if server is None:
            self.title_label.clear()
            self.command_label.clear()
            self.state_label.clear()
            for button in (self.start_button, self.restart_button, self.stop_button):
                button.setEnabled(False)
            self.tools_empty_label.clear()
            return
        state = self._service.state(server.name)
        self.title_label.setText(server.name)
        command_line = " ".join(shlex.quote(part) for part in (server.command, *server.args))
        if server.cwd:
            command_line = self.tr("{command}  (in {folder})").format(command=command_line, folder=server.cwd)
        self.command_label.setText(command_line)
        _short, detail = state_text(server, state)
        if state.status == "ready" and state.server_info:
            detail = self.tr("{state} — {server}").format(state=detail, server=state.server_info)
        self.state_label.setText(detail)
        running = state.status in ("starting", "ready")
        self.start_button.setEnabled(not running)
        self.restart_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        registry = self._service.registry
        for tool_name in state.tools if state.status == "ready" else ():
            tool = registry.get(tool_name)
            if tool is None:
                continue
            shown = str(tool.meta.get("mcp_name") or tool.name)
            item = QTreeWidgetItem([shown, tool.description])
            item.setToolTip(0, self.tr("In the chat: {name}").format(name=tool.name))
            item.setToolTip(1, tool.description)
            self.tool_list.addTopLevelItem(item)
        if state.status == "ready":
            self.tools_empty_label.setText("" if state.tools else self.tr("This server offers no tools."))
        else:
            self.tools_empty_label.setText(self.tr("Its tools are listed here while the server is ready."))
        self.tools_empty_label.setVisible(bool(self.tools_empty_label.text()))
        self.tool_list.setVisible(self.tool_list.topLevelItemCount() > 0)

    # -- actions ------------------------------------------------------------------------------------

    @Slot()
    def _on_add(self) -> None:
        self._open_editor(None)

    @Slot()
    def _on_edit(self) -> None:
        name = self.selected_name()
        server = self._service.server(name) if name is not None else None
        if server is None:
            return
        if self._service.needs_keychain(server.name):
            self._saving.start(self._read_then_edit(server.name))
        else:
            self._open_editor(server)

    async def _read_then_edit(self, name: str) -> None:
        """Read the server's environment values from the keychain, then open the form with them."""
        self.status_label.setText(self.tr("Reading the environment values from the keychain…"))
        try:
            server = await self._service.resolve(name, allow_missing=True)
        except CredentialError as exc:
            self.status_label.setText(self.tr("{problem} The server can be edited once the keychain opens.").format(
                problem=user_message(exc)))
            return
        except KeyError:
            self.status_label.clear()
            return
        self.status_label.clear()
        self._open_editor(server)

    def _open_editor(self, server: McpServerSettings | None) -> None:
        if self._editor is not None:
            self._editor.raise_()
            self._editor.activateWindow()
            return
        taken = {s.name for s in self._service.servers() if server is None or s.name != server.name}
        editor = McpServerEditor(server, taken, self)
        old_name = server.name if server is not None else None
        editor.accepted_settings.connect(lambda settings: self._save(old_name, settings))
        editor.finished.connect(self._on_editor_finished)
        editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._editor = editor
        editor.open()

    @Slot()
    def _on_editor_finished(self) -> None:
        self._editor = None

    def _save(self, old_name: str | None, settings: McpServerSettings) -> None:
        self._saving.start(self._apply(old_name, settings))

    async def _apply(self, old_name: str | None, settings: McpServerSettings) -> None:
        self.status_label.clear()
        try:
            if old_name is None:
                await self._service.add_server(settings)
            else:
                await self._service.update_server(old_name, settings)
        except OSError as exc:
            self._show_save_error(exc)
        except CredentialError as exc:
            self._show_keychain_error(exc)
        except (KeyError, ValueError):
            self.status_label.setText(self.tr("The server list changed meanwhile; nothing was changed. Try again."))
        self.select(settings.name)

    def _show_keychain_error(self, exc: CredentialError) -> None:
        self.status_label.setText(self.tr(
            "{problem} The environment values are used until Parla closes; edit the server again to store them."
        ).format(problem=user_message(exc)))

    def _show_save_error(self, exc: OSError) -> None:
        self.status_label.setText(self.tr(
            "The MCP server list could not be saved ({problem}); the change holds until Parla closes."
        ).format(problem=exc.strerror or type(exc).__name__))

    @Slot()
    def _on_remove(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Remove MCP server"),
            self.tr("Stop {name} and remove it from Parla? Its tools leave the chat.").format(name=name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Remove"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda result: self._on_remove_answer(name, result))
        self.remove_box = box
        box.open()

    def _on_remove_answer(self, name: str, result: int) -> None:
        self.remove_box = None
        if result == QMessageBox.StandardButton.Yes:
            self._saving.start(self._remove(name))

    async def _remove(self, name: str) -> None:
        self.status_label.clear()
        try:
            await self._service.remove_server(name)
        except OSError as exc:
            self._show_save_error(exc)
        except CredentialError as exc:
            self.status_label.setText(self.tr(
                "{problem} The server was removed, but its environment values are still in the keychain."
            ).format(problem=user_message(exc)))

    @Slot()
    def _on_start(self) -> None:
        name = self.selected_name()
        if name is not None:
            self._service.start(name)

    @Slot()
    def _on_stop(self) -> None:
        name = self.selected_name()
        if name is not None:
            self._service.stop(name)


def environment_lines(env: Mapping[str, str]) -> str:
    """The editor's text for ``env``."""
    return "\n".join(f"{key}={value}" for key, value in env.items())
