"""Indexing the history by meaning must never stall the UI longer than a frame (16 ms).

The app's situation, as closely as a script can: a ``qasync`` loop on a ``QApplication``
(offscreen), the store on its own thread (``AsyncStore``), and ``app.semantic.Backfill`` embedding
``--messages`` messages of realistic lengths in batches of ``--batch`` with ``--dims``-wide
vectors (base64), against the loopback OpenAI server running in *another process* (as a real
server would: it does not compete for this process's GIL).

A 1 ms probe (``asyncio.sleep(0.001)`` in a loop) measures how late the loop wakes up; the figures
are how much later than 1 ms: median, p99, worst, and the count over 16 ms — first with nothing
running (the machine's own noise), then while indexing. Before it, as in the app: numpy is
imported (the page does it when search by meaning is on, or as its consent dialog closes) and the
client makes one request (the session's connection check after the first frame). ``--cold``
leaves both to the indexing; ``--warm`` adds an embeddings request (a session that already searched).

What stalled the loop (measured here): the answer's vectors reached ``Backfill`` as Python float
lists (``.tolist()`` of 1,536 floats a vector, on the loop); converting them back to float32 on the
store's thread held the GIL in short bursts while the loop waited for it (the convoy effect):
worst 19–56 ms. ``app.api.embeddings`` now hands base64 vectors over as ``array("f")`` (no Python
floats), packed on the loop: worst 8–11 ms. The one stall left was numpy's import on the store's
thread (~30 ms holding the GIL) when indexing began: the app now imports it while the page is
built or as the consent dialog closes (``--cold`` shows the old way, plus the client's first
request and its lazy imports: together one 23–36 ms stall).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/semantic_backfill.py [--messages 3000] [--batch 64] [--warm]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODEL = "text-embedding-3-small"
SERVER = (
    "import sys; from tests.loopback.server import LoopbackServer\n"
    "s = LoopbackServer().start(); print(s.base_url, s.token, flush=True); sys.stdin.read(); s.stop()\n"
)
WORDS = ["the", "a", "model", "answer", "question", "about", "code", "python", "table", "bread", "zebra", "travel",
         "because", "which", "would"]


def text_for(i: int) -> str:
    # 40 to 2,000 characters, like a chat: short questions, longer answers.
    n = 8 + (i * 7919) % 380
    return " ".join(WORDS[(i + k * 3) % len(WORDS)] for k in range(n))


async def scenario(args: argparse.Namespace, base_url: str, token: str, folder: Path) -> None:
    from app.api.client import Client
    from app.semantic import Backfill, embedder
    from app.store import AsyncStore, Store

    path = folder / "parla.sqlite3"
    store = Store(path)
    with store.batch():
        for c in range(0, args.messages, 50):
            conversation = store.create_conversation(title=f"chat {c}")
            for i in range(c, min(c + 50, args.messages)):
                store.append_message(conversation.id, "user" if i % 2 == 0 else "assistant", text_for(i))
    store.close()
    astore = await AsyncStore.open(path)
    lags: list[float] = []
    stop = False

    async def probe() -> None:
        while not stop:
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append((time.perf_counter() - started) * 1000 - 1)

    def summary(values: list[float]) -> str:
        values = sorted(values)
        over = sum(1 for v in values if v > 16)
        return (f"median {statistics.median(values):.2f} ms, p99 {values[int(0.99 * (len(values) - 1))]:.2f} ms, "
                f"worst {values[-1]:.2f} ms, over 16 ms: {over} of {len(values):,}")

    # The machine's own noise first (other processes on the two cores): the same probe, idle.
    probe_task = asyncio.ensure_future(probe())
    await asyncio.sleep(2.0)
    stop = True
    await probe_task
    baseline, lags[:] = list(lags), []
    stop = False
    try:
        if not args.cold:
            # As the app does (app.ui.chat.semantic_search._load_vectors_module): numpy is imported
            # while the page is built or as the consent dialog closes, before any indexing.
            __import__("app.store.vectors")
        async with Client(base_url + "/", token, max_retries=0) as client:
            if not args.cold:
                # As the session does right after the first frame (the connection check): the
                # client's first request, with its lazy imports, is behind it when indexing starts.
                await client.models.list()
            if args.warm:
                # As in a session that already chatted and searched: numpy imported, a connection open.
                await astore.run(lambda _s: __import__("app.store.vectors"))
                await client.embeddings.create(["warm"], model=MODEL, encoding_format="base64")
            probe_task = asyncio.ensure_future(probe())
            await asyncio.sleep(0.2)
            backfill = Backfill(astore, embedder(client, MODEL, dimensions=args.dims), MODEL, batch_size=args.batch)
            started, cpu = time.perf_counter(), time.thread_time()
            await backfill.start()
            elapsed, cpu = time.perf_counter() - started, time.thread_time() - cpu
            stop = True
            await probe_task
    finally:
        await astore.close()
    print(f"backfill of {args.messages:,} messages × {args.dims} dims, batches of {args.batch} (base64): "
          f"{elapsed:.2f} s, {backfill.requests} requests, {backfill.done:,} vectors")
    print(f"UI-thread CPU while indexing: {cpu * 1000:,.0f} ms, {cpu * 1000 / max(1, backfill.requests):.1f} ms per batch "
          "(the probe included): what the loop itself spends, whatever else runs on the machine")
    print(f"loop lateness, 1 ms probe, idle (2 s):     {summary(baseline)}")
    print(f"loop lateness, 1 ms probe, while indexing: {summary(lags)}  (target: ≤ 16 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--dims", type=int, default=1536)
    parser.add_argument("--warm", action="store_true", help="import numpy and open a connection before measuring")
    parser.add_argument(
        "--cold", action="store_true",
        help="nothing before the indexing: numpy's import (on the store's thread) and the client's first "
        "request are part of it (the app does both earlier)",
    )
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        base_url, token = server.stdout.readline().split()
        import qasync
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication(sys.argv)
        with tempfile.TemporaryDirectory() as folder, asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            runner.run(scenario(args, base_url, token, Path(folder)))
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(10)


if __name__ == "__main__":
    main()
