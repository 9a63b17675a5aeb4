"""app.credentials against a real gnome-keyring on a private D-Bus, and against pinned fakes.

The keychain tests change ``os.environ`` per test (through the fixtures in tests/keychain.py) and
rely on :class:`app.credentials.Vault` resolving its backend from the current environment, which is
itself under test here. One round trip also runs in a fresh process, as the app would after a
restart.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties

from app import credentials, logs
from app.credentials import SERVICE, CredentialError, Vault, classify, normalize_token
from app.paths import locations
from app.profiles import EnvironmentOverride
from tests.keychain import KeychainFactory, PrivateKeychain

REPO = Path(__file__).resolve().parents[2]


def make_token() -> str:
    """A token that does not look like an sk- key, so only the registry can redact it."""
    return "tok-" + secrets.token_hex(16)


def files_containing(roots: list[Path], needle: str) -> list[Path]:
    """Regular files under ``roots`` whose bytes contain ``needle`` (UTF-8 or UTF-16)."""
    patterns = (needle.encode(), needle.encode("utf-16-le"))
    hits: list[Path] = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                if any(p in data for p in patterns):
                    hits.append(path)
    return hits


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Iterator[None]:
    yield
    logs._forget_secrets()


@pytest.fixture
def parla_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "parla-home"
    monkeypatch.setenv("PARLA_HOME", str(home))
    locations().ensure()
    return home


@pytest.fixture
def debug_file_log(parla_home: Path) -> Iterator[Path]:
    """Parla's own logging at DEBUG into PARLA_HOME/logs, restored afterwards.

    With it, a token that any code path (ours, keyring's, secretstorage's) logged would land in a
    file under PARLA_HOME, where the no-token scans look.
    """
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    quiet = {name: logging.getLogger(name).level for name in logs.QUIET_LOGGERS}
    logs.setup_logging(locations().logs, logging.DEBUG)
    try:
        yield locations().logs
    finally:
        for handler in list(root.handlers):
            if handler not in saved[0]:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(saved[1])
        for name, level in quiet.items():
            logging.getLogger(name).setLevel(level)


# -- a pinned in-memory backend, for the logic that does not need a daemon -------------------------


class MemoryBackend(KeyringBackend):
    """A dict-backed keyring for pinning with ``Vault(backend=...)``.

    Its priority raises, so keyring's own auto-detection can never pick it for other tests.
    """

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend; only usable pinned")

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError("No such password!")
        del self.entries[(service, username)]


class RaisingBackend(KeyringBackend):
    """Raises the given exception from every call, echoing the password into its message.

    Real backends do not put the password in their messages; this one does, so the tests can show
    that the Vault's errors and logs stay clean even then.
    """

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("test backend; only usable pinned")

    def __init__(self, exc_type: type[Exception]) -> None:
        super().__init__()
        self.exc_type = exc_type

    def _raise(self, *values: str) -> None:
        raise self.exc_type(f"backend refused {' '.join(values)}")

    def get_password(self, service: str, username: str) -> str | None:
        self._raise(service, username)
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._raise(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._raise(service, username)


def test_tokens_are_stored_without_whitespace_under_service_and_profile_id() -> None:
    backend = MemoryBackend()
    vault = Vault(backend=backend)
    vault.set("default", "  sk-abc\n def \t")
    assert backend.entries == {(SERVICE, "default"): "sk-abcdef"}
    assert vault.get("default") == "sk-abcdef"
    assert normalize_token(None) == ""


@pytest.mark.parametrize("empty", ["", "   ", "\n\t"])
def test_setting_an_empty_token_deletes_the_entry(empty: str) -> None:
    backend = MemoryBackend()
    vault = Vault(backend=backend)
    vault.set("p1", "tok-1234")
    vault.set("p1", empty)
    assert backend.entries == {}
    assert vault.get("p1") is None
    vault.delete("p1")  # deleting what is not there is fine


def test_session_only_token_wins_and_is_dropped_when_the_keychain_takes_over() -> None:
    backend = MemoryBackend()
    vault = Vault(backend=backend)
    vault.set("p1", "tok-stored")
    vault.set_session_only("p1", " tok-session \n")
    assert vault.get("p1") == "tok-session"
    assert vault.is_session_only("p1")
    assert backend.entries[(SERVICE, "p1")] == "tok-stored"  # memory only: the keychain is untouched

    vault.set("p1", "tok-new")
    assert not vault.is_session_only("p1")
    assert vault.get("p1") == "tok-new"

    vault.set_session_only("p1", "tok-session")
    vault.set_session_only("p1", "")
    assert not vault.is_session_only("p1")
    assert vault.get("p1") == "tok-new"

    vault.set_session_only("p1", "tok-session")
    vault.delete("p1")
    assert not vault.is_session_only("p1")
    assert vault.get("p1") is None


def test_environment_token_is_session_only() -> None:
    backend = MemoryBackend()
    vault = Vault(backend=backend)
    override = EnvironmentOverride.from_env({"OPENAI_API_KEY": "sk-from-env-123456"})
    assert override.token is not None
    vault.set_session_only("default", override.token)
    assert vault.get("default") == "sk-from-env-123456"
    assert backend.entries == {}


def test_tokens_passing_through_the_vault_are_redacted_from_logs() -> None:
    vault = Vault(backend=MemoryBackend())
    stored, session = make_token(), make_token()
    vault.set("a", stored)
    vault.set_session_only("b", session)
    assert logs.redact(f"x {stored} y {session}") == "x *** y ***"


def test_a_token_read_from_the_keychain_is_registered_for_redaction() -> None:
    backend = MemoryBackend()
    token = make_token()
    backend.entries[(SERVICE, "default")] = token  # stored by an earlier run
    assert Vault(backend=backend).get("default") == token
    assert token not in logs.redact(f"header {token}")


@pytest.mark.parametrize(
    ("exc_type", "kind"),
    [
        (keyring.errors.NoKeyringError, "no_backend"),
        (keyring.errors.InitError, "dismissed"),
        (keyring.errors.KeyringLocked, "locked"),
        (keyring.errors.PasswordSetError, "failed"),
        (RuntimeError, "failed"),
        (OSError, "failed"),
    ],
)
def test_backend_exceptions_map_to_kinds_without_leaking_the_token(
    exc_type: type[Exception], kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    token = make_token()
    vault = Vault(backend=RaisingBackend(exc_type))
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(CredentialError) as info:
            vault.set("default", token)
    err = info.value
    assert err.kind == kind
    rendered = "".join(traceback.format_exception(err))
    for text in (str(err), repr(err), err.detail, rendered, caplog.text):
        assert token not in text
    assert exc_type.__name__ in err.detail  # still says what went wrong
    with pytest.raises(CredentialError) as info:
        vault.get("default")
    assert info.value.kind == kind


def test_a_token_with_whitespace_is_scrubbed_in_its_pasted_form_too() -> None:
    token = make_token()
    pasted = f" {token}\n"
    with pytest.raises(CredentialError) as info:
        Vault(backend=RaisingBackend(keyring.errors.PasswordSetError)).set("default", pasted)
    assert token not in str(info.value)


def test_classify_looks_through_the_secret_service_cause_chain() -> None:
    import secretstorage.exceptions as ss

    def chained(outer: BaseException, inner: BaseException) -> BaseException:
        try:
            try:
                raise inner
            except BaseException as e:
                raise outer from e
        except BaseException as e:
            return e

    init_error = keyring.errors.InitError
    gone = chained(init_error("Failed to create the collection"), ss.SecretServiceNotAvailableException("x"))
    assert classify(gone) == "no_backend"
    assert classify(chained(init_error("x"), ss.PromptDismissedException("x"))) == "dismissed"
    assert classify(ss.LockedException("x")) == "locked"
    assert classify(ValueError("x")) == "failed"


def test_delete_ignores_a_missing_keychain_but_not_a_locked_one() -> None:
    Vault(backend=RaisingBackend(keyring.errors.NoKeyringError)).delete("default")
    with pytest.raises(CredentialError) as info:
        Vault(backend=RaisingBackend(keyring.errors.KeyringLocked)).delete("default")
    assert info.value.kind == "locked"


def test_check_backend_returns_none_or_the_error() -> None:
    assert Vault(backend=MemoryBackend()).check_backend() is None
    err = Vault(backend=RaisingBackend(keyring.errors.KeyringLocked)).check_backend()
    assert isinstance(err, CredentialError) and err.kind == "locked"


# -- refusing non-keychain backends (needs only a clean environment) -------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "keyring.backends.null.Keyring",  # what `keyring --disable` configures
        "keyring.backends.fail.Keyring",
        "keyring.backends.nonexistent.Keyring",
        "keyring.backends.SecretService.Keyring",  # named, but there is no bus to use it on
    ],
)
def test_a_configured_backend_that_is_no_keychain_means_no_backend(
    no_keychain: PrivateKeychain, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", name)
    vault = Vault()
    with pytest.raises(CredentialError) as info:
        vault.set("default", make_token())
    assert info.value.kind == "no_backend"
    assert vault.check_backend() is not None


def test_keyringrc_naming_the_null_keyring_means_no_backend(no_keychain: PrivateKeychain) -> None:
    config = no_keychain.config_home / "python_keyring" / "keyringrc.cfg"
    config.parent.mkdir(parents=True)
    config.write_text("[backend]\ndefault-keyring=keyring.backends.null.Keyring\n", encoding="utf-8")
    err = Vault().check_backend()
    assert err is not None and err.kind == "no_backend"


def test_no_dbus_session_means_no_backend_and_nothing_is_written(
    no_keychain: PrivateKeychain, parla_home: Path, debug_file_log: Path
) -> None:
    assert "DBUS_SESSION_BUS_ADDRESS" not in os.environ
    token = make_token()
    vault = Vault()
    err = vault.check_backend()
    assert err is not None and err.kind == "no_backend"
    for call in (lambda: vault.set("default", token), lambda: vault.get("default")):
        with pytest.raises(CredentialError) as info:
            call()
        assert info.value.kind == "no_backend"
        assert token not in str(info.value)
    vault.delete("default")  # nothing can be stored without a keychain, so nothing to delete

    # The session-only fallback: memory, this run.
    vault.set_session_only("default", token)
    assert vault.get("default") == token and vault.is_session_only("default")
    with pytest.raises(CredentialError):
        Vault().get("default")  # a new run (a new Vault) does not have it
    logging.getLogger("test").warning("after the fallback")
    assert (debug_file_log / logs.LOG_FILENAME).exists()
    assert files_containing([parla_home, no_keychain.root], token) == []


# -- the real Secret Service ----------------------------------------------------------------------

@pytest.mark.keychain
def test_round_trip_through_gnome_keyring(secret_service: PrivateKeychain) -> None:
    token = make_token()
    vault = Vault()
    assert vault.check_backend() is None
    assert vault.get("default") is None
    vault.set("default", token)
    assert Vault().get("default") == token
    assert not Vault().is_session_only("default")

    # A new process (the app after a restart) reads it from the same keychain.
    script = "from app.credentials import Vault; print(Vault().get('default') or '')"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == token

    vault.set("other", make_token())
    vault.delete("default")
    assert Vault().get("default") is None
    assert Vault().get("other") is not None
    vault.delete("default")  # again: already gone is fine


@pytest.mark.keychain
def test_token_reaches_no_file_but_the_encrypted_keyring(
    secret_service: PrivateKeychain, parla_home: Path, debug_file_log: Path
) -> None:
    token = make_token()
    keyring_file = secret_service.keyring_dir / "login.keyring"
    before = keyring_file.read_bytes()
    vault = Vault()
    vault.set("default", token)
    assert Vault().get("default") == token
    logging.getLogger("app.test").info("stored token %s", token)  # even a careless log line

    assert keyring_file.read_bytes() != before  # the token did go into the keyring file...
    # ...encrypted: no file anywhere (PARLA_HOME, the keyring's data, runtime and config dirs) holds it.
    assert files_containing([parla_home, secret_service.root], token) == []
    assert "***" in (debug_file_log / logs.LOG_FILENAME).read_text(encoding="utf-8")
    # The scan itself can find a token (so the assertion above can fail).
    (parla_home / "planted.txt").write_text(f"x{token}x", encoding="utf-8")
    assert files_containing([parla_home], token) == [parla_home / "planted.txt"]


FAILURES = [
    ("locked", "locked"),
    ("wrong_password", "locked"),
    ("not_unlocked", "dismissed"),
    ("activatable", "dismissed"),
    ("bus_only", "no_backend"),
    ("no_bus", "no_backend"),
]


@pytest.mark.keychain
@pytest.mark.parametrize(("state", "kind"), FAILURES, ids=[s for s, _ in FAILURES])
def test_failure_modes(
    keychain_factory: KeychainFactory, parla_home: Path, debug_file_log: Path, state: str, kind: str
) -> None:
    keychain = keychain_factory(state)
    token = make_token()
    vault = Vault()

    err = vault.check_backend()
    assert err is not None and err.kind == kind, err
    for call in (lambda: vault.set("default", token), lambda: vault.get("default")):
        with pytest.raises(CredentialError) as info:
            call()
        assert info.value.kind == kind
        assert token not in str(info.value) and token not in info.value.detail
    if kind == "no_backend":
        vault.delete("default")
    else:
        with pytest.raises(CredentialError):
            vault.delete("default")  # the keychain exists: "deleted" would be a lie

    vault.set_session_only("default", token)
    assert vault.get("default") == token
    assert vault.is_session_only("default")
    assert files_containing([parla_home, keychain.root], token) == []


@pytest.mark.keychain
def test_locked_keychain_keeps_its_token_and_a_new_keyring_is_a_new_store(
    keychain_factory: KeychainFactory,
) -> None:
    first = keychain_factory("unlocked")
    token = make_token()
    vault = Vault()
    vault.set("default", token)

    first.lock()
    assert first.is_locked()
    with pytest.raises(CredentialError) as info:
        vault.get("default")
    assert info.value.kind == "locked"

    keychain_factory("unlocked")  # the environment now points at another, empty keychain
    assert vault.get("default") is None  # the same Vault follows the environment


@pytest.mark.keychain
def test_vault_recovers_when_the_keychain_appears_later(keychain_factory: KeychainFactory) -> None:
    keychain = keychain_factory("bus_only")
    vault = Vault()
    err = vault.check_backend()
    assert err is not None and err.kind == "no_backend"
    keychain.start_keyring()  # the user starts their keyring while Parla runs
    assert vault.check_backend() is None
    token = make_token()
    vault.set("default", token)
    assert vault.get("default") == token


def test_the_module_does_not_import_qt() -> None:
    assert credentials.__name__ == "app.credentials"
    script = (
        "import sys, app.credentials, app.logs; "
        "print(any(m.startswith('PySide6') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=30
    )
    assert result.stdout.strip() == "False", result.stderr


# -- the keychain helper itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("required", "outcome"), [("1", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_missing_keychain_programs_fail_in_ci_and_skip_elsewhere(
    monkeypatch: pytest.MonkeyPatch, required: str, outcome: type[BaseException]
) -> None:
    import tests.keychain as helper

    monkeypatch.setattr(helper.shutil, "which", lambda name: None)
    monkeypatch.setenv("PARLA_REQUIRE_SERVICES", required)
    with pytest.raises(outcome, match="gnome-keyring-daemon"):
        helper.require_keychain_services()


@pytest.mark.keychain
def test_closing_a_keychain_stops_its_processes_and_removes_its_files(
    keychain_factory: KeychainFactory,
) -> None:
    keychain = keychain_factory("unlocked")
    bus, daemon = keychain._bus, keychain._daemon
    assert bus is not None and daemon is not None
    keychain.close()
    assert bus.poll() is not None and daemon.poll() is not None
    assert not keychain.root.exists()
    keychain.close()  # twice is fine (the fixture closes it again)
