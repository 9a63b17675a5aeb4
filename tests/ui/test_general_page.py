"""Settings ▸ General: the hints under the settings sit right under them, as tall as their text."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QLabel

from tests.ui.test_settings_dialog import _open


def _notes(page: Any) -> list[QLabel]:
    return [label for label in page.findChildren(QLabel) if label.wordWrap() and label.isVisible()]


def test_hints_are_as_tall_as_their_text_at_any_width(qtbot: Any, make_context: Any) -> None:
    dialog = _open(qtbot, make_context())
    dialog.show_page(1)
    dialog.resize(900, 700)
    page = dialog.general_page
    qtbot.waitUntil(lambda: page.isVisible() and all(n.width() > 300 for n in _notes(page)), timeout=5000)
    notes = _notes(page)
    assert len(notes) == 7
    by_text = {note.text(): note for note in notes}
    image_note = next(n for t, n in by_text.items() if t.startswith("Downloaded pictures"))
    rounds_note = next(n for t, n in by_text.items() if t.startswith("A round is"))
    language_note = next(n for t, n in by_text.items() if t.startswith("A new language"))

    def check() -> None:
        for note in notes:
            # No empty line of space in which the text floats away from its setting.
            assert note.height() == note.heightForWidth(note.width()), note.text()

    qtbot.waitUntil(lambda: image_note.height() == language_note.height(), timeout=3000)
    check()
    # At 900 px every hint is one line: the long ones as tall as the short ones (QA saw them taller).
    assert rounds_note.height() == language_note.height() < 2 * language_note.fontMetrics().lineSpacing()
    # Narrower: the long hints wrap and grow by exactly their extra lines.
    dialog.resize(dialog.minimumSizeHint().width(), 700)
    qtbot.waitUntil(lambda: image_note.height() > language_note.height(), timeout=3000)
    qtbot.waitUntil(lambda: all(n.height() == n.heightForWidth(n.width()) for n in notes), timeout=3000)
    check()
