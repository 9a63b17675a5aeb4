"""The conversation's settings: model, system prompt, sampling parameters, presets.

:class:`ConversationSettingsPanel` shows the settings of the conversation given to
:meth:`~ConversationSettingsPanel.set_conversation` and reports the user's changes; it writes
nothing itself. After each change (debounced: one report per pause of ~300 ms) it emits
``settings_changed(model, settings)`` — ``model`` "" for the profile's default chat model, and
``settings`` = ``{"system_prompt": str, "temperature": float|None, "top_p": float|None,
"max_tokens": int|None, "presence_penalty": float|None, "frequency_penalty": float|None}`` where
``None`` means "not sent, the server's default" — plus any other keys the conversation's settings
already held (so whoever else stores things there keeps them). The Tools section adds
``"tools_enabled": bool`` and ``"tools": [names]`` (the built-ins by default, see
``app.ui.chat.tool_cards``, and the MCP tools of ``context.tools``) once the user touched it or the
conversation already had them. Chosen tools whose MCP server is not running stay listed (and
chosen), marked unavailable, with the server's state in words and a button that opens Settings ▸
MCP servers. ``"tools_allowed"`` (tools the confirmation's "Allow for this conversation" lets run
without asking) is written by the controller; the section lists them with "Ask again", which
takes one out of that list (reported like any other change). The page persists them with
``store.update_conversation(id, model=model, settings=settings)``.

A change waiting for its debounce is reported at once, still as the *previous* conversation's,
when ``set_conversation`` is called with another one (or ``flush()`` is called). To persist without
tracking which conversation a report belongs to, use ``conversation_settings_changed(id, model,
settings)``, or read :meth:`conversation_id` inside the slot: during the report it is the id the
change belongs to. Giving the panel the same conversation again (say, reloaded from the store after
saving) leaves what the user is typing alone.

Without a conversation (``set_conversation(None)``) the controls are disabled.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QHideEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.api.errors import APIError
from app.profiles import Capability
from app.store import Conversation
from app.ui.chat import tool_cards
from app.ui.chat.presets import (
    DEFAULT_SETTINGS,
    PARAMETERS,
    SETTING_KEYS,
    ParameterSpec,
    Preset,
    PresetError,
    PresetStore,
    normalize_settings,
)
from app.ui.context import AppContext
from app.ui.errors import NoTokenError
from app.ui.widgets.model_picker import ModelCatalog, ModelPicker
from app.ui.widgets.scroll_panel import fill_with_vertical_scroll

__all__ = ["ConversationSettingsPanel", "ParameterControl", "PresetManagerDialog", "PresetNameDialog", "parameter_texts"]

log = logging.getLogger(__name__)

DEBOUNCE_MS = 300
#: The settings keys the Tools section owns.
TOOL_KEYS = ("tools_enabled", "tools")

translate = QCoreApplication.translate


def section_heading(text: str, parent: QWidget) -> QLabel:
    """A side panel's section title: the text in bold."""
    label = QLabel(text, parent)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def parameters_section(form: QVBoxLayout, parent: QWidget) -> QGridLayout:
    """The "Parameters" heading and its note added to ``form``; the grid for the parameter rows
    (the caller fills it and adds it) — the chat's settings panel and the completion panel."""
    form.addWidget(section_heading(translate("ConversationSettingsPanel", "Parameters"), parent))
    note = QLabel(
        translate("ConversationSettingsPanel", "Unchecked parameters are not sent: the server's defaults apply."), parent
    )
    note.setWordWrap(True)
    note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    form.addWidget(note)
    grid = QGridLayout()
    grid.setHorizontalSpacing(6)
    grid.setVerticalSpacing(4)
    grid.setColumnStretch(1, 1)
    return grid


def parameter_texts() -> dict[str, tuple[str, str]]:
    """Each parameter's label and tooltip, in the interface's language."""
    return {
        "temperature": (
            translate("ConversationSettingsPanel", "Temperature"),
            translate("ConversationSettingsPanel", "Randomness, 0–2: lower is more focused and repeatable, higher more varied"),
        ),
        "top_p": (
            translate("ConversationSettingsPanel", "Top P"),
            translate(
                "ConversationSettingsPanel",
                "Nucleus sampling, 0–1: only the most likely words whose chances add up to this are considered",
            ),
        ),
        "max_tokens": (
            translate("ConversationSettingsPanel", "Max tokens"),
            translate("ConversationSettingsPanel", "The longest reply allowed, in tokens; the reply stops there"),
        ),
        "presence_penalty": (
            translate("ConversationSettingsPanel", "Presence penalty"),
            translate("ConversationSettingsPanel", "−2 to 2: positive values push the model towards new topics"),
        ),
        "frequency_penalty": (
            translate("ConversationSettingsPanel", "Frequency penalty"),
            translate("ConversationSettingsPanel", "−2 to 2: positive values make the model repeat itself less"),
        ),
    }


class _WheelGuard(QObject):
    """Scrolling the panel must not change a value the pointer passes over: only focused controls take the wheel."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) and not watched.hasFocus():
            area = watched.parentWidget()
            while area is not None and not isinstance(area, QAbstractScrollArea):
                area = area.parentWidget()
            if area is not None:  # the wheel goes to the scroll area around, which scrolls
                QCoreApplication.sendEvent(area.viewport(), event)
            return True
        return super().eventFilter(watched, event)


class _PresetCombo(QComboBox):
    """A combo box that says when its list is about to open (to re-read presets saved elsewhere)."""

    popup_about_to_show = Signal()

    def showPopup(self) -> None:  # noqa: N802
        self.popup_about_to_show.emit()
        super().showPopup()


class ParameterControl(QObject):
    """One parameter: a check box (off = the server's default), a slider and a spin box.

    ``changed`` fires on the user's edits only; :meth:`set_value` is silent.
    """

    changed = Signal()

    def __init__(self, spec: ParameterSpec, label: str, tooltip: str, default_text: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.spec = spec
        self._default_text = default_text
        self._last = spec.start
        self._scale = 10**spec.decimals
        self.check = QCheckBox(label, parent)
        self.check.setObjectName(f"{spec.key}_check")
        self.check.setToolTip(tooltip)
        self.spin: QSpinBox | QDoubleSpinBox
        if spec.integer:
            spin = QSpinBox(parent)
            spin.setRange(int(spec.minimum), int(spec.maximum))
            spin.setSingleStep(int(spec.step))
            spin.setGroupSeparatorShown(True)
            self.spin = spin
            self.slider: QSlider | None = None
        else:
            double = QDoubleSpinBox(parent)
            double.setDecimals(spec.decimals)
            double.setRange(spec.minimum, spec.maximum)
            double.setSingleStep(spec.step)
            self.spin = double
            slider = QSlider(Qt.Orientation.Horizontal, parent)
            slider.setRange(round(spec.minimum * self._scale), round(spec.maximum * self._scale))
            slider.setSingleStep(round(spec.step * self._scale))
            slider.setPageStep(round(spec.step * self._scale * 4))
            slider.setObjectName(f"{spec.key}_slider")
            slider.setToolTip(tooltip)
            slider.setAccessibleName(label.replace("&", ""))
            slider.setMinimumWidth(48)
            slider.valueChanged.connect(self._on_slider_changed)
            self.slider = slider
        self.spin.setObjectName(f"{spec.key}_spin")
        self.spin.setToolTip(tooltip)
        self.spin.setAccessibleName(label.replace("&", ""))
        self.spin.setAccelerated(True)
        self.spin.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
        self.spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.spin.valueChanged.connect(self._on_spin_changed)
        self.check.toggled.connect(self._on_toggled)
        self._show(None)

    def widgets(self) -> list[QWidget]:
        return [w for w in (self.check, self.slider, self.spin) if w is not None]

    def value(self) -> float | int | None:
        if not self.check.isChecked():
            return None
        value = self.spin.value()
        return int(value) if self.spec.integer else round(float(value), self.spec.decimals)

    def set_value(self, value: float | int | None) -> None:
        blockers = [QSignalBlocker(w) for w in self.widgets()]
        try:
            if value is not None:
                self._last = value
            self.check.setChecked(value is not None)
            self._show(value)
        finally:
            del blockers

    def _show(self, value: float | int | None) -> None:
        """Enabled with the value, or disabled showing "Default"."""
        enabled = value is not None
        with QSignalBlocker(self.spin):
            self.spin.setSpecialValueText("" if enabled else self._default_text)
            self.spin.setValue(value if value is not None else self.spin.minimum())  # type: ignore[arg-type]
            self.spin.setEnabled(enabled)
        if self.slider is not None:
            with QSignalBlocker(self.slider):
                self.slider.setValue(round((value if value is not None else self.spec.start) * self._scale))
                self.slider.setEnabled(enabled)

    @Slot(bool)
    def _on_toggled(self, checked: bool) -> None:
        self._show(self._last if checked else None)
        self.changed.emit()

    @Slot()
    def _on_spin_changed(self) -> None:
        if not self.check.isChecked():
            return
        self._last = self.spin.value()
        if self.slider is not None:
            with QSignalBlocker(self.slider):
                self.slider.setValue(round(self.spin.value() * self._scale))
        self.changed.emit()

    @Slot(int)
    def _on_slider_changed(self, position: int) -> None:
        if not self.check.isChecked():
            return
        with QSignalBlocker(self.spin):
            self.spin.setValue(position / self._scale)  # type: ignore[arg-type]
        self._last = self.spin.value()
        self.changed.emit()


class PresetNameDialog(QDialog):
    """Asks for a preset's name and says, as it is typed, whether the name can be used."""

    def __init__(
        self, presets: PresetStore, *, title: str, name: str = "", renaming: Preset | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._presets = presets
        self._renaming = renaming
        self.setWindowTitle(title)
        self.name_edit = QLineEdit(name, self)
        self.name_edit.setMaxLength(PresetStore.NAME_MAX)
        self.name_edit.setPlaceholderText(self.tr("Preset name"))
        self.name_edit.selectAll()
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Name:"), self))
        layout.addWidget(self.name_edit)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(340)
        self.name_edit.textChanged.connect(self._on_text_changed)
        self._on_text_changed(name)

    @property
    def ok_button(self) -> QPushButton:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert button is not None
        return button

    def name(self) -> str:
        return " ".join(self.name_edit.text().split())

    @Slot(str)
    def _on_text_changed(self, _text: str) -> None:
        name = self.name()
        note, ok, replace = "", bool(name), False
        builtin_names = {p.name.casefold() for p in self._presets.presets() if p.builtin}
        existing = self._presets.find_user_preset(name) if name else None
        if name.casefold() in builtin_names:
            note, ok = self.tr("A built-in preset has this name — choose another."), False
        elif existing is not None and (self._renaming is None or existing.id != self._renaming.id):
            if self._renaming is None:
                note, replace = self.tr("A preset with this name exists: saving replaces it."), True
            else:
                note, ok = self.tr("Another preset has this name — choose another."), False
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.ok_button.setEnabled(ok)
        if self._renaming is not None:
            self.ok_button.setText(self.tr("Rename"))
        else:
            self.ok_button.setText(self.tr("Replace") if replace else self.tr("Save"))


class PresetManagerDialog(QDialog):
    """The user's presets: rename, delete, see what each holds. Built-ins are listed, not editable."""

    def __init__(self, presets: PresetStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._presets = presets
        self._pending_id = ""
        self._delete_button: QAbstractButton | None = None
        self.child_dialog: QDialog | None = None
        self.setWindowTitle(self.tr("Presets"))
        self.list = QListWidget(self)
        self.list.setObjectName("preset_list")
        self.list.currentItemChanged.connect(self._on_current_changed)
        self.preview = QLabel(self)
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.preview.setMinimumHeight(90)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.rename_button = QPushButton(self.tr("Rename…"), self)
        self.rename_button.clicked.connect(self._on_rename_clicked)
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        side = QVBoxLayout()
        side.addWidget(self.rename_button)
        side.addWidget(self.delete_button)
        side.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.list, 1)
        top.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(self.preview)
        layout.addWidget(buttons)
        self.resize(460, 380)
        presets.changed.connect(self._fill)
        self._fill()

    def select(self, preset_id: str) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == preset_id:
                self.list.setCurrentRow(row)
                return

    def _current(self) -> Preset | None:
        item = self.list.currentItem()
        return self._presets.get(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    @Slot()
    def _fill(self) -> None:
        current = self._current()
        self.list.clear()
        for preset in self._presets.presets():
            label = self.tr("{name} (built-in)").format(name=preset.name) if preset.builtin else preset.name
            item = QListWidgetItem(label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, preset.id)
        if current is not None:
            self.select(current.id)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self._on_current_changed()

    @Slot()
    def _on_current_changed(self, *_args: object) -> None:
        preset = self._current()
        editable = preset is not None and not preset.builtin
        self.rename_button.setEnabled(editable)
        self.delete_button.setEnabled(editable)
        if preset is None:
            self.preview.clear()
            return
        lines = [preset.settings["system_prompt"] or self.tr("(no system prompt)")]
        labels = parameter_texts()
        numbers = [f"{labels[key][0]} {preset.settings[key]}" for key in SETTING_KEYS[1:] if preset.settings[key] is not None]
        if numbers:
            lines.append(" · ".join(numbers))
        if preset.builtin:
            lines.append(self.tr("Built-in presets cannot be renamed or deleted."))
        self.preview.setText("\n\n".join(lines))

    @Slot()
    def _on_rename_clicked(self) -> None:
        preset = self._current()
        if preset is None or preset.builtin:
            return
        dialog = PresetNameDialog(
            self._presets, title=self.tr("Rename preset"), name=preset.name, renaming=preset, parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Bound methods, not lambdas: a closure holding this dialog from its child could delete
        # the parent while the child is being destroyed.
        dialog.accepted.connect(self._on_rename_accepted)
        self._pending_id = preset.id
        self.child_dialog = dialog
        dialog.open()

    @Slot()
    def _on_rename_accepted(self) -> None:
        dialog = self.child_dialog
        if not isinstance(dialog, PresetNameDialog):
            return
        try:
            self._presets.rename(self._pending_id, dialog.name())
        except (PresetError, OSError) as exc:
            self._show_problem(exc)
        self.select(self._pending_id)

    @Slot()
    def _on_delete_clicked(self) -> None:
        preset = self._current()
        if preset is None or preset.builtin:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Delete preset"),
            self.tr("Delete the preset “{name}”? Conversations that use its settings keep them.").format(name=preset.name),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        delete = box.addButton(self.tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._on_delete_finished)
        self._pending_id = preset.id
        self._delete_button = delete
        self.child_dialog = box
        box.open()

    @Slot(int)
    def _on_delete_finished(self, _result: int) -> None:
        box = self.child_dialog
        if not isinstance(box, QMessageBox) or box.clickedButton() is not self._delete_button:
            return
        try:
            self._presets.delete(self._pending_id)
        except (PresetError, OSError) as exc:
            self._show_problem(exc)

    def _show_problem(self, exc: Exception) -> None:
        text = (self.tr("The presets could not be saved: {reason}").format(reason=exc.strerror or type(exc).__name__)
                if isinstance(exc, OSError) else str(exc))
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Presets"), text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.child_dialog = box
        box.open()


class ConversationSettingsPanel(QWidget):
    """Model, system prompt, parameters and presets of one conversation (see the module docstring)."""

    #: (model, settings) after the user changed something, debounced.
    settings_changed = Signal(str, dict)
    #: (conversation id, model, settings): the same report, with the conversation it belongs to.
    conversation_settings_changed = Signal(int, str, dict)

    def __init__(
        self, context: AppContext, parent: QWidget | None = None, *, catalog: ModelCatalog | None = None
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._conversation: Conversation | None = None
        self._extras: dict[str, Any] = {}
        self._updating = False
        self._models_dirty = True
        self._models_task = context.tasks.holder("chat.settings.models")
        self.presets = PresetStore(context.locations.config, self)
        self.presets.changed.connect(self._fill_presets)
        self.dialog: QDialog | None = None  # the preset dialog open now, if any (tests use it)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)
        self._wheel_guard = _WheelGuard(self)

        content = QWidget(self)
        content.setObjectName("settings_content")
        self._content = content
        form = QVBoxLayout(content)
        form.setContentsMargins(10, 10, 10, 10)
        form.setSpacing(4)

        model_heading = section_heading(self.tr("&Model"), content)
        form.addWidget(model_heading)
        self.model_picker = ModelPicker(content, catalog=catalog)
        self.model_picker.combo.setAccessibleName(self.tr("Model"))
        model_heading.setBuddy(self.model_picker.combo)
        self.model_picker.model_changed.connect(self._on_changed)
        self.model_picker.refresh_requested.connect(self._on_refresh_models)
        self.model_picker.combo.installEventFilter(self._wheel_guard)
        form.addWidget(self.model_picker)
        form.addSpacing(6)

        preset_heading = section_heading(self.tr("P&reset"), content)
        form.addWidget(preset_heading)
        preset_row = QHBoxLayout()
        preset_row.setSpacing(4)
        self.preset_combo = _PresetCombo(content)
        self.preset_combo.setObjectName("preset_combo")
        self.preset_combo.setPlaceholderText(self.tr("Custom"))
        self.preset_combo.setToolTip(self.tr("Apply a preset: its system prompt and parameters replace these"))
        self.preset_combo.setAccessibleName(self.tr("Preset"))
        preset_heading.setBuddy(self.preset_combo)
        self.preset_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset_combo.setMinimumContentsLength(10)
        self.preset_combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.preset_combo.activated.connect(self._on_preset_activated)
        self.preset_combo.popup_about_to_show.connect(self._sync_preset_combo)  # re-reads a changed file
        self.preset_combo.installEventFilter(self._wheel_guard)
        self.presets_button = QToolButton(content)
        self.presets_button.setObjectName("presets_button")
        self.presets_button.setText(self.tr("Presets"))
        self.presets_button.setAccessibleName(self.tr("Presets menu"))
        self.presets_button.setToolTip(self.tr("Save these settings as a preset, or rename and delete presets"))
        self.presets_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.presets_button)
        self.save_preset_action = QAction(self.tr("Save as preset…"), self)
        self.save_preset_action.triggered.connect(self._on_save_preset)
        self.manage_presets_action = QAction(self.tr("Manage presets…"), self)
        self.manage_presets_action.triggered.connect(self._on_manage_presets)
        menu.addAction(self.save_preset_action)
        menu.addAction(self.manage_presets_action)
        self.presets_button.setMenu(menu)
        preset_row.addWidget(self.preset_combo, 1)
        preset_row.addWidget(self.presets_button)
        form.addLayout(preset_row)
        form.addSpacing(6)

        prompt_heading = section_heading(self.tr("S&ystem prompt"), content)
        form.addWidget(prompt_heading)
        self.prompt_edit = QPlainTextEdit(content)
        self.prompt_edit.setObjectName("system_prompt")
        self.prompt_edit.setAccessibleName(self.tr("System prompt"))
        self.prompt_edit.setToolTip(self.tr("Instructions sent first in every request of this conversation"))
        prompt_heading.setBuddy(self.prompt_edit)
        self.prompt_edit.setPlaceholderText(self.tr("Instructions the model follows for the whole conversation (optional)"))
        self.prompt_edit.setTabChangesFocus(True)
        self.prompt_edit.setMinimumHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.prompt_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.prompt_edit.textChanged.connect(self._on_changed)
        form.addWidget(self.prompt_edit, 1)
        form.addSpacing(6)

        grid = parameters_section(form, content)
        self.parameters: dict[str, ParameterControl] = {}
        texts = parameter_texts()
        for row, spec in enumerate(PARAMETERS):
            label, tooltip = texts[spec.key]
            control = ParameterControl(spec, label, tooltip, self.tr("Default"), content)
            control.changed.connect(self._on_changed)
            for widget in control.widgets():
                if widget is not control.check:
                    widget.installEventFilter(self._wheel_guard)
                    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            grid.addWidget(control.check, row, 0)
            if control.slider is not None:
                grid.addWidget(control.slider, row, 1)
                grid.addWidget(control.spin, row, 2)
            else:
                grid.addWidget(control.spin, row, 1, 1, 2)
            self.parameters[spec.key] = control
        form.addLayout(grid)
        form.addSpacing(8)

        form.addWidget(section_heading(self.tr("Tools"), content))
        self.tools_check = QCheckBox(self.tr("Let the model use tools"), content)
        self.tools_check.setObjectName("tools_check")
        self.tools_check.setAccessibleName(self.tr("Let the model use tools"))
        self.tools_check.setToolTip(
            self.tr("Offer the tools ticked below to the model in this conversation (function calling)")
        )
        self.tools_check.toggled.connect(self._on_tools_toggled)
        form.addWidget(self.tools_check)
        self.tools_list = QListWidget(content)
        self.tools_list.setObjectName("tools_list")
        self.tools_list.setAccessibleName(self.tr("Tools to offer"))
        self.tools_list.setToolTip(self.tr("The tools the model may call; hover over one to see what it does"))
        self.tools_list.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.tools_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tools_list.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.tools_list.setSpacing(1)
        self.tools_list.itemChanged.connect(self._on_tool_item_changed)
        self.tools_list.installEventFilter(self._wheel_guard)
        form.addWidget(self.tools_list)
        self.tools_unavailable_label = QLabel(content)
        self.tools_unavailable_label.setObjectName("tools_unavailable")
        self.tools_unavailable_label.setWordWrap(True)
        self.tools_unavailable_label.setTextFormat(Qt.TextFormat.PlainText)
        self.tools_unavailable_label.setStyleSheet("color: #b07814;")
        self.tools_unavailable_label.setAccessibleName(self.tr("Unavailable tools"))
        self.tools_unavailable_label.setToolTip(
            self.tr("Chosen tools whose MCP server is not running: replies go out without them until it runs")
        )
        form.addWidget(self.tools_unavailable_label)
        mcp_row = QHBoxLayout()
        self.mcp_settings_button = QPushButton(self.tr("Open MCP servers…"), content)
        self.mcp_settings_button.setObjectName("mcp_settings_button")
        self.mcp_settings_button.setAccessibleName(self.tr("Open Settings on the MCP servers page"))
        self.mcp_settings_button.setToolTip(self.tr("Start, restart or fix the MCP servers in Settings"))
        self.mcp_settings_button.clicked.connect(self._on_open_mcp_settings)
        mcp_row.addWidget(self.mcp_settings_button)
        mcp_row.addStretch(1)
        form.addLayout(mcp_row)
        self.tools_unavailable_label.hide()
        self.mcp_settings_button.hide()
        self.allowed_heading = QLabel(self.tr("Run without asking in this conversation:"), content)
        self.allowed_heading.setWordWrap(True)
        form.addWidget(self.allowed_heading)
        self.allowed_box = QWidget(content)
        self.allowed_box.setObjectName("tools_allowed_box")
        self._allowed_layout = QVBoxLayout(self.allowed_box)
        self._allowed_layout.setContentsMargins(8, 0, 0, 0)
        self._allowed_layout.setSpacing(2)
        form.addWidget(self.allowed_box)
        self.allowed_heading.hide()
        self.allowed_box.hide()
        #: (tool name, its "Ask again" button), in the order allowed.
        self.allowed_rows: list[tuple[str, QPushButton]] = []
        self.tools_note = QLabel(
            self.tr("Image generation and tools from MCP servers ask you before each use."), content
        )
        self.tools_note.setWordWrap(True)
        self.tools_note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form.addWidget(self.tools_note)
        self._tool_names: list[str] = []
        self._tools_stored: list[str] | None = None
        self._tools_touched = False
        self._tools_raw: dict[str, Any] = {}
        form.addSpacing(8)

        reset_row = QHBoxLayout()
        self.reset_button = QPushButton(self.tr("Reset to defaults"), content)
        self.reset_button.setToolTip(self.tr("The profile's default model, no system prompt, every parameter left to the server"))
        self.reset_button.clicked.connect(self._on_reset_clicked)
        reset_row.addStretch(1)
        reset_row.addWidget(self.reset_button)
        form.addLayout(reset_row)

        self.scroll = fill_with_vertical_scroll(self, content)

        context.session.client_changed.connect(self._on_client_changed)
        context.session.profiles_changed.connect(self._update_default_model)
        if context.tools is not None:
            context.tools.tools_changed.connect(self._fill_tools)
            context.tools.server_state_changed.connect(lambda _name: self._fill_tools())
        self._update_default_model()
        self._fill_presets()
        self.set_conversation(None)

    # -- the agreed interface --------------------------------------------------------------------

    def set_conversation(self, conversation: Conversation | None) -> None:
        """Show ``conversation``'s settings (None: nothing to edit, the controls are disabled)."""
        previous = self._conversation
        same = conversation is not None and previous is not None and conversation.id == previous.id
        if self._timer.isActive():
            self.flush()  # a pending change belongs to the conversation shown until now
            if same:
                self._conversation = conversation
                # What the user typed is newer than this copy; keys stored by others are not.
                assert conversation is not None
                raw = conversation.settings if isinstance(conversation.settings, Mapping) else {}
                self._extras = {k: v for k, v in raw.items() if k not in SETTING_KEYS and k not in TOOL_KEYS}
                self._fill_allowed()
                return
        self._conversation = conversation
        self._content.setEnabled(conversation is not None)
        if conversation is None:
            self._extras = {}
            self._show(model="", settings=DEFAULT_SETTINGS)
            self._show_tools({})
            self._fill_allowed()
            return
        raw = conversation.settings if isinstance(conversation.settings, Mapping) else {}
        self._extras = {k: v for k, v in raw.items() if k not in SETTING_KEYS and k not in TOOL_KEYS}
        self._show(model=conversation.model, settings=normalize_settings(raw))
        if not same or not self._tools_touched:
            self._show_tools(raw)
        self._fill_allowed()

    def conversation_id(self) -> int | None:
        """The conversation whose settings are shown — during a report, the one it is about."""
        return self._conversation.id if self._conversation is not None else None

    def model(self) -> str:
        return self.model_picker.model()

    def settings(self) -> dict[str, Any]:
        """What the controls say now, with the conversation's other keys carried through."""
        settings: dict[str, Any] = dict(self._extras)
        settings["system_prompt"] = self.prompt_edit.toPlainText()
        for key, control in self.parameters.items():
            settings[key] = control.value()
        if self._tools_touched:
            settings["tools_enabled"] = self.tools_check.isChecked()
            settings["tools"] = self.chosen_tools()
        else:
            settings.update(self._tools_raw)  # as stored, untouched
        return settings

    def chosen_tools(self) -> list[str]:
        """The ticked tools, plus chosen ones not available now (an MCP server that is stopped)."""
        ticked = []
        for row in range(self.tools_list.count()):
            item = self.tools_list.item(row)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                ticked.append(str(item.data(Qt.ItemDataRole.UserRole)))
        absent = [name for name in self._tools_stored or [] if name not in self._tool_names]
        return ticked + absent

    def has_pending_change(self) -> bool:
        return self._timer.isActive()

    @Slot()
    def flush(self) -> None:
        """Report a change waiting for its debounce now."""
        self._timer.stop()
        if self._conversation is None:
            return
        model, settings = self.model(), self.settings()
        self.settings_changed.emit(model, settings)
        self.conversation_settings_changed.emit(self._conversation.id, model, dict(settings))

    def load_models(self, *, refresh: bool = False) -> None:
        """Fill the model list from the active profile's server (cached for the session)."""
        self._models_dirty = False
        self._models_task.start(self._load_models(refresh))

    # -- tools -------------------------------------------------------------------------------------

    def _show_tools(self, raw: Mapping[str, Any]) -> None:
        """Put a conversation's tool settings in the Tools section (without reporting them)."""
        self._tools_touched = False
        self._tools_raw = {key: raw[key] for key in TOOL_KEYS if key in raw}
        stored = raw.get("tools")
        self._tools_stored = [str(n) for n in stored if isinstance(n, str)] if isinstance(stored, list) else None
        with QSignalBlocker(self.tools_check):
            self.tools_check.setChecked(bool(raw.get("tools_enabled")))
        self._fill_tools()

    @Slot()
    def _fill_tools(self) -> None:
        """List the built-ins and the MCP tools available now, ticked as the conversation chose."""
        if self._tools_touched:  # keep what the user ticked across a refresh
            self._tools_stored = self.chosen_tools()
        chosen = set(self._tools_stored) if self._tools_stored is not None else set(tool_cards.BUILTIN_TOOL_NAMES)
        texts = tool_cards.builtin_tool_texts()
        entries: list[tuple[str, str, str, str]] = [
            (name, texts[name][0], texts[name][1], "builtin") for name in tool_cards.BUILTIN_TOOL_NAMES
        ]
        service = self._context.tools
        if service is not None:
            for tool in service.registry:
                if tool.name not in texts:
                    entries.append((tool.name, tool_cards.tool_display_name(tool.name, tool.meta),
                                    tool.description, tool.source))
        known = {entry[0] for entry in entries}
        # Chosen, but their server is not running: listed (still chosen), marked, with the reason.
        missing = [name for name in self._tools_stored or [] if name not in known]
        by_reason: dict[str, list[str]] = {}  # one line per reason (a server's state), not per tool
        self._tool_names = [entry[0] for entry in entries] + missing
        with QSignalBlocker(self.tools_list):
            self.tools_list.clear()
            for name, display, description, source in entries:
                label = display if source == "builtin" else self.tr("{name} — {server}").format(
                    name=display, server=source.removeprefix("mcp:"))
                item = QListWidgetItem(label, self.tools_list)
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if name in chosen else Qt.CheckState.Unchecked)
                tip = description.strip() or self.tr("No description.")
                item.setToolTip(self.tr("{description}\n\nSource: {source}").format(
                    description=tip, source=tool_cards.source_text(source)))
            for name in missing:
                display, why, _server = tool_cards.unavailable_reason(name, service)
                item = QListWidgetItem(self.tr("{name} (unavailable)").format(name=display), self.tools_list)
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked)
                item.setForeground(self.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
                item.setToolTip(self.tr("Not available now: {why}.\nUntick it to stop choosing it.").format(why=why))
                by_reason.setdefault(why, []).append(display)
        # “a”, “b”: why — the names go inside the sentence's own quotes, joined by closing-comma-opening.
        reasons = [self.tr("“{name}”: {why}.").format(name="”, “".join(names), why=why) for why, names in by_reason.items()]
        self.tools_unavailable_label.setText(
            "\n".join([self.tr("Not available now, replies go out without them:"), *reasons]) if reasons else "")
        self.tools_unavailable_label.setVisible(bool(reasons))
        self.mcp_settings_button.setVisible(bool(reasons) and self._settings_window() is not None)
        rows = max(1, self.tools_list.count())
        height = self.tools_list.sizeHintForRow(0) if self.tools_list.count() else self.fontMetrics().height() + 4
        spacing = 2 * self.tools_list.spacing()
        self.tools_list.setFixedHeight((height + spacing) * rows + 2 * self.tools_list.frameWidth() + 2)
        self.tools_list.setEnabled(self.tools_check.isChecked())

    def _settings_window(self) -> Any:
        """The main window, when it can open Settings on a page (not in a bare panel)."""
        window = self.window()
        return window if callable(getattr(window, "open_settings", None)) else None

    @Slot()
    def _on_open_mcp_settings(self) -> None:
        window = self._settings_window()
        if window is None:
            return
        from app.ui.settings.dialog import SettingsDialog

        window.open_settings(SettingsDialog.MCP)

    def allowed_tools(self) -> list[str]:
        """The tools this conversation runs without asking (its ``tools_allowed``)."""
        allowed = self._extras.get("tools_allowed")
        return [str(n) for n in allowed if isinstance(n, str)] if isinstance(allowed, list) else []

    def _fill_allowed(self) -> None:
        """One row per tool allowed for this conversation: its name and "Ask again"."""
        names = self.allowed_tools()
        if [name for name, _button in self.allowed_rows] == names:
            return
        while self._allowed_layout.count():
            child = self._allowed_layout.takeAt(0)
            widget = child.widget() if child is not None else None
            if widget is not None:
                widget.deleteLater()
        self.allowed_rows = []
        service = self._context.tools
        for name in names:
            tool = service.registry.get(name) if service is not None else None
            if tool is not None and tool.source.startswith("mcp:"):
                display = tool_cards.mcp_display_name(name, tool.source, tool.meta.get("mcp_name"))
            elif name in tool_cards.BUILTIN_TOOL_NAMES:
                display = tool_cards.tool_display_name(name)
            else:
                display = tool_cards.unavailable_reason(name, service)[0]
            row = QWidget(self.allowed_box)
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            label = QLabel(display, row)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            button = QPushButton(self.tr("Ask again"), row)
            button.setObjectName("ask_again_button")
            button.setAccessibleName(self.tr("Ask again before “{name}” runs").format(name=display))
            button.setToolTip(self.tr("Ask before each use of “{name}” in this conversation again").format(name=display))
            button.clicked.connect(lambda _checked=False, n=name: self.ask_again(n))
            line.addWidget(label, 1)
            line.addWidget(button)
            self._allowed_layout.addWidget(row)
            self.allowed_rows.append((name, button))
        self.allowed_heading.setVisible(bool(names))
        self.allowed_box.setVisible(bool(names))

    def ask_again(self, name: str) -> None:
        """Take ``name`` out of the tools run without asking (reported like any change)."""
        if self._conversation is None:
            return
        self._extras["tools_allowed"] = [n for n in self.allowed_tools() if n != name]
        self._fill_allowed()
        self._timer.start()

    @Slot(bool)
    def _on_tools_toggled(self, checked: bool) -> None:
        self.tools_list.setEnabled(checked)
        if self._conversation is None:
            return
        self._tools_touched = True
        self._timer.start()

    @Slot()
    def _on_tool_item_changed(self, *_args: object) -> None:
        if self._conversation is None:
            return
        self._tools_touched = True
        self._timer.start()

    # -- internals -------------------------------------------------------------------------------

    def _show(self, *, model: str, settings: Mapping[str, Any]) -> None:
        """Put values in the controls without reporting them; untouched controls keep their state."""
        self._updating = True
        try:
            if model != self.model_picker.model():
                self.model_picker.set_model(model)
            if settings["system_prompt"] != self.prompt_edit.toPlainText():
                self.prompt_edit.setPlainText(settings["system_prompt"])
            for key, control in self.parameters.items():
                if control.value() != settings[key]:
                    control.set_value(settings[key])
        finally:
            self._updating = False
        self._sync_preset_combo()

    def _apply(self, settings: Mapping[str, Any], *, model: str | None = None) -> None:
        """Put values in the controls as if the user had (a preset, Reset): reported after the debounce."""
        self._show(model=self.model() if model is None else model, settings=normalize_settings(settings))
        self._timer.start()

    @Slot()
    def _on_changed(self) -> None:
        if self._updating or self._conversation is None:
            return
        self._sync_preset_combo()
        self._timer.start()

    @Slot()
    def _fill_presets(self) -> None:
        presets = self.presets.presets()  # first: it may re-read the file and re-enter this slot
        with QSignalBlocker(self.preset_combo):
            self.preset_combo.clear()
            builtins = [p for p in presets if p.builtin]
            users = [p for p in presets if not p.builtin]
            for preset in builtins:
                self.preset_combo.addItem(preset.name, preset.id)
            if users:
                self.preset_combo.insertSeparator(self.preset_combo.count())
            for preset in users:
                self.preset_combo.addItem(preset.name, preset.id)
        self._sync_preset_combo()

    def _sync_preset_combo(self) -> None:
        """Show the preset the settings match exactly, or "Custom"."""
        match = self.presets.matching(normalize_settings(self.settings()))
        index = self.preset_combo.findData(match.id) if match is not None else -1
        with QSignalBlocker(self.preset_combo):
            self.preset_combo.setCurrentIndex(index)

    @Slot(int)
    def _on_preset_activated(self, index: int) -> None:
        preset = self.presets.get(str(self.preset_combo.itemData(index) or ""))
        if preset is None or self._conversation is None:
            return
        self._apply(preset.settings)

    @Slot()
    def _on_reset_clicked(self) -> None:
        if self._conversation is None:
            return
        self._apply(DEFAULT_SETTINGS, model="")

    @Slot()
    def _on_save_preset(self) -> None:
        match = self.presets.matching(self.settings())
        name = match.name if match is not None and not match.builtin else ""
        dialog = PresetNameDialog(self.presets, title=self.tr("Save as preset"), name=name, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._on_save_accepted)
        self.dialog = dialog
        dialog.open()

    @Slot()
    def _on_save_accepted(self) -> None:
        dialog = self.dialog
        if not isinstance(dialog, PresetNameDialog):
            return
        name = dialog.name()
        try:
            self.presets.save(name, self.settings())
        except OSError as exc:
            self._context.notifier.error(exc)
        except PresetError as exc:  # the dialog prevents these; a file changed underneath may not
            log.info("preset not saved: %s", exc)
            self._context.notifier.warn(self.tr("The preset could not be saved: the name is not allowed."))
        else:
            self._context.notifier.info(self.tr("Preset “{name}” saved.").format(name=name))
        self._sync_preset_combo()

    @Slot()
    def _on_manage_presets(self) -> None:
        dialog = PresetManagerDialog(self.presets, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        index = self.preset_combo.currentIndex()
        if index >= 0:
            dialog.select(str(self.preset_combo.itemData(index)))
        self.dialog = dialog
        dialog.open()

    # -- models ----------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._models_dirty:
            self.load_models()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802
        # Closing the panel (or the window) must not lose the last ~300 ms of typing.
        if self._timer.isActive():
            self.flush()
        super().hideEvent(event)

    @Slot()
    def _on_client_changed(self) -> None:
        self._update_default_model()
        self._models_task.cancel()
        if self.isVisible():
            self.load_models()
        else:
            self._models_dirty = True

    @Slot()
    def _on_refresh_models(self) -> None:
        self.load_models(refresh=True)

    async def _load_models(self, refresh: bool) -> None:
        session = self._context.session
        try:
            client = session.require_client()
        except NoTokenError as exc:
            self.model_picker.show_error(exc)
            self._models_dirty = True  # try again once there is a token
            return
        key = f"{session.active_id}\n{client.base_url}"
        try:
            await self.model_picker.load(client, key=key, refresh=refresh)
        except APIError as exc:  # load() reports its own failures; anything else is unexpected
            self.model_picker.show_error(exc)

    @Slot()
    def _update_default_model(self) -> None:
        self.model_picker.set_default_model(self._context.session.profile.model_for(Capability.CHAT))
