"""Each fault class → its typed error, over a real socket; the token never shows in any of them."""

from __future__ import annotations

import asyncio
import socket
import traceback
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from app.api.client import Client
from app.api.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from tests.loopback.server import Fault, LoopbackServer


@pytest_asyncio.fixture
async def client(loopback: LoopbackServer) -> AsyncIterator[Client]:
    async with Client(loopback.base_url, loopback.token, max_retries=0) as client:
        yield client


def assert_no_token(error: BaseException, token: str) -> None:
    """Not in the message, the repr, any attribute, nor the whole chained traceback."""
    shown = [str(error), repr(error), "".join(traceback.format_exception(error))]
    shown += [repr(v) for v in vars(error).values()]
    for text in shown:
        assert token not in text
        assert token[3:] not in text  # not even without its prefix


def free_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A port whose accept queue is full: the kernel drops new SYNs, so connecting hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    try:
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, BadRequestError), (401, AuthenticationError), (403, PermissionDeniedError), (404, NotFoundError),
     (409, ConflictError), (422, UnprocessableEntityError), (429, RateLimitError), (500, InternalServerError),
     (503, InternalServerError)],
)
async def test_status_to_error_class(client: Client, loopback: LoopbackServer, status: int, cls: type) -> None:
    loopback.inject("/chat/completions", Fault(status=status, headers={"x-request-id": "req_abc"}))
    with pytest.raises(cls) as info:
        await client.chat.create([{"role": "user", "content": "x"}], model="m")
    error = info.value
    assert type(error) is cls and error.status_code == status and error.request_id == "req_abc"
    assert error.has_server_message and not error.is_html and error.message  # the server's own message
    assert error.method == "POST" and error.url.endswith("/v1/chat/completions")
    assert_no_token(error, loopback.token)


@pytest.mark.asyncio
async def test_error_object_fields_are_kept(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(status=400, error={"message": "Bad model.", "type": "invalid_request_error",
                                                        "code": "model_invalid"}))
    with pytest.raises(BadRequestError) as info:
        await client.models.list()
    assert (info.value.message, info.value.error_type, info.value.code) == ("Bad model.", "invalid_request_error",
                                                                           "model_invalid")


@pytest.mark.asyncio
async def test_wrong_token_is_authentication_error_without_the_token(loopback: LoopbackServer) -> None:
    wrong = "sk-wrong-secret-value-987"
    async with Client(loopback.base_url, wrong, max_retries=0) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.models.list()
    assert info.value.code == "invalid_api_key"
    assert_no_token(info.value, wrong)


@pytest.mark.asyncio
async def test_502_html_page(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(status=502, html=True))
    with pytest.raises(InternalServerError) as info:
        await client.models.list()
    error = info.value
    assert error.is_html and not error.has_server_message and error.status_code == 502
    assert "<" not in error.message and len(error.message) < 300 and "502" in error.message


@pytest.mark.asyncio
async def test_520_empty_body(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(status=520, empty_body=True))
    with pytest.raises(InternalServerError) as info:
        await client.models.list()
    assert info.value.is_html and info.value.status_code == 520 and info.value.body is None
    assert "520" in info.value.message


@pytest.mark.asyncio
async def test_plain_text_error(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(status=503, text="upstream connect error or disconnect/reset before headers"))
    with pytest.raises(InternalServerError) as info:
        await client.models.list()
    assert info.value.is_html and "upstream connect error" in info.value.message


@pytest.mark.asyncio
async def test_200_with_error_body_plain_call(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=7))
    with pytest.raises(APIStatusError) as info:
        await client.chat.create([{"role": "user", "content": "x"}], model="m")
    assert info.value.status_code == 200 and "overloaded" in info.value.message
    assert info.value.code == "upstream_overloaded"
    loopback.inject("/embeddings", Fault(quirk=7, variant="html"))
    with pytest.raises(APIStatusError) as info:
        await client.embeddings.create("x", model="m")
    assert info.value.is_html and "base URL" in info.value.message


@pytest.mark.asyncio
async def test_404_models_html_and_wrong_base_url(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(quirk=10, variant="html"))
    with pytest.raises(NotFoundError) as info:
        await client.models.list()
    assert info.value.is_html
    async with Client(loopback.origin, loopback.token, max_retries=0) as no_v1:  # forgot /v1
        with pytest.raises(NotFoundError):
            await no_v1.models.list()


@pytest.mark.asyncio
async def test_refused_connection() -> None:
    port = free_port()
    async with Client(f"http://127.0.0.1:{port}/v1", "sk-refused-token-1", max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.models.list()
    assert type(info.value) is APIConnectionError
    assert (info.value.reason, info.value.host) == ("refused", "127.0.0.1")
    assert_no_token(info.value, "sk-refused-token-1")


@pytest.mark.asyncio
async def test_dns_failure() -> None:
    async with Client("http://parla-test.invalid/v1", "sk-dns-token-2", max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.chat.create([{"role": "user", "content": "x"}], model="m")
    assert (info.value.reason, info.value.host) == ("dns", "parla-test.invalid")
    assert_no_token(info.value, "sk-dns-token-2")


@pytest.mark.asyncio
async def test_tls_failure(loopback: LoopbackServer) -> None:
    url = loopback.base_url.replace("http://", "https://")
    async with Client(url, loopback.token, max_retries=0, connect_timeout=2) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.models.list()
    assert info.value.reason == "tls" and not isinstance(info.value, APITimeoutError)
    assert_no_token(info.value, loopback.token)


@pytest.mark.asyncio
async def test_connect_timeout(full_backlog: int) -> None:
    async with Client(f"http://127.0.0.1:{full_backlog}/v1", "sk-t", max_retries=0, connect_timeout=0.2) as client:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(APITimeoutError) as info:
            await client.models.list()
    assert info.value.phase == "connect" and 0.15 < loop.time() - started < 1.5


@pytest.mark.asyncio
async def test_read_timeout(loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(delay_first_byte=2))
    async with Client(loopback.base_url, loopback.token, max_retries=2, timeout=0.2) as client:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(APITimeoutError) as info:
            await client.models.list()
    assert info.value.phase == "read" and info.value.host == "127.0.0.1"
    assert loop.time() - started < 1.0  # a read timeout is not retried
    assert len(loopback.requests_to("/models")) == 1
    assert_no_token(info.value, loopback.token)


@pytest.mark.asyncio
async def test_reset_without_answer(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(reset=True))
    with pytest.raises(APIConnectionError) as info:
        await client.models.list()
    assert info.value.reason == "network"


@pytest.mark.asyncio
async def test_json_body_cut_in_half(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(cut_after_chunks=1))
    with pytest.raises(APIConnectionError) as info:
        await client.models.list()
    assert info.value.reason == "network"


@pytest.mark.asyncio
async def test_only_api_errors_escape_a_bad_url() -> None:
    for url in ("not a url", "ftp://example.invalid/v1", ""):
        async with Client(url, "sk-x", max_retries=0) as client:
            with pytest.raises(APIError):
                await client.models.list()


@pytest.mark.asyncio
@pytest.mark.parametrize("scheme", ["http", "socks5", "socks5h"])
async def test_explicit_proxy_refused(loopback: LoopbackServer, scheme: str) -> None:
    port = free_port()
    proxy = f"{scheme}://user:proxy-pass-42@127.0.0.1:{port}"
    async with Client(loopback.base_url, loopback.token, proxy=proxy, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.models.list()
    assert info.value.reason == "proxy" and info.value.host == "127.0.0.1"
    assert "proxy-pass-42" not in str(info.value)
    assert loopback.requests == []


@pytest.mark.asyncio
async def test_environment_proxy_used_only_with_trust_env(loopback: LoopbackServer, monkeypatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{free_port()}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with Client(loopback.base_url, loopback.token, trust_env=True, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.models.list()
        assert info.value.reason == "proxy"
    async with Client(loopback.base_url, loopback.token, trust_env=False, max_retries=0) as client:
        assert await client.models.list()
