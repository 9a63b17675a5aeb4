"""Light and dark: follow the desktop's colour scheme, or the user's choice in Settings.

Parla uses the Fusion style everywhere, because it draws every widget from the palette: one dark
palette then gives a complete dark look on every platform, including Linux desktops whose platform
theme Qt cannot read. In "system" mode the colour scheme comes from ``QStyleHints.colorScheme`` and
is re-applied when ``colorSchemeChanged`` fires (the desktop switched to night mode); a forced
choice ignores the desktop.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from app.settings import Preferences, Theme

__all__ = ["ThemeManager", "dark_palette"]

log = logging.getLogger(__name__)


def dark_palette() -> QPalette:
    """A dark palette for Fusion with readable contrast in every colour group."""
    window = QColor(45, 45, 48)
    base = QColor(30, 30, 32)
    alternate = QColor(52, 52, 56)
    text = QColor(230, 230, 230)
    disabled_text = QColor(128, 128, 132)
    button = QColor(58, 58, 62)
    highlight = QColor(42, 130, 218)
    link = QColor(110, 170, 255)

    palette = QPalette()
    role = QPalette.ColorRole
    group = QPalette.ColorGroup
    for color_group in (group.Active, group.Inactive):
        palette.setColor(color_group, role.Window, window)
        palette.setColor(color_group, role.WindowText, text)
        palette.setColor(color_group, role.Base, base)
        palette.setColor(color_group, role.AlternateBase, alternate)
        palette.setColor(color_group, role.ToolTipBase, QColor(60, 60, 64))
        palette.setColor(color_group, role.ToolTipText, text)
        palette.setColor(color_group, role.PlaceholderText, QColor(150, 150, 155))
        palette.setColor(color_group, role.Text, text)
        palette.setColor(color_group, role.Button, button)
        palette.setColor(color_group, role.ButtonText, text)
        palette.setColor(color_group, role.BrightText, QColor(255, 100, 100))
        palette.setColor(color_group, role.Link, link)
        palette.setColor(color_group, role.LinkVisited, QColor(180, 140, 255))
        palette.setColor(color_group, role.Highlight, highlight)
        palette.setColor(color_group, role.HighlightedText, QColor(255, 255, 255))
        palette.setColor(color_group, role.Light, QColor(80, 80, 85))
        palette.setColor(color_group, role.Midlight, QColor(66, 66, 70))
        palette.setColor(color_group, role.Mid, QColor(40, 40, 42))
        palette.setColor(color_group, role.Dark, QColor(25, 25, 27))
        palette.setColor(color_group, role.Shadow, QColor(10, 10, 10))
    for color_role in (role.WindowText, role.Text, role.ButtonText, role.HighlightedText, role.PlaceholderText):
        palette.setColor(group.Disabled, color_role, disabled_text)
    palette.setColor(group.Disabled, role.Window, window)
    palette.setColor(group.Disabled, role.Base, QColor(38, 38, 40))
    palette.setColor(group.Disabled, role.Button, QColor(48, 48, 52))
    palette.setColor(group.Disabled, role.Highlight, QColor(70, 70, 75))
    return palette


def _repolish_style_sheets() -> None:
    """Widgets with a style sheet of their own keep drawing with the palette they were polished
    with; setting their sheet again makes them take the new one (a tool card's title, the New ▾
    button…). Only on a change of theme: there are few such widgets."""
    for widget in QApplication.allWidgets():
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet(sheet)


def desktop_is_dark() -> bool:
    """The desktop's colour scheme is dark (``QStyleHints.colorScheme``)."""
    from PySide6.QtCore import Qt

    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


class ThemeManager(QObject):
    """Keeps the application's palette in line with the preference and the desktop."""

    def __init__(
        self, app: QApplication, preferences: Preferences, parent: QObject | None = None, *, fusion_set: bool = False
    ) -> None:
        """``fusion_set``: the application was made with ``-style fusion`` (``app.main`` does, which
        spares start-up the Python wrapper of the style and its enums)."""
        super().__init__(parent)
        self._app = app
        self._preferences = preferences
        if not fusion_set:
            fusion = QStyleFactory.create("Fusion")
            if fusion is not None:
                app.setStyle(fusion)
        self._dark_applied = False
        app.styleHints().colorSchemeChanged.connect(self._on_color_scheme_changed)
        preferences.changed.connect(self._on_preference_changed)

    def is_dark(self, *, remembered: bool = False) -> bool:
        """Whether the dark palette applies now.

        ``remembered``: in "system" mode, take the desktop's scheme as it was last seen (stored in
        the preferences) instead of asking Qt — asking makes PySide6 build the ``Qt`` namespace's
        ~100 enums, ~15 ms that start-up spends after the first frame (:meth:`check_desktop`).
        """
        choice = self._preferences.theme
        if choice == Theme.DARK:
            return True
        if choice == Theme.LIGHT:
            return False
        if remembered:
            return self._preferences.desktop_dark
        return desktop_is_dark()

    def check_desktop(self) -> None:
        """Ask the desktop for its scheme now; remember it, and re-apply if it changed since."""
        dark = desktop_is_dark()
        if dark != self._preferences.desktop_dark:
            self._preferences.desktop_dark = dark
        if self._preferences.theme == Theme.SYSTEM and dark != self._dark_applied:
            self.apply()

    def apply(self, *, remembered: bool = False) -> None:
        dark = self.is_dark(remembered=remembered)
        if dark:
            self._app.setPalette(dark_palette())
        elif self._dark_applied:
            self._app.setPalette(self._app.style().standardPalette())
        if dark != self._dark_applied:
            _repolish_style_sheets()
        # Light from the start: the application already has the style's (or the desktop's) palette.
        self._dark_applied = dark
        log.debug("theme applied: %s", "dark" if dark else "light")

    def _on_color_scheme_changed(self, _scheme: object) -> None:  # no @Slot(Qt.ColorScheme): see is_dark
        self.check_desktop()

    @Slot(str)
    def _on_preference_changed(self, name: str) -> None:
        if name == "theme":
            self.apply()
