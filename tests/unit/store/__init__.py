"""Helpers shared by the store tests (fixtures are imported by name into each test module)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from app.store import Store

START = datetime(2024, 5, 10, 12, 0, 0).timestamp()  # a local noon, far from any day boundary


class Clock:
    """A clock the test moves by hand, so ordering, grace periods and day groups are exact."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 1.0) -> float:
        self.now += seconds
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "parla.sqlite3"


@pytest.fixture
def store(db_path: Path, clock: Clock) -> Iterator[Store]:
    s = Store(db_path, clock=clock)
    yield s
    s.close()
