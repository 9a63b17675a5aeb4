"""MCP servers (Model Context Protocol, stdio) whose tools join a ``ToolRegistry``.

Uses the official ``mcp`` SDK: ``mcp.client.stdio.stdio_client`` + ``mcp.ClientSession``. No Qt.

``McpServerConfig(name, command, args=(), env={}, cwd=None)`` — ``env`` is merged over the SDK's
safe default environment (PATH, HOME …), not over the whole of ``os.environ``.

``McpManager(registry, *, on_state=None, start_timeout=30.0, call_timeout=120.0)``
    ``await start(config) -> McpServerState`` starts the process, initialises the session, lists the
    tools and registers them as ``<server>__<tool>`` (sanitised to OpenAI's name rule, ≤ 64 chars;
    ``Tool.meta`` keeps ``server`` and ``mcp_name``; ``source = "mcp:<server>"``). It returns once the
    server is ready or has failed, and never raises for a server's failure (only ``CancelledError``).
    ``start_all(configs)`` starts several at once. ``await stop(name)``, ``await aclose()`` (stop all;
    call it before the event loop ends), ``state(name)``, ``states()``.
    Each change of state goes to ``on_state(McpServerState)`` (a plain function; exceptions there
    are logged, not raised): ``starting`` → ``ready`` | ``failed`` (``reason``: command not found,
    not executable, the handshake failed / timed out, with the last line the server wrote to stderr),
    ``ready`` → ``exited`` (the process ended or closed its output; ``reason``) | ``stopped``.
    When a server leaves ``ready``, its tools are removed from the registry. A tool object that was
    already handed out (a round in progress) still works as a tool: its call raises ``McpToolError``
    ("The MCP server 'x' is not running (exited: …)"), which the loop feeds back as ``Error: …``.
    A tool that answers ``isError`` raises ``McpToolError`` with the server's text, likewise.

Every server runs in its own task (anyio cancel scopes must be left in the task that entered them);
stopping it closes stdin, waits, then terminates/kills the process (the SDK's shutdown), so no process
is left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from app.tools.model import Tool, ToolRegistry, safe_tool_name

__all__ = ["McpManager", "McpServerConfig", "McpServerState", "McpStatus", "McpToolError"]

log = logging.getLogger(__name__)

McpStatus = Literal["stopped", "starting", "ready", "failed", "exited"]
_STOP_GRACE = 10.0


class McpToolError(RuntimeError):
    """An MCP tool call failed (server not running, connection lost, or the tool reported an error)."""


@dataclass(frozen=True, slots=True)
class McpServerConfig:
    name: str
    command: str
    args: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None


@dataclass(frozen=True, slots=True)
class McpServerState:
    name: str
    status: McpStatus
    #: Why it failed or exited, in words for the user; None otherwise.
    reason: str | None = None
    #: Registered tool names (while ready).
    tools: tuple[str, ...] = ()
    #: The server's own name and version from the handshake, when known.
    server_info: str | None = None


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _attr(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return default


def _import_sdk() -> None:
    import mcp
    import mcp.client.stdio  # noqa: F401


class _EofWatch:
    """Wraps the transport's read stream to notice when the server's output ends (it died)."""

    def __init__(self, inner: Any, on_eof: Callable[[], None]) -> None:
        self._inner = inner
        self._on_eof = on_eof

    async def __aenter__(self) -> _EofWatch:  # noqa: PYI034
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> Any:
        return await self._inner.__aexit__(*exc)

    def __aiter__(self) -> _EofWatch:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self._inner.__anext__()
        except StopAsyncIteration:
            self._on_eof()
            raise
        except Exception:
            self._on_eof()
            raise

    async def receive(self) -> Any:
        try:
            return await self._inner.receive()
        except Exception:
            self._on_eof()
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Connection:
    def __init__(self, manager: McpManager, config: McpServerConfig) -> None:
        self.manager = manager
        self.config = config
        self.session: Any = None
        self.state = McpServerState(config.name, "starting")
        self.settled = asyncio.Event()  # ready or failed
        self._wake = asyncio.Event()
        self._stopping = False
        self._eof = False
        self.task: asyncio.Task[None] | None = None
        self.tool_names: list[str] = []
        # The server's stderr (a temporary file) and where the last call began in it: a reason
        # quotes only what the server wrote since then, never an older unrelated line.
        self._errlog: Any = None
        self._stderr_mark = 0

    @property
    def source(self) -> str:
        return f"mcp:{self.config.name}"

    def _set(self, status: McpStatus, reason: str | None = None, **changes: Any) -> None:
        self.state = replace(self.state, status=status, reason=reason, **changes)
        self.manager._notify(self.state)

    def request_stop(self) -> None:
        self._stopping = True
        self._wake.set()

    def _on_eof(self) -> None:
        self._eof = True
        self._wake.set()

    async def run(self) -> None:
        errlog = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")  # noqa: SIM115 — closed in finally
        ready = False
        self._errlog, self._stderr_mark = errlog, 0
        try:
            # The SDK's first import takes a good half second: not on the event loop's thread.
            await asyncio.to_thread(_import_sdk)
            from mcp import ClientSession
            from mcp.client.stdio import StdioServerParameters, stdio_client

            params = StdioServerParameters(
                command=self.config.command,
                args=list(self.config.args),
                env=dict(self.config.env) or None,
                cwd=self.config.cwd,
            )
            async with stdio_client(params, errlog=errlog) as (read, write):  # noqa: SIM117 — the session needs read
                async with ClientSession(_EofWatch(read, self._on_eof), write) as session:
                    handshake = asyncio.ensure_future(self._handshake(session))
                    waker = asyncio.ensure_future(self._wake.wait())
                    try:
                        done, _ = await asyncio.wait(
                            {handshake, waker}, timeout=self.manager.start_timeout,
                            return_when=asyncio.FIRST_COMPLETED,
                        )
                    finally:
                        waker.cancel()
                        if not handshake.done():
                            handshake.cancel()
                            with contextlib.suppress(asyncio.CancelledError, Exception):
                                await handshake
                    if handshake not in done or handshake.cancelled():
                        if self._stopping:
                            self._set("stopped")
                        elif self._eof:
                            self._set("failed", self._with_stderr("The server ended during the handshake.", errlog))
                        else:
                            self._set("failed", self._with_stderr(
                                f"The server did not answer the handshake within {self.manager.start_timeout:g} s.",
                                errlog))
                        return
                    info, tools = handshake.result()
                    self.session = session
                    self._register(tools)
                    ready = True
                    self._set("ready", tools=tuple(self.tool_names), server_info=info)
                    self.settled.set()
                    await self._wake.wait()
                    self.session = None
                    self._unregister()
                    if self._stopping:
                        self._set("stopped", tools=())
                    else:
                        self._set("exited", self._with_stderr("The server process ended.", errlog), tools=())
        except asyncio.CancelledError:
            self._unregister()
            if self.state.status in ("starting", "ready"):
                self._set("stopped", tools=())
            raise
        except Exception as exc:  # noqa: BLE001 — a server's failure never escapes into the app
            self.session = None
            self._unregister()
            reason = self._with_stderr(self._describe(_leaf(exc)), errlog)
            if ready:
                if self.state.status == "ready":
                    self._set("exited", reason, tools=())
            elif self._stopping:
                self._set("stopped")
            else:
                self._set("failed", reason)
        finally:
            self.session = None
            self.settled.set()
            self._errlog = None
            errlog.close()

    async def _handshake(self, session: Any) -> tuple[str | None, list[Any]]:
        result = await session.initialize()
        server = _attr(result, "server_info", "serverInfo")
        info = None
        if server is not None:
            name = _attr(server, "name", default="")
            version = _attr(server, "version", default="")
            info = f"{name} {version}".strip() or None
        tools: list[Any] = []
        cursor = None
        for _ in range(100):  # pagination, bounded
            if cursor is None:
                listing = await session.list_tools()
            else:
                from mcp import types

                listing = await session.list_tools(params=types.PaginatedRequestParams(cursor=cursor))
            tools.extend(listing.tools)
            cursor = _attr(listing, "next_cursor", "nextCursor")
            if not cursor:
                break
        return info, tools

    def _describe(self, exc: BaseException) -> str:
        command = self.config.command
        if isinstance(exc, FileNotFoundError):
            return f"The command {command!r} was not found."
        if isinstance(exc, PermissionError):
            return f"The command {command!r} cannot be run (permission denied)."
        text = str(exc).strip() or type(exc).__name__
        if "connection closed" in text.lower():
            return "The server closed the connection."
        return f"{type(exc).__name__}: {text}" if isinstance(exc, OSError) else text

    @staticmethod
    def _stderr_size(errlog: Any) -> int:
        try:
            return os.fstat(errlog.fileno()).st_size
        except (OSError, ValueError):
            return 0

    def _with_stderr(self, reason: str, errlog: Any) -> str:
        """The reason, with the last line the server wrote to stderr since the last call began
        (since it started, if it was never called)."""
        try:
            size = self._stderr_size(errlog)
            start = max(self._stderr_mark, size - 8192)
            # pread: the child shares the file's offset, which is left alone.
            data = os.pread(errlog.fileno(), max(0, size - start), start) if size > start else b""
            lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
        except (OSError, ValueError):
            lines = []
        return f"{reason} Its last message: {lines[-1]}" if lines else reason

    def _register(self, tools: Iterable[Any]) -> None:
        registry = self.manager.registry
        prefix = safe_tool_name(self.config.name)
        for item in tools:
            mcp_name = str(_attr(item, "name", default=""))
            if not mcp_name:
                continue
            name = safe_tool_name(f"{prefix}__{mcp_name}")
            base, n = name, 2
            while name in registry:
                suffix = f"_{n}"
                name = base[: 64 - len(suffix)] + suffix
                n += 1
            schema = _attr(item, "input_schema", "inputSchema", default=None)
            if hasattr(schema, "model_dump"):
                schema = schema.model_dump(exclude_none=True, by_alias=True)
            schema = dict(schema) if isinstance(schema, Mapping) else {"type": "object", "properties": {}}
            description = str(_attr(item, "description", default="") or _attr(item, "title", default="") or mcp_name)
            registry.add(
                Tool(
                    name=name,
                    description=description,
                    parameters=schema,
                    run=self._runner(mcp_name),
                    needs_confirmation=False,
                    source=self.source,
                    meta={"server": self.config.name, "mcp_name": mcp_name},
                )
            )
            self.tool_names.append(name)

    def _unregister(self) -> None:
        registry = self.manager.registry
        for name in self.tool_names:
            tool = registry.get(name)
            if tool is not None and tool.source == self.source:
                registry.remove(name)
        self.tool_names = []

    def _runner(self, mcp_name: str) -> Callable[[dict[str, Any]], Any]:
        async def run(arguments: dict[str, Any]) -> str:
            return await self.call(mcp_name, arguments)

        return run

    async def call(self, mcp_name: str, arguments: dict[str, Any]) -> str:
        session = self.session
        if session is None or self.state.status != "ready":
            detail = self.state.status + (f": {self.state.reason}" if self.state.reason else "")
            raise McpToolError(f"The MCP server {self.config.name!r} is not running ({detail}).")
        if self._errlog is not None:
            self._stderr_mark = self._stderr_size(self._errlog)
        try:
            result = await session.call_tool(
                mcp_name, arguments, read_timeout_seconds=self.manager.call_timeout
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 — any transport failure becomes the tool's error
            text = str(_leaf(exc)).strip() or type(exc).__name__
            if self._eof or "connection closed" in text.lower():
                raise McpToolError(f"The MCP server {self.config.name!r} stopped during the call.") from None
            raise McpToolError(f"The MCP server {self.config.name!r} failed: {text}") from None
        text = _result_text(result)
        if _attr(result, "is_error", "isError", default=False):
            raise McpToolError(text or "The tool reported an error.")
        return text


def _result_text(result: Any) -> str:
    parts: list[str] = []
    for item in _attr(result, "content", default=[]) or []:
        kind = _attr(item, "type", default="")
        if kind == "text":
            parts.append(str(_attr(item, "text", default="")))
        elif kind in ("image", "audio"):
            parts.append(f"[{kind}: {_attr(item, 'mime_type', 'mimeType', default='binary')}]")
        elif kind == "resource":
            resource = _attr(item, "resource")
            parts.append(str(_attr(resource, "text", default=None) or f"[resource: {_attr(resource, 'uri', default='')}]"))
        elif kind == "resource_link":
            parts.append(f"[resource: {_attr(item, 'uri', default='')}]")
        else:
            parts.append(str(item))
    if not parts:
        structured = _attr(result, "structured_content", "structuredContent")
        if structured is not None:
            return json.dumps(structured, ensure_ascii=False, default=str)
    return "\n".join(parts)


class McpManager:
    """Starts, tracks and stops MCP stdio servers; their tools live in ``registry``."""

    def __init__(
        self,
        registry: ToolRegistry,
        *,
        on_state: Callable[[McpServerState], Any] | None = None,
        start_timeout: float = 30.0,
        call_timeout: float = 120.0,
    ) -> None:
        self.registry = registry
        self.on_state = on_state
        self.start_timeout = start_timeout
        self.call_timeout = call_timeout
        self._connections: dict[str, _Connection] = {}

    def _notify(self, state: McpServerState) -> None:
        if self.on_state is None:
            return
        try:
            self.on_state(state)
        except Exception:  # a listener's bug must not stop a server
            log.exception("on_state failed for MCP server %r", state.name)

    def state(self, name: str) -> McpServerState | None:
        connection = self._connections.get(name)
        return connection.state if connection else None

    def states(self) -> dict[str, McpServerState]:
        return {name: connection.state for name, connection in self._connections.items()}

    async def start(self, config: McpServerConfig) -> McpServerState:
        """Start (or restart) one server; returns when it is ready or has failed."""
        if config.name in self._connections:
            await self.stop(config.name)
        connection = _Connection(self, config)
        self._connections[config.name] = connection
        self._notify(connection.state)
        connection.task = asyncio.create_task(connection.run(), name=f"mcp:{config.name}")
        try:
            await connection.settled.wait()
        except asyncio.CancelledError:
            connection.request_stop()
            raise
        return connection.state

    async def start_all(self, configs: Iterable[McpServerConfig]) -> list[McpServerState]:
        return list(await asyncio.gather(*(self.start(config) for config in configs)))

    async def stop(self, name: str) -> None:
        connection = self._connections.pop(name, None)
        if connection is None:
            return
        connection.request_stop()
        task = connection.task
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), _STOP_GRACE)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        except asyncio.CancelledError:
            if task.done():
                pass
            else:
                task.cancel()
                raise

    async def aclose(self) -> None:
        await asyncio.gather(*(self.stop(name) for name in list(self._connections)))


