"""Hostile model output: nothing interpreted, nothing fetched, nothing hangs."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QTextDocument
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.chat.render_document import MAX_TABLE_ROWS, MessageDocument, RenderTheme
from app.ui.chat.render_view import MessageView

HOSTILE = (
    '<script>alert("x")</script>\n\n'
    '<img src="http://tracker.example/pixel.png" onerror="alert(1)">\n\n'
    '<style>@import url(http://evil.example/a.css);</style>\n\n'
    "![chart](http://images.example/chart.png) and ![local](file:///etc/passwd)\n\n"
    "[click](javascript:alert(1)) <javascript:alert(2)> [f](file:///etc/passwd) [d](data:text/html,<b>x</b>)\n\n"
    '<a href="javascript:alert(3)">raw anchor</a>\n'
)


class RecordingView(MessageView):
    """A view that records every resource the document or the view is asked for."""

    def __init__(self) -> None:
        super().__init__(RenderTheme.from_palette(dpr=1.0))
        self.asked: list[str] = []

    def loadResource(self, type: int, name: QUrl) -> object:  # noqa: A002
        self.asked.append(name.toString())
        return super().loadResource(type, name)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    """Record (and block) every attempt to open a URL with the desktop."""
    urls: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: urls.append(QUrl(url)) or True))
    return urls


def anchors(document: QTextDocument) -> list[str]:
    found = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fmt = iterator.fragment().charFormat()
            if fmt.isAnchor():
                found.append(fmt.anchorHref())
            iterator += 1
        block = block.next()
    return found


def test_html_is_shown_as_text_and_nothing_is_fetched(qtbot: QtBot, opened: list[QUrl]) -> None:
    view = RecordingView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.set_markdown(HOSTILE)
    view.show()
    qtbot.waitExposed(view)
    view.grab()  # paint everything: any image in the document would be requested now
    text = view.message_document().toPlainText()
    assert '<script>alert("x")</script>' in text
    assert '<img src="http://tracker.example/pixel.png" onerror="alert(1)">' in text
    assert '<a href="javascript:alert(3)">raw anchor</a>' in text
    assert view.asked == []
    assert view.message_document().refused_resources == []
    html = view.message_document().toHtml()
    assert "<img" not in html and "<script" not in html
    hrefs = anchors(view.message_document())
    assert all(not href.lower().startswith(("javascript:", "file:", "data:")) for href in hrefs), hrefs
    assert "parla-image:0" in hrefs and "parla-image:1" not in hrefs  # the file: image is not clickable
    assert opened == []


def test_unsafe_links_are_not_clickable(qtbot: QtBot, opened: list[QUrl]) -> None:
    view = MessageView(RenderTheme.from_palette(dpr=1.0))
    qtbot.addWidget(view)
    view.set_markdown("[ok](https://example.com) [bad](javascript:alert(1))")
    assert anchors(view.message_document()) == ["https://example.com"]
    with qtbot.assertNotEmitted(view.link_activated):
        for href in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "vbscript:x", "relative/path"):
            view.activate_anchor(href)
    assert opened == []
    with qtbot.waitSignal(view.link_activated) as blocker:
        view.activate_anchor("https://example.com")
    assert blocker.args == [QUrl("https://example.com")]
    assert opened == [QUrl("https://example.com")]


def test_image_placeholder_asks_before_anything_is_fetched(qtbot: QtBot, opened: list[QUrl]) -> None:
    view = MessageView(RenderTheme.from_palette(dpr=1.0))
    qtbot.addWidget(view)
    view.set_open_external(False)
    view.set_markdown("![a cat](https://images.example/cat.png)")
    assert "Image: a cat" in view.message_document().toPlainText()
    with qtbot.waitSignal(view.image_requested) as blocker:
        view.activate_anchor("parla-image:0")
    assert blocker.args == [QUrl("https://images.example/cat.png")]
    assert opened == []


def test_a_one_megabyte_line_does_not_hang(qapp: QApplication) -> None:
    line = ("lorem ipsum <b>dolor</b> sit amet http://a.example/b $5 and $10 \\( x " * 20000)[:1_000_000]
    document = MessageDocument(RenderTheme.from_palette(dpr=1.0))
    started = time.perf_counter()
    document.set_markdown(line)
    height = document.height_for_width(600)
    elapsed = time.perf_counter() - started
    assert height > 1000
    assert elapsed < 5.0, elapsed  # ~0.5 s here; the bound only catches a quadratic blow-up


def test_a_five_thousand_row_table_does_not_hang(qapp: QApplication) -> None:
    table = "| n | square | note |\n|---|---:|---|\n" + "".join(f"| {n} | {n * n} | row {n} |\n" for n in range(5000))
    document = MessageDocument(RenderTheme.from_palette(dpr=1.0))
    started = time.perf_counter()
    document.set_markdown(table)
    document.height_for_width(600)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, elapsed
    text = document.toPlainText()
    assert "(5000 rows)" in text
    assert "| 4999 | 24990001 | row 4999 |" in text  # nothing is lost, it is shown as text
    tables = [f for f in document.rootFrame().childFrames() if f.metaObject().className() == "QTextTable"]
    assert tables == []


def test_a_table_under_the_limit_stays_a_table(qapp: QApplication) -> None:
    rows = MAX_TABLE_ROWS
    table = "| a | b |\n|---|---|\n" + "".join(f"| {n} | x |\n" for n in range(rows))
    document = MessageDocument(RenderTheme.from_palette(dpr=1.0))
    document.set_markdown(table)
    tables = [f for f in document.rootFrame().childFrames() if f.metaObject().className() == "QTextTable"]
    assert len(tables) == 1 and tables[0].rows() == rows + 1
