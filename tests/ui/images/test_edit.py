"""Edit: the multipart body as the server received it (one and several pictures, the mask), and failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from app.store.gallery import Operation
from app.ui.images.page import ImagesPage
from tests.loopback.server import Fault
from tests.ui.images.conftest import decode, png_bytes, run_and_wait


def load(qtbot: Any, page: ImagesPage, *paths: Path) -> None:
    panel = page.show_panel(Operation.EDIT)
    assert panel is page.edit_panel
    before = len(panel.sources)
    task = page.load_files(panel, list(paths))
    qtbot.waitUntil(task.done, timeout=5000)
    assert len(panel.sources) >= min(1, before + len(paths)), panel.message.text()


def painted_pixels(page: ImagesPage) -> set[tuple[int, int]]:
    width, height, data, stride = page.edit_panel.canvas.painted_bytes()
    return {(x, y) for y in range(height) for x in range(width) if data[y * stride + x]}


def transparent_pixels(mask_png: bytes) -> set[tuple[int, int]]:
    alpha = decode(mask_png).getchannel("A")
    width, height = alpha.size
    raw = alpha.tobytes()
    assert set(raw) <= {0, 255}
    return {(x, y) for y in range(height) for x in range(width) if raw[y * width + x] == 0}


def test_one_picture_and_its_mask(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    source = tmp_path / "photo.png"
    source.write_bytes(png_bytes((120, 80), (10, 150, 240)))
    load(qtbot, page, source)
    panel = page.edit_panel
    panel.model_box.set_model("gpt-image-1")
    panel.canvas.paint_stroke([QPointF(20, 20), QPointF(90, 50)], size=13)
    painted = painted_pixels(page)
    assert panel.prompt is not None
    panel.prompt.set_text("make the sky purple")
    panel.options.set_value("quality", "low")
    run_and_wait(qtbot, page, Operation.EDIT)

    request = loopback.last("/images/edits")
    assert sorted(request.files) == ["image", "mask"]
    assert len(request.files["image"]) == 1 and len(request.files["mask"]) == 1
    image_part, mask_part = request.files["image"][0], request.files["mask"][0]
    assert (image_part.filename, image_part.content_type) == ("photo.png", "image/png")
    assert (mask_part.filename, mask_part.content_type) == ("mask.png", "image/png")
    assert image_part.data == source.read_bytes()  # a PNG gpt-image-1 takes goes as it is
    sent = decode(image_part.data)
    assert sent.format == "PNG" and sent.size == (120, 80)
    mask = decode(mask_part.data)
    assert mask.size == sent.size
    assert transparent_pixels(mask_part.data) == painted and painted  # exactly the painted pixels
    assert request.form == {
        "prompt": ["make the sky purple"], "model": ["gpt-image-1"], "n": ["1"], "size": ["auto"],
        "quality": ["low"], "background": ["auto"], "output_format": ["png"],
    }
    image = page.controller.model.image_at(0)
    assert image is not None and image.operation == Operation.EDIT and image.prompt == "make the sky purple"
    assert image.source_name == "photo.png" and image.parameters["mask"] is True
    # The inputs stay for another try.
    assert painted_pixels(page) == painted and panel.prompt.text() == "make the sky purple"


def test_several_pictures_for_gpt_image(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    first, second, third = tmp_path / "a.png", tmp_path / "b.jpg", tmp_path / "c.webp"
    first.write_bytes(png_bytes((64, 64), (255, 0, 0)))
    second.write_bytes(png_bytes((32, 48), (0, 255, 0), "JPEG"))
    third.write_bytes(png_bytes((40, 40), (0, 0, 255), "WEBP"))
    panel = page.edit_panel
    panel.model_box.set_model("gpt-image-1")
    load(qtbot, page, first, second, third)
    assert [s.name for s in panel.sources] == ["a.png", "b.jpg", "c.webp"]
    assert panel.source_list.count() == 3
    assert panel.sources_note.text().startswith("You paint the mask on the first picture")
    assert panel.canvas.image().size().width() == 64  # the first is the one painted on
    assert panel.prompt is not None
    panel.prompt.set_text("put them together")
    run_and_wait(qtbot, page, Operation.EDIT)
    request = loopback.last("/images/edits")
    assert sorted(request.files) == ["image[]"]  # no mask painted: none sent
    parts = request.files["image[]"]
    assert [p.filename for p in parts] == ["a.png", "b.png", "c.png"]
    assert [decode(p.data).size for p in parts] == [(64, 64), (32, 48), (40, 40)]
    assert all(decode(p.data).format == "PNG" for p in parts)
    assert decode(parts[1].data).getpixel((16, 24))[1] > 200  # the JPEG's green survived conversion
    image = page.controller.model.image_at(0)
    assert image is not None and image.parameters["sources"] == ["a.png", "b.jpg", "c.webp"]
    assert image.parameters["images"] == 3 and image.parameters["mask"] is False


def test_dalle2_square_crop_moves_the_mask_with_the_picture(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    source = tmp_path / "wide.png"
    source.write_bytes(png_bytes((300, 100)))
    panel = page.edit_panel
    panel.model_box.set_model("dall-e-2")
    load(qtbot, page, source)
    assert panel.fit_choice.isVisible()  # dall-e-2 wants a square: crop or pad is offered
    panel.canvas.paint_stroke([QPointF(150, 50)], size=21)
    painted = painted_pixels(page)
    assert panel.prompt is not None
    panel.prompt.set_text("a hat")
    panel.options.set_value("size", "256x256")
    run_and_wait(qtbot, page, Operation.EDIT)
    request = loopback.last("/images/edits")
    assert sorted(request.files) == ["image", "mask"]
    sent = decode(request.files["image"][0].data)
    assert sent.size == (100, 100) and sent.mode == "RGBA"
    assert transparent_pixels(request.files["mask"][0].data) == {(x - 100, y) for x, y in painted}
    assert request.form["size"] == ["256x256"] and request.form["response_format"] == ["url"]
    assert "Cropped to the centre square (300 × 100 → 100 × 100)." in panel.message.text()
    image = page.controller.model.image_at(0)
    assert image is not None and image.parameters["fit"] == "crop" and (image.width, image.height) == (256, 256)


def test_dalle2_needs_paint_and_takes_one_picture(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    panel = page.edit_panel
    assert panel.prompt is not None
    panel.prompt.set_text("anything")
    assert not page.run(Operation.EDIT)
    assert panel.message.text() == "Choose the picture to edit first."
    first, second = tmp_path / "1.png", tmp_path / "2.png"
    first.write_bytes(png_bytes((32, 32)))
    second.write_bytes(png_bytes((32, 32), (1, 2, 3)))
    panel.model_box.set_model("gpt-image-1")
    load(qtbot, page, first, second)
    panel.model_box.set_model("dall-e-2")
    assert not page.run(Operation.EDIT)
    assert panel.message.text() == "This model edits one picture at a time: remove the others, or choose gpt-image-1."
    assert panel.sources_note.isVisible()
    panel.source_list.setCurrentRow(1)
    panel.remove_button.click()
    assert len(panel.sources) == 1
    assert not page.run(Operation.EDIT)
    assert panel.message.text() == "Paint over the part to change first: dall-e-2 edits only the painted area."
    assert loopback.requests_to("/images/edits") == []
    # With one picture allowed, a new one replaces the old.
    load(qtbot, page, second)
    assert [s.name for s in panel.sources] == ["2.png"]


def test_error_keeps_prompt_pictures_and_mask(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    source = tmp_path / "p.png"
    source.write_bytes(png_bytes((50, 50)))
    load(qtbot, page, source)
    panel = page.edit_panel
    panel.model_box.set_model("gpt-image-1")
    panel.canvas.paint_stroke([QPointF(25, 25)], size=9)
    painted = painted_pixels(page)
    assert panel.prompt is not None
    panel.prompt.set_text("replace the middle")
    loopback.inject("/images/edits", Fault(status=400, error={
        "message": "Your request was rejected as a result of our safety system.", "type": "invalid_request_error",
        "code": "content_policy_violation"}))
    run_and_wait(qtbot, page, Operation.EDIT)
    assert panel.message.level == "error"
    assert panel.message.text().startswith("Refused under the server's content policy")
    assert painted_pixels(page) == painted
    assert panel.canvas.undo_stack.count() == 1  # even the undo history is intact
    assert [s.name for s in panel.sources] == ["p.png"] and panel.prompt.text() == "replace the middle"
    # The same inputs go again, unchanged.
    run_and_wait(qtbot, page, Operation.EDIT)
    requests = loopback.requests_to("/images/edits")
    assert len(requests) == 2 and requests[0].files["mask"][0].data == requests[1].files["mask"][0].data
    assert panel.message.level == "info"


def test_server_refusing_the_mask_size(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    source = tmp_path / "p.png"
    source.write_bytes(png_bytes((40, 40)))
    load(qtbot, page, source)
    panel = page.edit_panel
    panel.model_box.set_model("gpt-image-1")
    panel.canvas.paint_stroke([QPointF(5, 5)], size=3)
    assert panel.prompt is not None
    panel.prompt.set_text("x")
    loopback.inject("/images/edits", Fault(status=400, error={
        "message": "Invalid mask: the mask and the image must have the same dimensions.", "param": "mask"}))
    run_and_wait(qtbot, page, Operation.EDIT)
    assert panel.message.text() == (
        "The server refused the request: Invalid mask: the mask and the image must have the same dimensions."
    )


def test_unreadable_file_is_refused_in_words(qtbot: Any, page: ImagesPage, tmp_path: Path) -> None:
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    task = page.load_files(page.edit_panel, [bad])
    qtbot.waitUntil(task.done, timeout=5000)
    assert page.edit_panel.sources == []
    assert page.edit_panel.message.text() == (
        "notes.png: The picture could not be read: it is not a PNG, JPEG, WebP, GIF, BMP or TIFF file, or it is damaged."
    )


def test_paste_and_drop(qtbot: Any, page: ImagesPage, tmp_path: Path) -> None:
    panel = page.edit_panel
    panel.model_box.set_model("gpt-image-1")
    image = QImage(30, 20, QImage.Format.Format_RGB32)
    image.fill(QColor(200, 10, 10))
    QApplication.clipboard().setImage(image)
    page.paste_into(panel)
    qtbot.waitUntil(lambda: len(panel.sources) == 1, timeout=5000)
    assert panel.sources[0].name == "Pasted picture" and (panel.sources[0].width, panel.sources[0].height) == (30, 20)
    dropped = tmp_path / "dropped.png"
    dropped.write_bytes(png_bytes((16, 16)))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped)), QUrl.fromLocalFile(str(tmp_path / "readme.txt"))])
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtGui import QDropEvent

    event = QDropEvent(QPointF(QPoint(10, 10)), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    panel.dropEvent(event)
    qtbot.waitUntil(lambda: len(panel.sources) == 2, timeout=5000)
    assert panel.sources[1].name == "dropped.png"
    QApplication.clipboard().clear()
    page.paste_into(panel)
    assert panel.message.text() == "The clipboard holds no picture."


def test_exif_photo_is_shown_and_sent_upright(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    from tests.unit.test_imaging import exif_rotated_jpeg

    photo = tmp_path / "camera.jpg"
    photo.write_bytes(exif_rotated_jpeg())
    load(qtbot, page, photo)
    panel = page.edit_panel
    assert (panel.canvas.image().width(), panel.canvas.image().height()) == (40, 20)
    assert panel.message.text() == "Turned upright as the photo's orientation tag says. Converted from JPEG to PNG."
    panel.model_box.set_model("gpt-image-1")
    panel.canvas.paint_stroke([QPointF(35, 10)], size=5)
    assert panel.prompt is not None
    panel.prompt.set_text("x")
    run_and_wait(qtbot, page, Operation.EDIT)
    request = loopback.last("/images/edits")
    assert decode(request.files["image"][0].data).size == (40, 20)
    assert decode(request.files["mask"][0].data).size == (40, 20)


def test_open_file_dialog(qtbot: Any, page: ImagesPage, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog

    picture = tmp_path / "chosen.png"
    picture.write_bytes(png_bytes((20, 20)))
    panel = page.show_panel(Operation.EDIT)
    panel.open_button.click()
    dialog = page._file_dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    assert dialog.fileMode() == QFileDialog.FileMode.ExistingFiles  # several pictures for gpt-image-1
    dialog.filesSelected.emit([str(picture)])
    dialog.reject()
    qtbot.waitUntil(lambda: len(page.edit_panel.sources) == 1, timeout=5000)
    assert page.edit_panel.sources[0].name == "chosen.png"
