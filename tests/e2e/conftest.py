"""Markers of the end-to-end tests (the project's pytest settings list the shared ones)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: builds or runs something big (the PyInstaller bundle); still run by make test")
