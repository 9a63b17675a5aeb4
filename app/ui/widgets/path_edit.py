"""A file path field with a Browse… button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QPushButton, QWidget

__all__ = ["PathEdit"]


class PathEdit(QWidget):
    """Type a path or pick one; ``path_changed`` fires on either."""

    path_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, caption: str = "", name_filter: str = "") -> None:
        super().__init__(parent)
        self._caption = caption
        self._filter = name_filter
        self._edit = QLineEdit(self)
        self._edit.setClearButtonEnabled(True)
        self._edit.textChanged.connect(self.path_changed)
        self._browse = QPushButton(self.tr("Browse…"), self)
        self._browse.setToolTip(self.tr("Pick the file in a file dialog"))
        self._browse.clicked.connect(self._on_browse_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._edit, 1)
        layout.addWidget(self._browse)
        self.setFocusProxy(self._edit)

    @property
    def line_edit(self) -> QLineEdit:
        return self._edit

    def describe(self, name: str, tip: str) -> None:
        """The field's name for screen readers and its tooltip (the Browse… button says its own)."""
        self._edit.setAccessibleName(name)
        self._edit.setToolTip(tip)
        self._browse.setAccessibleName(self.tr("Browse for: {name}").format(name=name))

    def path(self) -> str:
        return self._edit.text().strip()

    def set_path(self, path: str) -> None:
        self._edit.setText(path)

    def setPlaceholderText(self, text: str) -> None:  # noqa: N802
        self._edit.setPlaceholderText(text)

    @Slot()
    def _on_browse_clicked(self) -> None:
        dialog = QFileDialog(self, self._caption, self.path() or "", self._filter)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.set_path)
        dialog.open()
