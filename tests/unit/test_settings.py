"""Preferences: declared once, typed, defaulted, in <config>/parla.ini; window state apart."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray

from app import paths
from app.settings import (
    PREFERENCES_FILENAME,
    STATE_FILENAME,
    BoolOption,
    IntOption,
    Language,
    Preferences,
    TextOption,
    Theme,
    WindowState,
)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PARLA_HOME", str(tmp_path / "home"))
    return paths.locations().ensure().config


def test_defaults_without_a_file(config: Path) -> None:
    prefs = Preferences.in_folder(config)
    assert prefs.language == Language.SYSTEM == "system"
    assert prefs.theme == Theme.SYSTEM == "system"
    assert set(Preferences.options()) >= {"language", "theme"}
    assert prefs.path == config / PREFERENCES_FILENAME
    assert str(prefs.path).startswith(str(config.parent))  # PARLA_HOME holds it


def test_values_persist_and_signal(config: Path) -> None:
    prefs = Preferences.in_folder(config)
    changed: list[str] = []
    prefs.changed.connect(changed.append)
    prefs.theme = "dark"
    prefs.language = "zh_CN"
    prefs.theme = "dark"  # same value: no second signal
    assert changed == ["theme", "language"]
    again = Preferences.in_folder(config)
    assert (again.theme, again.language) == ("dark", "zh_CN")
    text = (config / PREFERENCES_FILENAME).read_text()
    assert "[appearance]" in text and "theme=dark" in text and "language=zh_CN" in text


def test_invalid_values_are_refused_when_written(config: Path) -> None:
    prefs = Preferences.in_folder(config)
    with pytest.raises(ValueError):
        prefs.theme = "purple"
    assert prefs.theme == "system"


def test_damaged_file_falls_back_to_defaults(config: Path) -> None:
    (config / PREFERENCES_FILENAME).write_text("[appearance]\ntheme=purple\n[general]\nlanguage=\n")
    prefs = Preferences.in_folder(config)
    assert prefs.theme == "system"
    assert prefs.language == "system"


def test_reset(config: Path) -> None:
    prefs = Preferences.in_folder(config)
    prefs.theme = "light"
    changed: list[str] = []
    prefs.changed.connect(changed.append)
    prefs.reset(Preferences.theme)
    assert prefs.theme == "system" and changed == ["theme"]


def test_typed_options_convert_ini_text(tmp_path: Path) -> None:
    class More(Preferences):
        flag = BoolOption("test/flag", True)
        count = IntOption("test/count", 3, minimum=0, maximum=10)
        word = TextOption("test/word", "a", choices=("a", "b"))

    ini = tmp_path / "more.ini"
    ini.write_text("[test]\nflag=false\ncount=7\nword=b\n")
    more = More(ini)
    assert (more.flag, more.count, more.word) == (False, 7, "b")
    assert set(More.options()) >= {"flag", "count", "word", "theme", "language"}
    ini.write_text("[test]\nflag=maybe\ncount=70\nword=c\n")
    more = More(ini)
    assert (more.flag, more.count, more.word) == (True, 3, "a")
    more.count = 9
    assert More(ini).count == 9


def test_window_state_lives_apart(config: Path) -> None:
    state = WindowState.in_folder(config)
    assert state.bytes_value("main_window/geometry") is None
    assert state.int_value("main_window/current_tab", 0) == 0
    state.set_bytes_value("main_window/geometry", QByteArray(b"\x01\x02geometry"))
    state.set_int_value("main_window/current_tab", 2)
    state.sync()
    again = WindowState.in_folder(config)
    assert bytes(again.bytes_value("main_window/geometry")) == b"\x01\x02geometry"
    assert again.int_value("main_window/current_tab") == 2
    assert (config / STATE_FILENAME).exists()
    assert not (config / PREFERENCES_FILENAME).exists()
