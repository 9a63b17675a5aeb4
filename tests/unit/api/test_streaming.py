"""Streams against the loopback server: the twelve quirks, broken streams, and Stop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from app.api.chat import markdown_images
from app.api.client import Client
from app.api.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
    NotFoundError,
    StreamError,
)
from app.api.types import ContentDelta, Finished, ImageDelta, ReasoningDelta, ToolCallDelta, UsageUpdate
from tests.loopback.server import Fault, LoopbackServer

TEXT = "hello streaming world"
EXPECTED = "Echo: " + TEXT
CJK = " 你好，世界🌏"


@pytest_asyncio.fixture
async def client(loopback: LoopbackServer) -> AsyncIterator[Client]:
    async with Client(loopback.base_url, loopback.token, max_retries=0) as client:
        yield client


def user(text: str = TEXT) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


async def collect(client: Client, messages: list | None = None, **kw: object) -> tuple[list, object]:
    events = []
    async with client.chat.stream(messages or user(), model="m", **kw) as stream:  # type: ignore[arg-type]
        async for event in stream:
            events.append(event)
    return events, stream.result


def text_of(events: list) -> str:
    return "".join(e.text for e in events if isinstance(e, ContentDelta))


# ---- quirks 1–4: framing ---------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("quirk", [1, 2, 3])
async def test_framing_quirks(client: Client, loopback: LoopbackServer, quirk: int) -> None:
    loopback.inject("/chat/completions", Fault(quirk=quirk))
    events, result = await collect(client)
    assert text_of(events) == EXPECTED == result.content  # type: ignore[attr-defined]
    assert result.finish_reason == "stop" and result.usage is not None  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_quirk2_keepalives_are_counted(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=2))
    async with client.chat.stream(user(), model="m") as stream:
        await stream.final()
    assert stream.keepalives >= 2


@pytest.mark.asyncio
async def test_quirk3_completions_without_done(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/completions", Fault(quirk=3))
    async with client.completions.stream("x", model="m") as stream:
        result = await stream.final()
    assert result.text == "Echo: x" and result.finish_reason == "stop"


@pytest.mark.asyncio
async def test_quirk4_azure_shapes(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=4))
    events, result = await collect(client, include_usage=False)
    assert text_of(events) == EXPECTED
    assert [e for e in events if isinstance(e, Finished)] == [Finished("stop")]  # "" was not a finish
    usages = [e.usage for e in events if isinstance(e, UsageUpdate)]
    assert len(usages) > 2 and result.usage == usages[-1]  # type: ignore[attr-defined]
    assert result.usage.completion_tokens == result.usage.total_tokens - result.usage.prompt_tokens  # type: ignore[attr-defined]


# ---- quirk 5: reasoning ----------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("variant", [None, "reasoning", "think"])
async def test_quirk5_reasoning_streamed(client: Client, loopback: LoopbackServer, variant: str | None) -> None:
    loopback.inject("/chat/completions", Fault(quirk=5, variant=variant))
    events, result = await collect(client)
    reasoning = "".join(e.text for e in events if isinstance(e, ReasoningDelta))
    assert reasoning == "Thinking about: " + TEXT == result.reasoning  # type: ignore[attr-defined]
    assert text_of(events) == EXPECTED == result.content  # type: ignore[attr-defined]
    first_content = next(i for i, e in enumerate(events) if isinstance(e, ContentDelta))
    assert all(not isinstance(e, ReasoningDelta) for e in events[first_content:])
    assert "<think>" not in text_of(events) and "think>" not in reasoning


@pytest.mark.asyncio
@pytest.mark.parametrize("variant", [None, "think"])
async def test_quirk5_reasoning_plain(client: Client, loopback: LoopbackServer, variant: str | None) -> None:
    loopback.inject("/chat/completions", Fault(quirk=5, variant=variant))
    result = await client.chat.create(user(), model="m")
    assert result.reasoning == "Thinking about: " + TEXT and result.content == EXPECTED


# ---- quirk 6 and other broken streams ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_quirk6_error_mid_stream_keeps_the_text(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=6))
    received: list[str] = []
    with pytest.raises(StreamError) as info:
        async with client.chat.stream(user(), model="m") as stream:
            async for event in stream:
                if isinstance(event, ContentDelta):
                    received.append(event.text)
    error = info.value
    assert error.kind == "server" and error.partial == "".join(received) == "Echo: he"
    assert "upstream model stopped responding" in error.message
    assert (error.error_type, error.code) == ("server_error", "upstream_error")
    assert error.result.content == "Echo: he"


@pytest.mark.asyncio
async def test_error_as_first_event_is_a_status_error(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(mid_stream_error={"message": "No such model", "code": 404},
                                               after_chunks=0))
    with pytest.raises(NotFoundError) as info:
        await collect(client)
    assert info.value.message == "No such model" and info.value.status_code == 200


@pytest.mark.asyncio
async def test_malformed_chunk(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(malformed_chunk=True))
    with pytest.raises(StreamError) as info:
        await collect(client)
    assert info.value.kind == "malformed" and info.value.partial == "Echo: he"


@pytest.mark.asyncio
@pytest.mark.parametrize("mid_line", [False, True])
async def test_cut_before_finish(client: Client, loopback: LoopbackServer, mid_line: bool) -> None:
    loopback.inject("/chat/completions", Fault(cut_after_chunks=4, cut_mid_line=mid_line))
    with pytest.raises(StreamError) as info:
        await collect(client)
    assert info.value.kind == "network" and info.value.partial == "Echo: hello "  # role + 3 pieces


@pytest.mark.asyncio
async def test_cut_right_after_headers_is_a_connection_error(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(cut_after_chunks=0))
    with pytest.raises(APIConnectionError) as info:
        await collect(client)
    assert info.value.reason == "network" and not isinstance(info.value, StreamError)


@pytest.mark.asyncio
async def test_read_timeout_mid_stream(loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(delay_between_chunks=1.0))
    async with Client(loopback.base_url, loopback.token, max_retries=0, timeout=0.3) as client:
        with pytest.raises((StreamError, APITimeoutError)) as info:
            await collect(client)
    # The role event arrives at once; the first text piece does not (nothing handed yet → timeout).
    assert isinstance(info.value, APITimeoutError) and info.value.phase == "read"


@pytest.mark.asyncio
async def test_read_timeout_after_text_is_a_stream_error() -> None:
    """The loopback's chunk delays are uniform; this needs text first, then silence: a raw server."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
                     b'data: {"choices":[{"index":0,"delta":{"content":"Half an"}}]}\n\n')
        await writer.drain()
        await done.wait()
        writer.close()

    done = asyncio.Event()
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with Client(f"http://127.0.0.1:{port}/v1", "sk-x", max_retries=0, timeout=0.2) as client:
            with pytest.raises(StreamError) as info:
                await collect(client)
    finally:
        done.set()
        server.close()
        await server.wait_closed()
    assert info.value.kind == "timeout" and info.value.partial == "Half an"


# ---- quirk 7: not a stream ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_quirk7_json_error_instead_of_stream(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=7))
    with pytest.raises(APIStatusError) as info:
        async with client.chat.stream(user(), model="m") as stream:
            async for _ in stream:
                pass
    assert info.value.status_code == 200 and "overloaded" in info.value.message and not info.value.is_html


@pytest.mark.asyncio
async def test_quirk7_html_instead_of_stream(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=7, variant="html"))
    with pytest.raises(APIStatusError) as info:
        await collect(client)
    assert info.value.is_html and "<" not in info.value.message


@pytest.mark.asyncio
async def test_html_error_status_on_stream(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(status=524, html=True))
    with pytest.raises(InternalServerError) as info:
        await collect(client)
    assert info.value.status_code == 524 and info.value.is_html


@pytest.mark.asyncio
async def test_200_empty_body_on_stream(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(status=200, empty_body=True))
    with pytest.raises(APIStatusError) as info:
        await collect(client)
    assert info.value.status_code == 200 and info.value.is_html


# ---- quirk 8: stream_options ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_quirk8_stream_options_rejected_once_then_remembered(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=8))
    events, result = await collect(client)
    assert result.content == EXPECTED  # type: ignore[attr-defined]
    bodies = [r.json for r in loopback.requests_to("/chat/completions")]
    assert [("stream_options" in b) for b in bodies] == [True, False]
    await collect(client)
    async with client.completions.stream("x", model="m") as stream:
        await stream.final()
    assert "stream_options" not in loopback.requests_to("/chat/completions")[-1].json
    assert "stream_options" not in loopback.last("/completions").json


@pytest.mark.asyncio
async def test_quirk8_server_wide(client: Client, loopback: LoopbackServer) -> None:
    loopback.reject_stream_options = True
    async with client.completions.stream("x", model="m") as stream:
        assert (await stream.final()).text == "Echo: x"
    assert len(loopback.requests_to("/completions")) == 2


# ---- quirk 9: images ---------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_quirk9_images_streamed_and_plain(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=9))
    events, result = await collect(client)
    images = [e.image for e in events if isinstance(e, ImageDelta)]
    assert len(images) == 1 and images[0].url.startswith("data:image/png;base64,")
    assert result.images == images  # type: ignore[attr-defined]
    links = markdown_images(result.content)  # type: ignore[attr-defined]
    assert [url.split(":")[0] for _, url in links] == ["http", "data"]
    assert (await client.images.download(links[0][1])).startswith(b"\x89PNG")
    assert (await client.images.download(links[1][1])).startswith(b"\x89PNG")
    assert (await client.images.download(images[0].url)).startswith(b"\x89PNG")

    loopback.inject("/chat/completions", Fault(quirk=9, variant="images"))
    plain = await client.chat.create(user(), model="m")
    assert plain.images and plain.images[0].url.startswith("data:image/png")


# ---- quirk 10: models --------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_quirk10_models_missing_and_ghost(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(quirk=10))
    with pytest.raises(NotFoundError):
        await client.models.list()
    loopback.inject("/models", Fault(quirk=10, variant="ghost"))
    ids = [m.id for m in await client.models.list()]
    assert "ghost-model" in ids
    with pytest.raises(NotFoundError) as info:
        await client.chat.create(user(), model="ghost-model")
    assert info.value.code == "model_not_found"


# ---- quirk 11: split bytes, split tool calls ---------------------------------------------------------------


@pytest.mark.asyncio
async def test_quirk11_split_utf8_and_lines(client: Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=11))
    events, result = await collect(client)
    assert text_of(events) == EXPECTED + CJK and "\ufffd" not in text_of(events)
    loopback.inject("/chat/completions", Fault(quirk=11))
    plain = await client.chat.create(user(), model="m")
    assert plain.content == EXPECTED + CJK


@pytest.mark.asyncio
async def test_quirk11_tool_call_without_index(client: Client, loopback: LoopbackServer) -> None:
    tools = [{"type": "function", "function": {"name": "lookup",
              "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}]
    loopback.inject("/chat/completions", Fault(quirk=11))
    events, result = await collect(client, user("use tool"), tools=tools)
    assert all(e.index == 0 for e in events if isinstance(e, ToolCallDelta))
    (call,) = result.tool_calls  # type: ignore[attr-defined]
    assert call.parsed_arguments() == {"q": "use tool" + CJK} and call.id == "call_loopback_0"


# ---- quirk 12: slow first byte, and Stop -------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("variant", [None, "headers", "keepalive"])
async def test_quirk12_slow_first_byte_then_answer(client: Client, loopback: LoopbackServer, variant: str | None) -> None:
    loopback.quirk12_ping_interval = 0.05
    loopback.inject("/chat/completions", Fault(quirk=12, variant=variant, delay_first_byte=0.3))
    async with client.chat.stream(user(), model="m") as stream:
        result = await stream.final()
    assert result.content == EXPECTED
    if variant == "keepalive":
        assert stream.keepalives >= 2


async def cancel_and_measure(task: asyncio.Task, loopback: LoopbackServer) -> float:
    """Cancel ``task``; seconds until the server saw its connection go away."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    task.cancel()
    assert await loopback.wait_disconnect_async(timeout=2.0, path_suffix="/chat/completions")
    elapsed = loop.time() - started
    with pytest.raises(asyncio.CancelledError):
        await task
    return elapsed


@pytest.mark.asyncio
@pytest.mark.parametrize("variant", [None, "headers", "keepalive"])
async def test_stop_while_waiting_for_first_byte(client: Client, loopback: LoopbackServer, variant: str | None) -> None:
    loopback.inject("/chat/completions", Fault(quirk=12, variant=variant, delay_first_byte=10))

    async def consume() -> None:
        async with client.chat.stream(user(), model="m") as stream:
            async for _ in stream:
                pass

    task = asyncio.create_task(consume())
    await loopback.wait_request_async("/chat/completions")
    await asyncio.sleep(0.1)
    assert await cancel_and_measure(task, loopback) < 0.1


@pytest.mark.asyncio
async def test_stop_mid_stream_closes_the_connection_within_100ms(client: Client, loopback: LoopbackServer) -> None:
    loopback.stream_delay = 0.05
    started = asyncio.Event()
    received: list[str] = []

    async def consume() -> None:
        async with client.chat.stream(user("x" * 200), model="m") as stream:
            async for event in stream:
                if isinstance(event, ContentDelta):
                    received.append(event.text)
                    started.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(started.wait(), 2)
    assert await cancel_and_measure(task, loopback) < 0.1
    assert 0 < len(received) < 20


@pytest.mark.asyncio
async def test_stop_speech_mid_stream(client: Client, loopback: LoopbackServer) -> None:
    loopback.speech_chunk_bytes = 1000
    loopback.speech_chunk_delay = 0.05
    first = asyncio.Event()

    async def play() -> None:
        async with client.audio.speech("a long sentence to say", model="tts-1", voice="alloy",
                                       response_format="pcm") as speech:
            async for _ in speech:
                first.set()

    task = asyncio.create_task(play())
    await asyncio.wait_for(first.wait(), 2)
    loop = asyncio.get_running_loop()
    begin = loop.time()
    task.cancel()
    assert await loopback.wait_disconnect_async(timeout=2.0, path_suffix="/audio/speech")
    assert loop.time() - begin < 0.1
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.asyncio
async def test_break_out_of_the_stream_closes_it(client: Client, loopback: LoopbackServer) -> None:
    loopback.stream_delay = 0.05
    async with client.chat.stream(user("y" * 200), model="m") as stream:
        async for event in stream:
            if isinstance(event, ContentDelta):
                break
    assert await loopback.wait_disconnect_async(timeout=0.2, path_suffix="/chat/completions")
    assert await loopback.wait_connections_async(0, timeout=0.5)


@pytest.mark.asyncio
async def test_connection_is_reused_after_complete_stream(client: Client, loopback: LoopbackServer) -> None:
    await collect(client)
    await asyncio.sleep(0.02)
    assert loopback.open_connections == 1  # the body's end was read: the connection went back to the pool
    await collect(client)
    await client.models.list()
    await asyncio.sleep(0.02)
    assert loopback.open_connections == 1  # …and was used again (a new one would make it 2)


@pytest.mark.asyncio
async def test_stream_errors_never_carry_the_token(client: Client, loopback: LoopbackServer) -> None:
    from tests.unit.api.test_errors import assert_no_token

    loopback.inject("/chat/completions", Fault(mid_stream_error={"message": f"key {loopback.token} revoked"}))
    with pytest.raises(StreamError) as info:
        await collect(client)
    assert "***" in info.value.message
    assert_no_token(info.value, loopback.token)
    loopback.inject("/chat/completions", Fault(cut_after_chunks=3))
    with pytest.raises(StreamError) as info:
        await collect(client)
    assert_no_token(info.value, loopback.token)
