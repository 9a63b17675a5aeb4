"""The SSE decoder on raw bytes, cut at every awkward place a network read can end."""

from __future__ import annotations

import pytest

from app.api._sse import SSEDecoder, SSEEvent, aiter_sse


def decode(chunks: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.flush())
    return events


def every_split(data: bytes) -> list[list[bytes]]:
    """The body as one read, one byte per read, and cut in two at every position."""
    splits = [[data], [data[i : i + 1] for i in range(len(data))]]
    splits += [[data[:i], data[i:]] for i in range(1, len(data))]
    return splits


def test_plain_events() -> None:
    events = decode([b'data: {"a":1}\n\ndata: {"a":2}\n\ndata: [DONE]\n\n'])
    assert [e.data for e in events] == ['{"a":1}', '{"a":2}', "[DONE]"]
    assert all(e.event == "message" for e in events)


@pytest.mark.parametrize(
    "body",
    [
        b'data:{"x":"\xe4\xbd\xa0\xe5\xa5\xbd"}\r\n\r\ndata:{"y":2}\r\n\r\n',  # no space, CRLF, UTF-8
        b'data: {"x":"\xe4\xbd\xa0\xe5\xa5\xbd"}\r\rdata: {"y":2}\r\r',  # bare CR
        b'data: {"x":"\xe4\xbd\xa0\xe5\xa5\xbd"}\n\ndata: {"y":2}\n\n',
        b'data: {"x":"\xe4\xbd\xa0\xe5\xa5\xbd"}\r\n\ndata: {"y":2}\n\r\n',  # mixed
    ],
)
def test_line_ends_and_utf8_survive_any_split(body: bytes) -> None:
    for chunks in every_split(body):
        events = decode(chunks)
        assert [e.data.replace(" ", "") for e in events] == ['{"x":"你好"}', '{"y":2}'], chunks


def test_multi_line_data_is_joined_with_newline() -> None:
    body = b'data:{\r\ndata: "a": 1,\r\ndata:  "b": 2\r\ndata:}\r\n\r\n'
    for chunks in every_split(body):
        (event,) = decode(chunks)
        assert event.data == '{\n"a": 1,\n "b": 2\n}'  # only one leading space is removed


def test_comments_fields_and_named_events() -> None:
    body = (
        b": keep-alive\n\n"
        b"retry: 3000\n\n"
        b"event: message\nid: 7\ndata: one\n\n"
        b": ping\n"
        b"event: error\ndata: two\n\n"
        b"id\ndata\n\n"
    )
    decoder = SSEDecoder()
    events = decoder.feed(body) + decoder.flush()
    assert [(e.event, e.data, e.id) for e in events] == [
        ("message", "one", "7"),
        ("error", "two", "7"),
        ("message", "", ""),  # "id" alone resets the id; bare "data" is an empty data line
    ]
    assert events[0].retry == 3000
    assert decoder.comments == 2


def test_event_without_blank_line_at_the_end_is_dispatched() -> None:
    assert [e.data for e in decode([b"data: a\n\ndata: last"])] == ["a", "last"]
    assert [e.data for e in decode([b"data: a\n\ndata: last\r"])] == ["a", "last"]


def test_cr_at_the_end_of_a_read_waits_for_the_next_one() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n") == []  # "\r\n" is one line end, not two (no empty line yet)
    assert [e.data for e in decoder.feed(b"\r\n")] == ["a"]


def test_utf8_split_inside_a_character_is_not_replaced() -> None:
    data = "data: 你好🙂\n\n".encode()
    for chunks in every_split(data):
        (event,) = decode(chunks)
        assert event.data == "你好🙂"
        assert "\ufffd" not in event.data


def test_invalid_utf8_is_replaced_not_raised() -> None:
    (event,) = decode([b"data: a\xffb\n\n"])
    assert event.data == "a\ufffdb"


def test_bom_is_dropped() -> None:
    (event,) = decode([b"\xef\xbb", b"\xbfdata: x\n\n"])
    assert event.data == "x"


def test_ndjson_lines_are_events_each() -> None:
    events = decode([b'{"a":1}\n{"a":', b'2}\n'])
    assert [e.data for e in events] == ['{"a":1}', '{"a":2}']


def test_unknown_fields_and_lines_without_colon_are_ignored() -> None:
    events = decode([b"foo: bar\nnonsense\ndata: x\n\n"])
    assert [e.data for e in events] == ["x"]


def test_blank_lines_without_data_dispatch_nothing() -> None:
    assert decode([b"\n\n\r\n\nevent: x\n\n"]) == []


@pytest.mark.asyncio
async def test_aiter_sse() -> None:
    async def chunks():
        for piece in (b"da", b"ta: 1\n", b"\ndata: 2", b"\n\n"):
            yield piece

    assert [e.data async for e in aiter_sse(chunks())] == ["1", "2"]
