"""Messages: append, stream, finish, edit, delete, truncate, order; crash recovery; cascade; scale."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.store import (
    RECOVERED_FINISH_REASON,
    MessageState,
    NotFoundError,
    Role,
    Store,
    text_part,
)
from tests.unit.store import Clock, clock, db_path, store  # noqa: F401

ROOT = Path(__file__).resolve().parents[3]


def test_append_and_get(store: Store, clock: Clock) -> None:
    c = store.create_conversation()
    clock.advance()
    m = store.append_message(
        c.id,
        "user",
        "Hello",
        model="gpt-4o",
        parameters={"temperature": 0.7, "top_p": 1},
    )
    assert (m.conversation_id, m.position, m.role, m.text, m.state) == (c.id, 0, Role.USER, "Hello", MessageState.COMPLETE)
    assert m.content == [text_part("Hello")]
    assert (m.model, m.parameters, m.usage, m.finish_reason, m.error) == ("gpt-4o", {"temperature": 0.7, "top_p": 1}, None, None, None)
    assert m.created_at == m.updated_at == clock.now
    assert store.get_conversation(c.id).updated_at == clock.now  # type: ignore[union-attr]
    assert store.get_message(m.id) == m
    assert store.get_message(m.id + 1) is None
    with pytest.raises(NotFoundError):
        store.append_message(999, Role.USER, "orphan")
    with pytest.raises(ValueError):
        store.append_message(c.id, "narrator", "no such role")


def test_content_parts_round_trip(store: Store) -> None:
    c = store.create_conversation()
    att = store.put_attachment(b"image", "image/jpeg", width=4, height=3)
    parts = [
        {"type": "text", "text": "What is this?"},
        {"type": "image", "hash": att.hash, "detail": "high"},
        {"type": "text", "text": "and this", "extra": "kept"},
        {"type": "future_part", "data": [1, 2]},
    ]
    m = store.append_message(c.id, Role.USER, parts)
    assert store.get_message(m.id).content == parts  # type: ignore[union-attr]
    assert m.text == "What is this?\nand this"
    assert m.images == [parts[1]]
    assert store.append_message(c.id, Role.ASSISTANT, "").content == []
    for bad in ([{"text": "no type"}], [{"type": "text"}], [{"type": "image", "hash": "short"}], ["string"]):
        with pytest.raises(ValueError):
            store.append_message(c.id, Role.USER, bad)  # type: ignore[arg-type]


def test_tool_calls_and_tool_results(store: Store) -> None:
    c = store.create_conversation()
    calls = [{"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "Paris"}'}}]
    a = store.append_message(c.id, Role.ASSISTANT, "", tool_calls=calls, finish_reason="tool_calls")
    t = store.append_message(c.id, Role.TOOL, '{"temp": 21}', tool_call_id="call_1")
    assert store.get_message(a.id).tool_calls == calls  # type: ignore[union-attr]
    assert store.get_message(t.id).tool_call_id == "call_1"  # type: ignore[union-attr]
    assert [m.role for m in store.messages(c.id)] == [Role.ASSISTANT, Role.TOOL]


def test_streaming_reply_lifecycle(store: Store, clock: Clock) -> None:
    c = store.create_conversation()
    store.append_message(c.id, Role.USER, "Tell me a story")
    clock.advance()
    reply = store.append_message(c.id, Role.ASSISTANT, state="streaming", model="deepseek-r1", parameters={"temperature": 1})
    assert reply.state is MessageState.STREAMING and reply.text == ""
    for text in ("Once", "Once upon", "Once upon a time"):
        clock.advance(0.5)
        assert store.update_streaming(reply.id, text, reasoning="thinking about " + text)
    partial = store.get_message(reply.id)
    assert partial is not None and partial.text == "Once upon a time" and partial.updated_at == clock.now
    assert partial.reasoning == "thinking about Once upon a time"
    assert partial.state is MessageState.STREAMING

    clock.advance()
    done = store.finish_message(
        reply.id,
        content="Once upon a time, the end.",
        finish_reason="stop",
        usage={"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
        model="deepseek-r1-0528",
    )
    assert (done.state, done.text, done.finish_reason, done.model) == (MessageState.COMPLETE, "Once upon a time, the end.", "stop", "deepseek-r1-0528")
    assert done.usage == {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}
    assert done.reasoning == "thinking about Once upon a time"  # kept when not given
    assert store.get_conversation(c.id).updated_at == clock.now  # type: ignore[union-attr]
    # A late update after the finish changes nothing.
    assert not store.update_streaming(reply.id, "stale")
    assert store.get_message(reply.id).text == "Once upon a time, the end."  # type: ignore[union-attr]
    with pytest.raises(NotFoundError):
        store.update_streaming(999, "x")


def test_stop_keeps_partial_text(store: Store) -> None:
    c = store.create_conversation()
    reply = store.append_message(c.id, Role.ASSISTANT, state=MessageState.STREAMING)
    store.update_streaming(reply.id, "half an ans")
    stopped = store.finish_message(reply.id, MessageState.STOPPED)
    assert (stopped.state, stopped.text, stopped.finish_reason, stopped.error) == (MessageState.STOPPED, "half an ans", None, None)


def test_error_keeps_partial_text_beside_the_error(store: Store) -> None:
    c = store.create_conversation()
    reply = store.append_message(c.id, Role.ASSISTANT, state="streaming")
    store.update_streaming(reply.id, "text that arrived")
    failed = store.finish_message(reply.id, "error", error='{"kind": "stream", "status": 502}')
    assert (failed.state, failed.text, failed.error) == (MessageState.ERROR, "text that arrived", '{"kind": "stream", "status": 502}')
    with pytest.raises(ValueError):
        store.finish_message(reply.id, "streaming")
    with pytest.raises(NotFoundError):
        store.finish_message(999)


def test_tool_calls_while_streaming(store: Store) -> None:
    c = store.create_conversation()
    reply = store.append_message(c.id, Role.ASSISTANT, state="streaming")
    partial = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a"'}}]
    store.update_streaming(reply.id, "", tool_calls=partial)
    assert store.get_message(reply.id).tool_calls == partial  # type: ignore[union-attr]
    full = [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}]
    assert store.finish_message(reply.id, tool_calls=full, finish_reason="tool_calls").tool_calls == full


def test_order_count_slice_and_row(store: Store) -> None:
    c = store.create_conversation()
    other = store.create_conversation()
    ids = [store.append_message(c.id, Role.USER if i % 2 == 0 else Role.ASSISTANT, f"m{i}").id for i in range(6)]
    store.append_message(other.id, Role.USER, "elsewhere")
    assert [m.text for m in store.messages(c.id)] == [f"m{i}" for i in range(6)]
    assert [m.position for m in store.messages(c.id)] == list(range(6))
    assert store.count_messages(c.id) == 6 and store.count_messages(other.id) == 1
    assert [m.text for m in store.messages(c.id, offset=2, limit=3)] == ["m2", "m3", "m4"]
    assert [m.text for m in store.messages(c.id, offset=4)] == ["m4", "m5"]
    store.delete_message(ids[1])
    assert [m.text for m in store.messages(c.id)] == ["m0", "m2", "m3", "m4", "m5"]
    assert store.message_row(ids[4]) == 3
    assert store.message_row(ids[0]) == 0
    assert store.append_message(c.id, Role.USER, "m6").position == 6  # after the last, gaps or not
    with pytest.raises(NotFoundError):
        store.message_row(999)


def test_edit_message(store: Store, clock: Clock) -> None:
    c = store.create_conversation()
    m = store.append_message(c.id, Role.USER, "typo hre", parameters={"temperature": 0.1})
    clock.advance()
    edited = store.edit_message(m.id, "typo here")
    assert (edited.text, edited.updated_at, edited.created_at) == ("typo here", clock.now, m.created_at)
    assert (edited.parameters, edited.state, edited.position) == ({"temperature": 0.1}, m.state, m.position)
    with pytest.raises(NotFoundError):
        store.edit_message(999, "x")


def test_delete_message(store: Store) -> None:
    c = store.create_conversation()
    a = store.append_message(c.id, Role.USER, "a")
    b = store.append_message(c.id, Role.ASSISTANT, "b")
    store.delete_message(a.id)
    assert [m.id for m in store.messages(c.id)] == [b.id]
    with pytest.raises(NotFoundError):
        store.delete_message(a.id)


def test_regenerate_truncates_after_the_user_message(store: Store) -> None:
    c = store.create_conversation()
    q1 = store.append_message(c.id, Role.USER, "q1")
    store.append_message(c.id, Role.ASSISTANT, "a1")
    q2 = store.append_message(c.id, Role.USER, "q2")
    store.append_message(c.id, Role.ASSISTANT, "a2 (bad)")
    assert store.truncate_after(q2.id) == 1
    new = store.append_message(c.id, Role.ASSISTANT, "a2 (better)")
    assert [m.text for m in store.messages(c.id)] == ["q1", "a1", "q2", "a2 (better)"]
    assert new.position == 3

    # Edit and resend the first question: later messages are replaced.
    store.edit_message(q1.id, "q1 edited")
    assert store.truncate_after(q1.id) == 3
    assert [m.text for m in store.messages(c.id)] == ["q1 edited"]
    assert store.truncate_after(q1.id) == 0
    assert store.truncate_after(q1.id, inclusive=True) == 1
    assert store.count_messages(c.id) == 0
    assert store.get_conversation(c.id).title == ""  # type: ignore[union-attr]
    with pytest.raises(NotFoundError):
        store.truncate_after(q1.id)


def test_truncate_touches_only_its_conversation(store: Store) -> None:
    a, b = store.create_conversation(), store.create_conversation()
    first = store.append_message(a.id, Role.USER, "a0")
    store.append_message(a.id, Role.ASSISTANT, "a1")
    store.append_message(b.id, Role.USER, "b0")
    store.append_message(b.id, Role.ASSISTANT, "b1")
    store.truncate_after(first.id)
    assert store.count_messages(a.id) == 1 and store.count_messages(b.id) == 2


def test_foreign_key_cascade(store: Store) -> None:
    c = store.create_conversation()
    att = store.put_attachment(b"pic", "image/png")
    m = store.append_message(c.id, Role.USER, [{"type": "image", "hash": att.hash}])
    store.append_message(c.id, Role.ASSISTANT, "reply")
    store._conn.execute("DELETE FROM conversations WHERE id = ?", (c.id,))
    assert store._conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0
    assert store._conn.execute("SELECT count(*) FROM message_attachments").fetchone()[0] == 0
    assert store.get_message(m.id) is None
    with pytest.raises(Exception, match="FOREIGN KEY"):
        store._conn.execute(
            "INSERT INTO messages (conversation_id, position, role, created_at, updated_at) VALUES (999, 0, 'user', 0, 0)"
        )


def test_batch_is_all_or_nothing_and_calls_inside_stay_atomic(store: Store) -> None:
    c = store.create_conversation()
    with pytest.raises(RuntimeError):
        with store.batch():
            store.append_message(c.id, Role.USER, "one")
            store.append_message(c.id, Role.USER, "two")
            raise RuntimeError("import failed half way")
    assert store.count_messages(c.id) == 0
    with store.batch():
        store.append_message(c.id, Role.USER, "kept")
        with pytest.raises(ValueError):
            store.append_message(c.id, Role.USER, [{"type": "image", "hash": "bad"}])
        with pytest.raises(NotFoundError):  # fails inside its savepoint, after its insert
            store.append_message(c.id, Role.USER, [{"type": "image", "hash": "1" * 64}])
    assert [m.text for m in store.messages(c.id)] == ["kept"]


def test_streaming_message_recovered_as_stopped_on_reopen(db_path: Path, clock: Clock) -> None:
    s = Store(db_path, clock=clock)
    c = s.create_conversation()
    s.append_message(c.id, Role.USER, "question")
    reply = s.append_message(c.id, Role.ASSISTANT, state="streaming")
    s.update_streaming(reply.id, "partial answer that was saved", reasoning="some thinking")
    finished = s.append_message(c.id, Role.ASSISTANT, "complete one")
    # No finish, no close: another connection opens the file, as the next start would.
    clock.advance(60)
    again = Store(db_path, clock=clock)
    assert again.recovered == 1
    recovered = again.get_message(reply.id)
    assert recovered is not None
    assert (recovered.state, recovered.text, recovered.reasoning) == (MessageState.STOPPED, "partial answer that was saved", "some thinking")
    assert recovered.finish_reason == RECOVERED_FINISH_REASON and recovered.updated_at == clock.now
    assert again.get_message(finished.id).state is MessageState.COMPLETE  # type: ignore[union-attr]
    assert again.search("partial answer")[0].message_id == reply.id  # indexed once it stopped
    with Store(db_path, clock=clock) as third:
        assert third.recovered == 0
    s.close()
    again.close()


CHILD = r"""
import sys, time
from app.store import Store
store = Store(sys.argv[1])
c = store.create_conversation()
store.append_message(c.id, "user", "write a long answer")
reply = store.append_message(c.id, "assistant", state="streaming")
text = ""
for i in range(int(sys.argv[2])):
    text += f"chunk {i}. "
    store.update_streaming(reply.id, text)
print(reply.id, flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_mid_stream_keeps_the_saved_text(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db_path), "50"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        reply_id = int(child.stdout.readline())  # type: ignore[union-attr]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        child.stdout.close()  # type: ignore[union-attr]
    with Store(db_path) as s:
        assert s.integrity_check() == ["ok"]
        assert s.recovered == 1
        m = s.get_message(reply_id)
        assert m is not None and m.state is MessageState.STOPPED
        assert m.text.startswith("chunk 0. ") and m.text.endswith("chunk 49. ")


def test_ten_thousand_messages_load_quickly(store: Store) -> None:
    c = store.create_conversation()
    t0 = time.perf_counter()
    with store.batch():
        for i in range(10_000):
            store.append_message(
                c.id,
                Role.USER if i % 2 == 0 else Role.ASSISTANT,
                f"message {i}: " + "lorem ipsum dolor sit amet " * 8,
                usage=None if i % 2 == 0 else {"prompt_tokens": i, "completion_tokens": 30},
            )
    t1 = time.perf_counter()
    messages = store.messages(c.id)
    t2 = time.perf_counter()
    assert len(messages) == 10_000 == store.count_messages(c.id)
    assert [m.position for m in messages] == list(range(10_000))
    assert messages[9_999].text.startswith("message 9999: ") and messages[9_999].usage == {"prompt_tokens": 9999, "completion_tokens": 30}
    assert t2 - t1 < 2.0  # generous for slow CI; typically ~50 ms
    print(f"\n10,000 messages: insert {t1 - t0:.2f} s in one batch, load {1000 * (t2 - t1):.0f} ms")
