"""The task holder and registry: strong references, preemption, cancellation at exit, no swallowing."""

from __future__ import annotations

import asyncio
import gc

import pytest

from app.ui.tasks import TaskRegistry


@pytest.mark.asyncio
async def test_starting_again_cancels_the_previous_task() -> None:
    registry = TaskRegistry()
    holder = registry.holder("job")
    started = asyncio.Event()
    cancelled: list[str] = []

    async def work(name: str) -> str:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(name)
            raise
        return name

    first = holder.start(work("first"))
    await started.wait()
    second = holder.start(work("second"))
    await asyncio.wait([first])
    assert first.cancelled() and cancelled == ["first"]
    assert holder.task is second and holder.is_running()
    assert holder.cancel() is True
    await asyncio.wait([second])
    assert second.cancelled()
    assert holder.cancel() is False  # nothing left to cancel
    assert len(registry) == 0


@pytest.mark.asyncio
async def test_the_holder_keeps_the_task_alive() -> None:
    registry = TaskRegistry()
    holder = registry.holder("job")
    done = asyncio.Event()

    async def work() -> None:
        await asyncio.sleep(0.01)
        done.set()

    holder.start(work())
    gc.collect()  # asyncio keeps only weak references; the holder and registry keep strong ones
    await asyncio.wait_for(done.wait(), 2)


@pytest.mark.asyncio
async def test_cancel_all_waits_until_everything_unwound() -> None:
    registry = TaskRegistry()
    cleaned: list[int] = []

    async def work(i: int) -> None:
        try:
            await asyncio.sleep(10)
        finally:
            await asyncio.sleep(0.01)  # cleanup that itself awaits
            cleaned.append(i)

    tasks = [registry.spawn(work(i), name=f"w{i}") for i in range(3)]
    await asyncio.sleep(0)
    await registry.cancel_all(timeout=2)
    assert sorted(cleaned) == [0, 1, 2]
    assert all(t.cancelled() for t in tasks)
    assert len(registry) == 0


@pytest.mark.asyncio
async def test_unexpected_errors_are_logged_and_reported(caplog: pytest.LogCaptureFixture) -> None:
    registry = TaskRegistry()
    seen: list[BaseException] = []
    registry.on_unexpected = seen.append

    async def broken() -> None:
        raise ValueError("boom")

    task = registry.spawn(broken(), name="broken-job")
    await asyncio.wait([task])
    await asyncio.sleep(0)
    assert len(seen) == 1 and isinstance(seen[0], ValueError)
    assert "broken-job" in caplog.text and "boom" in caplog.text


@pytest.mark.asyncio
async def test_cancellation_is_not_reported_as_an_error() -> None:
    registry = TaskRegistry()
    seen: list[BaseException] = []
    registry.on_unexpected = seen.append
    holder = registry.holder("job")
    task = holder.start(asyncio.sleep(10))
    await asyncio.sleep(0)
    await holder.cancel_and_wait()
    assert task.cancelled() and seen == []


@pytest.mark.asyncio
async def test_a_cancelled_caller_is_not_swallowed() -> None:
    """cancel_and_wait itself stays cancellable (it never catches CancelledError)."""
    registry = TaskRegistry()
    holder = registry.holder("job")

    async def stubborn() -> None:
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                await asyncio.sleep(0.05)
                raise

    holder.start(stubborn())
    await asyncio.sleep(0)
    waiter = asyncio.ensure_future(holder.cancel_and_wait())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    await registry.cancel_all(timeout=2)


def test_spawning_without_a_loop_leaves_no_unawaited_coroutine() -> None:
    registry = TaskRegistry()

    async def work() -> None:
        return None

    coro = work()
    with pytest.raises(RuntimeError):
        registry.spawn(coro, name="x")
    assert coro.cr_frame is None  # closed, so no "never awaited" warning
