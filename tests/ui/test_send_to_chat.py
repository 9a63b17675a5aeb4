"""The Images tab's "Send to chat" puts the picture in the Chat tab's composer.

The two pages never know each other: the main window joins them when the Images page is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from app.ui.main_window import CHAT_TAB, IMAGES_TAB
from tests.ui.chat.chat_fixtures import *  # noqa: F403 — chat_context and friends


def test_send_to_chat_attaches_the_picture_and_shows_chat(
    qtbot: Any, chat_context: Any, tmp_path: Path
) -> None:
    from app.ui.main_window import MainWindow

    picture = tmp_path / "sunset.png"
    Image.new("RGB", (64, 48), (200, 90, 30)).save(picture)
    window = MainWindow(chat_context)
    qtbot.addWidget(window)
    window.show()
    images = window.page(IMAGES_TAB)
    window.tabs.setCurrentIndex(IMAGES_TAB)
    images.send_to_chat_requested.emit(str(picture))
    assert window.tabs.currentIndex() == CHAT_TAB
    strip = window.page(CHAT_TAB).composer.attachments
    qtbot.waitUntil(lambda: strip.count() == 1 and strip.images()[0].ready, timeout=10000)
    assert strip.images()[0].source.name == "sunset.png"
    # Let the page finish with the picture (thumbnail, draft save) before the window goes away.
    qtbot.waitUntil(lambda: not [t for t in chat_context.tasks.pending() if t.get_name().startswith("chat.")],
                    timeout=10000)
