"""Streaming a long markdown reply into a long conversation: event-loop stalls and CPU per token.

A 4,000-token markdown reply (headings, paragraphs, lists, code blocks, tables, formulas; one
token = one streamed piece of 4 characters) arrives from the loopback server — in a process of
its own, so its work does not count — at 200 tokens a second, into a Chat page showing a
conversation that already holds 2,000 messages. Measured in the app's process:

- event-loop stalls: a 1 ms precise timer records the gaps between its ticks while the reply
  streams; the longest gap is the worst freeze a user could feel, the median the usual latency
  (targets: longest ≤ 16 ms, median ≤ 4 ms);
- CPU of the UI thread (``time.thread_time``) spent on the first and on the last 1,000 tokens
  (target: last ≤ 1.5 × first) — flat cost per token, however long the reply already is;
- the same figures for the naive approach, which re-renders the whole message on every piece
  (``MessageDocument.set_markdown(everything so far)``), as clients that ``setText(old + chunk)``
  do.

Each approach runs in a fresh process, on a real X server (an Xvfb of its own unless DISPLAY is
set; ``--offscreen`` for none). ``--explain`` prints what ran during each stall over 12 ms;
``--profile`` prints a cProfile of the UI thread while the reply streams; ``--fresh-formulas`` makes
the reply's formulas new ones (the history's are cached), so they are typeset while it streams.

    .venv/bin/python benchmarks/chat_stream.py [--tokens 4000] [--rate 200] [--history 2000] [--only naive]
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from chat_open import build_home, markdown_reply, start_xvfb  # noqa: E402

SERVER = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from tests.loopback.server import LoopbackServer
server = LoopbackServer().start()
server.chunk_chars = 4
server.stream_delay = float(sys.argv[2])
print(server.base_url, server.token, flush=True)
sys.stdin.readline()
server.stop()
"""


class NaiveRenderer:
    """What many clients do: re-render the whole message on every piece that arrives."""

    def __init__(self, document: Any, parent: Any = None) -> None:
        from PySide6.QtCore import QObject, Signal

        class _Signals(QObject):
            updated = Signal()

        self._signals = _Signals(parent)
        self.updated = self._signals.updated
        self._document = document
        self._text = ""
        self.stats: list[Any] = []

    def text(self) -> str:
        return self._text

    def append(self, delta: str) -> None:
        if delta:
            self._text += delta
            self._document.set_markdown(self._text)
            self.updated.emit()

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        self._document.set_markdown(self._text)
        self.updated.emit()

    def restart(self, text: str = "") -> None:
        self._text = ""
        self.append(text)


def fresh_formulas(message: str) -> str:
    """Each formula of the reply made new (numbered, a matrix added), so none is in the formula
    cache when it arrives: the formula process typesets them while the reply streams."""
    count = 0

    def numbered(template: str) -> str:
        nonlocal count
        count += 1
        return template.replace("#", str(count))

    inline = "$L = -\\sum_i y_i \\log \\hat y_i$"
    display = "$$\\frac{\\partial L}{\\partial z_j} = \\hat y_j - y_j$$"
    while inline in message or display in message:
        message = message.replace(inline, numbered("$L_{#} = -\\sum_i y_i \\log \\hat y_i$"), 1)
        message = message.replace(
            display,
            numbered("$$\\frac{\\partial L_{#}}{\\partial z_j} = \\begin{pmatrix} \\hat y_j & # \\\\ y_j & 1 \\end{pmatrix}$$"),
            1,
        )
    return message


def run_one(mode: str, home: Path, conversation_id: int, base_url: str, token: str, tokens: int, out: Path) -> None:
    """One streamed reply into the page, in this process; writes the figures to ``out`` (JSON)."""
    import qasync
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    import app.ui.chat.controller as controller_module
    from app import paths
    from app.api.types import ContentDelta
    from app.credentials import Vault
    from app.profiles import EnvironmentOverride, ProfileStore
    from app.settings import Preferences, WindowState
    from app.store import AsyncStore, database_path
    from app.ui.chat.page import ChatPage
    from app.ui.context import AppContext
    from app.ui.notify import Notifier
    from app.ui.session import Session
    from app.ui.tasks import TaskRegistry

    if mode == "naive":
        controller_module.StreamingRenderer = NaiveRenderer  # type: ignore[misc, assignment]

    _app = QApplication.instance() or QApplication(["bench"])
    locations = paths.locations().ensure()
    message = "Here is the overview.\n\n" + markdown_reply(random.Random(11), tokens * 4)
    if os.environ.get("BENCH_FRESH_FORMULAS") == "1":
        message = fresh_formulas(message)

    async def run() -> dict[str, Any]:
        store = await AsyncStore.open(database_path(locations.data))
        tasks = TaskRegistry()
        session = Session(ProfileStore(locations.config), Vault(), tasks, environment=EnvironmentOverride(base_url, token))
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
        await page._open(conversation_id)
        await page.controller.wait_loaded()
        await asyncio.sleep(2.0)  # the formula renderer, lexers and fonts are loaded: steady state

        # Count tokens and sample the UI thread's CPU as they arrive.
        samples: dict[int, float] = {}
        received = [0]
        original = controller_module.LiveReply.handle

        def handle(self: Any, event: object) -> None:
            if isinstance(event, ContentDelta):
                received[0] += 1
                if received[0] in (1, 1000, tokens - 1000, tokens):
                    samples[received[0]] = time.thread_time()
            original(self, event)

        controller_module.LiveReply.handle = handle  # type: ignore[method-assign]

        gaps: list[float] = []
        last = [time.perf_counter()]
        probe = QTimer()
        probe.setTimerType(Qt.TimerType.PreciseTimer)
        probe.setInterval(1)

        # --explain: each stall over 12 ms is printed with what ran since the previous tick
        # (the renderer's last update, the list's layout passes, the paints of message text).
        explain = os.environ.get("BENCH_EXPLAIN") == "1"
        spent: list[tuple[str, float]] = []

        def tick() -> None:
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1000)
            if explain and gaps[-1] > 12:
                live = page.controller.live()
                stats = live.content_renderer.stats if live is not None else []
                render = stats[-1].seconds * 1000 if stats else 0.0
                detail = ", ".join(f"{name} {ms:.1f}" for name, ms in spent)
                print(f"  stall {gaps[-1]:.1f} ms at token {received[0]}: last render {render:.1f} ms; {detail}",
                      file=sys.stderr)
            spent.clear()
            last[0] = now

        if explain:
            from app.ui.chat.document_view import DocumentView

            def timed(name: str, function: Any) -> Any:
                def wrapper(*args: Any) -> Any:
                    started = time.perf_counter()
                    try:
                        return function(*args)
                    finally:
                        spent.append((name, (time.perf_counter() - started) * 1000))

                return wrapper

            page.view.ensure_layout = timed("layout", page.view.ensure_layout)  # type: ignore[method-assign]
            DocumentView.paintEvent = timed("paint", DocumentView.paintEvent)  # type: ignore[method-assign]

        probe.timeout.connect(tick)
        profiler = None
        if os.environ.get("BENCH_PROFILE") == "1":
            import cProfile

            profiler = cProfile.Profile()
        page.composer.editor.setPlainText(message)
        started = time.perf_counter()
        page.send()
        while received[0] == 0:
            await asyncio.sleep(0.001)
        last[0] = time.perf_counter()
        probe.start()
        if profiler is not None:
            profiler.enable()
        while page.controller.is_streaming():
            await asyncio.sleep(0.01)
        probe.stop()
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        elapsed = time.perf_counter() - started
        reply = page.model.items[-1]
        result = {
            "mode": mode,
            "tokens": received[0],
            "chars": len(reply.text),
            "state": reply.state.value,
            "seconds": elapsed,
            "gap_max": max(gaps) if gaps else float("nan"),
            "gap_median": statistics.median(gaps) if gaps else float("nan"),
            "gap_p99": sorted(gaps)[int(len(gaps) * 0.99)] if gaps else float("nan"),
            "over_16": sum(1 for g in gaps if g > 16),
            "ticks": len(gaps),
            "cpu_first": samples.get(1000, 0) - samples.get(1, 0),
            "cpu_last": samples.get(tokens, 0) - samples.get(tokens - 1000, 0),
            "rows": page.model.rowCount(),
            "widgets": len(page.view.visible_widgets()),
        }
        page.hide()
        await tasks.cancel_all()
        await session.aclose()
        await store.close()
        return result

    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        figures = runner.run(run())
    out.write_text(json.dumps(figures))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=4000)
    parser.add_argument("--rate", type=float, default=200.0, help="tokens per second")
    parser.add_argument("--history", type=int, default=2000)
    parser.add_argument("--offscreen", action="store_true")
    parser.add_argument("--only", choices=("incremental", "naive"))
    parser.add_argument("--explain", action="store_true", help="describe each stall over 12 ms")
    parser.add_argument("--profile", action="store_true", help="cProfile the UI thread while streaming")
    parser.add_argument("--fresh-formulas", action="store_true",
                        help="formulas in the reply that the history does not have (typeset while it streams)")
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        mode, home, conversation_id, base_url, token, out = args.child
        os.environ["PARLA_HOME"] = home
        run_one(mode, Path(home), int(conversation_id), base_url, token, args.tokens, Path(out))
        return 0

    xvfb, display = (None, None) if args.offscreen else start_xvfb()
    env = dict(os.environ, BENCH_EXPLAIN="1" if args.explain else "", BENCH_PROFILE="1" if args.profile else "",
               BENCH_FRESH_FORMULAS="1" if args.fresh_formulas else "")
    if display:
        env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(ROOT), str(1.0 / args.rate)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert server.stdout is not None
        base_url, token = server.stdout.readline().split()
        results: list[dict[str, Any]] = []
        with tempfile.TemporaryDirectory() as tmp:
            modes = [args.only] if args.only else ["incremental", "naive"]
            for mode in modes:
                home = Path(tmp) / mode
                os.environ["PARLA_HOME"] = str(home)
                conversation_id = build_home(home, args.history)
                out = Path(tmp) / f"{mode}.json"
                subprocess.run(
                    [sys.executable, __file__, "--tokens", str(args.tokens), "--child", mode, str(home),
                     str(conversation_id), base_url, token, str(out)],
                    env={**env, "PARLA_HOME": str(home)}, check=True,
                )
                results.append(json.loads(out.read_text()))
        print(f"{args.tokens} tokens of markdown at {args.rate:.0f} tokens/s into a {args.history}-message conversation")
        print(f"{'':34s}" + "".join(f"{r['mode']:>14s}" for r in results))
        rows = [
            ("longest event-loop stall (ms)", "gap_max", "{:14.1f}"),
            ("median loop latency (ms)", "gap_median", "{:14.2f}"),
            ("99th percentile (ms)", "gap_p99", "{:14.1f}"),
            ("stalls over 16 ms", "over_16", "{:14d}"),
            ("UI CPU, first 1,000 tokens (s)", "cpu_first", "{:14.3f}"),
            ("UI CPU, last 1,000 tokens (s)", "cpu_last", "{:14.3f}"),
            ("stream took (s)", "seconds", "{:14.1f}"),
        ]
        for label, key, fmt in rows:
            print(f"{label:34s}" + "".join(fmt.format(r[key]) for r in results))
        print(f"{'last / first CPU':34s}" + "".join(
            f"{(r['cpu_last'] / r['cpu_first'] if r['cpu_first'] else float('nan')):14.2f}" for r in results))
        for r in results:
            print(f"  {r['mode']}: {r['tokens']} tokens, {r['chars']} characters, reply {r['state']}, "
                  f"{r['rows']} messages, {r['widgets']} message widgets")
        print("targets: longest stall ≤ 16 ms, median ≤ 4 ms, last/first CPU ≤ 1.5")
    finally:
        if server.stdin is not None:
            server.stdin.write("\n")
            server.stdin.flush()
        server.wait(20)
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
