"""The General page: language, colour theme, text size, the tray, the chat composer's Enter key, chat pictures,
and the round limit of the chat's tool calls."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.settings import Language, Preferences, Theme
from app.ui.font_size import MAX_POINT_SIZE, MIN_POINT_SIZE

__all__ = ["GeneralPage"]


class GeneralPage(QWidget):
    """Edits the preferences; they are written when the dialog's OK or Apply is pressed."""

    def __init__(self, preferences: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._preferences = preferences

        self._language_combo = QComboBox(self)
        self._language_combo.addItem(self.tr("System default"), Language.SYSTEM.value)
        # Each language is named in itself, so it can be found whatever language is showing now.
        self._language_combo.addItem("English", Language.ENGLISH.value)
        self._language_combo.addItem("简体中文", Language.CHINESE_SIMPLIFIED.value)
        self._language_combo.setCurrentIndex(max(0, self._language_combo.findData(preferences.language)))
        self._language_combo.setAccessibleName(self.tr("Language"))
        self._language_combo.setToolTip(self.tr("The language of Parla's menus, buttons and messages"))
        language_note = _Note(self.tr("A new language takes effect the next time Parla starts."), self)

        self._theme_combo = QComboBox(self)
        self._theme_combo.addItem(self.tr("Follow the system"), Theme.SYSTEM.value)
        self._theme_combo.addItem(self.tr("Light"), Theme.LIGHT.value)
        self._theme_combo.addItem(self.tr("Dark"), Theme.DARK.value)
        self._theme_combo.setCurrentIndex(max(0, self._theme_combo.findData(preferences.theme)))
        self._theme_combo.setAccessibleName(self.tr("Theme"))
        self._theme_combo.setToolTip(self.tr("Light or dark colours, or the same as the desktop"))
        theme_note = _Note(self.tr("The theme changes as soon as you press OK or Apply."), self)

        self._enter_combo = QComboBox(self)
        self._enter_combo.addItem(self.tr("Enter sends, Shift+Enter starts a new line"), True)
        self._enter_combo.addItem(self.tr("Shift+Enter sends, Enter starts a new line"), False)
        self._enter_combo.setCurrentIndex(max(0, self._enter_combo.findData(preferences.enter_sends)))
        self._enter_combo.setAccessibleName(self.tr("Chat messages"))
        self._enter_combo.setToolTip(self.tr("Which key sends a chat message and which starts a new line"))
        enter_note = _Note(self.tr("Ctrl+Enter always sends."), self)

        # The value below the smallest size stands for "the desktop's size" (stored as 0).
        self._font_size_spin = QSpinBox(self)
        self._font_size_spin.setRange(MIN_POINT_SIZE - 1, MAX_POINT_SIZE)
        self._font_size_spin.setSpecialValueText(self.tr("Desktop default"))
        self._font_size_spin.setSuffix(self.tr(" pt"))
        self._font_size_spin.setValue(preferences.font_size if preferences.font_size >= MIN_POINT_SIZE else MIN_POINT_SIZE - 1)
        self._font_size_spin.setAccessibleName(self.tr("Text size"))
        self._font_size_spin.setToolTip(self.tr("The size of all text in points; Ctrl+= and Ctrl+− change it from anywhere, Ctrl+0 resets it"))
        font_note = _Note(self.tr("Also from the keyboard: Ctrl+= larger, Ctrl+− smaller, Ctrl+0 default."), self)

        self._tray_check = QCheckBox(self.tr("Show Parla in the system tray, and keep it running there when the window is closed"), self)
        self._tray_check.setChecked(preferences.tray)
        self._tray_check.setAccessibleName(self.tr("System tray"))
        self._tray_check.setToolTip(self.tr("Closing the window then hides it; Quit in the tray menu (or Ctrl+Q) ends Parla"))
        from app.ui.tray import TrayIcon

        tray_text = (
            self.tr("The tray menu offers Show, New chat, Push to talk and Quit.")
            if TrayIcon.available()
            else self.tr("This desktop has no system tray right now: closing the window quits Parla.")
        )
        tray_note = _Note(tray_text, self)

        self._image_side_spin = QSpinBox(self)
        self._image_side_spin.setRange(256, 8192)
        self._image_side_spin.setSingleStep(256)
        self._image_side_spin.setSuffix(self.tr(" px"))
        self._image_side_spin.setValue(preferences.chat_image_max_side)
        self._image_side_spin.setAccessibleName(self.tr("Largest side of sent pictures"))
        self._image_side_spin.setToolTip(
            self.tr("Pictures sent in chat are scaled down so that their longest side is at most this long")
        )
        self._web_image_combo = QComboBox(self)
        self._web_image_combo.addItem(self.tr("Send the address (the model fetches the picture)"), "url")
        self._web_image_combo.addItem(self.tr("Download it first and send the picture itself"), "download")
        self._web_image_combo.setCurrentIndex(max(0, self._web_image_combo.findData(preferences.chat_web_image_mode)))
        self._web_image_combo.setAccessibleName(self.tr("Pictures from web pages"))
        self._web_image_combo.setToolTip(self.tr("What happens to a picture dragged from a web page into a chat"))
        image_note = _Note(
            self.tr("Downloaded pictures are scaled and stripped of metadata like dropped files; some models cannot fetch addresses."),
            self,
        )

        self._tool_rounds_spin = QSpinBox(self)
        self._tool_rounds_spin.setRange(1, 32)
        self._tool_rounds_spin.setValue(preferences.chat_tool_rounds)
        self._tool_rounds_spin.setAccessibleName(self.tr("Rounds of tool calls per reply"))
        self._tool_rounds_spin.setToolTip(
            self.tr("With tools on, a reply stops after this many rounds of tool calls and offers Continue")
        )
        tool_rounds_note = _Note(
            self.tr("A round is one request in which the model asks for tools; Continue allows as many again."), self
        )

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.tr("Language:"), _at_size_hint(self._language_combo))
        form.addRow("", language_note)
        form.addRow(self.tr("Theme:"), _at_size_hint(self._theme_combo))
        form.addRow("", theme_note)
        form.addRow(self.tr("Text size:"), _at_size_hint(self._font_size_spin))
        form.addRow("", font_note)
        form.addRow(self.tr("System tray:"), self._tray_check)
        form.addRow("", tray_note)
        form.addRow(self.tr("Chat messages:"), _at_size_hint(self._enter_combo))
        form.addRow("", enter_note)
        form.addRow(self.tr("Sent pictures at most:"), _at_size_hint(self._image_side_spin))
        form.addRow(self.tr("Pictures from web pages:"), _at_size_hint(self._web_image_combo))
        form.addRow("", image_note)
        form.addRow(self.tr("Tool-call rounds per reply:"), _at_size_hint(self._tool_rounds_spin))
        form.addRow("", tool_rounds_note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)

    @property
    def language_combo(self) -> QComboBox:
        return self._language_combo

    @property
    def theme_combo(self) -> QComboBox:
        return self._theme_combo

    @property
    def enter_combo(self) -> QComboBox:
        return self._enter_combo

    @property
    def font_size_spin(self) -> QSpinBox:
        return self._font_size_spin

    @property
    def tray_check(self) -> QCheckBox:
        return self._tray_check

    @property
    def image_side_spin(self) -> QSpinBox:
        return self._image_side_spin

    @property
    def web_image_combo(self) -> QComboBox:
        return self._web_image_combo

    @property
    def tool_rounds_spin(self) -> QSpinBox:
        return self._tool_rounds_spin

    def apply(self) -> bool:
        """Write the choices; True when the language changed (it needs a restart)."""
        language = str(self._language_combo.currentData())
        language_changed = language != self._preferences.language
        self._preferences.language = language
        self._preferences.theme = str(self._theme_combo.currentData())
        size = self._font_size_spin.value()
        self._preferences.font_size = size if size >= MIN_POINT_SIZE else 0
        self._preferences.tray = self._tray_check.isChecked()
        self._preferences.enter_sends = bool(self._enter_combo.currentData())
        self._preferences.chat_image_max_side = self._image_side_spin.value()
        self._preferences.chat_web_image_mode = str(self._web_image_combo.currentData())
        self._preferences.chat_tool_rounds = self._tool_rounds_spin.value()
        return language_changed


class _Note(QLabel):
    """A word-wrapped hint under a field, exactly as tall as its text at the width it is given.

    A plain word-wrapped QLabel hints a height for a guessed wrap width (two or three lines); the
    form gives it that, and the one line it really needs sat centred in it, far below its field."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setContentsMargins(0, 0, 0, 6)  # a little air before the next setting
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        if not self.testAttribute(Qt.WidgetAttribute.WA_Resized):
            return hint  # no width from the layout yet (a child starts 100 px wide): QLabel's guess
        return QSize(hint.width(), max(self.heightForWidth(self.width()), self.fontMetrics().height()))

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(hint.width(), self.sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # more or fewer lines: the form asks again


def _at_size_hint(widget: QWidget) -> QHBoxLayout:
    """A row holding ``widget`` at its natural width (the notes below it may use the full width)."""
    row = QHBoxLayout()
    row.addWidget(widget)
    row.addStretch(1)
    return row
