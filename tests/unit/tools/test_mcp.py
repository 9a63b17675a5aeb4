"""MCP servers through the official SDK: a round trip with tests/unit/tools/mcp_server.py, and failures."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from app.api.client import Client
from app.tools import (
    McpManager,
    McpServerConfig,
    McpServerState,
    McpToolError,
    Tool,
    ToolRegistry,
    run_tool_loop,
)
from tests.loopback.server import LoopbackServer

SERVER = str(Path(__file__).with_name("mcp_server.py"))


def config(name: str = "test", **env: str) -> McpServerConfig:
    return McpServerConfig(name, sys.executable, [SERVER], env=env)


@pytest_asyncio.fixture
async def manager() -> AsyncIterator[tuple[McpManager, ToolRegistry, list[McpServerState]]]:
    registry = ToolRegistry()
    states: list[McpServerState] = []
    manager = McpManager(registry, on_state=states.append, start_timeout=30)
    try:
        yield manager, registry, states
    finally:
        await manager.aclose()


async def always(tool: Tool, arguments: dict[str, Any]) -> bool:
    return True


@pytest.mark.asyncio
async def test_round_trip(manager: tuple[McpManager, ToolRegistry, list[McpServerState]]) -> None:
    mcp, registry, states = manager
    state = await mcp.start(config())
    assert state.status == "ready" and state.reason is None
    assert state.tools == ("test__add", "test__echo", "test__fail", "test__die")
    assert state.server_info and "parla-test-server" in state.server_info
    add = registry["test__add"]
    assert add.source == "mcp:test" and add.meta == {"server": "test", "mcp_name": "add"}
    assert add.description == "Add two integers."
    schema = add.to_openai()["function"]["parameters"]
    assert schema["type"] == "object" and set(schema["properties"]) == {"a", "b"}
    assert await add.run({"a": 2, "b": 40}) == "42"
    assert await registry["test__echo"].run({"text": "héllo"}) == "echo: héllo"
    with pytest.raises(McpToolError):
        await registry["test__fail"].run({})
    assert [s.status for s in states] == ["starting", "ready"]
    await mcp.stop("test")
    assert states[-1].status == "stopped" and registry.names() == []


@pytest.mark.asyncio
async def test_tools_in_the_loop(
    manager: tuple[McpManager, ToolRegistry, list[McpServerState]], loopback: LoopbackServer
) -> None:
    mcp, registry, _ = manager
    await mcp.start(config())
    async with Client(loopback.base_url, loopback.token, max_retries=0) as client:
        result = await run_tool_loop(client, [{"role": "user", "content": "use tool test__add"}], model="m",
                                     registry=registry, confirm=always)
        assert result.content == "Result: 84"  # the loopback model sends 42 for every integer
        result = await run_tool_loop(client, [{"role": "user", "content": "use tool test__fail"}], model="m",
                                     registry=registry, confirm=always)
        assert result.content.startswith("Result: Error: ")


@pytest.mark.asyncio
async def test_command_not_found(manager: tuple[McpManager, ToolRegistry, list[McpServerState]]) -> None:
    mcp, registry, states = manager
    state = await mcp.start(McpServerConfig("ghost", "/nonexistent/parla-mcp-server", ["--x"]))
    assert state.status == "failed" and "was not found" in (state.reason or "")
    assert registry.names() == [] and [s.status for s in states] == ["starting", "failed"]
    assert mcp.state("ghost") == state


@pytest.mark.asyncio
async def test_server_that_crashes_at_start(manager: tuple[McpManager, ToolRegistry, list[McpServerState]]) -> None:
    mcp, registry, _ = manager
    state = await mcp.start(config("crashy", MCP_TEST_CRASH_AT_START="1"))
    assert state.status == "failed"
    assert "crashing at start as asked" in (state.reason or "")  # the server's last stderr line
    assert registry.names() == []


@pytest.mark.asyncio
async def test_server_exits_mid_session(
    manager: tuple[McpManager, ToolRegistry, list[McpServerState]], loopback: LoopbackServer
) -> None:
    mcp, registry, states = manager
    await mcp.start(config())
    await mcp.start(config("other"))
    add = registry["test__add"]
    with pytest.raises(McpToolError, match="stopped during the call"):
        await registry["test__die"].run({})
    for _ in range(200):
        if mcp.state("test").status == "exited":  # type: ignore[union-attr]
            break
        await asyncio.sleep(0.02)
    state = mcp.state("test")
    assert state is not None and state.status == "exited" and state.reason
    assert not [n for n in registry.names() if n.startswith("test__")]  # no longer offered
    # A tool object handed out earlier answers with an error, which the loop feeds back.
    with pytest.raises(McpToolError, match="not running"):
        await add.run({"a": 1, "b": 2})
    # The other server is untouched, and the chat goes on.
    assert mcp.state("other").status == "ready"  # type: ignore[union-attr]
    assert await registry["other__add"].run({"a": 1, "b": 2}) == "3"
    stale = ToolRegistry([add])
    async with Client(loopback.base_url, loopback.token, max_retries=0) as client:
        result = await run_tool_loop(client, [{"role": "user", "content": "use tool"}], model="m",
                                     registry=stale, confirm=always)
    assert result.content.startswith("Result: Error: The MCP server 'test' is not running (exited")
    assert "exited" in [s.status for s in states if s.name == "test"]


@pytest.mark.asyncio
async def test_exit_reason_quotes_only_stderr_written_since_the_last_call(
    manager: tuple[McpManager, ToolRegistry, list[McpServerState]],
) -> None:
    mcp, registry, _ = manager
    await mcp.start(config("quiet"))
    await mcp.start(config("loud", MCP_TEST_DIE_MESSAGE="mcp test server: dying as asked"))
    for name in ("quiet", "loud"):
        with pytest.raises(McpToolError):
            await registry[f"{name}__fail"].run({})  # the SDK writes a traceback ending "tool fail" to stderr
        with pytest.raises(McpToolError, match="stopped during the call"):
            await registry[f"{name}__die"].run({})
    for _ in range(200):
        if all(mcp.state(name).status == "exited" for name in ("quiet", "loud")):  # type: ignore[union-attr]
            break
        await asyncio.sleep(0.02)
    # The old traceback of the earlier call is not the reason it ended; what it wrote while dying is.
    assert mcp.state("quiet") is not None and mcp.state("quiet").reason == "The server process ended."  # type: ignore[union-attr]
    assert mcp.state("loud").reason == (  # type: ignore[union-attr]
        "The server process ended. Its last message: mcp test server: dying as asked"
    )


@pytest.mark.asyncio
async def test_restart_and_aclose_leave_no_process() -> None:
    registry = ToolRegistry()
    mcp = McpManager(registry)
    await mcp.start(config())
    await mcp.start(config())  # restart under the same name
    assert registry.names().count("test__add") == 1
    await mcp.aclose()
    assert registry.names() == [] and mcp.states() == {}


def _child_pids() -> set[int]:
    pids: set[int] = set()
    for children in Path("/proc/self/task").glob("*/children"):
        pids.update(int(p) for p in children.read_text().split())
    return pids


@pytest.mark.asyncio
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
async def test_stop_reaps_the_process() -> None:
    before = _child_pids()
    mcp = McpManager(ToolRegistry())
    await mcp.start(config())
    started = _child_pids() - before
    assert started
    await mcp.aclose()
    assert not (_child_pids() & started)
    for pid in started:
        assert not Path(f"/proc/{pid}").exists()  # not even a zombie
