"""The active profile, its token, its API client and whether the server answers.

Tabs do not build clients. They ask the :class:`Session`: ``session.require_client()`` gives the
long-lived ``app.api.client.Client`` of the active profile (or raises ``NoTokenError``, which
``user_message`` turns into "No token — open Settings…"), and ``client_changed`` tells them the
profile was switched, so they can stop work that was started on the old client.

The token is read from the keychain in a worker thread (``asyncio.to_thread``; the keychain may
block on an unlock prompt) and never leaves this object except into the client's headers.
``OPENAI_API_KEY`` and ``OPENAI_BASE_URL`` override the active profile for this run
(:class:`app.profiles.EnvironmentOverride`); they are applied to a copy and never saved.

Every switch of profile, and every save from the settings dialog, reloads the token, replaces the
client and checks the connection with ``GET /models`` — one cancellable task, so switching twice
quickly never leaves a stale check behind.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.api.errors import APIError
from app.credentials import CredentialError, Vault
from app.logs import register_secret
from app.profiles import EnvironmentOverride, Profile, ProfileStore
from app.ui.errors import NoTokenError
from app.ui.tasks import TaskRegistry

if TYPE_CHECKING:
    from app.api.client import Client

__all__ = ["ConnectionState", "ConnectionStatus", "Session", "TokenSource"]

log = logging.getLogger(__name__)

ClientFactory = Callable[[Profile, "str | None"], "Client"]


def default_client_factory(profile: Profile, token: str | None) -> "Client":
    # httpx is imported here, after the window shows, not at start-up (~65 ms).
    from app.api.client import Client

    return Client.from_profile(profile, token)


class ConnectionStatus(StrEnum):
    NO_TOKEN = "no_token"
    CHECKING = "checking"
    CONNECTED = "connected"
    FAILED = "failed"


class TokenSource(StrEnum):
    NONE = "none"
    KEYCHAIN = "keychain"
    SESSION = "session"  # kept in memory for this run only
    ENVIRONMENT = "environment"  # OPENAI_API_KEY


@dataclass(frozen=True)
class ConnectionState:
    """What the status bar shows about the active profile's server."""

    status: ConnectionStatus
    model_count: int = 0
    error: BaseException | None = None


class Session(QObject):
    """Owner of the active profile's client; the one object tabs ask for a client."""

    #: The list of profiles, their names, or which one is active changed.
    profiles_changed = Signal()
    #: The client was replaced (profile switched or its settings saved); the old one is closing.
    client_changed = Signal()
    #: :attr:`connection` changed.
    connection_changed = Signal()

    def __init__(
        self,
        store: ProfileStore,
        vault: Vault,
        tasks: TaskRegistry,
        *,
        environment: EnvironmentOverride | None = None,
        client_factory: ClientFactory = default_client_factory,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._vault = vault
        self._tasks = tasks
        self._environment = environment if environment is not None else EnvironmentOverride()
        self._client_factory = client_factory
        self._client: Client | None = None
        self._token_source = TokenSource.NONE
        self._connection = ConnectionState(ConnectionStatus.CHECKING)
        self._activation = tasks.holder("session.activate")
        self._closing: set[asyncio.Task[None]] = set()
        self._closed = False
        if self._environment.token:
            register_secret(self._environment.token)

    # -- what tabs read --------------------------------------------------------------------------

    @property
    def vault(self) -> Vault:
        return self._vault

    @property
    def environment(self) -> EnvironmentOverride:
        return self._environment

    @property
    def profiles(self) -> list[Profile]:
        """The stored profiles (without the environment override)."""
        return list(self._store.profiles)

    @property
    def active_id(self) -> str:
        return self._store.active.id

    @property
    def stored_profile(self) -> Profile:
        """The active profile as saved."""
        return self._store.active

    @property
    def profile(self) -> Profile:
        """The active profile as this run uses it: with ``OPENAI_BASE_URL`` applied, if set."""
        return self._environment.apply(self._store.active)

    @property
    def token_source(self) -> TokenSource:
        return self._token_source

    @property
    def overridden_by_environment(self) -> bool:
        """True when OPENAI_API_KEY or OPENAI_BASE_URL change the active profile for this run."""
        return self._environment.active

    @property
    def connection(self) -> ConnectionState:
        return self._connection

    @property
    def client(self) -> Client | None:
        """The active profile's client, or None while there is no token."""
        return self._client

    def require_client(self) -> Client:
        """The active profile's client; ``NoTokenError`` when the profile has no token yet."""
        if self._client is None:
            raise NoTokenError(self._store.active.name)
        return self._client

    # -- what the window and the settings dialog do ----------------------------------------------

    def start(self) -> asyncio.Task[None]:
        """Load the active profile's token, make its client and check the connection."""
        return self._activation.start(self._activate())

    def recheck(self) -> asyncio.Task[None]:
        """Check the connection again (a "Retry" button); reloads the token too."""
        return self.start()

    def switch_profile(self, profile_id: str) -> None:
        """Make ``profile_id`` the active profile, save that choice, and reconnect."""
        if profile_id == self._store.active_id:
            return
        self._store.set_active(profile_id)
        self._store.save()
        log.info("active profile switched to %s", profile_id)
        self.profiles_changed.emit()
        self.start()

    async def apply_settings(
        self,
        profiles: list[Profile],
        active_id: str,
        tokens: Mapping[str, str],
        *,
        session_only: bool = False,
        removed_ids: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        """Save what the settings dialog holds: tokens first, then the profiles, then reconnect.

        ``tokens`` maps a profile id to its new token ("" removes it); profiles not in it keep
        theirs. Tokens go to the keychain in a worker thread — or, with ``session_only``, to memory
        for this run only. A keychain failure raises ``CredentialError`` before anything is saved,
        so the dialog can stay open and offer the session-only choice.
        """
        for profile_id, token in tokens.items():
            if token:
                register_secret(token)
            if session_only:
                self._vault.set_session_only(profile_id, token)
            elif token:
                await asyncio.to_thread(self._vault.set, profile_id, token)
            else:
                await asyncio.to_thread(self._vault.delete, profile_id)
        for profile_id in removed_ids:
            try:
                await asyncio.to_thread(self._vault.delete, profile_id)
            except CredentialError as exc:
                # The profile is gone either way; its entry can be removed from the keychain later.
                log.warning("could not delete the token of removed profile %s: %s", profile_id, exc.kind)
        before = _connection_settings(self.profile)
        before_id = self._store.active_id
        self._store.profiles = list(profiles)
        self._store.active_id = active_id if self._store.get(active_id) else self._store.profiles[0].id
        self._store.save()
        log.info("settings saved: %d profile(s), active %s", len(self._store.profiles), self._store.active_id)
        self.profiles_changed.emit()
        reconnect = (
            self._store.active_id != before_id
            or self._store.active_id in tokens
            or _connection_settings(self.profile) != before
            or self._connection.status != ConnectionStatus.CONNECTED
        )
        if reconnect:
            self.start()

    async def aclose(self) -> None:
        """Stop the check and close every client. Called by main.py while the loop still runs."""
        self._closed = True
        await self._activation.cancel_and_wait()
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    # -- internals -------------------------------------------------------------------------------

    def _set_connection(self, state: ConnectionState) -> None:
        self._connection = state
        self.connection_changed.emit()

    def _retire_client(self) -> None:
        """Close the current client in the background; aclose() waits for it at exit."""
        client, self._client = self._client, None
        if client is None:
            return
        task = asyncio.get_running_loop().create_task(client.aclose(), name="session.close-client")
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
        self.client_changed.emit()

    async def _load_token(self, profile: Profile) -> str | None:
        if self._environment.token:
            self._token_source = TokenSource.ENVIRONMENT
            return self._environment.token
        token = await asyncio.to_thread(self._vault.get, profile.id)
        if token:
            session_only = self._vault.is_session_only(profile.id)
            self._token_source = TokenSource.SESSION if session_only else TokenSource.KEYCHAIN
        else:
            self._token_source = TokenSource.NONE
        return token or None

    async def _activate(self) -> None:
        if self._closed:
            return
        self._retire_client()
        profile = self.profile
        self._set_connection(ConnectionState(ConnectionStatus.CHECKING))
        try:
            token = await self._load_token(profile)
        except CredentialError as exc:
            self._token_source = TokenSource.NONE
            self._set_connection(ConnectionState(ConnectionStatus.FAILED, error=exc))
            return
        if not token:
            self._set_connection(ConnectionState(ConnectionStatus.NO_TOKEN))
            self.client_changed.emit()
            return
        register_secret(token)
        if self._client_factory is default_client_factory and "app.api.client" not in sys.modules:
            # httpx and its dependencies (~65 ms) are imported on a worker thread, not the UI's.
            await asyncio.to_thread(importlib.import_module, "app.api.client")
        self._client = self._client_factory(profile, token)
        self.client_changed.emit()
        try:
            models = await self._client.models.list()
        except APIError as exc:
            log.info("connection check failed for profile %s: %s", profile.id, type(exc).__name__)
            self._set_connection(ConnectionState(ConnectionStatus.FAILED, error=exc))
            return
        log.info("connection check: profile %s lists %d models", profile.id, len(models))
        self._set_connection(ConnectionState(ConnectionStatus.CONNECTED, model_count=len(models)))


def _connection_settings(profile: Profile) -> Profile:
    """What the client depends on: the profile without its name and default models."""
    return replace(profile, name="", models={})
