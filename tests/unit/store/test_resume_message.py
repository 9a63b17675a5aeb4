"""``Store.resume_message``: a finished reply goes back to streaming (the tool loop's Continue)."""

from __future__ import annotations

import pytest

from app.store import MessageState, NotFoundError, Role, Store
from tests.unit.store import Clock, clock, db_path, store  # noqa: F401


def test_resume_keeps_content_and_tool_calls_and_clears_the_outcome(store: Store) -> None:
    conversation = store.create_conversation()
    store.append_message(conversation.id, Role.USER, "use tool calculator")
    reply = store.append_message(conversation.id, Role.ASSISTANT, "", state=MessageState.STREAMING)
    calls = [{"id": "call_1", "type": "function", "function": {"name": "calculator", "arguments": "{}"},
              "status": "ok", "result": "4", "round": 1}]
    store.finish_message(reply.id, MessageState.ERROR, content="so far", tool_calls=calls,
                         finish_reason="tool_rounds", error="Stopped after 8 rounds of tool calls.")
    resumed = store.resume_message(reply.id)
    assert resumed.state is MessageState.STREAMING
    assert resumed.finish_reason is None and resumed.error is None
    assert resumed.text == "so far" and resumed.tool_calls == calls
    # Streaming again: the periodic saves are accepted, and it can finish once more.
    assert store.update_streaming(reply.id, "so far and more", tool_calls=calls)
    done = store.finish_message(reply.id, MessageState.COMPLETE)
    assert done.state is MessageState.COMPLETE and done.text == "so far and more"


def test_resume_of_a_missing_message_raises(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.resume_message(12345)
