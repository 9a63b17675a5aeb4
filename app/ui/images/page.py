"""The Images tab's page. Until the images issue lands it says what will be here, nothing more."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.context import AppContext
from app.ui.pages import PlaceholderPage

__all__ = ["ImagesPage"]


class ImagesPage(PlaceholderPage):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.set_text(self.tr("Images — generating, editing and keeping pictures will appear here."))
