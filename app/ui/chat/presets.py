"""Per-conversation settings as data, and presets: named, reusable system prompts with parameters.

A conversation's settings (``Conversation.settings`` in the store) hold the keys of
:data:`SETTING_KEYS`: ``system_prompt`` (text, "" for none) and the sampling parameters, each a
number or ``None`` — ``None`` meaning "not sent: the server's default". :func:`normalize_settings`
turns whatever is stored (older, hand-edited or imported data) into exactly that shape, with the
numbers inside the API's ranges (:data:`PARAMETERS`).

A preset is a name plus such a settings dict (never a model: presets travel between servers). A few
built-in presets come with the app, their names and prompts translated (the prompt a user applies
is the one in their language); they cannot be renamed or deleted. The user's own presets live in
``<config>/presets.json``, written atomically; an unreadable file is moved aside, never overwritten.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from app.atomic import write_atomically

__all__ = [
    "DEFAULT_SETTINGS",
    "PARAMETERS",
    "SETTING_KEYS",
    "ParameterSpec",
    "Preset",
    "PresetError",
    "PresetStore",
    "builtin_presets",
    "normalize_settings",
]

log = logging.getLogger(__name__)

translate = QCoreApplication.translate


@dataclass(frozen=True)
class ParameterSpec:
    """One sampling parameter: its key, the API's range, and where a newly enabled control starts."""

    key: str
    integer: bool
    minimum: float
    maximum: float
    start: float  # the value shown when the user first turns the parameter on (the API's default)
    step: float
    decimals: int = 2


PARAMETERS: tuple[ParameterSpec, ...] = (
    ParameterSpec("temperature", False, 0.0, 2.0, 1.0, 0.05),
    ParameterSpec("top_p", False, 0.0, 1.0, 1.0, 0.05),
    ParameterSpec("max_tokens", True, 1, 1_000_000, 4096, 256, 0),
    ParameterSpec("presence_penalty", False, -2.0, 2.0, 0.0, 0.1),
    ParameterSpec("frequency_penalty", False, -2.0, 2.0, 0.0, 0.1),
)

SETTING_KEYS: tuple[str, ...] = ("system_prompt", *(p.key for p in PARAMETERS))

DEFAULT_SETTINGS: dict[str, Any] = {"system_prompt": "", **{p.key: None for p in PARAMETERS}}


def _number(spec: ParameterSpec, raw: Any) -> float | int | None:
    if raw is None or isinstance(raw, bool):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(value):
        return None
    value = min(max(value, spec.minimum), spec.maximum)
    return int(round(value)) if spec.integer else round(value, spec.decimals)


def normalize_settings(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """``raw`` as the settings dict of :data:`SETTING_KEYS`, every value of the right type and range.

    Keys it does not know are left out (the panel carries them through separately).
    """
    raw = raw if isinstance(raw, Mapping) else {}
    prompt = raw.get("system_prompt")
    settings: dict[str, Any] = {"system_prompt": prompt if isinstance(prompt, str) else ""}
    for spec in PARAMETERS:
        settings[spec.key] = _number(spec, raw.get(spec.key))
    return settings


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    settings: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    builtin: bool = False


def builtin_presets() -> list[Preset]:
    """The presets that come with Parla, in the interface's language (built anew on each call)."""

    def preset(key: str, name: str, prompt: str, **parameters: Any) -> Preset:
        return Preset(f"builtin:{key}", name, normalize_settings({"system_prompt": prompt, **parameters}), True)

    return [
        preset(
            "general",
            translate("BuiltinPresets", "General assistant"),
            translate(
                "BuiltinPresets",
                "You are a helpful, honest assistant. Answer clearly and accurately, use Markdown where it "
                "helps, and say so when you are not sure.",
            ),
        ),
        preset(
            "translator",
            translate("BuiltinPresets", "Translator (中⇄英)"),
            translate(
                "BuiltinPresets",
                "You are a professional translator between Chinese and English. If the text is in Chinese, "
                "translate it into natural English; otherwise translate it into natural Simplified Chinese. "
                "Keep the meaning, tone and formatting, and reply with the translation only.",
            ),
            temperature=0.3,
        ),
        preset(
            "code_reviewer",
            translate("BuiltinPresets", "Code reviewer"),
            translate(
                "BuiltinPresets",
                "You are a senior software engineer reviewing code. List bugs, security problems, unclear "
                "names and missing tests, most important first, each with a concrete fix (a short code "
                "snippet where it helps). Do not rewrite the whole code.",
            ),
            temperature=0.2,
        ),
        preset(
            "concise",
            translate("BuiltinPresets", "Concise"),
            translate(
                "BuiltinPresets",
                "Answer as briefly as possible: one sentence or a short list. No preamble, no repeating "
                "the question, no closing remarks.",
            ),
        ),
        preset(
            "creative",
            translate("BuiltinPresets", "Creative writer"),
            translate(
                "BuiltinPresets",
                "You are a creative writing partner. Offer vivid, original ideas and prose, vary the rhythm "
                "of your sentences and avoid clichés. If the request is unclear, ask one short question first.",
            ),
            temperature=1.1,
            presence_penalty=0.5,
        ),
    ]


class PresetError(ValueError):
    """A preset operation the user cannot do (rename a built-in, an empty or taken name)."""


class PresetStore(QObject):
    """Built-in and user presets; the user's are kept in ``<config>/presets.json``.

    Several stores may use the same file (one per panel): each re-reads it when it changed on disk,
    so a preset saved in one shows in the others.
    """

    FILENAME = "presets.json"
    VERSION = 1
    NAME_MAX = 80

    #: The list of user presets changed (added, renamed, deleted, or re-read from disk).
    changed = Signal()

    def __init__(self, config_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(config_dir) / self.FILENAME
        self._user: list[Preset] = []
        self._stamp: tuple[int, int] | None = None
        self._read()

    # -- reading ---------------------------------------------------------------------------------

    def presets(self) -> list[Preset]:
        """Built-ins first, then the user's in the order they were made."""
        return builtin_presets() + self.user_presets()

    def user_presets(self) -> list[Preset]:
        self._refresh()
        return list(self._user)

    def get(self, preset_id: str) -> Preset | None:
        return next((p for p in self.presets() if p.id == preset_id), None)

    def find_user_preset(self, name: str) -> Preset | None:
        """The user preset called ``name`` (ignoring case and outer spaces), if any."""
        wanted = name.strip().casefold()
        return next((p for p in self.user_presets() if p.name.casefold() == wanted), None)

    def matching(self, settings: Mapping[str, Any]) -> Preset | None:
        """The first preset whose settings are exactly these (what the combo box shows as chosen)."""
        settings = normalize_settings(settings)
        return next((p for p in self.presets() if p.settings == settings), None)

    # -- changing --------------------------------------------------------------------------------

    def save(self, name: str, settings: Mapping[str, Any]) -> Preset:
        """Save ``settings`` under ``name``: a new preset, or the user preset of that name updated."""
        name = self._check_name(name)
        existing = self.find_user_preset(name)
        preset = Preset(existing.id if existing else uuid.uuid4().hex, name, normalize_settings(settings))
        if existing:
            self._write([preset if p.id == existing.id else p for p in self._user])
        else:
            self._write([*self._user, preset])
        return preset

    def rename(self, preset_id: str, name: str) -> Preset:
        name = self._check_name(name)
        preset = self._user_preset(preset_id)
        other = self.find_user_preset(name)
        if other is not None and other.id != preset_id:
            raise PresetError(f"a preset called {name!r} exists")
        renamed = Preset(preset.id, name, dict(preset.settings))
        self._write([renamed if p.id == preset_id else p for p in self._user])
        return renamed

    def delete(self, preset_id: str) -> None:
        self._user_preset(preset_id)
        self._write([p for p in self._user if p.id != preset_id])

    # -- internals -------------------------------------------------------------------------------

    def _check_name(self, name: str) -> str:
        name = " ".join(name.split())
        if not name:
            raise PresetError("a preset needs a name")
        if len(name) > self.NAME_MAX:
            raise PresetError("the name is too long")
        return name

    def _user_preset(self, preset_id: str) -> Preset:
        if preset_id.startswith("builtin:"):
            raise PresetError("built-in presets cannot be changed")
        self._refresh()
        preset = next((p for p in self._user if p.id == preset_id), None)
        if preset is None:
            raise PresetError(f"no preset {preset_id!r}")
        return preset

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def _refresh(self) -> None:
        if self._file_stamp() != self._stamp:
            self._read()
            self.changed.emit()

    def _read(self) -> None:
        self._stamp = self._file_stamp()
        if self._stamp is None:
            self._user = []
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("presets"), list):
                raise ValueError("not a presets file")
        except (OSError, ValueError) as exc:
            self._set_aside(exc)
            self._user = []
            return
        presets: list[Preset] = []
        names: set[str] = set()
        for item in data["presets"]:
            if not isinstance(item, dict):
                continue
            name, preset_id = item.get("name"), item.get("id")
            if not isinstance(name, str) or not name.strip() or not isinstance(preset_id, str) or not preset_id:
                continue
            if preset_id.startswith("builtin:") or name.casefold() in names:
                continue
            names.add(name.casefold())
            presets.append(Preset(preset_id, name.strip(), normalize_settings(item.get("settings"))))
        self._user = presets

    def _set_aside(self, exc: Exception) -> None:
        """Keep an unreadable file under another name, so saving a new preset cannot destroy it."""
        aside = self.path.with_name(f"{self.path.name}.unreadable-{int(time.time())}")
        try:
            os.replace(self.path, aside)
            log.warning("presets file unreadable (%s); kept as %s", type(exc).__name__, aside.name)
        except OSError:
            log.warning("presets file unreadable (%s)", type(exc).__name__)
        self._stamp = self._file_stamp()

    def _write(self, presets: list[Preset]) -> None:
        """Write ``presets`` to the file, then make them the current list (unchanged if writing fails)."""
        payload = {
            "version": self.VERSION,
            "presets": [{"id": p.id, "name": p.name, "settings": p.settings} for p in presets],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, json.dumps(payload, ensure_ascii=False, indent=2))
        self._user = presets
        self._stamp = self._file_stamp()
        self.changed.emit()
