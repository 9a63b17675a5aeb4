"""Search results in the sidebar: every hit as tall as what it shows, the title whole unless the list
is really narrow (QA saw blank space under short snippets and "Trip to Kyoto in A…" beside its tags)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics

from app.store import SearchHit
from app.ui.chat.sidebar import SNIPPET_LINES, ConversationSidebar, meaning_tag

TITLE = "Trip to Kyoto in April"
SHORT = "Plan three relaxed days"
LONG = " ".join(["Day 1 — Higashiyama: Kiyomizu-dera, Ninenzaka, Gion at dusk."] * 6)


def _sidebar(qtbot: Any, width: int) -> ConversationSidebar:
    sidebar = ConversationSidebar()
    qtbot.addWidget(sidebar)
    sidebar.resize(width, 700)
    sidebar.show()
    hits = [
        SearchHit(1, 11, TITLE, SHORT, 0.0),
        SearchHit(1, 12, TITLE, LONG, 0.0),
        SearchHit(2, 21, "Planets", "Saturn", 0.0),
    ]
    sidebar.search_edit.setText("kyoto")
    sidebar.set_results("kyoto", hits, meaning={11, 12})
    qtbot.waitUntil(lambda: sidebar.results_view.isVisible(), timeout=3000)
    return sidebar


def _rows(sidebar: ConversationSidebar) -> list[Any]:
    view = sidebar.results_view
    return [view.visualRect(sidebar.results.index(row, 0)) for row in range(sidebar.results.rowCount())]


def _title_shown(sidebar: ConversationSidebar, row: int) -> tuple[str, bool]:
    option, index = _option(sidebar, row)
    title, beside, _tags, _document, _height = sidebar.results_view.itemDelegate()._layout(
        option, index, option.rect.width() - 16
    )
    return title, beside


def _fit(qtbot: Any, sidebar: ConversationSidebar, text_width: int) -> None:
    """Resize the sidebar so that a hit's text is ``text_width`` wide."""
    view = sidebar.results_view
    sidebar.resize(sidebar.width() + text_width - (view.viewport().width() - 16), 700)
    qtbot.waitUntil(lambda: view.viewport().width() - 16 == text_width, timeout=3000)


def _option(sidebar: ConversationSidebar, row: int) -> tuple[Any, Any]:
    from PySide6.QtWidgets import QStyleOptionViewItem

    view = sidebar.results_view
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    index = sidebar.results.index(row, 0)
    option.rect = view.visualRect(index)
    return option, index


def _snippet_height(sidebar: ConversationSidebar, row: int) -> int:
    option, index = _option(sidebar, row)
    return sidebar.results_view.itemDelegate()._layout(option, index, option.rect.width() - 16)[4]


def _snippet_lines(sidebar: ConversationSidebar, row: int) -> int:
    option, index = _option(sidebar, row)
    document = sidebar.results_view.itemDelegate()._layout(option, index, option.rect.width() - 16)[3]
    return min(SNIPPET_LINES, document.begin().layout().lineCount())


def test_hits_are_as_tall_as_their_text_and_titles_are_whole(qtbot: Any) -> None:
    sidebar = _sidebar(qtbot, 250)
    font = sidebar.results_view.font()
    bold = QFont(font)
    bold.setBold(True)
    title_width = QFontMetrics(bold).horizontalAdvance(TITLE)
    small = QFont(font)
    small.setPointSizeF(font.pointSizeF() * 0.85)
    tag_width = QFontMetrics(small).horizontalAdvance(meaning_tag()) + 16
    # Room for the title, not for the title and its "by meaning" tag (QA's "Trip to Kyoto in A…").
    _fit(qtbot, sidebar, title_width + tag_width // 2)
    qtbot.waitUntil(lambda: _title_shown(sidebar, 0) == (TITLE, False), timeout=3000)
    assert sidebar.results.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == TITLE
    short, long, planets = _rows(sidebar)
    # Each row is its title and the lines of snippet it shows, with the same padding: no blank lines.
    lines = [_snippet_lines(sidebar, row) for row in range(3)]
    assert lines[1] == SNIPPET_LINES and lines[0] == 2 and lines[2] == 1  # "by meaning" opens the short one
    assert short.height() < long.height() and planets.height() <= short.height()
    bold_line = QFontMetrics(bold).height()
    for rect, row in zip((short, long, planets), range(3), strict=True):
        assert rect.height() == 2 * 6 + bold_line + 2 + _snippet_height(sidebar, row)
    # A wider list puts the tag back beside the title; the rows follow the new width.
    _fit(qtbot, sidebar, title_width + tag_width + 40)
    qtbot.waitUntil(lambda: _title_shown(sidebar, 0) == (TITLE, True), timeout=3000)
    qtbot.waitUntil(lambda: _snippet_lines(sidebar, 0) == 1, timeout=3000)
    qtbot.waitUntil(lambda: _rows(sidebar)[0].height() == 2 * 6 + bold_line + 2 + _snippet_height(sidebar, 0), timeout=3000)


def test_a_really_narrow_list_elides_the_title(qtbot: Any) -> None:
    sidebar = _sidebar(qtbot, 120)
    title, _beside = _title_shown(sidebar, 0)
    bold = QFont(sidebar.results_view.font())
    bold.setBold(True)
    assert title != TITLE and title.endswith("…")
    assert QFontMetrics(bold).horizontalAdvance(title) <= sidebar.results_view.viewport().width() - 16
    assert sidebar.results.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == TITLE
