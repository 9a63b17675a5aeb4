"""Preferences, declared once with their type and default, and window state kept apart from them.

Each preference is an :class:`Option` on :class:`Preferences` (the shape of Picard's
``options.py``): reading ``preferences.theme`` gives a value of the declared type, falling back to
the default when the file holds nothing or nonsense, and assigning writes it and emits
:attr:`Preferences.changed`. The values live in ``<config>/parla.ini`` (QSettings, IniFormat), so
``PARLA_HOME`` holds them and a user can read the file.

Window geometry, the current tab and later splitter sizes are not preferences — nobody chooses them
in a dialog, and resetting preferences must not move the window — so they live in their own file,
``<config>/state.ini`` (ReText keeps them apart the same way).

Never store a token here: tokens belong to ``app.credentials`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar, overload

from PySide6.QtCore import QByteArray, QObject, QSettings, Signal

__all__ = [
    "PREFERENCES_FILENAME",
    "STATE_FILENAME",
    "BoolOption",
    "FloatOption",
    "IntOption",
    "Language",
    "Option",
    "Preferences",
    "TextOption",
    "Theme",
    "WindowState",
]

PREFERENCES_FILENAME = "parla.ini"
STATE_FILENAME = "state.ini"

T = TypeVar("T")


class Language(StrEnum):
    """The user interface language. ``SYSTEM`` follows the operating system's locale."""

    SYSTEM = "system"
    ENGLISH = "en"
    CHINESE_SIMPLIFIED = "zh_CN"


class Theme(StrEnum):
    """Light or dark colours. ``SYSTEM`` follows the desktop's colour scheme as it changes."""

    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


class Option(Generic[T]):
    """One preference: its key in the ini file, its default, and how to read a stored value back.

    Used as a class attribute of :class:`Preferences`; the descriptor protocol turns attribute
    access into a typed read or write of the underlying QSettings.
    """

    def __init__(self, key: str, default: T, *, choices: tuple[T, ...] | None = None, doc: str = "") -> None:
        self.key = key
        self.default = default
        self.choices = choices
        self.doc = doc
        self.name = key

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> "Option[T]": ...
    @overload
    def __get__(self, instance: "Preferences", owner: type | None = None) -> T: ...
    def __get__(self, instance: "Preferences | None", owner: type | None = None) -> "T | Option[T]":
        if instance is None:
            return self
        return instance.get(self)

    def __set__(self, instance: "Preferences", value: T) -> None:
        instance.set(self, value)

    def convert(self, raw: Any) -> T:
        """The stored value as ``T``; raises ``ValueError``/``TypeError`` when it cannot be."""
        raise NotImplementedError

    def validate(self, value: T) -> T:
        """``value`` if it is acceptable, else ``ValueError`` (so bad writes fail loudly)."""
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"{self.key}: {value!r} is not one of {self.choices!r}")
        return value


class TextOption(Option[str]):
    def __init__(
        self,
        key: str,
        default: str,
        *,
        choices: tuple[str, ...] | None = None,
        doc: str = "",
        kind: Callable[[str], str] = str,
    ) -> None:
        super().__init__(key, default, choices=choices, doc=doc)
        self._kind = kind

    def convert(self, raw: Any) -> str:
        if not isinstance(raw, str):
            raise TypeError(f"{self.key}: expected text, got {type(raw).__name__}")
        return self._kind(raw)


class BoolOption(Option[bool]):
    def convert(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off"):
            return False
        raise ValueError(f"{self.key}: {raw!r} is not a boolean")


class IntOption(Option[int]):
    def __init__(
        self, key: str, default: int, *, minimum: int | None = None, maximum: int | None = None, doc: str = ""
    ) -> None:
        super().__init__(key, default, doc=doc)
        self.minimum = minimum
        self.maximum = maximum

    def convert(self, raw: Any) -> int:
        return self.validate(int(str(raw).strip()))

    def validate(self, value: int) -> int:
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise ValueError(f"{self.key}: {value} out of range")
        return value


class FloatOption(Option[float]):
    def __init__(
        self, key: str, default: float, *, minimum: float | None = None, maximum: float | None = None, doc: str = ""
    ) -> None:
        super().__init__(key, default, doc=doc)
        self.minimum = minimum
        self.maximum = maximum

    def convert(self, raw: Any) -> float:
        return self.validate(float(str(raw).strip()))

    def validate(self, value: float) -> float:
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise ValueError(f"{self.key}: {value} out of range")
        return value


def _json_object_text(raw: str) -> str:
    """A stored JSON object as text; anything else is refused (the default applies)."""
    import json

    if not isinstance(json.loads(raw), dict):
        raise ValueError("not a JSON object")
    return raw


class Preferences(QObject):
    """The user's choices, typed, over ``<config>/parla.ini``.

    Add a preference by declaring one more ``Option`` below; nothing else needs to know about it.
    """

    #: The option's attribute name, after a new value was written.
    changed = Signal(str)

    language = TextOption(
        "general/language",
        Language.SYSTEM.value,
        choices=tuple(lang.value for lang in Language),
        doc="User interface language; applied at the next start.",
    )
    theme = TextOption(
        "appearance/theme",
        Theme.SYSTEM.value,
        choices=tuple(theme.value for theme in Theme),
        doc="Light, dark, or follow the system; applied at once.",
    )
    desktop_dark = BoolOption(
        "appearance/desktop_dark",
        False,
        doc="The desktop's colour scheme was dark when last seen: the first frame uses it, then it is checked.",
    )
    font_size = IntOption(
        "appearance/font_size",
        0,
        minimum=0,
        maximum=32,
        doc="Text size in points for the whole window; 0 follows the desktop. Ctrl+= / Ctrl+− / Ctrl+0.",
    )
    tray = BoolOption(
        "desktop/tray",
        False,
        doc="Show Parla in the system tray; closing the window then keeps it running there.",
    )
    enter_sends = BoolOption(
        "chat/enter_sends",
        True,
        doc="In the chat composer, Enter sends and Shift+Enter starts a new line; False swaps the two.",
    )
    chat_image_max_side = IntOption(
        "chat/image_max_side",
        2048,
        minimum=256,
        maximum=8192,
        doc="Pictures sent in chat are scaled so their longest side is at most this many pixels.",
    )
    chat_tool_rounds = IntOption(
        "chat/tool_rounds",
        8,
        minimum=1,
        maximum=32,
        doc="With tools on, a reply stops after this many rounds of tool calls (and offers Continue).",
    )
    chat_web_image_mode = TextOption(
        "chat/web_image_mode",
        "url",
        choices=("url", "download"),
        doc="A picture dragged from a web page: \"url\" sends its address as it is (the model fetches it); "
        "\"download\" downloads it first and sends it like a dropped file (scaled, metadata removed).",
    )
    chat_search_by_meaning = BoolOption(
        "chat/search_by_meaning",
        False,
        doc="Search the history by meaning too: every message is embedded (in the background, costs tokens) "
        "with the profile's embedding model, and the sidebar search blends cosine similarity with full-text hits.",
    )
    images_options = TextOption(
        "images/options",
        "{}",
        doc="The Images tab's last model per operation and last options per operation and model family (a JSON object).",
        kind=_json_object_text,
    )

    # -- Voice tab (app.ui.voice) ------------------------------------------------------------------
    voice_input_device = TextOption(
        "voice/input_device",
        "",
        doc="Microphone, by its sounddevice name (names survive re-plugging, indices do not); empty "
        "follows the system default. A stored name that is missing falls back to the default, with a note.",
    )
    voice_output_device = TextOption(
        "voice/output_device", "", doc="Speakers or headset for spoken answers, by name; empty follows the system default."
    )
    voice_transcription_model = TextOption(
        "voice/transcription_model", "", doc="Model for /audio/transcriptions; empty uses the profile's transcription model."
    )
    voice_language = TextOption(
        "voice/language", "", doc="ISO-639-1 code of the language spoken (helps accuracy and speed); empty detects it."
    )
    voice_prompt = TextOption(
        "voice/prompt", "", doc="Text that guides transcription: names, spellings, the topic."
    )
    voice_speech_model = TextOption(
        "voice/speech_model", "", doc="Model for /audio/speech; empty uses the profile's speech model."
    )
    voice_voice = TextOption("voice/voice", "alloy", doc="The voice answers and the Speak text tool use.")
    voice_speed = FloatOption("voice/speed", 1.0, minimum=0.25, maximum=4.0, doc="Speaking speed, 0.25–4.")
    voice_speech_format = TextOption(
        "voice/speech_format",
        "pcm",
        choices=("pcm", "wav", "flac", "opus", "mp3"),
        doc="Audio format asked for spoken answers: pcm plays from its first bytes; the others are "
        "decoded per sentence once it has arrived (smaller downloads, later start).",
    )
    voice_speak_answers = BoolOption("voice/speak_answers", True, doc="Speak answers aloud while they stream.")
    voice_push_to_talk_key = TextOption(
        "voice/push_to_talk_key", "Space", doc="Key held to talk while the Voice tab has the focus (QKeySequence text)."
    )
    voice_max_seconds = IntOption(
        "voice/max_recording_seconds", 120, minimum=10, maximum=600,
        doc="A recording stops (and is sent) after this many seconds; a countdown shows the last 10.",
    )
    voice_upload_format = TextOption(
        "voice/upload_format",
        "opus",
        choices=("opus", "flac"),
        doc="How recordings are sent for transcription (16 kHz mono): Opus is ~6x smaller, FLAC lossless.",
    )

    _options: ClassVar[dict[str, Option[Any]]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._options = _collect_options(cls)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    @classmethod
    def in_folder(cls, config_dir: Path, parent: QObject | None = None) -> "Preferences":
        """The preferences kept in ``config_dir`` (``Locations.config``)."""
        return cls(Path(config_dir) / PREFERENCES_FILENAME, parent)

    @classmethod
    def options(cls) -> dict[str, Option[Any]]:
        """Every declared option by attribute name (for a reset button, or tests)."""
        return dict(cls._options)

    def get(self, option: Option[T]) -> T:
        raw = self._settings.value(option.key)
        if raw is None:
            return option.default
        try:
            return option.validate(option.convert(raw))
        except (TypeError, ValueError):
            # A hand-edited or older file: the default is better than a crash or a bad state.
            return option.default

    def set(self, option: Option[T], value: T) -> None:
        value = option.validate(value)
        if self._settings.contains(option.key) and self.get(option) == value:
            return
        self._settings.setValue(option.key, value)
        self._settings.sync()
        self.changed.emit(option.name)

    def reset(self, option: Option[Any]) -> None:
        """Back to the default (the key is removed, so a later default change applies)."""
        had_value = self._settings.contains(option.key)
        self._settings.remove(option.key)
        self._settings.sync()
        if had_value:
            self.changed.emit(option.name)

    def sync(self) -> None:
        self._settings.sync()


def _collect_options(cls: type) -> dict[str, Option[Any]]:
    found: dict[str, Option[Any]] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, Option):
                found[name] = value
    return found


Preferences._options = _collect_options(Preferences)


class WindowState:
    """Geometry, the current tab and similar state of windows, in ``<config>/state.ini``.

    Values are plain bytes and numbers so the UI code decides what they mean; unknown or damaged
    values read as "nothing stored".
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    @classmethod
    def in_folder(cls, config_dir: Path) -> "WindowState":
        return cls(Path(config_dir) / STATE_FILENAME)

    def bytes_value(self, key: str) -> QByteArray | None:
        raw = self._settings.value(key)
        if isinstance(raw, QByteArray) and not raw.isEmpty():
            return raw
        if isinstance(raw, (bytes, bytearray)) and raw:
            return QByteArray(bytes(raw))
        return None

    def set_bytes_value(self, key: str, value: QByteArray | bytes) -> None:
        self._settings.setValue(key, QByteArray(value) if isinstance(value, bytes) else value)

    def int_value(self, key: str, default: int = 0) -> int:
        raw = self._settings.value(key)
        try:
            return int(str(raw)) if raw is not None else default
        except ValueError:
            return default

    def set_int_value(self, key: str, value: int) -> None:
        self._settings.setValue(key, int(value))

    def sync(self) -> None:
        self._settings.sync()
