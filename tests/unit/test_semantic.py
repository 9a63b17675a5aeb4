"""Search by meaning: the background backfill against the loopback /embeddings, and the blended ranking."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio

from app.api.client import Client
from app.semantic import (
    SOURCE_MEANING,
    SOURCE_TEXT,
    Backfill,
    BackfillState,
    blend,
    blended_search,
    embedder,
)
from app.store import AsyncStore, SearchHit, vectors
from tests.loopback.server import LoopbackServer

MODEL = "text-embedding-3-small"
DIMS = 8


@pytest_asyncio.fixture
async def client(loopback: LoopbackServer) -> AsyncIterator[Client]:
    async with Client(loopback.base_url + "/", loopback.token, max_retries=0) as client:
        yield client


@pytest_asyncio.fixture
async def astore(tmp_path: Path) -> AsyncIterator[AsyncStore]:
    s = await AsyncStore.open(tmp_path / "data" / "parla.sqlite3")
    yield s
    await s.close()


async def fill(astore: AsyncStore, conversations: int, per: int) -> dict[int, str]:
    texts: dict[int, str] = {}
    for c in range(conversations):
        conversation = await astore.create_conversation()
        for i in range(per):
            text = f"conversation {c} message {i}"
            message = await astore.append_message(conversation.id, "user" if i % 2 == 0 else "assistant", text)
            texts[message.id] = text
    return texts


async def stored(astore: AsyncStore) -> dict[int, tuple[str, list[float]]]:
    def read(s):  # type: ignore[no-untyped-def]
        rows = s._conn.execute("SELECT message_id, text_hash, vector FROM message_vectors WHERE model = ?", (MODEL,))
        return {r[0]: (r[1], vectors.unpack_vector(r[2]).tolist()) for r in rows}

    return await astore.run(read)


def assert_all_covered(rows: dict[int, tuple[str, list[float]]], texts: dict[int, str], loopback: LoopbackServer) -> None:
    assert sorted(rows) == sorted(texts)
    for message_id, text in texts.items():
        h, vector = rows[message_id]
        assert h == vectors.text_hash(text)
        assert vector == pytest.approx(loopback.embedding(text, DIMS), abs=1e-6)


class Counting:
    """Wraps an embed callable: counts requests and texts, and can hold one request open."""

    def __init__(self, inner, hold_at: int | None = None) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.calls = 0
        self.texts: list[str] = []
        self.hold_at = hold_at
        self.held = asyncio.Event()

    async def __call__(self, texts: list[str]):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == self.hold_at:
            self.held.set()
            await asyncio.Event().wait()  # until cancelled
        self.texts.extend(texts)
        return await self.inner(texts)


# -- backfill -------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_backfill_embeds_everything_in_batches(astore: AsyncStore, client: Client, loopback: LoopbackServer) -> None:
    texts = await fill(astore, 3, 7)  # 21 messages
    progress: list[tuple[int, int]] = []
    states: list[BackfillState] = []
    embed = Counting(embedder(client, MODEL, dimensions=DIMS))
    backfill = Backfill(astore, embed, MODEL, batch_size=5, on_progress=lambda d, t: progress.append((d, t)),
                        on_state=states.append)
    await backfill.start()
    assert backfill.state is BackfillState.DONE and states == [BackfillState.RUNNING, BackfillState.DONE]
    assert embed.calls == 5 and sorted(embed.texts) == sorted(texts.values())
    assert progress[0] == (0, 21) and progress[-1] == (21, 21)
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert_all_covered(await stored(astore), texts, loopback)
    requests = [r for r in loopback.requests if r.path.endswith("/embeddings")]
    assert [len(r.json["input"]) for r in requests] == [5, 5, 5, 5, 1]
    assert all(r.json["encoding_format"] == "base64" for r in requests)
    # nothing left: a second run sends nothing
    again = Counting(embedder(client, MODEL, dimensions=DIMS))
    await Backfill(astore, again, MODEL).start()
    assert again.calls == 0


@pytest.mark.asyncio
async def test_backfill_interrupted_then_resumed_after_a_restart(
    tmp_path: Path, client: Client, loopback: LoopbackServer
) -> None:
    path = tmp_path / "data" / "parla.sqlite3"
    astore = await AsyncStore.open(path)
    texts = await fill(astore, 4, 10)  # 40 messages, batches of 6 → 7 requests
    first = Counting(embedder(client, MODEL, dimensions=DIMS), hold_at=4)
    backfill = Backfill(astore, first, MODEL, batch_size=6)
    backfill.start()
    await asyncio.wait_for(first.held.wait(), 10)  # 3 batches stored, the 4th in flight
    backfill.cancel()
    await backfill.wait()
    assert backfill.state is BackfillState.CANCELLED
    assert len(await stored(astore)) == 18 and backfill.progress.done == 18
    await astore.close()  # the app quits

    astore = await AsyncStore.open(path)
    try:
        second = Counting(embedder(client, MODEL, dimensions=DIMS))
        resumed = Backfill(astore, second, MODEL, batch_size=6)
        await resumed.start()
        assert resumed.state is BackfillState.DONE and resumed.progress.done == resumed.progress.total == 40
        assert len(second.texts) == 22 and second.calls == 4  # only what was missing
        assert not set(first.texts) & set(second.texts)  # no message embedded twice
        assert sorted(first.texts + second.texts) == sorted(texts.values())
        assert await astore.run(functools.partial(vectors.vector_count, model=MODEL)) == 40
        assert_all_covered(await stored(astore), texts, loopback)
    finally:
        await astore.close()


@pytest.mark.asyncio
async def test_edited_and_new_messages_are_picked_up(astore: AsyncStore, client: Client, loopback: LoopbackServer) -> None:
    texts = await fill(astore, 1, 4)
    embed = Counting(embedder(client, MODEL, dimensions=DIMS))
    await Backfill(astore, embed, MODEL).start()
    first_id = min(texts)
    await astore.edit_message(first_id, "edited text")
    texts[first_id] = "edited text"
    conversation = await astore.create_conversation()
    new = await astore.append_message(conversation.id, "user", "a late arrival")
    texts[new.id] = "a late arrival"
    embed.texts.clear()
    await Backfill(astore, embed, MODEL).start()
    assert sorted(embed.texts) == ["a late arrival", "edited text"]
    assert_all_covered(await stored(astore), texts, loopback)


@pytest.mark.asyncio
async def test_pause_and_resume(astore: AsyncStore, client: Client, loopback: LoopbackServer) -> None:
    texts = await fill(astore, 2, 10)
    embed = Counting(embedder(client, MODEL, dimensions=DIMS))
    backfill: Backfill

    def on_progress(done: int, total: int) -> None:
        if done == 4:
            backfill.pause()

    backfill = Backfill(astore, embed, MODEL, batch_size=4, on_progress=on_progress)
    task = backfill.start()
    for _ in range(200):
        if backfill.state is BackfillState.PAUSED:
            break
        await asyncio.sleep(0.005)
    assert backfill.state is BackfillState.PAUSED
    await asyncio.sleep(0.2)
    assert embed.calls == 1 and backfill.progress.done == 4 and not task.done()  # nothing while paused
    backfill.resume()
    assert backfill.state is BackfillState.RUNNING
    await asyncio.wait_for(task, 10)
    assert backfill.state is BackfillState.DONE and embed.calls == 5
    assert_all_covered(await stored(astore), texts, loopback)


@pytest.mark.asyncio
async def test_errors_are_reported_with_backoff_then_retried(astore: AsyncStore, client: Client,
                                                             loopback: LoopbackServer) -> None:
    texts = await fill(astore, 1, 3)
    real = embedder(client, MODEL, dimensions=DIMS)
    calls = 0

    async def flaky(batch: list[str]):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls <= 3:
            raise ConnectionError("offline")
        if calls == 4:
            return [[1.0]]  # wrong count: an error too
        return await real(batch)

    errors: list[tuple[str, float]] = []
    backfill = Backfill(astore, flaky, MODEL, on_error=lambda e, d: errors.append((type(e).__name__, d)),
                        backoff_start=0.01, backoff_max=0.03)
    await asyncio.wait_for(backfill.start(), 10)
    assert errors == [("ConnectionError", 0.01), ("ConnectionError", 0.02), ("ConnectionError", 0.03),
                      ("ValueError", 0.03)]
    assert calls == 5 and backfill.errors == 4 and backfill.state is BackfillState.DONE
    assert_all_covered(await stored(astore), texts, loopback)


@pytest.mark.asyncio
async def test_backoff_does_not_spin(astore: AsyncStore) -> None:
    await fill(astore, 1, 2)
    calls = 0

    async def down(batch: list[str]):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        raise ConnectionError("offline")

    backfill = Backfill(astore, down, MODEL, backoff_start=0.05, backoff_max=10)
    backfill.start()
    await asyncio.sleep(0.5)  # waits 0.05, 0.1, 0.2, then 0.4: four attempts at most
    assert calls <= 4 and backfill.state is BackfillState.WAITING
    backfill.cancel()
    await backfill.wait()
    assert backfill.state is BackfillState.CANCELLED


# -- blended ranking ------------------------------------------------------------------------------------


def hit(conversation_id: int, message_id: int | None, snippet: str = "") -> SearchHit:
    return SearchHit(conversation_id, message_id, f"title {conversation_id}", snippet or f"m{message_id}", 0.0)


def test_blend_fuses_ranks() -> None:
    fts = [hit(1, 10, "\x02cat\x03"), hit(1, 11), hit(2, None)]  # 10, 11, then a title hit
    meaning = [(12, 0.9), (10, 0.8), (13, 0.7), (99, 0.6)]  # 99 was deleted meanwhile
    rows = {10: (1, "title 1", "cat"), 12: (1, "title 1", "a feline " * 40), 13: (3, "title 3", "dog")}
    blended = blend(fts, meaning, rows, k=10)
    assert [(b.conversation_id, b.message_id) for b in blended] == [(1, 10), (1, 12), (1, 11), (2, None), (3, 13)]
    # (2, None) and 13 are both third in their lists: a tie, and full-text hits go first
    top = blended[0]
    assert top.sources == {SOURCE_TEXT, SOURCE_MEANING} and (top.text_rank, top.meaning_rank) == (1, 2)
    assert top.snippet == "\x02cat\x03" and top.similarity == 0.8  # the full-text snippet wins
    assert top.score == pytest.approx(1 / 61 + 1 / 62)
    assert blended[1].sources == {SOURCE_MEANING} and blended[1].similarity == 0.9
    assert blended[1].snippet.endswith("…") and len(blended[1].snippet) <= 160
    assert blended[2].sources == {SOURCE_TEXT} and blended[2].similarity is None
    assert [b.rank for b in blended] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert blended[4].meaning_rank == 3  # the deleted message took no place
    assert [b.message_id for b in blend(fts, meaning, rows, k=2)] == [10, 12]
    assert blend([], [], {}, 5) == []


@pytest.mark.asyncio
async def test_blended_search_over_stored_vectors(astore: AsyncStore) -> None:
    conversation = await astore.create_conversation()
    said = ["I adopted a kitten", "the weather is cold", "my cat sleeps all day", "stock prices fell"]
    ids = [(await astore.append_message(conversation.id, "user", t)).id for t in said]
    # 'meaning' vectors whose order against the query is known: kitten 0°, cat 20°, weather 70°, stocks 90°
    angles = {ids[0]: 0, ids[2]: 20, ids[1]: 70, ids[3]: 90}
    batch = [(i, vectors.text_hash(said[ids.index(i)]), [float(np.cos(np.radians(a))), float(np.sin(np.radians(a)))])
             for i, a in angles.items()]
    await astore.run(functools.partial(vectors.put_vectors, model=MODEL, batch=batch))
    fts = await astore.search("cat")
    assert [h.message_id for h in fts] == [ids[2]]
    results = await blended_search(astore, [1.0, 0.0], fts, k=3, model=MODEL)
    assert [r.message_id for r in results] == [ids[2], ids[0], ids[1]]  # found both ways, first
    assert results[0].sources == {SOURCE_TEXT, SOURCE_MEANING}
    assert results[1].sources == {SOURCE_MEANING} and results[1].snippet == "I adopted a kitten"
    assert results[1].title == results[0].title and results[1].conversation_id == conversation.id
    only_text = await blended_search(astore, [1.0, 0.0], fts, k=3, model="never-embedded")
    assert [(r.message_id, r.sources) for r in only_text] == [(ids[2], frozenset({SOURCE_TEXT}))]


def test_the_store_cuts_texts_as_the_backfill_sends_them() -> None:
    from app.semantic import MAX_EMBED_CHARS

    assert vectors.MAX_SENT_CHARS == MAX_EMBED_CHARS  # the confirmation's count matches what is sent


@pytest.mark.asyncio
async def test_blended_search_keeps_to_the_kinds_asked_for(astore: AsyncStore) -> None:
    chat = await astore.create_conversation(title="chat")
    completion = await astore.create_conversation(title="completion", kind="completion")
    a = await astore.append_message(chat.id, "user", "about owls")
    b = await astore.append_message(completion.id, "user", "about owls too")
    batch = [(a.id, vectors.text_hash(a.text), [1.0, 0.0]), (b.id, vectors.text_hash(b.text), [1.0, 0.1])]
    await astore.run(functools.partial(vectors.put_vectors, model=MODEL, batch=batch))
    everything = await blended_search(astore, [1.0, 0.0], [], k=5, model=MODEL)
    assert [r.message_id for r in everything] == [a.id, b.id]
    chats = await blended_search(astore, [1.0, 0.0], [], k=5, model=MODEL, kinds=["chat", "voice"])
    assert [r.message_id for r in chats] == [a.id]
