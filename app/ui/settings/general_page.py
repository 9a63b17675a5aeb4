"""The General page: language and colour theme."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.settings import Language, Preferences, Theme

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
        language_note = QLabel(self.tr("A new language takes effect the next time Parla starts."), self)
        language_note.setWordWrap(True)
        language_note.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        self._theme_combo = QComboBox(self)
        self._theme_combo.addItem(self.tr("Follow the system"), Theme.SYSTEM.value)
        self._theme_combo.addItem(self.tr("Light"), Theme.LIGHT.value)
        self._theme_combo.addItem(self.tr("Dark"), Theme.DARK.value)
        self._theme_combo.setCurrentIndex(max(0, self._theme_combo.findData(preferences.theme)))
        theme_note = QLabel(self.tr("The theme changes as soon as you press OK or Apply."), self)
        theme_note.setWordWrap(True)
        theme_note.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(self.tr("Language:"), _at_size_hint(self._language_combo))
        form.addRow("", language_note)
        form.addRow(self.tr("Theme:"), _at_size_hint(self._theme_combo))
        form.addRow("", theme_note)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)

    @property
    def language_combo(self) -> QComboBox:
        return self._language_combo

    @property
    def theme_combo(self) -> QComboBox:
        return self._theme_combo

    def apply(self) -> bool:
        """Write the choices; True when the language changed (it needs a restart)."""
        language = str(self._language_combo.currentData())
        language_changed = language != self._preferences.language
        self._preferences.language = language
        self._preferences.theme = str(self._theme_combo.currentData())
        return language_changed


def _at_size_hint(widget: QWidget) -> QHBoxLayout:
    """A row holding ``widget`` at its natural width (the notes below it may use the full width)."""
    row = QHBoxLayout()
    row.addWidget(widget)
    row.addStretch(1)
    return row
