"""The Profiles page: the list of provider profiles and the form of the selected one.

The page edits copies. Nothing reaches ``profiles.json`` or the keychain until the dialog's OK or
Apply, and then only through ``Session.apply_settings`` (tokens in a worker thread, through the
``Vault``). "Test connection" and "Load models" use the values in the form, saved or not, with a
client made for that one request and closed afterwards.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.api.errors import APIError, NotFoundError
from app.credentials import CredentialError
from app.profiles import (
    DEFAULT_BASE_URL,
    Capability,
    Profile,
    ProxyMode,
    new_profile_id,
)
from app.ui.errors import user_message
from app.ui.profile_names import display_name, stored_name
from app.ui.session import Session, default_client_factory
from app.ui.settings.validation import (
    check_base_url,
    check_ca_bundle,
    check_name,
    check_proxy_url,
)
from app.ui.tasks import TaskRegistry
from app.ui.widgets.path_edit import PathEdit
from app.ui.widgets.secret_edit import SecretEdit

if TYPE_CHECKING:
    from app.api.client import Client
    from app.api.types import Model

__all__ = ["ProfilesPage"]

log = logging.getLogger(__name__)

ClientFactory = Callable[[Profile, "str | None"], "Client"]


class ProfilesPage(QWidget):
    """Profiles list on the left, the selected profile's form on the right."""

    #: The keychain check and the token reads finished (tests and the dialog wait for it).
    tokens_loaded = Signal()
    #: A "Test connection" finished; the argument is the sentence shown.
    test_finished = Signal(str)
    #: "Load models" finished; the argument is the sentence shown.
    models_loaded = Signal(str)

    def __init__(
        self,
        session: Session,
        tasks: TaskRegistry,
        *,
        client_factory: ClientFactory = default_client_factory,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._client_factory = client_factory
        self._profiles: list[Profile] = [copy.deepcopy(p) for p in session.profiles]
        self._original_ids = {p.id for p in self._profiles}
        self._active_id = session.active_id
        self._tokens: dict[str, str] = {}
        self._token_state: dict[str, str] = {}  # id -> "keychain" | "session" | "none" | "unreadable"
        self._dirty_tokens: set[str] = set()
        self._model_ids: dict[str, list[str]] = {}
        self._current_id: str | None = None
        self._keychain_error: CredentialError | None = None
        self._loading = tasks.holder("settings.load-tokens")
        self._testing = tasks.holder("settings.test-connection")
        self._listing = tasks.holder("settings.load-models")

        self._build()
        self._fill_list(self._active_id)
        self._update_environment_notice()

    # -- construction ----------------------------------------------------------------------------

    def _build(self) -> None:
        # Left: the list and what can be done with it.
        self._list = QListWidget(self)
        self._list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._list.setAccessibleName(self.tr("Profiles"))
        self._list.currentRowChanged.connect(self._on_current_row_changed)
        self._add_button = QPushButton(self.tr("Add"), self)
        self._add_button.clicked.connect(self._on_add_clicked)
        self._duplicate_button = QPushButton(self.tr("Duplicate"), self)
        self._duplicate_button.clicked.connect(self._on_duplicate_clicked)
        self._remove_button = QPushButton(self.tr("Remove"), self)
        self._remove_button.clicked.connect(self._on_remove_clicked)
        self._activate_button = QPushButton(self.tr("Make active"), self)
        self._activate_button.clicked.connect(self._on_activate_clicked)
        buttons = QGridLayout()
        buttons.addWidget(self._add_button, 0, 0)
        buttons.addWidget(self._duplicate_button, 0, 1)
        buttons.addWidget(self._remove_button, 1, 0)
        buttons.addWidget(self._activate_button, 1, 1)
        left = QVBoxLayout()
        left.addWidget(self._list, 1)
        left.addLayout(buttons)

        # Right: notices, then the form in a scroll area (small screens).
        form_widget = QWidget(self)
        form = QVBoxLayout(form_widget)
        form.setContentsMargins(0, 0, 6, 0)

        self._environment_notice = _notice_label(form_widget)
        form.addWidget(self._environment_notice)
        self._keychain_notice = self._build_keychain_notice(form_widget)
        form.addWidget(self._keychain_notice)

        general = QGroupBox(self.tr("Server"), form_widget)
        general_form = QFormLayout(general)
        general_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self._name_edit = QLineEdit(general)
        self._name_edit.textEdited.connect(self._on_name_edited)
        general_form.addRow(self.tr("&Name:"), self._name_edit)
        self._base_url_edit = QLineEdit(general)
        self._base_url_edit.setPlaceholderText(DEFAULT_BASE_URL)
        self._base_url_edit.textEdited.connect(self._on_form_edited)
        general_form.addRow(self.tr("Base &URL:"), self._base_url_edit)
        self._token_edit = SecretEdit(general)
        self._token_edit.text_edited.connect(self._on_token_edited)
        general_form.addRow(self.tr("&Token:"), self._token_edit)
        # A QLabel gives the focus only to a buddy that takes focus itself: the edit, not its box.
        _set_buddy(general_form, self._token_edit, self._token_edit.line_edit)
        self._token_note = _note_label(general)
        general_form.addRow("", self._token_note)
        test_row = QHBoxLayout()
        self._test_button = QPushButton(self.tr("Test &connection"), general)
        self._test_button.clicked.connect(self._on_test_clicked)
        self._test_result = _note_label(general)
        self._test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        test_row.addWidget(self._test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self._test_result, 1)
        general_form.addRow("", test_row)
        form.addWidget(general)

        models = QGroupBox(self.tr("Default models"), form_widget)
        models_form = QFormLayout(models)
        models_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self._model_combos: dict[Capability, QComboBox] = {}
        labels = {
            Capability.CHAT: self.tr("C&hat:"),
            Capability.IMAGE: self.tr("&Images:"),
            Capability.SPEECH: self.tr("&Speech:"),
            Capability.TRANSCRIPTION: self.tr("T&ranscription:"),
            Capability.EMBEDDING: self.tr("&Embeddings:"),
        }
        model_names = {
            Capability.CHAT: self.tr("Chat model"),
            Capability.IMAGE: self.tr("Image model"),
            Capability.SPEECH: self.tr("Speech model"),
            Capability.TRANSCRIPTION: self.tr("Transcription model"),
            Capability.EMBEDDING: self.tr("Embedding model"),
        }
        model_tips = {
            Capability.CHAT: self.tr("The model the Chat tab starts with"),
            Capability.IMAGE: self.tr("The model the Images tab starts with"),
            Capability.SPEECH: self.tr("The model that reads text aloud"),
            Capability.TRANSCRIPTION: self.tr("The model that turns speech into text"),
            Capability.EMBEDDING: self.tr("The model used for semantic search"),
        }
        for capability in Capability:
            combo = QComboBox(models)
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            combo.setMaxVisibleItems(20)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            completer = combo.completer()
            if completer is not None:
                completer.setFilterMode(Qt.MatchFlag.MatchContains)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            combo.editTextChanged.connect(self._on_form_edited)
            combo.setAccessibleName(model_names[capability])
            combo.setToolTip(model_tips[capability] + " — " + self.tr("pick one of Load models' list or type a name"))
            self._model_combos[capability] = combo
            models_form.addRow(labels[capability], combo)
        load_row = QHBoxLayout()
        self._load_models_button = QPushButton(self.tr("&Load models"), models)
        self._load_models_button.setToolTip(self.tr("Ask the server for its models (GET /models) to choose from"))
        self._load_models_button.clicked.connect(self._on_load_models_clicked)
        self._models_result = _note_label(models)
        load_row.addWidget(self._load_models_button, 0, Qt.AlignmentFlag.AlignTop)
        load_row.addWidget(self._models_result, 1)
        models_form.addRow("", load_row)
        form.addWidget(models)

        network = QGroupBox(self.tr("Network"), form_widget)
        network_form = QFormLayout(network)
        network_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self._timeout_spin = QSpinBox(network)
        self._timeout_spin.setRange(5, 3600)
        self._timeout_spin.setSuffix(self.tr(" s"))
        self._timeout_spin.setToolTip(self.tr("How long to wait for the next bytes of an answer; large models can be slow to start"))
        self._timeout_spin.valueChanged.connect(self._on_form_edited)
        network_form.addRow(self.tr("Request ti&meout:"), self._timeout_spin)
        self._connect_timeout_spin = QSpinBox(network)
        self._connect_timeout_spin.setRange(1, 300)
        self._connect_timeout_spin.setSuffix(self.tr(" s"))
        self._connect_timeout_spin.valueChanged.connect(self._on_form_edited)
        network_form.addRow(self.tr("C&onnect timeout:"), self._connect_timeout_spin)
        self._proxy_combo = QComboBox(network)
        self._proxy_combo.addItem(self.tr("System settings"), ProxyMode.SYSTEM.value)
        self._proxy_combo.addItem(self.tr("No proxy"), ProxyMode.NONE.value)
        self._proxy_combo.addItem(self.tr("Custom proxy"), ProxyMode.CUSTOM.value)
        self._proxy_combo.currentIndexChanged.connect(self._on_form_edited)
        network_form.addRow(self.tr("&Proxy:"), self._proxy_combo)
        self._proxy_edit = QLineEdit(network)
        self._proxy_edit.setPlaceholderText("socks5://127.0.0.1:1080")
        self._proxy_edit.textEdited.connect(self._on_form_edited)
        network_form.addRow(self.tr("Pro&xy URL:"), self._proxy_edit)
        self._verify_check = QCheckBox(self.tr("&Verify TLS certificates"), network)
        self._verify_check.toggled.connect(self._on_form_edited)
        network_form.addRow("", self._verify_check)
        self._ca_edit = PathEdit(
            network, caption=self.tr("Choose a CA bundle"), name_filter=self.tr("Certificates (*.pem *.crt *.cer);;All files (*)")
        )
        self._ca_edit.setPlaceholderText(self.tr("System certificates"))
        self._ca_edit.path_changed.connect(self._on_form_edited)
        network_form.addRow(self.tr("C&A bundle:"), self._ca_edit)
        _set_buddy(network_form, self._ca_edit, self._ca_edit.line_edit)
        form.addWidget(network)

        self._problem_label = _note_label(form_widget)
        self._problem_label.setObjectName("problem_label")
        self._problem_label.setStyleSheet("color: #d04040;")
        form.addWidget(self._problem_label)
        form.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(form_widget)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 0)
        layout.addWidget(scroll, 1)
        self._list.setMinimumWidth(190)
        self._list.setMaximumWidth(260)
        self._describe_controls()

    def _describe_controls(self) -> None:
        """Names for screen readers and tooltips for what the labels alone do not say."""
        described: list[tuple[QWidget, str, str]] = [
            (self._list, "", self.tr("Your servers; the active one is what the tabs use")),
            (self._add_button, "", self.tr("Add a new profile")),
            (self._duplicate_button, "", self.tr("Copy the selected profile (its token too)")),
            (self._remove_button, "", self.tr("Delete the selected profile and its token")),
            (self._activate_button, "", self.tr("Use the selected profile from now on")),
            (self._name_edit, self.tr("Profile name"), self.tr("What the profile is called in menus and the status bar")),
            (self._base_url_edit, self.tr("Base URL"),
             self.tr("The API address, ending in /v1 for OpenAI-compatible servers")),
            (self._test_button, "", self.tr("Check that the server answers and takes the token")),
            (self._timeout_spin, self.tr("Request timeout"), self._timeout_spin.toolTip()),
            (self._connect_timeout_spin, self.tr("Connect timeout"),
             self.tr("How long to wait for the server to accept the connection")),
            (self._proxy_combo, self.tr("Proxy"), self.tr("Whether requests go through a proxy")),
            (self._proxy_edit, self.tr("Proxy URL"), self.tr("The proxy's address: http://, https:// or socks5://")),
            (self._verify_check, "", self.tr("Turn off only for a server with a self-signed certificate you trust")),
            (self._session_only_check, "", self.tr("The token is kept in memory and asked for again next time")),
            (self._recheck_button, "", self.tr("Look for a usable keychain again")),
        ]
        for widget, name, tip in described:
            if name:
                widget.setAccessibleName(name)
            widget.setToolTip(tip)
        self._ca_edit.describe(self.tr("CA bundle"),
                               self.tr("A file of certificates to trust instead of the system's (PEM)"))

    def _build_keychain_notice(self, parent: QWidget) -> QFrame:
        frame = QFrame(parent)
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(frame)
        title = QLabel(self.tr("The system keychain cannot be used"), frame)
        bold = QFont(title.font())
        bold.setBold(True)
        title.setFont(bold)
        self._keychain_reason = _note_label(frame)
        help_text = _note_label(frame)
        help_text.setText(
            self.tr(
                "Parla keeps tokens only in the system keychain, never in a file. To store them, install and unlock "
                "a Secret Service keychain — GNOME Keyring (package gnome-keyring) or KDE Wallet — then press "
                "Check again. keyrings.alt is not recommended: it keeps tokens in plain text."
            )
        )
        self._session_only_check = QCheckBox(self.tr("Keep tokens for this session only (forgotten when Parla quits)"), frame)
        self._session_only_check.toggled.connect(self._on_session_only_toggled)
        self._recheck_button = QPushButton(self.tr("Check again"), frame)
        self._recheck_button.clicked.connect(self._on_recheck_clicked)
        row = QHBoxLayout()
        row.addWidget(self._session_only_check, 1)
        row.addWidget(self._recheck_button)
        layout.addWidget(title)
        layout.addWidget(self._keychain_reason)
        layout.addWidget(help_text)
        layout.addLayout(row)
        frame.hide()
        return frame

    # -- public ----------------------------------------------------------------------------------

    def start_loading(self) -> asyncio.Task[None]:
        """Check the keychain and read each profile's token (worker threads)."""
        return self._loading.start(self._load_tokens())

    @property
    def loading_task(self) -> asyncio.Task[None] | None:
        return self._loading.task

    @property
    def test_task(self) -> asyncio.Task[None] | None:
        return self._testing.task

    @property
    def models_task(self) -> asyncio.Task[None] | None:
        return self._listing.task

    def cancel_work(self) -> None:
        for holder in (self._loading, self._testing, self._listing):
            holder.cancel()

    async def cancel_work_and_wait(self) -> None:
        for holder in (self._loading, self._testing, self._listing):
            await holder.cancel_and_wait()

    def profiles(self) -> list[Profile]:
        return [copy.deepcopy(p) for p in self._profiles]

    def active_id(self) -> str:
        return self._active_id

    def current_profile(self) -> Profile | None:
        return self._find(self._current_id) if self._current_id else None

    def select_profile(self, profile_id: str) -> None:
        self._list.setCurrentRow(self._index_of(profile_id))

    def changed_tokens(self) -> dict[str, str]:
        """The tokens the user typed, by profile id ("" = remove)."""
        return {pid: self._tokens.get(pid, "") for pid in self._dirty_tokens if self._find(pid) is not None}

    def removed_ids(self) -> set[str]:
        return self._original_ids - {p.id for p in self._profiles}

    def session_only(self) -> bool:
        return self._keychain_notice.isVisibleTo(self) and self._session_only_check.isChecked()

    def validate(self) -> bool:
        """Check every profile; select the first bad one and say what is wrong."""
        for profile in self._profiles:
            problem = self._problem(profile)
            if problem:
                self.select_profile(profile.id)
                self._problem_label.setText(problem)
                return False
        self._problem_label.clear()
        return True

    def saved(self) -> None:
        """After a successful save: what is in the form is now what is stored."""
        self._original_ids = {p.id for p in self._profiles}
        for pid in self._dirty_tokens:
            token = self._tokens.get(pid, "")
            self._token_state[pid] = ("session" if self.session_only() else "keychain") if token else "none"
        self._dirty_tokens.clear()
        self._update_token_note()

    def show_save_error(self, error: CredentialError) -> None:
        """A token could not be stored: show why, with the session-only choice."""
        self._keychain_error = error
        self._keychain_reason.setText(user_message(error))
        self._keychain_notice.show()
        self._problem_label.setText(
            self.tr("The token was not saved. Make the keychain available, or keep the token for this session only.")
        )

    # widgets, for the window's tests and the dialog
    @property
    def profile_list(self) -> QListWidget:
        return self._list

    @property
    def name_edit(self) -> QLineEdit:
        return self._name_edit

    @property
    def base_url_edit(self) -> QLineEdit:
        return self._base_url_edit

    @property
    def token_edit(self) -> SecretEdit:
        return self._token_edit

    @property
    def token_note(self) -> QLabel:
        return self._token_note

    @property
    def test_button(self) -> QPushButton:
        return self._test_button

    @property
    def test_result(self) -> QLabel:
        return self._test_result

    @property
    def load_models_button(self) -> QPushButton:
        return self._load_models_button

    @property
    def models_result(self) -> QLabel:
        return self._models_result

    @property
    def model_combos(self) -> dict[Capability, QComboBox]:
        return dict(self._model_combos)

    @property
    def timeout_spin(self) -> QSpinBox:
        return self._timeout_spin

    @property
    def connect_timeout_spin(self) -> QSpinBox:
        return self._connect_timeout_spin

    @property
    def proxy_combo(self) -> QComboBox:
        return self._proxy_combo

    @property
    def proxy_edit(self) -> QLineEdit:
        return self._proxy_edit

    @property
    def verify_check(self) -> QCheckBox:
        return self._verify_check

    @property
    def ca_edit(self) -> PathEdit:
        return self._ca_edit

    @property
    def problem_label(self) -> QLabel:
        return self._problem_label

    @property
    def keychain_notice(self) -> QFrame:
        return self._keychain_notice

    @property
    def keychain_reason(self) -> QLabel:
        return self._keychain_reason

    @property
    def session_only_check(self) -> QCheckBox:
        return self._session_only_check

    @property
    def environment_notice(self) -> QLabel:
        return self._environment_notice

    @property
    def add_button(self) -> QPushButton:
        return self._add_button

    @property
    def duplicate_button(self) -> QPushButton:
        return self._duplicate_button

    @property
    def remove_button(self) -> QPushButton:
        return self._remove_button

    @property
    def activate_button(self) -> QPushButton:
        return self._activate_button

    # -- list ------------------------------------------------------------------------------------

    def _find(self, profile_id: str | None) -> Profile | None:
        return next((p for p in self._profiles if p.id == profile_id), None)

    def _index_of(self, profile_id: str) -> int:
        return next((i for i, p in enumerate(self._profiles) if p.id == profile_id), 0)

    def _item_text(self, profile: Profile) -> str:
        name = display_name(profile) or self.tr("(unnamed)")
        if profile.id == self._active_id:
            return self.tr("{name} (active)").format(name=name)
        return name

    def _fill_list(self, select_id: str | None) -> None:
        """Rebuild the list and select ``select_id`` (or the first profile), loading its form."""
        with QSignalBlocker(self._list):
            self._list.clear()
            for profile in self._profiles:
                item = QListWidgetItem(self._item_text(profile))
                item.setData(Qt.ItemDataRole.UserRole, profile.id)
                if profile.id == self._active_id:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self._list.addItem(item)
            row = self._index_of(select_id) if self._find(select_id) is not None else 0
            self._list.setCurrentRow(row)
        self._on_current_row_changed(row)

    def _refresh_item(self, profile: Profile) -> None:
        item = self._list.item(self._index_of(profile.id))
        if item is not None:
            item.setText(self._item_text(profile))

    def _update_buttons(self) -> None:
        has_selection = self._current_id is not None
        self._remove_button.setEnabled(has_selection and len(self._profiles) > 1)
        self._duplicate_button.setEnabled(has_selection)
        self._activate_button.setEnabled(has_selection and self._current_id != self._active_id)

    def _unique_name(self, base: str) -> str:
        names = {display_name(p) for p in self._profiles}
        if base not in names:
            return base
        n = 2
        while f"{base} {n}" in names:
            n += 1
        return f"{base} {n}"

    @Slot(int)
    def _on_current_row_changed(self, row: int) -> None:
        self._testing.cancel()
        self._listing.cancel()
        item = self._list.item(row) if row >= 0 else None
        self._current_id = str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None
        self._load_form()
        self._update_buttons()

    @Slot()
    def _on_add_clicked(self) -> None:
        profile = Profile(id=new_profile_id(), name=self._unique_name(self.tr("New profile")))
        self._profiles.append(profile)
        self._tokens[profile.id] = ""
        self._token_state[profile.id] = "none"
        self._fill_list(profile.id)
        self._name_edit.setFocus()
        self._name_edit.selectAll()

    @Slot()
    def _on_duplicate_clicked(self) -> None:
        source = self.current_profile()
        if source is None:
            return
        profile = replace(
            copy.deepcopy(source),
            id=new_profile_id(),
            name=self._unique_name(self.tr("{name} (copy)").format(name=display_name(source))),
        )
        self._profiles.insert(self._index_of(source.id) + 1, profile)
        token = self._tokens.get(source.id, "")
        self._tokens[profile.id] = token
        self._token_state[profile.id] = "none"
        if token:
            self._dirty_tokens.add(profile.id)  # the copy's token must be stored under its own id
        self._model_ids[profile.id] = list(self._model_ids.get(source.id, []))
        self._fill_list(profile.id)

    @Slot()
    def _on_remove_clicked(self) -> None:
        profile = self.current_profile()
        if profile is None or len(self._profiles) <= 1:
            return
        index = self._index_of(profile.id)
        self._profiles.remove(profile)
        self._tokens.pop(profile.id, None)
        self._dirty_tokens.discard(profile.id)
        if self._active_id == profile.id:
            self._active_id = self._profiles[0].id
        self._current_id = None
        self._fill_list(self._profiles[min(index, len(self._profiles) - 1)].id)

    @Slot()
    def _on_activate_clicked(self) -> None:
        if self._current_id is None:
            return
        self._active_id = self._current_id
        self._fill_list(self._active_id)
        self._update_environment_notice()
        self._update_token_note()

    # -- form ------------------------------------------------------------------------------------

    def _load_form(self) -> None:
        profile = self.current_profile()
        widgets: list[QWidget] = [
            self._name_edit,
            self._base_url_edit,
            self._token_edit,
            self._timeout_spin,
            self._connect_timeout_spin,
            self._proxy_combo,
            self._proxy_edit,
            self._verify_check,
            self._ca_edit,
            *self._model_combos.values(),
        ]
        blockers = [QSignalBlocker(w) for w in widgets]  # filling the form is not an edit
        try:
            for widget in widgets:
                widget.setEnabled(profile is not None)
            if profile is None:
                return
            self._name_edit.setText(display_name(profile))
            self._base_url_edit.setText(profile.base_url)
            self._token_edit.setText(self._tokens.get(profile.id, ""))
            self._timeout_spin.setValue(round(profile.timeout))
            self._connect_timeout_spin.setValue(round(profile.connect_timeout))
            self._proxy_combo.setCurrentIndex(max(0, self._proxy_combo.findData(str(profile.proxy_mode))))
            self._proxy_edit.setText(profile.proxy_url)
            self._verify_check.setChecked(profile.verify_tls)
            self._ca_edit.set_path(profile.ca_bundle)
            self._fill_model_combos(profile)
        finally:
            for blocker in blockers:
                blocker.unblock()
        self._test_result.clear()
        self._models_result.clear()
        self._problem_label.clear()
        self._update_dependent_fields()
        self._update_token_note()

    def _fill_model_combos(self, profile: Profile) -> None:
        ids = self._model_ids.get(profile.id, [])
        for capability, combo in self._model_combos.items():
            with QSignalBlocker(combo):
                combo.clear()
                combo.addItems(ids)
                combo.setEditText(profile.model_for(capability))

    def _form_profile(self, base: Profile) -> Profile:
        """``base`` with what the form says now."""
        mode = ProxyMode(self._proxy_combo.currentData() or ProxyMode.SYSTEM.value)
        models = dict(base.models)
        for capability, combo in self._model_combos.items():
            text = combo.currentText().strip()
            if text:
                models[capability.value] = text
        return replace(
            base,
            name=stored_name(base, self._name_edit.text()),
            base_url=self._base_url_edit.text().strip(),
            models=models,
            timeout=float(self._timeout_spin.value()),
            connect_timeout=float(self._connect_timeout_spin.value()),
            proxy_mode=mode,
            proxy_url=self._proxy_edit.text().strip(),
            verify_tls=self._verify_check.isChecked(),
            ca_bundle=self._ca_edit.path(),
        )

    def _commit_form(self) -> Profile | None:
        profile = self.current_profile()
        if profile is None:
            return None
        updated = self._form_profile(profile)
        self._profiles[self._index_of(profile.id)] = updated
        return updated

    def _problem(self, profile: Profile) -> str:
        problem = check_name(profile.name) or check_base_url(profile.base_url)
        if not problem and profile.proxy_mode == ProxyMode.CUSTOM:
            problem = check_proxy_url(profile.proxy_url)
        if not problem and profile.verify_tls:
            problem = check_ca_bundle(profile.ca_bundle)
        return problem

    def _update_dependent_fields(self) -> None:
        custom = self._proxy_combo.currentData() == ProxyMode.CUSTOM.value
        self._proxy_edit.setEnabled(custom and self.current_profile() is not None)
        self._ca_edit.setEnabled(self._verify_check.isChecked() and self.current_profile() is not None)

    def _on_form_edited(self, *_args: object) -> None:
        """Any field changed (connected to signals of every signature, hence no @Slot)."""
        profile = self._commit_form()
        self._update_dependent_fields()
        if profile is not None:
            self._problem_label.setText(self._problem(profile))

    @Slot(str)
    def _on_name_edited(self, _text: str) -> None:
        self._on_form_edited()
        profile = self.current_profile()
        if profile is not None:
            self._refresh_item(profile)

    @Slot(str)
    def _on_token_edited(self, text: str) -> None:
        if self._current_id is None:
            return
        self._tokens[self._current_id] = text.strip()
        self._dirty_tokens.add(self._current_id)
        self._update_token_note()

    def _update_environment_notice(self) -> None:
        env = self._session.environment
        active = self._find(self._session.active_id)
        name = display_name(active) if active is not None else ""
        lines = []
        if env.base_url:
            lines.append(
                self.tr("OPENAI_BASE_URL is set: for this run the active profile “{name}” uses {url} instead of its base URL.").format(
                    name=name, url=env.base_url
                )
            )
        if env.token:
            lines.append(
                self.tr("OPENAI_API_KEY is set: for this run the active profile “{name}” uses it instead of its token.").format(
                    name=name
                )
            )
        if lines:
            lines.append(self.tr("Values from the environment are never saved."))
        self._environment_notice.setText("\n".join(lines))
        self._environment_notice.setVisible(bool(lines))

    def _update_token_note(self) -> None:
        pid = self._current_id
        if pid is None:
            self._token_note.clear()
            return
        if pid in self._dirty_tokens:
            if self._tokens.get(pid):
                if self.session_only():
                    note = self.tr("Will be kept for this session only when you press OK or Apply.")
                elif self._keychain_error is not None:
                    note = self.tr("The keychain cannot store it: tick “Keep tokens for this session only” to use it.")
                else:
                    note = self.tr("Will be stored in the system keychain when you press OK or Apply.")
            else:
                note = self.tr("The token will be removed when you press OK or Apply.")
        else:
            state = self._token_state.get(pid)
            if state == "keychain":
                note = self.tr("Stored in the system keychain.")
            elif state == "session":
                note = self.tr("Kept for this session only — forgotten when Parla quits.")
            elif state == "unreadable":
                note = self.tr("The keychain could not be read.")
            elif state is None:
                note = self.tr("Reading the keychain…")
            else:
                note = self.tr("No token stored.")
        if self._session.environment.token and pid == self._session.active_id:
            note += "\n" + self.tr("OPENAI_API_KEY from the environment is used instead for this run.")
        self._token_note.setText(note)

    # -- keychain --------------------------------------------------------------------------------

    async def _load_tokens(self) -> None:
        vault = self._session.vault
        error = await asyncio.to_thread(vault.check_backend)
        self._set_keychain_error(error)
        for profile in list(self._profiles):
            if profile.id in self._dirty_tokens:
                continue
            try:
                token = await asyncio.to_thread(vault.get, profile.id)
            except CredentialError as exc:
                log.info("token of profile %s unreadable: %s", profile.id, exc.kind)
                self._token_state[profile.id] = "unreadable"
                if self._keychain_error is None:
                    self._set_keychain_error(exc)
                continue
            if profile.id in self._dirty_tokens or self._find(profile.id) is None:
                continue  # the user typed (or removed the profile) while we were reading
            self._tokens[profile.id] = token or ""
            if token:
                self._token_state[profile.id] = "session" if vault.is_session_only(profile.id) else "keychain"
            else:
                self._token_state[profile.id] = "none"
            if profile.id == self._current_id:
                with QSignalBlocker(self._token_edit):
                    self._token_edit.setText(token or "")
        self._update_token_note()
        self.tokens_loaded.emit()

    def _set_keychain_error(self, error: CredentialError | None) -> None:
        self._keychain_error = error
        if error is None:
            self._keychain_notice.hide()
            self._update_token_note()
            return
        self._keychain_reason.setText(user_message(error))
        # With no keychain, a token typed now can only be used if kept in memory: say so up front.
        if any(self._session.vault.is_session_only(p.id) for p in self._profiles):
            self._session_only_check.setChecked(True)
        self._keychain_notice.show()
        self._update_token_note()

    @Slot(bool)
    def _on_session_only_toggled(self, _checked: bool) -> None:
        self._update_token_note()

    @Slot()
    def _on_recheck_clicked(self) -> None:
        self._problem_label.clear()
        self.start_loading()

    # -- network ---------------------------------------------------------------------------------

    def _request_profile(self) -> tuple[Profile, str] | None:
        """The form's profile and token for a one-off request, or None (problem shown)."""
        profile = self._commit_form()
        if profile is None:
            return None
        problem = self._problem(profile)
        if problem:
            self._problem_label.setText(problem)
            return None
        return profile, self._tokens.get(profile.id, "")

    async def _list_models(self, profile: Profile, token: str) -> list[Model]:
        """GET /models with the form's values, on a client made for this one call."""
        client = self._client_factory(profile, token or None)
        try:
            return await client.models.list()
        finally:
            await client.aclose()

    @Slot()
    def _on_test_clicked(self) -> None:
        if self._testing.is_running():
            self._testing.cancel()
            return
        request = self._request_profile()
        if request is None:
            return
        self._testing.start(self._test_connection(*request))

    async def _test_connection(self, profile: Profile, token: str) -> None:
        self._test_button.setText(self.tr("Cancel test"))
        self._test_result.setText(self.tr("Testing…"))
        message = ""
        try:
            models = await self._list_models(profile, token)
        except APIError as exc:
            message = user_message(exc)
        except asyncio.CancelledError:
            message = self.tr("Test cancelled.")
            raise
        else:
            count = len(models)
            message = self.tr("Connected — 1 model") if count == 1 else self.tr("Connected — {count} models").format(count=count)
            self._remember_models(profile.id, [m.id for m in models])
        finally:
            self._test_button.setText(self.tr("Test connection"))
            self._test_result.setText(message)
            self.test_finished.emit(message)

    @Slot()
    def _on_load_models_clicked(self) -> None:
        if self._listing.is_running():
            self._listing.cancel()
            return
        request = self._request_profile()
        if request is None:
            return
        self._listing.start(self._load_models(*request))

    async def _load_models(self, profile: Profile, token: str) -> None:
        self._load_models_button.setText(self.tr("Cancel"))
        self._models_result.setText(self.tr("Loading models…"))
        message = ""
        try:
            models = await self._list_models(profile, token)
        except NotFoundError:
            message = self.tr("This server does not list its models — type the model names.")
        except APIError as exc:
            message = user_message(exc)
        except asyncio.CancelledError:
            message = self.tr("Cancelled.")
            raise
        else:
            ids = [m.id for m in models]
            self._remember_models(profile.id, ids)
            message = self.tr("Loaded 1 model.") if len(ids) == 1 else self.tr("Loaded {count} models.").format(count=len(ids))
        finally:
            self._load_models_button.setText(self.tr("Load models"))
            self._models_result.setText(message)
            self.models_loaded.emit(message)

    def _remember_models(self, profile_id: str, ids: list[str]) -> None:
        self._model_ids[profile_id] = sorted(set(ids), key=str.lower)
        profile = self._find(profile_id)
        if profile is not None and profile_id == self._current_id:
            self._fill_model_combos(profile)


def _note_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label


def _notice_label(parent: QWidget) -> QLabel:
    label = _note_label(parent)
    label.setFrameShape(QFrame.Shape.StyledPanel)
    label.setContentsMargins(8, 6, 8, 6)
    label.hide()
    return label


def _set_buddy(form: QFormLayout, field: QWidget, buddy: QWidget) -> None:
    label = form.labelForField(field)
    if isinstance(label, QLabel):
        label.setBuddy(buddy)
