"""Help ▸ About Parla: what it is, which version, under which license."""

from __future__ import annotations

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app import __version__

__all__ = ["AboutDialog"]


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About Parla"))
        title = QLabel(self.tr("Parla {version}").format(version=__version__), self)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        description = QLabel(
            self.tr("A native desktop client for OpenAI-compatible APIs: chat, images and voice."), self
        )
        license_label = QLabel(self.tr("Released under the MIT License."), self)
        versions = QLabel(
            self.tr("Built with Qt {qt} and PySide6 {pyside}.").format(qt=qVersion(), pyside=pyside_version), self
        )
        for label in (description, license_label, versions):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        text = QVBoxLayout()
        text.addWidget(title)
        text.addSpacing(6)
        text.addWidget(description)
        text.addWidget(license_label)
        text.addWidget(versions)
        row = QHBoxLayout()
        icon = self.windowIcon()
        if not icon.isNull():
            picture = QLabel(self)
            picture.setPixmap(icon.pixmap(64, 64))
            row.addWidget(picture, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
