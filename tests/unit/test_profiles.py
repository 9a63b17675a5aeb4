"""app.profiles: the JSON round trip, atomic saves, tolerance of bad files, and the env override."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from app import profiles
from app.profiles import (
    DEFAULT_BASE_URL,
    DEFAULT_MODELS,
    DEFAULT_PROFILE_ID,
    Capability,
    EnvironmentOverride,
    Profile,
    ProfileStore,
    ProxyMode,
    new_profile_id,
)


def custom_profile() -> Profile:
    return Profile(
        id=new_profile_id(),
        name="本地 Local",
        base_url="http://127.0.0.1:8080/v1",
        models={**DEFAULT_MODELS, Capability.CHAT: "qwen2.5", Capability.IMAGE: "sdxl"},
        timeout=120.0,
        connect_timeout=3.5,
        proxy_mode=ProxyMode.CUSTOM,
        proxy_url="socks5h://127.0.0.1:1080",
        verify_tls=False,
        ca_bundle="/etc/ssl/custom.pem",
    )


def test_a_new_store_has_one_default_profile(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    assert [p.id for p in store.profiles] == [DEFAULT_PROFILE_ID]
    assert store.active.id == DEFAULT_PROFILE_ID
    assert store.active.base_url == DEFAULT_BASE_URL
    assert not (tmp_path / ProfileStore.FILENAME).exists()  # nothing written until save()


def test_profiles_round_trip_through_the_file(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    profile = store.add(custom_profile())
    store.set_active(profile.id)
    store.save()

    again = ProfileStore(tmp_path)
    assert again.profiles == store.profiles
    assert again.active_id == profile.id
    loaded = again.get(profile.id)
    assert loaded is not None
    assert loaded.proxy_mode is ProxyMode.CUSTOM
    assert loaded.model_for(Capability.CHAT) == "qwen2.5"
    assert loaded.model_for(Capability.SPEECH) == DEFAULT_MODELS[Capability.SPEECH]
    data = json.loads((tmp_path / "profiles.json").read_text(encoding="utf-8"))
    assert data["active"] == profile.id
    assert "本地 Local" in (tmp_path / "profiles.json").read_text(encoding="utf-8")  # not \\u-escaped


def test_the_file_never_holds_a_token(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    store.save()
    data = json.loads((tmp_path / "profiles.json").read_text(encoding="utf-8"))
    for entry in data["profiles"]:
        assert not {"token", "api_key", "key", "password"} & set(entry)


def test_save_replaces_the_file_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ProfileStore(tmp_path)
    store.save()
    before = (tmp_path / "profiles.json").read_bytes()

    store.add(custom_profile())

    def crash(src: os.PathLike[str], dst: os.PathLike[str]) -> None:
        raise OSError("disk vanished")

    monkeypatch.setattr(profiles.os, "replace", crash)
    with pytest.raises(OSError):
        store.save()
    assert (tmp_path / "profiles.json").read_bytes() == before  # the old file is intact
    monkeypatch.undo()

    store.save()
    assert len(ProfileStore(tmp_path).profiles) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profiles.json"]  # no temp file left behind


def test_save_creates_the_config_folder(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "new" / "config")
    store.save()
    assert (tmp_path / "new" / "config" / "profiles.json").is_file()


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"{not json", id="syntax"),
        pytest.param(b"\xff\xfe\x00garbage", id="encoding"),
        pytest.param(b'{"profiles": "nope"}', id="wrong-type"),
        pytest.param(b'{"profiles": [1, "x"]}', id="bad-entries"),
        pytest.param(b"[1, 2, 3]", id="list"),
        pytest.param(b'{"profiles": 5}', id="profiles-number"),
    ],
)
def test_an_unreadable_file_gives_defaults(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "profiles.json").write_bytes(content)
    store = ProfileStore(tmp_path)
    assert [p.id for p in store.profiles] == [DEFAULT_PROFILE_ID]
    assert store.active_id == DEFAULT_PROFILE_ID


def test_an_unreadable_file_is_logged_without_its_content(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "profiles.json").write_text('{"profiles": [sk-secret-in-file', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="app.profiles"):
        ProfileStore(tmp_path)
    assert "unreadable" in caplog.text
    assert "sk-secret-in-file" not in caplog.text


def test_a_folder_in_place_of_the_file_gives_defaults(tmp_path: Path) -> None:
    (tmp_path / "profiles.json").mkdir()
    assert ProfileStore(tmp_path).active.id == DEFAULT_PROFILE_ID


def test_unknown_fields_and_bad_values_are_tolerated(tmp_path: Path) -> None:
    (tmp_path / "profiles.json").write_text(
        json.dumps(
            {
                "active": "missing",
                "profiles": [
                    {
                        "id": "a",
                        "name": "A",
                        "proxy_mode": "carrier-pigeon",
                        "from_the_future": 1,
                        "models": None,
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    store = ProfileStore(tmp_path)
    assert store.active_id == "a"  # an unknown active id falls back to the first profile
    assert store.active.proxy_mode is ProxyMode.SYSTEM
    assert store.active.models == DEFAULT_MODELS


def test_environment_override_applies_for_the_run_and_is_never_persisted(tmp_path: Path) -> None:
    override = EnvironmentOverride.from_env(
        {"OPENAI_BASE_URL": "http://env.example/v1", "OPENAI_API_KEY": "sk-env-token-123456"}
    )
    assert override.active
    store = ProfileStore(tmp_path)
    effective = override.apply(store.active)
    assert effective.base_url == "http://env.example/v1"
    assert store.active.base_url == DEFAULT_BASE_URL  # the stored profile is untouched
    store.save()
    text = (tmp_path / "profiles.json").read_text(encoding="utf-8")
    assert "env.example" not in text and "sk-env-token-123456" not in text


def test_empty_environment_values_mean_no_override() -> None:
    override = EnvironmentOverride.from_env({"OPENAI_BASE_URL": "", "OPENAI_API_KEY": ""})
    assert not override.active
    profile = Profile(id="p", name="P")
    assert override.apply(profile) is profile


def test_from_env_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://proc.example/v1")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    override = EnvironmentOverride.from_env()
    assert override.base_url == "http://proc.example/v1" and override.token is None


def test_store_rules(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    with pytest.raises(ValueError):
        store.remove(DEFAULT_PROFILE_ID)  # the last profile stays
    with pytest.raises(ValueError):
        store.add(Profile(id=DEFAULT_PROFILE_ID, name="dup"))
    with pytest.raises(KeyError):
        store.set_active("nope")
    with pytest.raises(KeyError):
        store.update(Profile(id="nope", name="x"))

    second = store.add(Profile(id="second", name="Second"))
    store.set_active(second.id)
    store.update(Profile(id="second", name="Renamed"))
    assert store.active.name == "Renamed"
    store.remove("second")
    assert store.active_id == DEFAULT_PROFILE_ID  # removing the active one activates another


def test_profile_ids_are_unique_and_short() -> None:
    ids = {new_profile_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 12 and i.isalnum() for i in ids)
