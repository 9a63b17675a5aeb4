"""Opening a 2,000-message conversation: time to first paint, and the process's memory with it open.

Two measurements:

1. In process, on a real X server (an Xvfb of its own unless DISPLAY is set) or offscreen with
   ``--offscreen``: a Chat page over a store holding a 2,000-message conversation of realistic
   markdown (code, tables, lists, formulas); the time from asking the page to open it to the first
   paint of the message list showing its messages. Several runs; the first opening of a formula
   loads the formula renderer in a worker thread, and that run is reported too.
2. The real app (``python -m app``) started on the same data with that conversation as the last
   one open: its resident set size once the conversation is on screen with its formulas typeset
   (target ≤ 160 MB), and that of its formula process (matplotlib + numpy live there, outside the
   UI process, see ``app/ui/chat/math_render.py``).

    .venv/bin/python benchmarks/chat_open.py [--messages 2000] [--runs 5]

The data helpers here (``make_history``, ``markdown_reply``) are shared with ``chat_stream.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (
    "the model returns a stream of tokens that the client renders as markdown with code tables "
    "and formulas while the user keeps reading scrolling and asking the next question about "
    "latency memory layout caching virtualization rendering parsing and the event loop"
).split()

CODE = '''```python
def moving_average(values: list[float], window: int) -> list[float]:
    """Average of each window of consecutive values."""
    if window <= 0:
        raise ValueError("window must be positive")
    total = sum(values[:window])
    out = [total / window]
    for i in range(window, len(values)):
        total += values[i] - values[i - window]
        out.append(total / window)
    return out
```'''

JS = '''```javascript
export async function fetchJson(url, { retries = 2 } = {}) {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url);
    if (response.ok) return response.json();
    if (attempt >= retries) throw new Error(`HTTP ${response.status}`);
  }
}
```'''


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def table(rng: random.Random, rows: int) -> str:
    lines = ["| Name | Value | Notes |", "|---|---:|---|"]
    for i in range(rows):
        lines.append(f"| item {i} | {rng.randint(1, 9999)} | {sentence(rng, 4)} |")
    return "\n".join(lines)


def markdown_reply(rng: random.Random, target_chars: int) -> str:
    """A reply like a model's: headings, paragraphs, lists, code, a table, formulas."""
    parts: list[str] = []
    size = 0
    section = 0
    while size < target_chars:
        section += 1
        block = [f"## Part {section}", sentence(rng, 30) + " " + sentence(rng, 20)]
        kind = section % 5
        if kind == 0:
            block.append(CODE)
        elif kind == 1:
            block.append("\n".join(f"- {sentence(rng, 8)}" for _ in range(6)))
        elif kind == 2:
            block.append(table(rng, 8))
        elif kind == 3:
            block.append(
                "The loss is $L = -\\sum_i y_i \\log \\hat y_i$ and its gradient is\n\n"
                "$$\\frac{\\partial L}{\\partial z_j} = \\hat y_j - y_j$$"
            )
        else:
            block.append(JS)
            block.append("\n".join(f"{n}. {sentence(rng, 7)}" for n in range(1, 6)))
        text = "\n\n".join(block)
        parts.append(text)
        size += len(text) + 2
    return "\n\n".join(parts)[:target_chars].rstrip() + "\n"


def make_history(store: object, messages: int, *, seed: int = 7) -> int:
    """A conversation of ``messages`` alternating messages in ``store`` (a blocking Store); its id."""
    from app.store import Role

    rng = random.Random(seed)
    with store.batch():  # type: ignore[attr-defined]
        conversation = store.create_conversation(title="A long conversation")  # type: ignore[attr-defined]
        for i in range(messages):
            if i % 2 == 0:
                store.append_message(conversation.id, Role.USER, sentence(rng, rng.randint(6, 40)))  # type: ignore[attr-defined]
            else:
                reply = markdown_reply(rng, rng.choice((300, 600, 1200, 2000)))
                if i == messages - 1:  # the newest reply, on screen when it opens: all of it
                    reply = markdown_reply(random.Random(seed), 2400)
                store.append_message(  # type: ignore[attr-defined]
                    conversation.id, Role.ASSISTANT, reply, model="gpt-4o-mini",
                    usage={"prompt_tokens": rng.randint(10, 4000), "completion_tokens": len(reply) // 4},
                )
    return conversation.id


def build_home(home: Path, messages: int) -> int:
    from app import paths
    from app.store import Store, database_path

    os.environ["PARLA_HOME"] = str(home)
    locations = paths.locations().ensure()
    with Store(database_path(locations.data)) as store:
        return make_history(store, messages)


def start_xvfb() -> tuple[subprocess.Popen[bytes] | None, str]:
    if os.environ.get("DISPLAY"):
        return None, os.environ["DISPLAY"]
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as f:
        display = ":" + f.readline().strip()
    return proc, display


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- 1. time to first paint, in process ------------------------------------------------------------


def first_paint(home: Path, conversation_id: int, runs: int) -> None:
    import qasync
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from app import paths
    from app.credentials import Vault
    from app.profiles import EnvironmentOverride, ProfileStore
    from app.settings import Preferences, WindowState
    from app.store import AsyncStore, database_path
    from app.ui.chat.document_view import DocumentView
    from app.ui.chat.page import ChatPage
    from app.ui.context import AppContext
    from app.ui.notify import Notifier
    from app.ui.session import Session
    from app.ui.tasks import TaskRegistry

    app = QApplication.instance() or QApplication(["bench"])
    locations = paths.locations().ensure()

    class PaintProbe(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.painted: float | None = None
            self.armed = False
            self.model: Any = None

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
            # The first paint of a message's text (the list's viewport itself may not repaint).
            if self.armed and event.type() == QEvent.Type.Paint and self.painted is None:
                if isinstance(watched, DocumentView) and self.model.rowCount():
                    self.painted = time.perf_counter()
            return False

    async def run() -> None:
        store = await AsyncStore.open(database_path(locations.data))
        tasks = TaskRegistry()
        session = Session(ProfileStore(locations.config), Vault(), tasks, environment=EnvironmentOverride())
        context = AppContext(
            locations=locations, preferences=Preferences.in_folder(locations.config),
            window_state=WindowState.in_folder(locations.config), tasks=tasks,
            notifier=Notifier(), session=session, store=store,
        )
        context.window_state.set_int_value("chat/conversation", 0)
        page = ChatPage(context)
        page.resize(1200, 850)
        page.show()
        await asyncio.sleep(0.5)
        probe = PaintProbe()
        probe.model = page.model
        app.installEventFilter(probe)
        times: list[float] = []
        for run_number in range(runs):
            await page._open(None)
            page.view.cache.clear()
            await asyncio.sleep(0.3)
            probe.painted = None
            probe.armed = False
            probe.armed = True
            started = time.perf_counter()
            task = asyncio.ensure_future(page._open(conversation_id))
            while probe.painted is None:
                await asyncio.sleep(0.001)
            elapsed = (probe.painted - started) * 1000
            await task
            await page.controller.wait_loaded()
            times.append(elapsed)
            label = " (first run: loads the formula renderer in a thread)" if run_number == 0 else ""
            print(f"  run {run_number + 1}: first paint after {elapsed:6.1f} ms, "
                  f"{page.model.rowCount()} messages, {len(page.view.visible_widgets())} widgets, "
                  f"{page.view.cache.builds} documents built so far{label}")
        print(f"open a {page.model.rowCount()}-message conversation → first paint: median {statistics.median(times):.1f} ms, "
              f"best {min(times):.1f} ms, worst {max(times):.1f} ms (target ≤ 150 ms)")
        app.removeEventFilter(probe)
        page.hide()
        await tasks.cancel_all()
        await session.aclose()
        await store.close()
        page.deleteLater()

    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        runner.run(run())


# -- 2. RSS of the real app with the conversation open -------------------------------------------------

RSS_DRIVER = r"""
import asyncio, sys
import app.main as m
original = m.amain
async def amain(app, locations, preferences, *rest):
    async def report():
        window = None
        while window is None:
            window = next((w for w in app.topLevelWidgets() if w.objectName() == "main_window"), None)
            await asyncio.sleep(0.05)
        page = window.page(0)  # the Chat page only (`window.pages` would build the Images and Voice tabs too)
        while page.model.rowCount() == 0:
            await asyncio.sleep(0.05)
        await page.controller.wait_loaded()
        # Formulas are typeset by a child process: wait for their images, not only for the page.
        from app.ui.chat.math_render import math_jobs, typesetter
        for _ in range(600):
            await asyncio.sleep(0.05)
            if typesetter().pid is not None and math_jobs().pending == 0:
                break
        await asyncio.sleep(1.5)  # documents built, formula images in, memory settled
        import sys as _sys
        math = "loaded" if typesetter().pid is not None and math_jobs().pending == 0 else "absent"
        inside = "+".join(m for m in ("numpy", "matplotlib") if m in _sys.modules) or "none"
        print("open", page.model.rowCount(), len(page.view.visible_widgets()), math, typesetter().pid or 0,
              inside, flush=True)
    asyncio.get_running_loop().create_task(report())
    return await original(app, locations, preferences, *rest)
m.amain = amain
sys.exit(m.main(["parla"]))
"""


def app_rss(home: Path, conversation_id: int, display: str | None) -> None:
    config = home / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "state.ini").write_text(f"[chat]\nconversation={conversation_id}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env.update(PARLA_HOME=str(home), LANG="en_US.UTF-8")
    if display:
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.Popen([sys.executable, "-c", RSS_DRIVER], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().split()
        samples = []
        child_samples = []
        for _ in range(6):
            time.sleep(0.5)
            samples.append(rss_mb(proc.pid))
            if int(line[4]):
                child_samples.append(rss_mb(int(line[4])))
        math = "with its formula images" if line[3] == "loaded" else "formulas NOT typeset"
        print(f"python -m app with the {line[1]}-message conversation open ({line[2]} message widgets, "
              f"{math}; numpy/matplotlib in the UI process: {line[5]}): RSS {max(samples):.1f} MB at most "
              f"over 3 s (target ≤ 160 MB)")
        if child_samples:
            print(f"  its formula process (matplotlib + numpy, pid {line[4]}): RSS {max(child_samples):.1f} MB "
                  f"(not the UI process: outside the target)")
    finally:
        proc.terminate()
        proc.wait(20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--offscreen", action="store_true", help="no X server (paint timing less realistic)")
    args = parser.parse_args()
    xvfb, display = (None, None) if args.offscreen else start_xvfb()
    if display:
        os.environ.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    else:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp) / "home"
            started = time.perf_counter()
            conversation_id = build_home(home, args.messages)
            size = (home / "data" / "parla.sqlite3").stat().st_size / 1e6
            print(f"history: {args.messages} messages, {size:.1f} MB database, built in {time.perf_counter() - started:.1f} s")
            app_rss(home, conversation_id, display)
            first_paint(home, conversation_id, args.runs)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
