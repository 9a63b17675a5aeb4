"""Embeddings of messages in SQLite, and cosine search over them with numpy.

Functions of a ``Store`` (``put_vectors(store, …)``), run on the store's thread: from the UI through
``AsyncStore.run(functools.partial(put_vectors, model=…, batch=…))``. Nothing here touches the
event loop.

Storage: ``message_vectors`` (schema migration 3), one row per (message, model), the vector as
little-endian float32 bytes with its dimension and the hash of the text it was computed from. The
table is the backfill's whole state: ``messages_needing_vectors`` lists, in id order, the messages
with no vector yet or whose text changed since, so a backfill resumes where it stopped.

Search: a model's vectors are read once into one normalized float32 matrix, kept per store
(100,000 × 1,536 is 587 MiB; a query is one matrix-vector product, 20–25 ms on this 2-core VM when
idle, 50–100 ms while other processes load both cores; see benchmarks/vector_search.py). The
matrix is read in slices (``preload_matrix``, 8,192 rows, ~0.3 s each) that fill one array sized
from the index, so the UI can read it ahead, a trip to the store's thread per slice, without
holding other store calls for seconds, and the result is still one block for the BLAS product.
Why float32 and not int8 or float16: numpy has no BLAS for them; int8 converted block by block
costs 4× less memory but is ~2× slower (41–50 ms idle, 90–230 ms under load, against 21–28 and
62–124 ms) and float16 is ~8× slower, so the memory-for-speed trade is not made.
Writes do not throw the matrix away: new vectors are appended as small extra segments and replaced
rows are masked, until the extras grow past a quarter of the base and the next search reloads.
Messages that were deleted (their vectors went by cascade) are filtered out of the candidates by
one look-up, so the cache is always a superset of the truth and never needs to see every write.
``drop_matrix`` frees it (search by meaning turned off).
"""

from __future__ import annotations

import hashlib
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from app.store.store import Store

#: Messages worth embedding: finished ones, said by the user or the model.
EMBEDDABLE_ROLES = ("user", "assistant")
EMBEDDABLE_STATE = "complete"
_LOAD_CHUNK = 4096  # rows per block while loading and normalizing (bounds the temporaries)
_COMPACT_FRACTION = 0.25  # extra rows, relative to the base, past which the matrix is reloaded
_COMPACT_SEGMENTS = 64
#: Vectors read per slice when the matrix is loaded (one trip to the store's thread each).
SLICE_ROWS = 8192
_HASH_FUNCTION = "parla_text_hash"
#: Characters of a message sent to be embedded (app.semantic.MAX_EMBED_CHARS; the core of the
#: store does not import app.semantic).
MAX_SENT_CHARS = 6000

__all__ = [
    "EMBEDDABLE_ROLES",
    "PendingText",
    "VectorHit",
    "delete_vectors",
    "drop_matrix",
    "matrix_loaded",
    "messages_needing_vectors",
    "pack_vector",
    "pending_size",
    "preload_matrix",
    "put_vectors",
    "search_vectors",
    "text_hash",
    "unpack_vector",
    "vector_count",
    "vector_progress",
]


def text_hash(text: str) -> str:
    """The hash stored with a vector: 128-bit BLAKE2b of the UTF-8 text, hex."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def pack_vector(vector: Sequence[float] | np.ndarray) -> bytes:
    """float32 little-endian bytes; refuses empty and non-finite vectors."""
    array = np.asarray(vector, dtype="<f4")
    if array.ndim != 1 or array.size == 0:
        raise ValueError("a vector must be a non-empty list of numbers")
    if not np.isfinite(array).all():
        raise ValueError("a vector holds NaN or infinity")
    return array.tobytes()


def unpack_vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")


@dataclass(frozen=True, slots=True)
class PendingText:
    """A message to embed; ``text_hash`` goes back with its vector to ``put_vectors``."""

    message_id: int
    text: str
    text_hash: str


@dataclass(frozen=True, slots=True)
class VectorHit:
    message_id: int
    score: float  # cosine similarity, -1…1


# -- the SQL side ---------------------------------------------------------------------------------


def _conn(store: Store) -> Any:
    conn = store._conn
    # Registering is idempotent and cheap; the function lets SQLite compare hashes in the scan.
    conn.create_function(_HASH_FUNCTION, 1, text_hash, deterministic=True)
    return conn


_ELIGIBLE = (
    f"m.state = '{EMBEDDABLE_STATE}' AND m.role IN ({', '.join(repr(r) for r in EMBEDDABLE_ROLES)}) "
    "AND trim(m.text) != '' AND c.deleted_at IS NULL"
)


def put_vectors(
    store: Store,
    model: str,
    batch: Iterable[tuple[int, str, Sequence[float] | np.ndarray | bytes]],
) -> int:
    """Store ``(message_id, text_hash, vector)`` rows for ``model`` (one transaction); return how many.

    A vector may be floats or already packed bytes (``pack_vector``). A row replaces the message's
    earlier vector of that model. Rows for messages deleted meanwhile are skipped, not an error.
    """
    if not model:
        raise ValueError("no embedding model")
    rows: list[tuple[int, str, str, int, float, bytes, int]] = []
    now = store._now()
    for message_id, hash_, vector in batch:
        blob = bytes(vector) if isinstance(vector, (bytes, bytearray, memoryview)) else pack_vector(vector)
        if not blob or len(blob) % 4:
            raise ValueError("a packed vector must be a non-empty run of float32 values")
        rows.append((int(message_id), model, hash_, len(blob) // 4, now, blob, int(message_id)))
    if not rows:
        return 0
    conn = _conn(store)
    written = 0
    with store.batch():
        for row in rows:
            cursor = conn.execute(
                "INSERT INTO message_vectors (message_id, model, text_hash, dim, created_at, vector) "
                "SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM messages WHERE id = ?) "
                "ON CONFLICT (message_id, model) DO UPDATE SET text_hash = excluded.text_hash, "
                "dim = excluded.dim, created_at = excluded.created_at, vector = excluded.vector",
                row,
            )
            written += cursor.rowcount
    _cache_add(store, model, rows)
    return written


def messages_needing_vectors(store: Store, model: str, limit: int = 64, after_id: int = 0) -> list[PendingText]:
    """Up to ``limit`` messages after ``after_id`` (id order) with no vector of ``model`` for their text.

    That is: finished user and assistant messages with some text, in conversations not in the
    trash, never embedded with this model or edited since. Pass the last id back as ``after_id`` to
    go on; a new pass from 0 picks up what was edited behind the cursor.
    """
    rows = _conn(store).execute(
        "SELECT m.id, m.text FROM messages AS m JOIN conversations AS c ON c.id = m.conversation_id "
        "LEFT JOIN message_vectors AS v ON v.message_id = m.id AND v.model = ? "
        f"WHERE m.id > ? AND {_ELIGIBLE} "
        f"AND (v.message_id IS NULL OR v.text_hash != {_HASH_FUNCTION}(m.text)) "
        "ORDER BY m.id LIMIT ?",
        (model, after_id, max(0, int(limit))),
    ).fetchall()
    return [PendingText(row[0], row[1], text_hash(row[1])) for row in rows]


def vector_count(store: Store, model: str) -> int:
    """Vectors stored for ``model`` (any dimension, current or stale)."""
    return int(_conn(store).execute("SELECT count(*) FROM message_vectors WHERE model = ?", (model,)).fetchone()[0])


def vector_progress(store: Store, model: str) -> tuple[int, int]:
    """``(done, total)``: messages worth embedding, and those with an up-to-date vector of ``model``."""
    row = _conn(store).execute(
        "SELECT count(*), count(v.message_id) FROM messages AS m "
        "JOIN conversations AS c ON c.id = m.conversation_id "
        "LEFT JOIN message_vectors AS v ON v.message_id = m.id AND v.model = ? "
        f"AND v.text_hash = {_HASH_FUNCTION}(m.text) WHERE {_ELIGIBLE}",
        (model,),
    ).fetchone()
    return int(row[1]), int(row[0])


def pending_size(store: Store, model: str) -> tuple[int, int, int]:
    """``(vectors, messages, characters)``: up-to-date vectors of ``model``, and what still needs one.

    What the confirmation before turning search by meaning on shows: the work, and so the tokens,
    it will cost (characters are counted up to ``MAX_SENT_CHARS`` per message, as they are sent).
    """
    row = _conn(store).execute(
        "SELECT count(v.message_id), count(*) - count(v.message_id), "
        "coalesce(sum(CASE WHEN v.message_id IS NULL THEN min(length(m.text), ?) ELSE 0 END), 0) "
        "FROM messages AS m JOIN conversations AS c ON c.id = m.conversation_id "
        "LEFT JOIN message_vectors AS v ON v.message_id = m.id AND v.model = ? "
        f"AND v.text_hash = {_HASH_FUNCTION}(m.text) WHERE {_ELIGIBLE}",
        (MAX_SENT_CHARS, model),
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def delete_vectors(store: Store, model: str | None = None) -> int:
    """Forget the vectors of ``model`` (all models when None): search by meaning turned off."""
    conn = _conn(store)
    with store.batch():
        if model is None:
            cursor = conn.execute("DELETE FROM message_vectors")
        else:
            cursor = conn.execute("DELETE FROM message_vectors WHERE model = ?", (model,))
    caches = _CACHES.get(store)
    if caches:
        for key in [k for k in caches if model is None or k[0] == model]:
            del caches[key]
    return cursor.rowcount


# -- the matrix -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Segment:
    ids: np.ndarray  # int64, sorted
    rows: np.ndarray  # float32 (n, dim), each row of length 1 (or 0 for a zero vector)
    alive: np.ndarray  # bool (n,)


@dataclass(slots=True)
class _Matrix:
    dim: int
    segments: list[_Segment] = field(default_factory=list)
    base_rows: int = 0  # rows read from the table (the slices)
    base_segments: int = 0
    extra_rows: int = 0  # rows appended by writes since
    load_seconds: float = 0.0
    cursor: int = 0  # the last message id read, while the slices are being read
    complete: bool = False  # every slice read
    buffer: _Segment | None = None  # the whole-size arrays the slices fill (the first segment views them)
    buffered: int = 0  # rows of ``buffer`` filled

    @property
    def nbytes(self) -> int:
        return sum(s.rows.nbytes + s.ids.nbytes + s.alive.nbytes for s in self.segments)

    def stale(self) -> bool:
        """Too many writes appended since the load: the next search reads the table again."""
        return self.complete and (
            self.extra_rows > max(1024, _COMPACT_FRACTION * self.base_rows)
            or len(self.segments) - self.base_segments > _COMPACT_SEGMENTS
        )

    def kill(self, ids: np.ndarray) -> None:
        for segment in self.segments:
            if not len(segment.ids):
                continue
            where = np.searchsorted(segment.ids, ids)
            where = np.minimum(where, len(segment.ids) - 1)
            found = segment.ids[where] == ids
            segment.alive[where[found]] = False


_CACHES: weakref.WeakKeyDictionary[Store, dict[tuple[str, int], _Matrix]] = weakref.WeakKeyDictionary()


def _normalize(rows: np.ndarray) -> None:
    """Scale each row to length 1 in place, a block at a time (no full-size temporary)."""
    for start in range(0, len(rows), _LOAD_CHUNK):
        block = rows[start : start + _LOAD_CHUNK]
        norms = np.sqrt(np.einsum("ij,ij->i", block, block))
        norms[norms == 0] = 1.0
        block /= norms[:, None]


def _load_slice(store: Store, model: str, matrix: _Matrix, limit: int = SLICE_ROWS) -> None:
    """Read the next ``limit`` vectors (id order) into ``matrix``.

    The first slice sizes one array for every row there is (counted from the index), and each
    slice fills the next part of it: the finished matrix is one block, so a search is one
    matrix-vector product (one wake-up of the BLAS threads — with the two cores shared, each
    wake-up can cost a scheduling slice). Rows beyond the count (written meanwhile) become a
    segment of their own. Vectors written while the slices are read may already sit in an appended
    segment: the table is the truth, so those rows are masked before the slice goes in.
    """
    started = time.perf_counter()
    dim = matrix.dim
    conn = _conn(store)
    if matrix.buffer is None:
        count = conn.execute(
            "SELECT count(*) FROM message_vectors WHERE model = ? AND dim = ? AND message_id > ?",
            (model, dim, matrix.cursor),
        ).fetchone()[0]
        matrix.buffer = _Segment(
            np.empty(count, dtype=np.int64), np.empty((count, dim), dtype=np.float32), np.ones(count, dtype=bool)
        )
        matrix.segments.insert(0, _Segment(matrix.buffer.ids[:0], matrix.buffer.rows[:0], matrix.buffer.alive[:0]))
        matrix.base_segments += 1
    buffer = matrix.buffer
    at = matrix.buffered
    room = len(buffer.ids) - at
    if room > 0:
        ids, rows, alive = buffer.ids[at : at + limit], buffer.rows[at : at + limit], buffer.alive[at : at + limit]
    else:
        ids, rows = np.empty(limit, dtype=np.int64), np.empty((limit, dim), dtype=np.float32)
        alive = np.ones(limit, dtype=bool)
    want = min(limit, room) if room > 0 else limit
    filled = 0
    cursor = conn.execute(
        "SELECT message_id, vector FROM message_vectors WHERE model = ? AND dim = ? AND message_id > ? "
        "ORDER BY message_id LIMIT ?",
        (model, dim, matrix.cursor, want),
    )
    while True:
        chunk = cursor.fetchmany(_LOAD_CHUNK)
        if not chunk:
            break
        n = len(chunk)
        ids[filled : filled + n] = [r[0] for r in chunk]
        rows[filled : filled + n] = np.frombuffer(b"".join(r[1] for r in chunk), dtype="<f4").reshape(n, dim)
        filled += n
    if filled:
        _normalize(rows[:filled])
        matrix.kill(ids[:filled])
        if room > 0:
            matrix.buffered += filled
            n = matrix.buffered
            matrix.segments[0] = _Segment(buffer.ids[:n], buffer.rows[:n], buffer.alive[:n])
        else:
            matrix.segments.append(_Segment(ids[:filled].copy(), rows[:filled].copy(), alive[:filled].copy()))
            matrix.base_segments += 1
        matrix.base_rows += filled
        matrix.cursor = int(ids[filled - 1])
    if filled < want:
        matrix.complete = True
    matrix.load_seconds += time.perf_counter() - started


def _matrix(store: Store, model: str, dim: int) -> _Matrix:
    """The model's cached matrix for ``dim``, read (the rest of it) now if needed."""
    caches = _CACHES.setdefault(store, {})
    matrix = caches.get((model, dim))
    if matrix is None or matrix.stale():
        matrix = caches[(model, dim)] = _Matrix(dim)
    while not matrix.complete:
        _load_slice(store, model, matrix)
    return matrix


def drop_matrix(store: Store, model: str | None = None) -> None:
    """Free the memory of ``model``'s cached matrix (every model's when None); the table stays."""
    caches = _CACHES.get(store)
    if caches:
        for key in [k for k in caches if model is None or k[0] == model]:
            del caches[key]


def matrix_loaded(store: Store, model: str) -> bool:
    """Whether a complete matrix of ``model`` is in memory (for tests and logs)."""
    return any(key[0] == model and matrix.complete for key, matrix in _CACHES.get(store, {}).items())


def preload_matrix(store: Store, model: str, limit: int = SLICE_ROWS) -> bool:
    """Read one more slice of ``model``'s vectors into the cache; True once it is all there.

    For the UI: called again and again (each call a separate trip to the store's thread) while the
    user is about to search, so the first search finds the matrix ready, and no other call to the
    store waits more than one slice (8,192 × 1,536 floats: about 0.2 s) meanwhile. Only vectors of
    the dimension of the latest one take part (a query has that dimension).
    """
    row = _conn(store).execute(
        "SELECT dim FROM message_vectors WHERE model = ? ORDER BY message_id DESC LIMIT 1", (model,)
    ).fetchone()
    if row is None:
        return True
    caches = _CACHES.setdefault(store, {})
    matrix = caches.get((model, int(row[0])))
    if matrix is None or matrix.stale():
        matrix = caches[(model, int(row[0]))] = _Matrix(int(row[0]))
    if not matrix.complete:
        _load_slice(store, model, matrix, limit)
    return matrix.complete


def _cache_add(store: Store, model: str, rows: Sequence[tuple[int, str, str, int, float, bytes, int]]) -> None:
    """Keep a loaded matrix in step with vectors just written (appended segment, replaced rows masked)."""
    caches = _CACHES.get(store)
    if not caches:
        return
    by_dim: dict[int, list[tuple[int, bytes]]] = {}
    for message_id, _model, _hash, dim, _now, blob, _ in rows:
        by_dim.setdefault(dim, []).append((message_id, blob))
    every_id = np.array(sorted({r[0] for r in rows}), dtype=np.int64)
    for (cached_model, dim), matrix in list(caches.items()):
        if cached_model != model:
            continue
        matrix.kill(every_id)  # replaced here, or moved to another dimension
        fresh = sorted(dict(by_dim.get(dim, [])).items())
        if not fresh:
            continue
        ids = np.array([f[0] for f in fresh], dtype=np.int64)
        block = np.frombuffer(b"".join(f[1] for f in fresh), dtype="<f4").reshape(len(fresh), dim).copy()
        _normalize(block)
        matrix.segments.append(_Segment(ids, block, np.ones(len(ids), dtype=bool)))
        matrix.extra_rows += len(ids)


def matrix_stats(store: Store, model: str, dim: int) -> dict[str, float]:
    """Rows, bytes and load time of the cached matrix (loading it if needed): for benchmarks and logs."""
    matrix = _matrix(store, model, dim)
    return {
        "rows": float(sum(int(s.alive.sum()) for s in matrix.segments)),
        "bytes": float(matrix.nbytes),
        "load_seconds": matrix.load_seconds,
    }


def _top(matrix: _Matrix, query: np.ndarray, count: int, exclude: set[int]) -> list[VectorHit]:
    all_ids: list[np.ndarray] = []
    all_scores: list[np.ndarray] = []
    for segment in matrix.segments:
        if not len(segment.ids):
            continue
        scores = segment.rows @ query
        scores[~segment.alive] = -np.inf
        all_ids.append(segment.ids)
        all_scores.append(scores)
    if not all_ids:
        return []
    ids = np.concatenate(all_ids) if len(all_ids) > 1 else all_ids[0]
    scores = np.concatenate(all_scores) if len(all_scores) > 1 else all_scores[0]
    want = min(len(scores), count + len(exclude))
    if want <= 0:
        return []
    top = np.argpartition(-scores, want - 1)[:want] if want < len(scores) else np.arange(len(scores))
    top = top[np.argsort(-scores[top], kind="stable")]
    hits = []
    for i in top:
        score = float(scores[i])
        if score == -np.inf:
            break
        message_id = int(ids[i])
        if message_id not in exclude:
            hits.append(VectorHit(message_id, score))
    return hits[:count]


def search_vectors(
    store: Store, model: str, query: Sequence[float] | np.ndarray, k: int = 50
) -> list[VectorHit]:
    """The ``k`` messages most similar to ``query`` (cosine, best first) among ``model``'s vectors.

    Only vectors of the query's dimension take part. Messages deleted since the matrix was loaded,
    and those in conversations in the trash, are left out.
    """
    q = np.asarray(query, dtype=np.float32)
    if q.ndim != 1 or q.size == 0 or k <= 0:
        return []
    norm = float(np.linalg.norm(q))
    if not np.isfinite(norm) or norm == 0.0:
        return []
    q = q / norm
    matrix = _matrix(store, model, q.size)
    conn = _conn(store)
    exclude: set[int] = set()
    want = k
    while True:
        candidates = _top(matrix, q, want, exclude)
        if not candidates:
            return []
        marks = ",".join("?" * len(candidates))
        rows = conn.execute(
            "SELECT v.message_id, c.deleted_at IS NULL FROM message_vectors AS v "
            "JOIN messages AS m ON m.id = v.message_id JOIN conversations AS c ON c.id = m.conversation_id "
            f"WHERE v.model = ? AND v.dim = ? AND v.message_id IN ({marks})",
            (model, q.size, *[c.message_id for c in candidates]),
        ).fetchall()
        present = {r[0]: bool(r[1]) for r in rows}
        gone = [c.message_id for c in candidates if c.message_id not in present]
        if gone:
            matrix.kill(np.array(sorted(gone), dtype=np.int64))  # deleted: never a candidate again
        hits = [c for c in candidates if present.get(c.message_id)]
        exclude.update(c.message_id for c in candidates if c.message_id in present and not present[c.message_id])
        if len(hits) >= k or len(candidates) < want:
            return hits[:k]
        want = k  # the next round skips the excluded and the killed ones
