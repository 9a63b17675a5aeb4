"""``user_message``: every error class becomes one sentence, in English and in Simplified Chinese."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QApplication

from app.api import errors as api
from app.credentials import CredentialError
from app.resources import i18n_dir
from app.ui.errors import NoTokenError, user_message

URL = "https://relay.example.com/v1/chat/completions"
LOCAL = "http://127.0.0.1:8080/v1/models"


def status(cls: type[api.APIStatusError], status_code: int, message: str = "", **kw: Any) -> api.APIStatusError:
    body = {"error": {"message": message}} if message else None
    return cls(message or f"HTTP {status_code}", status_code=status_code, body=body, method="POST", url=URL, **kw)


# (id, exception, model, the exact English sentence)
CASES: list[tuple[str, BaseException, str | None, str]] = [
    ("401", status(api.AuthenticationError, 401, "Incorrect API key"), None,
     "The server rejected the token — check it in Settings."),
    ("403-message", status(api.PermissionDeniedError, 403, "Model not allowed for this key"), None,
     "Access denied (HTTP 403): Model not allowed for this key"),
    ("403-bare", status(api.PermissionDeniedError, 403), None,
     "Access denied (HTTP 403) — the token is not allowed to use this."),
    ("404-model", status(api.NotFoundError, 404, "The model `gpt-9` does not exist", code="model_not_found"), "gpt-9",
     "The model “gpt-9” was not found on this server — choose another one."),
    ("404-message", status(api.NotFoundError, 404, "Invalid URL (POST /v1/chat/completions)"), None,
     "Not found (HTTP 404): Invalid URL (POST /v1/chat/completions)"),
    ("404-bare", status(api.NotFoundError, 404), None,
     "Not found (HTTP 404): the server has no /v1/chat/completions — check the base URL in Settings."),
    ("400-message", status(api.BadRequestError, 400, "max_tokens is too large"), None,
     "The server refused the request: max_tokens is too large"),
    ("400-bare", status(api.BadRequestError, 400), None,
     "The server refused the request as invalid (HTTP 400)."),
    ("409", status(api.ConflictError, 409, "Conflict in request"), None,
     "The server refused the request (HTTP 409): Conflict in request"),
    ("422-bare", status(api.UnprocessableEntityError, 422), None,
     "The server refused the request (HTTP 422)."),
    ("408", status(api.APIStatusError, 408), None,
     "The server gave up waiting for the request (HTTP 408) — try again."),
    ("413", status(api.APIStatusError, 413), None,
     "The request is too large for the server (HTTP 413)."),
    ("429-retry", status(api.RateLimitError, 429, "Rate limit reached", retry_after=2.2), None,
     "Rate limited — retrying in 3 s."),
    ("429-later", status(api.RateLimitError, 429), None,
     "Rate limited — try again later."),
    ("429-later-message", status(api.RateLimitError, 429, "Too many requests per minute"), None,
     "Rate limited — try again later. The server said: Too many requests per minute"),
    ("429-quota", status(api.RateLimitError, 429, "You exceeded your current quota", code="insufficient_quota"), None,
     "The account has no quota left: You exceeded your current quota"),
    ("500-message", status(api.InternalServerError, 500, "The engine is overloaded"), None,
     "The server had a problem (HTTP 500): The engine is overloaded"),
    ("503-bare", status(api.InternalServerError, 503), None,
     "The server had a problem (HTTP 503) — try again in a moment."),
    ("502-html", api.InternalServerError("HTTP 502", status_code=502, body="<html>bad gateway</html>", is_html=True,
                                         url=URL), None,
     "The server answered with a web page (HTTP 502) — the relay may be down."),
    ("200-html", api.APIStatusError("HTTP 200", status_code=200, body="<html>", is_html=True, url=URL), None,
     "The server answered with a web page instead of an API reply (HTTP 200) — check the base URL in Settings."),
    ("200-error-json", status(api.APIStatusError, 200, "upstream failed"), None,
     "The server answered with an error: upstream failed"),
    ("refused", api.APIConnectionError(reason="refused", host="127.0.0.1", url=LOCAL), None,
     "Cannot reach 127.0.0.1:8080: the connection was refused — is the server running?"),
    ("dns", api.APIConnectionError(reason="dns", host="relay.example.com", url=URL), None,
     "Cannot reach relay.example.com: the name could not be resolved — check the address and the network."),
    ("tls", api.APIConnectionError(reason="tls", host="relay.example.com", url=URL), None,
     "Cannot reach relay.example.com: the secure connection failed — check the TLS settings and the CA bundle."),
    ("proxy", api.APIConnectionError(reason="proxy", host="relay.example.com", url=URL), None,
     "Cannot reach relay.example.com through the proxy — check the proxy settings."),
    ("network", api.APIConnectionError(reason="network", host="relay.example.com"), None,
     "Cannot reach relay.example.com: the network connection failed."),
    ("no-host", api.APIConnectionError(reason="network"), None,
     "Cannot reach the server: the network connection failed."),
    ("timeout-connect", api.APITimeoutError(phase="connect", url=URL), None,
     "Cannot reach relay.example.com: connecting took too long — check the network and the proxy settings."),
    ("timeout-read", api.APITimeoutError(phase="read", url=URL), None,
     "relay.example.com stopped answering within the request timeout — try again, or raise the timeout in Settings."),
    ("timeout-other", api.APITimeoutError(phase="write", url=URL), None,
     "The request to relay.example.com timed out — try again."),
    ("stream", api.StreamError("the connection closed mid-stream", partial="Hel"), None,
     "The reply was cut off: the connection closed mid-stream"),
    ("stream-empty", api.StreamError(""), None,
     "The reply was cut off: the connection closed before the end"),
    ("api-error", api.APIError("Unexpected response"), None,
     "The request failed: Unexpected response"),
    ("no-backend", CredentialError("no_backend", "no D-Bus session"), None,
     "No keychain is available to store the token — install GNOME Keyring or KWallet, "
     "or keep the token for this session only."),
    ("locked", CredentialError("locked"), None,
     "The keychain is locked — unlock it and try again."),
    ("dismissed", CredentialError("dismissed"), None,
     "The keychain did not open: its unlock prompt was dismissed or could not be shown."),
    ("keychain-failed", CredentialError("failed", "DBusErrorResponse: boom"), None,
     "The keychain reported an error: DBusErrorResponse: boom"),
    ("no-token", NoTokenError("Default"), None, "No token — open Settings to add one."),
    ("cancelled", asyncio.CancelledError(), None, "Cancelled."),
    ("file-not-found", FileNotFoundError(2, "No such file", "/tmp/x.pem"), None, "File not found: /tmp/x.pem"),
    ("permission", PermissionError(13, "Permission denied", "/root/x"), None, "Permission denied: /root/x"),
    ("os-error", OSError(28, "No space left on device"), None,
     "The operating system reported an error: No space left on device"),
    ("unexpected", ZeroDivisionError("division by zero"), None,
     "Something unexpected went wrong (ZeroDivisionError) — the details are in the log."),
]


@pytest.mark.parametrize(("exc", "model", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_english_sentence(qapp: QApplication, exc: BaseException, model: str | None, expected: str) -> None:
    assert user_message(exc, model=model) == expected


def test_every_api_error_class_is_covered() -> None:
    covered = {type(c[1]) for c in CASES}
    classes = {
        obj for obj in vars(api).values() if isinstance(obj, type) and issubclass(obj, api.APIError)
    }
    assert classes <= covered, f"no sentence tested for {sorted(c.__name__ for c in classes - covered)}"
    kinds = {c[1].kind for c in CASES if isinstance(c[1], CredentialError)}
    assert kinds == {"no_backend", "locked", "dismissed", "failed"}


def test_long_server_messages_are_cut(qapp: QApplication) -> None:
    exc = status(api.BadRequestError, 400, "x " * 400)
    text = user_message(exc)
    assert len(text) < 360 and text.endswith("…")


def test_tokens_in_server_messages_never_matter_for_401(qapp: QApplication) -> None:
    exc = status(api.AuthenticationError, 401, "Incorrect API key provided: sk-abc123****wxyz")
    assert "sk-" not in user_message(exc)


@pytest.fixture(scope="module")
def chinese_qm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Parla's Chinese translation compiled from the .ts now (so the test never sees a stale .qm)."""
    qm = tmp_path_factory.mktemp("i18n") / "parla_zh_CN.qm"
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(lrelease), "-silent", str(i18n_dir() / "parla_zh_CN.ts"), "-qm", str(qm)], check=True)
    return qm


@pytest.fixture
def chinese(qapp: QApplication, chinese_qm: Path) -> Iterator[QTranslator]:
    qm = chinese_qm
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    try:
        yield translator
    finally:
        QCoreApplication.removeTranslator(translator)


CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(("exc", "model", "english"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_chinese_sentence(chinese: QTranslator, exc: BaseException, model: str | None, english: str) -> None:
    text = user_message(exc, model=model)
    assert text != english
    assert CJK.search(text), text
    # What came from outside (server message, host, model, status) is still there, untranslated.
    for fragment in re.findall(r"relay\.example\.com|127\.0\.0\.1:8080|gpt-9|HTTP \d{3}|/tmp/x\.pem", english):
        assert fragment in text, (fragment, text)
