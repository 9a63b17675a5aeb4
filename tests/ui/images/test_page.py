"""The Images page: a tab page that opens nothing until it is shown, and keeps Pillow off the start-up path."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from app.ui.images.page import ImagesPage
from app.ui.pages import TabPage


def test_nothing_opens_before_the_tab_is_shown(qtbot: Any, images_context: Any, loopback: Any) -> None:
    page = ImagesPage(images_context)
    qtbot.addWidget(page)
    assert isinstance(page, TabPage)
    qtbot.wait(50)
    assert not page.controller.started  # no store opened, no model list asked for
    models_requests = len(loopback.requests_to("/models"))
    page.show()
    assert page.controller.started
    qtbot.waitUntil(lambda: page.controller.loaded, timeout=10000)
    qtbot.waitUntil(lambda: len(loopback.requests_to("/models")) == models_requests + 1, timeout=5000)


def test_importing_the_page_does_not_load_pillow() -> None:
    code = "import sys; import app.ui.images.page; print('PIL' in sys.modules, 'numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "False False"
