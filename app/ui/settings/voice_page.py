"""The Settings dialog's Voice page: devices, transcription, speech and push-to-talk options.

It is the Voice tab's own settings form (:class:`~app.ui.voice.settings_form.VoiceSettingsForm`),
here applied with the rest of the dialog on OK or Apply. The Voice tab's module (and numpy under
it) is imported when the dialog opens, not at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.ui.context import AppContext

if TYPE_CHECKING:
    from app.ui.voice.settings_form import VoiceSettingsForm

__all__ = ["VoiceSettingsPage"]


class VoiceSettingsPage(QWidget):
    """Edits the ``voice_*`` preferences; :meth:`apply` writes them."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from app.ui.voice.settings_form import VoiceSettingsForm

        self._form = VoiceSettingsForm(context, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._form)

    @property
    def form(self) -> VoiceSettingsForm:
        return self._form

    def apply(self) -> None:
        self._form.apply()

