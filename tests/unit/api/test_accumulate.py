"""Chunk → event logic without a socket: think tags, tool-call joining, finish reasons, usage."""

from __future__ import annotations

import json

import pytest

from app.api.chat import ChatAccumulator, ThinkSplitter, completion_as_chunk, markdown_images
from app.api.completions import CompletionAccumulator
from app.api.types import (
    ContentDelta,
    Finished,
    ImageDelta,
    ReasoningDelta,
    ToolCallDelta,
    Usage,
    UsageUpdate,
)


def split_all(text: str, pieces: list[str]) -> tuple[str, str]:
    splitter = ThinkSplitter()
    out = []
    for piece in pieces:
        out += splitter.feed(piece)
    out += splitter.flush()
    content = "".join(t for k, t in out if k == "content")
    reasoning = "".join(t for k, t in out if k == "reasoning")
    return content, reasoning


THINK = "<think>\nLet me see.\n2+2=4\n</think>\n\nThe answer is 4."


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 100])
def test_think_tag_split_at_every_size(size: int) -> None:
    pieces = [THINK[i : i + size] for i in range(0, len(THINK), size)]
    content, reasoning = split_all(THINK, pieces)
    assert content == "The answer is 4."
    assert reasoning == "Let me see.\n2+2=4\n"


def test_think_only_counts_at_the_start() -> None:
    text = "Use the <think> tag like this: <think>x</think>"
    content, reasoning = split_all(text, list(text))
    assert content == text and reasoning == ""


def test_text_that_only_looks_like_the_tag_start_is_released() -> None:
    assert split_all("", ["<thi", "s is fine"]) == ("<this is fine", "")
    assert split_all("", ["  <th"]) == ("  <th", "")  # the end of the stream releases it
    assert split_all("", ["<think>unfinished"]) == ("", "unfinished")


def test_partial_close_tag_is_not_shown_as_reasoning() -> None:
    splitter = ThinkSplitter()
    assert splitter.feed("<think>abc</thi") == [("reasoning", "abc")]
    assert splitter.feed("nk>answer") == [("content", "answer")]


def test_accumulator_streamed_tool_calls_are_joined_by_index() -> None:
    acc = ChatAccumulator()
    chunks = [
        {"id": "c1", "model": "m", "choices": [{"index": 0, "delta": {"role": "assistant", "content": None}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"city":'}}]}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 1, "id": "call_b", "function": {"name": "get_time", "arguments": '{"tz"'}}]}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": ' "Paris"}'}}]}}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 1, "function": {"arguments": ': "UTC"}'}}]}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
    ]
    events = [e for c in chunks for e in acc.feed(c)]
    assert ToolCallDelta(0, "call_a", "get_weather", "") in events
    assert events[-1] == Finished("tool_calls")
    result = acc.result()
    assert [(t.id, t.name, t.parsed_arguments()) for t in result.tool_calls] == [
        ("call_a", "get_weather", {"city": "Paris"}),
        ("call_b", "get_time", {"tz": "UTC"}),
    ]
    assert result.finish_reason == "tool_calls" and result.id == "c1" and result.model == "m"
    message = result.to_message()
    assert message["tool_calls"][0]["function"]["arguments"] == '{"city": "Paris"}'


def test_tool_call_without_index_is_index_zero() -> None:
    acc = ChatAccumulator()
    acc.feed({"choices": [{"delta": {"tool_calls": [{"id": "x", "function": {"name": "f", "arguments": '{"a"'}}]}}]})
    acc.feed({"choices": [{"delta": {"tool_calls": [{"function": {"arguments": ": 1}"}}]}}]})
    acc.feed({"choices": [{"delta": {}, "finish_reason": "tool_calls"}]})
    (call,) = acc.result().tool_calls
    assert (call.index, call.id, call.name, call.arguments) == (0, "x", "f", '{"a": 1}')


def test_new_id_under_the_same_index_is_a_new_call() -> None:
    acc = ChatAccumulator()
    acc.feed({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}}]}}]})
    acc.feed({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "b", "function": {"name": "g", "arguments": "{}"}}]}}]})
    assert [(c.id, c.name) for c in acc.result().tool_calls] == [("a", "f"), ("b", "g")]


def test_arguments_given_as_object_and_missing_id_get_a_stable_id() -> None:
    acc = ChatAccumulator()
    acc.feed({"choices": [{"message": {"tool_calls": [{"function": {"name": "f", "arguments": {"k": "v"}}}]},
                           "finish_reason": "tool_calls"}]})
    first = acc.result().tool_calls[0]
    assert json.loads(first.arguments) == {"k": "v"}
    assert first.id.startswith("call_") and acc.result().tool_calls[0].id == first.id


def test_empty_finish_reason_is_none_and_usage_everywhere_is_reported_on_change() -> None:
    acc = ChatAccumulator()
    usage = {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
    events = acc.feed({"choices": [], "prompt_filter_results": [{"prompt_index": 0}]})
    events += acc.feed({"choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": ""}], "usage": usage})
    events += acc.feed({"choices": [{"index": 0, "delta": {"content": "!"}, "finish_reason": ""}], "usage": usage})
    assert not acc.finished
    events += acc.feed({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                        "usage": {**usage, "completion_tokens": 2, "total_tokens": 5}})
    assert [e for e in events if isinstance(e, UsageUpdate)] == [
        UsageUpdate(Usage(3, 1, 4)), UsageUpdate(Usage(3, 2, 5))]
    assert [e for e in events if isinstance(e, Finished)] == [Finished("stop")]
    assert acc.finished and acc.result().content == "Hi!" and acc.result().usage.total_tokens == 5


def test_reasoning_content_and_reasoning_fields() -> None:
    acc = ChatAccumulator()
    events = acc.feed({"choices": [{"delta": {"reasoning_content": "hmm "}}]})
    events += acc.feed({"choices": [{"delta": {"reasoning": "ok"}}]})
    events += acc.feed({"choices": [{"delta": {"content": "Yes"}, "finish_reason": "stop"}]})
    assert events[:3] == [ReasoningDelta("hmm "), ReasoningDelta("ok"), ContentDelta("Yes")]
    assert acc.result().reasoning == "hmm ok"


def test_images_array_and_content_parts() -> None:
    acc = ChatAccumulator()
    events = acc.feed({"choices": [{"delta": {
        "content": [{"type": "text", "text": "Here"}],
        "images": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}],
    }, "finish_reason": "stop"}]})
    assert ImageDelta in {type(e) for e in events}
    assert acc.result().images[0].url == "data:image/png;base64,AAAA"
    assert acc.result().content == "Here"


def test_completion_as_chunk_keeps_think_split_for_whole_answers() -> None:
    payload = {"id": "x", "choices": [{"index": 0, "message": {"role": "assistant", "content": THINK},
                                       "finish_reason": "stop"}],
               "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}
    acc = ChatAccumulator()
    acc.feed(completion_as_chunk(payload))
    acc.flush()
    result = acc.result()
    assert result.content == "The answer is 4." and result.reasoning.startswith("Let me see.")


def test_markdown_images() -> None:
    text = 'Done: ![cat](https://x.test/a.png) and ![](data:image/png;base64,iVBOR=) not ![x](javascript:1)'
    assert markdown_images(text) == [("cat", "https://x.test/a.png"), ("", "data:image/png;base64,iVBOR=")]


def test_completion_accumulator() -> None:
    acc = CompletionAccumulator()
    events = acc.feed({"choices": [{"text": "Hel", "index": 0, "finish_reason": None}]})
    events += acc.feed({"choices": [{"text": "lo", "index": 0, "finish_reason": ""}]})
    events += acc.feed({"choices": [{"text": "", "index": 0, "finish_reason": "length"}]})
    assert events == [ContentDelta("Hel"), ContentDelta("lo"), Finished("length")]
    assert acc.result().text == "Hello" and acc.finished
