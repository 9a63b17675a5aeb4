"""The message view: sizes to its content, copies code, routes link clicks, streams."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from pytestqt.qtbot import QtBot

from app.ui.chat.render_document import RenderTheme
from app.ui.chat.render_view import MessageView


@pytest.fixture
def view(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> MessageView:
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: True))
    widget = MessageView(RenderTheme.from_palette(dpr=1.0))
    qtbot.addWidget(widget)
    return widget


def test_height_follows_content_and_width(view: MessageView) -> None:
    view.set_markdown("short")
    one_line = view.heightForWidth(500)
    view.set_markdown("word " * 400)
    assert view.heightForWidth(500) > 3 * one_line
    assert view.heightForWidth(250) > view.heightForWidth(500)
    assert view.hasHeightForWidth()


def test_copy_anchor_puts_the_code_on_the_clipboard(view: MessageView, qtbot: QtBot) -> None:
    view.set_markdown("```sh\necho one\n```\n\n```py\nprint('two')\n```")
    with qtbot.waitSignal(view.code_copied) as blocker:
        view.activate_anchor("parla-copy:1")
    assert blocker.args == [1]
    assert QGuiApplication.clipboard().text() == "print('two')"
    assert view.code_block(0) == "echo one"


def test_clicking_an_anchor_in_the_widget_routes_it(view: MessageView, qtbot: QtBot) -> None:
    view.set_markdown("[site](https://example.com)")
    with qtbot.waitSignal(view.link_activated) as blocker:
        view.anchorClicked.emit(QUrl("https://example.com"))
    assert blocker.args == [QUrl("https://example.com")]


def test_text_is_selectable_and_read_only(view: MessageView) -> None:
    view.set_markdown("select me")
    assert view.isReadOnly()
    view.selectAll()
    assert view.textCursor().selectedText() == "select me"


def test_streaming_into_the_view(view: MessageView, qtbot: QtBot) -> None:
    view.resize(400, 100)
    renderer = view.start_stream()
    heights: list[int] = []
    view.height_changed.connect(heights.append)
    for token in ["Hello", " **wor", "ld**", "\n\n", "- a\n", "- b\n"]:
        renderer.append(token)
    qtbot.waitUntil(lambda: "world" in view.message_document().toPlainText(), timeout=2000)
    renderer.finish()
    assert view.markdown() == "Hello **world**\n\n- a\n- b\n"
    assert view.message_document().toPlainText() == "Hello world\na\nb"
    assert heights and heights[-1] == view.heightForWidth(view.viewport().width())


def test_theme_change_rebuilds(view: MessageView) -> None:
    view.set_markdown("x $y^2$")
    before = view.message_document().toHtml()
    palette = QGuiApplication.palette()
    from PySide6.QtGui import QColor, QPalette

    palette.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#101010"))
    view.set_theme(RenderTheme.from_palette(palette, dpr=1.0))
    after = view.message_document().toHtml()
    assert after != before and "x" in view.message_document().toPlainText()
