"""API tokens, kept in the operating system's keychain and nowhere else.

A profile's token is stored with :mod:`keyring` under service ``"parla"`` and the profile's id as
the user name. When no keychain can be used, the user may still give a token *for this run only*
(:meth:`Vault.set_session_only`); it then lives in this process's memory and dies with it. There is
deliberately no plaintext-file fallback: a token in a config file is the leak this module exists to
prevent, so when the keychain fails the caller gets a :class:`CredentialError` and decides, with the
user, what to do.

The calls block (a keychain may show an unlock prompt), so the UI runs them with
``asyncio.to_thread``. A :class:`Vault` is safe to use from several threads.

Why the backend is resolved here instead of with ``keyring.get_keyring()``: keyring picks its
backend once per process and keeps it, and worse, it drops the Secret Service from its list of
candidates for good if the first look happens while no D-Bus session is reachable. A user who
unlocks or starts their keyring after Parla started, and tests that point
``DBUS_SESSION_BUS_ADDRESS`` at a different bus for each case, both need the choice to follow the
environment. So each :class:`Vault` resolves the backend itself, and reuses it only while the
environment variables that steer the choice are unchanged and the backend keeps working.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, TypeVar

from app.logs import redact, register_secret

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

# keyring (with importlib_metadata, jaraco and email behind it) takes ~30 ms to import, and the
# window must not wait for it: it is imported by the first keychain call, which runs in a worker
# thread after the window shows (``asyncio.to_thread``). Only the names below touch it.

__all__ = ["SERVICE", "CredentialError", "CredentialErrorKind", "Vault", "classify", "normalize_token"]

log = logging.getLogger(__name__)

SERVICE = "parla"

CredentialErrorKind = Literal["no_backend", "locked", "dismissed", "failed"]

_SUMMARIES: dict[str, str] = {
    "no_backend": "No usable keychain (Secret Service, KWallet, macOS Keychain or Windows Credential "
    "Manager) was found",
    "dismissed": "The keychain did not open: its unlock prompt was dismissed or could not be shown",
    "locked": "The keychain is locked",
    "failed": "The keychain reported an error",
}

# Native keychains, best first when several answer. keyring's own plugin list is not used (see
# the module docstring); PYTHON_KEYRING_BACKEND and keyringrc.cfg still override this list.
# Only this platform's are imported (each import costs time and memory: macOS's loads ctypes and
# looks for the Security framework even on Linux).
_NATIVE_BACKENDS_BY_PLATFORM: dict[str, tuple[str, ...]] = {
    "darwin": ("keyring.backends.macOS.Keyring",),
    "win32": ("keyring.backends.Windows.WinVaultKeyring",),
}
_FREEDESKTOP_BACKENDS: tuple[str, ...] = (
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.kwallet.DBusKeyringKWallet4",
    "keyring.backends.libsecret.Keyring",
)
_NATIVE_BACKENDS: tuple[str, ...] = _NATIVE_BACKENDS_BY_PLATFORM.get(sys.platform, _FREEDESKTOP_BACKENDS)

# keyring calls a priority below 1 "not recommended": the null keyring, the fail keyring, and the
# file-based keyrings of keyrings.alt (plaintext or weakly encrypted). Refusing them, even when the
# user's keyring configuration names one, is what keeps Parla's tokens out of files.
_MIN_PRIORITY = 1.0

# Environment variables that change which backend answers (and where it writes).
_ENV_KEYS: tuple[str, ...] = (
    "PYTHON_KEYRING_BACKEND",
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_CONFIG_HOME",
    "XDG_CURRENT_DESKTOP",
)

_PROBE_USER = "parla-keychain-probe"
_DETAIL_LIMIT = 300

T = TypeVar("T")


class CredentialError(Exception):
    """The keychain could not do what was asked. ``kind`` is what the UI keys its advice on.

    - ``no_backend``: there is no usable keychain (no D-Bus session, no Secret Service, a disabled or
      file-based keyring configured); the user can install one or use a session-only token.
    - ``dismissed``: a keychain exists but did not open: its prompt was dismissed or could not be
      shown (e.g. gnome-keyring running without a login keyring and no prompter).
    - ``locked``: the keychain stayed locked (wrong password, or unlocking refused).
    - ``failed``: anything else; ``detail`` says what.

    The text never contains the token: callers log and display it freely.
    """

    def __init__(self, kind: CredentialErrorKind, detail: str = "") -> None:
        self.kind: CredentialErrorKind = kind
        self.detail = detail
        summary = _SUMMARIES[kind]
        super().__init__(f"{summary} ({detail})" if detail else summary)


def normalize_token(token: str | None) -> str:
    """The token with every whitespace character removed.

    Tokens are pasted, and pastes bring newlines and spaces along. A bearer token never contains
    whitespace (RFC 6750), and one that did would make an invalid HTTP header, so removing all of
    it, not only at the ends, is safe.
    """
    return "".join((token or "").split())


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _describe(exc: BaseException, secrets: tuple[str, ...]) -> str:
    """A short, token-free description of ``exc`` and its causes, for ``CredentialError.detail``."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(parts) < 3:
        seen.add(id(current))
        text = str(current).strip()
        parts.append(f"{type(current).__name__}: {text}" if text else type(current).__name__)
        current = current.__cause__ or current.__context__
    # The exact secrets first (they may not look like keys), then app.logs' patterns and registry.
    detail = redact(_scrub(" <- ".join(parts), secrets))
    return detail if len(detail) <= _DETAIL_LIMIT else detail[: _DETAIL_LIMIT - 1] + "…"


def _chain(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def classify(exc: BaseException) -> CredentialErrorKind:
    """Map an exception raised by a keyring backend to a :class:`CredentialError` kind.

    keyring wraps the Secret Service's own exceptions inconsistently (an unreachable service and a
    dismissed prompt both arrive as ``InitError``), so the whole cause chain is inspected.
    """
    import keyring.errors

    names = {type(e).__name__ for e in _chain(exc)}
    if isinstance(exc, keyring.errors.NoKeyringError) or "SecretServiceNotAvailableException" in names:
        return "no_backend"
    if isinstance(exc, keyring.errors.KeyringLocked) or "LockedException" in names:
        return "locked"
    if isinstance(exc, keyring.errors.InitError) or "PromptDismissedException" in names:
        return "dismissed"
    return "failed"


@functools.cache
def _native_backend_classes() -> tuple[type[KeyringBackend], ...]:
    """The native backend classes importable here. Imported on first use, not at module import."""
    from keyring.backend import KeyringBackend

    classes: list[type[KeyringBackend]] = []
    for dotted in _NATIVE_BACKENDS:
        module_name, _, class_name = dotted.rpartition(".")
        try:
            module = importlib.import_module(module_name)
            cls = getattr(module, class_name)
        except Exception as exc:  # a backend for another platform may fail to import in odd ways
            log.debug("keyring backend %s unavailable: %s", dotted, type(exc).__name__)
            continue
        if isinstance(cls, type) and issubclass(cls, KeyringBackend):
            classes.append(cls)
    return tuple(classes)


def _priority(cls: type[KeyringBackend]) -> float | None:
    """The backend's priority in this environment, or None if it cannot work here.

    keyring's contract is that ``priority`` raises ``RuntimeError`` when the backend is unusable;
    any other exception is treated the same way, since a broken backend is an unusable one.
    """
    try:
        return float(cls.priority)  # type: ignore[arg-type]
    except Exception:
        return None


def _resolve_backend() -> KeyringBackend:
    """The keychain backend for the current environment, or CredentialError("no_backend")."""
    import keyring.core
    # An explicit choice (env var, then keyring's config file) is honoured, but only if it is a
    # recommended backend: the null, fail and file keyrings are refused.
    try:
        chosen = keyring.core.load_env() or keyring.core.load_config()
    except Exception as exc:  # named backend missing or not viable here
        detail = f"configured keyring backend unusable: {_describe(exc, ())}"
        raise CredentialError("no_backend", detail) from None
    if chosen is not None:
        priority = _priority(type(chosen))
        if priority is None or priority < _MIN_PRIORITY:
            detail = f"configured keyring backend {type(chosen).__name__} is not a keychain"
            raise CredentialError("no_backend", detail)
        return chosen

    best: tuple[float, type[KeyringBackend]] | None = None
    for cls in _native_backend_classes():
        priority = _priority(cls)
        if priority is not None and priority >= _MIN_PRIORITY and (best is None or priority > best[0]):
            best = (priority, cls)
    if best is None:
        if sys.platform in ("darwin", "win32") or os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            reason = "no keychain service answered"
        else:
            reason = "no D-Bus session"  # the usual cause on Linux: SSH, containers, bare X
        raise CredentialError("no_backend", reason)
    return best[1]()


class Vault:
    """Where profile tokens are kept: the keychain, or memory for this run only.

    The session-only values take precedence in :meth:`get`, because they are what the user gave
    most recently for this run (a token typed while the keychain was unavailable, or the
    ``OPENAI_API_KEY`` of :class:`app.profiles.EnvironmentOverride`).

    ``backend`` pins a keyring backend instead of resolving one from the environment; it is meant
    for tests and for callers that chose the backend themselves.
    """

    def __init__(self, service: str = SERVICE, *, backend: KeyringBackend | None = None) -> None:
        self.service = service
        self._pinned = backend
        self._lock = threading.RLock()
        self._session: dict[str, str] = {}
        self._cached: tuple[tuple[str | None, ...], KeyringBackend] | None = None

    # -- backend -------------------------------------------------------------------------------

    @staticmethod
    def _env_signature() -> tuple[str | None, ...]:
        return tuple(os.environ.get(key) for key in _ENV_KEYS)

    def _backend(self) -> KeyringBackend:
        """The backend to use now: pinned, cached for this environment, or freshly resolved.

        Only a working backend is cached, so an unavailable keychain is looked for again on the
        next call (the user may have started or unlocked it meanwhile).
        """
        if self._pinned is not None:
            return self._pinned
        signature = self._env_signature()
        with self._lock:
            if self._cached is not None and self._cached[0] == signature:
                return self._cached[1]
        backend = _resolve_backend()
        with self._lock:
            self._cached = (signature, backend)
        log.debug("keychain backend: %s", type(backend).__name__)
        return backend

    def _forget_backend(self) -> None:
        with self._lock:
            self._cached = None

    def _call(
        self, action: str, operation: Callable[[KeyringBackend], T], secrets: tuple[str, ...] = ()
    ) -> T:
        """Run ``operation`` on the backend, turning every failure into a token-free CredentialError.

        The original exception is described in ``detail`` and then dropped (``from None``): its
        chain belongs to third-party code that might have put the secret in an argument or message.
        """
        backend = self._backend()
        try:
            return operation(backend)
        except Exception as exc:
            self._forget_backend()
            kind = classify(exc)
            detail = _describe(exc, secrets)
            log.warning("keychain %s failed (%s): %s", action, kind, detail)
            raise CredentialError(kind, detail) from None

    # -- public API ----------------------------------------------------------------------------

    def get(self, profile_id: str) -> str | None:
        """The profile's token: the session-only one if set, else the keychain's; None if neither."""
        with self._lock:
            session = self._session.get(profile_id)
        if session is not None:
            return session
        token = self._call("read", lambda b: b.get_password(self.service, profile_id))
        if token is None:
            return None
        token = normalize_token(token)
        if not token:
            return None
        register_secret(token)
        return token

    def set(self, profile_id: str, token: str) -> None:
        """Store the token in the keychain; an empty (or all-whitespace) token deletes the entry.

        On success any session-only token of the profile is dropped: the keychain now holds the
        value the user chose. On failure nothing is stored anywhere and CredentialError is raised.
        """
        value = normalize_token(token)
        if not value:
            self.delete(profile_id)
            return
        register_secret(value)
        self._call(
            "write", lambda b: b.set_password(self.service, profile_id, value), secrets=(value, token)
        )
        with self._lock:
            self._session.pop(profile_id, None)
        log.info("token stored in keychain for profile %s", profile_id)

    def delete(self, profile_id: str) -> None:
        """Forget the profile's token, both session-only and in the keychain.

        A missing entry is not an error, and neither is a missing keychain (nothing can be stored
        in one that does not exist). A locked or dismissed keychain is: the token is still there.
        """
        with self._lock:
            self._session.pop(profile_id, None)

        import keyring.errors

        def remove(backend: KeyringBackend) -> None:
            try:
                backend.delete_password(self.service, profile_id)
            except keyring.errors.PasswordDeleteError:
                # Raised for "no such entry" by every native backend. (Backends that fail to delete
                # an existing entry raise other errors, e.g. KeyringLocked.)
                pass

        try:
            self._call("delete", remove)
        except CredentialError as exc:
            if exc.kind != "no_backend":
                raise
        log.info("token deleted for profile %s", profile_id)

    def set_session_only(self, profile_id: str, token: str) -> None:
        """Keep the token in memory for this run only; an empty token removes it. Never written."""
        value = normalize_token(token)
        with self._lock:
            if value:
                self._session[profile_id] = value
            else:
                self._session.pop(profile_id, None)
        if value:
            register_secret(value)

    def is_session_only(self, profile_id: str) -> bool:
        """True when the profile's current token lives only in memory (lost when Parla quits)."""
        with self._lock:
            return profile_id in self._session

    def check_backend(self) -> CredentialError | None:
        """None when a keychain answers and is unlocked; else the error the user would get.

        It reads a probe entry, which is what opens (and, on a locked keyring, tries to unlock) the
        default collection: checking only that a backend exists would miss locked and dismissed.
        """
        try:
            self._call("check", lambda b: b.get_password(self.service, _PROBE_USER))
        except CredentialError as exc:
            return exc
        return None
