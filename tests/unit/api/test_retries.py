"""Retries: which failures, how long, how many; never once a streamed byte reached the caller."""

from __future__ import annotations

import asyncio
import email.utils
import time

import pytest

from app.api.client import Client
from app.api.errors import (
    APIConnectionError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    StreamError,
)
from app.api.types import ContentDelta
from tests.loopback.server import Fault, LoopbackServer

FAST = dict(retry_base_delay=0.01, retry_max_delay=0.05)
HI = [{"role": "user", "content": "hi"}]


def elapsed_since(start: float) -> float:
    return asyncio.get_running_loop().time() - start


@pytest.mark.asyncio
async def test_5xx_then_success(loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(status=500), times=1)
    loopback.inject("/models", Fault(status=502, html=True), times=1)
    async with Client(loopback.base_url, loopback.token, max_retries=2, **FAST) as client:
        assert await client.models.list()
    assert [r.status for r in loopback.requests_to("/models")] == [500, 502, 200]


@pytest.mark.asyncio
async def test_retries_are_bounded(loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(status=503), times=-1)
    async with Client(loopback.base_url, loopback.token, max_retries=3, **FAST) as client:
        with pytest.raises(InternalServerError):
            await client.chat.create(HI, model="m")
    assert len(loopback.requests_to("/chat/completions")) == 4


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [408, 409, 429])
async def test_retried_statuses(loopback: LoopbackServer, status: int) -> None:
    loopback.inject("/models", Fault(status=status))
    async with Client(loopback.base_url, loopback.token, max_retries=1, **FAST) as client:
        await client.models.list()
    assert len(loopback.requests_to("/models")) == 2


@pytest.mark.asyncio
async def test_400_is_not_retried(loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(status=400), times=-1)
    async with Client(loopback.base_url, loopback.token, max_retries=3, **FAST) as client:
        with pytest.raises(BadRequestError):
            await client.models.list()
    assert len(loopback.requests_to("/models")) == 1


@pytest.mark.asyncio
async def test_retry_after_seconds_is_honoured(loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(status=429, headers={"Retry-After": "1"}))
    async with Client(loopback.base_url, loopback.token, max_retries=1, **FAST) as client:
        started = asyncio.get_running_loop().time()
        await client.models.list()
        assert 0.95 <= elapsed_since(started) < 1.6


@pytest.mark.asyncio
async def test_retry_after_ms_wins_over_retry_after(loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(status=429, headers={"retry-after-ms": "300", "Retry-After": "5"}))
    async with Client(loopback.base_url, loopback.token, max_retries=1, **FAST) as client:
        started = asyncio.get_running_loop().time()
        await client.models.list()
        assert 0.28 <= elapsed_since(started) < 0.9


@pytest.mark.asyncio
async def test_retry_after_http_date(loopback: LoopbackServer) -> None:
    date = email.utils.formatdate(time.time() + 2, usegmt=True)  # 1–2 s away at second resolution
    loopback.inject("/models", Fault(status=503, headers={"Retry-After": date}))
    async with Client(loopback.base_url, loopback.token, max_retries=1, **FAST) as client:
        started = asyncio.get_running_loop().time()
        await client.models.list()
        assert 0.9 <= elapsed_since(started) < 2.6


@pytest.mark.asyncio
async def test_too_long_retry_after_gives_up_at_once(loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(status=429, headers={"Retry-After": "120"}), times=-1)
    async with Client(loopback.base_url, loopback.token, max_retries=2, max_retry_after=60, **FAST) as client:
        started = asyncio.get_running_loop().time()
        with pytest.raises(RateLimitError) as info:
            await client.models.list()
        assert elapsed_since(started) < 0.5
    assert info.value.retry_after == 120
    assert len(loopback.requests_to("/models")) == 1


@pytest.mark.asyncio
async def test_exhausted_rate_limit_keeps_retry_after(loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(status=429, headers={"retry-after-ms": "20"}), times=-1)
    async with Client(loopback.base_url, loopback.token, max_retries=1, **FAST) as client:
        with pytest.raises(RateLimitError) as info:
            await client.models.list()
    assert info.value.retry_after == pytest.approx(0.02)
    assert len(loopback.requests_to("/models")) == 2


@pytest.mark.asyncio
async def test_insufficient_quota_is_not_retried(loopback: LoopbackServer) -> None:
    error = {"message": "You exceeded your current quota.", "type": "insufficient_quota", "code": "insufficient_quota"}
    loopback.inject("/models", Fault(status=429, error=error), times=-1)
    async with Client(loopback.base_url, loopback.token, max_retries=2, **FAST) as client:
        with pytest.raises(RateLimitError):
            await client.models.list()
    assert len(loopback.requests_to("/models")) == 1


@pytest.mark.asyncio
async def test_dropped_connection_before_answer_is_retried(loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(reset=True))
    async with Client(loopback.base_url, loopback.token, max_retries=1, **FAST) as client:
        assert await client.models.list()
    assert len(loopback.requests_to("/models")) == 2


@pytest.mark.asyncio
async def test_refused_connection_is_retried_with_backoff() -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    async with Client(f"http://127.0.0.1:{port}/v1", None, max_retries=2, retry_base_delay=0.1,
                      retry_max_delay=1) as client:
        started = asyncio.get_running_loop().time()
        with pytest.raises(APIConnectionError):
            await client.models.list()
        # 0.1 + 0.2 s of backoff, each up to 25 % shorter.
        assert 0.2 <= elapsed_since(started) < 1.0


@pytest.mark.asyncio
async def test_stream_open_is_retried_before_any_byte(loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(status=500))
    async with Client(loopback.base_url, loopback.token, max_retries=1, **FAST) as client:
        result = await client.chat.stream(HI, model="m").final()
    assert result.content == "Echo: hi"
    assert len(loopback.requests_to("/chat/completions")) == 2


@pytest.mark.asyncio
async def test_no_retry_after_the_first_streamed_byte(loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(cut_after_chunks=3))
    async with Client(loopback.base_url, loopback.token, max_retries=3, **FAST) as client:
        received = []
        with pytest.raises(StreamError) as info:
            async with client.chat.stream([{"role": "user", "content": "hello world"}], model="m") as stream:
                async for event in stream:
                    if isinstance(event, ContentDelta):
                        received.append(event.text)
    # role event + two pieces, then the cut
    assert info.value.kind == "network" and info.value.partial == "".join(received) == "Echo: he"
    assert info.value.result.content == "Echo: he"
    await asyncio.sleep(0.05)
    assert len(loopback.requests_to("/chat/completions")) == 1


@pytest.mark.asyncio
async def test_no_retry_after_audio_started(loopback: LoopbackServer) -> None:
    loopback.inject("/audio/speech", Fault(cut_after_chunks=2))
    async with Client(loopback.base_url, loopback.token, max_retries=3, **FAST) as client:
        chunks = []
        with pytest.raises(StreamError) as info:
            async with client.audio.speech("a longer sentence", model="tts-1", voice="alloy",
                                           response_format="pcm") as speech:
                async for chunk in speech:
                    chunks.append(chunk)
    assert chunks and info.value.kind == "network"
    assert len(loopback.requests_to("/audio/speech")) == 1


@pytest.mark.asyncio
async def test_x_should_retry_header_is_obeyed(loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(status=400, headers={"x-should-retry": "true"}))
    loopback.inject("/embeddings", Fault(status=500, headers={"x-should-retry": "false"}))
    async with Client(loopback.base_url, loopback.token, max_retries=2, **FAST) as client:
        assert await client.models.list()
        with pytest.raises(InternalServerError):
            await client.embeddings.create("x", model="m")
    assert len(loopback.requests_to("/models")) == 2 and len(loopback.requests_to("/embeddings")) == 1
