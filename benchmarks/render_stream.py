"""Stream a ~4,000-token markdown reply into a message view and print what each update costs.

Tokens arrive from a QTimer at 200 tokens/s on a real Qt event loop (offscreen works), like a
server would deliver them. Two renderers are compared:

- incremental: ``MessageView.start_stream()`` — frozen blocks plus a re-rendered tail, one update
  per frame at most;
- naive: the whole message re-rendered (``set_markdown`` of all the text so far) once per frame.

Printed per mode: the longest and median update (render + layout), the longest event-loop stall
seen by a 2 ms probe timer, and the process CPU time spent while the first and the last 1,000
tokens arrived.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/render_stream.py [--tokens 4000] [--rate 200]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.ui.chat.render_stream import FRAME_INTERVAL_MS  # noqa: E402
from app.ui.chat.render_view import MessageView, preload  # noqa: E402
from tests.ui.chat import sample_reply, tokens_of  # noqa: E402


@dataclass
class Run:
    mode: str
    updates: list[float] = field(default_factory=list)
    stalls: list[float] = field(default_factory=list)
    cpu_marks: dict[int, float] = field(default_factory=dict)
    wall: float = 0.0


def run(mode: str, tokens: list[str], rate: float) -> Run:
    result = Run(mode)
    view = MessageView()
    view.resize(760, 600)
    view.show()
    document = view.message_document()
    received: list[str] = []
    loop = QEventLoop()

    def measured(update: callable) -> None:  # type: ignore[valid-type]
        started = time.perf_counter()
        update()
        document.size()  # the layout the view needs before it paints
        result.updates.append((time.perf_counter() - started) * 1000)

    if mode == "incremental":
        renderer = view.start_stream()
        renderer._timer.timeout.disconnect()  # noqa: SLF001 - time the update the timer triggers
        renderer._timer.timeout.connect(lambda: measured(renderer._on_timer))  # noqa: SLF001

        def deliver(token: str) -> None:
            renderer.append(token)

        def finish() -> None:
            measured(renderer.finish)
    else:
        frame = QTimer()
        frame.setSingleShot(True)
        frame.setTimerType(Qt.TimerType.PreciseTimer)
        frame.timeout.connect(lambda: measured(lambda: view.set_markdown("".join(received))))

        def deliver(token: str) -> None:
            if not frame.isActive():
                frame.start(FRAME_INTERVAL_MS)

        def finish() -> None:
            frame.stop()
            measured(lambda: view.set_markdown("".join(received)))

    probe_clock = QElapsedTimer()
    probe = QTimer()
    probe.setTimerType(Qt.TimerType.PreciseTimer)
    probe.setInterval(2)
    last_probe = [0.0]

    def on_probe() -> None:
        now = probe_clock.nsecsElapsed() / 1e6
        if last_probe[0]:
            result.stalls.append(max(0.0, now - last_probe[0] - 2))
        last_probe[0] = now

    probe.timeout.connect(on_probe)

    feeder = QTimer()
    feeder.setTimerType(Qt.TimerType.PreciseTimer)
    feeder.setInterval(max(1, round(1000 / rate)))
    count = len(tokens)

    def on_feed() -> None:
        index = len(received)
        if index in (0, 1000, count - 1000):
            result.cpu_marks[index] = time.process_time()
        if index >= count:
            result.cpu_marks[count] = time.process_time()
            feeder.stop()
            probe.stop()
            finish()
            loop.quit()
            return
        received.append(tokens[index])
        deliver(tokens[index])

    feeder.timeout.connect(on_feed)
    started = time.perf_counter()
    probe_clock.start()
    probe.start()
    feeder.start()
    loop.exec()
    result.wall = time.perf_counter() - started
    plain = document.toPlainText()
    assert "Section 1" in plain, "the reply was not rendered"
    view.close()
    view.deleteLater()
    return result


def report(runs: list[Run], count: int) -> None:
    print(f"{'':34}" + "".join(f"{run.mode:>14}" for run in runs))

    def row(label: str, values: list[str]) -> None:
        print(f"{label:34}" + "".join(f"{value:>14}" for value in values))

    row("updates", [str(len(run.updates)) for run in runs])
    row("longest update (ms)", [f"{max(run.updates):.2f}" for run in runs])
    row("median update (ms)", [f"{statistics.median(run.updates):.2f}" for run in runs])
    row("longest update after 1st (ms)", [f"{max(run.updates[1:]):.2f}" for run in runs])
    row("longest event-loop stall (ms)", [f"{max(run.stalls):.2f}" for run in runs])
    row("median event-loop stall (ms)", [f"{statistics.median(run.stalls):.2f}" for run in runs])
    first = [run.cpu_marks[1000] - run.cpu_marks[0] for run in runs]
    last = [run.cpu_marks[count] - run.cpu_marks[count - 1000] for run in runs]
    row("CPU, first 1,000 tokens (s)", [f"{value:.3f}" for value in first])
    row("CPU, last 1,000 tokens (s)", [f"{value:.3f}" for value in last])
    row("last / first", [f"{b / a:.2f}x" for a, b in zip(first, last, strict=True)])
    row("wall time (s)", [f"{run.wall:.1f}" for run in runs])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=4000)
    parser.add_argument("--rate", type=float, default=200.0, help="tokens per second")
    parser.add_argument("--only", choices=("incremental", "naive"))
    parser.add_argument("--no-gc-freeze", dest="gc_freeze", action="store_false", help="leave the GC as it is")
    args = parser.parse_args()
    _app = QApplication.instance() or QApplication(sys.argv)  # kept alive for the runs
    preload()  # the app does this after start-up: matplotlib's import and lexer set-up are not per token
    if args.gc_freeze:
        # Python's full collections walk every object in the process (Qt wrappers, Pygments,
        # matplotlib): 20-50 ms pauses at random updates. Freezing what start-up created makes
        # them cheap; main.py can do the same once the window is up.
        gc.collect()
        gc.freeze()
    text = sample_reply(args.tokens)
    tokens = tokens_of(text)
    print(
        f"reply: {len(tokens)} tokens, {len(text)} characters, {args.rate:g} tokens/s, "
        f"gc.freeze() after start-up: {'yes' if args.gc_freeze else 'no'}"
    )
    modes = [args.only] if args.only else ["incremental", "naive"]
    runs = [run(mode, tokens, args.rate) for mode in modes]
    report(runs, len(tokens))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
