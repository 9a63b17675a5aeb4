"""Where Parla keeps its files.

With ``PARLA_HOME`` set, everything lives under that one folder (portable mode, and what the tests
use); otherwise the platform's usual places, through platformdirs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Parla"


@dataclass(frozen=True)
class Locations:
    config: Path
    data: Path
    cache: Path
    logs: Path

    def ensure(self) -> "Locations":
        """Create the folders (private to the user: they hold conversations)."""
        for path in (self.config, self.data, self.cache, self.logs):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self


def locations(env: dict[str, str] | None = None) -> Locations:
    env = os.environ if env is None else env
    home = env.get("PARLA_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return Locations(root / "config", root / "data", root / "cache", root / "logs")
    return Locations(
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
    )
