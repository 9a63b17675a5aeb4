"""What every tab page offers the main window, and the placeholder used until a tab is built.

The window knows nothing about chat, images or voice. It only needs each page to be a ``QWidget``
that can put the keyboard focus in its main input (Ctrl+1/2/3) and run its main action
(Ctrl+Enter): :class:`TabPage`. A page is built with the shared :class:`~app.ui.context.AppContext`,
from which it takes the session (for the API client), the task registry (for cancellable work) and
the notifier (for messages).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

__all__ = ["PlaceholderPage", "TabPage"]


@runtime_checkable
class TabPage(Protocol):
    """The two things the main window asks of a tab page."""

    def focus_main_input(self) -> None:
        """Put the keyboard focus where the user types or acts first (composer, prompt, Talk)."""

    def trigger_main_action(self) -> None:
        """Do what Ctrl+Enter means on this tab (send, generate, speak); nothing if not ready."""


class PlaceholderPage(QWidget):
    """One line saying what the tab will hold; it has no controls, so its action does nothing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = QLabel(self)
        self._label.setObjectName("placeholder_label")
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._label.setWordWrap(True)
        # Focusable, so Ctrl+1/2/3 visibly lands somewhere and screen readers read the line.
        self._label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addWidget(self._label)

    def set_text(self, text: str) -> None:
        self._label.setText(text)
        self._label.setAccessibleName(text)

    @property
    def label(self) -> QLabel:
        return self._label

    def focus_main_input(self) -> None:
        self._label.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def trigger_main_action(self) -> None:
        """Nothing to trigger yet: the tab's controls come with its own issue."""
