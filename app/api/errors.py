"""Typed errors raised by the API client.

The hierarchy follows openai-python so that code written against it reads the same, and so that the
UI can map every failure to one sentence (``app.ui.errors.user_message``) without parsing strings.
No error ever carries the token: messages are built from the server's answer and the request's
method and URL only, and the URL never contains credentials.
"""

from __future__ import annotations

from typing import Any


class APIError(Exception):
    """Base of every error the client raises."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url


class APIConnectionError(APIError):
    """The server could not be reached or the connection broke before an answer arrived.

    ``reason`` is one of ``"refused"``, ``"dns"``, ``"tls"``, ``"proxy"``, ``"network"``.
    """

    def __init__(
        self, message: str = "Connection error.", *, reason: str = "network", host: str = "", **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.reason = reason
        self.host = host


class APITimeoutError(APIConnectionError):
    """Connecting, or waiting for the next bytes, took longer than the profile allows.

    ``phase`` is ``"connect"`` or ``"read"``.
    """

    def __init__(self, message: str = "Request timed out.", *, phase: str = "read", **kw: Any) -> None:
        kw.setdefault("reason", "timeout")
        super().__init__(message, **kw)
        self.phase = phase


class APIStatusError(APIError):
    """The server answered with a non-2xx status (or a 2xx whose body is an error)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: Any = None,
        request_id: str | None = None,
        error_type: str | None = None,
        code: Any = None,
        is_html: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.status_code = status_code
        self.body = body
        self.request_id = request_id
        self.error_type = error_type
        self.code = code
        self.is_html = is_html
        #: True when the server gave a message of its own (worth showing the user verbatim).
        self.has_server_message = bool(body) and not is_html


class BadRequestError(APIStatusError):
    """400: the request was malformed or the model does not support what was asked."""


class AuthenticationError(APIStatusError):
    """401: the token is missing, wrong or revoked."""


class PermissionDeniedError(APIStatusError):
    """403: the token is valid but not allowed to do this."""


class NotFoundError(APIStatusError):
    """404: unknown path or model."""


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429. ``retry_after`` is the server's requested wait in seconds, when it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """≥ 500, including the 520–524 pages of Cloudflare and nginx's 502."""


class StreamError(APIError):
    """A stream that had started broke: an error object mid-stream, a cut connection, a bad chunk.

    ``partial`` is what arrived before the break, so the caller can keep it beside the error.
    ``kind`` says what broke: ``"server"`` (an error object in the stream), ``"network"`` (the
    connection was cut), ``"timeout"`` (no bytes for longer than the read timeout), ``"malformed"``
    (a chunk that is not JSON) or ``"truncated"`` (the body ended before the answer was finished).
    ``result`` is the partial result object of the call (e.g. a ``ChatCompletion`` with the reasoning
    and tool calls received so far), when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        partial: str = "",
        error_type: str | None = None,
        code: Any = None,
        kind: str = "server",
        result: Any = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.partial = partial
        self.error_type = error_type
        self.code = code
        self.kind = kind
        self.result = result


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The error class for an HTTP status, as openai-python maps it."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_CLASSES.get(status_code, APIStatusError)
