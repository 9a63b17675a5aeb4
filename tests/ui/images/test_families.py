"""Option sets per model family: the rules, and what each panel shows for each family."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.settings import Preferences
from app.store.gallery import Operation
from app.ui.images.families import (
    SERVER_DEFAULT,
    Family,
    family_of,
    is_image_model,
    option_set,
    request_parameters,
)
from app.ui.images.panels import EditPanel, GeneratePanel, VariationPanel


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("dall-e-2", Family.DALLE2),
        ("DALL-E-3", Family.DALLE3),
        ("azure/dall-e-3", Family.DALLE3),
        ("gpt-image-1", Family.GPT_IMAGE),
        ("gpt-image-1-mini", Family.GPT_IMAGE),
        ("openai/gpt-image-1", Family.GPT_IMAGE),
        ("flux-pro", Family.OTHER),
        ("", Family.OTHER),
        ("my-gpt-image-1", Family.OTHER),
    ],
)
def test_family_of(model: str, family: Family) -> None:
    assert family_of(model) == family


@pytest.mark.parametrize("model", ["dall-e-2", "gpt-image-1", "flux-1.1-pro", "stable-diffusion-xl", "cogview-4", "gpt-4o-image"])
def test_image_models_are_recognised(model: str) -> None:
    assert is_image_model(model)


@pytest.mark.parametrize("model", ["gpt-4o-mini", "whisper-1", "tts-1", "text-embedding-3-small", "deepseek-reasoner"])
def test_other_models_are_not_offered(model: str) -> None:
    assert not is_image_model(model)


EXPECTED = {
    (Operation.GENERATE, "dall-e-2"): ({"size": "1024x1024", "response_format": "url"}, 10),
    (Operation.GENERATE, "dall-e-3"): ({"size": "1024x1024", "quality": "standard", "style": "vivid", "response_format": "url"}, 1),
    (Operation.GENERATE, "gpt-image-1"): ({"size": "auto", "quality": "auto", "background": "auto", "output_format": "png"}, 10),
    (Operation.GENERATE, "flux-pro"): ({"size": SERVER_DEFAULT, "response_format": SERVER_DEFAULT}, 10),
    (Operation.EDIT, "dall-e-2"): ({"size": "1024x1024", "response_format": "url"}, 10),
    (Operation.EDIT, "gpt-image-1"): ({"size": "auto", "quality": "auto", "background": "auto", "output_format": "png"}, 10),
    (Operation.EDIT, "flux-kontext"): ({"size": SERVER_DEFAULT, "response_format": SERVER_DEFAULT}, 10),
    (Operation.VARIATION, "dall-e-2"): ({"size": "1024x1024", "response_format": "url"}, 10),
    (Operation.VARIATION, "some-relay-model"): ({"size": SERVER_DEFAULT, "response_format": SERVER_DEFAULT}, 10),
}


@pytest.mark.parametrize(("operation", "model"), list(EXPECTED))
def test_option_sets_and_defaults(operation: Operation, model: str) -> None:
    defaults, max_count = EXPECTED[(operation, model)]
    options = option_set(operation, model)
    assert options.defaults() == defaults
    assert options.max_count == max_count
    for spec in options.options:
        assert spec.default in spec.values


def test_family_specific_limits() -> None:
    assert option_set(Operation.EDIT, "gpt-image-1").max_images == 16
    assert option_set(Operation.EDIT, "dall-e-2").max_images == 1
    assert option_set(Operation.EDIT, "dall-e-2").square_input
    assert not option_set(Operation.EDIT, "gpt-image-1").square_input
    assert all(option_set(Operation.VARIATION, m).square_input for m in ("dall-e-2", "gpt-image-1", "x"))
    assert not option_set(Operation.EDIT, "dall-e-3").supported
    assert not option_set(Operation.VARIATION, "gpt-image-1").supported
    assert option_set(Operation.GENERATE, "dall-e-2").get("size").values == ("256x256", "512x512", "1024x1024")  # type: ignore[union-attr]
    assert option_set(Operation.GENERATE, "dall-e-3").get("size").values == ("1024x1024", "1792x1024", "1024x1792")  # type: ignore[union-attr]
    assert option_set(Operation.GENERATE, "flux").get("size").editable  # type: ignore[union-attr]


def test_request_parameters_send_only_what_the_family_takes() -> None:
    dalle3 = option_set(Operation.GENERATE, "dall-e-3")
    chosen = {"size": "1792x1024", "quality": "hd", "style": "natural", "response_format": "b64_json", "background": "transparent"}
    assert request_parameters(dalle3, chosen, count=4) == {
        "size": "1792x1024", "quality": "hd", "style": "natural", "response_format": "b64_json",
    }  # no n for dall-e-3, no background
    gpt = option_set(Operation.GENERATE, "gpt-image-1")
    assert request_parameters(gpt, {}, count=3) == {
        "size": "auto", "quality": "auto", "background": "auto", "output_format": "png", "n": 3,
    }  # never response_format for gpt-image-1
    other = option_set(Operation.GENERATE, "flux")
    assert request_parameters(other, {}, count=1) == {"n": 1}
    assert request_parameters(other, {"size": " 640x480 "}, count=99) == {"size": "640x480", "n": 10}


# -- what the panels show --------------------------------------------------------------------------

PANELS = {Operation.GENERATE: GeneratePanel, Operation.EDIT: EditPanel, Operation.VARIATION: VariationPanel}


@pytest.mark.parametrize(("operation", "model"), list(EXPECTED))
def test_panel_shows_only_the_familys_options(qtbot: Any, tmp_path: Any, operation: Operation, model: str) -> None:
    panel = PANELS[operation](Preferences(tmp_path / "p.ini"))
    qtbot.addWidget(panel)
    panel.show()
    panel.model_box.set_model(model)
    defaults, max_count = EXPECTED[(operation, model)]
    assert set(panel.options.combos) == set(defaults)
    assert panel.options.values() == defaults
    assert panel.options.count_spin.isVisible() == (max_count > 1)
    assert all(combo.isVisible() for combo in panel.options.combos.values())
    supported = option_set(operation, model).supported
    assert panel.family_note.isVisible() == (not supported)


def test_switching_family_remembers_choices_per_family(qtbot: Any, tmp_path: Any) -> None:
    prefs = Preferences(tmp_path / "p.ini")
    panel = GeneratePanel(prefs)
    qtbot.addWidget(panel)
    panel.model_box.set_model("dall-e-3")
    panel.options.set_value("quality", "hd")
    panel.options.set_value("style", "natural")
    panel.model_box.set_model("gpt-image-1")
    assert "style" not in panel.options.combos
    panel.options.set_value("background", "transparent")
    panel.options.count_spin.setValue(4)
    panel.model_box.set_model("dall-e-3")
    assert panel.options.values()["quality"] == "hd" and panel.options.values()["style"] == "natural"
    panel.model_box.set_model("gpt-image-1")
    assert panel.options.values()["background"] == "transparent" and panel.options.count() == 4
    panel.remember()  # what a sent request does: kept for the next start
    stored = json.loads(prefs.images_options)
    assert stored["_models"] == {"generate": "gpt-image-1"}
    assert stored["generate/dall-e-3"]["quality"] == "hd"
    again = GeneratePanel(Preferences(tmp_path / "p.ini"))
    qtbot.addWidget(again)
    again.set_default_model("dall-e-2")  # the profile's model loses to the one used last
    assert again.model_box.model() == "gpt-image-1"
    assert again.options.values()["background"] == "transparent" and again.options.count() == 4


def test_default_model_comes_from_the_profile_when_it_suits(qtbot: Any, tmp_path: Any) -> None:
    prefs = Preferences(tmp_path / "p.ini")
    generate, variation = GeneratePanel(prefs), VariationPanel(prefs)
    qtbot.addWidget(generate)
    qtbot.addWidget(variation)
    generate.set_default_model("dall-e-3")
    variation.set_default_model("dall-e-3")  # dall-e-3 makes no variations: the panel starts with dall-e-2
    assert generate.model_box.model() == "dall-e-3"
    assert variation.model_box.model() == "dall-e-2"


def test_other_family_takes_a_typed_size(qtbot: Any, tmp_path: Any) -> None:
    panel = GeneratePanel(Preferences(tmp_path / "p.ini"))
    qtbot.addWidget(panel)
    panel.model_box.set_model("flux-pro")
    combo = panel.options.combos["size"]
    assert combo.isEditable() and combo.currentText() == "Server default"
    combo.setEditText("1280 × 720")
    assert panel.parameters() == {"size": "1280x720", "n": 1}
    combo.setCurrentIndex(combo.findData("1024x1536"))
    assert panel.parameters()["size"] == "1024x1536"
