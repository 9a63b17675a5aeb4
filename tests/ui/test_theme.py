"""Light and dark: the preference wins when forced; "system" follows the colour scheme."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from app.settings import Preferences
from app.ui.theme import ThemeManager


def _window_lightness(app: QApplication) -> int:
    return app.palette().color(QPalette.ColorRole.Window).lightness()


@pytest.fixture
def theme(qapp: QApplication, tmp_path: Path) -> Iterator[tuple[ThemeManager, Preferences]]:
    original_palette = QPalette(qapp.palette())
    original_style = qapp.style().name()
    prefs = Preferences(tmp_path / "parla.ini")
    manager = ThemeManager(qapp, prefs)
    try:
        yield manager, prefs
    finally:
        qapp.setPalette(original_palette)
        qapp.setStyle(original_style)


def test_forced_dark_and_light_apply_at_once(qapp: QApplication, theme: tuple[ThemeManager, Preferences]) -> None:
    manager, prefs = theme
    prefs.theme = "dark"  # the manager listens to the preference
    assert manager.is_dark()
    assert _window_lightness(qapp) < 80
    text = qapp.palette().color(QPalette.ColorRole.WindowText).lightness()
    assert text > 180  # readable on the dark background
    prefs.theme = "light"
    assert not manager.is_dark()
    assert _window_lightness(qapp) > 180
    assert qapp.style().name().lower() == "fusion"


class _Hints:
    def __init__(self, scheme: Qt.ColorScheme) -> None:
        self.scheme = scheme

    def colorScheme(self) -> Qt.ColorScheme:  # noqa: N802
        return self.scheme


def test_system_follows_the_colour_scheme(
    qapp: QApplication, theme: tuple[ThemeManager, Preferences], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The offscreen platform has no colour scheme of its own, so the desktop is simulated.
    manager, prefs = theme
    hints = _Hints(Qt.ColorScheme.Light)
    monkeypatch.setattr("app.ui.theme.QGuiApplication.styleHints", staticmethod(lambda: hints))
    prefs.theme = "system"
    assert not manager.is_dark() and _window_lightness(qapp) > 180
    hints.scheme = Qt.ColorScheme.Dark
    manager._on_color_scheme_changed(Qt.ColorScheme.Dark)  # what colorSchemeChanged delivers
    assert manager.is_dark() and _window_lightness(qapp) < 80
    prefs.theme = "light"  # forcing wins over the desktop
    assert _window_lightness(qapp) > 180
    hints.scheme = Qt.ColorScheme.Light
    manager._on_color_scheme_changed(Qt.ColorScheme.Light)
    prefs.theme = "dark"
    assert _window_lightness(qapp) < 80


def test_the_manager_listens_to_the_desktop(qapp: QApplication, theme: tuple[ThemeManager, Preferences]) -> None:
    hints = QGuiApplication.styleHints()
    assert hints.receivers("2colorSchemeChanged(Qt::ColorScheme)") >= 1


def test_widgets_with_their_own_style_sheet_follow_a_change_of_theme(
    qapp: QApplication, qtbot: object, theme: tuple[ThemeManager, Preferences]
) -> None:
    """A style sheet freezes the palette a widget was polished with (a tool card's title went black
    on the dark background); the theme manager polishes such widgets again."""
    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QToolButton, QVBoxLayout, QWidget

    _manager, prefs = theme
    card = QWidget()
    qtbot.addWidget(card)  # type: ignore[attr-defined]
    button = QToolButton(card)  # as in a tool card: a child, an arrow, its own style sheet
    button.setText("Tool: Current date and time")
    button.setAutoRaise(True)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setArrowType(Qt.ArrowType.RightArrow)
    button.setStyleSheet("QToolButton { text-align: left; }")
    QVBoxLayout(card).addWidget(button)
    card.resize(300, 60)
    card.show()
    qapp.processEvents()

    def darkest() -> int:
        image = button.grab().toImage()
        return min(QColor(image.pixel(x, y)).lightness() for x in range(image.width()) for y in range(image.height()))

    assert darkest() < 40  # light theme: dark text
    prefs.theme = "dark"
    qapp.processEvents()
    assert darkest() > 20  # no black text left (the darkest is the dark palette's base, ~30): drawn light now
