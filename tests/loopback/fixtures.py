"""The ``loopback`` pytest fixture: a started ``LoopbackServer`` per test.

Function-scoped on purpose: every test gets fresh recordings, fault queues and knobs, and starting a
server costs only a few milliseconds. Imported into ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.loopback.server import LoopbackServer


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    """A running loopback server (``.base_url``, ``.token``); stopped, threads joined, after the test."""
    server = LoopbackServer().start()
    try:
        yield server
    finally:
        server.stop()
    # A crash inside the fake (not a fault a test asked for) must not let a test pass unnoticed.
    if server.errors:
        raise AssertionError(f"the loopback server itself failed: {server.errors!r}")
