"""The HTTP layer under every resource: one httpx.AsyncClient, retries, and status → typed error.

Why one module owns all of this: the rules that keep the app honest with flaky relays (which
statuses to retry, how long to wait, how an HTML error page becomes a typed error, how a socket error
becomes "refused" or "dns") must be the same for chat, images and audio, and must be testable in one
place. The resource modules (``chat.py`` …) only build bodies and read results.

Public calls (used by the resource modules, not by the UI):

- ``HTTPCore(base_url, token, *, timeout, connect_timeout, proxy, trust_env, verify, max_retries,
  retry_base_delay, retry_max_delay, max_retry_after, transport=None)``
- ``await core.request(method, path, *, json=None, data=None, files=None, params=None, timeout=None)
  -> httpx.Response`` — the whole body read, status checked, retried as allowed.
- ``await core.request_json(...) -> Any`` — the same, parsed, and an error JSON or an HTML page sent
  with a 2xx status raised as the error it is (quirk 7).
- ``await core.open_stream(method, path, ...) -> httpx.Response`` — headers received and the status
  checked (error statuses are retried like any request), body not read; the caller owns the
  response and must ``await response.aclose()`` in a ``finally``. Once the body is being read, there
  is no retry: the caller may already have shown part of it.
- ``await core.download(url, *, max_bytes, timeout=None) -> bytes`` — a result URL (or ``data:``
  URL) as bytes, with a size cap; the token is only sent to URLs under ``base_url``.
- ``core.transport_error(exc, method, url)``, ``status_error(...)``, ``error_from_payload(...)`` —
  the mappings, for the streaming code that reads bodies itself.

Retry policy (openai-python's, with reasons for the differences): 408, 409, 429 and ≥ 500, and
connection failures, up to ``max_retries`` times with exponential backoff and jitter
(``retry_base_delay * 2**attempt``, capped at ``retry_max_delay``, minus up to 25 %). A server's
``retry-after-ms`` / ``Retry-After`` (seconds or HTTP date) replaces the backoff when it is at most
``max_retry_after`` seconds; a longer wait is not honoured by sleeping — the error is raised at once
with ``retry_after`` set, so the UI can say "try again in N minutes". ``x-should-retry`` is obeyed.
Not retried: TLS failures (a bad certificate does not heal in a second), read timeouts (the server
may still be working on the request; re-sending would pay twice after waiting the whole timeout),
and 429 ``insufficient_quota`` (the quota will not come back within seconds).

The token: it is sent only as ``Authorization: Bearer`` on requests to the API (never as a client
default, so a download from a CDN cannot carry it), and every message built here is scrubbed of it,
in case a relay echoes it back in an error.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import email.utils
import html
import http
import json
import logging
import mimetypes
import os
import random
import re
import socket
import ssl
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx

from app import __version__
from app.api.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    RateLimitError,
    status_error_class,
)

log = logging.getLogger(__name__)

USER_AGENT = f"Parla/{__version__}"
#: How much of an error body is read: enough for any JSON error, not a whole HTML site.
ERROR_BODY_LIMIT = 64 * 1024
#: How much of an error body is kept on the exception (``body``) when it is not JSON.
ERROR_TEXT_KEEP = 2000
RETRY_STATUSES = frozenset({408, 409, 429})

_STATUS_SENTENCES: dict[int, str] = {
    400: "The server rejected the request as invalid.",
    401: "The server refused the token.",
    403: "The token is not allowed to do this.",
    404: "The server does not know this address or model.",
    405: "The server does not accept this kind of request at this address.",
    408: "The server timed out waiting for the request.",
    409: "The request conflicted with another one.",
    413: "The request is too large for the server.",
    415: "The server does not accept this type of upload.",
    422: "The server could not process the request.",
    429: "Too many requests, or the quota is used up.",
    500: "The server failed with an internal error.",
    501: "The server does not implement this.",
    502: "A gateway or proxy in front of the server got no valid answer from it.",
    503: "The server is overloaded or down for maintenance.",
    504: "A gateway or proxy in front of the server timed out waiting for it.",
    520: "Cloudflare: the server returned an unknown error.",
    521: "Cloudflare: the server is down.",
    522: "Cloudflare: the connection to the server timed out.",
    523: "Cloudflare: the server is unreachable.",
    524: "Cloudflare: the server took too long to answer.",
    525: "Cloudflare: the TLS handshake with the server failed.",
    526: "Cloudflare: the server's certificate is invalid.",
}

# Error "type"/"code" words that relays put in a 2xx error body, mapped to the status they mean.
_TYPE_STATUS: tuple[tuple[str, int], ...] = (
    ("insufficient_quota", 429),
    ("rate_limit", 429),
    ("too_many", 429),
    ("invalid_api_key", 401),
    ("authentication", 401),
    ("unauthorized", 401),
    ("permission", 403),
    ("forbidden", 403),
    ("not_found", 404),
    ("invalid_request", 400),
    ("bad_request", 400),
    ("server_error", 500),
    ("internal", 500),
    ("api_error", 500),
    ("overloaded", 503),
    ("upstream", 502),
)

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"',;]+")


# --------------------------------------------------------------------------------------------------
# Pure helpers (tested on their own)


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait: ``retry-after-ms``, else ``Retry-After`` (seconds or date)."""
    value = headers.get("retry-after-ms")
    if value:
        try:
            ms = float(value)
        except ValueError:
            ms = float("nan")
        if ms == ms and ms >= 0:  # not NaN
            return ms / 1000.0
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if seconds >= 0 else None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, parsed.timestamp() - now)


def human_status(status: int) -> str:
    """A sentence for a status the server did not explain."""
    sentence = _STATUS_SENTENCES.get(status)
    if sentence is None:
        if 500 <= status < 600:
            sentence = "The server failed."
        elif 400 <= status < 500:
            sentence = "The server refused the request."
        elif 300 <= status < 400:
            sentence = "The server redirected the request elsewhere."
        else:
            sentence = "The server gave an unexpected answer."
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"HTTP {status}{' ' + phrase if phrase else ''}: {sentence}"


def _infer_status(err: Mapping[str, Any]) -> int | None:
    """The HTTP status an error object means, for errors sent with a 2xx status or inside a stream."""
    for key in ("status", "status_code", "code", "http_code"):
        value = err.get(key)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, int) and not isinstance(value, bool) and 400 <= value < 600:
            return value
    words = f"{err.get('type') or ''} {err.get('code') or ''}".lower()
    for word, status in _TYPE_STATUS:
        if word in words:
            return status
    return None


def _error_message(payload: Any) -> tuple[str | None, str | None, Any]:
    """(message, type, code) from any of the error shapes servers use."""
    if not isinstance(payload, dict):
        return (payload if isinstance(payload, str) and payload.strip() else None), None, None
    err = payload.get("error", payload)
    if isinstance(err, str):
        return (err.strip() or None), None, None
    if not isinstance(err, dict):
        err = payload
    message: Any = err.get("message") or err.get("msg") or err.get("detail") or err.get("error")
    if message is None and err is not payload:
        message = payload.get("message") or payload.get("detail")
    if isinstance(message, list):  # FastAPI's validation errors
        parts = []
        for item in message:
            if isinstance(item, dict):
                loc = ".".join(str(x) for x in item.get("loc", []) if x != "body")
                parts.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", "")))
            else:
                parts.append(str(item))
        message = "; ".join(p for p in parts if p)
    elif isinstance(message, dict):
        message = message.get("message") or json.dumps(message, ensure_ascii=False)
    if message is not None and not isinstance(message, str):
        message = str(message)
    error_type = err.get("type")
    code = err.get("code")
    return (message.strip() if message else None), (str(error_type) if error_type else None), code


def looks_like_error(payload: Any) -> bool:
    """True for ``{"error": …}`` bodies (and not for a result that merely has an ``error`` key of null)."""
    return isinstance(payload, dict) and bool(payload.get("error")) and not (
        "choices" in payload or "data" in payload or "text" in payload
    )


def _html_title(text: str) -> str:
    match = _TITLE.search(text)
    if not match:
        return ""
    title = html.unescape(_TAG.sub("", match.group(1)))
    return " ".join(title.split())[:120]


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception, its causes and contexts, and the members of exception groups among them."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)


def connect_failure_reason(exc: BaseException) -> str:
    """``"tls"``, ``"dns"``, ``"refused"`` or ``"network"`` for a failed connection attempt."""
    chain = list(_exception_chain(exc))
    for e in chain:
        if isinstance(e, ssl.SSLError) or isinstance(e, ssl.CertificateError):
            return "tls"
    for e in chain:
        if isinstance(e, socket.gaierror):
            return "dns"
    for e in chain:
        if isinstance(e, ConnectionRefusedError):
            return "refused"
    text = " ".join(str(e) for e in chain).lower()
    if any(w in text for w in ("ssl", "certificate", "tls", "handshake")):
        return "tls"
    if any(
        w in text
        for w in (
            "name or service not known",
            "nodename nor servname",
            "getaddrinfo",
            "name resolution",
            "no address associated",
            "errno -2]",
            "errno -3]",
            "errno -5]",
            "errno 11001",
        )
    ):
        return "dns"
    if any(w in text for w in ("refused", "errno 111", "errno 61]", "10061")):
        return "refused"
    return "network"


# --------------------------------------------------------------------------------------------------


class HTTPCore:
    """Owns the httpx.AsyncClient of one ``Client`` and every rule about talking to the server."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        *,
        timeout: float = 600.0,
        connect_timeout: float = 10.0,
        proxy: str | None = None,
        trust_env: bool = True,
        verify: bool | str = True,
        max_retries: int = 2,
        retry_base_delay: float = 0.5,
        retry_max_delay: float = 8.0,
        max_retry_after: float = 60.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = (base_url or "").strip().rstrip("/")
        self._token = token or None
        self.timeout = float(timeout)
        self.connect_timeout = float(connect_timeout)
        self.max_retries = max(0, int(max_retries))
        self.retry_base_delay = float(retry_base_delay)
        self.retry_max_delay = float(retry_max_delay)
        self.max_retry_after = float(max_retry_after)
        self.trust_env = trust_env
        self._proxy = proxy or None
        self._proxy_host = ""
        self._secrets: list[str] = [s for s in (self._token,) if s]
        #: Set by the chat module when a backend rejected ``stream_options`` (quirk 8): remembered
        #: for the life of the client so every later stream skips it.
        self.stream_options_supported = True
        #: A configuration problem found at construction (bad proxy URL, unreadable CA bundle). It is
        #: raised by every call instead of by the constructor, so building a client never fails.
        self._config_error: APIError | None = None

        if self._proxy:
            try:
                proxy_url = httpx.URL(self._proxy)
                self._proxy_host = proxy_url.host
                if proxy_url.password:
                    self._secrets.append(proxy_url.password)
            except Exception:  # noqa: BLE001 — reported below as a proxy error
                self._proxy_host = ""

        verify_arg: bool | ssl.SSLContext = bool(verify)
        if isinstance(verify, str) and verify:
            try:
                verify_arg = ssl.create_default_context(cafile=verify)
            except (OSError, ssl.SSLError) as exc:
                self._config_error = APIConnectionError(
                    f"The CA bundle {verify!r} could not be read ({type(exc).__name__}).", reason="tls"
                )
                verify_arg = True

        kwargs: dict[str, Any] = dict(
            timeout=httpx.Timeout(
                connect=self.connect_timeout, read=self.timeout, write=self.timeout, pool=self.connect_timeout
            ),
            trust_env=trust_env,
            verify=verify_arg,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=10, keepalive_expiry=30.0),
        )
        if transport is not None:
            kwargs["transport"] = transport
        try:
            self._client = httpx.AsyncClient(proxy=self._proxy, **kwargs)
        except Exception as exc:  # noqa: BLE001 — a bad proxy URL; reported on every call
            self._config_error = self._config_error or APIConnectionError(
                f"The proxy address is not usable ({self._redact(str(exc))}).", reason="proxy", host=self._proxy_host
            )
            self._client = httpx.AsyncClient(**kwargs)

    # ---- small public helpers ----------------------------------------------------------------------

    @property
    def has_token(self) -> bool:
        return self._token is not None

    @property
    def closed(self) -> bool:
        return self._client.is_closed

    def url(self, path: str) -> str:
        """``base_url`` + ``/`` + ``path``, whatever slashes either side has."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def __repr__(self) -> str:
        return f"HTTPCore(base_url={self.base_url!r}, token={'***' if self._token else None})"

    async def aclose(self) -> None:
        await self._client.aclose()

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret and secret in text:
                text = text.replace(secret, "***")
        return _BEARER.sub(r"\1***", text)

    def _redact_body(self, body: Any) -> Any:
        if isinstance(body, str):
            return self._redact(body)
        if isinstance(body, dict):
            return {k: self._redact_body(v) for k, v in body.items()}
        if isinstance(body, list):
            return [self._redact_body(v) for v in body]
        return body

    def _display_url(self, url: str) -> str:
        """The URL without user info or query, for messages."""
        try:
            u = httpx.URL(url)
            return self._redact(str(u.copy_with(userinfo=b"", query=None)))
        except Exception:  # noqa: BLE001
            return self._redact(url)

    def _headers(self, extra: Mapping[str, str] | None, *, authorized: bool) -> dict[str, str]:
        headers: dict[str, str] = {}
        if authorized and self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if extra:
            headers.update(extra)
        return headers

    def _timeout(self, timeout: float | None) -> httpx.Timeout | None:
        if timeout is None:
            return None
        return httpx.Timeout(connect=self.connect_timeout, read=timeout, write=timeout, pool=self.connect_timeout)

    # ---- error mapping ------------------------------------------------------------------------------

    def _uses_env_proxy(self, url: str) -> bool:
        if not self.trust_env:
            return False
        try:
            parts = urllib.parse.urlsplit(url)
            proxies = urllib.request.getproxies_environment()
            if not (proxies.get(parts.scheme) or proxies.get("all")):
                return False
            return not urllib.request.proxy_bypass_environment(parts.hostname or "")
        except Exception:  # noqa: BLE001
            return False

    def transport_error(self, exc: BaseException, method: str, url: str) -> APIConnectionError:
        """The typed error for an httpx transport failure (never carries the token)."""
        try:
            host = httpx.URL(url).host
        except Exception:  # noqa: BLE001
            host = ""
        shown = self._display_url(url)
        detail = self._redact(_short(str(exc) or type(exc).__name__, 300))
        if isinstance(exc, httpx.TimeoutException):
            if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
                return APITimeoutError(
                    f"Connecting to {host} took longer than {self.connect_timeout:g} s.",
                    phase="connect", host=host, method=method, url=shown,
                )
            return APITimeoutError(
                f"{host} sent nothing for {self.timeout:g} s.", phase="read", host=host, method=method, url=shown
            )
        if isinstance(exc, httpx.UnsupportedProtocol):
            return APIConnectionError(
                f"The address {shown!r} is not a valid http:// or https:// URL.",
                reason="network", host=host, method=method, url=shown,
            )
        if isinstance(exc, httpx.ProxyError):
            proxy_host = self._proxy_host or host
            return APIConnectionError(
                f"The proxy {proxy_host} failed: {detail}", reason="proxy", host=proxy_host, method=method, url=shown
            )
        if isinstance(exc, httpx.ConnectError):
            reason = connect_failure_reason(exc)
            via_proxy = bool(self._proxy) or self._uses_env_proxy(url)
            if via_proxy and reason in ("refused", "dns"):
                proxy_host = self._proxy_host or host
                return APIConnectionError(
                    f"Could not reach the proxy {proxy_host}: {detail}",
                    reason="proxy", host=proxy_host, method=method, url=shown,
                )
            if reason == "refused":
                message = f"Could not connect to {host}: the connection was refused."
            elif reason == "dns":
                message = f"Could not find the server {host} (the name lookup failed)."
            elif reason == "tls":
                message = f"The secure connection to {host} failed: {detail}"
            else:
                message = f"Could not connect to {host}: {detail}"
            return APIConnectionError(message, reason=reason, host=host, method=method, url=shown)
        return APIConnectionError(
            f"The connection to {host} broke: {detail}", reason="network", host=host, method=method, url=shown
        )

    def status_error(
        self,
        status: int,
        headers: Mapping[str, str],
        content: bytes,
        *,
        method: str,
        url: str,
    ) -> APIStatusError:
        """The typed error for a status and the (start of the) body the server sent with it."""
        shown = self._display_url(url)
        request_id = headers.get("x-request-id") or headers.get("request-id") or headers.get("x-oneapi-request-id")
        content_type = headers.get("content-type", "").lower()
        text = content.decode("utf-8", errors="replace")
        stripped = text.strip()
        retry_after = parse_retry_after(headers) if status == 429 or status >= 500 else None

        payload: Any = None
        if stripped and (stripped[0] in "{[" or "json" in content_type):
            try:
                payload = json.loads(stripped)
            except ValueError:
                payload = None
        if payload is not None:
            if isinstance(payload, list) and payload and isinstance(payload[0], dict):
                payload = payload[0]  # Google's OpenAI-compatible endpoint wraps the error in a list
            payload = self._redact_body(payload)
            cls = status_error_class(status)
            if 200 <= status < 300:
                inner = payload.get("error", payload) if isinstance(payload, dict) else None
                inferred = _infer_status(inner) if isinstance(inner, dict) else None
                cls = status_error_class(inferred) if inferred else APIStatusError
            message, error_type, code = _error_message(payload)
            kw: dict[str, Any] = dict(
                status_code=status, body=payload, request_id=request_id, error_type=error_type, code=code,
                method=method, url=shown,
            )
            if issubclass(cls, RateLimitError):
                kw["retry_after"] = retry_after
            return cls(self._redact(message) if message else human_status(status), **kw)

        # Not JSON: an HTML page from a proxy or a relay's web front, plain text, or nothing at all.
        cls = status_error_class(status) if not 200 <= status < 300 else APIStatusError
        sentence = human_status(status)
        looks_html = "html" in content_type or stripped[:1] == "<"
        if 300 <= status < 400 and headers.get("location"):
            message = f"{sentence} It points to {self._display_url(headers['location'])}; the base URL may need to change."
        elif not stripped:
            message = f"{sentence} (The answer was empty.)"
        elif looks_html:
            title = _html_title(text)
            if 200 <= status < 300:
                sentence = (
                    f"HTTP {status}: the server answered with a web page instead of the API; "
                    "check that the base URL is the API address (it usually ends in /v1)."
                )
            message = f'{sentence} (Page title: "{self._redact(title)}".)' if title else sentence
        else:
            if 200 <= status < 300:
                sentence = f"HTTP {status}: the server's answer is not JSON."
            message = f'{sentence} The server said: "{self._redact(_short(stripped))}"'
        kw = dict(
            status_code=status, body=self._redact(text[:ERROR_TEXT_KEEP]) if stripped else None,
            request_id=request_id, is_html=True, method=method, url=shown,
        )
        if issubclass(cls, RateLimitError):
            kw["retry_after"] = retry_after
        return cls(message, **kw)

    def error_from_payload(
        self, payload: Any, *, status: int = 200, headers: Mapping[str, str] | None = None, method: str, url: str
    ) -> APIStatusError:
        """The typed error for an error object already parsed (a 2xx error body, a stream's first event)."""
        content = json.dumps(payload, ensure_ascii=False).encode()
        return self.status_error(status, headers or {"content-type": "application/json"}, content, method=method, url=url)

    # ---- retries -------------------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        delay = min(self.retry_base_delay * (2**attempt), self.retry_max_delay)
        return max(0.0, delay * (1 - 0.25 * random.random()))

    def _status_retry_delay(self, error: APIStatusError, headers: Mapping[str, str], attempt: int) -> float | None:
        """Seconds to wait before retrying this status, or None when it must not be retried."""
        if attempt >= self.max_retries:
            return None
        should = headers.get("x-should-retry", "").lower()
        if should == "false":
            return None
        status = error.status_code
        if should != "true" and not (status in RETRY_STATUSES or status >= 500):
            return None
        if "insufficient_quota" in f"{error.error_type} {error.code}":
            return None
        wait = parse_retry_after(headers)
        if wait is not None:
            return wait if wait <= self.max_retry_after else None
        return self._backoff(attempt)

    @staticmethod
    def _transport_retryable(error: APIConnectionError) -> bool:
        if isinstance(error, APITimeoutError):
            return error.phase == "connect"
        return error.reason != "tls"

    # ---- sending -------------------------------------------------------------------------------------

    async def _send(
        self,
        method: str,
        url: str,
        *,
        read_body: bool,
        authorized: bool = True,
        follow_redirects: bool = False,
        json_body: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send with retries; a 2xx response comes back read (``read_body``) or open for streaming."""
        if self._config_error is not None:
            raise self._config_error
        attempt = 0
        while True:
            try:
                request = self._client.build_request(
                    method,
                    url,
                    json=json_body,
                    data=data,
                    files=files,
                    params=params,
                    headers=self._headers(headers, authorized=authorized),
                    timeout=self._timeout(timeout) or httpx.USE_CLIENT_DEFAULT,
                )
            except (httpx.InvalidURL, httpx.UnsupportedProtocol):
                raise APIConnectionError(
                    f"The address {self._display_url(url)!r} is not a valid http:// or https:// URL.",
                    reason="network", method=method, url=self._display_url(url),
                ) from None
            started = time.monotonic()
            try:
                response = await self._client.send(request, stream=True, follow_redirects=follow_redirects)
            except httpx.HTTPError as exc:
                error = self.transport_error(exc, method, url)
                retryable = not isinstance(exc, httpx.UnsupportedProtocol) and self._transport_retryable(error)
                if attempt < self.max_retries and retryable:
                    delay = self._backoff(attempt)
                    log.info("retrying %s %s after %s in %.2f s", method, error.host, error.reason, delay)
                    await asyncio.sleep(delay)
                    attempt += 1
                    continue
                raise error from exc
            except RuntimeError as exc:  # the client was closed
                raise APIConnectionError(
                    "The connection pool was closed.", reason="network", method=method, url=self._display_url(url)
                ) from exc

            if response.is_success:
                if not read_body:
                    return response
                try:
                    await response.aread()
                except httpx.HTTPError as exc:
                    error = self.transport_error(exc, method, url)
                    if attempt < self.max_retries and self._transport_retryable(error) and not isinstance(
                        error, APITimeoutError
                    ):
                        await asyncio.sleep(self._backoff(attempt))
                        attempt += 1
                        continue
                    raise error from exc
                finally:
                    await response.aclose()
                log.debug("%s %s → %d in %.2f s", method, request.url.path, response.status_code,
                          time.monotonic() - started)
                return response

            # An error status: read the start of the body for the message, then maybe retry.
            try:
                content = await self._read_limited(response, ERROR_BODY_LIMIT)
            except httpx.HTTPError:
                content = b""
            finally:
                await response.aclose()
            error = self.status_error(response.status_code, response.headers, content, method=method, url=url)
            delay = self._status_retry_delay(error, response.headers, attempt)
            log.info("%s %s → %d (request id %s)", method, request.url.path, response.status_code, error.request_id)
            if delay is None:
                raise error
            await asyncio.sleep(delay)
            attempt += 1

    @staticmethod
    async def _read_limited(response: httpx.Response, limit: int) -> bytes:
        parts: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            parts.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
        return b"".join(parts)[:limit]

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """A complete request: the 2xx response with its body read, or a typed error."""
        return await self._send(
            method, self.url(path), read_body=True, json_body=json, data=data, files=files, params=params,
            headers=headers, timeout=timeout,
        )

    async def request_json(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """A request whose answer must be JSON; an error body or an HTML page under a 2xx is raised."""
        response = await self.request(
            method, path, json=json, data=data, files=files, params=params, timeout=timeout,
            headers={"Accept": "application/json"},
        )
        return self.parse_json(response, method=method)

    def parse_json(self, response: httpx.Response, *, method: str) -> Any:
        """The JSON of a 2xx response, or the typed error its body really is (quirk 7)."""
        url = str(response.request.url) if response.request else ""
        content = response.content
        stripped = content.strip()
        if not stripped or stripped[:1] not in (b"{", b"["):
            raise self.status_error(response.status_code, response.headers, content, method=method, url=url)
        try:
            payload = json.loads(content)
        except ValueError:
            raise self.status_error(response.status_code, response.headers, content, method=method, url=url) from None
        if looks_like_error(payload):
            raise self.status_error(response.status_code, response.headers, content, method=method, url=url)
        return payload

    async def open_stream(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """A 2xx response whose body is still to be read. The caller must ``aclose()`` it."""
        stream_headers = {"Accept-Encoding": "identity"}  # gzip makes some proxies buffer the stream
        stream_headers.update(headers or {})
        return await self._send(
            method, self.url(path), read_body=False, json_body=json, data=data, files=files,
            headers=stream_headers, timeout=timeout,
        )

    async def download(self, url: str, *, max_bytes: int, timeout: float | None = None) -> bytes:
        """The bytes behind a result URL (``https://`` or ``data:``), refusing more than ``max_bytes``.

        Why the cap: a relay's URL could point at anything; an image should never fill the memory.
        The token goes only to URLs under the API root (some relays serve results there behind auth).
        """
        if url.startswith("data:"):
            header, _, payload = url.partition(",")
            try:
                raw = base64.b64decode(payload, validate=False) if ";base64" in header else urllib.parse.unquote_to_bytes(payload)
            except (binascii.Error, ValueError) as exc:
                raise APIError(f"The data URL could not be decoded ({type(exc).__name__}).") from None
            if len(raw) > max_bytes:
                raise APIError(f"The file is larger than the {max_bytes // 1_000_000 or 1} MB allowed.")
            return raw
        # The token only goes to URLs under the API root; anything else (a CDN, the relay's public
        # /files) is fetched anonymously, like the signed URLs it is meant to be.
        under_api = url.startswith(self.base_url + "/")
        response = await self._send(
            "GET", url, read_body=False, authorized=under_api, follow_redirects=True, timeout=timeout
        )
        try:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise APIError(f"The file is larger than the {max_bytes // 1_000_000 or 1} MB allowed.",
                               method="GET", url=self._display_url(url))
            parts: list[bytes] = []
            size = 0
            try:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise APIError(f"The file is larger than the {max_bytes // 1_000_000 or 1} MB allowed.",
                                       method="GET", url=self._display_url(url))
                    parts.append(chunk)
            except httpx.HTTPError as exc:
                raise self.transport_error(exc, "GET", url) from exc
            return b"".join(parts)
        finally:
            await response.aclose()


# --------------------------------------------------------------------------------------------------
# Uploads

_MAGIC: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", ".png"),
    (b"\xff\xd8\xff", 0, "image/jpeg", ".jpg"),
    (b"GIF8", 0, "image/gif", ".gif"),
    (b"WEBP", 8, "image/webp", ".webp"),
    (b"WAVE", 8, "audio/wav", ".wav"),
    (b"fLaC", 0, "audio/flac", ".flac"),
    (b"OggS", 0, "audio/ogg", ".ogg"),
    (b"ID3", 0, "audio/mpeg", ".mp3"),
    (b"\xff\xfb", 0, "audio/mpeg", ".mp3"),
    (b"\xff\xf3", 0, "audio/mpeg", ".mp3"),
    (b"ftyp", 4, "audio/mp4", ".m4a"),
    (b"\x1a\x45\xdf\xa3", 0, "audio/webm", ".webm"),
)


def sniff_type(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes of a file, for uploads given as bare bytes."""
    for magic, offset, mime, ext in _MAGIC:
        if content[offset : offset + len(magic)] == magic:
            return mime, ext
    return None


def _guess_type(name: str, content: bytes) -> str:
    guessed, _ = mimetypes.guess_type(name)
    if guessed:
        return guessed
    sniffed = sniff_type(content)
    return sniffed[0] if sniffed else "application/octet-stream"


async def load_file(file: Any, *, default_name: str) -> tuple[str, bytes, str]:
    """(filename, bytes, content type) for any ``FileInput``. Paths are read off the event loop.

    Why the filename matters: servers pick the decoder from its extension (whisper rejects
    ``file`` without one), so bare bytes get a name with the extension their magic number implies.
    """
    if isinstance(file, tuple):
        if len(file) == 3:
            name, content, ctype = file
            return str(name), bytes(content), str(ctype)
        name, content = file
        return str(name), bytes(content), _guess_type(str(name), bytes(content))
    if isinstance(file, (bytes, bytearray, memoryview)):
        content = bytes(file)
        sniffed = sniff_type(content)
        name = default_name
        if sniffed and not os.path.splitext(default_name)[1]:
            name = default_name + sniffed[1]
        elif sniffed:
            name = os.path.splitext(default_name)[0] + sniffed[1]
        return name, content, _guess_type(name, content)
    if isinstance(file, (str, os.PathLike)):
        path = Path(file)
        try:
            content = await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise APIError(f"Could not read the file {path.name}: {exc.strerror or type(exc).__name__}.") from None
        return path.name, content, _guess_type(path.name, content)
    raise TypeError(f"unsupported file input: {type(file).__name__}")


def form_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Multipart text fields: None dropped, numbers and booleans as strings, lists kept as repeats."""
    fields: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            fields[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            fields[key] = [str(v) for v in value]
        elif isinstance(value, (dict,)):
            fields[key] = json.dumps(value, ensure_ascii=False)
        else:
            fields[key] = str(value)
    return fields
