"""A line edit for a token: dots by default, with a Show/Hide toggle."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QToolButton, QWidget

__all__ = ["SecretEdit"]


class SecretEdit(QWidget):
    """Holds a secret for as long as a form is open; never logs or persists it itself."""

    text_edited = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._edit = QLineEdit(self)
        self._edit.setEchoMode(QLineEdit.EchoMode.Password)
        # Keep input methods and predictive keyboards away from the secret.
        self._edit.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhNoPredictiveText | Qt.InputMethodHint.ImhSensitiveData
        )
        self._edit.setAccessibleName(self.tr("Token"))
        self._edit.setToolTip(self.tr("The API key the server expects; shown as dots until you press Show"))
        self._edit.textEdited.connect(self.text_edited)
        self._toggle = QToolButton(self)
        self._toggle.setCheckable(True)
        self._toggle.setText(self.tr("Show"))
        self._toggle.setToolTip(self.tr("Show or hide the token"))
        self._toggle.setAccessibleName(self.tr("Show the token"))
        self._toggle.toggled.connect(self._on_toggle_toggled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._edit, 1)
        layout.addWidget(self._toggle)
        self.setFocusProxy(self._edit)

    @property
    def line_edit(self) -> QLineEdit:
        return self._edit

    @property
    def toggle_button(self) -> QToolButton:
        return self._toggle

    def text(self) -> str:
        return self._edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 — mirrors QLineEdit
        self._edit.setText(text)

    def setPlaceholderText(self, text: str) -> None:  # noqa: N802
        self._edit.setPlaceholderText(text)

    def is_revealed(self) -> bool:
        return self._edit.echoMode() == QLineEdit.EchoMode.Normal

    @Slot(bool)
    def _on_toggle_toggled(self, shown: bool) -> None:
        self._edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self._toggle.setText(self.tr("Hide") if shown else self.tr("Show"))
