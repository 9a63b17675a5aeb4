"""Generate: requests as the server receives them, results kept as they arrive, Cancel, errors with inputs kept."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.profiles import Profile
from app.store.gallery import Operation
from app.ui.images.page import ImagesPage
from tests.loopback._media import make_image
from tests.loopback.server import Fault
from tests.ui.images.conftest import decode, run_and_wait


def generate(qtbot: Any, page: ImagesPage, prompt: str, model: str, **options: Any) -> None:
    panel = page.generate_panel
    panel.model_box.set_model(model)
    assert panel.prompt is not None
    panel.prompt.set_text(prompt)
    count = options.pop("n", None)
    for name, value in options.items():
        panel.options.set_value(name, value)
    if count is not None:
        panel.options.count_spin.setValue(count)
    run_and_wait(qtbot, page, Operation.GENERATE)


def test_gpt_image_body_and_base64_results(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    generate(qtbot, page, "a red fox in snow", "gpt-image-1", n=2, size="1536x1024", quality="high",
             background="opaque", output_format="webp")
    body = loopback.last("/images/generations").json
    assert body == {"prompt": "a red fox in snow", "model": "gpt-image-1", "n": 2, "size": "1536x1024",
                    "quality": "high", "background": "opaque", "output_format": "webp"}
    model = page.controller.model
    assert model.rowCount() == 2
    root = page.controller.images_root
    sent = {make_image(1536, 1024, f"a red fox in snow#{k}", "webp") for k in range(2)}
    kept = {model.image_at(row).path(root).read_bytes() for row in range(2)}  # type: ignore[union-attr]
    assert kept == sent  # the bytes exactly as the server sent them
    image = model.image_at(0)
    assert image is not None
    assert (image.mime, image.width, image.height, image.operation) == ("image/webp", 1536, 1024, Operation.GENERATE)
    assert image.prompt == "a red fox in snow" and image.model == "gpt-image-1"
    assert image.parameters["quality"] == "high" and image.parameters["n"] == 2
    assert page.generate_panel.message.text().startswith("2 pictures added to the gallery in ")
    assert page.gallery_panel.count_label.text() == "2 pictures"


def test_url_results_are_downloaded_at_once_without_the_token(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    generate(qtbot, page, "tiny city", "dall-e-2", n=3, size="256x256")
    body = loopback.last("/images/generations").json
    assert body == {"prompt": "tiny city", "model": "dall-e-2", "n": 3, "size": "256x256", "response_format": "url"}
    downloads = loopback.requests_to(".png")
    assert len(downloads) == 3 and all(d.path.startswith("/files/") for d in downloads)
    assert all(d.token is None for d in downloads)  # a result URL never gets the API token
    root = page.controller.images_root
    kept = sorted(page.controller.model.image_at(r).path(root).read_bytes() for r in range(3))  # type: ignore[union-attr]
    assert kept == sorted(make_image(256, 256, f"tiny city#{k}") for k in range(3))


def test_dalle3_keeps_the_revised_prompt_and_sends_no_count(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    generate(qtbot, page, "a lighthouse", "dall-e-3", size="1792x1024", quality="hd", style="natural",
             response_format="b64_json")
    body = loopback.last("/images/generations").json
    assert body == {"prompt": "a lighthouse", "model": "dall-e-3", "size": "1792x1024", "quality": "hd",
                    "style": "natural", "response_format": "b64_json"}
    image = page.controller.model.image_at(0)
    assert image is not None and image.revised_prompt == "A loopback rendering of: a lighthouse"
    assert (image.width, image.height) == (1792, 1024)


def test_results_land_one_by_one(qtbot: Any, page: ImagesPage, loopback: Any, monkeypatch: Any) -> None:
    """Each picture is in the grid as soon as it is kept, before the others are downloaded."""
    counts: list[int] = []
    original = page.controller.picture_saved

    async def spy(image: Any) -> None:
        await original(image)
        counts.append(page.controller.model.rowCount())

    monkeypatch.setattr(page.controller, "picture_saved", spy)
    generate(qtbot, page, "one by one", "dall-e-2", n=3, size="256x256")
    assert counts == [1, 2, 3]


def test_cancel_stops_the_request_and_keeps_the_prompt(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    loopback.inject("/images/generations", Fault(delay_first_byte=20))
    panel = page.generate_panel
    panel.model_box.set_model("gpt-image-1")
    assert panel.prompt is not None
    panel.prompt.set_text("slow picture")
    assert page.run(Operation.GENERATE)
    qtbot.waitUntil(lambda: bool(loopback.requests_to("/images/generations")), timeout=5000)
    assert panel.running and panel.run_bar.cancel_button.isVisible()
    assert not panel.run_bar.run_button.isEnabled()
    first = panel.run_bar.elapsed_label.text()
    qtbot.waitUntil(lambda: panel.run_bar.elapsed_label.text() != first, timeout=3000)  # the clock runs
    assert panel.run_bar.elapsed_label.text().startswith("Working… ")
    with qtbot.waitSignal(page.request_finished, timeout=5000):
        panel.run_bar.cancel_button.click()
    request = loopback.last("/images/generations")
    qtbot.waitUntil(request.disconnected.is_set, timeout=5000)  # the connection was really closed
    assert panel.message.text() == "Cancelled."
    assert not panel.running and panel.run_bar.run_button.isEnabled() and not panel.run_bar.cancel_button.isVisible()
    assert panel.run_bar.elapsed_label.text() == ""
    assert panel.prompt.text() == "slow picture"
    assert page.controller.model.rowCount() == 0


def test_content_policy_rejection_in_plain_words(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    loopback.inject("/images/generations", Fault(status=400, error={
        "message": "Your request was rejected as a result of our safety system.",
        "type": "invalid_request_error", "param": None, "code": "content_policy_violation"}))
    generate(qtbot, page, "something forbidden", "dall-e-3", quality="hd")
    panel = page.generate_panel
    assert panel.message.level == "error"
    assert panel.message.text() == (
        "Refused under the server's content policy — change the prompt or the picture and try again. "
        "The server said: Your request was rejected as a result of our safety system."
    )
    assert panel.prompt is not None and panel.prompt.text() == "something forbidden"
    assert panel.model_box.model() == "dall-e-3" and panel.options.values()["quality"] == "hd"
    assert panel.run_bar.run_button.isEnabled()
    # Fixing the prompt and trying again works, and the error goes away.
    panel.prompt.set_text("something fine")
    run_and_wait(qtbot, page, Operation.GENERATE)
    assert panel.message.level == "info" and page.controller.model.rowCount() == 1


def test_gpt_image_moderation_is_a_content_policy_rejection(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    loopback.inject("/images/generations", Fault(status=400, error={
        "message": "Your request was rejected by the safety system.", "type": "image_generation_user_error",
        "code": "moderation_blocked"}))
    generate(qtbot, page, "x", "gpt-image-1")
    assert page.generate_panel.message.text().startswith("Refused under the server's content policy")


def test_unsupported_size_in_plain_words(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    # A relay model Parla does not know takes any typed size; this server refuses it like OpenAI does.
    loopback.inject("/images/generations", Fault(status=400, error={
        "message": "'640x480' is not one of ['1024x1024', '1024x1536', '1536x1024', 'auto'] - 'size'",
        "type": "invalid_request_error", "param": "size", "code": None}))
    panel = page.generate_panel
    panel.model_box.set_model("flux-pro")
    panel.options.combos["size"].setEditText("640x480")
    assert panel.prompt is not None
    panel.prompt.set_text("a small picture")
    run_and_wait(qtbot, page, Operation.GENERATE)
    assert loopback.last("/images/generations").json["size"] == "640x480"
    assert panel.message.text() == (
        "The model “flux-pro” does not make pictures of this size — choose another size. The server said: "
        "'640x480' is not one of ['1024x1024', '1024x1536', '1536x1024', 'auto'] - 'size'"
    )
    assert panel.options.value("size") == "640x480" and panel.prompt.text() == "a small picture"


def test_timeout_in_plain_words(qtbot: Any, connect: Any, images_profile: Profile, make_page: Any, loopback: Any) -> None:
    context = connect(replace(images_profile, timeout=1))
    page = make_page(context)
    loopback.inject("/images/generations", Fault(delay_first_byte=5))
    generate(qtbot, page, "patience", "gpt-image-1")
    host = loopback.base_url.split("/")[2]
    assert page.generate_panel.message.text() == (
        f"{host} stopped answering within the request timeout — try again, or raise the timeout in Settings."
    )
    assert page.generate_panel.prompt.text() == "patience"  # type: ignore[union-attr]


def test_result_that_is_not_a_picture(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    loopback.inject("/images/generations", Fault(status=200, text='{"created": 1, "data": [{"b64_json": "PGh0bWw+"}]}'))
    generate(qtbot, page, "garbage", "gpt-image-1")
    assert page.generate_panel.message.text() == "The server's answer is not a picture Parla can read — try again."
    assert page.controller.model.rowCount() == 0


def test_empty_answer(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    loopback.inject("/images/generations", Fault(status=200, text='{"created": 1, "data": []}'))
    generate(qtbot, page, "nothing", "gpt-image-1")
    assert page.generate_panel.message.text().startswith("The server answered without any picture")


def test_missing_prompt_and_token(qtbot: Any, page: ImagesPage, loopback: Any, make_context: Any, make_page: Any) -> None:
    panel = page.generate_panel
    assert not page.run(Operation.GENERATE)
    assert panel.message.text() == "Write a prompt first."
    assert loopback.requests_to("/images/generations") == []
    other = make_page(make_context())  # no token in the vault
    assert other.generate_panel.prompt is not None
    other.generate_panel.prompt.set_text("hello")
    assert not other.run(Operation.GENERATE)
    assert other.generate_panel.message.text() == "No token — open Settings to add one."


def test_prompt_history(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    for prompt in ("first prompt", "second prompt", "first prompt"):
        generate(qtbot, page, prompt, "gpt-image-1")
    panel = page.generate_panel
    assert panel.prompt is not None
    assert panel.prompt.history() == ["first prompt", "second prompt"]
    assert page.edit_panel.prompt is not None and page.edit_panel.prompt.history() == ["first prompt", "second prompt"]
    menu = panel.prompt.history_menu
    menu.aboutToShow.emit()
    assert [a.text() for a in menu.actions()] == ["first prompt", "second prompt"]
    panel.prompt.set_text("")
    menu.actions()[1].trigger()
    assert panel.prompt.text() == "second prompt"


def test_failed_prompts_are_in_the_history_too(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    loopback.inject("/images/generations", Fault(status=400, error={"message": "boom"}))
    generate(qtbot, page, "worth keeping", "gpt-image-1")
    assert page.generate_panel.message.level == "error"
    assert page.generate_panel.prompt.history() == ["worth keeping"]  # type: ignore[union-attr]


def test_shortcuts_in_the_window(qtbot: Any, images_context: Any, make_window: Any, loopback: Any) -> None:
    window = make_window(images_context)
    window.show()
    page = window.pages[1]
    assert isinstance(page, ImagesPage)
    window.show_tab(1)  # what Ctrl+2 does
    qtbot.waitUntil(lambda: page.controller.loaded, timeout=10000)
    prompt = page.generate_panel.prompt
    assert prompt is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is prompt.edit, timeout=3000)
    prompt.set_text("from the keyboard")
    with qtbot.waitSignal(page.request_finished, timeout=10000):
        qtbot.keyClick(prompt.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert loopback.last("/images/generations").json["prompt"] == "from the keyboard"
    assert prompt.text() == "from the keyboard"  # Ctrl+Enter generated; it did not add a line


def test_image_models_are_listed_and_free_text_is_allowed(qtbot: Any, page: ImagesPage, loopback: Any) -> None:
    box = page.generate_panel.model_box
    qtbot.waitUntil(lambda: bool(box.models()), timeout=5000)
    assert box.models() == ["dall-e-2", "dall-e-3", "gpt-4o-image", "gpt-image-1"]  # no chat, speech or embedding models
    assert page.variation_panel.model_box.models() == box.models()
    box.setEditText("my-relay-painter")
    assert page.generate_panel.prompt is not None
    page.generate_panel.prompt.set_text("anything")
    run_and_wait(qtbot, page, Operation.GENERATE)
    assert loopback.last("/images/generations").json["model"] == "my-relay-painter"


def test_a_profile_change_cancels_the_request(qtbot: Any, page: ImagesPage, images_context: Any, loopback: Any) -> None:
    loopback.inject("/images/generations", Fault(delay_first_byte=20))
    panel = page.generate_panel
    assert panel.prompt is not None
    panel.prompt.set_text("interrupted")
    assert page.run(Operation.GENERATE)
    qtbot.waitUntil(lambda: bool(loopback.requests_to("/images/generations")), timeout=5000)
    with qtbot.waitSignal(page.request_finished, timeout=5000):
        images_context.session.recheck()  # what saving the settings does: a new client
    assert panel.message.text() == "Cancelled: the profile changed."
    assert panel.prompt.text() == "interrupted"
    qtbot.waitUntil(lambda: images_context.session.client is not None, timeout=5000)
