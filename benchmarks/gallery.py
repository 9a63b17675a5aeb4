"""Opening a gallery of 1,000 pictures with their thumbnails cached: time and memory.

Builds a throw-away PARLA_HOME with 1,000 gallery pictures (1024×1024 PNGs, as DALL·E answers) and
their cached thumbnails, then, in fresh processes, measures:

* open time — from importing and constructing the Images page (as the main window does when the tab
  is first shown; shown at 1100×760, its first showEvent opens the store) until the first page of
  rows is in the grid and every thumbnail on screen has been decoded and painted; target ≤ 300 ms;
* memory added — the process's resident set size after that, minus before the page was made
  (the app's modules already imported, the QApplication and the event loop running); target ≤ 60 MB;
* and, for information, the memory after scrolling through all 1,000 (every row fetched, the
  thumbnail cache at its bound).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gallery.py [--runs 5] [--count 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 300.0
TARGET_MB = 60.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- building the gallery --------------------------------------------------------------------------


def _picture(number: int) -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1024, 1024), ((number * 37) % 256, (number * 91) % 256, (number * 53) % 256))
    draw = ImageDraw.Draw(image)
    for step in range(0, 1024, 64):  # some detail, so the PNG is not trivially small
        draw.line((0, step, 1024, 1024 - step), fill=(255 - step // 4, step // 4, 128), width=9)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()


def _thumbnail(job: tuple[str, str]) -> None:
    from app.imaging import write_thumbnail
    from app.ui.images.thumbnails import DISK_SIDE

    write_thumbnail(Path(job[0]), Path(job[1]), DISK_SIDE)


def build(home: Path, count: int) -> None:
    from app import paths
    from app.store import Store, database_path
    from app.store.gallery import Gallery, images_dir
    from app.ui.images.controller import THUMBNAILS_DIRNAME
    from app.ui.images.thumbnails import thumbnail_path

    os.environ["PARLA_HOME"] = str(home)
    locations = paths.locations().ensure()
    started = time.perf_counter()
    with ProcessPoolExecutor() as pool:
        pictures = list(pool.map(_picture, range(count), chunksize=16))
    with Store(database_path(locations.data)) as store:
        gallery = Gallery(store, images_dir(locations.data))
        with store.batch():
            images = [
                gallery.add(data, mime="image/png", width=1024, height=1024, operation="generate",
                            prompt=f"Picture number {n}: a lighthouse on a cliff at dawn, oil painting",
                            model="dall-e-3", parameters={"size": "1024x1024", "quality": "standard"},
                            created_at=1_700_000_000 + n)
                for n, data in enumerate(pictures)
            ]
    cache = locations.cache / THUMBNAILS_DIRNAME
    jobs = [(str(image.path(gallery.root)), str(thumbnail_path(cache, image.hash))) for image in images]
    with ProcessPoolExecutor() as pool:
        list(pool.map(_thumbnail, jobs, chunksize=16))
    print(f"built {count} pictures and thumbnails in {time.perf_counter() - started:.1f} s", file=sys.stderr)


# -- one measurement (a fresh process) -------------------------------------------------------------


def measure() -> dict[str, float]:
    import asyncio

    import qasync
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from app import paths
    from app.credentials import Vault
    from app.profiles import EnvironmentOverride, ProfileStore
    from app.settings import Preferences, WindowState
    from app.ui.context import AppContext
    from app.ui.notify import Notifier
    from app.ui.session import Session
    from app.ui.tasks import TaskRegistry

    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    result: dict[str, float] = {}

    async def run() -> None:
        locations = paths.locations().ensure()
        tasks = TaskRegistry()
        session = Session(ProfileStore(locations.config), Vault(), tasks, environment=EnvironmentOverride())
        context = AppContext(locations=locations, preferences=Preferences.in_folder(locations.config),
                             window_state=WindowState.in_folder(locations.config), tasks=tasks,
                             notifier=Notifier(), session=session)
        await asyncio.sleep(0.2)
        before = rss_mb()
        started = time.perf_counter()
        # What the main window does when the tab is first shown: import the page, build it, show it.
        from app.ui.images.page import ImagesPage

        page = ImagesPage(context)
        page.resize(1100, 760)
        page.show()  # its first showEvent opens the store and asks for the first page
        result["build_ms"] = (time.perf_counter() - started) * 1000
        controller = page.controller
        thumbnails = controller.thumbnails
        view = page.gallery_panel.view
        while not controller.loaded:
            await asyncio.sleep(0.001)
        # Painting now (not processEvents(): that would re-enter the running task) makes the cells
        # on screen ask for their thumbnails; then wait until they are decoded and paint them.
        while True:
            view.viewport().repaint()
            visible = [controller.model.index(row) for row in range(controller.model.rowCount())
                       if view.visualRect(controller.model.index(row)).intersects(view.viewport().rect())]
            if visible and all(index.data(Qt.ItemDataRole.DecorationRole) is not None for index in visible):
                break
            await asyncio.sleep(0.001)
        view.viewport().repaint()  # the last ones, painted
        result["visible_cells"] = len(visible)
        result["open_ms"] = (time.perf_counter() - started) * 1000
        result["rows"] = controller.model.rowCount()
        result["thumbnails"] = thumbnails.loads
        await asyncio.sleep(0.3)
        result["rss_added_mb"] = rss_mb() - before
        bar = view.verticalScrollBar()
        while bar.value() < bar.maximum() or controller.model.rowCount() < controller.model.total:
            bar.setValue(bar.value() + view.viewport().height())
            view.viewport().repaint()
            await asyncio.sleep(0.005)  # fetchMore, layout
            while len(thumbnails._queue) or thumbnails._loading:
                await asyncio.sleep(0.001)
        await asyncio.sleep(0.3)
        result["rss_after_scrolling_all_mb"] = rss_mb() - before
        result["rows_after_scrolling"] = controller.model.rowCount()
        page.close()
        await tasks.cancel_all()
        await session.aclose()

    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        runner.run(run())
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.measure:
        print(json.dumps(measure()))
        return 0
    with tempfile.TemporaryDirectory(prefix="parla-gallery-bench-") as tmp:
        home = Path(tmp)
        build(home, options.count)
        env = dict(os.environ, PARLA_HOME=str(home))
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        runs = []
        for _ in range(options.runs):
            out = subprocess.run([sys.executable, __file__, "--measure"], env=env, capture_output=True, text=True,
                                 check=True, cwd=ROOT)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    open_ms = statistics.median(r["open_ms"] for r in runs)
    build_ms = statistics.median(r["build_ms"] for r in runs)
    added = statistics.median(r["rss_added_mb"] for r in runs)
    scrolled = statistics.median(r["rss_after_scrolling_all_mb"] for r in runs)
    first = runs[0]
    print(f"gallery of {options.count} pictures, thumbnails cached ({options.runs} runs, median):")
    each = ", ".join(f"{r['open_ms']:.0f}" for r in runs)
    print(f"  open time        {open_ms:7.1f} ms   (target ≤ {TARGET_MS:.0f} ms; runs: {each}) — {first['rows']:.0f} rows, "
          f"{first['visible_cells']:.0f} cells on screen, {first['thumbnails']:.0f} thumbnails decoded")
    print(f"    of which       {build_ms:7.1f} ms   importing and building the tab's widgets (first open only)")
    print(f"  memory added     {added:7.1f} MB   (target ≤ {TARGET_MB:.0f} MB)")
    print(f"  after scrolling  {scrolled:7.1f} MB   (all {first['rows_after_scrolling']:.0f} rows fetched, "
          "thumbnail cache full)")
    ok = open_ms <= TARGET_MS and added <= TARGET_MB
    print("  within targets" if ok else "  OVER TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
