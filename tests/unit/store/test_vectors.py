"""Message embeddings: migration 3, storage, the backfill's queue, cosine ranking and its cache."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from app.store import MIGRATIONS, Store, migrate
from app.store.schema import user_version
from app.store.vectors import (
    delete_vectors,
    matrix_stats,
    messages_needing_vectors,
    pack_vector,
    put_vectors,
    search_vectors,
    text_hash,
    unpack_vector,
    vector_count,
    vector_progress,
)
from tests.unit.store import Clock, clock, db_path, store  # noqa: F401
from tests.unit.store.test_schema import fill_v1, raw

MODEL = "text-embedding-3-small"


def chat(store: Store, *texts: str) -> list[int]:
    conversation = store.create_conversation()
    ids = []
    for i, text in enumerate(texts):
        ids.append(store.append_message(conversation.id, "user" if i % 2 == 0 else "assistant", text).id)
    return ids


def embed_all(store: Store, vectors: dict[int, list[float]], model: str = MODEL) -> None:
    pending = {p.message_id: p for p in messages_needing_vectors(store, model, 1000)}
    put_vectors(store, model, [(i, pending[i].text_hash, v) for i, v in vectors.items()])


# -- migration ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", [1, 2])
def test_migration_3_from_earlier_versions_keeps_data(db_path: Path, start: int) -> None:
    conn = raw(db_path)
    assert migrate(conn, target=start) == start
    fill_v1(conn)
    if start == 2:
        conn.execute("INSERT INTO image_prompts (prompt, used_at) VALUES ('a cat', 1)")
    conn.close()
    with Store(db_path) as s:
        assert s.schema_version == len(MIGRATIONS) >= 3
        assert [m.text for m in s.messages(1)][:2] == ["hello from version one", "旧版本的回答"]
        # the old messages are waiting to be embedded (the streaming one was recovered as stopped)
        assert [p.message_id for p in messages_needing_vectors(s, MODEL)] == [1, 2]
        put_vectors(s, MODEL, [(1, text_hash("hello from version one"), [1.0, 0.0])])
        assert vector_count(s, MODEL) == 1
        assert s.integrity_check() == ["ok"]
    conn = raw(db_path)
    assert user_version(conn) == len(MIGRATIONS)
    columns = [r[1] for r in conn.execute("PRAGMA table_info(message_vectors)")]
    assert columns == ["message_id", "model", "dim", "text_hash", "created_at", "vector"]
    if start == 2:
        assert conn.execute("SELECT prompt FROM image_prompts").fetchall() == [("a cat",)]
    conn.close()


def test_the_vector_blob_must_match_its_dimension(store: Store) -> None:
    (mid,) = chat(store, "hello")
    with pytest.raises(sqlite3.IntegrityError):
        store._conn.execute(
            "INSERT INTO message_vectors (message_id, model, dim, text_hash, created_at, vector) "
            "VALUES (?, 'm', 3, 'h', 0, ?)", (mid, b"\0" * 8)
        )


# -- storage --------------------------------------------------------------------------------------------


def test_vectors_round_trip_as_little_endian_float32(store: Store) -> None:
    a, b = chat(store, "first", "second")
    vector = [0.5, -1.25, 3.0e-8, 1e30]
    assert put_vectors(store, MODEL, [(a, text_hash("first"), vector), (b, text_hash("second"), pack_vector([1, 2]))]) == 2
    blob, dim, h = store._conn.execute(
        "SELECT vector, dim, text_hash FROM message_vectors WHERE message_id = ?", (a,)
    ).fetchone()
    assert dim == 4 and h == text_hash("first")
    assert blob == np.array(vector, dtype="<f4").tobytes()
    assert unpack_vector(blob).tolist() == np.float32(vector).tolist()
    assert vector_count(store, MODEL) == 2 and vector_count(store, "other") == 0
    with pytest.raises(ValueError):
        put_vectors(store, MODEL, [(a, "h", [float("nan")])])
    with pytest.raises(ValueError):
        put_vectors(store, MODEL, [(a, "h", [])])


def test_a_vector_for_a_deleted_message_is_skipped(store: Store) -> None:
    a, b = chat(store, "first", "second")
    store.delete_message(b)
    assert put_vectors(store, MODEL, [(a, "x", [1.0]), (b, "y", [1.0])]) == 1
    assert vector_count(store, MODEL) == 1


def test_vectors_go_with_their_message(store: Store) -> None:
    a, b, c = chat(store, "one", "two", "three")
    embed_all(store, {a: [1, 0], b: [0, 1], c: [1, 1]})
    embed_all(store, {a: [1, 0]}, model="other-model")
    store.delete_message(b)
    assert vector_count(store, MODEL) == 2
    conversation_id = store.get_message(a).conversation_id  # type: ignore[union-attr]
    store.delete_conversation(conversation_id)
    store.purge_conversation(conversation_id)
    assert vector_count(store, MODEL) == 0 and vector_count(store, "other-model") == 0


def test_queue_is_in_id_order_and_resumable(store: Store) -> None:
    ids = chat(store, *[f"message {i}" for i in range(10)])
    conversation = store.create_conversation()
    store.append_message(conversation.id, "system", "You are terse.")
    store.append_message(conversation.id, "user", "   ")
    streaming = store.append_message(conversation.id, "assistant", "half", state="streaming")
    first = messages_needing_vectors(store, MODEL, limit=4)
    assert [p.message_id for p in first] == ids[:4]
    assert first[0].text == "message 0" and first[0].text_hash == text_hash("message 0")
    rest = messages_needing_vectors(store, MODEL, limit=100, after_id=first[-1].message_id)
    assert [p.message_id for p in rest] == ids[4:]
    assert vector_progress(store, MODEL) == (0, 10)
    put_vectors(store, MODEL, [(p.message_id, p.text_hash, [1.0, 2.0]) for p in first])
    assert [p.message_id for p in messages_needing_vectors(store, MODEL, 100)] == ids[4:]
    assert vector_progress(store, MODEL) == (4, 10)
    store.finish_message(streaming.id)
    assert messages_needing_vectors(store, MODEL, 100)[-1].message_id == streaming.id


def test_an_edited_message_is_queued_again(store: Store) -> None:
    a, b = chat(store, "the cat sat", "on the mat")
    embed_all(store, {a: [1, 0], b: [0, 1]})
    assert messages_needing_vectors(store, MODEL) == []
    assert vector_progress(store, MODEL) == (2, 2)
    store.edit_message(a, "the dog sat")
    (pending,) = messages_needing_vectors(store, MODEL)
    assert (pending.message_id, pending.text, pending.text_hash) == (a, "the dog sat", text_hash("the dog sat"))
    assert vector_progress(store, MODEL) == (1, 2)
    put_vectors(store, MODEL, [(a, pending.text_hash, [0.5, 0.5])])
    assert messages_needing_vectors(store, MODEL) == []
    assert vector_count(store, MODEL) == 2  # replaced, not added


def test_trashed_conversations_are_not_embedded_nor_found(store: Store) -> None:
    (a,) = chat(store, "kept")
    (b,) = chat(store, "trashed")
    embed_all(store, {a: [1, 0], b: [1, 0.1]})
    assert [h.message_id for h in search_vectors(store, MODEL, [1, 0], 5)] == [a, b]
    store.delete_conversation(store.get_message(b).conversation_id)  # type: ignore[union-attr]
    assert [h.message_id for h in search_vectors(store, MODEL, [1, 0], 5)] == [a]
    assert vector_progress(store, MODEL) == (1, 1)
    store.restore_conversation(store.get_message(b).conversation_id)  # type: ignore[union-attr]
    assert [h.message_id for h in search_vectors(store, MODEL, [1, 0], 5)] == [a, b]


# -- ranking --------------------------------------------------------------------------------------------


def test_ranking_follows_the_known_angles(store: Store) -> None:
    angles = [80, 10, 45, 0, 170, 60, 30]  # degrees from the query
    ids = chat(store, *[f"at {a}" for a in angles])
    rng = np.random.default_rng(1)
    lengths = rng.uniform(0.1, 10, len(angles))  # lengths must not matter: cosine
    embed_all(store, {
        i: [float(length * np.cos(np.radians(a))), float(length * np.sin(np.radians(a))), 0.0]
        for i, a, length in zip(ids, angles, lengths)
    })
    hits = search_vectors(store, MODEL, [2.0, 0.0, 0.0], k=4)
    expected = [ids[angles.index(a)] for a in sorted(angles)[:4]]
    assert [h.message_id for h in hits] == expected
    assert [round(h.score, 5) for h in hits] == [round(float(np.cos(np.radians(a))), 5) for a in sorted(angles)[:4]]
    everything = search_vectors(store, MODEL, [1.0, 0.0, 0.0], k=100)
    assert len(everything) == len(angles) and everything[-1].message_id == ids[angles.index(170)]
    assert search_vectors(store, MODEL, [0.0, 0.0, 0.0]) == []
    assert search_vectors(store, MODEL, [1.0, 0.0]) == []  # no vectors of that width
    assert search_vectors(store, "other", [1.0, 0.0, 0.0]) == []


def test_ranking_in_high_dimensions(store: Store) -> None:
    rng = np.random.default_rng(7)
    dim = 256
    query = rng.normal(size=dim)
    query /= np.linalg.norm(query)
    ids = chat(store, *[f"m{i}" for i in range(300)])
    noise = rng.normal(size=(300, dim))
    noise -= np.outer(noise @ query, query)  # orthogonal to the query
    noise /= np.linalg.norm(noise, axis=1)[:, None]
    cosines = rng.uniform(-0.9, 0.9, 300)
    vectors = cosines[:, None] * query + np.sqrt(1 - cosines**2)[:, None] * noise
    embed_all(store, {i: v.tolist() for i, v in zip(ids, vectors)})
    hits = search_vectors(store, MODEL, query, k=10)
    assert [h.message_id for h in hits] == [ids[i] for i in np.argsort(-cosines)[:10]]
    assert np.allclose([h.score for h in hits], np.sort(cosines)[::-1][:10], atol=1e-5)


def test_the_cache_follows_writes_and_deletes(store: Store) -> None:
    a, b, c = chat(store, "a", "b", "c")
    embed_all(store, {a: [1, 0], b: [0, 1]})
    assert [h.message_id for h in search_vectors(store, MODEL, [1, 0.01], 3)] == [a, b]
    assert matrix_stats(store, MODEL, 2)["rows"] == 2
    embed_all(store, {c: [1, 0.001]})  # a new vector joins the loaded matrix
    assert [h.message_id for h in search_vectors(store, MODEL, [1, 0.01], 3)] == [c, a, b]
    store.edit_message(a, "a, edited")
    embed_all(store, {a: [-1, 0]})  # replaced: the old row is masked
    assert [h.message_id for h in search_vectors(store, MODEL, [1, 0.01], 3)] == [c, b, a]
    store.delete_message(c)  # gone by cascade, behind the cache's back
    assert [h.message_id for h in search_vectors(store, MODEL, [1, 0.01], 3)] == [b, a]
    assert [h.message_id for h in search_vectors(store, MODEL, [1, 0.01], 1)] == [b]
    assert delete_vectors(store, MODEL) == 2
    assert search_vectors(store, MODEL, [1, 0], 3) == []


def test_many_deleted_candidates_do_not_starve_the_result(store: Store) -> None:
    ids = chat(store, *[f"m{i}" for i in range(40)])
    embed_all(store, {i: [1.0, n / 100] for n, i in enumerate(ids)})
    assert len(search_vectors(store, MODEL, [1, 0], 5)) == 5
    for i in ids[:30]:
        store.delete_message(i)
    assert [h.message_id for h in search_vectors(store, MODEL, [1, 0], 5)] == ids[30:35]


def test_pending_size_counts_what_turning_on_would_send(store: Store) -> None:
    from app.store.vectors import MAX_SENT_CHARS, pending_size

    a, b, c = chat(store, "short", "x" * (MAX_SENT_CHARS + 500), "three")
    store.append_message(store.create_conversation().id, "system", "a system prompt is not embedded")
    assert pending_size(store, MODEL) == (0, 3, 5 + MAX_SENT_CHARS + 5)  # long texts are cut as they are sent
    embed_all(store, {a: [1.0, 0.0]})
    assert pending_size(store, MODEL) == (1, 2, MAX_SENT_CHARS + 5)
    store.edit_message(a, "short, edited")  # its vector is stale: to be sent again
    assert pending_size(store, MODEL) == (0, 3, len("short, edited") + MAX_SENT_CHARS + 5)
    assert pending_size(store, "other-model") == (0, 3, len("short, edited") + MAX_SENT_CHARS + 5)
    del b, c


def _exact(store: Store, query: np.ndarray, k: int) -> list[int]:
    """What a search must find: every live vector of the table, compared in float64, no cache."""
    rows = store._conn.execute(
        "SELECT v.message_id, v.vector FROM message_vectors AS v JOIN messages AS m ON m.id = v.message_id "
        "JOIN conversations AS c ON c.id = m.conversation_id WHERE v.model = ? AND c.deleted_at IS NULL",
        (MODEL,),
    ).fetchall()
    ids = np.array([r[0] for r in rows])
    matrix = np.stack([unpack_vector(r[1]).astype(np.float64) for r in rows])
    scores = matrix @ query / np.linalg.norm(matrix, axis=1) / np.linalg.norm(query)
    return [int(ids[i]) for i in np.argsort(-scores, kind="stable")[:k]]


def test_the_matrix_read_in_slices_stays_right_through_writes_edits_and_deletes(store: Store) -> None:
    from app.store.vectors import preload_matrix

    rng = np.random.default_rng(3)
    dim = 24
    ids = chat(store, *[f"message {i}" for i in range(300)])
    embed_all(store, {i: rng.standard_normal(dim) for i in ids[:200]})
    queries = rng.standard_normal((6, dim))

    def check() -> None:
        for q in queries:
            assert [h.message_id for h in search_vectors(store, MODEL, q, 10)] == _exact(store, q, 10)

    others = chat(store, *[f"other {i}" for i in range(20)])  # another conversation, trashed later
    embed_all(store, {i: rng.standard_normal(dim) for i in others})
    assert preload_matrix(store, MODEL, limit=64) is False  # one slice of 64 read
    embed_all(store, {i: rng.standard_normal(dim) for i in ids[200:230]})  # written while reading: after the cursor
    store.edit_message(ids[10], "message 10, edited")
    embed_all(store, {ids[10]: rng.standard_normal(dim)})  # replaced, before the cursor
    assert preload_matrix(store, MODEL, limit=64) is False
    put_vectors(store, MODEL, [(ids[100], text_hash("message 100"), queries[0] * 3)])  # replaced, after the cursor
    while not preload_matrix(store, MODEL, limit=64):
        pass
    check()
    assert matrix_stats(store, MODEL, dim)["rows"] == 250  # each message once, however it arrived
    assert search_vectors(store, MODEL, queries[0], 1)[0].message_id == ids[100]

    store.delete_message(ids[100])  # behind the cache's back
    store.delete_conversation(store.get_message(others[0]).conversation_id)  # to the trash
    embed_all(store, {i: rng.standard_normal(dim) for i in ids[230:]})  # appended segments
    check()
    assert ids[100] not in [h.message_id for h in search_vectors(store, MODEL, queries[0], 50)]
