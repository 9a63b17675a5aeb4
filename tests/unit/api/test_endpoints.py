"""Every endpoint's happy path against the real loopback server, as the server received it."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import numpy as np
import pytest
import pytest_asyncio
import soundfile

from app import __version__
from app.api.client import Client
from app.api.errors import APIError, AuthenticationError
from app.api.types import (
    ContentDelta,
    Finished,
    GeneratedImage,
    ToolCallDelta,
    UsageUpdate,
)
from tests.loopback.server import LoopbackServer

PNG_TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Weather",
     "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}}}},
    {"type": "function", "function": {"name": "get_time",
     "parameters": {"type": "object", "properties": {"utc": {"type": "boolean"}}}}},
]


@pytest_asyncio.fixture
async def client(loopback: LoopbackServer) -> AsyncIterator[Client]:
    async with Client(loopback.base_url + "/", loopback.token, max_retries=0) as client:
        yield client


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def png(width: int = 32, height: int = 32, color: tuple[int, int, int, int] = (255, 0, 0, 255)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


# ---- models -------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_models_list_and_retrieve(client: Client, loopback: LoopbackServer) -> None:
    models = await client.models.list()
    assert [m.id for m in models] == list(loopback.models)
    assert models[0].created == 1_700_000_000 and models[0].owned_by
    request = loopback.last("/models")
    assert request.path == "/v1/models"  # the trailing slash of the base URL did not double
    assert request.headers["authorization"] == f"Bearer {loopback.token}"
    assert request.headers["user-agent"] == f"Parla/{__version__}"
    model = await client.models.retrieve(models[0].id)
    assert model == models[0]


@pytest.mark.asyncio
async def test_no_token_sends_no_authorization_header(loopback: LoopbackServer) -> None:
    async with Client(loopback.base_url, None, max_retries=0) as client:
        with pytest.raises(AuthenticationError):
            await client.models.list()
        assert "authorization" not in loopback.last().headers
        loopback.require_token = False
        assert await client.models.list()
        assert "authorization" not in loopback.last().headers


# ---- chat ---------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_chat_create(client: Client, loopback: LoopbackServer) -> None:
    result = await client.chat.create(user("hello"), model="gpt-4o-mini", temperature=0.5, seed=None)
    assert result.content == "Echo: hello"
    assert result.finish_reason == "stop" and result.usage and result.usage.total_tokens
    assert result.id and result.model == "gpt-4o-mini" and result.raw
    body = loopback.last("/chat/completions").json
    assert body == {"model": "gpt-4o-mini", "messages": user("hello"), "temperature": 0.5}  # None not sent


@pytest.mark.asyncio
async def test_chat_stream_events_and_result(client: Client, loopback: LoopbackServer) -> None:
    events = []
    async with client.chat.stream(user("stream me"), model="gpt-4o-mini") as stream:
        async for event in stream:
            events.append(event)
    text = "".join(e.text for e in events if isinstance(e, ContentDelta))
    assert text == "Echo: stream me"
    assert [e.text for e in events if isinstance(e, ContentDelta)] == loopback.chunk_pieces("Echo: stream me")
    assert [e for e in events if isinstance(e, Finished)] == [Finished("stop")]
    assert isinstance(events[-1], UsageUpdate)  # include_usage: the last chunk
    result = stream.result
    assert result.content == text and result.usage == events[-1].usage and result.finish_reason == "stop"
    body = loopback.last("/chat/completions").json
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert loopback.last().headers["accept"] == "text/event-stream"


@pytest.mark.asyncio
async def test_chat_stream_without_context_manager_and_final(client: Client) -> None:
    texts = [e.text async for e in client.chat.stream(user("x"), model="m", include_usage=False)
             if isinstance(e, ContentDelta)]
    assert "".join(texts) == "Echo: x"
    result = await client.chat.stream(user("y"), model="m").final()
    assert result.content == "Echo: y"


@pytest.mark.asyncio
async def test_chat_tool_calls_plain_and_streamed(client: Client, loopback: LoopbackServer) -> None:
    plain = await client.chat.create(user("please use all tools"), model="m", tools=PNG_TOOLS)
    assert plain.finish_reason == "tool_calls"
    assert [(c.id, c.name, c.parsed_arguments()) for c in plain.tool_calls] == [
        ("call_loopback_0", "get_weather", {"city": "please use all tools", "days": 42}),
        ("call_loopback_1", "get_time", {"utc": True}),
    ]
    async with client.chat.stream(user("please use all tools"), model="m", tools=PNG_TOOLS) as stream:
        deltas = [e async for e in stream if isinstance(e, ToolCallDelta)]
    assert len(deltas) > 4  # arguments arrived in pieces
    assert stream.result.tool_calls == plain.tool_calls
    message = stream.result.to_message()
    assert message["tool_calls"][1]["function"]["name"] == "get_time"
    # The tool loop: send the results back.
    history = [*user("please use all tools"), message] + [
        {"role": "tool", "tool_call_id": c.id, "content": f"r{i}"} for i, c in enumerate(plain.tool_calls)
    ]
    follow_up = await client.chat.create(history, model="m", tools=PNG_TOOLS)
    assert follow_up.content == "Result: r0; r1"


@pytest.mark.asyncio
async def test_chat_image_input_parts(client: Client) -> None:
    content = [{"type": "text", "text": "what?"},
               {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"}}]
    result = await client.chat.create([{"role": "user", "content": content}], model="gpt-4o")
    assert result.content == "Echo: what? [images: 1]"


@pytest.mark.asyncio
async def test_chat_n_choices(client: Client) -> None:
    async with client.chat.stream(user("two"), model="m", n=2) as stream:
        result = await stream.final()
    assert [c.content for c in result.choices] == ["Echo: two", "Echo: two"]
    assert all(c.finish_reason == "stop" for c in result.choices)


# ---- completions --------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_completions(client: Client, loopback: LoopbackServer) -> None:
    result = await client.completions.create("Once", model="gpt-3.5-turbo-instruct", max_tokens=2)
    assert result.text == "Echo: Once"[:8] and result.finish_reason == "length"
    assert loopback.last().json == {"model": "gpt-3.5-turbo-instruct", "prompt": "Once", "max_tokens": 2}
    async with client.completions.stream("Twice", model="gpt-3.5-turbo-instruct") as stream:
        pieces = [e.text async for e in stream if isinstance(e, ContentDelta)]
    assert pieces == loopback.chunk_pieces("Echo: Twice")
    assert stream.result.text == "Echo: Twice" and stream.result.usage is not None
    assert stream.result.finish_reason == "stop"


# ---- embeddings ---------------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("encoding", ["float", "base64"])
async def test_embeddings(client: Client, loopback: LoopbackServer, encoding: str) -> None:
    result = await client.embeddings.create(["a", "bb"], model="text-embedding-3-small", dimensions=8,
                                            encoding_format=encoding)  # type: ignore[arg-type]
    assert [list(vector) for vector in result.vectors] == [loopback.embedding("a", 8), loopback.embedding("bb", 8)]
    assert all(isinstance(x, float) for x in result.vectors[0])
    assert result.usage and result.usage.prompt_tokens
    assert loopback.last().json["encoding_format"] == encoding
    single = await client.embeddings.create("a", model="other")
    assert len(single.vectors) == 1 and len(single.vectors[0]) == 16


# ---- images -------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_images_generate_url_and_download_without_token(client: Client, loopback: LoopbackServer) -> None:
    result = await client.images.generate("a cat", model="dall-e-3", size="1024x1024", quality="hd")
    (image,) = result.images
    assert image.url and image.url.startswith(loopback.origin + "/files/")
    assert image.revised_prompt == "A loopback rendering of: a cat"
    assert loopback.last().json == {"prompt": "a cat", "model": "dall-e-3", "size": "1024x1024", "quality": "hd"}
    data = await client.images.download(image)
    assert data.startswith(b"\x89PNG")
    assert loopback.last().path.startswith("/files/") and loopback.last().token is None
    with pytest.raises(APIError, match="larger"):
        await client.images.download(image.url, max_bytes=100)


@pytest.mark.asyncio
async def test_images_generate_b64(client: Client) -> None:
    result = await client.images.generate("dog", model="gpt-image-1", n=2, output_format="webp")
    assert len(result.images) == 2 and all(i.b64_json for i in result.images)
    assert (await client.images.download(result.images[0]))[8:12] == b"WEBP"
    assert result.usage and result.usage.total_tokens
    data_url = "data:image/png;base64," + GeneratedImage(b64_json=result.images[0].b64_json).b64_json  # type: ignore[operator]
    assert await client.images.download(data_url) == result.images[0].data()


@pytest.mark.asyncio
async def test_images_edit_single_with_mask(client: Client, loopback: LoopbackServer) -> None:
    image, mask = png(32, 32), png(32, 32, (0, 0, 0, 0))
    result = await client.images.edit(("photo.png", image), "add a hat", mask=mask, n=2,
                                      response_format="b64_json")
    assert len(result.images) == 2 and result.images[0].data()
    request = loopback.last("/images/edits")
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert [(f.filename, f.data) for f in request.files["image"]] == [("photo.png", image)]
    assert request.files["image"][0].content_type == "image/png"
    assert request.files["mask"][0].data == mask and request.files["mask"][0].filename == "mask.png"
    assert request.form == {"prompt": ["add a hat"], "n": ["2"], "response_format": ["b64_json"]}


@pytest.mark.asyncio
async def test_images_edit_several_images(client: Client, loopback: LoopbackServer, tmp_path) -> None:
    first, second = png(16, 16), png(16, 16, (0, 255, 0, 255))
    path = tmp_path / "second.png"
    path.write_bytes(second)
    await client.images.edit([first, path], "merge", model="gpt-image-1")
    request = loopback.last("/images/edits")
    assert "image" not in request.files
    assert [f.data for f in request.files["image[]"]] == [first, second]
    assert request.files["image[]"][1].filename == "second.png"


@pytest.mark.asyncio
async def test_images_variation(client: Client, loopback: LoopbackServer) -> None:
    result = await client.images.variation(png(64, 64), n=1, size="256x256")
    assert result.images[0].url
    request = loopback.last("/images/variations")
    assert request.files["image"][0].filename == "image.png" and request.form["size"] == ["256x256"]


# ---- audio --------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_speech_streams_chunks(client: Client, loopback: LoopbackServer) -> None:
    chunks = []
    async with client.audio.speech("Hello there", model="tts-1", voice="alloy", response_format="pcm",
                                   speed=1.0) as speech:
        async for chunk in speech:
            chunks.append(chunk)
    assert len(chunks) >= 4  # played as it arrived, not in one piece at the end
    assert b"".join(chunks) == loopback.speech("Hello there", 1.0, "pcm")
    assert speech.content_type.startswith("audio/") and speech.bytes_received == len(b"".join(chunks))
    assert loopback.last().json == {"model": "tts-1", "input": "Hello there", "voice": "alloy",
                                    "response_format": "pcm", "speed": 1.0}


@pytest.mark.asyncio
async def test_speech_read(client: Client, loopback: LoopbackServer) -> None:
    data = await client.audio.speech("Hi", model="tts-1", voice="nova", response_format="wav").read()
    assert data == loopback.speech("Hi", 1.0, "wav")


def wav_bytes() -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, np.zeros(1600, dtype="float32"), 16000, format="WAV")
    return buffer.getvalue()


@pytest.mark.asyncio
async def test_transcribe_formats(client: Client, loopback: LoopbackServer, tmp_path) -> None:
    path = tmp_path / "clip.wav"
    path.write_bytes(wav_bytes())
    size = len(wav_bytes())
    plain = await client.audio.transcribe(path, model="whisper-1")
    assert plain.text == f"Loopback heard clip.wav. It was {size} bytes long."
    request = loopback.last("/audio/transcriptions")
    assert request.files["file"][0].filename == "clip.wav" and request.files["file"][0].content_type == "audio/x-wav"
    assert request.form == {"model": ["whisper-1"], "response_format": ["json"]}

    text = await client.audio.transcribe(wav_bytes(), model="whisper-1", response_format="text", language="en",
                                         prompt="p", temperature=0.2)
    assert text.text == plain.text.replace("clip.wav", "audio.wav") and text.format == "text"
    assert loopback.last().form["temperature"] == ["0.2"] and loopback.last().form["language"] == ["en"]

    srt = await client.audio.transcribe(("a.wav", wav_bytes()), model="whisper-1", response_format="srt")
    assert srt.text.startswith("1\n00:00:00,000 --> ")
    vtt = await client.audio.transcribe(("a.wav", wav_bytes()), model="whisper-1", response_format="vtt")
    assert vtt.text.startswith("WEBVTT")

    verbose = await client.audio.transcribe(("a.wav", wav_bytes()), model="whisper-1",
                                            response_format="verbose_json", language="fr",
                                            timestamp_granularities=["word", "segment"])
    assert verbose.language == "french" and verbose.duration == pytest.approx(0.1)
    assert len(verbose.segments) == 2 and verbose.segments[1].text.strip().startswith("It was")
    assert verbose.words and verbose.words[0].word == "Loopback"
    assert loopback.last().form["timestamp_granularities[]"] == ["word", "segment"]


@pytest.mark.asyncio
async def test_translate(client: Client, loopback: LoopbackServer) -> None:
    result = await client.audio.translate(("hallo.flac", b"fLaC" + b"\0" * 40), model="whisper-1",
                                          response_format="verbose_json")
    assert result.text.startswith("Loopback translated hallo.flac") and result.language == "english"
    assert loopback.last().path == "/v1/audio/translations"
    assert loopback.last().files["file"][0].content_type == "audio/flac"
