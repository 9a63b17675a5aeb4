"""Pictures in chat: drop, paste and Attach; what is sent (no metadata); bad input; models refusing images."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from app.store import MessageState, Role
from tests.loopback.server import Fault
from tests.ui.chat.chat_fixtures import ChatHarness, chat, chat_context  # noqa: F401

GPS_LATITUDE_REF = 1


def _jpeg_with_gps(path: Path, size: tuple[int, int] = (640, 480)) -> Path:
    image = Image.new("RGB", size, (200, 60, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[GPS_LATITUDE_REF] = "N"
    gps[2] = (52.0, 31.0, 12.0)
    gps[3] = "E"
    gps[4] = (13.0, 24.0, 36.0)
    image.save(path, "JPEG", exif=exif.tobytes(), quality=90)
    with Image.open(path) as check:  # the test's own premise: the GPS tags are really there
        assert check.getexif().get_ifd(0x8825)
    return path


def _png(path: Path, size: tuple[int, int] = (300, 200), color: tuple[int, int, int] = (10, 120, 200)) -> Path:
    Image.new("RGB", size, color).save(path, "PNG")
    return path


def _banners(chat: ChatHarness) -> list[str]:
    posted: list[str] = []
    chat.context.notifier.banner_posted.connect(lambda text, _level: posted.append(text))
    return posted


def _drop(chat: ChatHarness, mime: QMimeData) -> None:
    page = chat.page
    target = page.view  # anywhere on the tab: the message list does not take drops, the page does
    pos = QPointF(target.mapTo(page, QPoint(50, 50)))
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(page, enter)
    assert enter.isAccepted()
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(page, drop)
    assert drop.isAccepted()


def _wait_images_ready(chat: ChatHarness, count: int) -> None:
    strip = chat.page.composer.attachments
    chat.qtbot.waitUntil(lambda: strip.count() == count and all(p.ready for p in strip.images()), timeout=10000)


def _sent_parts(loopback: Any) -> list[dict[str, Any]]:
    body = loopback.last("/chat/completions").json
    content = body["messages"][-1]["content"]
    assert isinstance(content, list)
    return content


def _decode_data_url(url: str) -> tuple[str, bytes]:
    head, _, data = url.partition(",")
    assert head.startswith("data:") and head.endswith(";base64")
    return head[5:-7], base64.b64decode(data)


def test_dropped_jpeg_is_sent_without_exif_with_text_and_detail(chat: ChatHarness, loopback: Any, tmp_path: Path) -> None:
    photo = _jpeg_with_gps(tmp_path / "holiday.jpg", (3000, 1000))
    other = _png(tmp_path / "chart.png")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(photo)), QUrl.fromLocalFile(str(other))])
    _drop(chat, mime)
    _wait_images_ready(chat, 2)
    strip = chat.page.composer.attachments
    assert strip.isVisible()
    chat.qtbot.waitUntil(lambda: all(p.thumbnail for p in strip.images()), timeout=5000)
    strip.set_detail("low")
    chat.send("what is in these?")
    reply = chat.wait_done()
    assert reply.state is MessageState.COMPLETE
    assert reply.text == "Echo: what is in these? [images: 2]"
    parts = _sent_parts(loopback)
    assert parts[0] == {"type": "text", "text": "what is in these?"}
    assert [p["type"] for p in parts[1:]] == ["image_url", "image_url"]
    assert all(p["image_url"]["detail"] == "low" for p in parts[1:])
    mime_type, data = _decode_data_url(parts[1]["image_url"]["url"])
    assert mime_type == "image/jpeg"
    assert b"Exif" not in data[:4096] and b"SpyCam" not in data
    with Image.open(io.BytesIO(data)) as sent:
        assert not sent.getexif() and max(sent.size) == 2048
    assert _decode_data_url(parts[2]["image_url"]["url"])[0] == "image/jpeg"  # opaque PNG → JPEG
    # The composer let go of the pictures; the store kept what was sent.
    assert strip.count() == 0 and not strip.isVisible()
    user = chat.items()[0]
    assert user.role is Role.USER and len(user.images) == 2
    stored = chat.call(chat.store.get_message(user.id))
    assert [p["type"] for p in stored.content] == ["text", "image", "image"]
    assert all(p["detail"] == "low" for p in stored.images)
    kept = chat.call(chat.store.read_attachment(stored.images[0]["hash"]))
    assert kept == data  # the history keeps exactly what was sent


def test_dropped_image_data_and_pasted_image_and_files(chat: ChatHarness, loopback: Any, tmp_path: Path) -> None:
    image = QImage(120, 80, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkGreen)
    mime = QMimeData()
    mime.setImageData(image)
    _drop(chat, mime)
    _wait_images_ready(chat, 1)
    # Ctrl+V of image data into the composer
    QGuiApplication.clipboard().setImage(image)
    editor = chat.page.composer.editor
    editor.setFocus()
    editor.paste()
    _wait_images_ready(chat, 2)
    # Ctrl+V of copied files
    files = QMimeData()
    files.setUrls([QUrl.fromLocalFile(str(_png(tmp_path / "a.png")))])
    QGuiApplication.clipboard().setMimeData(files)
    chat.qtbot.keyClick(editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    _wait_images_ready(chat, 3)
    assert editor.toPlainText() == ""  # nothing pasted as text
    # A picture on its own can be sent (no text needed)
    assert chat.page.composer.send_button.isEnabled()
    chat.page.composer.send_button.click()
    chat.qtbot.waitUntil(lambda: chat.page.composer.attachments.count() == 0, timeout=5000)
    reply = chat.wait_done()
    assert reply.text == "Echo:  [images: 3]" or reply.text.endswith("[images: 3]")
    parts = _sent_parts(loopback)
    assert [p["type"] for p in parts] == ["image_url"] * 3
    assert all(p["image_url"]["detail"] == "auto" for p in parts)


def test_remove_button_and_attach_image_file(chat: ChatHarness, loopback: Any, tmp_path: Path) -> None:
    chat.page.attach_image_file(str(_png(tmp_path / "one.png")))
    chat.page.attach_image_file(str(_png(tmp_path / "two.png", color=(250, 250, 0))))
    _wait_images_ready(chat, 2)
    strip = chat.page.composer.attachments
    first = strip.images()[0]
    strip.tile(first).remove_button.click()
    assert strip.count() == 1 and strip.images()[0].source.name == "two.png"
    chat.send("only one")
    assert chat.wait_done().text == "Echo: only one [images: 1]"


def test_attach_button_opens_a_file_dialog(chat: ChatHarness, tmp_path: Path) -> None:
    chat.page.composer.attach_button.click()
    dialog = chat.page.file_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.filesSelected.emit([str(_png(tmp_path / "picked.png"))])
    dialog.reject()
    _wait_images_ready(chat, 1)
    assert chat.page.composer.attachments.images()[0].source.name == "picked.png"


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    text = tmp_path / "notes.txt"
    text.write_text("just some words, not a picture\n" * 10)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    whole = io.BytesIO()
    Image.new("RGB", (400, 400), (1, 2, 3)).save(whole, "PNG")
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole.getvalue()[:300])
    huge = tmp_path / "huge.bin"
    with huge.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024 + 1)
    bomb = tmp_path / "bomb.png"
    Image.new("1", (12000, 9000)).save(bomb, "PNG")  # 108 megapixels, a small file
    svg = tmp_path / "drawing.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>')
    return {
        "not_an_image": (text, "“notes.txt” is not a picture, so it was not attached."),
        "empty": (empty, "“empty.png” is empty or damaged, so it was not attached."),
        "corrupt": (cut, "“cut.png” is empty or damaged, so it was not attached."),
        "too_large_file": (huge, "“huge.bin” is larger than 50 MB, so it was not attached."),
        "too_many_pixels": (bomb, "“bomb.png” has more than 100 megapixels, so it was not attached."),
        "unsupported": (
            svg,
            "“drawing.svg” is a kind of picture Parla cannot read (such as HEIC or SVG), so it was not attached.",
        ),
    }


def test_each_bad_input_gets_one_sentence_and_keeps_the_draft(chat: ChatHarness, loopback: Any, tmp_path: Path) -> None:
    posted = _banners(chat)
    good = _png(tmp_path / "good.png")
    chat.type("my draft stays")
    chat.page.attach_image_file(str(good))
    _wait_images_ready(chat, 1)
    bad = _bad_files(tmp_path)
    for kind, (path, sentence) in bad.items():
        before = len(posted)
        chat.page.attach_image_file(str(path))
        chat.qtbot.waitUntil(lambda: len(posted) > before, timeout=10000)
        assert posted[-1] == sentence, kind
        assert chat.page.composer.attachments.count() == 1, kind
    assert chat.page.composer.text() == "my draft stays"
    assert not loopback.requests_to("/chat/completions")  # nothing sent
    chat.send("my draft stays")
    assert chat.wait_done().text == "Echo: my draft stays [images: 1]"


def test_a_model_that_rejects_images(chat: ChatHarness, loopback: Any, tmp_path: Path) -> None:
    loopback.inject(
        "/chat/completions",
        Fault(status=400, error={"message": "Invalid content type. image_url is only supported by certain models.",
                                 "type": "invalid_request_error", "param": "messages", "code": None}),
    )
    chat.page.attach_image_file(str(_png(tmp_path / "x.png")))
    _wait_images_ready(chat, 1)
    chat.send("describe")
    reply = chat.wait_done()
    assert reply.state is MessageState.ERROR
    assert reply.error == "This model does not accept images."
    widget = chat.widget(reply.id)
    assert widget._error_label.text() == "This model does not accept images."
    user = chat.items()[0]
    assert user.text == "describe" and len(user.images) == 1  # the message and its picture are kept
    stored = chat.call(chat.store.get_message(user.id))
    assert len(stored.images) == 1
    # Retry (say, after choosing another model) sends the picture again.
    from app.ui.chat.message_widget import MessageAction

    widget.button(MessageAction.RETRY).click()
    chat.qtbot.waitUntil(lambda: chat.last() is not reply, timeout=5000)
    assert chat.wait_done().text == "Echo: describe [images: 1]"


def test_a_400_without_images_keeps_the_usual_sentence(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/chat/completions", Fault(status=400))
    chat.send("plain")
    reply = chat.wait_done()
    assert reply.state is MessageState.ERROR and reply.error != "This model does not accept images."


def test_edit_and_resend_keeps_the_pictures(chat: ChatHarness, loopback: Any, tmp_path: Path) -> None:
    chat.page.attach_image_file(str(_png(tmp_path / "x.png")))
    _wait_images_ready(chat, 1)
    chat.send("first")
    chat.wait_done()
    user = chat.items()[0]
    chat.call(chat.page.controller.edit_and_resend(user.id, "second"))
    assert chat.wait_done().text == "Echo: second [images: 1]"
    stored = chat.call(chat.store.get_message(user.id))
    assert stored.text == "second" and len(stored.images) == 1


# -- in the conversation ------------------------------------------------------------------------


def test_sent_pictures_show_in_the_message_and_open_in_the_viewer(chat: ChatHarness, loopback: Any, tmp_path: Path) -> None:
    chat.page.attach_image_file(str(_png(tmp_path / "x.png", (800, 400))))
    _wait_images_ready(chat, 1)
    chat.send("look")
    chat.wait_done()
    user = chat.items()[0]
    widget = chat.widget(user.id)
    row = widget.images
    assert row.isVisible() and row.hashes() == [user.images[0]["hash"]]
    thumb = row.thumb(0)
    chat.qtbot.waitUntil(lambda: thumb.pixmap() is not None and not thumb.pixmap().isNull(), timeout=5000)
    assert max(thumb.pixmap().width(), thumb.pixmap().height()) == 160
    reply_widget = chat.widget(chat.last().id)
    assert not reply_widget.images.isVisible()  # the echo has no pictures
    chat.qtbot.mouseClick(thumb, Qt.MouseButton.LeftButton)
    chat.qtbot.waitUntil(lambda: chat.page.viewer is not None and chat.page.viewer.isVisible(), timeout=5000)
    viewer = chat.page.viewer
    assert (viewer.image.width(), viewer.image.height()) == (800, 400)
    viewer.zoom_in_action.trigger()
    assert not viewer.view.fitted
    viewer.fit_action.trigger()
    assert viewer.view.fitted
    viewer.actual_action.trigger()
    assert viewer.view.zoom == 1.0
    viewer.copy_action.trigger()
    copied = QGuiApplication.clipboard().image()
    assert (copied.width(), copied.height()) == (800, 400)
    viewer.save_action.trigger()
    assert viewer.save_dialog is not None and viewer.save_dialog.isVisible()
    target = tmp_path / "saved.jpg"
    viewer.save_dialog.fileSelected.emit(str(target))
    viewer.save_dialog.reject()
    chat.qtbot.waitUntil(target.exists, timeout=5000)
    kept = chat.call(chat.store.read_attachment(user.images[0]["hash"]))
    chat.qtbot.waitUntil(lambda: target.read_bytes() == kept, timeout=5000)
    viewer.close()
    chat.qtbot.waitUntil(lambda: chat.page.viewer is None, timeout=5000)


# -- out: pictures a model returns ----------------------------------------------------------------


def test_returned_pictures_in_all_three_shapes_are_kept_and_survive_a_restart(
    chat: ChatHarness, loopback: Any, chat_context: Any
) -> None:
    from app.ui.chat.page import ChatPage

    replies = []
    for variant in ("url", "data", "images"):
        loopback.inject("/chat/completions", Fault(quirk=9, variant=variant))
        chat.send(f"draw me something ({variant})")
        reply = chat.wait_done()
        assert reply.state is MessageState.COMPLETE and reply.text.startswith("Here is the image."), variant
        chat.qtbot.waitUntil(lambda: len(chat.last().images) == 1, timeout=10000)
        replies.append(chat.last())
    stored = [chat.call(chat.store.get_message(reply.id)) for reply in replies]
    assert [message.text for message in stored] == [reply.text for reply in replies]  # the text is unchanged
    sources = [message.images[0].get("source_url") for message in stored]
    assert sources[0].startswith(loopback.origin + "/files/quirk9-")  # where the markdown URL pointed
    assert sources[1:] == [None, None]  # data URLs are not repeated
    for message in stored:
        data = chat.call(chat.store.read_attachment(message.images[0]["hash"]))
        with Image.open(io.BytesIO(data)) as picture:
            assert picture.size == (64, 64)
    for reply, variant in zip(replies, ("url", "data", "images"), strict=True):
        widget = chat.widget(reply.id)
        digest = reply.images[0]["hash"]
        if variant == "images":  # no markdown to stand in for: a thumbnail under the text
            chat.qtbot.waitUntil(lambda: widget.images.isVisible() and len(widget.images.hashes()) == 1, timeout=5000)
            chat.qtbot.waitUntil(lambda: not widget.images.thumb(0).pixmap().isNull(), timeout=5000)
        else:  # the markdown's placeholder became the kept copy, inline
            chat.qtbot.waitUntil(lambda: digest in _inline_images(widget.content_view.document()), timeout=5000)
            assert not widget.images.isVisible()
    # Parla restarts and the server is gone: the kept copies are still shown.
    conversation_id = chat.page.controller.current_id
    chat.page.hide()
    loopback.stop()
    page = ChatPage(chat_context)
    page.resize(1000, 700)
    page.show()
    try:
        chat.qtbot.wait(200)  # the page's own start-up (sidebar) runs first
        chat.call(page._open(conversation_id))
        chat.call(page.controller.wait_loaded())
        for reply in replies:
            item = page.model.items[page.model.row_of(reply.id)]
            assert len(item.images) == 1
            page.view.scroll_to_row(page.model.row_of(reply.id))
            page.view.ensure_layout()
            shown = page.view.widget_for(reply.id)
            assert shown is not None
            if reply is replies[-1]:
                chat.qtbot.waitUntil(lambda: not shown.images.thumb(0).pixmap().isNull(), timeout=5000)
            else:
                digest = item.images[0]["hash"]
                chat.qtbot.waitUntil(lambda: digest in _inline_images(shown.content_view.document()), timeout=5000)
                assert "[Image:" not in shown.content_view.document().toPlainText()
        chat.qtbot.mouseClick(shown.images.thumb(0), Qt.MouseButton.LeftButton)
        chat.qtbot.waitUntil(lambda: page.viewer is not None and page.viewer.isVisible(), timeout=5000)
        assert page.viewer.image.width() == 64
        page.viewer.close()
    finally:
        page.hide()
        page.deleteLater()


def _inline_images(document: Any) -> dict[str, tuple[int, int]]:
    """Kept pictures shown in a document's text: hash → (width, height) of the resource."""
    from PySide6.QtCore import QUrl as _QUrl
    from PySide6.QtGui import QTextDocument

    found: dict[str, tuple[int, int]] = {}
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            fmt = fragment.charFormat()
            if fragment.isValid() and fmt.isImageFormat():
                name = fmt.toImageFormat().name()
                if name.startswith("parla-kept:"):
                    image = document.resource(QTextDocument.ResourceType.ImageResource.value, _QUrl(name))
                    assert isinstance(image, QImage) and not image.isNull()
                    found[name.partition(":")[2]] = (image.width(), image.height())
            iterator += 1
        block = block.next()
    return found


def test_a_returned_picture_replaces_its_placeholder_and_opens_the_viewer(chat: ChatHarness, loopback: Any) -> None:
    loopback.inject("/chat/completions", Fault(quirk=9, variant="url"))
    chat.send("draw")
    reply = chat.wait_done()
    widget = chat.widget(reply.id)
    assert "[Image: image]" in widget.content_view.document().toPlainText()  # until it is kept
    chat.qtbot.waitUntil(lambda: len(chat.last().images) == 1, timeout=10000)
    digest = chat.last().images[0]["hash"]
    chat.qtbot.waitUntil(lambda: digest in _inline_images(widget.content_view.document()), timeout=5000)
    document = widget.content_view.document()
    assert _inline_images(document)[digest] == (64, 64)
    assert "[Image: image]" not in document.toPlainText() and document.toPlainText().startswith("Here is the image.")
    assert not widget.images.isVisible()  # not repeated under the text
    # The row grew to hold it (nothing clipped).
    chat.qtbot.waitUntil(lambda: widget.content_view.height() >= document.size().height() - 1, timeout=5000)
    assert document.size().height() > 64
    # A click on it opens the viewer with the kept bytes.
    chat.page.view.open_anchor(document, f"parla-kept:{digest}")
    chat.qtbot.waitUntil(lambda: chat.page.viewer is not None and chat.page.viewer.isVisible(), timeout=5000)
    assert chat.page.viewer.image.width() == 64
    chat.page.viewer.close()


def test_a_returned_picture_that_cannot_be_fetched_gets_a_sentence(chat: ChatHarness, loopback: Any) -> None:
    posted = _banners(chat)
    loopback.inject("/chat/completions", Fault(quirk=9, variant="url"))
    loopback.inject("", Fault(status=404))  # the next request after the reply: the picture
    chat.send("draw")
    chat.wait_done()
    chat.qtbot.waitUntil(lambda: bool(posted), timeout=10000)
    assert posted[-1].startswith("A picture in the reply could not be downloaded, so it was not kept")
    assert chat.last().images == []


# -- the draft keeps its pictures -----------------------------------------------------------------


def test_draft_pictures_are_kept_when_switching_and_after_a_restart(
    chat: ChatHarness, loopback: Any, chat_context: Any, tmp_path: Path
) -> None:
    from app.ui.chat.page import ChatPage

    strip = chat.page.composer.attachments
    chat.type("about these")
    chat.page.attach_image_file(str(_png(tmp_path / "one.png", (500, 300))))
    chat.page.attach_image_file(str(_png(tmp_path / "two.png", color=(250, 250, 0))))
    _wait_images_ready(chat, 2)
    chat.qtbot.waitUntil(lambda: all(p.hash for p in strip.images()), timeout=5000)
    strip.set_detail("high")
    hashes = [p.hash for p in strip.images()]
    # A new chat with a draft becomes a conversation (once the draft timer fires).
    chat.qtbot.waitUntil(lambda: chat.page.controller.current_id is not None, timeout=5000)
    conversation_id = chat.page.controller.current_id
    # Away to a new chat: the composer is empty; the draft (text, pictures, detail) is stored.
    chat.call(chat.page._open(None))
    assert strip.count() == 0 and chat.page.composer.text() == ""
    draft = chat.call(chat.store.load_draft(conversation_id))
    assert draft.text == "about these"
    assert [p["hash"] for p in draft.attachments] == hashes
    assert all(p["detail"] == "high" for p in draft.attachments)
    for digest in hashes:  # the draft holds the prepared bytes themselves
        assert chat.call(chat.store.get_attachment(digest)).mime == "image/jpeg"
    # Back again: the pictures return, thumbnails and all.
    chat.call(chat.page._open(conversation_id))
    assert [p.hash for p in strip.images()] == hashes and strip.detail() == "high"
    chat.qtbot.waitUntil(lambda: all(p.ready and p.thumbnail for p in strip.images()), timeout=5000)
    assert strip.isVisible() and chat.page.composer.send_button.isEnabled()
    # Removing one is kept too.
    strip.tile(strip.images()[1]).remove_button.click()
    chat.qtbot.waitUntil(
        lambda: [p["hash"] for p in chat.call(chat.store.load_draft(conversation_id)).attachments] == hashes[:1],
        timeout=5000,
    )
    # Parla restarts: the draft picture is in the composer and is sent as it was prepared.
    chat.page.hide()
    page = ChatPage(chat_context)
    page.resize(1000, 700)
    page.show()
    try:
        chat.qtbot.wait(200)
        chat.call(page._open(conversation_id))
        restored = page.composer.attachments
        assert page.composer.text() == "about these" and [p.hash for p in restored.images()] == hashes[:1]
        chat.qtbot.waitUntil(lambda: all(p.ready and p.thumbnail for p in restored.images()), timeout=5000)
        kept = chat.call(chat.store.read_attachment(hashes[0]))
        page.composer.send_button.click()
        chat.qtbot.waitUntil(lambda: restored.count() == 0, timeout=5000)
        from tests.ui.chat.chat_fixtures import wait_reply_done

        wait_reply_done(chat.qtbot, page)
        parts = _sent_parts(loopback)
        assert parts[0] == {"type": "text", "text": "about these"}
        assert len(parts) == 2 and parts[1]["image_url"]["detail"] == "high"
        assert _decode_data_url(parts[1]["image_url"]["url"])[1] == kept
        assert chat.call(chat.store.load_draft(conversation_id)).attachments == []
    finally:
        page.hide()
        page.deleteLater()


# -- dragging a picture out ---------------------------------------------------------------------


def test_dragging_a_thumbnail_out_carries_a_file_and_the_image(
    chat: ChatHarness, loopback: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QDrag, QMouseEvent

    import app.ui.chat.image_view as image_view

    executed: list[Any] = []

    class RecordingDrag(QDrag):
        def exec(self, *args: Any) -> Qt.DropAction:  # noqa: A003 — a real drag would wait for the user
            executed.append(self.mimeData())
            return Qt.DropAction.CopyAction

    monkeypatch.setattr(image_view, "QDrag", RecordingDrag)
    chat.page.attach_image_file(str(_png(tmp_path / "x.png", (500, 250))))
    _wait_images_ready(chat, 1)
    chat.send("look")
    chat.wait_done()
    user = chat.items()[0]
    digest = user.images[0]["hash"]
    row = chat.widget(user.id).images
    thumb = row.thumb(0)
    chat.qtbot.waitUntil(lambda: not thumb.pixmap().isNull(), timeout=5000)

    def mouse(kind: QEvent.Type, x: int, buttons: Qt.MouseButton) -> None:
        point = QPointF(x, 40)
        event = QMouseEvent(kind, point, thumb.mapToGlobal(point), Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(thumb, event)

    mouse(QEvent.Type.MouseButtonPress, 40, Qt.MouseButton.LeftButton)
    chat.qtbot.waitUntil(lambda: row.drag_data(digest) is not None, timeout=5000)  # the copy is made on press
    mouse(QEvent.Type.MouseMove, 40 + 3 * QApplication.startDragDistance(), Qt.MouseButton.LeftButton)
    assert len(executed) == 1
    mime = executed[0]
    kept = chat.call(chat.store.read_attachment(digest))
    urls = mime.urls()
    assert len(urls) == 1 and urls[0].isLocalFile()
    path = Path(urls[0].toLocalFile())
    assert path.suffix == ".jpg" and path.read_bytes() == kept  # what was sent, named by its type
    assert mime.hasImage() and (mime.imageData().width(), mime.imageData().height()) == (500, 250)
    assert bytes(mime.data("image/jpeg").data()) == kept
    mouse(QEvent.Type.MouseButtonRelease, 40 + 3 * QApplication.startDragDistance(), Qt.MouseButton.NoButton)
    chat.qtbot.wait(100)
    assert chat.page.viewer is None  # a drag is not a click


# -- pictures dragged from a web page -------------------------------------------------------------


def _served_png_url(chat: ChatHarness, loopback: Any) -> str:
    """An http URL on the loopback server that serves a PNG (a picture a quirk-9 reply named)."""
    loopback.inject("/chat/completions", Fault(quirk=9, variant="url"))
    chat.send("draw")
    chat.wait_done()
    chat.qtbot.waitUntil(lambda: len(chat.last().images) == 1, timeout=10000)
    url = chat.last().images[0]["source_url"]
    assert url.startswith(loopback.origin + "/files/") and url.endswith(".png")
    return url


def _web_drag(url: str) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl(url)])  # no local file: what a browser puts in a drag of an <img>
    mime.setText(url)
    return mime


def test_a_picture_dragged_from_a_web_page_is_sent_by_its_address(chat: ChatHarness, loopback: Any) -> None:
    url = _served_png_url(chat, loopback)
    assert chat.context.preferences.chat_web_image_mode == "url"  # the default
    requests_before = len(loopback.requests_to("/files/" + url.rsplit("/", 1)[-1]))
    _drop(chat, _web_drag(url))
    _wait_images_ready(chat, 1)
    strip = chat.page.composer.attachments
    assert strip.images()[0].web_url == url
    assert strip.tile(strip.images()[0]).picture.text() == "Web\npicture"
    strip.set_detail("low")
    chat.send("what is this?")
    assert chat.wait_done().text == "Echo: what is this? [images: 1]"
    parts = _sent_parts(loopback)
    assert parts == [
        {"type": "text", "text": "what is this?"},
        {"type": "image_url", "image_url": {"url": url, "detail": "low"}},
    ]
    # Parla did not fetch it: the model does.
    assert len(loopback.requests_to("/files/" + url.rsplit("/", 1)[-1])) == requests_before
    user = chat.items()[-2]
    stored = chat.call(chat.store.get_message(user.id))
    assert stored.content[1] == {"type": "image_url", "image_url": {"url": url, "detail": "low"}}
    # Asked again, the address goes along again.
    chat.call(chat.page.controller.regenerate(chat.last().id))
    chat.wait_done()
    assert _sent_parts(loopback)[1]["image_url"]["url"] == url


def test_a_picture_dragged_from_a_web_page_is_downloaded_first_when_so_set(
    chat: ChatHarness, loopback: Any
) -> None:
    url = _served_png_url(chat, loopback)
    chat.context.preferences.chat_web_image_mode = "download"
    _drop(chat, _web_drag(url))
    _wait_images_ready(chat, 1)
    pending = chat.page.composer.attachments.images()[0]
    assert pending.web_url is None and pending.prepared is not None and pending.thumbnail
    assert pending.prepared.original_name == url.rsplit("/", 1)[-1]
    chat.send("and this?")
    assert chat.wait_done().text == "Echo: and this? [images: 1]"
    parts = _sent_parts(loopback)
    mime_type, data = _decode_data_url(parts[1]["image_url"]["url"])
    assert mime_type == "image/jpeg"  # prepared like a dropped file (an opaque PNG → JPEG)
    with Image.open(io.BytesIO(data)) as sent:
        assert sent.size == (64, 64)
    # A web picture that cannot be downloaded gets a sentence, and nothing is attached.
    posted = _banners(chat)
    _drop(chat, _web_drag(loopback.origin + "/files/gone.png"))
    chat.qtbot.waitUntil(lambda: bool(posted), timeout=10000)
    assert posted[-1].startswith("“gone.png” could not be downloaded, so it was not attached")
    assert chat.page.composer.attachments.count() == 0


def test_settings_general_page_has_the_chat_picture_controls(make_context: Any) -> None:
    from app.ui.settings.general_page import GeneralPage

    context = make_context()
    preferences = context.preferences
    page = GeneralPage(preferences)
    try:
        combo = page.web_image_combo
        assert combo.currentData() == "url"
        combo.setCurrentIndex(combo.findData("download"))
        spin = page.image_side_spin
        assert spin.value() == 2048 and (spin.minimum(), spin.maximum()) == (256, 8192)
        spin.setValue(1024)
        assert preferences.chat_web_image_mode == "url"  # only OK/Apply writes
        page.apply()
        assert preferences.chat_web_image_mode == "download" and preferences.chat_image_max_side == 1024
    finally:
        page.deleteLater()


# -- edit in chat ---------------------------------------------------------------------------------


def test_edit_in_chat_a_picture_and_an_instruction_come_back_as_a_new_picture(
    chat: ChatHarness, loopback: Any, chat_context: Any, tmp_path: Path
) -> None:
    """An image-capable chat model (the loopback's quirk 9) answers a picture and an instruction
    with a new picture: it is shown in the reply, kept, and still there after a restart."""
    from tests.loopback._media import make_image

    from app.ui.chat.page import ChatPage

    chat.page.attach_image_file(str(_jpeg_with_gps(tmp_path / "cat.jpg", (800, 600))))
    _wait_images_ready(chat, 1)
    loopback.inject("/chat/completions", Fault(quirk=9, variant="url"))
    chat.send("make the background blue")
    reply = chat.wait_done()
    assert reply.state is MessageState.COMPLETE and reply.text.startswith("Here is the image.")
    # What the model received: the instruction and the picture, without its EXIF.
    parts = _sent_parts(loopback)
    assert parts[0] == {"type": "text", "text": "make the background blue"}
    mime_type, sent = _decode_data_url(parts[1]["image_url"]["url"])
    assert mime_type == "image/jpeg" and b"SpyCam" not in sent
    # What came back: a new picture, kept and shown in the reply in place of its markdown.
    chat.qtbot.waitUntil(lambda: len(chat.last().images) == 1, timeout=10000)
    returned = chat.last().images[0]
    user = chat.items()[-2]
    assert returned["hash"] != user.images[0]["hash"]
    kept = chat.call(chat.store.read_attachment(returned["hash"]))
    assert kept == make_image(64, 64, "quirk9url:make the background blue")
    widget = chat.widget(reply.id)
    chat.qtbot.waitUntil(lambda: returned["hash"] in _inline_images(widget.content_view.document()), timeout=5000)
    # After a restart with the server gone, both pictures are still shown.
    conversation_id = chat.page.controller.current_id
    chat.page.hide()
    loopback.stop()
    page = ChatPage(chat_context)
    page.resize(1000, 700)
    page.show()
    try:
        chat.qtbot.wait(200)
        chat.call(page._open(conversation_id))
        page.view.ensure_layout()
        shown_user = page.view.widget_for(user.id)
        shown_reply = page.view.widget_for(reply.id)
        assert shown_user is not None and shown_reply is not None
        chat.qtbot.waitUntil(lambda: not shown_user.images.thumb(0).pixmap().isNull(), timeout=5000)
        chat.qtbot.waitUntil(
            lambda: returned["hash"] in _inline_images(shown_reply.content_view.document()), timeout=5000
        )
    finally:
        page.hide()
        page.deleteLater()


# -- a picture sent by its address, loaded on request; dragging out of the viewer and the text; old copies --


def test_a_picture_sent_by_its_address_is_loaded_only_on_request_and_kept(
    chat: ChatHarness, loopback: Any, chat_context: Any
) -> None:
    from PySide6.QtCore import QUrl as _QUrl

    from app.ui.chat.page import ChatPage

    url = _served_png_url(chat, loopback)
    name = "/files/" + url.rsplit("/", 1)[-1]
    _drop(chat, _web_drag(url))
    _wait_images_ready(chat, 1)
    chat.page.composer.attachments.set_detail("low")
    chat.send("what is this?")
    chat.wait_done()
    user = chat.items()[-2]
    widget = chat.widget(user.id)
    requests_before = len(loopback.requests_to(name))
    # In the history: a tile with the host and Load picture — and nothing fetched without the click.
    chat.qtbot.waitUntil(lambda: widget.web_images.isVisible(), timeout=5000)
    tiles = widget.web_images.tiles()
    assert len(tiles) == 1 and tiles[0].url == url
    assert tiles[0].host_label.text() == _QUrl(url).host()
    assert tiles[0].load_button.isEnabled() and tiles[0].load_button.text() == "Load picture"
    assert not widget.images.isVisible()
    chat.qtbot.wait(200)
    assert len(loopback.requests_to(name)) == requests_before
    chat.qtbot.mouseClick(tiles[0].load_button, Qt.MouseButton.LeftButton)
    chat.qtbot.waitUntil(lambda: len(user.images) == 1, timeout=10000)
    assert len(loopback.requests_to(name)) == requests_before + 1
    chat.qtbot.waitUntil(lambda: widget.images.isVisible() and not widget.images.thumb(0).pixmap().isNull(), timeout=5000)
    assert not widget.web_images.isVisible()
    stored = chat.call(chat.store.get_message(user.id))
    digest = user.images[0]["hash"]
    assert stored.content == [
        {"type": "text", "text": "what is this?"},
        {"type": "image", "hash": digest, "detail": "low", "source_url": url},
    ]
    with Image.open(io.BytesIO(chat.call(chat.store.read_attachment(digest)))) as kept:
        assert kept.size == (64, 64)
    # After a restart, with the server gone, the kept copy is still shown.
    conversation_id = chat.page.controller.current_id
    chat.page.hide()
    loopback.stop()
    page = ChatPage(chat_context)
    page.resize(1000, 700)
    page.show()
    try:
        chat.qtbot.wait(200)
        chat.call(page._open(conversation_id))
        chat.call(page.controller.wait_loaded())
        page.view.scroll_to_row(page.model.row_of(user.id))
        page.view.ensure_layout()
        shown = page.view.widget_for(user.id)
        assert shown is not None and not shown.web_images.isVisible()
        chat.qtbot.waitUntil(lambda: not shown.images.thumb(0).pixmap().isNull(), timeout=5000)
    finally:
        page.hide()
        page.deleteLater()


def test_a_picture_sent_by_its_address_that_cannot_be_loaded_gets_a_sentence(chat: ChatHarness, loopback: Any) -> None:
    url = loopback.origin + "/files/gone.png"
    _drop(chat, _web_drag(url))
    _wait_images_ready(chat, 1)
    chat.send("and this?")
    chat.wait_done()
    user = chat.items()[-2]
    widget = chat.widget(user.id)
    chat.qtbot.waitUntil(lambda: widget.web_images.isVisible(), timeout=5000)
    posted = _banners(chat)
    button = widget.web_images.tiles()[0].load_button
    chat.qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    chat.qtbot.waitUntil(lambda: bool(posted), timeout=10000)
    host = QUrl(url).host()
    assert posted[-1].startswith(f"The picture from {host} could not be loaded: ")
    assert len(posted) == 1, posted
    chat.qtbot.waitUntil(lambda: button.isEnabled() and button.text() == "Load picture", timeout=5000)  # can try again
    stored = chat.call(chat.store.get_message(user.id))
    assert stored.content[1] == {"type": "image_url", "image_url": {"url": url, "detail": "auto"}}  # nothing lost
    assert user.images == []


def _assert_drag_of_kept(chat: ChatHarness, mime: Any, digest: str, size: tuple[int, int]) -> None:
    kept = chat.call(chat.store.read_attachment(digest))
    urls = mime.urls()
    assert len(urls) == 1 and urls[0].isLocalFile()
    path = Path(urls[0].toLocalFile())
    assert path.suffix == ".png" and path.read_bytes() == kept
    assert path.parent.parent == chat.context.locations.cache / "drag"  # under the cache, not /tmp
    assert path.parent.name.startswith("parla-drag-")
    assert mime.hasImage() and (mime.imageData().width(), mime.imageData().height()) == size
    assert bytes(mime.data("image/png").data()) == kept


def test_dragging_out_of_the_viewer_and_from_a_picture_in_the_reply_text(
    chat: ChatHarness, loopback: Any, monkeypatch: Any
) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QDrag, QMouseEvent

    import app.ui.chat.image_view as image_view

    executed: list[Any] = []

    class RecordingDrag(QDrag):
        def exec(self, *args: Any) -> Qt.DropAction:  # noqa: A003 — a real drag would wait for the user
            executed.append(self.mimeData())
            return Qt.DropAction.CopyAction

    monkeypatch.setattr(image_view, "QDrag", RecordingDrag)
    loopback.inject("/chat/completions", Fault(quirk=9, variant="url"))
    chat.send("draw")
    chat.wait_done()
    chat.qtbot.waitUntil(lambda: len(chat.last().images) == 1, timeout=10000)
    reply = chat.last()
    digest = reply.images[0]["hash"]
    widget = chat.widget(reply.id)
    view = widget.content_view
    chat.qtbot.waitUntil(lambda: digest in _inline_images(view.document()), timeout=5000)

    def send_mouse(target: Any, kind: QEvent.Type, point: QPointF, buttons: Qt.MouseButton) -> None:
        button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
        event = QMouseEvent(kind, point, target.mapToGlobal(point), button, buttons, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(target, event)

    # The picture in the text: find a point on it (its anchor), press, move — a drag, not a selection.
    layout = view.document().documentLayout()
    size = view.size()
    spot = next(
        (QPointF(x, y) for y in range(2, size.height(), 4) for x in range(2, size.width(), 4)
         if layout.anchorAt(QPointF(x, y)) == f"parla-kept:{digest}"),
        None,
    )
    assert spot is not None
    send_mouse(view, QEvent.Type.MouseButtonPress, spot, Qt.MouseButton.LeftButton)
    chat.qtbot.waitUntil(lambda: widget.images.drag_data(digest) is not None, timeout=5000)  # copied on press
    moved = spot + QPointF(3 * QApplication.startDragDistance(), 0)
    send_mouse(view, QEvent.Type.MouseMove, moved, Qt.MouseButton.LeftButton)
    assert len(executed) == 1
    _assert_drag_of_kept(chat, executed[0], digest, (64, 64))
    send_mouse(view, QEvent.Type.MouseButtonRelease, moved, Qt.MouseButton.NoButton)
    chat.qtbot.wait(100)
    assert chat.page.viewer is None and not view.selected_text()  # not a click, not a selection

    # The viewer: its drag handle carries the same.
    chat.page.open_image(digest)
    chat.qtbot.waitUntil(lambda: chat.page.viewer is not None and chat.page.viewer.isVisible(), timeout=5000)
    viewer = chat.page.viewer
    chat.qtbot.waitUntil(lambda: viewer.drag_data() is not None, timeout=5000)
    handle = viewer.drag_handle
    assert handle.isVisible() and handle.text() == "Drag out"
    send_mouse(handle, QEvent.Type.MouseButtonPress, QPointF(5, 5), Qt.MouseButton.LeftButton)
    send_mouse(handle, QEvent.Type.MouseMove, QPointF(5 + 3 * QApplication.startDragDistance(), 5), Qt.MouseButton.LeftButton)
    assert len(executed) == 2
    _assert_drag_of_kept(chat, executed[1], digest, (64, 64))
    viewer.close()


def test_old_drag_copies_are_removed_at_start(chat_context: Any, qtbot: Any) -> None:
    import os
    import time

    from app.ui.chat.image_view import DRAG_COPY_MAX_AGE
    from app.ui.chat.page import ChatPage

    root = chat_context.locations.cache / "drag"
    old, young = root / "parla-drag-old", root / "parla-drag-young"
    for folder in (old, young):
        folder.mkdir(parents=True)
        (folder / "picture.png").write_bytes(b"x")
    other = root / "keep-me"  # not ours: left alone, however old
    other.mkdir()
    stale = time.time() - DRAG_COPY_MAX_AGE - 60
    for path in (old / "picture.png", old, other):
        os.utime(path, (stale, stale))
    recent = time.time() - DRAG_COPY_MAX_AGE + 3600  # younger than a day: a file manager may still copy it
    for path in (young / "picture.png", young):
        os.utime(path, (recent, recent))
    page = ChatPage(chat_context)
    try:
        qtbot.waitUntil(lambda: page.drag_cleanup.done(), timeout=5000)
        assert page.drag_cleanup.result() == 1
        assert not old.exists() and young.exists() and other.exists()
    finally:
        page.deleteLater()
