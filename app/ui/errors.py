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
import sys
from typing import TYPE_CHECKING
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

# The store (sqlite3 behind it), its export module and app.imaging are not imported here: this
# module is imported at start-up (the notifier needs it) and they are not needed before the window
# shows. Their exceptions are looked up in ``sys.modules`` instead (see :func:`_loaded`): an
# exception of a class from a module nobody imported cannot exist.
if TYPE_CHECKING:
    from app.store.export import ExportFormatError

__all__ = ["NoTokenError", "server_text", "user_message"]

translate = QCoreApplication.translate

#: Server messages longer than this are cut (the full text is in the exception, for the log).
SERVER_TEXT_LIMIT = 300


class NoTokenError(Exception):
    """The active profile has no token, so nothing can be sent until the user gives one."""

    def __init__(self, profile_name: str = "") -> None:
        super().__init__("no token for the active profile")
        self.profile_name = profile_name


def _loaded(module: str, name: str) -> type[BaseException] | None:
    """The exception class ``module.name`` if that module has been imported, else None."""
    found = getattr(sys.modules.get(module), name, None)
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def _is(exc: BaseException, module: str, name: str) -> bool:
    """``isinstance(exc, module.name)`` without importing ``module`` (not imported: it cannot be)."""
    cls = _loaded(module, name)
    return cls is not None and isinstance(exc, cls)


def user_message(exc: BaseException, *, model: str | None = None) -> str:
    """One translated sentence saying what went wrong and, where possible, what to do.

    ``model`` is the model the failed request asked for, when the caller knows it: a 404 then
    names it instead of guessing.
    """
    if isinstance(exc, APIError):
        return _api_message(exc, model)
    if isinstance(exc, CredentialError):
        return _credential_message(exc)
    if _is(exc, "app.store.export", "ExportFormatError"):
        return _export_format_message(exc)
    if _is(exc, "app.store.models", "NotFoundError"):
        return translate("errors", "The conversation no longer exists — it may have been deleted.")
    if _is(exc, "app.store.models", "SchemaTooNewError"):
        return translate("errors", "The conversation history was saved by a newer version of Parla — update Parla to open it.")
    if _is(exc, "app.store.models", "StoreError") or _is(exc, "sqlite3", "Error"):
        return translate("errors", "The conversation history could not be read or written ({kind}) — the details are in the log.").format(
            kind=type(exc).__name__
        )
    if _is(exc, "app.imaging", "ImageFormatError"):
        return translate(
            "errors", "The picture could not be read: it is not a PNG, JPEG, WebP, GIF, BMP or TIFF file, or it is damaged."
        )
    if _is(exc, "app.imaging", "BadResultError"):
        return translate("errors", "The server's answer is not a picture Parla can read — try again.")
    if _is(exc, "app.imaging", "EmptyResultError"):
        return translate("errors", "The server answered without any picture — try again, or change the prompt or the options.")
    audio = _audio_message(exc)
    if audio is not None:
        return audio
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
    if _is_content_policy(exc):
        if message:
            return translate(
                "errors", "Refused under the server's content policy — change the prompt or the picture and try again. "
                "The server said: {message}"
            ).format(message=message)
        return translate(
            "errors", "Refused under the server's content policy — change the prompt or the picture and try again."
        )
    if isinstance(exc, BadRequestError) and _is_unsupported_size(exc):
        if model:
            text = translate("errors", "The model “{model}” does not make pictures of this size — choose another size.")
        else:
            text = translate("errors", "The model does not make pictures of this size — choose another size.")
        text = text.format(model=model)
        if message:
            text += " " + translate("errors", "The server said: {message}").format(message=message)
        return text
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


def _export_format_message(exc: ExportFormatError) -> str:
    if exc.kind == "not_json":
        return translate("errors", "The file cannot be imported: it is not a JSON file.")
    if exc.kind == "not_parla":
        return translate("errors", "The file cannot be imported: it is not a conversation export from Parla.")
    if exc.kind == "too_new":
        return translate("errors", "The file was exported by a newer version of Parla — update Parla to import it.")
    return translate("errors", "The file cannot be imported: it is damaged ({detail}). Nothing was imported.").format(
        detail=exc.detail or exc.kind
    )


def _error_field(exc: APIStatusError, name: str) -> str:
    """A field of the server's ``error`` object (``param``, ``code``, ``type``), as text."""
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error", body)
    value = error.get(name) if isinstance(error, dict) else None
    return str(value) if value is not None else ""


_CONTENT_POLICY_CODES = frozenset({"content_policy_violation", "moderation_blocked", "content_filter", "safety_violation"})


def _is_content_policy(exc: APIStatusError) -> bool:
    """OpenAI's image endpoints say ``content_policy_violation`` (DALL·E) or ``moderation_blocked``
    (gpt-image-1); relays and Azure say it in other words."""
    codes = {str(exc.code or ""), str(exc.error_type or ""), _error_field(exc, "code"), _error_field(exc, "type")}
    if codes & _CONTENT_POLICY_CODES:
        return True
    text = str(exc.message or "").lower()
    return "safety system" in text or "content policy" in text or "content_policy" in text


def _is_unsupported_size(exc: APIStatusError) -> bool:
    if _error_field(exc, "param") == "size":
        return True
    text = str(exc.message or "").lower()
    return "size" in text and any(word in text for word in ("not one of", "not supported", "unsupported", "invalid size"))


def _audio_message(exc: BaseException) -> str | None:
    """The sentence for an ``app.audio`` error, or None when ``exc`` is not one.

    ``app.audio`` is looked up in ``sys.modules`` rather than imported: importing it loads numpy,
    which the start-up path must not pay for — and an audio error cannot exist before the module has
    been loaded by whoever raised it.
    """
    errors = sys.modules.get("app.audio.errors")
    if errors is None or not isinstance(exc, errors.AudioError):
        return None
    if isinstance(exc, errors.AudioUnavailableError):
        return translate(
            "errors",
            "Sound is not available: the PortAudio library is missing or could not start — install it "
            "(libportaudio2 on Debian and Ubuntu) and restart Parla. Everything else keeps working.",
        )
    if isinstance(exc, errors.NoDeviceError):
        if exc.kind == "input":
            return translate("errors", "No microphone was found — connect one, or choose another in the Voice settings.")
        return translate(
            "errors", "No speakers or headphones were found — connect some, or choose another output in the Voice settings."
        )
    device = str(exc.device) if getattr(exc, "device", None) not in (None, "") else ""
    if isinstance(exc, errors.DeviceLostError):
        if device:
            return translate("errors", "The sound device “{device}” stopped working — was it unplugged?").format(device=device)
        return translate("errors", "The sound device stopped working — was it unplugged?")
    if isinstance(exc, errors.DeviceError):
        if device:
            return translate(
                "errors",
                "The sound device “{device}” could not be used — another application may be using it, or access "
                "was denied. Close the other application or choose another device in the Voice settings.",
            ).format(device=device)
        return translate(
            "errors",
            "The sound device could not be used — another application may be using it, or access was denied.",
        )
    if isinstance(exc, errors.FileTooLargeError):
        return translate(
            "errors", "The file is too large: {size} MB is over the API's {limit} MB upload limit — shorten or compress it."
        ).format(size=f"{exc.size / 1048576:.1f}", limit=f"{exc.limit / 1048576:.0f}")
    if isinstance(exc, errors.UnsupportedFormatError):
        return translate("errors", "This audio cannot be read or written here: the format is not supported or the data is damaged.")
    return translate("errors", "Something went wrong with sound ({kind}) — the details are in the log.").format(
        kind=type(exc).__name__
    )
