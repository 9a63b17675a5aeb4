"""Self-tests of the loopback server: every endpoint and every fault, seen from a plain httpx client.

The app's tests trust this server to misbehave exactly as documented; these tests are what makes that
trust deserved. They talk over the real socket with httpx (sync, plus asyncio where cancellation is
the point) and parse the bytes themselves rather than reusing any app code.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import io
import itertools
import json
import socket
import struct
import threading
import time
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import soundfile
from PIL import Image

from tests.loopback.server import (
    CJK_SUFFIX,
    SPEECH_CONTENT_TYPES,
    Fault,
    LoopbackServer,
    color_for,
)

AUTH = {"Authorization": "Bearer sk-loopback-test"}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer"},
            },
            "required": ["city"],
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}},
}


# ---------------------------------------------------------------------------- helpers


@pytest.fixture
def client(loopback: LoopbackServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=loopback.base_url, headers=AUTH, timeout=5) as c:
        yield c


def chat_body(text: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}], **extra}


def parse_sse(raw: bytes) -> list[dict[str, Any]]:
    """A strict reading of the SSE spec: events with data/event/id, plus comments and retry."""
    text = raw.decode("utf-8")
    events: list[dict[str, Any]] = []
    fields: dict[str, Any] = {"data": [], "comments": []}
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line == "":
            if fields["data"] or fields["comments"] or len(fields) > 2:
                fields["data"] = "\n".join(fields["data"]) if fields["data"] else None
                events.append(fields)
            fields = {"data": [], "comments": []}
            continue
        if line.startswith(":"):
            fields["comments"].append(line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data":
            fields["data"].append(value)
        else:
            fields[name] = value
    assert fields == {"data": [], "comments": []}, f"unterminated event at the end: {fields}"
    return events


def data_events(raw: bytes) -> list[str]:
    return [e["data"] for e in parse_sse(raw) if e["data"] is not None]


def chunks(raw: bytes) -> list[dict[str, Any]]:
    """The JSON chunks of a stream (excluding [DONE])."""
    return [json.loads(d) for d in data_events(raw) if d != "[DONE]"]


def stream_text(raw: bytes) -> str:
    return "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks(raw) if c.get("choices"))


def stream_raw(
    client: httpx.Client, path: str, body: dict[str, Any]
) -> tuple[httpx.Response, bytes, list[bytes]]:
    with client.stream("POST", path, json=body) as response:
        pieces = list(response.iter_raw())
    return response, b"".join(pieces), pieces


def read_until_broken(client: httpx.Client, path: str, body: dict[str, Any]) -> tuple[bytes, Exception]:
    """Read a stream the server cuts; return what arrived and the client's error."""
    received = b""
    with pytest.raises(httpx.HTTPError) as info, client.stream("POST", path, json=body) as response:
        for piece in response.iter_raw():
            received += piece
    return received, info.value


# ---------------------------------------------------------------------------- lifecycle


def test_start_is_fast_and_stop_is_clean() -> None:
    before = set(threading.enumerate())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        started = time.perf_counter()
        server = LoopbackServer().start()
        assert time.perf_counter() - started < 0.1
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
        assert httpx.get(server.url("/models"), headers=AUTH).status_code == 200
        server.stop()
        server.stop()  # idempotent
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, (ResourceWarning, RuntimeWarning))]
    assert set(threading.enumerate()) <= before
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url("/models"), headers=AUTH)


def test_context_manager_and_stop_cancels_a_hanging_answer() -> None:
    with LoopbackServer() as server:
        server.inject("/chat/completions", Fault(delay_first_byte=30))
        errors: list[Exception] = []

        def call() -> None:
            try:
                httpx.post(server.url("/chat/completions"), json=chat_body(), headers=AUTH, timeout=10)
            except httpx.HTTPError as exc:
                errors.append(exc)

        worker = threading.Thread(target=call)
        worker.start()
        rec = server.wait_request("/chat/completions")
        started = time.perf_counter()
    assert time.perf_counter() - started < 1.0
    worker.join(5)
    assert errors and isinstance(errors[0], httpx.RemoteProtocolError)
    assert rec.completed.is_set() and not rec.disconnected.is_set()


def test_fixture_gives_a_started_server(loopback: LoopbackServer) -> None:
    assert loopback.running and loopback.token == "sk-loopback-test"
    assert loopback.base_url.startswith("http://127.0.0.1:") and loopback.base_url.endswith("/v1")


# ---------------------------------------------------------------------------- auth


def test_auth_missing_wrong_and_disabled(loopback: LoopbackServer) -> None:
    url = loopback.url("/models")
    missing = httpx.get(url)
    assert missing.status_code == 401 and missing.json()["error"]["code"] is None
    wrong = httpx.get(url, headers={"Authorization": "Bearer sk-wrong"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"
    assert "sk-wrong" not in wrong.text
    assert loopback.last().token == "sk-wrong"
    loopback.require_token = False
    assert httpx.get(url).status_code == 200
    loopback.require_token = True
    loopback.token = "sk-other"
    assert httpx.get(url, headers={"Authorization": "bearer sk-other"}).status_code == 200


# ---------------------------------------------------------------------------- models


def test_models_list_configurable_and_retrieve(loopback: LoopbackServer, client: httpx.Client) -> None:
    ids = [m["id"] for m in client.get("/models").json()["data"]]
    for expected in ("gpt-4o-mini", "dall-e-3", "tts-1", "whisper-1", "text-embedding-3-small"):
        assert expected in ids
    loopback.models = ["only-one", "org/with-slash"]
    listing = client.get("/models").json()
    assert listing["object"] == "list"
    assert listing["data"][0] == {
        "id": "only-one",
        "object": "model",
        "created": 1700000000,
        "owned_by": "openai",
    }
    assert client.get("/models/org/with-slash").json()["id"] == "org/with-slash"
    missing = client.get("/models/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "model_not_found"


def test_unknown_path_and_method(client: httpx.Client) -> None:
    assert client.get("/nothing").json()["error"]["message"] == "Invalid URL (GET /v1/nothing)"
    assert client.post("/models").status_code == 405


# ---------------------------------------------------------------------------- chat


def test_chat_plain_answer(loopback: LoopbackServer, client: httpx.Client) -> None:
    content = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA", "detail": "low"}},
    ]
    response = client.post(
        "/chat/completions",
        json={
            "model": "gpt-4o",
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": content}],
        },
    )
    answer = response.json()
    assert response.headers["x-request-id"].startswith("req_loopback_")
    assert answer["object"] == "chat.completion" and answer["model"] == "gpt-4o"
    assert answer["choices"][0]["message"] == {
        "role": "assistant",
        "content": "Echo: What is this? [images: 1]",
    }
    assert answer["choices"][0]["finish_reason"] == "stop"
    assert answer["usage"] == {"prompt_tokens": 3 + 4, "completion_tokens": 8, "total_tokens": 15}
    assert loopback.last("/chat/completions").json["messages"][1]["content"] == content


def test_chat_stream_pieces_usage_and_done(loopback: LoopbackServer, client: httpx.Client) -> None:
    response, raw, _ = stream_raw(
        client,
        "/chat/completions",
        chat_body("hello world", stream=True, stream_options={"include_usage": True}),
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    events = data_events(raw)
    assert events[-1] == "[DONE]"
    parsed = [json.loads(e) for e in events[:-1]]
    assert parsed[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    pieces = [p["choices"][0]["delta"]["content"] for p in parsed[1:-2]]
    assert pieces == loopback.chunk_pieces("Echo: hello world") == ["Echo", ": he", "llo ", "worl", "d"]
    assert parsed[-2]["choices"][0] == {"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}
    assert parsed[-1]["choices"] == [] and parsed[-1]["usage"]["completion_tokens"] == 5
    assert all(p["usage"] is None for p in parsed[:-1])


def test_chat_stream_without_usage_option(client: httpx.Client) -> None:
    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("hi", stream=True))
    assert all("usage" not in c for c in chunks(raw))
    assert stream_text(raw) == "Echo: hi"


def test_chat_single_tool_call_streamed_in_pieces(client: httpx.Client) -> None:
    body = chat_body("Please use tool now", stream=True, tools=[WEATHER_TOOL, TIME_TOOL])
    _, raw, _ = stream_raw(client, "/chat/completions", body)
    parsed = chunks(raw)
    assert parsed[0]["choices"][0]["delta"] == {"role": "assistant", "content": None}
    calls = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in parsed
        if c["choices"][0]["delta"].get("tool_calls")
    ]
    head, rest = calls[0], calls[1:]
    assert head == {
        "index": 0,
        "id": "call_loopback_0",
        "type": "function",
        "function": {"name": "get_weather", "arguments": ""},
    }
    parts = [c["function"]["arguments"] for c in rest]
    assert len(parts) >= 2 and all(len(p) <= 5 for p in parts)
    for part in parts:
        with pytest.raises(json.JSONDecodeError):
            json.loads(part)
    assert json.loads("".join(parts)) == {"city": "Please use tool now", "unit": "celsius", "days": 42}
    assert parsed[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_chat_parallel_and_named_tool_calls(client: httpx.Client) -> None:
    tools = [WEATHER_TOOL, TIME_TOOL]
    parallel = client.post("/chat/completions", json=chat_body("use all tools", tools=tools)).json()
    message = parallel["choices"][0]["message"]
    assert message["content"] is None and parallel["choices"][0]["finish_reason"] == "tool_calls"
    assert [c["function"]["name"] for c in message["tool_calls"]] == ["get_weather", "get_time"]
    assert [c["id"] for c in message["tool_calls"]] == ["call_loopback_0", "call_loopback_1"]
    assert message["tool_calls"][1]["function"]["arguments"] == "{}"

    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("use all tools", tools=tools, stream=True))
    deltas = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks(raw)
        if c["choices"][0]["delta"].get("tool_calls")
    ]
    joined: dict[int, str] = {}
    for d in deltas:
        joined[d["index"]] = joined.get(d["index"], "") + d["function"]["arguments"]
    assert joined == {0: '{"city": "use all tools", "unit": "celsius", "days": 42}', 1: "{}"}

    serial = client.post(
        "/chat/completions", json=chat_body("use all tools", tools=tools, parallel_tool_calls=False)
    ).json()
    assert len(serial["choices"][0]["message"]["tool_calls"]) == 1
    named = client.post("/chat/completions", json=chat_body("use tool get_time", tools=tools)).json()
    assert named["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_time"
    forced = client.post(
        "/chat/completions",
        json=chat_body(
            "no trigger words",
            tools=tools,
            tool_choice={"type": "function", "function": {"name": "get_time"}},
        ),
    ).json()
    assert forced["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_time"
    required = client.post(
        "/chat/completions", json=chat_body("plain", tools=tools, tool_choice="required")
    ).json()
    assert required["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "get_weather"
    none = client.post(
        "/chat/completions", json=chat_body("use tool", tools=tools, tool_choice="none")
    ).json()
    assert none["choices"][0]["message"]["content"] == "Echo: use tool"
    plain = client.post("/chat/completions", json=chat_body("just talk", tools=tools)).json()
    assert "tool_calls" not in plain["choices"][0]["message"]


def test_chat_tool_results_answer(client: httpx.Client) -> None:
    messages = [
        {"role": "user", "content": "use all tools"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_loopback_0",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": "{}"},
                },
                {
                    "id": "call_loopback_1",
                    "type": "function",
                    "function": {"name": "get_time", "arguments": "{}"},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_loopback_0", "content": "sunny"},
        {"role": "tool", "tool_call_id": "call_loopback_1", "content": "noon"},
    ]
    answer = client.post(
        "/chat/completions", json={"model": "m", "messages": messages, "tools": [WEATHER_TOOL]}
    ).json()
    assert answer["choices"][0]["message"]["content"] == "Result: sunny; noon"


def test_chat_stop_max_tokens_n_and_json_format(client: httpx.Client) -> None:
    stopped = client.post("/chat/completions", json=chat_body("hello world", stop=["wor"])).json()
    assert stopped["choices"][0]["message"]["content"] == "Echo: hello "
    limited = client.post("/chat/completions", json=chat_body("hello world", max_tokens=2)).json()
    assert limited["choices"][0] == {
        "index": 0,
        "message": {"role": "assistant", "content": "Echo: he"},
        "logprobs": None,
        "finish_reason": "length",
    }
    many = client.post("/chat/completions", json=chat_body("x", n=3)).json()
    assert [c["index"] for c in many["choices"]] == [0, 1, 2]
    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("x", n=2, stream=True))
    indexes = [c["choices"][0]["index"] for c in chunks(raw)]
    assert indexes[:4] == [0, 1, 0, 1]
    as_json = client.post(
        "/chat/completions", json=chat_body("hi", response_format={"type": "json_object"})
    ).json()
    assert json.loads(as_json["choices"][0]["message"]["content"]) == {"echo": "hi"}


def test_chat_validation_errors(loopback: LoopbackServer, client: httpx.Client) -> None:
    assert client.post("/chat/completions", json={"model": "m", "messages": []}).status_code == 400
    assert (
        client.post("/chat/completions", json={"messages": [{"role": "user", "content": "x"}]}).status_code
        == 400
    )
    assert (
        client.post(
            "/chat/completions", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    ghost = client.post("/chat/completions", json={**chat_body(), "model": "ghost-model"})
    assert ghost.status_code == 404 and ghost.json()["error"]["code"] == "model_not_found"
    no_stream = client.post("/chat/completions", json=chat_body(stream_options={"include_usage": True}))
    assert no_stream.status_code == 400 and no_stream.json()["error"]["param"] == "stream_options"


# ---------------------------------------------------------------------------- completions


def test_completions_plain_stream_and_echo(client: httpx.Client) -> None:
    answer = client.post("/completions", json={"model": "davinci-002", "prompt": ["one", "two"]}).json()
    assert answer["object"] == "text_completion"
    assert [c["text"] for c in answer["choices"]] == ["Echo: one", "Echo: two"]
    echoed = client.post("/completions", json={"model": "m", "prompt": "Say", "echo": True}).json()
    assert echoed["choices"][0]["text"] == "SayEcho: Say"
    _, raw, _ = stream_raw(
        client,
        "/completions",
        {"model": "m", "prompt": "hello", "stream": True, "stream_options": {"include_usage": True}},
    )
    parsed = chunks(raw)
    assert "".join(c["choices"][0]["text"] for c in parsed if c["choices"]) == "Echo: hello"
    assert parsed[-2]["choices"][0]["finish_reason"] == "stop"
    assert parsed[-1]["choices"] == [] and parsed[-1]["usage"]["total_tokens"] > 0
    assert data_events(raw)[-1] == "[DONE]"


# ---------------------------------------------------------------------------- embeddings


def test_embeddings_float_base64_dimensions_and_lists(loopback: LoopbackServer, client: httpx.Client) -> None:
    floats = client.post("/embeddings", json={"model": "text-embedding-3-small", "input": ["a", "b"]}).json()
    assert [d["index"] for d in floats["data"]] == [0, 1]
    vector = floats["data"][0]["embedding"]
    assert len(vector) == 1536 and vector == loopback.embedding("a", 1536)
    assert abs(sum(x * x for x in vector) - 1.0) < 1e-4
    assert floats["usage"] == {"prompt_tokens": 2, "total_tokens": 2}
    packed = client.post(
        "/embeddings", json={"model": "text-embedding-3-small", "input": "a", "encoding_format": "base64"}
    ).json()["data"][0]["embedding"]
    raw = base64.b64decode(packed)
    assert list(struct.unpack(f"<{len(raw) // 4}f", raw)) == vector
    small = client.post(
        "/embeddings", json={"model": "text-embedding-3-large", "input": "a", "dimensions": 8}
    ).json()
    assert len(small["data"][0]["embedding"]) == 8
    assert (
        client.post(
            "/embeddings", json={"model": "text-embedding-ada-002", "input": "a", "dimensions": 8}
        ).status_code
        == 400
    )
    assert client.post("/embeddings", json={"model": "m", "input": []}).status_code == 400
    assert client.post("/embeddings", json={"model": "m", "input": ""}).status_code == 400
    tokens = client.post("/embeddings", json={"model": "m", "input": [[1, 2], [3]]}).json()
    assert len(tokens["data"]) == 2 and len(tokens["data"][0]["embedding"]) == 16


# ---------------------------------------------------------------------------- images


def test_image_generation_url_served_without_token(loopback: LoopbackServer, client: httpx.Client) -> None:
    answer = client.post("/images/generations", json={"prompt": "a cat", "n": 2, "size": "256x256"}).json()
    assert answer["created"] == 1700000000 and len(answer["data"]) == 2
    url = answer["data"][1]["url"]
    assert url.startswith(loopback.origin + "/files/")
    picture = httpx.get(url)  # no Authorization, like a real signed URL
    assert picture.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(picture.content))
    assert image.size == (256, 256) and image.getpixel((0, 0)) == color_for("a cat#1")
    assert loopback.last(".png").token is None
    assert httpx.get(loopback.origin + "/files/nope.png").status_code == 404


def test_image_generation_models_and_formats(client: httpx.Client) -> None:
    dalle3 = client.post(
        "/images/generations",
        json={"model": "dall-e-3", "prompt": "p", "size": "1792x1024", "response_format": "b64_json"},
    ).json()
    item = dalle3["data"][0]
    assert item["revised_prompt"] == "A loopback rendering of: p"
    assert Image.open(io.BytesIO(base64.b64decode(item["b64_json"]))).size == (1792, 1024)
    assert (
        client.post("/images/generations", json={"model": "dall-e-3", "prompt": "p", "n": 2}).status_code
        == 400
    )
    assert (
        client.post(
            "/images/generations", json={"model": "dall-e-2", "prompt": "p", "size": "1792x1024"}
        ).status_code
        == 400
    )
    assert client.post("/images/generations", json={"model": "dall-e-2"}).status_code == 400
    gpt = client.post(
        "/images/generations",
        json={
            "model": "gpt-image-1",
            "prompt": "p",
            "response_format": "url",
            "background": "transparent",
            "size": "1024x1536",
        },
    ).json()
    image = Image.open(io.BytesIO(base64.b64decode(gpt["data"][0]["b64_json"])))
    corner = image.getpixel((0, 0))
    assert image.mode == "RGBA" and image.size == (1024, 1536)
    assert isinstance(corner, tuple) and corner[3] == 0  # transparent background
    assert gpt["usage"]["total_tokens"] > 0
    jpeg = client.post(
        "/images/generations", json={"model": "gpt-image-1", "prompt": "p", "output_format": "jpeg"}
    ).json()
    assert base64.b64decode(jpeg["data"][0]["b64_json"])[:3] == b"\xff\xd8\xff"


def png(size: tuple[int, int], color: tuple[int, ...] = (1, 2, 3, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, color).save(out, "PNG")
    return out.getvalue()


def test_image_edits_record_every_part(loopback: LoopbackServer, client: httpx.Client) -> None:
    files = [
        ("image[]", ("first.png", png((64, 48)), "image/png")),
        ("image[]", ("second.png", png((32, 32)), "image/png")),
        ("mask", ("mask.png", png((64, 48), (0, 0, 0, 0)), "image/png")),
    ]
    data = {"prompt": "add a hat", "model": "gpt-image-1", "n": "2"}
    answer = client.post("/images/edits", data=data, files=files).json()
    assert len(answer["data"]) == 2
    assert Image.open(io.BytesIO(base64.b64decode(answer["data"][0]["b64_json"]))).size == (64, 48)
    rec = loopback.last("/images/edits")
    assert rec.form == {"prompt": ["add a hat"], "model": ["gpt-image-1"], "n": ["2"]}
    assert [f.filename for f in rec.files["image[]"]] == ["first.png", "second.png"]
    assert rec.files["image[]"][1].data == png((32, 32)) and rec.files["mask"][0].content_type == "image/png"
    bad_mask = [
        ("image", ("a.png", png((64, 48)), "image/png")),
        ("mask", ("m.png", png((10, 10)), "image/png")),
    ]
    assert client.post("/images/edits", data={"prompt": "x"}, files=bad_mask).status_code == 400
    no_prompt = client.post("/images/edits", files=[("image", ("a.png", png((8, 8)), "image/png"))])
    assert no_prompt.status_code == 400 and no_prompt.json()["error"]["param"] == "prompt"


def test_image_variations(loopback: LoopbackServer, client: httpx.Client) -> None:
    answer = client.post(
        "/images/variations",
        data={"n": "1", "response_format": "url"},
        files={"image": ("sq.png", png((40, 40)), "image/png")},
    ).json()
    picture = httpx.get(answer["data"][0]["url"])
    assert Image.open(io.BytesIO(picture.content)).size == (40, 40)
    assert client.post("/images/variations", data={"n": "1"}).status_code == 400


# ---------------------------------------------------------------------------- audio


def test_speech_pcm_streams_in_chunks(loopback: LoopbackServer, client: httpx.Client) -> None:
    body = {"model": "tts-1", "input": "Hello there", "voice": "alloy", "response_format": "pcm"}
    response, audio, pieces = stream_raw(client, "/audio/speech", body)
    assert response.headers["content-type"] == "audio/pcm"
    assert "content-length" not in response.headers and len(pieces) >= 4
    assert audio == loopback.speech("Hello there", 1.0, "pcm")
    assert len(audio) == round((0.2 + 0.02 * 11) * 24000) * 2
    fast = client.post("/audio/speech", json={**body, "speed": 2.0}).content
    assert len(fast) == len(audio) // 2


@pytest.mark.parametrize("fmt", ["wav", "flac", "opus", "mp3"])
def test_speech_encoded_formats_decode(client: httpx.Client, fmt: str) -> None:
    response = client.post(
        "/audio/speech", json={"model": "tts-1", "input": "Hi", "voice": "nova", "response_format": fmt}
    )
    assert response.headers["content-type"] == SPEECH_CONTENT_TYPES[fmt]
    samples, rate = soundfile.read(io.BytesIO(response.content))
    assert rate == 24000 and abs(len(samples) - 0.24 * 24000) < 1200


def test_speech_aac_and_validation(client: httpx.Client) -> None:
    aac = client.post(
        "/audio/speech", json={"model": "tts-1", "input": "Hi", "voice": "nova", "response_format": "aac"}
    )
    assert aac.headers["content-type"] == "audio/aac" and aac.content[:2] == b"\xff\xf1"
    assert (
        client.post("/audio/speech", json={"model": "tts-1", "input": "", "voice": "nova"}).status_code == 400
    )
    assert (
        client.post(
            "/audio/speech", json={"model": "tts-1", "input": "x" * 4097, "voice": "nova"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/audio/speech", json={"model": "tts-1", "input": "x", "voice": "nova", "speed": 9}
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/audio/speech", json={"model": "tts-1", "input": "x", "voice": "nova", "response_format": "ogg"}
        ).status_code
        == 400
    )


def wav_clip(seconds: float) -> bytes:
    out = io.BytesIO()
    soundfile.write(out, [0.0] * int(16000 * seconds), 16000, format="WAV", subtype="PCM_16")
    return out.getvalue()


def test_transcription_formats(loopback: LoopbackServer, client: httpx.Client) -> None:
    clip = wav_clip(2.0)
    files = {"file": ("clip.wav", clip, "audio/wav")}
    expected = f"Loopback heard clip.wav. It was {len(clip)} bytes long."
    assert client.post("/audio/transcriptions", data={"model": "whisper-1"}, files=files).json() == {
        "text": expected
    }
    text = client.post(
        "/audio/transcriptions", data={"model": "whisper-1", "response_format": "text"}, files=files
    )
    assert text.text == expected + "\n" and text.headers["content-type"].startswith("text/plain")
    srt = client.post(
        "/audio/transcriptions", data={"model": "whisper-1", "response_format": "srt"}, files=files
    ).text
    # Both sentences are 24 characters long, so each gets half of the 2 s clip.
    assert srt == (
        "1\n00:00:00,000 --> 00:00:01,000\nLoopback heard clip.wav.\n\n"
        f"2\n00:00:01,000 --> 00:00:02,000\nIt was {len(clip)} bytes long.\n"
    )
    vtt = client.post(
        "/audio/transcriptions", data={"model": "whisper-1", "response_format": "vtt"}, files=files
    ).text
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> ") and "--> 00:00:02.000" in vtt
    verbose = client.post(
        "/audio/transcriptions",
        data={
            "model": "whisper-1",
            "response_format": "verbose_json",
            "language": "zh",
            "timestamp_granularities[]": ["word", "segment"],
        },
        files=files,
    ).json()
    assert verbose["task"] == "transcribe" and verbose["language"] == "chinese" and verbose["duration"] == 2.0
    segments = verbose["segments"]
    assert [s["text"].strip() for s in segments] == [
        "Loopback heard clip.wav.",
        f"It was {len(clip)} bytes long.",
    ]
    assert (
        segments[0]["start"] == 0.0
        and segments[0]["end"] == segments[1]["start"]
        and segments[-1]["end"] == 2.0
    )
    assert verbose["words"][0]["word"] == "Loopback"
    assert loopback.last().form["timestamp_granularities[]"] == ["word", "segment"]
    assert loopback.last().files["file"][0].data == clip


def test_translation_override_and_validation(loopback: LoopbackServer, client: httpx.Client) -> None:
    files = {"file": ("a.webm", b"\x1a\x45\xdf\xa3" * 8000, "audio/webm")}
    verbose = client.post(
        "/audio/translations", data={"model": "whisper-1", "response_format": "verbose_json"}, files=files
    ).json()
    assert verbose["task"] == "translate" and verbose["language"] == "english"
    assert verbose["text"].startswith("Loopback translated a.webm.") and verbose["duration"] == 1.0
    loopback.transcription_text = "你好，世界。"
    assert client.post("/audio/transcriptions", data={"model": "whisper-1"}, files=files).json() == {
        "text": "你好，世界。"
    }
    assert client.post("/audio/transcriptions", data={"model": "whisper-1"}).status_code == 400
    assert client.post("/audio/transcriptions", files=files).status_code == 400
    assert (
        client.post(
            "/audio/transcriptions", data={"model": "m", "response_format": "xml"}, files=files
        ).status_code
        == 400
    )


# ---------------------------------------------------------------------------- recording


def test_recording_helpers(loopback: LoopbackServer, client: httpx.Client) -> None:
    client.get("/models", params={"limit": ["1", "2"]}, headers={"X-Custom": "Yes"})
    client.post("/chat/completions", json=chat_body("hi"))
    first, second = loopback.requests
    assert (first.method, first.path, first.query) == ("GET", "/v1/models", {"limit": ["1", "2"]})
    assert first.headers["x-custom"] == "Yes" and first.json is None and first.status == 200
    assert second.json == chat_body("hi") == json.loads(second.body)
    assert loopback.last() is second and loopback.last("/models") is first
    assert loopback.wait_request("/chat/completions") is second
    assert second.completed.is_set() and not second.disconnected.is_set()
    loopback.clear()
    assert loopback.requests == []
    with pytest.raises(LookupError):
        loopback.last("/models")
    with pytest.raises(TimeoutError):
        loopback.wait_request("/models", timeout=0.01)


def test_a_bug_in_the_server_is_reported_not_hidden(loopback: LoopbackServer, client: httpx.Client) -> None:
    async def broken(call: object) -> None:
        raise RuntimeError("boom")

    loopback._list_models = broken  # type: ignore[method-assign,assignment]
    response = client.get("/models")
    assert response.status_code == 500 and response.json()["error"]["type"] == "loopback_bug"
    assert [str(e) for e in loopback.errors] == ["boom"]
    loopback.errors.clear()  # the fixture would otherwise fail this test, as it should any other


# ---------------------------------------------------------------------------- fault queue


def test_inject_order_times_and_matching(loopback: LoopbackServer, client: httpx.Client) -> None:
    loopback.inject("/models", Fault(status=500), times=2)
    loopback.inject("/models", Fault(status=503))
    assert [client.get("/models").status_code for _ in range(4)] == [500, 500, 503, 200]
    loopback.inject("/models", Fault(status=418))
    assert client.get("/models/gpt-4o").status_code == 200  # "/models" does not match /models/x
    assert loopback.pending_faults() == 1
    loopback.inject("", Fault(status=409), times=-1)
    assert client.get("/models").status_code == 418  # the longer suffix wins
    assert client.get("/models").status_code == 409
    assert client.post("/embeddings", json={}).status_code == 409
    loopback.clear_faults()
    assert loopback.pending_faults() == 0 and client.get("/models").status_code == 200
    with pytest.raises(ValueError):
        loopback.inject("/models", Fault(), times=0)
    with pytest.raises(ValueError):
        Fault(quirk=13)
    with pytest.raises(ValueError):
        Fault(quirk=5, variant="nope")
    assert loopback.requests_to("/models")[0].fault == Fault(status=500)


def test_unauthenticated_requests_do_not_use_faults(loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(status=500))
    assert httpx.get(loopback.url("/models")).status_code == 401
    assert loopback.pending_faults() == 1


# ---------------------------------------------------------------------------- canned answers


def test_status_faults_default_bodies_and_retry_headers(
    client: httpx.Client, loopback: LoopbackServer
) -> None:
    date = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    loopback.inject("/chat/completions", Fault(status=429, headers={"Retry-After": "1"}))
    loopback.inject("/chat/completions", Fault(status=429, headers={"retry-after-ms": "150"}))
    loopback.inject("/chat/completions", Fault(status=429, headers={"Retry-After": date}))
    loopback.inject("/chat/completions", Fault(status=503))
    first = client.post("/chat/completions", json=chat_body())
    assert first.status_code == 429 and first.headers["retry-after"] == "1"
    assert first.json()["error"]["code"] == "rate_limit_exceeded"
    assert client.post("/chat/completions", json=chat_body()).headers["retry-after-ms"] == "150"
    assert client.post("/chat/completions", json=chat_body()).headers["retry-after"] == date
    server_error = client.post("/chat/completions", json=chat_body())
    assert server_error.status_code == 503 and server_error.json()["error"]["type"] == "server_error"


def test_custom_error_html_text_and_empty(client: httpx.Client, loopback: LoopbackServer) -> None:
    custom = {"message": "模型不可用", "type": "invalid_request_error", "code": "model_not_available"}
    loopback.inject("/models", Fault(error=custom))
    loopback.inject("/models", Fault(html=True))
    loopback.inject("/models", Fault(status=524, html=True))
    loopback.inject("/models", Fault(status=500, html="<p>custom</p>"))
    loopback.inject("/models", Fault(text="upstream connect error"))
    loopback.inject("/models", Fault(status=520, empty_body=True))
    loopback.inject("/models", Fault(status=200, headers={"x-request-id": "mine"}))
    error = client.get("/models")
    assert error.status_code == 400 and error.json() == {"error": custom}
    nginx = client.get("/models")
    assert nginx.status_code == 502 and nginx.headers["content-type"].startswith("text/html")
    assert "<center>nginx</center>" in nginx.text and "502 Bad Gateway" in nginx.text
    cloudflare = client.get("/models")
    assert cloudflare.status_code == 524 and "Error code 524" in cloudflare.text
    assert client.get("/models").text == "<p>custom</p>"
    text = client.get("/models")
    assert (text.status_code, text.text, text.headers["content-type"].split(";")[0]) == (
        502,
        "upstream connect error",
        "text/plain",
    )
    empty = client.get("/models")
    assert empty.status_code == 520 and empty.content == b""
    ok_error = client.get("/models")
    assert (
        ok_error.status_code == 200
        and "error" in ok_error.json()
        and ok_error.headers["x-request-id"] == "mine"
    )


def test_headers_on_a_normal_answer(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(headers={"x-ratelimit-remaining-requests": "0"}))
    response = client.post("/chat/completions", json=chat_body())
    assert response.status_code == 200 and response.headers["x-ratelimit-remaining-requests"] == "0"


def test_delay_first_byte_and_reset(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(delay_first_byte=0.2))
    started = time.perf_counter()
    assert client.get("/models").status_code == 200
    assert time.perf_counter() - started >= 0.2
    loopback.inject("/models", Fault(reset=True))
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/models")
    assert loopback.last().aborted_by_server and loopback.last().status is None


# ---------------------------------------------------------------------------- stream faults


def test_delay_between_chunks(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(delay_between_chunks=0.05))
    started = time.perf_counter()
    arrivals: list[float] = []
    with client.stream("POST", "/chat/completions", json=chat_body("hi", stream=True)) as response:
        for line in response.iter_lines():
            if line:
                arrivals.append(time.perf_counter())
    # 5 events (role, 2 pieces, finish, [DONE]) and 4 pauses of 50 ms between them
    assert len(arrivals) == 5 and arrivals[-1] - started >= 0.2
    assert arrivals[0] - started < 0.1  # the first event is not delayed
    assert sum(1 for a, b in itertools.pairwise(arrivals) if b - a > 0.03) >= 2  # spread, not a burst


def test_cut_after_chunks_streams(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(cut_after_chunks=2))
    received, error = read_until_broken(client, "/chat/completions", chat_body("hello world", stream=True))
    assert isinstance(error, httpx.RemoteProtocolError)
    assert len(data_events(received)) == 2 and received.endswith(b"\n\n")
    assert loopback.last().aborted_by_server and not loopback.last().disconnected.is_set()

    loopback.inject("/chat/completions", Fault(cut_after_chunks=2, cut_mid_line=True))
    received, _ = read_until_broken(client, "/chat/completions", chat_body("hello world", stream=True))
    complete, _, partial = received.rpartition(b"\n\n")
    assert (
        len(data_events(complete + b"\n\n")) == 2
        and partial.startswith(b"data: {")
        and not partial.endswith(b"}")
    )

    loopback.inject("/chat/completions", Fault(cut_after_chunks=999))
    received, _ = read_until_broken(client, "/chat/completions", chat_body("hi", stream=True))
    assert data_events(received)[-1] == "[DONE]"  # everything, but no chunked terminator


def test_cut_json_and_speech(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(cut_after_chunks=1))
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/models")
    loopback.inject("/audio/speech", Fault(cut_after_chunks=2))
    body = {"model": "tts-1", "input": "Hello there", "voice": "alloy", "response_format": "pcm"}
    received, _ = read_until_broken(client, "/audio/speech", body)
    assert 0 < len(received) < len(loopback.speech("Hello there"))


def test_malformed_chunk_and_finish_reason(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(malformed_chunk=True, finish_reason="content_filter"))
    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("hello world", stream=True))
    events = data_events(raw)
    bad = [e for e in events if e != "[DONE]" and not _parses(e)]
    assert len(bad) == 1 and events.index(bad[0]) == 3 and events[-1] == "[DONE]"
    good = [json.loads(e) for e in events if e != "[DONE]" and _parses(e)]
    assert good[-1]["choices"][0]["finish_reason"] == "content_filter"


def _parses(data: str) -> bool:
    try:
        json.loads(data)
    except json.JSONDecodeError:
        return False
    return True


def test_mid_stream_error(client: httpx.Client, loopback: LoopbackServer) -> None:
    custom = {"message": "quota", "type": "insufficient_quota", "code": "insufficient_quota"}
    loopback.inject("/chat/completions", Fault(mid_stream_error=custom, after_chunks=4))
    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("hello world", stream=True))
    events = data_events(raw)
    assert json.loads(events[-1]) == {"error": custom} and "[DONE]" not in events
    # four events first: the role event and three pieces
    assert stream_text(raw[: raw.index(b'data: {"error"')]) == "Echo: hello "


# ---------------------------------------------------------------------------- quirks


def test_quirk_1_no_space_crlf_multiline(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=1))
    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("hi", stream=True))
    assert b"data: " not in raw and b"\n" not in raw.replace(b"\r\n", b"")
    blocks = raw.split(b"\r\n\r\n")
    assert blocks[0].startswith(b'data:{"id"') and blocks[0].count(b"data:") == 1  # one line
    assert blocks[1].startswith(b"data:{\r\n") and blocks[1].count(b"data:") > 10  # spread out
    assert blocks[-2] == b"data:[DONE]" and blocks[-1] == b""
    assert stream_text(raw) == "Echo: hi"


def test_quirk_2_comments_event_id_retry(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=2))
    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("hi", stream=True))
    events = parse_sse(raw)
    assert events[0]["comments"] == ["keep-alive"] and events[1]["retry"] == "3000"
    data = [e for e in events if e["data"] is not None]
    assert all(e["event"] == "message" for e in data) and [e["id"] for e in data[:3]] == ["1", "2", "3"]
    assert any(e["comments"] == ["ping"] for e in events)
    assert stream_text(raw) == "Echo: hi"


def test_quirk_3_no_done(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=3))
    _, raw, _ = stream_raw(
        client, "/chat/completions", chat_body("hi", stream=True, stream_options={"include_usage": True})
    )
    events = data_events(raw)
    assert "[DONE]" not in events and json.loads(events[-1])["choices"] == []
    assert stream_text(raw) == "Echo: hi"


def test_quirk_4_azure_shapes(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=4))
    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("hi", stream=True))
    parsed = chunks(raw)
    assert parsed[0]["choices"] == [] and parsed[0]["prompt_filter_results"]
    assert all(c["usage"]["prompt_tokens"] == 1 for c in parsed[1:])  # "hi": ceil(2 / 4)
    assert [c["usage"]["completion_tokens"] for c in parsed[1:]] == [0, 1, 2, 2, 2]  # running totals
    assert [c["choices"][0]["finish_reason"] for c in parsed[1:-2]] == ["", "", ""]
    assert parsed[-2]["choices"][0]["finish_reason"] == "stop"
    assert parsed[-1]["choices"] == [] and parsed[-1]["usage"] == {
        "prompt_tokens": 1,
        "completion_tokens": 2,
        "total_tokens": 3,
    }


@pytest.mark.parametrize("variant", [None, "reasoning"])
def test_quirk_5_reasoning_fields(
    client: httpx.Client, loopback: LoopbackServer, variant: str | None
) -> None:
    field = variant or "reasoning_content"
    loopback.inject("/chat/completions", Fault(quirk=5, variant=variant))
    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("hi", stream=True))
    deltas = [c["choices"][0]["delta"] for c in chunks(raw)]
    reasoning = "".join(d.get(field) or "" for d in deltas)
    first_content = next(i for i, d in enumerate(deltas) if d.get("content"))
    last_reasoning = max(i for i, d in enumerate(deltas) if d.get(field))
    assert reasoning == "Thinking about: hi" and last_reasoning < first_content
    assert stream_text(raw) == "Echo: hi"
    loopback.inject("/chat/completions", Fault(quirk=5, variant=variant))
    message = client.post("/chat/completions", json=chat_body("hi")).json()["choices"][0]["message"]
    assert message[field] == "Thinking about: hi" and message["content"] == "Echo: hi"


def test_quirk_5_think_tags(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=5, variant="think"))
    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("hi", stream=True))
    pieces = [c["choices"][0]["delta"].get("content") for c in chunks(raw)]
    assert "".join(p or "" for p in pieces) == "<think>Thinking about: hi</think>\n\nEcho: hi"
    assert not any("<think>" in p or "</think>" in p for p in pieces if p)  # tags split across pieces


def test_quirk_6_mid_stream_error(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=6))
    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("hello world", stream=True))
    events = data_events(raw)
    assert json.loads(events[-1])["error"]["type"] == "server_error"
    assert stream_text(raw[: raw.index(b'data: {"error"')]) == "Echo: he"


def test_quirk_7_200_with_error_or_html(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=7))
    loopback.inject("/chat/completions", Fault(quirk=7, variant="html"))
    as_json = client.post("/chat/completions", json=chat_body(stream=True))
    assert as_json.status_code == 200 and as_json.headers["content-type"] == "application/json"
    assert as_json.json()["error"]["code"] == "upstream_overloaded"
    as_html = client.post("/chat/completions", json=chat_body(stream=True))
    assert as_html.status_code == 200 and as_html.text.startswith("<html>")


def test_quirk_8_stream_options_rejected(client: httpx.Client, loopback: LoopbackServer) -> None:
    with_options = chat_body(stream=True, stream_options={"include_usage": True})
    loopback.inject("/chat/completions", Fault(quirk=8))
    rejected = client.post("/chat/completions", json=with_options)
    assert rejected.status_code == 400 and "stream_options" in rejected.json()["error"]["message"]
    assert client.post("/chat/completions", json=with_options).status_code == 200  # used up
    loopback.reject_stream_options = True
    assert client.post("/chat/completions", json=with_options).status_code == 400
    assert client.post("/chat/completions", json=chat_body(stream=True)).status_code == 200


def test_quirk_9_images_in_content(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=9))
    message = client.post("/chat/completions", json=chat_body("draw")).json()["choices"][0]["message"]
    content = message["content"]
    url = content.split("![image](")[1].split(")")[0]
    assert url.startswith(loopback.origin) and httpx.get(url).content[:8] == b"\x89PNG\r\n\x1a\n"
    data_url = content.split("![image](")[2].split(")")[0]
    assert data_url.startswith("data:image/png;base64,")
    assert base64.b64decode(data_url.split(",", 1)[1])[:4] == b"\x89PNG"
    assert message["images"][0]["image_url"]["url"] == data_url
    loopback.inject("/chat/completions", Fault(quirk=9, variant="https"))
    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("draw", stream=True))
    assert stream_text(raw) == "Here is the image.\n\n![image](https://images.invalid/loopback/quirk9.png)"
    loopback.inject("/chat/completions", Fault(quirk=9, variant="images"))
    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("draw", stream=True))
    assert [c["choices"][0]["delta"]["images"] for c in chunks(raw) if "images" in c["choices"][0]["delta"]]


def test_quirk_10_models_missing_and_ghost(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/models", Fault(quirk=10))
    loopback.inject("/models", Fault(quirk=10, variant="html"))
    loopback.inject("/models", Fault(quirk=10, variant="ghost"))
    assert client.get("/models").status_code == 404
    html = client.get("/models")
    assert html.status_code == 404 and "404 Not Found" in html.text
    ids = [m["id"] for m in client.get("/models").json()["data"]]
    assert "ghost-model" in ids
    assert client.post("/chat/completions", json={**chat_body(), "model": "ghost-model"}).status_code == 404
    loopback.inject("/models/gpt-4o", Fault(quirk=10))
    assert client.get("/models/gpt-4o").status_code == 404


def test_quirk_11_awkward_writes_and_tool_index(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=11))
    _, raw, pieces = stream_raw(client, "/chat/completions", chat_body("你好", stream=True))
    assert stream_text(raw) == "Echo: 你好" + CJK_SUFFIX
    undecodable = 0
    for piece in pieces:
        try:
            piece.decode("utf-8")
        except UnicodeDecodeError:
            undecodable += 1
    assert undecodable >= 3  # reads ending inside a multi-byte character
    assert sum(1 for p in pieces if not p.endswith(b"\n")) >= 10  # reads ending mid-line
    assert b"\n\n" not in b"".join(p for p in pieces if len(p) > 2)  # event ends split too

    loopback.inject("/chat/completions", Fault(quirk=11))
    _, raw, _ = stream_raw(
        client, "/chat/completions", chat_body("use tool", tools=[WEATHER_TOOL], stream=True)
    )
    calls = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in chunks(raw)
        if c["choices"][0]["delta"].get("tool_calls")
    ]
    assert all("index" not in c for c in calls)
    arguments = json.loads("".join(c["function"]["arguments"] for c in calls))
    assert arguments["city"] == "use tool" + CJK_SUFFIX

    loopback.inject("/chat/completions", Fault(quirk=11))
    with client.stream("POST", "/chat/completions", json=chat_body("x")) as response:
        json_pieces = list(response.iter_raw())
    assert len(json_pieces) > 3
    assert json.loads(b"".join(json_pieces))["choices"][0]["message"]["content"] == "Echo: x" + CJK_SUFFIX


def test_quirk_12_slow_first_byte_variants(client: httpx.Client, loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(quirk=12, delay_first_byte=0.2))
    started = time.perf_counter()
    _, raw, _ = stream_raw(client, "/chat/completions", chat_body("hi", stream=True))
    assert time.perf_counter() - started >= 0.2 and stream_text(raw) == "Echo: hi"

    loopback.quirk12_ping_interval = 0.05
    loopback.inject("/chat/completions", Fault(quirk=12, variant="keepalive", delay_first_byte=0.25))
    started = time.perf_counter()
    with client.stream("POST", "/chat/completions", json=chat_body("hi", stream=True)) as response:
        headers_after = time.perf_counter() - started
        raw = response.read()
    assert headers_after < 0.15 and response.status_code == 200
    events = parse_sse(raw)
    assert sum(e["comments"] == ["keep-alive"] for e in events) >= 3 and stream_text(raw) == "Echo: hi"

    loopback.inject("/chat/completions", Fault(quirk=12, variant="headers", delay_first_byte=5))
    with (
        pytest.raises(httpx.ReadTimeout),
        client.stream(
            "POST", "/chat/completions", json=chat_body("hi", stream=True), timeout=httpx.Timeout(5, read=0.2)
        ) as response,
    ):
        assert response.status_code == 200
        response.read()
    assert loopback.wait_disconnect(0.5, "/chat/completions")


# ---------------------------------------------------------------------------- connections


def test_open_connections_counts_sockets(loopback: LoopbackServer) -> None:
    assert loopback.open_connections == 0
    with (
        httpx.Client(base_url=loopback.base_url, headers=AUTH) as first,
        httpx.Client(base_url=loopback.base_url, headers=AUTH) as second,
    ):
        first.get("/models")
        second.get("/models")
        assert loopback.open_connections == 2  # keep-alive keeps both open
    assert loopback.wait_connections(0, timeout=0.5)
    raw = socket.create_connection(("127.0.0.1", loopback.port))
    assert loopback.wait_connections(1, timeout=0.5) and _eventually(lambda: loopback.open_connections == 1)
    raw.close()
    assert loopback.wait_connections(0, timeout=0.5)


def _eventually(predicate: Any, timeout: float = 0.5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.002)
    return bool(predicate())


def test_client_closing_mid_stream_is_noticed_within_100_ms(
    loopback: LoopbackServer, client: httpx.Client
) -> None:
    loopback.inject("/chat/completions", Fault(delay_between_chunks=1.0))
    with client.stream("POST", "/chat/completions", json=chat_body("hello", stream=True)) as response:
        lines = response.iter_lines()
        assert next(lines).startswith("data: ")
        closed_at = time.perf_counter()
    assert loopback.wait_disconnect(0.1)
    assert time.perf_counter() - closed_at < 0.1
    assert loopback.wait_connections(0, timeout=0.1)


def test_asyncio_cancel_mid_stream_is_noticed(loopback: LoopbackServer) -> None:
    loopback.inject("/chat/completions", Fault(delay_between_chunks=1.0))

    async def scenario() -> float:
        async with httpx.AsyncClient(base_url=loopback.base_url, headers=AUTH) as client:
            first_event = asyncio.Event()

            async def consume() -> None:
                async with client.stream(
                    "POST", "/chat/completions", json=chat_body("x", stream=True)
                ) as response:
                    async for _ in response.aiter_lines():
                        first_event.set()

            task = asyncio.create_task(consume())
            await first_event.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            cancelled_at = time.perf_counter()
            assert await loopback.wait_disconnect_async(0.1)
            return time.perf_counter() - cancelled_at

    assert asyncio.run(scenario()) < 0.1


def test_client_timeout_during_slow_first_byte_is_noticed(
    loopback: LoopbackServer, client: httpx.Client
) -> None:
    loopback.inject("/chat/completions", Fault(quirk=12, delay_first_byte=5))
    with pytest.raises(httpx.ReadTimeout):
        client.post("/chat/completions", json=chat_body(), timeout=httpx.Timeout(5, read=0.1))
    assert loopback.wait_disconnect(0.2)
    assert loopback.last().status is None
