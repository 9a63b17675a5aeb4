"""The mask editor: painting is exact and two-valued, and every tool (eraser, clear, invert, undo, redo) works."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage

from app import imaging
from app.ui.images.mask_canvas import MaskEditor


def painted_set(editor: MaskEditor) -> set[tuple[int, int]]:
    width, height, data, stride = editor.canvas.painted_bytes()
    return {(x, y) for y in range(height) for x in range(width) if data[y * stride + x]}


@pytest.fixture
def editor(qtbot: Any) -> MaskEditor:
    widget = MaskEditor()
    qtbot.addWidget(widget)
    widget.resize(500, 420)
    widget.show()
    image = QImage(203, 101, QImage.Format.Format_RGB32)  # odd width: QImage pads every mask row
    image.fill(QColor(20, 200, 90))
    widget.canvas.set_image(image)
    return widget


def test_a_new_picture_has_an_empty_mask_of_its_size(editor: MaskEditor) -> None:
    mask = editor.canvas.mask()
    assert (mask.width(), mask.height()) == (203, 101)
    assert mask.format() == QImage.Format.Format_Alpha8
    assert not editor.canvas.has_painting() and painted_set(editor) == set()
    assert not editor.clear_action.isEnabled() and not editor.undo_action.isEnabled()


def test_a_dot_paints_a_disc_and_only_values_0_and_255(editor: MaskEditor) -> None:
    editor.canvas.paint_stroke([QPointF(50.5, 50.5)], size=11)
    painted = painted_set(editor)
    _, _, data, stride = editor.canvas.painted_bytes()
    values = {data[y * stride + x] for y in range(101) for x in range(203)}
    assert values == {0, 255}
    assert (50, 50) in painted and (45, 50) in painted and (55, 50) in painted
    assert (50, 44) not in painted and (57, 50) not in painted and (45, 45) not in painted  # round, not square
    assert 80 <= len(painted) <= 110  # about π·5.5²


def test_mask_png_is_transparent_exactly_where_painted(editor: MaskEditor) -> None:
    editor.canvas.paint_stroke([QPointF(10, 10), QPointF(150, 60)], size=9)
    painted = painted_set(editor)
    width, height, data, stride = editor.canvas.painted_bytes()
    mask = imaging.mask_png(imaging.painted_from_alpha8(width, height, data, stride))
    from tests.ui.images.conftest import decode

    alpha = decode(mask).getchannel("A")
    assert alpha.size == (203, 101)
    assert {(x, y) for y in range(101) for x in range(203) if alpha.getpixel((x, y)) == 0} == painted
    assert set(alpha.tobytes()) == {0, 255}


def test_eraser_clear_invert_undo_redo(editor: MaskEditor) -> None:
    canvas = editor.canvas
    canvas.paint_stroke([QPointF(20, 50), QPointF(180, 50)], size=20)
    stroke = painted_set(editor)
    assert editor.clear_action.isEnabled() and editor.undo_action.isEnabled()
    editor.eraser_action.trigger()
    assert canvas.erasing
    canvas.paint_stroke([QPointF(100, 50)], size=30)
    erased = painted_set(editor)
    assert (100, 50) not in erased and (20, 50) in erased and erased < stroke
    editor.brush_action.trigger()
    assert not canvas.erasing
    editor.invert_action.trigger()
    inverted = painted_set(editor)
    everything = {(x, y) for y in range(101) for x in range(203)}
    assert inverted == everything - erased
    editor.clear_action.trigger()
    assert painted_set(editor) == set()
    editor.undo_action.trigger()
    assert painted_set(editor) == inverted
    editor.undo_action.trigger()
    assert painted_set(editor) == erased
    editor.undo_action.trigger()
    assert painted_set(editor) == stroke
    editor.redo_action.trigger()
    assert painted_set(editor) == erased
    editor.undo_action.trigger()
    editor.undo_action.trigger()
    assert painted_set(editor) == set() and not editor.undo_action.isEnabled()
    assert editor.redo_action.isEnabled()


def test_mouse_strokes_land_where_the_picture_is_shown(qtbot: Any, editor: MaskEditor) -> None:
    canvas = editor.canvas
    editor.size_slider.setValue(8)
    assert canvas.brush_size == 8 and editor.size_label.text() == "8 px"
    start = canvas.to_widget(QPointF(30, 30)).toPoint()
    end = canvas.to_widget(QPointF(120, 30)).toPoint()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 11):
        qtbot.mouseMove(canvas, QPoint(start.x() + (end.x() - start.x()) * step // 10, start.y()))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    painted = painted_set(editor)
    assert (30, 30) in painted or (31, 30) in painted
    assert all((x, 30) in painted for x in range(34, 116))  # one continuous line
    assert not any(y < 20 or y > 40 for _, y in painted)
    assert canvas.undo_stack.count() == 1  # the whole drag is one undo step
    editor.undo_action.trigger()
    assert painted_set(editor) == set()


def test_keyboard_tools(qtbot: Any, editor: MaskEditor) -> None:
    canvas = editor.canvas
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_E)
    assert canvas.erasing
    qtbot.keyClick(canvas, Qt.Key.Key_B)
    assert not canvas.erasing
    before = canvas.brush_size
    qtbot.keyClick(canvas, Qt.Key.Key_BracketRight)
    assert canvas.brush_size > before
    qtbot.keyClick(canvas, Qt.Key.Key_BracketLeft)
    qtbot.keyClick(canvas, Qt.Key.Key_BracketLeft)
    assert canvas.brush_size < before
    canvas.paint_stroke([QPointF(60, 60)], size=10)
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not canvas.has_painting()
    qtbot.keyClick(canvas, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert canvas.has_painting()


def test_overlay_shows_the_painted_area(editor: MaskEditor) -> None:
    canvas = editor.canvas
    canvas.paint_stroke([QPointF(101, 50)], size=40)
    shown = canvas.grab().toImage()
    centre = canvas.to_widget(QPointF(101, 50)).toPoint()
    corner = canvas.to_widget(QPointF(5, 5)).toPoint()
    tinted, plain = shown.pixelColor(centre), shown.pixelColor(corner)
    assert plain.getRgb()[:3] == (20, 200, 90)
    assert tinted.red() > plain.red() + 60  # the overlay colour shows over the painted area
    editor.overlay_action.trigger()
    assert not canvas.overlay_visible
    assert canvas.grab().toImage().pixelColor(centre).getRgb()[:3] == (20, 200, 90)
    assert canvas.has_painting()  # hiding the overlay keeps the mask


def test_a_new_picture_starts_a_new_history(editor: MaskEditor) -> None:
    editor.canvas.paint_stroke([QPointF(10, 10)], size=5)
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    editor.canvas.set_image(image)
    assert not editor.canvas.has_painting() and editor.canvas.undo_stack.count() == 0
    editor.canvas.set_image(None)
    assert not editor.canvas.has_image() and not editor.brush_action.isEnabled()
