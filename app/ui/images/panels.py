"""The three request panels: Generate, Edit (with the mask editor) and Variations (with a preview).

A panel shows the model, the options that model's family takes, the prompt and its history, a
run bar (button, Cancel, elapsed time) and one message line. It does no I/O: the page reads a
panel's state into an :class:`~app.ui.images.jobs.ImageJob`, runs it, and reports back through
:meth:`RequestPanel.set_running` and the message line. Nothing a panel holds is cleared by a
failure — prompt, pictures and mask stay for the next try.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QMimeData, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QIcon, QImage, QKeySequence, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.imaging import Fit, Note, NoteKind
from app.settings import Preferences
from app.store.gallery import Operation
from app.ui.images.families import DEFAULT_MODELS, Family, OptionSet, family_of, option_set, request_parameters
from app.ui.images.jobs import SourceImage
from app.ui.images.mask_canvas import MaskEditor
from app.ui.images.widgets import MessageLine, ModelBox, OptionsForm, PromptBox, RunBar

__all__ = [
    "EditPanel",
    "FitChoice",
    "GeneratePanel",
    "RequestPanel",
    "VariationPanel",
    "describe_notes",
    "join_sentences",
]

translate = QCoreApplication.translate

#: The tallest the Generate prompt grows (in lines of text) on a tall window.
PROMPT_MAX_LINES = 12

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"})


def describe_notes(notes: tuple[Note, ...] | list[Note]) -> str:
    """What was done to the pictures before sending, in words."""

    def size(value: tuple[int, int] | None) -> str:
        return f"{value[0]} × {value[1]}" if value else ""

    sentences = []
    for note in notes:
        if note.kind == NoteKind.CONVERTED:
            sentences.append(translate("ImageNotes", "Converted from {format} to PNG.").format(format=note.detail))
        elif note.kind == NoteKind.ROTATED:
            sentences.append(translate("ImageNotes", "Turned upright as the photo's orientation tag says."))
        elif note.kind == NoteKind.CROPPED:
            sentences.append(translate("ImageNotes", "Cropped to the centre square ({before} → {after}).").format(
                before=size(note.before), after=size(note.after)))
        elif note.kind == NoteKind.PADDED:
            sentences.append(translate("ImageNotes", "Padded to a square ({before} → {after}).").format(
                before=size(note.before), after=size(note.after)))
        elif note.kind == NoteKind.SCALED and note.detail == "bytes":
            sentences.append(translate("ImageNotes", "Scaled down from {before} to {after} to stay under the upload limit.").format(
                before=size(note.before), after=size(note.after)))
        elif note.kind == NoteKind.SCALED:
            sentences.append(translate("ImageNotes", "Scaled down from {before} to {after}, the largest the model takes.").format(
                before=size(note.before), after=size(note.after)))
    return join_sentences(sentences)


def join_sentences(sentences: list[str]) -> str:
    """Sentences one after the other: a space after English ones, none after a Chinese full stop."""
    text = ""
    for sentence in (s.strip() for s in sentences):
        if not sentence:
            continue
        if text and not text.endswith(("。", "！", "？", "：", "；")):
            text += " "
        text += sentence
    return text


def _image_files(mime: QMimeData) -> list[str]:
    return [url.toLocalFile() for url in mime.urls()
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES]


class RequestPanel(QWidget):
    """What the three panels share; subclasses add their middle part."""

    run_requested = Signal()
    cancel_requested = Signal()
    #: The model's family changed (the page refreshes what depends on it).
    family_changed = Signal()

    def __init__(self, operation: Operation, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.operation = operation
        self._preferences = preferences
        self._remembered: dict[str, dict[str, Any]] = self._load_remembered()
        self._family: Family | None = None

        self.model_box = ModelBox(self)
        self.model_box.setObjectName(f"{operation.value}_model")
        self.model_label = QLabel(translate("RequestPanel", "&Model:"), self)
        self.model_label.setBuddy(self.model_box)
        self.family_note = QLabel(self)
        self.family_note.setObjectName("family_note")
        self.family_note.setWordWrap(True)
        self.family_note.hide()
        self.options = OptionsForm(self)
        self.run_bar = RunBar(self.action_text(), self)
        self.message = MessageLine(self)
        self.prompt: PromptBox | None = None
        self._laid_out = False

        model_row = QHBoxLayout()
        model_row.addWidget(self.model_label)
        model_row.addWidget(self.model_box, 1)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(8, 8, 8, 8)
        self.layout_.addLayout(model_row)
        self.layout_.addWidget(self.family_note)

        self.model_box.model_changed.connect(self._on_model_changed)
        self.run_bar.run_clicked.connect(self.run_requested)
        self.run_bar.cancel_clicked.connect(self.cancel_requested)

    # -- subclasses ------------------------------------------------------------------------------

    def action_text(self) -> str:
        raise NotImplementedError

    def _finish_layout(self) -> None:
        self.layout_.addWidget(self.options)
        self.layout_.addWidget(self.run_bar)
        self.layout_.addWidget(self.message)
        self._laid_out = True
        self.refresh_tab_order()

    def _middle_chain(self) -> list[QWidget]:
        """The controls between the model and the options, in the order they are laid out."""
        return [self.prompt.edit, self.prompt.history_button] if self.prompt is not None else []

    def tab_chain(self) -> list[QWidget]:
        """Every control of the panel in reading order: the order Tab moves through them."""
        return [self.model_box, *self._middle_chain(), *self.options.fields(),
                self.run_bar.run_button, self.run_bar.cancel_button]

    def refresh_tab_order(self) -> None:
        """Make Tab follow the layout (option fields are rebuilt per model, so they would come last)."""
        if not self._laid_out:
            return
        chain = self.tab_chain()
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # -- model and options -----------------------------------------------------------------------

    @property
    def family(self) -> Family:
        return family_of(self.model_box.model())

    @property
    def option_set(self) -> OptionSet:
        return option_set(self.operation, self.model_box.model())

    def remembered_model(self) -> str:
        models = self._remembered.get("_models", {})
        return str(models.get(self.operation.value, "")) if isinstance(models, dict) else ""

    def set_default_model(self, profile_model: str) -> None:
        """Start with the last model used here, else the profile's image model if it suits, else ours."""
        if self.model_box.model():
            return
        model = self.remembered_model()
        if not model:
            suits = profile_model and option_set(self.operation, profile_model).supported
            model = profile_model if suits else DEFAULT_MODELS[self.operation]
        self.model_box.set_model(model)
        if self._family is None:
            self._on_model_changed(model)

    @Slot(str)
    def _on_model_changed(self, model: str) -> None:
        family = family_of(model)
        if family == self._family and self.options.option_set is not None:
            return
        if self._family is not None and self.options.option_set is not None:
            self._remember_current()
        self._family = family
        options = option_set(self.operation, model)
        saved = self._remembered.get(self._key(family), {})
        count = int(saved.get("n", 1)) if isinstance(saved, dict) and str(saved.get("n", "1")).isdigit() else 1
        values = {k: str(v) for k, v in saved.items() if k != "n"} if isinstance(saved, dict) else {}
        self.options.set_options(options, values, count)
        self.refresh_tab_order()
        self._refresh_family_note(options)
        self.family_changed.emit()

    def _refresh_family_note(self, options: OptionSet) -> None:
        if not options.supported:
            text = {
                Operation.EDIT: translate("RequestPanel", "This model cannot edit pictures on OpenAI's servers — "
                                        "dall-e-2 or gpt-image-1 can. Another server may still accept it."),
                Operation.VARIATION: translate("RequestPanel", "Only dall-e-2 makes variations on OpenAI's servers. "
                                             "Another server may still accept this model."),
            }.get(self.operation, "")
            self.family_note.setText(text)
            self.family_note.setVisible(bool(text))
        else:
            self.family_note.hide()

    def parameters(self) -> dict[str, object]:
        return request_parameters(self.option_set, self.options.values(), self.options.count())

    def apply_parameters(self, parameters: dict[str, Any]) -> None:
        """Put stored parameters back (Use prompt again): those the family takes, the rest ignored."""
        for name, value in parameters.items():
            if name == "n":
                if str(value).isdigit():
                    self.options.count_spin.setValue(int(value))
            elif isinstance(value, str):
                self.options.set_value(name, value)

    # -- remembering choices ---------------------------------------------------------------------

    def _key(self, family: Family) -> str:
        return f"{self.operation.value}/{family.value}"

    def _load_remembered(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self._preferences.images_options)
        except (ValueError, TypeError):
            return {}
        return data if isinstance(data, dict) else {}

    def _remember_current(self) -> None:
        if self._family is None:
            return
        values: dict[str, Any] = dict(self.options.values())
        if self.options.option_set is not None and self.options.option_set.max_count > 1:
            values["n"] = self.options.count()
        self._remembered[self._key(self._family)] = values

    def remember(self) -> None:
        """Keep the model and options used now for the next start (called when a request is sent)."""
        self._remember_current()
        models = self._remembered.setdefault("_models", {})
        if isinstance(models, dict):
            models[self.operation.value] = self.model_box.model()
        # Merge with what the other panels remembered meanwhile: they share the preference.
        merged = self._load_remembered()
        for key, value in self._remembered.items():
            if key == "_models" and isinstance(merged.get("_models"), dict) and isinstance(value, dict):
                merged["_models"].update(value)
            else:
                merged[key] = value
        self._preferences.images_options = json.dumps(merged, ensure_ascii=False, sort_keys=True)

    # -- running ---------------------------------------------------------------------------------

    def set_running(self, running: bool) -> float:
        """Show the request running (clock, Cancel) or done; returns the seconds it ran."""
        if running:
            self.message.clear_message()
            self.run_bar.start()
            return 0.0
        return self.run_bar.stop()

    @property
    def running(self) -> bool:
        return self.run_bar.running

    def focus_main_input(self) -> None:
        target = self.prompt.edit if self.prompt is not None else self.model_box
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)


class GeneratePanel(RequestPanel):
    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(Operation.GENERATE, preferences, parent)
        self.setObjectName("generate_panel")
        self.prompt = PromptBox(self.tr("Describe the picture you want…"), self)
        # The prompt grows with the window up to a dozen lines; beyond that the space goes below the
        # Generate button, which stays next to the options instead of at the bottom of a tall window.
        self.prompt.set_max_lines(PROMPT_MAX_LINES)
        self.layout_.addWidget(self.prompt, 1)
        self._finish_layout()
        self.layout_.addStretch(0)

    def action_text(self) -> str:
        return self.tr("Generate")


class FitChoice(QWidget):
    """Crop or pad, for servers that want square pictures."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.crop_radio = QRadioButton(self.tr("Crop to the centre"), self)
        self.crop_radio.setObjectName("fit_crop")
        self.crop_radio.setToolTip(self.tr("Cut the longer side down so the picture is square"))
        self.pad_radio = QRadioButton(self.tr("Pad with white borders"), self)
        self.pad_radio.setObjectName("fit_pad")
        self.pad_radio.setToolTip(self.tr("Keep the whole picture and fill the sides with white"))
        self.crop_radio.setChecked(True)
        self._group = QButtonGroup(self)
        self._group.addButton(self.crop_radio)
        self._group.addButton(self.pad_radio)
        self._group.buttonToggled.connect(lambda _b, checked: checked and self.changed.emit())
        self.caption = QLabel(self.tr("Make it square:"), self)
        self.caption.setBuddy(self.crop_radio)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.crop_radio)
        layout.addWidget(self.pad_radio)
        layout.addStretch(1)

    def fit(self) -> Fit:
        return Fit.PAD if self.pad_radio.isChecked() else Fit.CROP

    def set_fit(self, fit: Fit | str) -> None:
        (self.pad_radio if Fit(fit) == Fit.PAD else self.crop_radio).setChecked(True)


class _SourcePanel(RequestPanel):
    """A panel that takes pictures: Open…, Paste, drop, or a gallery picture's Edit/Vary."""

    open_file_requested = Signal()
    paste_requested = Signal()
    files_dropped = Signal(list)
    image_dropped = Signal(QImage)
    #: The pictures changed (the page refreshes previews).
    sources_changed = Signal()

    def __init__(self, operation: Operation, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(operation, preferences, parent)
        self.setAcceptDrops(True)
        self.sources: list[SourceImage] = []
        self.open_button = QPushButton(translate("SourcePanel", "Open…"), self)
        self.open_button.setObjectName("open_source_button")
        self.open_button.setToolTip(translate("SourcePanel", "Choose a picture file"))
        self.open_button.clicked.connect(self.open_file_requested)
        self.paste_button = QPushButton(translate("SourcePanel", "Paste"), self)
        self.paste_button.setObjectName("paste_source_button")
        self.paste_button.setToolTip(translate("SourcePanel", "Use the picture on the clipboard"))
        self.paste_button.clicked.connect(self.paste_requested)
        self.fit_choice = FitChoice(self)
        self.fit_choice.setObjectName("fit_choice")
        self.fit_choice.hide()
        self.family_changed.connect(self._refresh_fit)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        mime = event.mimeData()
        if _image_files(mime) or mime.hasImage():
            event.acceptProposedAction()
            return
        super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        mime = event.mimeData()
        files = _image_files(mime)
        if files:
            self.files_dropped.emit(files)
            event.acceptProposedAction()
        elif mime.hasImage():
            image = QImage(mime.imageData())
            if not image.isNull():
                self.image_dropped.emit(image)
                event.acceptProposedAction()

    def needs_fit(self) -> bool:
        first = self.sources[0] if self.sources else None
        return bool(first and self.option_set.square_input and first.width != first.height)

    @Slot()
    def _refresh_fit(self) -> None:
        self.fit_choice.setVisible(self.needs_fit())


class EditPanel(_SourcePanel):
    """Pictures to edit (several for gpt-image-1), the mask painted on the first, prompt and options."""

    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(Operation.EDIT, preferences, parent)
        self.setObjectName("edit_panel")
        self.source_list = QListWidget(self)
        self.source_list.setObjectName("edit_sources")
        self.source_list.setViewMode(QListView.ViewMode.IconMode)
        self.source_list.setFlow(QListView.Flow.LeftToRight)
        self.source_list.setWrapping(False)
        self.source_list.setIconSize(QSize(48, 48))
        self.source_list.setMovement(QListView.Movement.Static)
        self.source_list.setFixedHeight(64)
        self.source_list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.source_list.setAccessibleName(self.tr("Pictures to edit"))
        self.source_list.setToolTip(self.tr("The mask is painted on the first picture; Delete takes the selected one out"))
        self.source_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.remove_button.setObjectName("remove_source_button")
        self.remove_button.setToolTip(self.tr("Take the selected picture out of the edit"))
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.remove_action = QAction(self.tr("Remove the selected picture from the edit"), self.source_list)
        self.remove_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Delete), QKeySequence(Qt.Key.Key_Backspace)])
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.remove_action.triggered.connect(self._on_remove_clicked)
        self.source_list.addAction(self.remove_action)
        self.sources_note = QLabel(self)
        self.sources_note.setObjectName("sources_note")
        self.sources_note.setWordWrap(True)
        self.editor = MaskEditor(self)
        self.editor.canvas.empty_text = self.tr(
            "Choose the picture to edit: Open…, Paste, drop a file here, or pick Edit on a gallery picture. "
            "Then paint over the part that should change."
        )
        self.prompt = PromptBox(self.tr("Describe the change, or the whole new picture…"), self)
        self.prompt.set_max_lines(5)

        buttons = QVBoxLayout()
        buttons.setSpacing(2)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.paste_button)
        buttons.addWidget(self.remove_button)
        row = QHBoxLayout()
        row.addWidget(self.source_list, 1)
        row.addLayout(buttons)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.sources_note)
        self.layout_.addWidget(self.fit_choice)
        self.layout_.addWidget(self.editor, 1)
        self.layout_.addWidget(self.prompt)
        self._finish_layout()
        self.family_changed.connect(self._refresh_sources_note)
        self._refresh_sources_note()

    def action_text(self) -> str:
        return self.tr("Edit")

    def _middle_chain(self) -> list[QWidget]:
        return [self.source_list, self.open_button, self.paste_button, self.remove_button,
                self.fit_choice.crop_radio, self.fit_choice.pad_radio, *self.editor.tab_chain(),
                *super()._middle_chain()]

    @property
    def canvas(self) -> Any:
        return self.editor.canvas

    def add_source(self, source: SourceImage, image: QImage) -> None:
        """Add a picture (replacing the one there when the family takes only one)."""
        replace = self.option_set.max_images <= 1
        if replace:
            self.sources = []
            self.source_list.clear()
        self.sources.append(source)
        item = QListWidgetItem(QIcon(QPixmap.fromImage(image.scaled(
            96, 96, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))), "")
        item.setToolTip(f"{source.name} — {source.width} × {source.height}")
        item.setData(Qt.ItemDataRole.UserRole, image)
        self.source_list.addItem(item)
        if len(self.sources) == 1:
            self.canvas.set_image(image)
        self._after_sources_changed()

    def clear_sources(self) -> None:
        """Start over with no pictures (the mask and its history go too)."""
        self.sources = []
        self.source_list.clear()
        self.canvas.set_image(None)
        self._after_sources_changed()

    def remove_source(self, row: int) -> None:
        if not 0 <= row < len(self.sources):
            return
        self.sources.pop(row)
        item = self.source_list.takeItem(row)
        if row == 0:
            first = self.source_list.item(0)
            self.canvas.set_image(first.data(Qt.ItemDataRole.UserRole) if first is not None else None)
        del item
        self._after_sources_changed()

    def _after_sources_changed(self) -> None:
        self.remove_button.setEnabled(bool(self.sources))
        self._refresh_fit()
        self._refresh_sources_note()
        self.sources_changed.emit()

    @Slot()
    def _on_remove_clicked(self) -> None:
        row = self.source_list.currentRow()
        self.remove_source(row if row >= 0 else len(self.sources) - 1)

    @Slot()
    def _refresh_sources_note(self) -> None:
        limit = self.option_set.max_images
        if not self.sources:
            text = ""
        elif len(self.sources) > limit:
            text = self.tr("This model edits one picture at a time: remove the others, or choose gpt-image-1.")
        elif limit > 1:
            text = self.tr("You paint the mask on the first picture; the others guide the model (up to {count}).").format(
                count=limit)
        else:
            text = ""
        self.sources_note.setText(text)
        self.sources_note.setVisible(bool(text))
        self.remove_button.setEnabled(bool(self.sources))


class VariationPanel(_SourcePanel):
    """One picture, made square (crop or pad, with a preview of exactly what is sent)."""

    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(Operation.VARIATION, preferences, parent)
        self.setObjectName("variation_panel")
        self.source_label = QLabel(self)
        self.source_label.setObjectName("variation_source")
        self.source_label.setWordWrap(True)
        self.preview = QLabel(self)
        self.preview.setObjectName("variation_preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(160, 160)
        # Ignored: the pixmap is scaled to the label, so its size must not feed back into the layout.
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.preview.setWordWrap(True)
        self.preview_info = QLabel(self)
        self.preview_info.setObjectName("variation_preview_info")
        self.preview_info.setWordWrap(True)
        self._preview_image = QImage()
        self.fit_choice.setVisible(False)

        buttons = QHBoxLayout()
        buttons.addWidget(self.source_label, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.paste_button)
        self.layout_.addLayout(buttons)
        self.layout_.addWidget(self.fit_choice)
        self.layout_.addWidget(self.preview, 1)
        self.layout_.addWidget(self.preview_info)
        self._finish_layout()
        self.fit_choice.changed.connect(self.sources_changed)
        self.set_source(None, None)

    def action_text(self) -> str:
        return self.tr("Make variations")

    def _middle_chain(self) -> list[QWidget]:
        return [self.open_button, self.paste_button, self.fit_choice.crop_radio, self.fit_choice.pad_radio]

    def set_source(self, source: SourceImage | None, image: QImage | None) -> None:
        self.sources = [source] if source is not None else []
        if source is None:
            self.source_label.setText(self.tr("No picture chosen."))
            self.preview.setText(self.tr("Choose a picture: Open…, Paste, drop a file here, "
                                         "or pick Vary on a gallery picture."))
            self.preview_info.setText("")
            self._preview_image = QImage()
        else:
            self.source_label.setText(f"{source.name} — {source.width} × {source.height}")
        self._refresh_fit()
        self.sources_changed.emit()

    def set_preview(self, image: QImage, info: str) -> None:
        """Show the square picture exactly as it will be sent."""
        self._preview_image = image
        self.preview_info.setText(info)
        self._show_preview()

    def preview_image(self) -> QImage:
        return self._preview_image

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._show_preview()

    def _show_preview(self) -> None:
        if self._preview_image.isNull():
            return
        side = max(32, min(self.preview.width(), self.preview.height()) - 8)
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap.fromImage(self._preview_image.scaled(
            int(side * ratio), int(side * ratio), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))
        pixmap.setDevicePixelRatio(ratio)
        self.preview.setPixmap(pixmap)
