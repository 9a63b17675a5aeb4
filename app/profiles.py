"""Provider profiles: where to send requests and with which defaults. Never the token.

Profiles are plain data kept as JSON in the config folder, so the core can read them without Qt.
The token of a profile lives only in the OS keychain (``app.credentials``), under the profile's id.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.atomic import write_atomically

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://apinew.tutujin.com/v1"
DEFAULT_PROFILE_ID = "default"


class Capability(StrEnum):
    CHAT = "chat"
    IMAGE = "image"
    SPEECH = "speech"
    TRANSCRIPTION = "transcription"
    EMBEDDING = "embedding"


DEFAULT_MODELS: dict[str, str] = {
    Capability.CHAT: "gpt-4o-mini",
    Capability.IMAGE: "gpt-image-1",
    Capability.SPEECH: "tts-1",
    Capability.TRANSCRIPTION: "whisper-1",
    Capability.EMBEDDING: "text-embedding-3-small",
}


class ProxyMode(StrEnum):
    SYSTEM = "system"  # the environment's HTTP(S)_PROXY / ALL_PROXY, as httpx reads them
    NONE = "none"
    CUSTOM = "custom"  # proxy_url: http://, https://, socks5:// or socks5h://


@dataclass
class Profile:
    id: str
    name: str
    base_url: str = DEFAULT_BASE_URL
    models: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_MODELS))
    timeout: float = 600.0  # seconds to wait for the next bytes (large models are slow to start)
    connect_timeout: float = 10.0
    proxy_mode: ProxyMode = ProxyMode.SYSTEM
    proxy_url: str = ""
    verify_tls: bool = True
    ca_bundle: str = ""  # path to a PEM bundle; empty for the system's

    def model_for(self, capability: Capability | str) -> str:
        return self.models.get(str(capability)) or DEFAULT_MODELS[str(capability)]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["proxy_mode"] = str(self.proxy_mode)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Profile":
        known = {f for f in cls.__dataclass_fields__}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["models"] = {**DEFAULT_MODELS, **(kwargs.get("models") or {})}
        try:
            kwargs["proxy_mode"] = ProxyMode(kwargs.get("proxy_mode", ProxyMode.SYSTEM))
        except ValueError:
            kwargs["proxy_mode"] = ProxyMode.SYSTEM
        return cls(**kwargs)


def new_profile_id() -> str:
    return uuid.uuid4().hex[:12]


@dataclass(frozen=True)
class EnvironmentOverride:
    """What ``OPENAI_BASE_URL`` and ``OPENAI_API_KEY`` say for this run. Never persisted."""

    base_url: str | None = None
    token: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "EnvironmentOverride":
        env = os.environ if env is None else env
        return cls(env.get("OPENAI_BASE_URL") or None, env.get("OPENAI_API_KEY") or None)

    def apply(self, profile: Profile) -> Profile:
        """The profile as this run uses it; the stored profile is left alone."""
        return replace(profile, base_url=self.base_url) if self.base_url else profile

    @property
    def active(self) -> bool:
        return bool(self.base_url or self.token)


class ProfileStore:
    """The list of profiles and which one is active, kept in ``profiles.json``.

    Writes go to a temporary file then replace the old one, so a crash never leaves half a file.
    """

    FILENAME = "profiles.json"

    def __init__(self, config_dir: Path) -> None:
        self.path = Path(config_dir) / self.FILENAME
        self.profiles: list[Profile] = []
        self.active_id = DEFAULT_PROFILE_ID
        self.load()

    def load(self) -> None:
        data: dict[str, Any] = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                log.warning("profiles file unreadable, starting with defaults: %s", type(exc).__name__)
                data = {}
        if not isinstance(data, dict):
            data = {}
        stored = data.get("profiles")
        stored = stored if isinstance(stored, list) else []
        self.profiles = [Profile.from_json(p) for p in stored if isinstance(p, dict)]
        if not self.profiles:
            self.profiles = [Profile(id=DEFAULT_PROFILE_ID, name="Default")]
        ids = {p.id for p in self.profiles}
        active = data.get("active")
        self.active_id = active if active in ids else self.profiles[0].id

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"active": self.active_id, "profiles": [p.to_json() for p in self.profiles]}
        write_atomically(self.path, json.dumps(payload, indent=2, ensure_ascii=False))

    @property
    def active(self) -> Profile:
        return self.get(self.active_id) or self.profiles[0]

    def get(self, profile_id: str) -> Profile | None:
        return next((p for p in self.profiles if p.id == profile_id), None)

    def add(self, profile: Profile) -> Profile:
        if self.get(profile.id):
            raise ValueError(f"duplicate profile id {profile.id!r}")
        self.profiles.append(profile)
        return profile

    def update(self, profile: Profile) -> None:
        for i, existing in enumerate(self.profiles):
            if existing.id == profile.id:
                self.profiles[i] = profile
                return
        raise KeyError(profile.id)

    def remove(self, profile_id: str) -> None:
        if len(self.profiles) <= 1:
            raise ValueError("the last profile cannot be removed")
        self.profiles = [p for p in self.profiles if p.id != profile_id]
        if self.active_id == profile_id:
            self.active_id = self.profiles[0].id

    def set_active(self, profile_id: str) -> None:
        if not self.get(profile_id):
            raise KeyError(profile_id)
        self.active_id = profile_id
