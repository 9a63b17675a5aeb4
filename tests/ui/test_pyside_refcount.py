"""PySide6-Essentials 6.12.0 drops a reference to None on every call of a Qt method returning void.

After some thousands of calls Python aborts with "none_dealloc" — a streamed chat reply makes
hundreds of thousands. pyproject.toml pins PySide6 below 6.12; this test fails if an installed
PySide6 has the bug again, before users meet it as a crash.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import sys
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication
app = QApplication([])
cursor = QTextCursor(QTextDocument())
before = sys.getrefcount(None)
for _ in range(20000):
    cursor.insertText("x")
print(sys.getrefcount(None) - before)
"""


def test_void_qt_calls_keep_none_alive() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"Python aborted after void Qt calls (PySide6 refcount bug):\n{result.stderr}"
    assert abs(int(result.stdout.strip().splitlines()[-1])) < 100
