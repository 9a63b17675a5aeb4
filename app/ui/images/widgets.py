"""Pieces the three panels share: model box, prompt with history, option fields, run bar, message line."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, QSignalBlocker, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.images.families import SERVER_DEFAULT, OptionSet, OptionSpec

__all__ = ["MessageLine", "ModelBox", "OptionsForm", "PromptBox", "RunBar", "value_label"]

#: Longest prompt shown whole in the history menu.
HISTORY_LABEL_CHARS = 80
HISTORY_MENU_ITEMS = 25
QWIDGETSIZE_MAX = (1 << 24) - 1

translate = QCoreApplication.translate


def value_label(name: str, value: str) -> str:
    """The words shown for an option value (the value itself is what the API receives)."""
    if value == SERVER_DEFAULT:
        return translate("ImageOptions", "Server default")
    if value == "auto":
        return translate("ImageOptions", "Auto")
    if name == "size":
        parts = value.lower().split("x")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            width, height = int(parts[0]), int(parts[1])
            if width == height:
                shape = translate("ImageOptions", "square")
            elif width > height:
                shape = translate("ImageOptions", "landscape")
            else:
                shape = translate("ImageOptions", "portrait")
            return translate("ImageOptions", "{width} × {height} ({shape})").format(width=width, height=height, shape=shape)
        return value
    words = {
        ("quality", "standard"): translate("ImageOptions", "Standard"),
        ("quality", "hd"): translate("ImageOptions", "HD"),
        ("quality", "high"): translate("ImageOptions", "High"),
        ("quality", "medium"): translate("ImageOptions", "Medium"),
        ("quality", "low"): translate("ImageOptions", "Low"),
        ("style", "vivid"): translate("ImageOptions", "Vivid"),
        ("style", "natural"): translate("ImageOptions", "Natural"),
        ("background", "transparent"): translate("ImageOptions", "Transparent"),
        ("background", "opaque"): translate("ImageOptions", "Opaque"),
        ("output_format", "png"): "PNG",
        ("output_format", "jpeg"): "JPEG",
        ("output_format", "webp"): "WebP",
        ("response_format", "url"): translate("ImageOptions", "Link (downloaded at once)"),
        ("response_format", "b64_json"): translate("ImageOptions", "Inline (base64)"),
    }
    return words.get((name, value), value)


def option_caption(name: str) -> str:
    return {
        "size": translate("ImageOptions", "Size:"),
        "quality": translate("ImageOptions", "Quality:"),
        "style": translate("ImageOptions", "Style:"),
        "background": translate("ImageOptions", "Background:"),
        "output_format": translate("ImageOptions", "File format:"),
        "response_format": translate("ImageOptions", "Results as:"),
        "n": translate("ImageOptions", "Number:"),
    }.get(name, name + ":")


def option_name(name: str) -> str:
    """The option's name for a screen reader (its caption without the colon)."""
    caption = option_caption(name)
    return caption.rstrip(":：").strip()


def option_tip(name: str) -> str:
    """What an option changes, for its tooltip."""
    return {
        "size": translate("ImageOptions", "Width × height of the pictures, in pixels"),
        "quality": translate("ImageOptions", "Higher quality takes longer and costs more"),
        "style": translate("ImageOptions", "Vivid is dramatic and saturated; natural is closer to a photograph"),
        "background": translate("ImageOptions", "Transparent needs PNG or WebP"),
        "output_format": translate("ImageOptions", "The file format the server returns"),
        "response_format": translate("ImageOptions", "How the server hands the pictures over"),
        "n": translate("ImageOptions", "How many pictures one request makes"),
    }.get(name, translate("ImageOptions", "Sent to the server as “{name}”").format(name=name))


class ModelBox(QComboBox):
    """The model: the server's image models to pick from, and free text for anything else."""

    #: The model text settled (typed or picked).
    model_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.lineEdit().setPlaceholderText(self.tr("Model name"))
        self.setAccessibleName(self.tr("Model"))
        self.setToolTip(self.tr("The image model: pick one the server lists, or type any name"))
        self._last = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._emit_if_changed)
        self.editTextChanged.connect(self._timer.start)
        self.activated.connect(self._emit_if_changed)

    def model(self) -> str:  # type: ignore[override]
        return self.currentText().strip()

    def set_model(self, model: str) -> None:
        self.setEditText(model)
        self._emit_if_changed()

    def set_models(self, ids: Iterable[str]) -> None:
        """Offer these ids (the text typed so far stays)."""
        text = self.currentText()
        with QSignalBlocker(self):
            self.clear()
            self.addItems(sorted(dict.fromkeys(ids), key=str.lower))
            self.setEditText(text)

    def models(self) -> list[str]:
        return [self.itemText(i) for i in range(self.count())]

    @Slot()
    def _emit_if_changed(self) -> None:
        self._timer.stop()
        model = self.model()
        if model != self._last:
            self._last = model
            self.model_changed.emit(model)


class PromptBox(QWidget):
    """A multi-line prompt with a menu of the prompts used before."""

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("prompt_edit")
        self.edit.setPlaceholderText(placeholder)
        self.edit.setTabChangesFocus(True)
        self.edit.setAccessibleName(self.tr("Prompt"))
        self.edit.setToolTip(self.tr("Describe the picture; Ctrl+Enter sends the request"))
        self._max_lines: int | None = None
        self._apply_line_limits()
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.history_button = QToolButton(self)
        self.history_button.setObjectName("prompt_history_button")
        self.history_button.setText(self.tr("History"))
        self.history_button.setToolTip(self.tr("Prompts you used before"))
        self.history_button.setAccessibleName(self.tr("Prompt history"))
        self.history_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.history_menu = QMenu(self.history_button)
        self.history_button.setMenu(self.history_menu)
        self.history_menu.aboutToShow.connect(self._fill_menu)
        self._history: list[str] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        side = QVBoxLayout()
        side.addWidget(self.history_button)
        side.addStretch(1)
        layout.addLayout(side)
        self.history_button.setEnabled(False)

    def set_max_lines(self, lines: int | None) -> None:
        """The tallest the prompt grows, in lines of text (None: as tall as there is room)."""
        self._max_lines = lines
        self._apply_line_limits()

    def _apply_line_limits(self) -> None:
        line = self.edit.fontMetrics().lineSpacing()
        self.edit.setMinimumHeight(line * 3 + 12)
        tallest = line * self._max_lines + 12 if self._max_lines else QWIDGETSIZE_MAX
        self.edit.setMaximumHeight(tallest)
        self.setMaximumHeight(tallest)  # the box too, or the layout hands it height the edit cannot use

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # Ctrl+= / Ctrl+−: the limits are in lines
            self._apply_line_limits()

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)
        cursor = self.edit.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.edit.setTextCursor(cursor)

    def set_history(self, prompts: list[str]) -> None:
        self._history = list(prompts)
        self.history_button.setEnabled(bool(self._history))

    def history(self) -> list[str]:
        return list(self._history)

    @Slot()
    def _fill_menu(self) -> None:
        self.history_menu.clear()
        for prompt in self._history[:HISTORY_MENU_ITEMS]:
            label = " ".join(prompt.split())
            if len(label) > HISTORY_LABEL_CHARS:
                label = label[: HISTORY_LABEL_CHARS - 1] + "…"
            action = QAction(label.replace("&", "&&"), self.history_menu)
            action.setToolTip(prompt)
            action.setData(prompt)
            action.triggered.connect(self._on_history_chosen)
            self.history_menu.addAction(action)

    @Slot()
    def _on_history_chosen(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.set_text(str(action.data()))
            self.edit.setFocus(Qt.FocusReason.OtherFocusReason)


class OptionsForm(QWidget):
    """The options of one family, two to a row, plus the Number field when it applies."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(8)
        self._grid.setColumnStretch(1, 1)
        self._grid.setColumnStretch(3, 1)
        self.combos: dict[str, QComboBox] = {}
        self._captions: list[QLabel] = []
        self._options: OptionSet | None = None
        self.count_spin = QSpinBox(self)
        self.count_spin.setObjectName("count_spin")
        self.count_spin.setRange(1, 10)
        self.count_spin.setAccessibleName(self.tr("Number of pictures"))
        self.count_spin.setToolTip(option_tip("n"))
        self.count_spin.valueChanged.connect(self.changed)
        self.count_label = QLabel(option_caption("n"), self)
        self.count_label.setBuddy(self.count_spin)

    @property
    def option_set(self) -> OptionSet | None:
        return self._options

    def set_options(self, options: OptionSet, values: dict[str, str] | None = None, count: int = 1) -> None:
        """Show the fields of ``options`` with ``values`` (remembered ones; defaults for the rest)."""
        values = values or {}
        for combo in self.combos.values():
            self._grid.removeWidget(combo)
            combo.deleteLater()
        for caption in self._captions:
            self._grid.removeWidget(caption)
            caption.deleteLater()
        self._grid.removeWidget(self.count_spin)
        self._grid.removeWidget(self.count_label)
        self.combos = {}
        self._captions = []
        self._options = options
        cells: list[tuple[QLabel, QWidget]] = []
        for spec in options.options:
            combo = self._combo(spec, values.get(spec.name, spec.default))
            caption = QLabel(option_caption(spec.name), self)
            caption.setBuddy(combo)
            self.combos[spec.name] = combo
            self._captions.append(caption)
            cells.append((caption, combo))
        show_count = options.max_count > 1
        self.count_spin.setVisible(show_count)
        self.count_label.setVisible(show_count)
        if show_count:
            with QSignalBlocker(self.count_spin):
                self.count_spin.setRange(1, options.max_count)
                self.count_spin.setValue(max(1, min(options.max_count, int(count))))
            cells.append((self.count_label, self.count_spin))
        for number, (caption, field) in enumerate(cells):
            row, column = divmod(number, 2)
            self._grid.addWidget(caption, row, column * 2)
            self._grid.addWidget(field, row, column * 2 + 1)
            caption.setVisible(True)
            field.setVisible(True)
        self.changed.emit()

    def _combo(self, spec: OptionSpec, value: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(f"option_{spec.name}")
        combo.setAccessibleName(option_name(spec.name))
        combo.setToolTip(option_tip(spec.name))
        combo.setEditable(spec.editable)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        for option_value in spec.values:
            combo.addItem(value_label(spec.name, option_value), option_value)
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)
        elif spec.editable and value:
            combo.setEditText(value)
        else:
            combo.setCurrentIndex(max(0, combo.findData(spec.default)))
        combo.currentIndexChanged.connect(self.changed)
        if spec.editable:
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            combo.editTextChanged.connect(self.changed)
        return combo

    def fields(self) -> list[QWidget]:
        """The option fields in reading order (two to a row), the Number field last."""
        return [*self.combos.values(), self.count_spin]

    def value(self, name: str) -> str:
        combo = self.combos[name]
        if combo.isEditable():
            text = combo.currentText().strip()
            index = combo.findText(text)
            if index >= 0:
                return str(combo.itemData(index))
            return text.replace("×", "x").replace(" ", "").lower()
        return str(combo.currentData())

    def values(self) -> dict[str, str]:
        return {name: self.value(name) for name in self.combos}

    def set_value(self, name: str, value: str) -> None:
        combo = self.combos.get(name)
        if combo is None:
            return
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)
        elif combo.isEditable():
            combo.setEditText(value)

    def count(self) -> int:
        return self.count_spin.value() if self._options is not None and self._options.max_count > 1 else 1


class RunBar(QWidget):
    """The operation's button, Cancel, and the time the request has been running."""

    run_clicked = Signal()
    cancel_clicked = Signal()

    def __init__(self, action_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_button = QPushButton(action_text, self)
        self.run_button.setObjectName("run_button")
        self.run_button.setDefault(False)
        self.run_button.setToolTip(self.tr("Send the request (Ctrl+Enter)"))
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("cancel_button")
        self.cancel_button.setToolTip(self.tr("Stop the request"))
        self.cancel_button.hide()
        self.elapsed_label = QLabel(self)
        self.elapsed_label.setObjectName("elapsed_label")
        self.elapsed_label.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.run_button)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.elapsed_label, 1)
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._tick)
        self.run_button.clicked.connect(self.run_clicked)
        self.cancel_button.clicked.connect(self.cancel_clicked)

    @property
    def running(self) -> bool:
        return self._clock.isValid() and self._timer.isActive()

    def elapsed(self) -> float:
        return self._clock.elapsed() / 1000 if self._clock.isValid() else 0.0

    def start(self) -> None:
        had_focus = self.run_button.hasFocus()
        self._clock.start()
        self._timer.start()
        self.run_button.setEnabled(False)
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        if had_focus:  # the button it was on is disabled now: keep the keyboard useful
            self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)
        self._tick()

    def stop(self) -> float:
        """Stop the clock; returns the seconds it ran."""
        seconds = self.elapsed()
        self._timer.stop()
        self._clock.invalidate()
        self.run_button.setEnabled(True)
        self.cancel_button.hide()
        self.elapsed_label.setText("")
        return seconds

    @Slot()
    def _tick(self) -> None:
        self.elapsed_label.setText(self.tr("Working… {seconds} s").format(seconds=f"{self.elapsed():.1f}"))


class MessageLine(QLabel):
    """One line under the panel: an error (kept until the next try), a warning, or a note."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("panel_message")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.level = ""
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, "error")

    def show_warning(self, text: str) -> None:
        self._show(text, "warning")

    def show_info(self, text: str) -> None:
        self._show(text, "info")

    def clear_message(self) -> None:
        self.level = ""
        self.setText("")
        self.hide()

    def _show(self, text: str, level: str) -> None:
        self.level = level
        self.setText(text)
        palette = self.parentWidget().palette() if self.parentWidget() else self.palette()
        palette = QPalette(palette)
        if level == "error":
            palette.setColor(QPalette.ColorRole.WindowText, _error_color(palette))
        self.setPalette(palette)
        self.setAccessibleDescription(level)
        self.show()


def _error_color(palette: QPalette) -> QColor:
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return QColor("#ff8a80") if dark else QColor("#b3261e")
