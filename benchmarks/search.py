"""Full-text search over a large history: how long the sidebar's search takes (target ≤ 50 ms).

Builds (once, then reuses with ``--keep``) a store of 200,000 messages in 2,000 conversations —
English prose from a 5,000-word vocabulary, code, and one message in ten in Chinese — and times
the queries a user types: a rare word, a common word, two words, a phrase, a word of two Chinese
characters (too short for the trigram index: the LIKE path), three Chinese characters, a prefix,
and a word that is nowhere. Each query is timed through ``AsyncStore`` (the thread hop the UI
pays included), as the Chat tab runs it (``ChatController.search``: 50 hits, chats only).

    .venv/bin/python benchmarks/search.py [--messages 200000] [--db PATH] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.store import AsyncStore, Role, Store  # noqa: E402

CHINESE = "量子计算利用叠加和纠缠来处理信息我们今天讨论机器学习模型的训练数据与推理速度以及内存布局和缓存的影响"


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(size * 2)}
    common = ["the", "model", "data", "function", "value", "return", "error", "user", "time", "memory"]
    return common * 50 + sorted(words)[:size]


def build(path: Path, messages: int, per_conversation: int = 100) -> None:
    rng = random.Random(3)
    words = vocabulary(rng)
    started = time.perf_counter()
    with Store(path) as store:
        conversations = messages // per_conversation
        for c in range(conversations):
            with store.batch():
                conversation = store.create_conversation(title=" ".join(rng.choice(words) for _ in range(4)))
                for i in range(per_conversation):
                    if rng.random() < 0.1:
                        start = rng.randrange(len(CHINESE) - 20)
                        text = CHINESE[start : start + rng.randint(10, 30)] * rng.randint(1, 4)
                    elif rng.random() < 0.15:
                        name = rng.choice(words)
                        text = f"```python\ndef {name}(x):\n    return x * {rng.randint(1, 99)}\n```"
                    else:
                        text = " ".join(rng.choice(words) for _ in range(rng.randint(10, 80)))
                    if (c * per_conversation + i) % 50_000 == 777:
                        text += " quetzalcoatl"  # a word in four messages only
                    store.append_message(conversation.id, Role.USER if i % 2 == 0 else Role.ASSISTANT, text)
            if c % 200 == 199:
                print(f"  {(c + 1) * per_conversation} messages ({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"built {messages} messages in {time.perf_counter() - started:.0f} s, "
          f"{path.stat().st_size / 1e6:.0f} MB")


async def measure(path: Path, runs: int) -> None:
    from app.ui.chat.controller import _search_chats

    store = await AsyncStore.open(path)
    middling = vocabulary(random.Random(3))[600]  # a vocabulary word: in about a thousand messages
    queries = [
        ("rare word (4 messages)", "quetzalcoatl"),
        ("middling word", middling),
        ("common word", "model"),
        ("two words", f"model {middling}"),
        ("phrase", '"return the"'),
        ("2 Chinese chars (LIKE)", "量子"),
        ("3 Chinese chars", "机器学"),
        ("2 letters (LIKE)", "qu"),
        ("2 letters, nowhere (LIKE)", "zq"),
        ("absent word", "zzyzzyxq"),
    ]
    total = await store.run(lambda s: s._conn.execute("SELECT count(*) FROM messages").fetchone()[0])  # noqa: SLF001
    print(f"{total} messages; each query {runs} times through AsyncStore (50 hits, chats only)")
    worst = 0.0
    for label, query in queries:
        times = []
        hits = 0
        for _ in range(runs):
            started = time.perf_counter()
            result = await store.run(lambda s, q=query: _search_chats(s, q, 50))
            times.append((time.perf_counter() - started) * 1000)
            hits = len(result)
        worst = max(worst, max(times[1:]) if len(times) > 1 else times[0])
        print(f"  {label:24s} {query!r:22s} {hits:3d} hits   first {times[0]:6.1f} ms   "
              f"median {statistics.median(times):6.1f} ms   max {max(times):6.1f} ms")
    print(f"slowest warm query: {worst:.1f} ms (target ≤ 50 ms)")
    await store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the database")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.gettempdir()) / "parla-search-bench"
    path = args.db or folder / f"search-{args.messages}.sqlite3"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        build(path, args.messages)
    try:
        asyncio.run(measure(path, args.runs))
    finally:
        if not args.keep and args.db is None:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
