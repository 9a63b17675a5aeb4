"""The gallery: kept across restarts, thumbnails cached, search, pages, delete with undo, viewer and actions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtWidgets import QApplication

from app.store import Store, database_path
from app.store.gallery import Gallery, GalleryImage, Operation, images_dir
from app.ui.images.actions import ImageAction
from app.ui.images.gallery_model import GalleryModel
from app.ui.images.page import ImagesPage
from app.ui.images.thumbnails import thumbnail_path
from tests.ui.conftest import run
from tests.ui.images.conftest import decode, png_bytes, run_and_wait


def generate(qtbot: Any, page: ImagesPage, prompt: str, model: str = "gpt-image-1", **options: Any) -> None:
    panel = page.show_panel(Operation.GENERATE)
    panel.model_box.set_model(model)
    for name, value in options.items():
        if name == "n":
            panel.options.count_spin.setValue(value)
        else:
            panel.options.set_value(name, value)
    assert panel.prompt is not None
    panel.prompt.set_text(prompt)
    run_and_wait(qtbot, page, Operation.GENERATE)
    assert panel.message.level == "info", panel.message.text()


def seed(home_data: Path, count: int, *, prompt: str = "seeded {number}") -> list[GalleryImage]:
    """Pictures written the way Parla keeps them, before the page opens."""
    with Store(database_path(home_data)) as store:
        gallery = Gallery(store, images_dir(home_data))
        return [
            gallery.add(png_bytes((24, 16), (number % 256, 80, 160)), mime="image/png", width=24, height=16,
                        operation="generate", prompt=prompt.format(number=number), model="dall-e-2",
                        created_at=1_700_000_000 + number)
            for number in range(count)
        ]


def close_context(qtbot: Any, context: Any) -> None:
    """What quitting does: cancel the app's tasks (the gallery's own store closes with them)."""
    run(qtbot, context.tasks.cancel_all())


def test_gallery_survives_a_restart(qtbot: Any, connect: Any, images_profile: Any, make_page: Any, loopback: Any) -> None:
    first_context = connect(images_profile)
    page = make_page(first_context)
    generate(qtbot, page, "kept forever", n=2)
    generate(qtbot, page, "a lighthouse", "dall-e-3", quality="hd")
    before = page.controller.model.images()
    assert [i.prompt for i in before] == ["a lighthouse", "kept forever", "kept forever"]
    qtbot.waitUntil(lambda: all(thumbnail_path(page.controller.thumbnail_dir, i.hash).is_file() for i in before),
                    timeout=5000)
    page.close()
    close_context(qtbot, first_context)

    second = make_page(connect(images_profile))
    after = second.controller.model.images()
    assert after == before  # same rows, same order, same metadata
    assert all(image.path(second.controller.images_root).is_file() for image in after)
    assert after[0].revised_prompt == "A loopback rendering of: a lighthouse"
    assert after[0].parameters == {"size": "1024x1024", "quality": "hd", "style": "vivid", "response_format": "url"}
    assert second.generate_panel.prompt.history() == ["a lighthouse", "kept forever"]  # type: ignore[union-attr]
    assert second.gallery_panel.count_label.text() == "3 pictures"
    # The last model and options come back too.
    assert second.generate_panel.model_box.model() == "dall-e-3"
    assert second.generate_panel.options.values()["quality"] == "hd"


def test_thumbnails_come_from_the_cache(qtbot: Any, images_context: Any, make_page: Any) -> None:
    seeded = seed(images_context.locations.data, 5)
    page = make_page(images_context)
    thumbnails = page.controller.thumbnails
    qtbot.waitUntil(lambda: thumbnails.loads == 5, timeout=5000)
    qtbot.wait(100)
    assert thumbnails.loads == 5  # each once, however often the grid repainted meanwhile
    files = [thumbnail_path(page.controller.thumbnail_dir, image.hash) for image in seeded]
    assert all(f.is_file() for f in files)
    stamps = [f.stat().st_mtime_ns for f in files]
    thumb = decode(files[0].read_bytes())
    assert thumb.size == (24, 16)  # never enlarged
    index = page.controller.model.index(0)
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    page.close()
    close_context(qtbot, images_context)
    again = make_page(images_context)
    qtbot.waitUntil(lambda: again.controller.thumbnails.loads == 5, timeout=5000)
    assert [f.stat().st_mtime_ns for f in files] == stamps  # read, not made again


def test_only_visible_thumbnails_load(qtbot: Any, images_context: Any, make_page: Any) -> None:
    seed(images_context.locations.data, 120)
    page = make_page(images_context)
    page.resize(900, 500)
    qtbot.wait(300)
    loads = page.controller.thumbnails.loads
    assert 0 < loads < 60, loads
    assert page.controller.model.rowCount() == 120


def test_pages_are_fetched_as_the_grid_scrolls(qtbot: Any, images_context: Any, make_page: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("app.ui.images.controller.PAGE_SIZE", 10)
    seed(images_context.locations.data, 25)
    page = make_page(images_context)
    model = page.controller.model
    assert model.total == 25 and model.rowCount() >= 10
    view = page.gallery_panel.view
    for _ in range(10):
        view.scrollToBottom()
        qtbot.wait(30)
    qtbot.waitUntil(lambda: model.rowCount() == 25, timeout=5000)
    assert [i.prompt for i in model.images()] == [f"seeded {n}" for n in range(24, -1, -1)]
    assert not model.canFetchMore(QModelIndex())


def test_the_model_is_a_sound_qt_model(qtbot: Any, images_context: Any, make_page: Any, qtmodeltester: Any) -> None:
    seed(images_context.locations.data, 4)
    page = make_page(images_context)
    qtmodeltester.check(page.controller.model)
    names = page.controller.model.roleNames()
    assert names[GalleryModel.PromptRole] == b"prompt"


def test_search_by_prompt(qtbot: Any, images_context: Any, make_page: Any) -> None:
    seed(images_context.locations.data, 3, prompt="castle {number}")
    seed(images_context.locations.data, 2, prompt="一只猫 {number}")
    page = make_page(images_context)
    panel = page.gallery_panel
    panel.search_edit.setText("猫")
    qtbot.waitUntil(lambda: page.controller.model.rowCount() == 2, timeout=3000)
    assert panel.count_label.text() == "2 pictures"
    panel.search_edit.setText("castle 2")
    qtbot.waitUntil(lambda: page.controller.model.rowCount() == 1, timeout=3000)
    assert page.controller.model.image_at(0).prompt == "castle 2"  # type: ignore[union-attr]
    panel.search_edit.setText("dragon")
    qtbot.waitUntil(lambda: page.controller.model.rowCount() == 0, timeout=3000)
    assert panel.stack.currentWidget() is panel.empty_label
    assert panel.empty_label.text() == "No picture's prompt contains “dragon”."
    panel.search_edit.clear()
    qtbot.waitUntil(lambda: page.controller.model.rowCount() == 5, timeout=3000)


def test_new_results_respect_the_search(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    page.gallery_panel.search_edit.setText("fox")
    qtbot.waitUntil(lambda: page.controller.model.query == "fox", timeout=3000)
    generate(qtbot, page, "a cat")
    assert page.controller.model.rowCount() == 0
    generate(qtbot, page, "a fox")
    assert [i.prompt for i in page.controller.model.images()] == ["a fox"]


def select(page: ImagesPage, *rows: int) -> None:
    view = page.gallery_panel.view
    view.setCurrentIndex(page.controller.model.index(rows[0]))  # selects only this one
    for row in rows[1:]:
        view.selectionModel().select(page.controller.model.index(row), view.selectionModel().SelectionFlag.Select)


def test_delete_and_undo(qtbot: Any, images_context: Any, make_page: Any) -> None:
    seeded = seed(images_context.locations.data, 4)
    page = make_page(images_context)
    model = page.controller.model
    select(page, 0, 2)
    page.gallery_panel.view.actions_by_kind[ImageAction.DELETE].trigger()
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=3000)
    bar = page.gallery_panel.undo_bar
    assert bar.isVisible() and bar.label.text() == "2 pictures deleted."
    assert page.gallery_panel.count_label.text() == "2 pictures"
    root = page.controller.images_root
    assert all(image.path(root).is_file() for image in seeded)  # nothing gone for good yet
    bar.undo_button.click()
    qtbot.waitUntil(lambda: model.rowCount() == 4, timeout=3000)
    assert [i.id for i in model.images()] == [i.id for i in reversed(seeded)]
    assert not bar.isVisible()


def test_delete_is_final_when_undo_expires(qtbot: Any, images_context: Any, make_page: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("app.ui.images.page.UNDO_SECONDS", 0.2)
    seeded = seed(images_context.locations.data, 2)
    page = make_page(images_context)
    qtbot.waitUntil(lambda: page.controller.thumbnails.loads == 2, timeout=5000)
    newest = seeded[-1]
    root = page.controller.images_root
    thumb = thumbnail_path(page.controller.thumbnail_dir, newest.hash)
    assert thumb.is_file()
    page.delete_images([newest])
    qtbot.waitUntil(lambda: not newest.path(root).exists(), timeout=5000)
    qtbot.waitUntil(lambda: not thumb.exists(), timeout=5000)
    assert not page.gallery_panel.undo_bar.isVisible()
    with Store(database_path(images_context.locations.data)) as store:
        assert Gallery(store, root).get(newest.id) is None


def test_a_deletion_pending_at_exit_is_finished_at_the_next_start(qtbot: Any, connect: Any, images_profile: Any, make_page: Any) -> None:
    context = connect(images_profile)
    seeded = seed(context.locations.data, 2)
    page = make_page(context)
    page.delete_images([seeded[0]])
    qtbot.waitUntil(lambda: page.controller.model.rowCount() == 1, timeout=3000)
    root = page.controller.images_root
    assert seeded[0].path(root).is_file()
    page.close()
    close_context(qtbot, context)
    again = make_page(connect(images_profile))
    assert [i.id for i in again.controller.model.images()] == [seeded[1].id]
    assert not seeded[0].path(root).exists()


def test_viewer_zoom_fit_and_navigation(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    generate(qtbot, page, "big picture", "gpt-image-1", size="1536x1024", n=2)
    view = page.gallery_panel.view
    view.setFocus()
    view.setCurrentIndex(page.controller.model.index(0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    viewer = page.viewer
    assert page.stage.currentWidget() is viewer
    qtbot.waitUntil(viewer.view.has_picture, timeout=5000)
    zoom = viewer.view
    assert zoom.fitted and zoom.zoom < 1.0
    assert viewer.zoom_label.text() == f"{round(zoom.zoom * 100)}%"
    fitted = zoom.zoom
    viewer.zoom_in_action.trigger()
    assert zoom.zoom == pytest.approx(fitted * 1.25) and not zoom.fitted
    viewer.actual_action.trigger()
    assert zoom.zoom == 1.0
    viewer.fit_action.trigger()
    assert zoom.fitted and zoom.zoom == pytest.approx(fitted)
    details = viewer.details.text()
    assert "Prompt: big picture" in details and "gpt-image-1" in details and "1536 × 1024" in details
    assert "Size: 1536 × 1024 (landscape)" in details and "Number: 2" in details
    assert not viewer.previous_action.isEnabled() and viewer.next_action.isEnabled()
    first = viewer.image
    viewer.next_action.trigger()
    qtbot.waitUntil(lambda: viewer.image is not None and viewer.image != first, timeout=5000)
    assert viewer.previous_action.isEnabled() and not viewer.next_action.isEnabled()
    viewer.back_action.trigger()
    assert page.stage.currentWidget() is page.gallery_panel
    assert view.currentIndex().row() == 1  # back where the viewer was


def test_viewer_says_when_the_file_is_missing(qtbot: Any, images_context: Any, make_page: Any) -> None:
    seeded = seed(images_context.locations.data, 1)
    seeded[0].path(images_dir(images_context.locations.data)).unlink()  # deleted by hand outside Parla
    page = make_page(images_context)
    qtbot.waitUntil(lambda: page.controller.thumbnails.failed(seeded[0].hash), timeout=5000)
    assert page.controller.model.index(0).data(GalleryModel.BrokenRole)
    task = page.open_viewer(seeded[0])
    qtbot.waitUntil(task.done, timeout=5000)
    assert page.viewer.status.text() == "The picture's file is missing or damaged."
    assert "seeded 0" in page.viewer.details.text()


def test_save_as_copy_and_show_in_folder(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    generate(qtbot, page, "to keep elsewhere", "gpt-image-1")
    image = page.controller.model.image_at(0)
    assert image is not None
    same = tmp_path / "copy.png"
    assert run(qtbot, page.save_as(image, same))
    assert same.read_bytes() == image.path(page.controller.images_root).read_bytes()
    converted = tmp_path / "copy.jpg"
    assert run(qtbot, page.save_as(image, converted))
    assert decode(converted.read_bytes()).format == "JPEG"
    assert run(qtbot, page.copy_to_clipboard([image]))
    clipboard = QApplication.clipboard().mimeData()
    assert clipboard.hasImage() and clipboard.imageData().width() == 1024
    assert clipboard.urls() == [QUrl.fromLocalFile(str(image.path(page.controller.images_root)))]
    opened: list[QUrl] = []
    page.open_url = lambda url: opened.append(url) or True  # type: ignore[assignment]
    page.gallery_panel.view.action_requested.emit(ImageAction.SHOW_IN_FOLDER.value, [image])
    assert opened == [QUrl.fromLocalFile(str(image.path(page.controller.images_root).parent))]
    assert Path(opened[0].toLocalFile()).is_dir()


def test_reuse_prompt(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    generate(qtbot, page, "a stormy sea", "dall-e-3", quality="hd", style="natural", size="1024x1792")
    image = page.controller.model.image_at(0)
    assert image is not None
    panel = page.generate_panel
    panel.model_box.set_model("gpt-image-1")
    assert panel.prompt is not None
    panel.prompt.set_text("")
    page.show_panel(Operation.VARIATION)
    page.gallery_panel.view.action_requested.emit(ImageAction.REUSE_PROMPT.value, [image])
    assert page.current_panel() is panel
    assert panel.model_box.model() == "dall-e-3"
    assert panel.options.values() == {"size": "1024x1792", "quality": "hd", "style": "natural", "response_format": "url"}
    assert panel.prompt.text() == "a stormy sea"


def test_edit_vary_and_send_to_chat_from_the_gallery(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    generate(qtbot, page, "a source picture", "gpt-image-1")
    image = page.controller.model.image_at(0)
    assert image is not None
    view = page.gallery_panel.view
    view.action_requested.emit(ImageAction.EDIT.value, [image])
    qtbot.waitUntil(lambda: len(page.edit_panel.sources) == 1, timeout=5000)
    assert page.current_panel() is page.edit_panel
    assert page.edit_panel.sources[0].gallery_id == image.id
    assert page.edit_panel.canvas.image().width() == 1024
    page.edit_panel.prompt.set_text("edited")  # type: ignore[union-attr]
    run_and_wait(qtbot, page, Operation.EDIT)
    edited = page.controller.model.image_at(0)
    assert edited is not None and edited.source_id == image.id and edited.operation == Operation.EDIT

    view.action_requested.emit(ImageAction.VARY.value, [image])
    qtbot.waitUntil(lambda: len(page.variation_panel.sources) == 1, timeout=5000)
    assert page.current_panel() is page.variation_panel
    assert page.variation_panel.sources[0].gallery_id == image.id

    with qtbot.waitSignal(page.send_to_chat_requested, timeout=1000) as blocker:
        view.action_requested.emit(ImageAction.SEND_TO_CHAT.value, [image])
    assert blocker.args == [str(image.path(page.controller.images_root))]


def test_send_to_chat_without_a_chat_that_takes_pictures(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    generate(qtbot, page, "lonely", "gpt-image-1")
    messages: list[str] = []
    page._context.notifier.status_posted.connect(lambda text, _ms: messages.append(text))
    page.gallery_panel.view.action_requested.emit(ImageAction.SEND_TO_CHAT.value, [page.controller.model.image_at(0)])
    assert messages == ["The Chat tab cannot take pictures yet."]


def test_context_menu_offers_every_action(qtbot: Any, images_context: Any, make_page: Any) -> None:
    seed(images_context.locations.data, 3)
    page = make_page(images_context)
    select(page, 0)
    menu = page.gallery_panel.view.context_menu()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Open", "Edit", "Vary", "Use prompt again", "Send to chat", "Copy", "Save as…",
                     "Show in folder", "Delete"]
    assert all(a.isEnabled() for a in menu.actions())
    select(page, 0, 1)
    menu = page.gallery_panel.view.context_menu()
    enabled = {a.text() for a in menu.actions() if a.isEnabled() and not a.isSeparator()}
    assert enabled == {"Edit", "Send to chat", "Copy", "Delete"}


def test_empty_gallery_says_what_to_do(page: ImagesPage) -> None:
    panel = page.gallery_panel
    assert panel.stack.currentWidget() is panel.empty_label
    assert panel.empty_label.text().startswith("No pictures yet.")
    assert panel.count_label.text() == "0 pictures"


def test_a_gallery_that_cannot_open_says_why(qtbot: Any, images_context: Any, make_page: Any) -> None:
    db = database_path(images_context.locations.data)
    db.parent.mkdir(parents=True, exist_ok=True)
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    page = make_page(images_context, wait=False)
    panel = page.gallery_panel
    qtbot.waitUntil(lambda: panel.empty_label.text().startswith("The gallery could not be opened"), timeout=5000)
    assert "newer version of Parla" in panel.empty_label.text()
    page.generate_panel.prompt.set_text("still works?")  # type: ignore[union-attr]
    run_and_wait(qtbot, page, Operation.GENERATE)
    assert page.generate_panel.message.level == "error"


def test_save_as_dialog_and_show_in_folder_failure(qtbot: Any, page: ImagesPage, loopback: Any, tmp_path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog

    generate(qtbot, page, "dialog", "gpt-image-1")
    image = page.controller.model.image_at(0)
    assert image is not None
    page.gallery_panel.view.action_requested.emit(ImageAction.SAVE_AS.value, [image])
    dialog = page._file_dialog
    assert isinstance(dialog, QFileDialog) and dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    dest = tmp_path / "chosen.webp"
    dialog.fileSelected.emit(str(dest))
    dialog.reject()
    qtbot.waitUntil(dest.exists, timeout=5000)
    assert decode(dest.read_bytes()).format == "WEBP"
    banners: list[str] = []
    page._context.notifier.banner_posted.connect(lambda text, _level: banners.append(text))
    page.open_url = lambda _url: False  # type: ignore[assignment]
    assert not page.show_in_folder(image)
    assert banners == [f"Could not open the folder {image.path(page.controller.images_root).parent}."]
