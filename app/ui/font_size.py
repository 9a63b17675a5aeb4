"""The text size of the whole window: View ▸ Larger text (Ctrl+=), Smaller text (Ctrl+−), Default (Ctrl+0).

The size is the ``font_size`` preference in points, 0 meaning "the desktop's own size". It is applied
as the application font, so every widget that does not set a font of its own follows at once (Qt
sends them ``ApplicationFontChange``). The desktop's size is read from the platform each time
(``QFontDatabase.systemFont``), never from the application font, which this module changes.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from app.settings import Preferences

__all__ = ["MAX_POINT_SIZE", "MIN_POINT_SIZE", "apply_font_size", "current_point_size", "step_font_size", "system_font"]

MIN_POINT_SIZE = 6
MAX_POINT_SIZE = 32


def system_font() -> QFont:
    """The desktop's general font (family and size), whatever the application font is now."""
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)


def current_point_size(preferences: Preferences) -> int:
    """The size in points the window uses now: the preference, or the desktop's size."""
    if preferences.font_size:
        return preferences.font_size
    size = system_font().pointSizeF()
    return round(size) if size > 0 else 10


def apply_font_size(preferences: Preferences) -> None:
    """Make the application font the chosen size (or the desktop's font when the choice is 0)."""
    font = system_font()
    if preferences.font_size:  # a hand-edited 2 must not make the window unreadable
        font.setPointSize(min(MAX_POINT_SIZE, max(MIN_POINT_SIZE, preferences.font_size)))
    QGuiApplication.setFont(font)


def step_font_size(preferences: Preferences, steps: int) -> int:
    """Make the text ``steps`` points larger (or smaller), within limits; returns the new size."""
    size = min(MAX_POINT_SIZE, max(MIN_POINT_SIZE, current_point_size(preferences) + steps))
    preferences.font_size = size
    return size
