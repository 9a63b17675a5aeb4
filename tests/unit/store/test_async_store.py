"""AsyncStore: one worker thread, calls in order, the event loop never waits, close drains."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from app.store import AsyncStore, MessageState, NotFoundError, Role, Store, StoreClosedError


@pytest_asyncio.fixture
async def astore(tmp_path: Path) -> AsyncIterator[AsyncStore]:
    s = await AsyncStore.open(tmp_path / "parla.sqlite3")
    yield s
    await s.close()


@pytest.mark.asyncio
async def test_basic_calls(astore: AsyncStore) -> None:
    c = await astore.create_conversation(model="gpt-4o")
    q = await astore.append_message(c.id, Role.USER, "Bonjour, ça va ?")
    reply = await astore.append_message(c.id, Role.ASSISTANT, state="streaming")
    assert await astore.update_streaming(reply.id, "Oui")
    done = await astore.finish_message(reply.id, finish_reason="stop", usage={"total_tokens": 3})
    assert done.state is MessageState.COMPLETE
    assert [m.text for m in await astore.messages(c.id)] == ["Bonjour, ça va ?", "Oui"]
    assert await astore.count_messages(c.id) == 2
    assert (await astore.get_conversation(c.id)).title == "Bonjour, ça va ?"  # type: ignore[union-attr]
    assert [h.message_id for h in await astore.search("bonjour") if h.message_id] == [q.id]
    assert await astore.integrity_check() == ["ok"]
    att = await astore.put_attachment(b"img", "image/png")
    assert await astore.read_attachment(att.hash) == b"img"
    assert astore.attachment_path(att.hash).exists()
    await astore.save_draft(c.id, "draft")
    assert (await astore.load_draft(c.id)).text == "draft"
    assert astore.recovered == 0


@pytest.mark.asyncio
async def test_errors_reach_the_caller(astore: AsyncStore) -> None:
    with pytest.raises(NotFoundError):
        await astore.finish_message(12345)


@pytest.mark.asyncio
async def test_every_call_runs_on_one_worker_thread(astore: AsyncStore) -> None:
    idents = await asyncio.gather(*(astore.run(lambda s: threading.get_ident()) for _ in range(20)))
    assert len(set(idents)) == 1 and idents[0] != threading.get_ident()


@pytest.mark.asyncio
async def test_concurrent_writes_are_serialized(astore: AsyncStore) -> None:
    c = await astore.create_conversation()
    messages = await asyncio.gather(*(astore.append_message(c.id, Role.USER, f"m{i}") for i in range(200)))
    assert sorted(m.position for m in messages) == list(range(200))
    # Calls run in the order they were made, so positions follow the gather order exactly.
    assert [m.position for m in messages] == list(range(200))
    assert await astore.count_messages(c.id) == 200


@pytest.mark.asyncio
async def test_streaming_updates_keep_their_order(astore: AsyncStore) -> None:
    c = await astore.create_conversation()
    reply = await astore.append_message(c.id, Role.ASSISTANT, state="streaming")
    text = ""
    pending = []
    for i in range(50):  # fire and forget, as a stream would, then finish
        text += f"{i} "
        pending.append(astore.update_streaming(reply.id, text))  # queued now, though not awaited yet
    finished = await astore.finish_message(reply.id, "stopped")
    assert all(await asyncio.gather(*pending))
    assert finished.text == text and finished.state is MessageState.STOPPED


@pytest.mark.asyncio
async def test_the_event_loop_keeps_running_during_slow_calls(astore: AsyncStore) -> None:
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    tick = asyncio.create_task(ticker())
    try:
        await astore.run(lambda s: time.sleep(0.3))  # a slow disk
    finally:
        tick.cancel()
    assert len(gaps) > 10 and max(gaps) < 0.1


@pytest.mark.asyncio
async def test_a_cancelled_caller_does_not_drop_its_write(astore: AsyncStore) -> None:
    c = await astore.create_conversation()
    reply = await astore.append_message(c.id, Role.ASSISTANT, state="streaming")
    gate = threading.Event()
    blocker = asyncio.ensure_future(astore.run(lambda s: gate.wait(5)))
    await asyncio.sleep(0.01)

    async def record_stop() -> None:
        await astore.finish_message(reply.id, "stopped")

    task = asyncio.create_task(record_stop())
    await asyncio.sleep(0.01)  # the call is queued behind the blocker
    task.cancel()  # the task recording the stop is cancelled in turn (closing the tab, say)
    with pytest.raises(asyncio.CancelledError):
        await task
    gate.set()
    await blocker
    assert (await astore.get_message(reply.id)).state is MessageState.STOPPED  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_a_failure_after_cancellation_is_logged(astore: AsyncStore, caplog: pytest.LogCaptureFixture) -> None:
    gate = threading.Event()
    blocker = asyncio.ensure_future(astore.run(lambda s: gate.wait(5)))
    await asyncio.sleep(0.01)
    failing = astore.delete_message(999)
    failing.cancel()
    with caplog.at_level(logging.ERROR, logger="app.store.async_store"):
        gate.set()
        await blocker
        await astore.run(lambda s: None)  # the failing call has run by now
        await asyncio.sleep(0.01)  # and its callback too
    assert "failed after its caller was cancelled" in caplog.text


@pytest.mark.asyncio
async def test_close_drains_queued_writes(tmp_path: Path) -> None:
    path = tmp_path / "parla.sqlite3"
    s = await AsyncStore.open(path)
    c = await s.create_conversation()
    queued = [s.append_message(c.id, Role.USER, f"q{i}") for i in range(100)]  # made, not awaited
    await s.close()
    await s.close()  # twice is fine
    assert all(f.done() for f in queued)
    with pytest.raises(StoreClosedError):
        await s.list_conversations()
    with pytest.raises(StoreClosedError):
        await s.run(lambda store: store.list_conversations())
    with Store(path) as again:
        assert again.count_messages(c.id) == 100


@pytest.mark.asyncio
async def test_open_recovers_and_reports(tmp_path: Path) -> None:
    path = tmp_path / "parla.sqlite3"
    crashed = Store(path)
    c = crashed.create_conversation()
    reply = crashed.append_message(c.id, Role.ASSISTANT, state="streaming")
    crashed.update_streaming(reply.id, "partial")
    s = await AsyncStore.open(path)
    try:
        assert s.recovered == 1
        assert (await s.get_message(reply.id)).state is MessageState.STOPPED  # type: ignore[union-attr]
    finally:
        await s.close()
        crashed.close()


@pytest.mark.asyncio
async def test_open_failure_is_raised(tmp_path: Path) -> None:
    (tmp_path / "not a db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(Exception):
        await AsyncStore.open(tmp_path / "not a db")
