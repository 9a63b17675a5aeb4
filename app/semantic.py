"""Search by meaning: embedding the history in the background, and blending cosine with full-text hits.

No Qt. ``Backfill`` is a task on the UI's asyncio loop that only awaits: the database work and the
packing of vectors run on the store's thread (``AsyncStore.run``), the HTTP request is I/O, so the
loop is never held longer than the parsing of one answer — use ``embedder(client, model)``, which
asks for base64 (decoded by numpy in a couple of milliseconds) rather than a JSON list of floats.

The state of a backfill is the ``message_vectors`` table itself: stop it, quit, start again, and it
goes on with what still has no vector (or whose text was edited since).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import importlib
import logging
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.store.models import SearchHit

if TYPE_CHECKING:
    from app.store.async_store import AsyncStore
    from app.store.store import Store

log = logging.getLogger(__name__)

Embed = Callable[[list[str]], Awaitable[Sequence[Sequence[float]]]]

#: Text sent per message, at most: embedding models take about 8k tokens, and a CJK character
#: can be a token or more. The hash still covers the whole text.
MAX_EMBED_CHARS = 6000
BACKOFF_START = 1.0
BACKOFF_MAX = 300.0
SNIPPET_CHARS = 160
RRF_K = 60  # reciprocal rank fusion's constant (Cormack et al.): 1 / (60 + rank)

SOURCE_TEXT = "text"
SOURCE_MEANING = "meaning"

__all__ = [
    "Backfill",
    "BackfillState",
    "BlendedHit",
    "blend",
    "blended_search",
    "embedder",
]


def embedder(client: Any, model: str, *, dimensions: int | None = None) -> Embed:
    """An ``embed`` callable for ``Backfill`` (and for the query) over ``client.embeddings``."""

    async def embed(texts: list[str]) -> Sequence[Sequence[float]]:
        result = await client.embeddings.create(
            texts, model=model, dimensions=dimensions, encoding_format="base64"
        )
        return result.vectors

    return embed


class BackfillState(enum.Enum):
    IDLE = "idle"  # not started
    RUNNING = "running"
    PAUSED = "paused"
    WAITING = "waiting"  # after an error, until the backoff delay is over
    DONE = "done"  # everything has a vector (call start() again for what came later)
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class BackfillProgress:
    done: int
    total: int


class Backfill:
    """Embeds every message that needs it with ``model``, ``batch_size`` texts per request.

    ``start()`` makes the task; ``pause()`` lets the request in flight finish and be stored, then
    waits; ``resume()`` goes on; ``cancel()`` stops at once (a request in flight is dropped; what was
    stored stays). ``on_progress(done, total)`` after each stored batch; ``on_error(exc, delay)``
    when a request or write failed — the batch is retried after ``delay`` seconds, doubling from
    ``BACKOFF_START`` to ``BACKOFF_MAX``, reset by a success. Both callbacks run on the loop.
    """

    def __init__(
        self,
        store: AsyncStore,
        embed: Embed,
        model: str,
        batch_size: int = 64,
        *,
        on_progress: Callable[[int, int], None] | None = None,
        on_error: Callable[[BaseException, float], None] | None = None,
        on_state: Callable[[BackfillState], None] | None = None,
        backoff_start: float = BACKOFF_START,
        backoff_max: float = BACKOFF_MAX,
        max_chars: int = MAX_EMBED_CHARS,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._store = store
        self._embed = embed
        self.model = model
        self.batch_size = batch_size
        self._on_progress = on_progress
        self._on_error = on_error
        self._on_state = on_state
        self._backoff_start = backoff_start
        self._backoff_max = backoff_max
        self._max_chars = max_chars
        self._running = asyncio.Event()
        self._running.set()
        self._task: asyncio.Task[None] | None = None
        self._state = BackfillState.IDLE
        self.done = 0
        self.total = 0
        self.errors = 0
        self.requests = 0

    # -- control ----------------------------------------------------------------------------------

    @property
    def state(self) -> BackfillState:
        return self._state

    @property
    def progress(self) -> BackfillProgress:
        return BackfillProgress(self.done, self.total)

    @property
    def task(self) -> asyncio.Task[None] | None:
        return self._task

    def start(self) -> asyncio.Task[None]:
        """Start (or start again after DONE/CANCELLED); a running backfill is returned as is."""
        if self._task is not None and not self._task.done():
            return self._task
        self._running.set()
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"backfill {self.model}")
        return self._task

    def pause(self) -> None:
        if self._task is not None and not self._task.done():
            self._running.clear()
            self._set_state(BackfillState.PAUSED)

    def resume(self) -> None:
        if not self._running.is_set():
            self._running.set()
            if self._task is not None and not self._task.done():
                self._set_state(BackfillState.RUNNING)

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def wait(self) -> None:
        """Until the task ends (done or cancelled); its errors are raised here."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    # -- the work ---------------------------------------------------------------------------------

    def _set_state(self, state: BackfillState) -> None:
        if state is not self._state:
            self._state = state
            if self._on_state is not None:
                self._on_state(state)

    def _progress(self) -> None:
        if self._on_progress is not None:
            self._on_progress(self.done, self.total)

    async def _run(self) -> None:
        # app.store.vectors imports numpy (~100 ms): on the store's thread, not the UI's loop.
        vectors = await self._store.run(lambda _store: importlib.import_module("app.store.vectors"))
        try:
            self._set_state(BackfillState.RUNNING if self._running.is_set() else BackfillState.PAUSED)
            self.done, self.total = await self._store.run(functools.partial(vectors.vector_progress, model=self.model))
            self._progress()
            after = 0
            delay = self._backoff_start
            while True:
                await self._running.wait()
                pending = await self._store.run(
                    functools.partial(
                        vectors.messages_needing_vectors, model=self.model, limit=self.batch_size, after_id=after
                    )
                )
                if not pending:
                    if after == 0:
                        break
                    after = 0  # one more pass from the start: edits behind the cursor, late arrivals
                    self.done, self.total = await self._store.run(
                        functools.partial(vectors.vector_progress, model=self.model)
                    )
                    self._progress()
                    continue
                try:
                    self.requests += 1
                    result = await self._embed([p.text[: self._max_chars] for p in pending])
                    if len(result) != len(pending):
                        raise ValueError(f"{len(pending)} texts sent, {len(result)} vectors received")
                    # Packed to float32 bytes here, on the loop (~40 µs a vector), not on the store's
                    # thread: converting Python floats there holds the GIL in many short bursts while
                    # the loop waits for it after each of its own system calls (the convoy effect),
                    # which stalled the UI 20–50 ms at times; the store then only runs SQL.
                    batch = [
                        (p.message_id, p.text_hash, vectors.pack_vector(v)) for p, v in zip(pending, result, strict=True)
                    ]
                    await self._store.run(functools.partial(vectors.put_vectors, model=self.model, batch=batch))
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - reported, then retried after a pause
                    self.errors += 1
                    log.warning("embedding a batch failed (retry in %.0f s): %s", delay, exc)
                    self._set_state(BackfillState.WAITING)
                    if self._on_error is not None:
                        self._on_error(exc, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self._backoff_max)
                    self._set_state(BackfillState.RUNNING if self._running.is_set() else BackfillState.PAUSED)
                    continue
                delay = self._backoff_start
                after = pending[-1].message_id
                self.done += len(pending)
                self.total = max(self.total, self.done)
                self._progress()
            self.done, self.total = await self._store.run(functools.partial(vectors.vector_progress, model=self.model))
            self._progress()
            self._set_state(BackfillState.DONE)
        except asyncio.CancelledError:
            self._set_state(BackfillState.CANCELLED)
            raise


# -- blended search -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlendedHit:
    """A ``SearchHit`` with its blended score and what found it."""

    conversation_id: int
    message_id: int | None
    title: str
    snippet: str  # the full-text snippet (with highlights) when the text matched, else the start of the text
    rank: float  # 1-based place in the blended list
    score: float  # reciprocal rank fusion: the sum of 1 / (RRF_K + place) over the lists it is in
    sources: frozenset[str]  # SOURCE_TEXT, SOURCE_MEANING or both
    similarity: float | None  # cosine with the query, when it was among the nearest vectors
    text_rank: int | None = None  # 1-based place among the full-text hits
    meaning_rank: int | None = None  # 1-based place among the nearest vectors


def _key(conversation_id: int, message_id: int | None) -> tuple[int, int | None]:
    return (conversation_id, message_id)


def blend(
    fts_hits: Sequence[SearchHit],
    vector_hits: Sequence[tuple[int, float]],
    rows: dict[int, tuple[int, str, str]],
    k: int,
    *,
    rrf_k: int = RRF_K,
    meaning_weight: float = 1.0,
    text_weight: float = 1.0,
) -> list[BlendedHit]:
    """Reciprocal rank fusion of the full-text hits (in their order) and ``(message_id, cosine)``.

    ``rows`` maps a vector hit's message id to ``(conversation_id, title, text)``; ids missing from it
    (deleted meanwhile) are dropped. Ties keep full-text order first, then by similarity.
    """
    entries: dict[tuple[int, int | None], dict[str, Any]] = {}
    for place, hit in enumerate(fts_hits, 1):
        key = _key(hit.conversation_id, hit.message_id)
        if key in entries:
            continue
        entries[key] = {
            "conversation_id": hit.conversation_id, "message_id": hit.message_id, "title": hit.title,
            "snippet": hit.snippet, "score": text_weight / (rrf_k + place), "sources": {SOURCE_TEXT},
            "similarity": None, "text_rank": place, "meaning_rank": None, "order": (0, place),
        }
    place = 0
    for message_id, similarity in vector_hits:
        row = rows.get(message_id)
        if row is None:
            continue
        place += 1
        conversation_id, title, text = row
        key = _key(conversation_id, message_id)
        entry = entries.get(key)
        if entry is None:
            snippet = " ".join(text.split())
            if len(snippet) > SNIPPET_CHARS:
                snippet = snippet[: SNIPPET_CHARS - 1].rstrip() + "…"
            entries[key] = {
                "conversation_id": conversation_id, "message_id": message_id, "title": title,
                "snippet": snippet, "score": 0.0, "sources": set(), "similarity": None,
                "text_rank": None, "meaning_rank": None, "order": (1, -similarity),
            }
            entry = entries[key]
        if entry["meaning_rank"] is not None:
            continue
        entry["score"] += meaning_weight / (rrf_k + place)
        entry["sources"].add(SOURCE_MEANING)
        entry["similarity"] = similarity
        entry["meaning_rank"] = place
    ordered = sorted(entries.values(), key=lambda e: (-e["score"], e["order"]))[: max(0, k)]
    return [
        BlendedHit(
            conversation_id=e["conversation_id"], message_id=e["message_id"], title=e["title"],
            snippet=e["snippet"], rank=float(i), score=e["score"], sources=frozenset(e["sources"]),
            similarity=e["similarity"], text_rank=e["text_rank"], meaning_rank=e["meaning_rank"],
        )
        for i, e in enumerate(ordered, 1)
    ]


def _vector_side(
    store: Store, model: str, query_vector: Sequence[float], k: int, kinds: Collection[str] | None = None
) -> tuple[list[tuple[int, float]], dict[int, tuple[int, str, str]]]:
    from app.store import vectors

    hits = vectors.search_vectors(store, model, query_vector, k)
    if not hits:
        return [], {}
    marks = ",".join("?" * len(hits))
    rows = store._conn.execute(
        "SELECT m.id, m.conversation_id, c.title, substr(m.text, 1, 1000), c.kind FROM messages AS m "
        f"JOIN conversations AS c ON c.id = m.conversation_id WHERE m.id IN ({marks})",
        [h.message_id for h in hits],
    ).fetchall()
    wanted = None if kinds is None else {str(kind) for kind in kinds}
    return [(h.message_id, h.score) for h in hits], {
        r[0]: (r[1], r[2], r[3]) for r in rows if wanted is None or r[4] in wanted
    }


async def blended_search(
    store: AsyncStore,
    query_vector: Sequence[float],
    fts_hits: Sequence[SearchHit],
    k: int = 50,
    *,
    model: str,
    rrf_k: int = RRF_K,
    kinds: Collection[str] | None = None,
) -> list[BlendedHit]:
    """The ``k`` best of the full-text hits and the ``k`` nearest messages by cosine, fused by rank.

    ``fts_hits`` is what ``store.search(text)`` returned for the same query; ``query_vector`` its
    embedding with ``model`` (the model the history was embedded with). The cosine part runs on the
    store's thread. ``kinds``: only messages of conversations of these kinds are found by meaning
    (the Chat tab leaves out completion sessions, as its full-text search does).
    """
    vector_hits, rows = await store.run(lambda s: _vector_side(s, model, query_vector, k, kinds))
    return blend(fts_hits, vector_hits, rows, k, rrf_k=rrf_k)
