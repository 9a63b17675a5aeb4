"""The tool loop against the loopback server: streamed calls, parallel calls, limits, errors, consent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from app.api.client import Client
from app.api.types import ContentDelta, ToolCallDelta
from app.tools import (
    DECLINED_MESSAGE,
    LoopFinished,
    RoundFinished,
    RoundStarted,
    Tool,
    ToolCallFinished,
    ToolCallStarted,
    ToolRegistry,
    calculator_tool,
    run_tool_loop,
)
from tests.loopback.server import Fault, LoopbackServer

STRING_ARG = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}


@pytest_asyncio.fixture
async def client(loopback: LoopbackServer) -> AsyncIterator[Client]:
    async with Client(loopback.base_url, loopback.token, max_retries=0) as client:
        yield client


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


async def always(tool: Tool, arguments: dict[str, Any]) -> bool:
    return True


def text_tool(name: str, seen: list[dict[str, Any]] | None = None, *, reply: str | None = None, **kw: Any) -> Tool:
    async def run(arguments: dict[str, Any]) -> str:
        if seen is not None:
            seen.append(arguments)
        return reply if reply is not None else f"{name} got {len(arguments['text'])} chars"

    return Tool(name, f"The {name} tool.", STRING_ARG, run, **kw)


@pytest.mark.asyncio
@pytest.mark.parametrize("quirk", [None, 11])
async def test_streamed_call_with_arguments_in_many_pieces(
    client: Client, loopback: LoopbackServer, quirk: int | None
) -> None:
    if quirk:
        loopback.inject("/chat/completions", Fault(quirk=quirk))  # split bytes, no index on a single call
    text = "please use tool lookup with a long enough sentence to need many pieces"
    seen: list[dict[str, Any]] = []
    events: list[Any] = []
    result = await run_tool_loop(
        client, user(text), model="m", registry=ToolRegistry([text_tool("lookup", seen)]),
        confirm=always, on_event=events.append,
    )
    expected_text = text + (" 你好，世界🌏" if quirk else "")
    assert seen == [{"text": expected_text}]
    pieces = [e for e in events if isinstance(e, ToolCallDelta)]
    assert json.loads("".join(p.arguments for p in pieces)) == {"text": expected_text}
    assert len(pieces) >= 10
    assert result.stop_reason == "answered" and result.rounds == 2
    assert result.content == f"Result: lookup got {len(expected_text)} chars"
    # The second request carried the assistant's tool call and the tool's answer.
    sent = loopback.requests_to("/chat/completions")[-1].json["messages"]
    assert sent[-2]["role"] == "assistant" and sent[-2]["tool_calls"][0]["function"]["name"] == "lookup"
    assert sent[-1] == {"role": "tool", "tool_call_id": sent[-2]["tool_calls"][0]["id"],
                        "content": f"lookup got {len(expected_text)} chars"}
    assert [m["role"] for m in result.added] == ["assistant", "tool", "assistant"]
    assert result.messages[0] == user(text)[0] and len(result.messages) == 4
    kinds = [type(e) for e in events if not isinstance(e, (ToolCallDelta, ContentDelta))]
    assert kinds[0] is RoundStarted and kinds[-1] is LoopFinished
    started = next(e for e in events if isinstance(e, ToolCallStarted))
    finished = next(e for e in events if isinstance(e, ToolCallFinished))
    assert started.parsed == {"text": expected_text} and started.tool is not None
    assert finished.status == "ok" and finished.duration >= 0 and finished.call_id == started.call_id
    assert "".join(e.text for e in events if isinstance(e, ContentDelta)) == result.content


@pytest.mark.asyncio
async def test_parallel_calls_run_concurrently(client: Client, loopback: LoopbackServer) -> None:
    both_started = asyncio.Event()
    running: list[str] = []

    def gated(name: str) -> Tool:
        async def run(arguments: dict[str, Any]) -> str:
            running.append(name)
            if len(running) == 2:
                both_started.set()
            await asyncio.wait_for(both_started.wait(), 5)  # deadlocks unless both run at once
            return f"{name} done"

        return Tool(name, name, STRING_ARG, run)

    events: list[Any] = []
    result = await run_tool_loop(
        client, user("use all tools"), model="m", registry=ToolRegistry([gated("first"), gated("second")]),
        confirm=always, on_event=events.append,
    )
    assert sorted(running) == ["first", "second"]
    assert result.content == "Result: first done; second done"
    assert [r.call.name for r in result.calls] == ["first", "second"]
    assert len({r.call.id for r in result.calls}) == 2
    assert sum(isinstance(e, ToolCallFinished) for e in events) == 2


@pytest.mark.asyncio
async def test_tool_error_is_fed_back(client: Client, loopback: LoopbackServer) -> None:
    async def broken(arguments: dict[str, Any]) -> str:
        raise ValueError("the database is on fire")

    events: list[Any] = []
    result = await run_tool_loop(
        client, user("use tool broken"), model="m",
        registry=ToolRegistry([Tool("broken", "b", STRING_ARG, broken), calculator_tool()]),
        confirm=always, on_event=events.append,
    )
    assert result.content == "Result: Error: the database is on fire"
    assert result.calls[0].status == "error"
    assert next(e for e in events if isinstance(e, ToolCallFinished)).status == "error"


@pytest.mark.asyncio
async def test_tool_timeout_is_fed_back(client: Client) -> None:
    async def slow(arguments: dict[str, Any]) -> str:
        await asyncio.sleep(30)
        return "never"

    result = await run_tool_loop(
        client, user("use tool slow"), model="m",
        registry=ToolRegistry([Tool("slow", "s", STRING_ARG, slow, timeout=0.05)]), confirm=always,
    )
    assert result.content == "Result: Error: the tool took longer than 0.05 s."


@pytest.mark.asyncio
@pytest.mark.parametrize("allow", [True, False])
async def test_confirmation(client: Client, loopback: LoopbackServer, allow: bool) -> None:
    asked: list[tuple[str, dict[str, Any]]] = []
    ran: list[dict[str, Any]] = []

    async def confirm(tool: Tool, arguments: dict[str, Any]) -> bool:
        asked.append((tool.name, arguments))
        return allow

    registry = ToolRegistry([text_tool("spend", ran, reply="spent", needs_confirmation=True),
                             text_tool("free", reply="free")])
    events: list[Any] = []
    result = await run_tool_loop(client, user("use all tools"), model="m", registry=registry,
                                 confirm=confirm, on_event=events.append)
    assert asked == [("spend", {"text": "use all tools"})]  # only the tool that needs it
    if allow:
        assert ran and result.content == "Result: spent; free"
        assert [r.status for r in result.calls] == ["ok", "ok"]
    else:
        assert not ran and result.content == f"Result: {DECLINED_MESSAGE}; free"
        assert [r.status for r in result.calls] == ["declined", "ok"]


@pytest.mark.asyncio
async def test_a_limit_of_one_runs_one_round_of_tools(client: Client, loopback: LoopbackServer) -> None:
    # "1 round" means one round of tool calls runs and the model gets the results (the old
    # meaning stopped before running anything).
    ran: list[dict[str, Any]] = []
    result = await run_tool_loop(client, user("use tool t"), model="m",
                                 registry=ToolRegistry([text_tool("t", ran)]), confirm=always, max_rounds=1)
    assert result.stop_reason == "answered" and result.rounds == 2
    assert len(ran) == 1 and len(result.calls) == 1 and result.pending_calls == []
    assert result.content == "Result: t got 10 chars"
    assert len(loopback.requests_to("/chat/completions")) == 2


class InsistentModel:
    """The loopback client, but every follow-up ends with a user turn asking for the tool again.

    The loopback model only calls tools after a user message; this makes it behave like a model that
    keeps calling a tool every round (as with ``tool_choice: "required"``).
    """

    def __init__(self, client: Client) -> None:
        self._client = client
        self.chat = self

    def stream(self, messages: list[dict[str, Any]], **kw: Any) -> Any:
        if messages[-1]["role"] == "tool":
            messages = [*messages, {"role": "user", "content": "use tool again"}]
        return self._client.chat.stream(messages, **kw)


@pytest.mark.asyncio
@pytest.mark.parametrize("limit", [1, 3])
async def test_round_limit_with_a_model_that_keeps_calling(client: Client, loopback: LoopbackServer, limit: int) -> None:
    ran: list[dict[str, Any]] = []
    rounds: list[int] = []
    result = await run_tool_loop(
        InsistentModel(client), user("use tool again"), model="m",
        registry=ToolRegistry([text_tool("again", ran)]), confirm=always, max_rounds=limit, tool_choice="required",
        on_event=lambda e: rounds.append(e.round) if isinstance(e, RoundFinished) else None,
    )
    # Exactly `limit` rounds of tools ran; the request after them still asked: not run, pending.
    assert result.stop_reason == "max_rounds" and result.rounds == limit + 1
    assert rounds == list(range(1, limit + 2))
    assert len(ran) == limit and len(result.calls) == limit and len(result.pending_calls) == 1
    assert {c.round for c in result.calls} == set(range(1, limit + 1))
    assert result.completion.finish_reason == "tool_calls"
    assert len(loopback.requests_to("/chat/completions")) == limit + 1
    assert all(r.json["tool_choice"] == "required" for r in loopback.requests_to("/chat/completions"))
    # Every tool_calls message in the history is answered; the pending calls are not in it.
    ids = [c["id"] for m in result.messages if m.get("tool_calls") for c in m["tool_calls"]]
    answered = [m["tool_call_id"] for m in result.messages if m["role"] == "tool"]
    assert ids == answered and len(ids) == limit


@pytest.mark.asyncio
async def test_async_on_event_and_no_tools(client: Client) -> None:
    seen: list[Any] = []

    async def on_event(event: Any) -> None:
        await asyncio.sleep(0)
        seen.append(event)

    result = await run_tool_loop(client, user("hi"), model="m", registry=ToolRegistry(), confirm=always,
                                 on_event=on_event)
    assert result.content == "Echo: hi" and result.rounds == 1 and result.stop_reason == "answered"
    assert isinstance(seen[-1], LoopFinished)


@pytest.mark.asyncio
async def test_cancel_while_tools_run(client: Client, loopback: LoopbackServer) -> None:
    started = asyncio.Event()
    cancelled: list[str] = []

    def hanging(name: str) -> Tool:
        async def run(arguments: dict[str, Any]) -> str:
            started.set()
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancelled.append(name)
                raise
            return "never"

        return Tool(name, name, STRING_ARG, run)

    task = asyncio.create_task(run_tool_loop(
        client, user("use all tools"), model="m", registry=ToolRegistry([hanging("a"), hanging("b")]),
        confirm=always,
    ))
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert sorted(cancelled) == ["a", "b"]
    assert len(loopback.requests_to("/chat/completions")) == 1
