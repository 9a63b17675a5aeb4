"""The function-calling loop: stream, run the requested tools, feed results back, repeat.

``await run_tool_loop(client, messages, *, model, registry, confirm, max_rounds=8, on_event=None,
tool_choice=None, **chat_options) -> ToolLoopResult``

A *round* is one streamed request; ``max_rounds`` counts the rounds of tool calls actually run.
When the answer asks for tools, the loop appends the assistant
message with its ``tool_calls`` (``ChatCompletion.to_message()``), asks ``confirm(tool, arguments)``
for every call of a ``needs_confirmation`` tool (one at a time, in order — the UI shows one dialog
at a time), runs the allowed calls of the round concurrently, appends one ``{"role": "tool",
"tool_call_id", "content"}`` message per call, in the order the model made them, and sends again.
It ends when an answer has no tool calls (``stop_reason="answered"``) or when the model still asks
for tools after ``max_rounds`` rounds of calls were run and their results sent back (the request
numbered ``max_rounds + 1``; ``stop_reason="max_rounds"``: those calls are *not* run and the
assistant message is not added — the history stays valid to send again; ``pending_calls`` has
them). So with ``max_rounds=1`` one round of tools runs and the model sees its results.

What the model gets back, never an exception: a tool's exception → ``"Error: <message>"``; an
unknown tool, arguments that are not a JSON object → ``"Error: …"`` too; a declined confirmation →
``"The user declined to run this tool."``; a tool's ``timeout`` → ``"Error: the tool took longer
than N s."``. API errors (``app.api.errors``) and ``asyncio.CancelledError`` propagate: a Stop
cancels the stream and every running tool (``gather`` cancels its children).

Events (``on_event(event)``; a sync function or a coroutine function) in order:
``RoundStarted(round)``, the stream's own ``ContentDelta`` / ``ReasoningDelta`` / ``ToolCallDelta``
/ ``ImageDelta`` / ``UsageUpdate`` / ``Finished`` events as they arrive, ``RoundFinished(round,
completion)``, then per call ``ToolCallStarted`` (after confirmation was asked) and
``ToolCallFinished`` (``result``, ``status`` ``"ok"|"error"|"declined"``, ``duration`` in seconds),
and at the end ``LoopFinished(result)``. Exceptions raised by ``on_event`` propagate.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from app.api.types import ChatCompletion, ChatEvent, ToolCall
from app.tools.model import Tool, ToolRegistry

__all__ = [
    "DECLINED_MESSAGE",
    "LoopEvent",
    "LoopFinished",
    "RoundFinished",
    "RoundStarted",
    "ToolCallFinished",
    "ToolCallRecord",
    "ToolCallStarted",
    "ToolLoopResult",
    "run_tool_loop",
]

DECLINED_MESSAGE = "The user declined to run this tool."
DEFAULT_MAX_RESULT_CHARS = 50_000

Confirm = Callable[[Tool, dict[str, Any]], Awaitable[bool]]
CallStatus = Literal["ok", "error", "declined"]


@dataclass(frozen=True, slots=True)
class RoundStarted:
    round: int


@dataclass(frozen=True, slots=True)
class RoundFinished:
    round: int
    completion: ChatCompletion


@dataclass(frozen=True, slots=True)
class ToolCallStarted:
    round: int
    call_id: str
    name: str
    #: The joined JSON text as the model wrote it.
    arguments: str
    #: Parsed arguments (None when they are not a JSON object).
    parsed: dict[str, Any] | None
    #: None for a name the registry does not know.
    tool: Tool | None


@dataclass(frozen=True, slots=True)
class ToolCallFinished:
    round: int
    call_id: str
    name: str
    arguments: str
    #: Exactly the content sent back to the model.
    result: str
    status: CallStatus
    duration: float
    tool: Tool | None


@dataclass(slots=True)
class ToolCallRecord:
    round: int
    call: ToolCall
    result: str
    status: CallStatus
    duration: float


@dataclass(slots=True)
class ToolLoopResult:
    #: The whole history: the messages given, then every message the loop added.
    messages: list[dict[str, Any]]
    #: Only the messages the loop added (assistant tool-call messages, tool results, the answer).
    added: list[dict[str, Any]]
    #: The last answer (the final one, or the one whose calls were cut by the round limit).
    completion: ChatCompletion
    #: Streamed requests made (rounds of tool calls run + 1).
    rounds: int
    stop_reason: Literal["answered", "max_rounds"]
    calls: list[ToolCallRecord] = field(default_factory=list)
    #: Calls the model asked for in the round that hit the limit; not run.
    pending_calls: list[ToolCall] = field(default_factory=list)

    @property
    def content(self) -> str:
        return self.completion.content


@dataclass(frozen=True, slots=True)
class LoopFinished:
    result: ToolLoopResult


LoopEvent = RoundStarted | RoundFinished | ToolCallStarted | ToolCallFinished | LoopFinished | ChatEvent


class _ChatClient(Protocol):
    @property
    def chat(self) -> Any: ...


async def _emit(on_event: Callable[[Any], Any] | None, event: Any) -> None:
    if on_event is None:
        return
    outcome = on_event(event)
    if inspect.isawaitable(outcome):
        await outcome


def _clip(text: str, limit: int) -> str:
    if limit <= 0 or len(text) <= limit:
        return text
    return text[:limit] + f"\n… [cut: the result had {len(text)} characters]"


def _error_text(exc: BaseException) -> str:
    message = str(exc).strip() or type(exc).__name__
    return f"Error: {message}"


async def run_tool_loop(
    client: _ChatClient,
    messages: Sequence[Mapping[str, Any]],
    *,
    model: str,
    registry: ToolRegistry,
    confirm: Confirm,
    max_rounds: int = 8,
    on_event: Callable[[Any], Any] | None = None,
    tool_choice: str | Mapping[str, Any] | None = None,
    parallel_tool_calls: bool | None = None,
    max_result_chars: int = DEFAULT_MAX_RESULT_CHARS,
    **chat_options: Any,
) -> ToolLoopResult:
    """Run the loop (see the module docstring). ``chat_options`` go to ``client.chat.stream``."""
    if max_rounds < 1:
        raise ValueError("max_rounds must be at least 1")
    history: list[dict[str, Any]] = [dict(message) for message in messages]
    added: list[dict[str, Any]] = []
    records: list[ToolCallRecord] = []
    tools_json = registry.to_openai_tools() or None
    round_no = 0
    while True:
        round_no += 1
        await _emit(on_event, RoundStarted(round_no))
        async with client.chat.stream(
            history,
            model=model,
            tools=tools_json,
            tool_choice=tool_choice if tools_json else None,
            parallel_tool_calls=parallel_tool_calls if tools_json else None,
            **chat_options,
        ) as stream:
            async for event in stream:
                await _emit(on_event, event)
            completion: ChatCompletion = stream.result
        await _emit(on_event, RoundFinished(round_no, completion))

        calls = list(completion.tool_calls)
        if not calls:
            answer = completion.to_message()
            history.append(answer)
            added.append(answer)
            return await _finish(on_event, history, added, completion, round_no, "answered", records, [])
        if round_no > max_rounds:  # max_rounds rounds of tools ran already
            if completion.content:
                partial = {"role": "assistant", "content": completion.content}
                history.append(partial)
                added.append(partial)
            return await _finish(on_event, history, added, completion, round_no, "max_rounds", records, calls)

        assistant = completion.to_message()
        history.append(assistant)
        added.append(assistant)
        round_records = await _run_round(round_no, calls, registry, confirm, on_event, max_result_chars)
        records.extend(round_records)
        for record in round_records:
            message = {"role": "tool", "tool_call_id": record.call.id, "content": record.result}
            history.append(message)
            added.append(message)


async def _finish(
    on_event: Callable[[Any], Any] | None,
    history: list[dict[str, Any]],
    added: list[dict[str, Any]],
    completion: ChatCompletion,
    rounds: int,
    reason: Literal["answered", "max_rounds"],
    records: list[ToolCallRecord],
    pending: list[ToolCall],
) -> ToolLoopResult:
    result = ToolLoopResult(history, added, completion, rounds, reason, records, pending)
    await _emit(on_event, LoopFinished(result))
    return result


@dataclass(slots=True)
class _Prepared:
    call: ToolCall
    tool: Tool | None
    parsed: dict[str, Any] | None
    #: Set when the call will not run (unknown tool, bad arguments, declined).
    outcome: tuple[str, CallStatus] | None = None


def _prepare(call: ToolCall, registry: ToolRegistry) -> _Prepared:
    tool = registry.get(call.name)
    try:
        parsed = call.parsed_arguments()
    except ValueError as exc:
        return _Prepared(call, tool, None, (f"Error: the arguments are not valid JSON ({exc}).", "error"))
    if not isinstance(parsed, dict):
        return _Prepared(call, tool, None, ("Error: the arguments must be a JSON object.", "error"))
    if tool is None:
        known = ", ".join(registry.names()) or "none"
        return _Prepared(call, None, parsed, (f"Error: there is no tool named {call.name!r} (tools: {known}).", "error"))
    return _Prepared(call, tool, parsed)


async def _run_round(
    round_no: int,
    calls: list[ToolCall],
    registry: ToolRegistry,
    confirm: Confirm,
    on_event: Callable[[Any], Any] | None,
    max_result_chars: int,
) -> list[ToolCallRecord]:
    prepared = [_prepare(call, registry) for call in calls]
    # Confirmations one at a time, in the model's order, before anything runs.
    for item in prepared:
        if item.outcome is None and item.tool is not None and item.tool.needs_confirmation:
            assert item.parsed is not None
            if not await confirm(item.tool, item.parsed):
                item.outcome = (DECLINED_MESSAGE, "declined")

    async def one(item: _Prepared) -> ToolCallRecord:
        call = item.call
        await _emit(on_event, ToolCallStarted(round_no, call.id, call.name, call.arguments, item.parsed, item.tool))
        started = time.monotonic()
        if item.outcome is not None:
            text, status = item.outcome
        else:
            assert item.tool is not None and item.parsed is not None
            text, status = await _call_tool(item.tool, item.parsed)
        text = _clip(text, max_result_chars)
        duration = time.monotonic() - started
        await _emit(
            on_event,
            ToolCallFinished(round_no, call.id, call.name, call.arguments, text, status, duration, item.tool),
        )
        return ToolCallRecord(round_no, call, text, status, duration)

    return list(await asyncio.gather(*(one(item) for item in prepared)))


async def _call_tool(tool: Tool, arguments: dict[str, Any]) -> tuple[str, CallStatus]:
    try:
        if tool.timeout is not None:
            deadline = asyncio.timeout(tool.timeout)
            try:
                async with deadline:
                    result = await tool.run(arguments)
            except TimeoutError:
                if deadline.expired():
                    return f"Error: the tool took longer than {tool.timeout:g} s.", "error"
                raise
        else:
            result = await tool.run(arguments)
    except Exception as exc:  # noqa: BLE001 — the model gets the error; CancelledError passes through
        return _error_text(exc), "error"
    if not isinstance(result, str):
        try:
            result = json.dumps(result, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            result = str(result)
    return result, "ok"
