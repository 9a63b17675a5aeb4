"""From an exception to one sentence a user understands — the only place that does it.

``app.api`` raises typed errors, ``app.credentials`` raises ``CredentialError``; a tab's coroutine
catches them and asks :func:`user_message` for the words, then gives those words to
``app.ui.notify`` (or shows them beside the message that failed). Nothing else in the UI formats an
exception, so every failure reads the same everywhere and is translated once.

Where the server said something of its own (the ``message`` of its JSON error), the sentence carries
it, shortened: it is usually the most precise thing anyone can tell the user ("model not found",
"quota exceeded"). An HTML error page is never shown; it is described instead.
"""

from __future__ import annotations

import asyncio
import math
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication

from app.api.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    StreamError,
)
from app.credentials import CredentialError

__all__ = ["NoTokenError", "server_text", "user_message"]

translate = QCoreApplication.translate

#: Server messages longer than this are cut (the full text is in the exception, for the log).
SERVER_TEXT_LIMIT = 300


class NoTokenError(Exception):
    """The active profile has no token, so nothing can be sent until the user gives one."""

    def __init__(self, profile_name: str = "") -> None:
        super().__init__("no token for the active profile")
        self.profile_name = profile_name


def user_message(exc: BaseException, *, model: str | None = None) -> str:
    """One translated sentence saying what went wrong and, where possible, what to do.

    ``model`` is the model the failed request asked for, when the caller knows it: a 404 then
    names it instead of guessing.
    """
    if isinstance(exc, APIError):
        return _api_message(exc, model)
    if isinstance(exc, CredentialError):
        return _credential_message(exc)
    if isinstance(exc, NoTokenError):
        return translate("errors", "No token — open Settings to add one.")
    if isinstance(exc, asyncio.CancelledError):
        return translate("errors", "Cancelled.")
    if isinstance(exc, FileNotFoundError):
        return translate("errors", "File not found: {path}").format(path=exc.filename or exc.strerror or "")
    if isinstance(exc, PermissionError):
        return translate("errors", "Permission denied: {path}").format(path=exc.filename or exc.strerror or "")
    if isinstance(exc, OSError):
        return translate("errors", "The operating system reported an error: {reason}").format(
            reason=exc.strerror or type(exc).__name__
        )
    return translate("errors", "Something unexpected went wrong ({kind}) — the details are in the log.").format(
        kind=type(exc).__name__
    )


def server_text(exc: APIError) -> str:
    """The server's own message, on one line and shortened; empty when it gave none."""
    if isinstance(exc, APIStatusError) and not exc.has_server_message:
        return ""
    text = " ".join(str(exc.message or "").split())
    if len(text) > SERVER_TEXT_LIMIT:
        text = text[: SERVER_TEXT_LIMIT - 1].rstrip() + "…"
    return text


def _host(exc: APIError) -> str:
    """Host (and port, when the URL names one: local servers differ only by port) of the request."""
    host = ""
    if exc.url:
        parts = urlsplit(exc.url)
        host = parts.hostname or ""
        try:
            port = parts.port
        except ValueError:
            port = None
        if host and port:
            host = f"{host}:{port}"
    host = host or getattr(exc, "host", "") or ""
    return host or translate("errors", "the server")


def _path(exc: APIError) -> str:
    return urlsplit(exc.url).path if exc.url else ""


def _api_message(exc: APIError, model: str | None) -> str:
    if isinstance(exc, APITimeoutError):
        return _timeout_message(exc)
    if isinstance(exc, APIConnectionError):
        return _connection_message(exc)
    if isinstance(exc, StreamError):
        reason = server_text(exc) or translate("errors", "the connection closed before the end")
        return translate("errors", "The reply was cut off: {reason}").format(reason=reason)
    if isinstance(exc, APIStatusError):
        return _status_message(exc, model)
    message = server_text(exc)
    if message:
        return translate("errors", "The request failed: {message}").format(message=message)
    return translate("errors", "The request failed.")


def _timeout_message(exc: APITimeoutError) -> str:
    host = _host(exc)
    if exc.phase == "connect":
        return translate(
            "errors", "Cannot reach {host}: connecting took too long — check the network and the proxy settings."
        ).format(host=host)
    if exc.phase == "read":
        return translate(
            "errors", "{host} stopped answering within the request timeout — try again, or raise the timeout in Settings."
        ).format(host=host)
    return translate("errors", "The request to {host} timed out — try again.").format(host=host)


def _connection_message(exc: APIConnectionError) -> str:
    host = _host(exc)
    if exc.reason == "refused":
        text = translate("errors", "Cannot reach {host}: the connection was refused — is the server running?")
    elif exc.reason == "dns":
        text = translate("errors", "Cannot reach {host}: the name could not be resolved — check the address and the network.")
    elif exc.reason == "tls":
        text = translate(
            "errors", "Cannot reach {host}: the secure connection failed — check the TLS settings and the CA bundle."
        )
    elif exc.reason == "proxy":
        text = translate("errors", "Cannot reach {host} through the proxy — check the proxy settings.")
    else:
        text = translate("errors", "Cannot reach {host}: the network connection failed.")
    return text.format(host=host)


def _status_message(exc: APIStatusError, model: str | None) -> str:
    status = exc.status_code
    message = server_text(exc)
    if exc.is_html:
        if status >= 500:
            return translate("errors", "The server answered with a web page (HTTP {status}) — the relay may be down.").format(
                status=status
            )
        return translate(
            "errors",
            "The server answered with a web page instead of an API reply (HTTP {status}) — check the base URL in Settings.",
        ).format(status=status)
    if isinstance(exc, AuthenticationError):
        return translate("errors", "The server rejected the token — check it in Settings.")
    if isinstance(exc, PermissionDeniedError):
        if message:
            return translate("errors", "Access denied (HTTP 403): {message}").format(message=message)
        return translate("errors", "Access denied (HTTP 403) — the token is not allowed to use this.")
    if isinstance(exc, NotFoundError):
        if model:
            return translate("errors", "The model “{model}” was not found on this server — choose another one.").format(
                model=model
            )
        if message:
            return translate("errors", "Not found (HTTP 404): {message}").format(message=message)
        return translate("errors", "Not found (HTTP 404): the server has no {path} — check the base URL in Settings.").format(
            path=_path(exc) or "/"
        )
    if isinstance(exc, RateLimitError):
        return _rate_limit_message(exc, message)
    if isinstance(exc, BadRequestError):
        if message:
            return translate("errors", "The server refused the request: {message}").format(message=message)
        return translate("errors", "The server refused the request as invalid (HTTP 400).")
    if isinstance(exc, InternalServerError) or status >= 500:
        if message:
            return translate("errors", "The server had a problem (HTTP {status}): {message}").format(
                status=status, message=message
            )
        return translate("errors", "The server had a problem (HTTP {status}) — try again in a moment.").format(status=status)
    if status == 408:
        return translate("errors", "The server gave up waiting for the request (HTTP 408) — try again.")
    if status == 413:
        return translate("errors", "The request is too large for the server (HTTP 413).")
    if 200 <= status < 300:
        if message:
            return translate("errors", "The server answered with an error: {message}").format(message=message)
        return translate("errors", "The server's answer could not be understood.")
    if message:
        return translate("errors", "The server refused the request (HTTP {status}): {message}").format(
            status=status, message=message
        )
    return translate("errors", "The server refused the request (HTTP {status}).").format(status=status)


def _rate_limit_message(exc: RateLimitError, message: str) -> str:
    if exc.code == "insufficient_quota" or exc.error_type == "insufficient_quota":
        if message:
            return translate("errors", "The account has no quota left: {message}").format(message=message)
        return translate("errors", "The account has no quota left — check your plan or balance.")
    if exc.retry_after is not None and exc.retry_after >= 0:
        seconds = max(1, math.ceil(exc.retry_after))
        return translate("errors", "Rate limited — retrying in {seconds} s.").format(seconds=seconds)
    if message:
        return translate("errors", "Rate limited — try again later. The server said: {message}").format(message=message)
    return translate("errors", "Rate limited — try again later.")


def _credential_message(exc: CredentialError) -> str:
    if exc.kind == "no_backend":
        return translate(
            "errors",
            "No keychain is available to store the token — install GNOME Keyring or KWallet, "
            "or keep the token for this session only.",
        )
    if exc.kind == "locked":
        return translate("errors", "The keychain is locked — unlock it and try again.")
    if exc.kind == "dismissed":
        return translate("errors", "The keychain did not open: its unlock prompt was dismissed or could not be shown.")
    detail = " ".join((exc.detail or "").split())
    if detail:
        return translate("errors", "The keychain reported an error: {detail}").format(detail=detail)
    return translate("errors", "The keychain reported an error.")
