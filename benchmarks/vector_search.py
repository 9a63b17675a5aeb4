"""Search by meaning over 100,000 stored vectors of 1,536 dimensions — target ≤ 100 ms per query.

A fresh store in a temporary folder gets ``--messages`` messages (plain SQL, in a few transactions)
and one random float32 vector each through ``put_vectors``. Then, on this thread (the store's
thread in the app):

* the write time of the vectors, and the file size;
* the first search, which loads the matrix (build/load time), and the matrix's memory;
* ``--queries`` searches with random query vectors (k = 50): median, p95 and worst;
* the same with a few fresh vectors written between queries (the cache's extra segments).

With ``--backfill N`` it also runs ``Backfill`` over N messages against the loopback server (in this
process, on its own thread: it competes for the GIL, so the figure is pessimistic) at 1,536
dimensions, and reports the longest stall of the asyncio loop from a 1 ms probe — target ≤ 16 ms.

    .venv/bin/python benchmarks/vector_search.py [--messages 100000] [--dim 1536] [--backfill 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.store import AsyncStore, Store
from app.store.vectors import (
    matrix_stats,
    pack_vector,
    put_vectors,
    search_vectors,
    text_hash,
)

MODEL = "text-embedding-3-small"


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(store: Store, messages: int, dim: int, rng: np.random.Generator) -> float:
    conn = store._conn
    per_conversation = 50
    now = time.time()
    with store.batch():
        for c in range(0, messages, per_conversation):
            conversation = store.create_conversation(title=f"chat {c}")
            conn.executemany(
                "INSERT INTO messages (conversation_id, position, role, text, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(conversation.id, i, "user" if i % 2 == 0 else "assistant", f"message {c + i}", now, now)
                 for i in range(min(per_conversation, messages - c))],
            )
    ids = [r[0] for r in conn.execute("SELECT id, text FROM messages ORDER BY id")]
    texts = {r[0]: r[1] for r in conn.execute("SELECT id, text FROM messages")}
    started = time.perf_counter()
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        block = rng.standard_normal((len(chunk), dim), dtype=np.float32)
        put_vectors(store, MODEL, [(i, text_hash(texts[i]), pack_vector(v)) for i, v in zip(chunk, block)])
    return time.perf_counter() - started


def timed_queries(store: Store, dim: int, count: int, rng: np.random.Generator, writes: bool = False) -> list[float]:
    times = []
    ids = [r[0] for r in store._conn.execute("SELECT id, text FROM messages ORDER BY id DESC LIMIT 200")]
    for n in range(count):
        if writes:
            i = ids[n % len(ids)]
            put_vectors(store, MODEL, [(i, "changed", rng.standard_normal(dim, dtype=np.float32))])
        query = rng.standard_normal(dim, dtype=np.float32)
        started = time.perf_counter()
        hits = search_vectors(store, MODEL, query, 50)
        times.append((time.perf_counter() - started) * 1000)
        assert len(hits) == 50
    return times


def report(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(f"{label:<34} median {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms   worst {ordered[-1]:6.1f} ms")


async def backfill_stall(folder: Path, messages: int) -> None:
    from app.api.client import Client
    from app.semantic import Backfill, embedder
    from tests.loopback.server import LoopbackServer

    astore = await AsyncStore.open(folder / "backfill" / "parla.sqlite3")
    conversation = await astore.create_conversation()

    def add(s: Store) -> None:
        with s.batch():
            for i in range(messages):
                s.append_message(conversation.id, "user", f"a message about topic {i} " * 8)

    await astore.run(add)
    server = LoopbackServer().start()
    stalls: list[float] = []
    stop = False

    async def probe() -> None:
        while not stop:
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            stalls.append((time.perf_counter() - started) * 1000 - 1)

    try:
        async with Client(server.base_url + "/", server.token, max_retries=0) as client:
            probe_task = asyncio.create_task(probe())
            backfill = Backfill(astore, embedder(client, MODEL), MODEL, batch_size=64)
            started = time.perf_counter()
            await backfill.start()
            elapsed = time.perf_counter() - started
            stop = True
            await probe_task
        stalls.sort()
        print(f"backfill of {messages} messages × 1536 dims (batches of 64, base64): {elapsed:.2f} s, "
              f"{backfill.requests} requests")
        print(f"  loop stall from a 1 ms probe: median {statistics.median(stalls):.2f} ms, "
              f"p99 {stalls[int(0.99 * (len(stalls) - 1))]:.2f} ms, worst {stalls[-1]:.2f} ms  (target ≤ 16 ms)")
    finally:
        server.stop()
        await astore.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=1536)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--backfill", type=int, default=0, help="also time a backfill of this many messages")
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    print(f"numpy {np.__version__}; {args.messages:,} vectors × {args.dim} dims, float32; k = 50")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "parla.sqlite3"
        store = Store(path)
        write = fill(store, args.messages, args.dim, rng)
        size = sum(p.stat().st_size for p in Path(folder).glob("parla.sqlite3*"))
        print(f"vectors written in {write:.1f} s; database {size / 2**20:,.0f} MB")
        store.close()

        store = Store(path)  # as after a restart: nothing cached
        before = rss_mb()
        started = time.perf_counter()
        search_vectors(store, MODEL, rng.standard_normal(args.dim, dtype=np.float32), 50)
        first = (time.perf_counter() - started) * 1000
        stats = matrix_stats(store, MODEL, args.dim)
        print(f"first search (loads the matrix): {first:,.0f} ms, of which loading {stats['load_seconds'] * 1000:,.0f} ms")
        print(f"matrix: {int(stats['rows']):,} rows, {stats['bytes'] / 2**20:,.0f} MiB "
              f"(RSS +{rss_mb() - before:,.0f} MiB)")
        report("query (cached matrix)", timed_queries(store, args.dim, args.queries, rng))
        report("query, a write before each", timed_queries(store, args.dim, args.queries, rng, writes=True))
        store.close()
        if args.backfill:
            asyncio.run(backfill_stall(Path(folder), args.backfill))


if __name__ == "__main__":
    main()
