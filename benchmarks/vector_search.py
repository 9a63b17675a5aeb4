"""Search by meaning over 100,000 stored vectors of 1,536 dimensions — target ≤ 100 ms per query.

A fresh store in a temporary folder gets ``--messages`` messages (plain SQL, in a few transactions)
and one random float32 vector each through ``put_vectors``. Then, on this thread (the store's
thread in the app):

* the write time of the vectors, and the file size;
* reading the matrix as the app does before a search (``preload_matrix``: slices of 8,192 rows,
  one trip to the store's thread each): total, and the longest slice — how long another store call
  may wait meanwhile; the matrix's memory;
* ``--queries`` searches with random query vectors (k = 50): median, p95 and worst;
* the same with a fresh vector written before each query (the cache's extra segments);
* with ``--busy N``, the queries again while N other processes spin (this machine's two cores are
  shared: the figure that matters is the one under load);
* with ``--compare``, the scan alone in float32 and in int8 (4× less memory, re-ranked in float32),
  to show why the cache stays float32 (see app/store/vectors.py).

The indexing side (the UI loop while embedding) is benchmarks/semantic_backfill.py.

    .venv/bin/python benchmarks/vector_search.py [--messages 100000] [--dim 1536] [--busy 2] [--compare]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.store import Store
from app.store.vectors import (
    matrix_stats,
    pack_vector,
    preload_matrix,
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


def busy() -> None:
    while True:
        pass


def compare_scans(store: Store, dim: int, rng: np.random.Generator, count: int) -> None:
    """The matrix-vector product alone: float32 (the cache) against int8 converted block by block."""
    from app.store.vectors import _matrix

    matrix = _matrix(store, MODEL, dim)
    rows = np.concatenate([s.rows for s in matrix.segments])
    scale = np.abs(rows).max(axis=1) / 127
    scale[scale == 0] = 1
    quantized = np.round(rows / scale[:, None]).astype(np.int8)
    block = np.empty((128, dim), dtype=np.float32)

    def int8_scan(q: np.ndarray) -> np.ndarray:
        out = np.empty(len(quantized), dtype=np.float32)
        for start in range(0, len(quantized), 128):
            part = quantized[start : start + 128]
            np.copyto(block[: len(part)], part, casting="unsafe")
            np.dot(block[: len(part)], q, out=out[start : start + len(part)])
        return out * scale

    for label, scan, size in (("float32 scan", lambda q: rows @ q, rows.nbytes), ("int8 scan", int8_scan, quantized.nbytes)):
        times = []
        for _ in range(count):
            q = rng.standard_normal(dim, dtype=np.float32)
            started = time.perf_counter()
            scan(q)
            times.append((time.perf_counter() - started) * 1000)
        report(f"{label} ({size / 2**20:,.0f} MiB)", times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=1536)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--busy", type=int, default=0, help="also query while this many processes spin")
    parser.add_argument("--compare", action="store_true", help="also time the scan in float32 and int8")
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
        slices = []
        started = time.perf_counter()
        while True:
            slice_started = time.perf_counter()
            complete = preload_matrix(store, MODEL)
            slices.append((time.perf_counter() - slice_started) * 1000)
            if complete:
                break
        total = (time.perf_counter() - started) * 1000
        stats = matrix_stats(store, MODEL, args.dim)
        print(f"matrix read in {len(slices)} slices: {total:,.0f} ms in all, longest slice {max(slices):,.0f} ms")
        print(f"matrix: {int(stats['rows']):,} rows, {stats['bytes'] / 2**20:,.0f} MiB "
              f"(RSS +{rss_mb() - before:,.0f} MiB)")
        report("query (matrix in memory)", timed_queries(store, args.dim, args.queries, rng))
        report("query, a write before each", timed_queries(store, args.dim, args.queries, rng, writes=True))
        if args.compare:
            compare_scans(store, args.dim, rng, args.queries)
        if args.busy:
            spinners = [multiprocessing.Process(target=busy, daemon=True) for _ in range(args.busy)]
            for spinner in spinners:
                spinner.start()
            try:
                time.sleep(0.5)
                report(f"query, {args.busy} busy processes", timed_queries(store, args.dim, args.queries, rng))
                if args.compare:
                    compare_scans(store, args.dim, rng, args.queries)
            finally:
                for spinner in spinners:
                    spinner.terminate()
        store.close()


if __name__ == "__main__":
    main()
