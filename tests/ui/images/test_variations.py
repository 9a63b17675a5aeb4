"""Variations: the square PNG under 4 MB as the server received it, crop or pad with a preview, failures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PIL import Image

from app.imaging import DALLE2_MAX_BYTES
from app.store.gallery import Operation
from app.ui.images.page import ImagesPage
from tests.loopback.server import Fault
from tests.ui.images.conftest import decode, png_bytes, run_and_wait


def choose(qtbot: Any, page: ImagesPage, path: Path) -> None:
    panel = page.show_panel(Operation.VARIATION)
    task = page.load_files(panel, [path])
    qtbot.waitUntil(task.done, timeout=5000)
    qtbot.waitUntil(lambda: not page.variation_panel.preview_image().isNull(), timeout=5000)


def wide_photo(tmp_path: Path) -> Path:
    image = Image.new("RGB", (400, 200), (250, 250, 0))
    image.paste((0, 0, 250), (0, 0, 100, 200))  # a blue left quarter: cropped away, padded kept
    path = tmp_path / "wide.jpg"
    image.save(path, "JPEG", quality=95)
    return path


def test_crop_preview_and_request(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    choose(qtbot, page, wide_photo(tmp_path))
    panel = page.variation_panel
    assert panel.model_box.model() == "dall-e-2"
    assert panel.fit_choice.isVisible() and panel.fit_choice.fit() == "crop"
    preview = panel.preview_image()
    assert (preview.width(), preview.height()) == (200, 200)
    assert preview.pixelColor(5, 100).blue() < 100  # the blue quarter is cut off
    assert panel.preview_info.text().startswith("Sends a 200 × 200 PNG of ")
    assert "Cropped to the centre square (400 × 200 → 200 × 200)." in panel.preview_info.text()
    assert panel.source_label.text() == "wide.jpg — 400 × 200"
    panel.options.set_value("size", "512x512")
    panel.options.count_spin.setValue(2)
    run_and_wait(qtbot, page, Operation.VARIATION)
    request = loopback.last("/images/variations")
    assert sorted(request.files) == ["image"] and len(request.files["image"]) == 1
    part = request.files["image"][0]
    assert (part.filename, part.content_type) == ("wide.png", "image/png")
    sent = decode(part.data)
    assert sent.format == "PNG" and sent.size == (200, 200) and len(part.data) < DALLE2_MAX_BYTES
    assert request.form == {"model": ["dall-e-2"], "n": ["2"], "size": ["512x512"], "response_format": ["url"]}
    model = page.controller.model
    assert model.rowCount() == 2
    image = model.image_at(0)
    assert image is not None and image.operation == Operation.VARIATION and image.prompt == ""
    assert image.source_name == "wide.jpg" and image.parameters["fit"] == "crop"
    assert model.caption(image) == "Variation of wide.jpg"
    assert page.generate_panel.prompt.history() == []  # type: ignore[union-attr]  # variations have no prompt


def test_pad_preview_and_request(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    choose(qtbot, page, wide_photo(tmp_path))
    panel = page.variation_panel
    before = panel.preview_image()
    panel.fit_choice.pad_radio.click()
    qtbot.waitUntil(lambda: panel.preview_image().width() == 400, timeout=5000)
    assert before.width() == 200
    preview = panel.preview_image()
    assert preview.height() == 400
    assert preview.pixelColor(200, 10).getRgb()[:3] == (255, 255, 255)  # the white border
    assert preview.pixelColor(5, 200).blue() > 200  # the blue quarter is kept
    assert "Padded to a square (400 × 200 → 400 × 400)." in panel.preview_info.text()
    run_and_wait(qtbot, page, Operation.VARIATION)
    sent = decode(loopback.last("/images/variations").files["image"][0].data)
    assert sent.size == (400, 400) and sent.getpixel((200, 10))[:3] == (255, 255, 255)


def test_a_large_noisy_picture_is_brought_under_4_mb(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    noise = Image.frombytes("RGBA", (1200, 1100), os.urandom(1200 * 1100 * 4))
    path = tmp_path / "noise.png"
    noise.save(path, "PNG", compress_level=1)
    assert path.stat().st_size > DALLE2_MAX_BYTES
    choose(qtbot, page, path)
    panel = page.variation_panel
    assert "to stay under the upload limit" in panel.preview_info.text()
    run_and_wait(qtbot, page, Operation.VARIATION, timeout=30000)
    part = loopback.last("/images/variations").files["image"][0]
    sent = decode(part.data)
    assert len(part.data) < DALLE2_MAX_BYTES and sent.width == sent.height <= 1024


def test_square_png_needs_no_choice(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    path = tmp_path / "square.png"
    path.write_bytes(png_bytes((128, 128)))
    choose(qtbot, page, path)
    panel = page.variation_panel
    assert not panel.fit_choice.isVisible()
    run_and_wait(qtbot, page, Operation.VARIATION)
    assert loopback.last("/images/variations").files["image"][0].data == path.read_bytes()  # sent untouched


def test_failure_keeps_the_picture_and_the_choice(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    choose(qtbot, page, wide_photo(tmp_path))
    panel = page.variation_panel
    panel.fit_choice.pad_radio.click()
    loopback.inject("/images/variations", Fault(status=400, error={
        "message": "Invalid input image - format must be in ['RGBA', 'LA', 'L'], got RGB.", "param": "image"}))
    run_and_wait(qtbot, page, Operation.VARIATION)
    assert panel.message.level == "error"
    assert panel.message.text() == (
        "The server refused the request: Invalid input image - format must be in ['RGBA', 'LA', 'L'], got RGB."
    )
    assert [s.name for s in panel.sources] == ["wide.jpg"] and panel.fit_choice.fit() == "pad"
    assert not panel.preview_image().isNull()
    assert page.controller.model.rowCount() == 0


def test_nothing_chosen(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    page.show_panel(Operation.VARIATION)
    assert not page.run(Operation.VARIATION)
    assert page.variation_panel.message.text() == "Choose a picture first."
    assert page.variation_panel.preview.text().startswith("Choose a picture:")


def test_a_model_that_cannot_vary_is_flagged(qtbot: Any, page: ImagesPage) -> None:
    panel = page.show_panel(Operation.VARIATION)
    panel.model_box.set_model("gpt-image-1")
    assert panel.family_note.isVisible()
    assert panel.family_note.text().startswith("Only dall-e-2 makes variations")
    panel.model_box.set_model("dall-e-2")
    assert not panel.family_note.isVisible()
