"""File ▸ Models…: what the active profile's server offers, and which model Parla uses for what.

A non-modal dialog over ``GET /models``: a sortable table (id, owner, the creation date in the local
zone), a filter ("contains", ignoring case, on the id and the owner), and for the selected model the
fields ``GET /models/{id}`` returns, pretty-printed as JSON — relays add vendor fields there that the
table does not model. The "Use for …" buttons make the selected model the profile's default for one
capability and save it through :meth:`Session.apply_settings`, the same path as the settings dialog,
so the status bar and the tabs hear ``profiles_changed``. The *stored* profile is what is saved: an
``OPENAI_BASE_URL`` override stays out of ``profiles.json``.

Loading, details and saving each run in their own task holder: a new selection cancels the previous
details request, and closing the dialog cancels everything (the window awaits :meth:`dispose`).
A server without ``/models`` (404) gets one plain sentence and an empty, inert dialog; other errors
the usual words from :func:`app.ui.errors.user_message`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QItemSelection,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Slot,
)
from PySide6.QtGui import QFontDatabase, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.api.errors import APIError, NotFoundError
from app.profiles import Capability
from app.ui.context import AppContext
from app.ui.errors import NoTokenError, user_message
from app.ui.profile_names import display_name

if TYPE_CHECKING:
    from app.api.types import Model

__all__ = ["ModelsDialog", "ModelsFilterProxy", "ModelsTableModel"]

log = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex

#: The value a column sorts by (the creation time as a number, not its text).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: The model's id, whatever the column.
ID_ROLE = Qt.ItemDataRole.UserRole + 2


class ModelsTableModel(QAbstractTableModel):
    """The server's models as plain rows: id, owner, created."""

    ID, OWNER, CREATED = range(3)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._models: list[Model] = []

    def set_models(self, models: list[Model]) -> None:
        self.beginResetModel()
        self._models = list(models)
        self.endResetModel()

    def model_at(self, row: int) -> Model:
        return self._models[row]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._models)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._models):
            return None
        model = self._models[index.row()]
        column = index.column()
        if role == ID_ROLE:
            return model.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SORT_ROLE):
            if column == self.ID:
                return model.id if role != SORT_ROLE else model.id.casefold()
            if column == self.OWNER:
                owner = model.owned_by or ""
                return owner if role != SORT_ROLE else owner.casefold()
            if column == self.CREATED:
                if role == SORT_ROLE:
                    return model.created if model.created is not None else -1
                if model.created is None:
                    return ""
                when = QDateTime.fromSecsSinceEpoch(model.created).toLocalTime()
                if role == Qt.ItemDataRole.ToolTipRole:
                    return QLocale().toString(when, QLocale.FormatType.LongFormat)
                return QLocale().toString(when.date(), QLocale.FormatType.ShortFormat)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole or not 0 <= section < 3:
            return None
        return (self.tr("Model"), self.tr("Owner"), self.tr("Created"))[section]


class ModelsFilterProxy(QSortFilterProxyModel):
    """Keeps the rows whose id or owner contains the filter text, ignoring case."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle == self._needle:
            return
        self.beginFilterChange()
        self._needle = needle
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:
        if not self._needle:
            return True
        source = self.sourceModel()
        for column in (ModelsTableModel.ID, ModelsTableModel.OWNER):
            text = source.data(source.index(source_row, column, source_parent), Qt.ItemDataRole.DisplayRole)
            if self._needle in str(text or "").casefold():
                return True
        return False


class ModelsDialog(QDialog):
    """Browse the active profile's models and pick the defaults; non-modal."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._session = context.session
        self._loading = context.tasks.holder("models.load")
        self._details = context.tasks.holder("models.details")
        self._saving = context.tasks.holder("models.save")
        self._started = False
        self._listed = False  # the server gave a list (possibly empty)
        self._saving_now = False  # a default is being saved (the buttons wait)
        self._busy = False  # the list is being loaded
        self.setObjectName("models_dialog")
        self.setWindowTitle(self.tr("Models"))
        self.setModal(False)

        self._filter = QLineEdit(self)
        self._filter.setObjectName("models_filter")
        self._filter.setPlaceholderText(self.tr("Filter by name or owner"))
        self._filter.setClearButtonEnabled(True)
        self._filter.setAccessibleName(self.tr("Filter models"))
        self._filter.setToolTip(self.tr("Show only the models whose name or owner contains this text"))
        self._filter.textChanged.connect(self._on_filter_changed)
        filter_label = QLabel(self.tr("&Filter:"), self)
        filter_label.setBuddy(self._filter)
        self._refresh = QPushButton(self.tr("&Reload"), self)
        self._refresh.setToolTip(self.tr("Ask the server for its models again"))
        self._refresh.clicked.connect(self.load)

        self._progress = QProgressBar(self)
        self._progress.setRange(0, 0)
        self._progress.setMaximumHeight(6)
        self._progress.setTextVisible(False)
        self._progress.setAccessibleName(self.tr("Loading"))
        self._progress.hide()
        self._status = QLabel(self)
        self._status.setObjectName("models_status")
        self._status.setWordWrap(True)
        self._status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.table_model = ModelsTableModel(self)
        self.proxy = ModelsFilterProxy(self)
        self.proxy.setSourceModel(self.table_model)
        self._table = QTableView(self)
        self._table.setObjectName("models_table")
        self._table.setModel(self.proxy)
        self._table.setSortingEnabled(True)
        self._table.sortByColumn(ModelsTableModel.ID, Qt.SortOrder.AscendingOrder)
        self._table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self._table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.setAlternatingRowColors(True)
        self._table.verticalHeader().hide()
        self._table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self._table.setWordWrap(False)
        self._table.setAccessibleName(self.tr("Models of the server"))
        self._table.setToolTip(self.tr("Select a model to see its details and make it a default; click a column to sort"))
        header = self._table.horizontalHeader()
        header.setAccessibleName(self.tr("Columns"))
        header.setToolTip(self.tr("Click a column to sort by it"))
        header.setSectionResizeMode(ModelsTableModel.ID, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ModelsTableModel.OWNER, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ModelsTableModel.CREATED, QHeaderView.ResizeMode.ResizeToContents)
        self._table.selectionModel().selectionChanged.connect(self._on_selection_changed)

        details_box = QWidget(self)
        self._details_label = QLabel(self.tr("&Details"), details_box)
        self._details_text = QPlainTextEdit(details_box)
        self._details_text.setObjectName("models_details")
        self._details_text.setReadOnly(True)
        self._details_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._details_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._details_text.setPlaceholderText(self.tr("Select a model to see what the server says about it."))
        self._details_text.setAccessibleName(self.tr("Details of the selected model"))
        self._details_text.setToolTip(self.tr("What the server says about the selected model (read-only)"))
        self._details_label.setBuddy(self._details_text)
        details_layout = QVBoxLayout(details_box)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addWidget(self._details_label)
        details_layout.addWidget(self._details_text, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._table)
        splitter.addWidget(details_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        self._use_buttons: dict[Capability, QPushButton] = {}
        labels = {
            Capability.CHAT: self.tr("Use for chat"),
            Capability.IMAGE: self.tr("Use for images"),
            Capability.SPEECH: self.tr("Use for speech"),
            Capability.TRANSCRIPTION: self.tr("Use for transcription"),
            Capability.EMBEDDING: self.tr("Use for embeddings"),
        }
        use_row = QHBoxLayout()
        for capability in Capability:
            button = QPushButton(labels[capability], self)
            button.setObjectName(f"use_for_{capability.value}")
            button.setEnabled(False)
            button.clicked.connect(lambda _checked=False, c=capability: self.use_for(c))
            self._use_buttons[capability] = button
            use_row.addWidget(button)
        use_row.addStretch(1)
        self._confirmation = QLabel(self)
        self._confirmation.setObjectName("models_confirmation")
        self._confirmation.setWordWrap(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip(self.tr("Close this window (Esc)"))

        top = QHBoxLayout()
        top.addWidget(filter_label)
        top.addWidget(self._filter, 1)
        top.addWidget(self._refresh)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self._progress)
        layout.addWidget(self._status)
        layout.addWidget(splitter, 1)
        layout.addLayout(use_row)
        layout.addWidget(self._confirmation)
        layout.addWidget(buttons)
        self.resize(960, 600)

        self._session.client_changed.connect(self._on_client_changed)
        self._session.profiles_changed.connect(self._update_use_buttons)
        self._update_use_buttons()

    # -- public ----------------------------------------------------------------------------------

    @property
    def table(self) -> QTableView:
        return self._table

    @property
    def filter_edit(self) -> QLineEdit:
        return self._filter

    @property
    def details_text(self) -> QPlainTextEdit:
        return self._details_text

    @property
    def status_text(self) -> str:
        return self._status.text()

    @property
    def confirmation_text(self) -> str:
        return self._confirmation.text()

    @property
    def use_buttons(self) -> dict[Capability, QPushButton]:
        return dict(self._use_buttons)

    def is_loading(self) -> bool:
        return self._loading.is_running()

    def selected_model_id(self) -> str | None:
        rows = self._table.selectionModel().selectedRows()
        if not rows:
            return None
        value = rows[0].data(ID_ROLE)
        return str(value) if value else None

    def select_model(self, model_id: str) -> bool:
        """Select ``model_id``'s row if it is shown; True when it was."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ID_ROLE) == model_id:
                self._table.selectRow(row)
                self._table.scrollTo(index)
                return True
        return False

    @Slot()
    def load(self) -> None:
        """(Re)load the list from the active profile's server."""
        self._started = True
        self._loading.start(self._load())

    def use_for(self, capability: Capability) -> None:
        """Make the selected model the active profile's default for ``capability`` and save it."""
        model_id = self.selected_model_id()
        if model_id is None or self._saving_now:
            return
        self._saving.start(self._save(capability, model_id))

    async def dispose(self) -> None:
        """Stop the dialog's work and delete it (the window calls this once it has closed)."""
        await self._loading.cancel_and_wait()
        await self._details.cancel_and_wait()
        saving = self._saving.task
        if saving is not None and not saving.done():
            await asyncio.wait([saving])  # a save is not interrupted halfway
        self.deleteLater()

    def done(self, result: int) -> None:
        # Closing (Close, Esc, the title bar) stops the requests at once; dispose() waits for them.
        self._loading.cancel()
        self._details.cancel()
        super().done(result)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._started:
            self.load()

    # -- work ------------------------------------------------------------------------------------

    async def _load(self) -> None:
        self._details.cancel()
        self._set_busy(True)
        try:
            client = self._session.require_client()
            models = await client.models.list()
        except NotFoundError:
            log.info("the server has no model list (404)")
            self._show_models([], listed=False)
            self._set_status(self.tr("This server does not list its models."), error=True)
        except (APIError, NoTokenError) as exc:
            log.info("model list failed: %s", type(exc).__name__)
            self._show_models([], listed=False)
            self._set_status(self.tr("Could not load the models: {reason}").format(reason=user_message(exc)), error=True)
        else:
            self._show_models(models, listed=True)
            if models:
                self._set_status(self.tr("Models on this server: {count}").format(count=len(models)))
            else:
                self._set_status(self.tr("The server lists no models."))
        finally:
            self._set_busy(False)

    async def _load_details(self, model_id: str) -> None:
        self._details_text.setPlainText(self.tr("Loading the details of “{model}”…").format(model=model_id))
        try:
            client = self._session.require_client()
            model = await client.models.retrieve(model_id)
        except (APIError, NoTokenError) as exc:
            log.info("model details failed: %s", type(exc).__name__)
            self._details_text.setPlainText(user_message(exc, model=model_id))
            return
        raw = model.raw or {"id": model.id}
        self._details_text.setPlainText(json.dumps(raw, indent=2, ensure_ascii=False))

    async def _save(self, capability: Capability, model_id: str) -> None:
        session = self._session
        stored = session.stored_profile  # never the environment's copy: OPENAI_BASE_URL is not saved
        updated = replace(stored, models={**stored.models, str(capability): model_id})
        profiles = [updated if profile.id == stored.id else profile for profile in session.profiles]
        self._saving_now = True
        self._set_use_enabled(False)
        try:
            await session.apply_settings(profiles, stored.id, {})
        except OSError as exc:
            log.warning("could not save the default model: %s", type(exc).__name__)
            self._confirmation.setText(user_message(exc))
            return
        finally:
            self._saving_now = False
            self._update_use_buttons()
        self._confirmation.setText(self._confirmation_for(capability, model_id, display_name(updated)))

    # -- internals -------------------------------------------------------------------------------

    def _confirmation_for(self, capability: Capability, model_id: str, profile: str) -> str:
        texts = {
            Capability.CHAT: self.tr("“{model}” is now the chat model of the profile “{profile}”."),
            Capability.IMAGE: self.tr("“{model}” is now the image model of the profile “{profile}”."),
            Capability.SPEECH: self.tr("“{model}” is now the speech model of the profile “{profile}”."),
            Capability.TRANSCRIPTION: self.tr("“{model}” is now the transcription model of the profile “{profile}”."),
            Capability.EMBEDDING: self.tr("“{model}” is now the embedding model of the profile “{profile}”."),
        }
        return texts[capability].format(model=model_id, profile=profile)

    def _show_models(self, models: list[Model], *, listed: bool) -> None:
        self._listed = listed
        self.table_model.set_models(models)
        self._details_text.clear()
        self._filter.setEnabled(listed and bool(models))
        self._table.setEnabled(listed)
        self._update_use_buttons()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._progress.setVisible(busy)
        self._refresh.setEnabled(not busy)
        if busy:
            self._status.setText(self.tr("Loading the models…"))
            self._status.setStyleSheet("")
            self._set_use_enabled(False)
        self.setCursor(Qt.CursorShape.BusyCursor if busy else Qt.CursorShape.ArrowCursor)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self._status.setText(text)
        self._status.setStyleSheet("font-weight: bold;" if error else "")

    def _set_use_enabled(self, enabled: bool) -> None:
        for button in self._use_buttons.values():
            button.setEnabled(enabled)

    @Slot()
    def _update_use_buttons(self) -> None:
        profile = self._session.stored_profile
        selected = self.selected_model_id()
        usable = selected is not None and not self._saving_now and not self._busy
        for capability, button in self._use_buttons.items():
            current = profile.model_for(capability)
            button.setEnabled(usable)
            button.setToolTip(self.tr("Save the selected model as the profile's default for this; the current one is {model}").format(model=current))

    @Slot(str)
    def _on_filter_changed(self, text: str) -> None:
        self.proxy.set_text(text)

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        model_id = self.selected_model_id()
        self._update_use_buttons()
        if model_id is None:
            self._details.cancel()
            self._details_text.clear()
            return
        self._details.start(self._load_details(model_id))

    @Slot()
    def _on_client_changed(self) -> None:
        # Another profile (or new connection settings): the list shown belongs to the old server.
        if self._started and self.isVisible():
            self.load()
