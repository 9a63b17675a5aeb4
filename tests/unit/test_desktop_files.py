"""The Linux desktop integration: the launcher, the AppStream file, and `make install-desktop`.

The files are checked with the freedesktop.org validators themselves (desktop-file-validate from
desktop-file-utils, appstreamcli from appstream: both in scripts/system-deps), in the source tree
and as `make install-desktop` installs them into a throw-away XDG_DATA_HOME.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP_ID = "io.github.parla_app.Parla"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: scripts/system-deps installs it (make test runs it)")
    return path


def _validate_desktop(path: Path) -> None:
    result = subprocess.run([_tool("desktop-file-validate"), str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def _desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def _fake_program(folder: Path, name: str = "parla") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / name
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


def _make_install(data_home: Path, program: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    # -o: the venv is already installed (this test runs in it); make must not reinstall it.
    return subprocess.run(
        ["make", "-s", "-C", str(ROOT), "-o", ".venv/.installed", "install-desktop", f"EXEC={program}", *extra],
        env=env, capture_output=True, text=True, timeout=120,
    )


def test_the_source_desktop_file_is_valid() -> None:
    _validate_desktop(DESKTOP)
    entry = _desktop_entry(DESKTOP)
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Parla"
    assert entry["Icon"] == APP_ID  # the installed icon's name
    assert entry["Terminal"] == "false"
    # X11 matches windows to launchers by WM_CLASS's class part, which Qt takes from the app name.
    assert entry["StartupWMClass"] == "Parla"
    assert "zh_CN" in "".join(entry.keys())  # the menu speaks Chinese too


def test_the_appstream_file_is_valid() -> None:
    result = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", str(METAINFO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"  # type: ignore[union-attr]
    from app import __version__

    assert root.find("releases/release").get("version") == __version__  # type: ignore[union-attr]


def test_the_app_id_is_the_same_everywhere() -> None:
    from app.main import APP_ID as main_app_id

    assert main_app_id == APP_ID
    spec = (PACKAGING / "parla.spec").read_text()
    assert f'APP_ID = "{APP_ID}"' in spec
    sys.path.insert(0, str(PACKAGING))
    try:
        import install_desktop
    finally:
        sys.path.remove(str(PACKAGING))
    assert install_desktop.APP_ID == APP_ID


def test_make_install_desktop_puts_a_valid_launcher_and_icons_in_place(tmp_path: Path) -> None:
    data_home = tmp_path / "share"
    program = _fake_program(tmp_path / "bin")
    result = _make_install(data_home, program)
    assert result.returncode == 0, result.stdout + result.stderr

    installed = data_home / "applications" / f"{APP_ID}.desktop"
    _validate_desktop(installed)
    entry = _desktop_entry(installed)
    assert entry["Exec"] == str(program)
    assert entry["TryExec"] == str(program)
    assert entry["Icon"] == APP_ID
    for size in ICON_SIZES:
        icon = data_home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert icon.read_bytes() == (ROOT / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "parla.png").read_bytes()
    assert (data_home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    metainfo = data_home / "metainfo" / f"{APP_ID}.metainfo.xml"
    check = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", str(metainfo)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    # Nothing outside XDG_DATA_HOME: the user's real ~/.local/share is untouched by the test.
    assert all(str(p).startswith(str(data_home)) for p in map(Path, re.findall(r"installed (\S+)", result.stdout)))


def test_a_program_path_with_spaces_is_quoted(tmp_path: Path) -> None:
    data_home = tmp_path / "share"
    program = _fake_program(tmp_path / "my apps", "Parla $1")
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "install_desktop.py"), "--exec", str(program)],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    installed = data_home / "applications" / f"{APP_ID}.desktop"
    _validate_desktop(installed)
    exec_line = next(line for line in installed.read_text().splitlines() if line.startswith("Exec="))
    # Quoted, with $ escaped for the Exec rules and the backslash escaped once more for the string.
    assert exec_line == f'Exec="{tmp_path}/my apps/Parla \\\\$1"'


def test_uninstall_removes_what_install_put_in_place(tmp_path: Path) -> None:
    data_home = tmp_path / "share"
    program = _fake_program(tmp_path / "bin")
    assert _make_install(data_home, program).returncode == 0
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "install_desktop.py"), "--uninstall"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0
    left = [p for p in data_home.rglob("*") if p.is_file() and APP_ID in p.name]
    assert left == []


def test_a_missing_program_is_refused(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "share")}
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "install_desktop.py"), "--exec", str(tmp_path / "nothing")],
        env=env, capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "not an executable" in result.stderr
    assert not (tmp_path / "share" / "applications").exists()
