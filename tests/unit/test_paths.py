"""app.paths: PARLA_HOME puts everything in one folder; otherwise platformdirs decides."""

from __future__ import annotations

import stat
from pathlib import Path

import platformdirs
import pytest

from app.paths import APP_NAME, locations


def test_parla_home_holds_every_folder(tmp_path: Path) -> None:
    loc = locations({"PARLA_HOME": str(tmp_path)})
    assert loc.config == tmp_path / "config"
    assert loc.data == tmp_path / "data"
    assert loc.cache == tmp_path / "cache"
    assert loc.logs == tmp_path / "logs"


def test_parla_home_is_expanded_and_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert locations({"PARLA_HOME": "~/portable"}).config == tmp_path.resolve() / "portable" / "config"
    assert locations({"PARLA_HOME": "rel"}).data == tmp_path.resolve() / "rel" / "data"


def test_without_parla_home_platformdirs_decide() -> None:
    loc = locations({})
    assert loc.config == Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    assert loc.data == Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    assert loc.cache == Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
    assert loc.logs == Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))
    assert locations({"PARLA_HOME": ""}) == loc  # an empty value is no value


def test_platform_paths_follow_xdg_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not platformdirs.user_config_dir("x").startswith("/"):  # pragma: no cover - not Unix
        pytest.skip("XDG variables apply on Linux/BSD only")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    loc = locations({})
    assert loc.config == tmp_path / "cfg" / APP_NAME
    assert loc.data == tmp_path / "share" / APP_NAME


def test_process_environment_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLA_HOME", str(tmp_path))
    assert locations().config == tmp_path / "config"
    monkeypatch.delenv("PARLA_HOME")
    assert locations() == locations({})


def test_ensure_creates_private_folders(tmp_path: Path) -> None:
    loc = locations({"PARLA_HOME": str(tmp_path / "home")}).ensure()
    for path in (loc.config, loc.data, loc.cache, loc.logs):
        assert path.is_dir()
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0  # nobody else reads conversations
    loc.ensure()  # twice is fine
