"""Row heights in the message list: estimates for pictures and tool cards, and geometry after layout.

The list places rows by heights it keeps (estimated, then measured); these tests check that what it
keeps is what the widgets really need — no empty band under thumbnails, no line left for an empty
status, tool cards counted before a row is measured — and that rows neither overlap nor leave gaps
when the list is scrolled both ways.
"""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from PySide6.QtWidgets import QWidget

from app.store import Role, Store, database_path, image_part, text_part
from app.ui.chat import tool_cards
from app.ui.chat.message_list import SPACING, MessageListView
from app.ui.chat.message_widget import MessageWidget
from tests.ui.chat.chat_fixtures import ChatHarness, chat, chat_context  # noqa: F401


def _png(w: int, h: int, color: tuple[int, int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, "PNG")
    return buf.getvalue()


def _seed(chat_context: Any, filler: int = 14) -> int:
    with Store(database_path(chat_context.locations.data)) as s:
        conversation = s.create_conversation(title="Heights")
        for i in range(filler):
            s.append_message(conversation.id, Role.USER if i % 2 == 0 else Role.ASSISTANT, f"before {i} " + "lorem ipsum " * (3 + i % 9))
        wide = s.put_attachment(_png(800, 300, (200, 80, 80)), "image/png", width=800, height=300)
        tall = s.put_attachment(_png(300, 600, (80, 80, 200)), "image/png", width=300, height=600)
        unknown = s.put_attachment(_png(640, 320, (80, 160, 80)), "image/png")  # no size stored with it
        s.append_message(conversation.id, Role.USER, [text_part("Two pictures"), image_part(wide.hash), image_part(tall.hash)])
        calls = []
        for k, name in enumerate(["calculator", "current_datetime", "calculator"]):
            record = tool_cards.call_record(f"call_{k}", name, '{"expression": "6*7"}', round_no=1, status=tool_cards.OK)
            record.update(result="42\n" * (k + 1), duration=0.02)
            calls.append(record)
        s.append_message(conversation.id, Role.ASSISTANT, "It is 42.", tool_calls=calls, model="gpt-test")
        s.append_message(conversation.id, Role.USER, [image_part(wide.hash)])  # a picture and no text
        s.append_message(conversation.id, Role.USER, [text_part("size unknown"), image_part(unknown.hash)])
        for i in range(filler):
            s.append_message(conversation.id, Role.USER if i % 2 == 0 else Role.ASSISTANT, f"after {i} " + "dolor sit amet " * (2 + i % 7))
        return conversation.id


def _visible_children_bottom(widget: MessageWidget) -> int:
    bottoms = [
        child.geometry().bottom()
        for child in widget.findChildren(QWidget)
        if child.parent() is widget and child.isVisible()
    ]
    return max(bottoms) + 1


def _check_geometry(view: MessageListView) -> int:
    """Every bound row: kept height == the widget's real height, contents end at its margin, no
    overlap or gap with the next row. Returns how many rows were checked."""
    view.ensure_layout()
    checked = 0
    widths = view._row_width()  # noqa: SLF001 — the width rows are laid out at
    previous: tuple[int, QWidget] | None = None
    for row in range(view.model.rowCount()):
        item = view.model.item(row)
        widget = view.widget_for(item.id)
        if widget is None or not widget.isVisible():
            previous = None
            continue
        geometry = view.row_geometry(row)
        assert view.is_exact(row), row
        real = widget.heightForWidth(widget.width())
        assert geometry.height() == widget.height() == real, (row, geometry.height(), widget.height(), real)
        assert widget.width() <= widths
        margin = widget.layout().contentsMargins().bottom()
        assert _visible_children_bottom(widget) + margin == widget.height(), (row, item.text[:20])
        if previous is not None and previous[0] == row - 1:
            assert widget.y() == previous[1].geometry().bottom() + 1 + SPACING, row
        previous = (row, widget)
        checked += 1
    return checked


def test_estimates_count_pictures_and_tool_cards(chat: ChatHarness, chat_context: Any) -> None:
    cid = _seed(chat_context)
    chat.page._on_conversation_activated(cid)
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == cid and len(chat.items()) == 32)
    view = chat.page.view
    width = view._row_width()  # noqa: SLF001
    items = chat.items()
    rows = {name: next(r for r, i in enumerate(items) if test(i)) for name, test in {
        "two": lambda i: len(i.images) == 2,
        "cards": lambda i: bool(i.tool_calls),
        "picture only": lambda i: i.images and not i.text,
        "plain": lambda i: i.text.startswith("after 3"),
    }.items()}
    estimates = {name: view._estimate(items[row], width) for name, row in rows.items()}  # noqa: SLF001
    for row in rows.values():
        view.scroll_to_row(row)
        assert view.is_exact(row)
    measured = {name: view.row_geometry(row).height() for name, row in rows.items()}
    for name in rows:
        assert abs(estimates[name] - measured[name]) <= 3, (name, estimates[name], measured[name])
    # The row of thumbnails is as tall as its tallest picture: the tall one fills the square, and a
    # wide picture alone leaves no band under it.
    view.scroll_to_row(rows["two"])
    two = view.widget_for(items[rows["two"]].id)
    only = view.widget_for(items[rows["picture only"]].id)
    assert two.images.thumb(0).height() == two.images.thumb(1).height() == 160
    assert only.images.thumb(0).height() == round(160 * 300 / 800)
    chat.qtbot.waitUntil(lambda: not only.images.thumb(0).pixmap().isNull(), timeout=5000)
    assert only.images.thumb(0).pixmap().height() == only.images.thumb(0).height()


def test_row_geometry_matches_the_widgets_after_layout_scrolling_both_ways(chat: ChatHarness, chat_context: Any) -> None:
    cid = _seed(chat_context)
    chat.page._on_conversation_activated(cid)
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id == cid and len(chat.items()) == 32)
    view = chat.page.view
    bar = view.verticalScrollBar()
    chat.qtbot.wait(100)  # thumbnails load
    assert _check_geometry(view) > 3
    # Up by steps to the top, then down again: every layout places rows by their real heights.
    checked = 0
    while bar.value() > 0:
        bar.setValue(bar.value() - 90)
        chat.qtbot.wait(5)
        checked += _check_geometry(view)
    while bar.value() < bar.maximum():
        bar.setValue(bar.value() + 130)
        chat.qtbot.wait(5)
        checked += _check_geometry(view)
    assert checked > 40
    # A picture whose size the store did not know: a square first, then its real height once the
    # thumbnail is read — measured again, still no gap.
    items = chat.items()
    row = next(r for r, i in enumerate(items) if i.text == "size unknown")
    view.scroll_to_row(row)
    widget = view.widget_for(items[row].id)
    chat.qtbot.waitUntil(lambda: widget.images.thumb(0).height() == 80, timeout=5000)
    _check_geometry(view)
    # Opening a tool card makes the row taller; the list follows.
    row = next(r for r, i in enumerate(items) if i.tool_calls)
    view.scroll_to_row(row)
    widget = view.widget_for(items[row].id)
    before = view.row_geometry(row).height()
    widget.tool_cards.cards[2].header.click()
    view.ensure_layout()
    assert view.row_geometry(row).height() > before
    _check_geometry(view)
    # Nothing shows an empty status line.
    for widget in view.visible_widgets():
        if not widget._status.text():  # noqa: SLF001
            assert widget._status.isHidden()  # noqa: SLF001
