"""Holding the UI's asyncio tasks: one per job, cancellable, and all of them cancellable at exit.

A tab starts work through a :class:`TaskHolder` (FeelUOwn's "preemptive task"): starting again
cancels what the holder was doing, which is exactly what Stop, Resend and switching profiles need,
and the holder keeps a strong reference so the task cannot be garbage-collected mid-flight (asyncio
itself only keeps weak ones). Every task also lands in the :class:`TaskRegistry` that ``main.py``
cancels and awaits while the event loop still runs, so quitting with a request in flight ends
cleanly: no "Task was destroyed but it is pending", no unclosed connection.

Coroutines are expected to catch the errors they know how to show (``app.api.errors`` through
``app.ui.errors.user_message``). Whatever still escapes is unexpected: the registry logs it with its
traceback and hands it to ``on_unexpected`` (the crash dialog). ``CancelledError`` is never caught
here; a cancelled task is simply forgotten.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["TaskHolder", "TaskRegistry"]

log = logging.getLogger(__name__)

T = TypeVar("T")

UnexpectedHandler = Callable[[BaseException], None]


class TaskRegistry:
    """Every task the UI started that has not finished yet."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        #: Called with each exception a task let escape (set by main.py to the crash dialog).
        self.on_unexpected: UnexpectedHandler | None = None

    def spawn(self, coro: Coroutine[Any, Any, T], *, name: str) -> asyncio.Task[T]:
        """Run ``coro`` as a task on the running loop and keep it until it is done."""
        try:
            task = asyncio.get_running_loop().create_task(coro, name=name)
        except RuntimeError:
            coro.close()  # no loop: do not leave a "coroutine was never awaited" warning behind
            raise
        self._tasks.add(task)
        task.add_done_callback(self._on_task_done)
        return task

    def holder(self, name: str) -> "TaskHolder":
        """A new holder whose tasks are registered here."""
        return TaskHolder(self, name)

    def pending(self) -> list[asyncio.Task[Any]]:
        return [task for task in self._tasks if not task.done()]

    def __len__(self) -> int:
        return len(self.pending())

    async def cancel_all(self, timeout: float = 5.0) -> None:
        """Cancel every registered task and wait (bounded) until they have all unwound.

        Tasks may start others while unwinding (a ``finally`` closing something), so this repeats
        until nothing is left or the time is up.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        current = asyncio.current_task()
        while True:
            tasks = [task for task in self.pending() if task is not current]
            if not tasks:
                return
            for task in tasks:
                task.cancel()
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            _done, still = await asyncio.wait(tasks, timeout=remaining)
            if still:
                break
        names = ", ".join(sorted(task.get_name() for task in self.pending() if task is not current))
        log.warning("tasks still running after cancellation: %s", names)

    def _on_task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()  # retrieving it also silences "exception was never retrieved"
        if exc is None:
            return
        log.error("unexpected error in task %s", task.get_name(), exc_info=exc)
        if self.on_unexpected is not None:
            try:
                self.on_unexpected(exc)
            except Exception:
                log.exception("the unexpected-error handler failed")


class TaskHolder:
    """At most one running task for one job; starting a new one cancels the previous."""

    def __init__(self, registry: TaskRegistry, name: str) -> None:
        self._registry = registry
        self.name = name
        self._task: asyncio.Task[Any] | None = None

    @property
    def task(self) -> asyncio.Task[Any] | None:
        """The latest task started, finished or not."""
        return self._task

    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Cancel the previous task (if still running) and run ``coro`` in its place."""
        self.cancel()
        task = self._registry.spawn(coro, name=self.name)
        self._task = task
        return task

    def cancel(self) -> bool:
        """Ask the running task to stop; True if there was one. It unwinds on its own time."""
        if self._task is None or self._task.done():
            return False
        self._task.cancel()
        return True

    async def cancel_and_wait(self) -> None:
        """Cancel the running task and wait until it has unwound (its ``finally`` blocks ran)."""
        task = self._task
        if task is None or task.done() or task is asyncio.current_task():
            return
        task.cancel()
        await asyncio.wait([task])
