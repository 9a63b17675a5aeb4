"""The tools the chat can offer that live beyond one conversation: MCP servers and their tools.

One ``ToolService`` per app, made by ``app.main`` and shared through ``AppContext.tools``. It owns
the ``McpManager`` (``app.tools.mcp_servers``) and the registry its tools join while their server is
ready. The Chat tab adds its own built-in tools (date and time, calculator, image generation,
conversation search) per reply; it takes the MCP tools from :attr:`registry`.

``tools_changed`` — the set of MCP tools changed (a server became ready, failed, exited or stopped).
``server_state_changed(name)`` — that server's :meth:`state` (or its settings) changed.

The user's servers (:class:`McpServerSettings`) are kept in ``mcp_servers.json`` in the config
folder, written atomically (temporary file, then replace) and readable by the user only: the
environment variables of a server may hold secrets (API keys). Those values are never logged — they
are registered with :func:`app.logs.register_secret`, so even a server's last stderr line quoted in
a failure reason reaches the log scrubbed. A server whose ``secret_env`` is set keeps its values in
the system keychain instead (:class:`app.credentials.Vault`, entry ``mcp-env:<name>``); the file
then holds only their names. Those values are read (in a worker thread) when the server starts or
is edited — :meth:`ToolService.resolve` — never at start-up.

Start-up: nothing is started (and the ``mcp`` SDK is not imported) until :meth:`start_enabled`,
which ``app.main`` calls once the window's first frame is shown. Changes from the Settings dialog's
MCP page take effect at once (:meth:`add_server`, :meth:`update_server`, :meth:`remove_server`,
:meth:`start`, :meth:`stop`, :meth:`restart`); the work runs in tasks this service keeps, so it
goes on when the dialog closes. :meth:`aclose` stops every server before the event loop ends.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import os
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.atomic import write_atomically
from app.credentials import CredentialError, Vault
from app.logs import register_secret
from app.paths import Locations
from app.tools.mcp_servers import McpManager, McpServerConfig, McpServerState
from app.tools.model import ToolRegistry

__all__ = ["McpServerSettings", "McpServerStore", "SecretsMissingError", "ToolService", "vault_key"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class McpServerSettings:
    """One MCP server as the user configured it."""

    name: str
    command: str
    args: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    #: The working folder ("" for Parla's own).
    cwd: str = ""
    enabled: bool = True
    #: The values of ``env`` live in the system keychain, not in the settings file.
    secret_env: bool = False

    def to_config(self) -> McpServerConfig:
        return McpServerConfig(self.name, self.command, tuple(self.args), dict(self.env), self.cwd or None)

    def same_process(self, other: McpServerSettings) -> bool:
        """True when ``other`` would start the very same process (only ``enabled`` may differ)."""
        return (self.name, self.command, tuple(self.args), dict(self.env), self.cwd) == (
            other.name, other.command, tuple(other.args), dict(other.env), other.cwd,
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "command": self.command,
            "args": list(self.args),
            "env": {} if self.secret_env else dict(self.env),
            "cwd": self.cwd,
            "enabled": self.enabled,
        }
        if self.secret_env:
            data["env_in_keychain"] = list(self.env)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> McpServerSettings | None:
        name, command = data.get("name"), data.get("command")
        if not isinstance(name, str) or not name.strip() or not isinstance(command, str) or not command.strip():
            return None
        args = data.get("args")
        env = data.get("env")
        cwd = data.get("cwd")
        in_keychain = data.get("env_in_keychain")
        if isinstance(in_keychain, list):  # only the names: the values are read from the keychain
            env = {str(key): "" for key in in_keychain}
        return cls(
            name=name.strip(),
            command=command.strip(),
            args=tuple(str(a) for a in args) if isinstance(args, list) else (),
            env={str(k): str(v) for k, v in env.items()} if isinstance(env, dict) else {},
            cwd=cwd if isinstance(cwd, str) else "",
            enabled=bool(data.get("enabled", True)),
            secret_env=isinstance(in_keychain, list),
        )


class McpServerStore:
    """The list of servers in ``mcp_servers.json`` (no Qt: plain file work, run off the UI thread)."""

    FILENAME = "mcp_servers.json"
    VERSION = 1

    def __init__(self, config_dir: Path) -> None:
        self.path = Path(config_dir) / self.FILENAME
        #: Where an unreadable list was moved by :meth:`load` (so saving cannot overwrite it).
        self.set_aside: Path | None = None

    def load(self) -> list[McpServerSettings]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("the MCP server list cannot be read: %s", type(exc).__name__)
            self._set_aside()
            return []
        try:
            data = json.loads(text)
        except ValueError:
            log.warning("the MCP server list is not valid JSON")
            self._set_aside()
            return []
        items = data.get("servers") if isinstance(data, dict) else None
        if not isinstance(items, list):
            log.warning("the MCP server list has no list of servers")
            self._set_aside()
            return []
        servers: list[McpServerSettings] = []
        seen: set[str] = set()
        for item in items:
            server = McpServerSettings.from_json(item) if isinstance(item, dict) else None
            if server is not None and server.name.casefold() not in seen:
                seen.add(server.name.casefold())
                servers.append(server)
        return servers

    def _set_aside(self) -> None:
        target = self.path.with_name(self.FILENAME + ".unreadable")
        try:
            os.replace(self.path, target)
        except OSError as exc:
            log.warning("the unreadable MCP server list could not be set aside: %s", type(exc).__name__)
            return
        self.set_aside = target
        log.warning("the unreadable MCP server list was kept as %s", target.name)

    def save(self, servers: Iterable[McpServerSettings]) -> None:
        """Write atomically, readable by the user only (environment values may be secrets)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"version": self.VERSION, "servers": [server.to_json() for server in servers]}
        write_atomically(self.path, json.dumps(payload, indent=2, ensure_ascii=False), private=True)


class SecretsMissingError(Exception):
    """The keychain has no environment values for a server whose values should be there."""


def vault_key(name: str) -> str:
    """The keychain entry of a server's environment values."""
    return f"mcp-env:{name}"


def _encode_env(env: Mapping[str, str]) -> str:
    # The Vault strips whitespace from what it stores (it is made for tokens): base64 has none.
    return base64.urlsafe_b64encode(json.dumps(dict(env), ensure_ascii=False).encode("utf-8")).decode("ascii")


def _decode_env(blob: str) -> dict[str, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(blob.encode("ascii")).decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeError):
        raise SecretsMissingError("the keychain entry is not readable") from None
    if not isinstance(data, dict):
        raise SecretsMissingError("the keychain entry is not readable")
    return {str(k): str(v) for k, v in data.items()}


def _register_secrets(server: McpServerSettings) -> None:
    for value in server.env.values():
        register_secret(value)


class ToolService(QObject):
    """MCP servers and the registry of their tools (see the module docstring)."""

    #: The registry's membership changed.
    tools_changed = Signal()
    #: The state or the settings of the server with this name changed (also when it was removed).
    server_state_changed = Signal(str)
    #: The list of servers changed (added, edited, removed).
    servers_changed = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        locations: Locations | None = None,
        vault: Vault | None = None,
        start_timeout: float = 30.0,
    ) -> None:
        super().__init__(parent)
        #: The MCP tools of every ready server, by their registered names (``<server>__<tool>``).
        self.registry = ToolRegistry()
        self._store = McpServerStore(locations.config) if locations is not None else None
        self._manager = McpManager(self.registry, on_state=self._on_state, start_timeout=start_timeout)
        self._servers: list[McpServerSettings] | None = None  # loaded on first use
        self._vault = vault if vault is not None else Vault()
        #: Servers whose environment values are still in the keychain only (not read yet).
        self._unresolved: set[str] = set()
        #: Keychain entries to write (server names) and to delete (keys), at the next save.
        self._secrets_to_write: set[str] = set()
        self._keys_to_delete: set[str] = set()
        self._states: dict[str, McpServerState] = {}
        self._tool_names: tuple[str, ...] = ()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._save_lock: asyncio.Lock | None = None  # made on first save, on the running loop
        self._closed = False

    # -- the servers -------------------------------------------------------------------------------

    def servers(self) -> list[McpServerSettings]:
        """The configured servers, in the user's order."""
        if self._servers is None:
            self._servers = self._store.load() if self._store is not None else []
            for server in self._servers:
                _register_secrets(server)
                if server.secret_env:
                    self._unresolved.add(server.name)
        return list(self._servers)

    def server(self, name: str) -> McpServerSettings | None:
        return next((s for s in self.servers() if s.name == name), None)

    @property
    def unreadable_list(self) -> Path | None:
        """The saved list could not be read and was moved here (the page tells the user)."""
        return self._store.set_aside if self._store is not None else None

    def state(self, name: str) -> McpServerState:
        """The live state; ``stopped`` for a server that was never started."""
        return self._states.get(name) or McpServerState(name, "stopped")

    @property
    def pending_tasks(self) -> list[asyncio.Task[Any]]:
        return [task for task in self._tasks if not task.done()]

    async def add_server(self, server: McpServerSettings) -> None:
        """Add, save, and start it if enabled. Raises ValueError for a duplicate name, OSError if not saved."""
        servers = self.servers()
        if any(s.name.casefold() == server.name.casefold() for s in servers):
            raise ValueError(f"duplicate MCP server name {server.name!r}")
        _register_secrets(server)
        self._servers = [*servers, server]
        if server.secret_env:
            self._secrets_to_write.add(server.name)
            self._keys_to_delete.discard(vault_key(server.name))
        self.servers_changed.emit()
        self.server_state_changed.emit(server.name)
        if server.enabled:
            self.start(server.name)
        await self._saved()

    async def update_server(self, old_name: str, server: McpServerSettings) -> None:
        """Replace ``old_name``'s settings; a running server whose process changed is restarted.

        A server with ``secret_env`` must be resolved first (:meth:`resolve`: its values are otherwise
        unknown here, and saving would overwrite them): ValueError if not.
        """
        servers = self.servers()
        index = next((i for i, s in enumerate(servers) if s.name == old_name), None)
        if index is None:
            raise KeyError(old_name)
        if old_name in self._unresolved:
            raise ValueError(f"the environment of MCP server {old_name!r} was not read from the keychain")
        if any(s.name.casefold() == server.name.casefold() for i, s in enumerate(servers) if i != index):
            raise ValueError(f"duplicate MCP server name {server.name!r}")
        old = servers[index]
        _register_secrets(server)
        servers[index] = server
        self._servers = servers
        if old.secret_env and (not server.secret_env or server.name != old_name):
            self._keys_to_delete.add(vault_key(old_name))
            self._secrets_to_write.discard(old_name)
        if server.secret_env:
            self._secrets_to_write.add(server.name)
            self._keys_to_delete.discard(vault_key(server.name))
        active = self.state(old_name).status in ("starting", "ready")
        if server.name != old_name:
            self._states.pop(old_name, None)
            self._spawn(self._stop(old_name), f"mcp.stop:{old_name}")
        self.servers_changed.emit()
        self.server_state_changed.emit(old_name)
        self.server_state_changed.emit(server.name)
        if not server.enabled:
            if server.name == old_name and active:
                self.stop(server.name)
        elif server.name != old_name or not active or not old.same_process(server):
            self.start(server.name)
        await self._saved()

    async def remove_server(self, name: str) -> None:
        servers = self.servers()
        old = self.server(name)
        self._servers = [s for s in servers if s.name != name]
        self._unresolved.discard(name)
        self._secrets_to_write.discard(name)
        if old is not None and old.secret_env:
            self._keys_to_delete.add(vault_key(name))
        self._states.pop(name, None)
        self._spawn(self._stop(name), f"mcp.stop:{name}")
        self.servers_changed.emit()
        self.server_state_changed.emit(name)
        await self._saved()

    async def _saved(self) -> None:
        """Save in a task of this service: a caller cancelled meanwhile (a dialog closing) loses nothing."""
        await asyncio.shield(self._spawn(self._save(), "mcp.save"))

    async def _save(self) -> None:
        """The file first, then the keychain; raises OSError or CredentialError (retried next save)."""
        if self._save_lock is None:
            self._save_lock = asyncio.Lock()
        async with self._save_lock:  # one writer of the file at a time: each writes the latest list
            await self._save_now()

    async def _save_now(self) -> None:
        if self._store is not None:
            await asyncio.to_thread(self._store.save, self.servers())
        writes = {
            server.name: _encode_env(server.env)
            for server in self.servers()
            if server.secret_env and server.name in self._secrets_to_write and server.name not in self._unresolved
        }
        deletes = set(self._keys_to_delete)
        if not writes and not deletes:
            return
        done: list[str] = []

        def work() -> None:
            for name, blob in writes.items():
                self._vault.set(vault_key(name), blob)
                done.append(name)
            for key in deletes:
                self._vault.delete(key)
                done.append(key)

        try:
            await asyncio.to_thread(work)
        finally:
            for item in done:
                if item in writes:
                    self._secrets_to_write.discard(item)
                else:
                    self._keys_to_delete.discard(item)

    async def resolve(self, name: str, *, allow_missing: bool = False) -> McpServerSettings:
        """The server with its environment values read from the keychain (if they live there).

        Raises CredentialError when the keychain cannot be used, SecretsMissingError when it has no
        values for the server (unless ``allow_missing``: the names are then kept, with empty values,
        for the user to fill in again).
        """
        server = self.server(name)
        if server is None:
            raise KeyError(name)
        if name not in self._unresolved:
            return server
        blob = await asyncio.to_thread(self._vault.get, vault_key(name))
        current = self.server(name)
        if current is None or name not in self._unresolved:
            return current or server  # changed (or resolved) meanwhile
        try:
            if blob is None:
                raise SecretsMissingError("no keychain entry")
            env = _decode_env(blob)
        except SecretsMissingError:
            if not allow_missing:
                raise
            env = dict(current.env)
        resolved = McpServerSettings(
            current.name, current.command, current.args, env, current.cwd, current.enabled, current.secret_env
        )
        _register_secrets(resolved)
        self._servers = [resolved if s.name == name else s for s in self.servers()]
        self._unresolved.discard(name)
        return resolved

    def needs_keychain(self, name: str) -> bool:
        """True while the server's environment values have not been read from the keychain yet."""
        self.servers()  # loaded on first use
        return name in self._unresolved

    # -- running -----------------------------------------------------------------------------------

    def start_enabled(self) -> None:
        """Start every enabled server (``app.main`` calls this after the window's first frame)."""
        for server in self.servers():
            if server.enabled and self.state(server.name).status not in ("starting", "ready"):
                self.start(server.name)

    def start(self, name: str) -> asyncio.Task[Any] | None:
        """Start (or restart) the server in the background; its states arrive as signals."""
        server = self.server(name)
        if server is None or self._closed:
            return None
        return self._spawn(self._start(server), f"mcp.start:{name}")

    restart = start

    def stop(self, name: str) -> asyncio.Task[Any] | None:
        if self._closed:
            return None
        return self._spawn(self._stop(name), f"mcp.stop:{name}")

    async def _start(self, server: McpServerSettings) -> None:
        if server.name in self._unresolved:
            self._set_state(McpServerState(server.name, "starting"))
            try:
                server = await self.resolve(server.name)
            except CredentialError as exc:
                await self._manager.stop(server.name)
                self._set_state(McpServerState(server.name, "failed", reason=(
                    f"The environment values could not be read from the keychain ({exc.kind}).")))
                return
            except SecretsMissingError:
                await self._manager.stop(server.name)
                self._set_state(McpServerState(server.name, "failed", reason=(
                    "The environment values are not in the keychain.")))
                return
        if server.cwd and not Path(server.cwd).expanduser().is_dir():
            await self._manager.stop(server.name)
            self._set_state(McpServerState(server.name, "failed", reason=f"The working folder {server.cwd!r} does not exist."))
            return
        log.info("starting MCP server %r", server.name)
        config = server.to_config()
        if server.cwd:
            config = McpServerConfig(config.name, config.command, config.args, config.env, str(Path(server.cwd).expanduser()))
        await self._manager.start(config)

    async def _stop(self, name: str) -> None:
        await self._manager.stop(name)
        state = self._states.get(name)
        if state is not None and state.status != "stopped" and self.server(name) is not None:
            self._set_state(McpServerState(name, "stopped"))

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._on_task_done)
        return task

    def _on_task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        if isinstance(exc, (OSError, CredentialError)):  # expected: the caller tells the user
            log.warning("MCP task %s failed: %s", task.get_name(), exc)
        else:
            log.error("MCP task %s failed", task.get_name(), exc_info=exc)

    def _on_state(self, state: McpServerState) -> None:
        current = self._manager.state(state.name)
        if current is not None and current is not state:
            return  # a late word from a connection already replaced by a newer one
        if state.status in ("failed", "exited"):
            log.info("MCP server %r %s: %s", state.name, state.status, state.reason)
        else:
            log.info("MCP server %r %s%s", state.name, state.status,
                     f" with {len(state.tools)} tool(s)" if state.status == "ready" else "")
        if self.server(state.name) is not None:
            self._set_state(state)
        self._check_tools()

    def _set_state(self, state: McpServerState) -> None:
        self._states[state.name] = state
        self.server_state_changed.emit(state.name)

    def _check_tools(self) -> None:
        names = tuple(self.registry.names())
        if names != self._tool_names:
            self._tool_names = names
            self.tools_changed.emit()

    async def aclose(self) -> None:
        """Stop every server (call it while the event loop still runs); no process is left behind."""
        self._closed = True
        pending = [task for task in self._tasks if not task.done()]
        for task in pending:
            if task.get_name().startswith("mcp.start:"):
                task.cancel()  # a stop is left to finish: it is what ends the process
        if pending:
            await asyncio.wait(pending)
        await self._manager.aclose()
        self._check_tools()
