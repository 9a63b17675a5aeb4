"""The Voice tab's page. Until the voice issue lands it says what will be here, nothing more."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.context import AppContext
from app.ui.pages import PlaceholderPage

__all__ = ["VoicePage"]


class VoicePage(PlaceholderPage):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.set_text(self.tr("Voice — speaking, listening and transcribing will appear here."))
