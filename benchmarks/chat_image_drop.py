"""A 24-megapixel JPEG dropped onto the Chat tab's composer, measured in the real page.

In process, on a real X server (an Xvfb of its own unless DISPLAY is set) or offscreen with
``--offscreen``: a ChatPage over a fresh store, talking to the loopback server (in this process, on
its own thread). A 6000×4000 JPEG (``image_payload.make_photo``: about 7 MB, EXIF with GPS and an
orientation) is dropped onto the page as a file URL, the way a file manager drops it, and we time:

* from the drop to its thumbnail shown in the composer (the tile's pixmap set) — target ≤ 100 ms;
* from the drop to the payload ready (``prepare_image`` done: upright, 2048 px, stripped) — ≤ 400 ms;
* the longest stall of the UI event loop meanwhile, from a 1 ms QTimer probe (its lateness) — ≤ 16 ms;
* the request body the loopback server received when the message was sent — ≤ 2 MB.

Several drops (``--runs``); the first one also pays for importing Pillow's plugins and warming
the thread pool, and is reported separately.

    .venv/bin/python benchmarks/chat_image_drop.py [--runs 5] [--offscreen]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from chat_open import start_xvfb  # noqa: E402
from image_payload import make_photo  # noqa: E402


class LagProbe:
    """A 1 ms timer on the UI thread; how late it fires is how long the loop was busy."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0
        self.worst_at = 0.0
        self.hooks: list[Any] = []

    def start(self) -> None:
        self.last = time.perf_counter()
        self.worst = 0.0
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        late = (now - self.last) * 1000 - 1
        if late > self.worst:
            self.worst, self.worst_at = late, now
        self.last = now
        for hook in self.hooks:
            hook(now)


def run(runs: int) -> dict[str, Any]:
    import qasync
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    from app import paths
    from app.credentials import Vault
    from app.profiles import EnvironmentOverride, ProfileStore
    from app.settings import Preferences, WindowState
    from app.store import AsyncStore, database_path
    from app.ui.chat.page import ChatPage
    from app.ui.context import AppContext
    from app.ui.notify import Notifier
    from app.ui.session import Session
    from app.ui.tasks import TaskRegistry
    from tests.loopback.server import LoopbackServer

    _app = QApplication.instance() or QApplication(["bench"])
    locations = paths.locations().ensure()
    photo = Path(os.environ["PARLA_HOME"]) / "photo-24mp.jpg"
    photo.write_bytes(make_photo())
    server = LoopbackServer().start()

    async def main() -> dict[str, Any]:
        store = await AsyncStore.open(database_path(locations.data))
        tasks = TaskRegistry()
        session = Session(
            ProfileStore(locations.config), Vault(), tasks, environment=EnvironmentOverride(server.base_url, server.token)
        )
        context = AppContext(
            locations=locations, preferences=Preferences.in_folder(locations.config),
            window_state=WindowState.in_folder(locations.config), tasks=tasks,
            notifier=Notifier(), session=session, store=store,
        )
        page = ChatPage(context)
        page.resize(1200, 850)
        page.show()
        session.start()
        while session.client is None:
            await asyncio.sleep(0.02)
        await asyncio.sleep(1.0)  # start-up work (sidebar, lexers) out of the way
        strip = page.composer.attachments
        probe = LagProbe()
        figures: list[dict[str, float]] = []
        for _ in range(runs):
            for pending in strip.images():
                strip.remove(pending)
            marks: dict[str, float] = {}

            def watch(now: float) -> None:
                images = strip.images()
                if not images:
                    return
                tile = strip.tile(images[0])
                pixmap = tile.picture.pixmap() if tile is not None else None
                if "thumbnail" not in marks and pixmap is not None and not pixmap.isNull():
                    marks["thumbnail"] = now
                if "payload" not in marks and images[0].prepared is not None:
                    marks["payload"] = now

            probe.hooks = [watch]
            mime = QMimeData()
            mime.setUrls([QUrl.fromLocalFile(str(photo))])
            where = QPointF(page.view.mapTo(page, QPoint(60, 60)))
            probe.start()
            start = time.perf_counter()
            enter = QDragEnterEvent(where.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                    Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(page, enter)
            drop = QDropEvent(where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                              Qt.KeyboardModifier.NoModifier)
            QApplication.sendEvent(page, drop)
            dropped = time.perf_counter()
            while "payload" not in marks or "thumbnail" not in marks:
                await asyncio.sleep(0.005)
                if time.perf_counter() - start > 30:
                    raise RuntimeError("the picture was not ready within 30 s")
            await asyncio.sleep(0.05)  # the work right after the payload (keeping it) counts too
            probe.stop()
            figures.append({
                "drop_handler": (dropped - start) * 1000,
                "thumbnail": (marks["thumbnail"] - start) * 1000,
                "payload": (marks["payload"] - start) * 1000,
                "stall": probe.worst,
                "stall_at": (probe.worst_at - start) * 1000,
            })
            if os.environ.get("BENCH_EXPLAIN"):
                print(f"  worst stall {probe.worst:.1f} ms ending {figures[-1]['stall_at']:.0f} ms after the drop", flush=True)
        # Send the last one and weigh what the server received.
        page.composer.editor.setPlainText("What is in this photo?")
        page.send()
        while not server.requests_to("/chat/completions"):
            await asyncio.sleep(0.02)
        while page.controller.is_streaming():
            await asyncio.sleep(0.02)
        body = server.last("/chat/completions").body
        prepared_bytes = len(await store.read_attachment(page.model.items[0].images[0]["hash"]))
        await tasks.cancel_all()
        page.hide()
        await session.aclose()
        await store.close()
        return {"runs": figures, "body": len(body), "prepared": prepared_bytes, "photo": photo.stat().st_size}

    try:
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            return runner.run(main())
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--offscreen", action="store_true")
    args = parser.parse_args()

    xvfb, display = (None, None) if args.offscreen else start_xvfb()
    if display:
        os.environ.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    else:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        with tempfile.TemporaryDirectory() as home:
            os.environ["PARLA_HOME"] = home
            result = run(max(2, args.runs))
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
    runs = result["runs"]
    first, rest = runs[0], runs[1:]
    print(f"24-megapixel JPEG ({result['photo'] / 1e6:.1f} MB) dropped onto the composer, {len(runs)} drops "
          f"({'offscreen' if args.offscreen else 'X server'})")
    print(f"{'':34s}{'first':>10s}{'median':>10s}{'worst':>10s}{'target':>10s}")
    for label, key, target in (
        ("drop handler (ms)", "drop_handler", ""),
        ("thumbnail shown (ms)", "thumbnail", "100"),
        ("payload ready (ms)", "payload", "400"),
        ("longest UI stall (ms)", "stall", "16"),
    ):
        values = [r[key] for r in rest]
        print(f"{label:34s}{first[key]:10.1f}{statistics.median(values):10.1f}{max(values):10.1f}{target:>10s}")
    print(f"{'request body (MB)':34s}{result['body'] / 1e6:10.2f}{'':20s}{'2':>10s}")
    print(f"  the picture itself: {result['prepared'] / 1e6:.2f} MB as sent (base64 in the body adds a third)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
