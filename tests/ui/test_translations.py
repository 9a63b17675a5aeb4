"""The Simplified Chinese translation is complete, current, loadable, and there is a font to show it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication

from app.main import install_translators
from app.resources import i18n_dir, root_dir

TS = i18n_dir() / "parla_zh_CN.ts"
TOOLS = Path(sys.executable).parent
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(path).getroot()
    found: dict[tuple[str, str], ET.Element] = {}
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found[(name, message.findtext("source") or "")] = message
    return found


def _live(messages: dict[tuple[str, str], ET.Element]) -> dict[tuple[str, str], ET.Element]:
    return {
        key: m
        for key, m in messages.items()
        if (m.find("translation") is None or m.find("translation").get("type") not in ("vanished", "obsolete"))
    }


def test_every_translation_is_finished() -> None:
    messages = _live(_messages(TS))
    assert len(messages) > 100
    problems = []
    for key, message in messages.items():
        translation = message.find("translation")
        if translation is None or translation.get("type") == "unfinished" or not (translation.text or "").strip():
            problems.append(key)
    assert problems == []


def test_translations_keep_placeholders_and_are_chinese() -> None:
    for (context, source), message in _live(_messages(TS)).items():
        text = message.findtext("translation") or ""
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (context, source, text)
        if "&" in source:  # a menu mnemonic survives translation
            assert "&" in text, (context, source, text)
        if CJK.search(source) is None and re.search(r"[A-Za-z]{3,}", PLACEHOLDER.sub("", source)):
            names_only = {"Parla {version}", "Parla"}  # the product name stays as it is
            assert CJK.search(text) or source in names_only, (context, source, text)


def test_the_ts_covers_every_source_string(tmp_path: Path) -> None:
    """lupdate over the current code finds nothing the committed .ts lacks (run it to refresh)."""
    fresh = tmp_path / "fresh.ts"
    subprocess.run(
        [str(TOOLS / "pyside6-lupdate"), "-silent", "-extensions", "py", str(root_dir() / "app"), "-ts", str(fresh)],
        check=True,
        cwd=root_dir(),
    )
    wanted = set(_messages(fresh))
    have = set(_live(_messages(TS)))
    assert wanted - have == set(), "run: .venv/bin/pyside6-lupdate -extensions py app -ts resources/i18n/parla_zh_CN.ts"
    assert len(wanted) > 100


@pytest.fixture
def built_i18n(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The .ts compiled into a temporary i18n folder that install_translators will read."""
    folder = tmp_path / "i18n"
    folder.mkdir()
    subprocess.run(
        [str(TOOLS / "pyside6-lrelease"), "-silent", str(TS), "-qm", str(folder / "parla_zh_CN.qm")], check=True
    )
    monkeypatch.setattr("app.main.i18n_dir", lambda: folder)
    return folder


def test_chosen_language_loads_parla_and_qt_translations(qapp: QApplication, built_i18n: Path) -> None:
    default_locale = QLocale()
    translators = install_translators(qapp, "zh_CN")
    try:
        assert len(translators) == 2  # Parla's own and Qt's qtbase (standard buttons)
        assert QCoreApplication.translate("MainWindow", "&Quit") == "退出(&Q)"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") != "Cancel"
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
        QLocale.setDefault(default_locale)
    assert QCoreApplication.translate("MainWindow", "&Quit") == "&Quit"


def test_english_installs_nothing(qapp: QApplication, built_i18n: Path) -> None:
    default_locale = QLocale()
    try:
        assert install_translators(qapp, "en") == []
    finally:
        QLocale.setDefault(default_locale)


@pytest.mark.parametrize(("lang", "expected"), [("zh_CN.UTF-8", "退出(&Q)"), ("en_US.UTF-8", "&Quit"), ("de_DE.UTF-8", "&Quit")])
def test_system_language_follows_the_locale(built_i18n: Path, lang: str, expected: str) -> None:
    script = (
        "import sys; from pathlib import Path; import app.main as m\n"
        f"m.i18n_dir = lambda: Path({str(built_i18n)!r})\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "ts = m.install_translators(app, 'system')\n"
        "print(len(ts), QCoreApplication.translate('MainWindow', '&Quit'))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
    env.update(LANG=lang, LANGUAGE="", QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=root_dir(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    count, text = result.stdout.split()
    assert text == expected
    # Qt's own strings follow Parla's: a German system gets English everywhere, not a mix.
    assert int(count) == (2 if expected != "&Quit" else 0)


def test_a_chinese_font_is_installed(qapp: QApplication) -> None:
    # Missing CJK fonts print no warning: every character would silently be an empty box.
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert families, "install fonts-wqy-microhei or fonts-noto-cjk"


def test_the_built_in_profile_is_named_in_the_users_language(qapp: QApplication, built_i18n: Path) -> None:
    from app.profiles import Profile
    from app.ui.profile_names import display_name, stored_name

    default = Profile(id="default", name="Default")
    mine = Profile(id="abc", name="Default")
    default_locale = QLocale()
    translators = install_translators(qapp, "zh_CN")
    try:
        assert display_name(default) == "默认"
        assert display_name(mine) == "Default"  # a user's own name is never translated
        assert stored_name(default, "默认") == "Default"  # an untouched field keeps the stored name
        assert stored_name(default, "工作") == "工作"
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
        QLocale.setDefault(default_locale)
