"""Which options each image model family takes, for each operation, and their defaults.

OpenAI's image models disagree about almost every parameter: DALL·E 3 makes one image at a time
and has a style, gpt-image-1 never answers with URLs but has a background and an output format,
DALL·E 2 is the only one that makes variations. Showing every option for every model invites 400
errors, so the panels show only what :func:`option_set` lists for the chosen model's family; a
model Parla does not know (a relay's ``flux``, ``cogview``…) gets a small, permissive set whose
defaults send nothing, leaving the choice to the server.

Plain data, no widgets: the panels turn these into combo boxes and tests read them directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from app.store.gallery import Operation

__all__ = [
    "Family",
    "OptionSpec",
    "OptionSet",
    "Operation",
    "SERVER_DEFAULT",
    "family_of",
    "is_image_model",
    "option_set",
    "request_parameters",
]

#: The value meaning "do not send this parameter: let the server choose".
SERVER_DEFAULT = ""


class Family(StrEnum):
    DALLE2 = "dall-e-2"
    DALLE3 = "dall-e-3"
    GPT_IMAGE = "gpt-image-1"
    OTHER = "other"


def family_of(model: str) -> Family:
    """The family of a model id (``dall-e-3``, ``azure/dall-e-3``, ``gpt-image-1-mini``, …)."""
    name = model.strip().lower()
    if "dall-e-2" in name or "dalle-2" in name or "dalle2" in name:
        return Family.DALLE2
    if "dall-e-3" in name or "dalle-3" in name or "dalle3" in name:
        return Family.DALLE3
    if re.search(r"(^|[/:])(chatgpt-image|gpt-image)", name):
        return Family.GPT_IMAGE
    return Family.OTHER


_IMAGE_MODEL = re.compile(
    r"dall-?e|gpt-image|chatgpt-image|image|flux|stable-diffusion|sdxl|\bsd[-_]?\d|midjourney|^mj[-_]|imagen|"
    r"cogview|kolors|seedream|recraft|ideogram|hunyuan-?dit|wanx|playground-v",
    re.IGNORECASE,
)


def is_image_model(model_id: str) -> bool:
    """A guess from the id: does this model make pictures? (The list is a help; free text is allowed.)"""
    return _IMAGE_MODEL.search(model_id) is not None


@dataclass(frozen=True)
class OptionSpec:
    """One parameter: its API name, the values offered, the default, and whether free text is allowed."""

    name: str
    values: tuple[str, ...]
    default: str
    editable: bool = False


@dataclass(frozen=True)
class OptionSet:
    """What one operation with one family shows."""

    family: Family
    operation: Operation
    options: tuple[OptionSpec, ...]
    #: The most images one request may ask for; 1 hides the Number field.
    max_count: int = 10
    #: How many input pictures an edit may send (1 for everything but gpt-image-1).
    max_images: int = 1
    #: DALL·E 2 uploads must be square: the Edit and Variations panels then offer crop or pad.
    square_input: bool = False
    #: False when OpenAI's model cannot do the operation at all (the panel warns; a relay may still).
    supported: bool = True

    def names(self) -> tuple[str, ...]:
        return tuple(option.name for option in self.options)

    def get(self, name: str) -> OptionSpec | None:
        return next((option for option in self.options if option.name == name), None)

    def defaults(self) -> dict[str, str]:
        return {option.name: option.default for option in self.options}


_DALLE2_SIZES = ("256x256", "512x512", "1024x1024")
_DALLE3_SIZES = ("1024x1024", "1792x1024", "1024x1792")
_GPT_SIZES = ("auto", "1024x1024", "1536x1024", "1024x1536")
_OTHER_SIZES = (SERVER_DEFAULT, "auto", "1024x1024", "512x512", "1536x1024", "1024x1536", "1792x1024", "1024x1792")

_RESPONSE = OptionSpec("response_format", ("url", "b64_json"), "url")
_RESPONSE_ANY = OptionSpec("response_format", (SERVER_DEFAULT, "url", "b64_json"), SERVER_DEFAULT)
_GPT_QUALITY = OptionSpec("quality", ("auto", "high", "medium", "low"), "auto")
_GPT_BACKGROUND = OptionSpec("background", ("auto", "transparent", "opaque"), "auto")
_GPT_FORMAT = OptionSpec("output_format", ("png", "jpeg", "webp"), "png")
_OTHER_SIZE = OptionSpec("size", _OTHER_SIZES, SERVER_DEFAULT, editable=True)

_SETS: dict[tuple[Operation, Family], OptionSet] = {
    (Operation.GENERATE, Family.DALLE2): OptionSet(
        Family.DALLE2, Operation.GENERATE, (OptionSpec("size", _DALLE2_SIZES, "1024x1024"), _RESPONSE)
    ),
    (Operation.GENERATE, Family.DALLE3): OptionSet(
        Family.DALLE3,
        Operation.GENERATE,
        (
            OptionSpec("size", _DALLE3_SIZES, "1024x1024"),
            OptionSpec("quality", ("standard", "hd"), "standard"),
            OptionSpec("style", ("vivid", "natural"), "vivid"),
            _RESPONSE,
        ),
        max_count=1,
    ),
    (Operation.GENERATE, Family.GPT_IMAGE): OptionSet(
        Family.GPT_IMAGE,
        Operation.GENERATE,
        (OptionSpec("size", _GPT_SIZES, "auto"), _GPT_QUALITY, _GPT_BACKGROUND, _GPT_FORMAT),
    ),
    (Operation.GENERATE, Family.OTHER): OptionSet(Family.OTHER, Operation.GENERATE, (_OTHER_SIZE, _RESPONSE_ANY)),
    (Operation.EDIT, Family.DALLE2): OptionSet(
        Family.DALLE2, Operation.EDIT, (OptionSpec("size", _DALLE2_SIZES, "1024x1024"), _RESPONSE), square_input=True
    ),
    (Operation.EDIT, Family.DALLE3): OptionSet(
        Family.DALLE3, Operation.EDIT, (_OTHER_SIZE, _RESPONSE_ANY), supported=False
    ),
    (Operation.EDIT, Family.GPT_IMAGE): OptionSet(
        Family.GPT_IMAGE,
        Operation.EDIT,
        (OptionSpec("size", _GPT_SIZES, "auto"), _GPT_QUALITY, _GPT_BACKGROUND, _GPT_FORMAT),
        max_images=16,
    ),
    (Operation.EDIT, Family.OTHER): OptionSet(Family.OTHER, Operation.EDIT, (_OTHER_SIZE, _RESPONSE_ANY)),
    (Operation.VARIATION, Family.DALLE2): OptionSet(
        Family.DALLE2, Operation.VARIATION, (OptionSpec("size", _DALLE2_SIZES, "1024x1024"), _RESPONSE),
        square_input=True,
    ),
    (Operation.VARIATION, Family.DALLE3): OptionSet(
        Family.DALLE3, Operation.VARIATION, (_OTHER_SIZE, _RESPONSE_ANY), square_input=True, supported=False
    ),
    (Operation.VARIATION, Family.GPT_IMAGE): OptionSet(
        Family.GPT_IMAGE, Operation.VARIATION, (_OTHER_SIZE, _RESPONSE_ANY), square_input=True, supported=False
    ),
    (Operation.VARIATION, Family.OTHER): OptionSet(
        Family.OTHER, Operation.VARIATION, (_OTHER_SIZE, _RESPONSE_ANY), square_input=True
    ),
}

#: The model each panel starts with when the profile names none that suits the operation.
DEFAULT_MODELS: dict[Operation, str] = {
    Operation.GENERATE: "gpt-image-1",
    Operation.EDIT: "gpt-image-1",
    Operation.VARIATION: "dall-e-2",
}


def option_set(operation: Operation | str, model: str) -> OptionSet:
    """The options the panel for ``operation`` shows while ``model`` is chosen."""
    return _SETS[(Operation(operation), family_of(model))]


def request_parameters(options: OptionSet, chosen: dict[str, str], count: int) -> dict[str, object]:
    """The keyword arguments for ``client.images.*`` from what the panel shows.

    Values equal to :data:`SERVER_DEFAULT` are left out, ``n`` only when the family has a Number
    field; anything not in the family's set is never sent, whatever was remembered earlier.
    """
    parameters: dict[str, object] = {}
    for option in options.options:
        value = chosen.get(option.name, option.default).strip()
        if value != SERVER_DEFAULT:
            parameters[option.name] = value
    if options.max_count > 1:
        parameters["n"] = max(1, min(options.max_count, int(count)))
    return parameters
