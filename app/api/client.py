"""``Client``: one server profile's connection, and the door to every resource.

Why one object per profile: it owns one ``httpx.AsyncClient`` (connection pool, proxy, TLS settings)
that is kept for the whole session, so the second request reuses the first one's connection, and
what the client learned about a backend (e.g. that it rejects ``stream_options``) is remembered.

Public API::

    client = Client(base_url, token, *, timeout=600, connect_timeout=10, proxy=None, trust_env=True,
                    verify=True, max_retries=2, retry_base_delay=0.5, retry_max_delay=8.0,
                    max_retry_after=60.0, transport=None)
    client = Client.from_profile(profile, token, **overrides)
    client.models       app.api.models.Models            list(), retrieve(id)
    client.chat         app.api.chat.Chat                create(...), stream(...)
    client.completions  app.api.completions.Completions  create(...), stream(...)
    client.embeddings   app.api.embeddings.Embeddings    create(...)
    client.images       app.api.images.Images            generate(...), edit(...), variation(...), download(...)
    client.audio        app.api.audio.Audio              speech(...), transcribe(...), translate(...)
    await client.aclose()      or   async with Client(...) as client: ...

- ``base_url`` is the API root (usually ending in ``/v1``); a trailing slash does not matter.
- ``token`` None or empty: no ``Authorization`` header at all (local servers without auth).
- ``timeout`` is the read timeout: the longest silence accepted while waiting for bytes (large
  models can take minutes before the first token); ``connect_timeout`` bounds connecting.
- ``proxy``: an explicit ``http://``, ``https://``, ``socks5://`` or ``socks5h://`` URL. ``trust_env``
  False ignores ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY`` and ``SSL_CERT_FILE`` (proxy mode "none").
- ``verify``: True, False (no certificate check), or the path of a PEM CA bundle.
- ``max_retries``, ``retry_base_delay``, ``retry_max_delay``, ``max_retry_after``: see
  ``app.api._http`` (tests shrink the delays; the UI keeps the defaults).
- A bad proxy URL or unreadable CA bundle never makes the constructor fail: every call raises the
  ``APIConnectionError`` (reason ``proxy`` / ``tls``) instead, where the UI already shows errors.

Only ``app.api.errors`` exceptions (and ``asyncio.CancelledError``) come out of the calls.
"""

from __future__ import annotations

from typing import Any, Self

import httpx

from app.api._http import HTTPCore
from app.api.audio import Audio
from app.api.chat import Chat
from app.api.completions import Completions
from app.api.embeddings import Embeddings
from app.api.images import Images
from app.api.models import Models
from app.profiles import Profile, ProxyMode

__all__ = ["Client"]


class Client:
    """An OpenAI-compatible API, as one profile reaches it."""

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
        self._http = HTTPCore(
            base_url,
            token,
            timeout=timeout,
            connect_timeout=connect_timeout,
            proxy=proxy,
            trust_env=trust_env,
            verify=verify,
            max_retries=max_retries,
            retry_base_delay=retry_base_delay,
            retry_max_delay=retry_max_delay,
            max_retry_after=max_retry_after,
            transport=transport,
        )
        self.models = Models(self._http)
        self.chat = Chat(self._http)
        self.completions = Completions(self._http)
        self.embeddings = Embeddings(self._http)
        self.images = Images(self._http)
        self.audio = Audio(self._http)

    @classmethod
    def from_profile(cls, profile: Profile, token: str | None, **overrides: Any) -> "Client":
        """A client with the profile's address, timeouts, proxy and TLS settings."""
        proxy = profile.proxy_url.strip() or None if profile.proxy_mode == ProxyMode.CUSTOM else None
        verify: bool | str = (profile.ca_bundle.strip() or True) if profile.verify_tls else False
        kwargs: dict[str, Any] = dict(
            timeout=profile.timeout,
            connect_timeout=profile.connect_timeout,
            proxy=proxy,
            trust_env=profile.proxy_mode != ProxyMode.NONE,
            verify=verify,
        )
        kwargs.update(overrides)
        return cls(profile.base_url, token, **kwargs)

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def max_retries(self) -> int:
        return self._http.max_retries

    @property
    def closed(self) -> bool:
        return self._http.closed

    def __repr__(self) -> str:
        # Never the token: reprs end up in logs and crash reports.
        return f"Client(base_url={self.base_url!r}, token={'***' if self._http.has_token else None})"

    async def aclose(self) -> None:
        """Close every pooled connection. Call it before the event loop stops."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
