"""Export to Markdown and JSON, and JSON import that restores conversations exactly."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.store import MessageState, NotFoundError, Role, Store, image_part, text_part
from app.store.export import (
    EXPORT_FORMAT,
    ExportFormatError,
    MarkdownLabels,
    dumps_export,
    export_json,
    export_markdown,
    import_json,
    parse_export,
    read_export_file,
)
from tests.unit.store import Clock, clock, db_path, store  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
JPEG = b"\xff\xd8\xff\xe0 pretend jpeg \xff\xd9"
DRAFT_IMAGE = b"\x89PNG draft image"
SECRET = "sk-live-abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.fixture
def fresh(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    """A second, empty store: where imports land."""
    s = Store(tmp_path / "other" / "parla.sqlite3", clock=clock)
    yield s
    s.close()


def _fill(store: Store, clock: Clock) -> dict[str, Any]:
    """Two conversations using every field the store has."""
    png = store.put_attachment(PNG, "image/png", width=64, height=32)
    jpeg = store.put_attachment(JPEG, "image/jpeg")
    draft_image = store.put_attachment(DRAFT_IMAGE, "image/png", width=2, height=2)
    a = store.create_conversation(
        title="翻译练习 — Translation drill",
        kind="chat",
        model="deepseek-reasoner",
        profile_id="default",
        settings={"system_prompt": "你是一名翻译。\nTranslate faithfully.", "temperature": 0.3, "top_p": None,
                  "max_tokens": 512, "presence_penalty": None, "frequency_penalty": 0.5, "tools": ["search"]},
        pinned=True,
    )
    clock.advance(5)
    store.append_message(a.id, Role.SYSTEM, "Be brief.")
    clock.advance(1)
    store.append_message(
        a.id,
        Role.USER,
        [text_part("这张图片里有什么？ What is in this picture?"), image_part(png.hash, detail="high"),
         {"type": "future_part", "data": [1, 2, {"x": "y"}]}],
        model="deepseek-reasoner",
        parameters={"temperature": 0.3},
    )
    clock.advance(2)
    reply = store.append_message(a.id, Role.ASSISTANT, "", state="streaming", model="deepseek-reasoner")
    clock.advance(1)
    store.update_streaming(reply.id, "一只猫。", reasoning="先看图片……")
    clock.advance(1)
    store.finish_message(
        reply.id,
        content=[text_part("一只猫。A cat."), image_part(jpeg.hash, source_url="https://example.invalid/c.jpg", alt="cat")],
        reasoning="先看图片……然后回答。",
        finish_reason="stop",
        usage={"prompt_tokens": 12, "completion_tokens": 7, "total_tokens": 19},
    )
    clock.advance(3)
    calls = [{"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": '{"city": "北京"}'}}]
    store.append_message(a.id, Role.ASSISTANT, "", tool_calls=calls, finish_reason="tool_calls", model="gpt-4o")
    clock.advance(1)
    store.append_message(a.id, Role.TOOL, '{"temp": 21, "sky": "晴"}', tool_call_id="call_1")
    clock.advance(1)
    stopped = store.append_message(a.id, Role.ASSISTANT, "", state="streaming", model="gpt-4o")
    store.finish_message(stopped.id, MessageState.STOPPED, content="Half an ans", finish_reason=None)
    clock.advance(1)
    failed = store.append_message(a.id, Role.ASSISTANT, "", state="streaming", model="gpt-4o")
    store.finish_message(failed.id, MessageState.ERROR, content="Partial ```text", error="Rate limited — try again later.")
    store.save_draft(a.id, "草稿 draft not sent yet", [image_part(draft_image.hash)])

    clock.advance(60)
    b = store.create_conversation(kind="voice")
    clock.advance(1)
    store.append_message(b.id, Role.USER, "Hello there\nsecond line")
    clock.advance(1)
    store.append_message(b.id, Role.ASSISTANT, "Hi!", model="gpt-4o-mini", finish_reason="stop")
    return {"a": a.id, "b": b.id, "hashes": {png.hash: PNG, jpeg.hash: JPEG, draft_image.hash: DRAFT_IMAGE}}


def _snapshot(store: Store) -> dict[str, Any]:
    """Everything about every conversation except the local ids."""
    result: dict[str, Any] = {}
    for conversation in store.list_conversations():
        fields = dataclasses.asdict(conversation)
        del fields["id"]
        messages = []
        for message in store.messages(conversation.id):
            m = dataclasses.asdict(message)
            for local in ("id", "conversation_id", "position"):
                del m[local]
            messages.append(m)
        fields["messages"] = messages
        result[conversation.uid] = fields
    return result


def _attachments(store: Store) -> dict[str, Any]:
    rows = store._conn.execute("SELECT hash FROM attachments").fetchall()
    return {h: (store.get_attachment(h), store.read_attachment(h)) for (h,) in rows}


def test_json_round_trip_restores_everything(store: Store, fresh: Store, clock: Clock, tmp_path: Path) -> None:
    ids = _fill(store, clock)
    path = tmp_path / "export.json"
    path.write_text(dumps_export(export_json(store)), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert "翻译练习" in text  # Chinese is written as such, not as \u escapes

    clock.advance(3600)  # the import happens much later: no timestamp may be "now"
    report = import_json(fresh, read_export_file(path))
    assert (report.imported, report.skipped, report.errors) == (2, 0, [])
    assert len(report.conversation_ids) == 2

    assert _snapshot(fresh) == _snapshot(store)
    assert _attachments(fresh) == _attachments(store)
    for digest, data in ids["hashes"].items():
        assert fresh.read_attachment(digest) == data
    # The sidebar order, the pinned flag, the draft and the custom title came back too.
    assert [c.uid for c in fresh.list_conversations()] == [c.uid for c in store.list_conversations()]
    first = fresh.get_conversation_by_uid(store.get_conversation(ids["a"]).uid)  # type: ignore[union-attr]
    assert first is not None and first.pinned and first.title_is_custom
    assert fresh.load_draft(first.id).text == "草稿 draft not sent yet"
    # Imported messages are searchable (Chinese, trigram) and the file is sound.
    hits = fresh.search("一只猫")
    assert [h.conversation_id for h in hits] == [first.id]
    assert fresh.integrity_check() == ["ok"]
    # The attachments are linked, so deleting the conversation frees them as usual.
    assert all(fresh.attachment_refcount(h) >= 1 for h in ids["hashes"])


def test_round_trip_of_a_selection(store: Store, fresh: Store, clock: Clock) -> None:
    ids = _fill(store, clock)
    data = export_json(store, [ids["b"]])
    assert [c["kind"] for c in data["conversations"]] == ["voice"]
    assert data["attachments"] == {}  # only the images of the exported conversations travel
    report = import_json(fresh, parse_export(dumps_export(data)))
    assert report.imported == 1
    only = fresh.list_conversations()
    assert len(only) == 1 and only[0].title == "Hello there" and not only[0].title_is_custom
    with pytest.raises(NotFoundError):
        export_json(store, [999])


def test_importing_twice_does_not_duplicate(store: Store, fresh: Store, clock: Clock) -> None:
    _fill(store, clock)
    data = parse_export(dumps_export(export_json(store)))
    assert import_json(fresh, data).imported == 2
    before = _snapshot(fresh)
    second = import_json(fresh, data)
    assert (second.imported, second.skipped, second.errors) == (0, 2, [])
    assert _snapshot(fresh) == before
    assert fresh._conn.execute("SELECT count(*) FROM messages").fetchone()[0] == sum(
        len(c["messages"]) for c in before.values()
    )
    # Into the store it came from: everything is already there.
    again = import_json(store, data)
    assert (again.imported, again.skipped) == (0, 2)
    # The same uid twice in one file counts once.
    doubled = dict(data, conversations=data["conversations"] + data["conversations"][:1])
    with Store(fresh.path.parent / "third.sqlite3") as third:
        assert import_json(third, doubled).imported == 2


def test_a_deleted_conversation_is_replaced_by_the_import(store: Store, fresh: Store, clock: Clock) -> None:
    ids = _fill(store, clock)
    data = parse_export(dumps_export(export_json(store)))
    import_json(fresh, data)
    uid = store.get_conversation(ids["a"]).uid  # type: ignore[union-attr]
    target = fresh.get_conversation_by_uid(uid)
    assert target is not None
    fresh.delete_conversation(target.id)  # still undoable: the user wants it back from the file
    report = import_json(fresh, data)
    assert (report.imported, report.skipped) == (1, 1)
    assert _snapshot(fresh) == _snapshot(store)


def test_a_streaming_reply_comes_back_stopped(store: Store, fresh: Store, clock: Clock) -> None:
    c = store.create_conversation()
    store.append_message(c.id, Role.USER, "Tell me")
    reply = store.append_message(c.id, Role.ASSISTANT, "", state="streaming")
    store.update_streaming(reply.id, "Once upon")
    report = import_json(fresh, parse_export(dumps_export(export_json(store))))
    assert report.imported == 1
    (imported,) = fresh.list_conversations()
    last = fresh.messages(imported.id)[-1]
    assert (last.text, last.state, last.finish_reason) == ("Once upon", MessageState.STOPPED, "interrupted")
    assert fresh.search("Once upon")  # indexed, unlike a streaming row


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"", "not_json"),
        (b"{not json", "not_json"),
        (b"\xff\xfe\x00garbage", "not_json"),
        (b"[1, 2, 3]", "not_parla"),
        (b'{"format": "chatbox.export", "version": 1, "conversations": []}', "not_parla"),
        (b'{"format": "parla.conversations", "version": 2, "conversations": []}', "too_new"),
        (b'{"format": "parla.conversations", "version": "1", "conversations": []}', "malformed"),
        (b'{"format": "parla.conversations", "version": 1, "conversations": {}}', "malformed"),
        (b'{"format": "parla.conversations", "version": 1, "conversations": [], "attachments": []}', "malformed"),
        (b'{"format": "parla.conversations", "version": 1, "conversations": [], "attachments": {"../x": {"data": ""}}}',
         "malformed"),
    ],
)
def test_unusable_files_are_refused_whole(fresh: Store, raw: bytes, kind: str) -> None:
    with pytest.raises(ExportFormatError) as caught:
        import_json(fresh, parse_export(raw))
    assert caught.value.kind == kind
    assert fresh.list_conversations() == []


def test_bad_conversations_are_reported_and_leave_nothing(store: Store, fresh: Store, clock: Clock) -> None:
    _fill(store, clock)
    data = parse_export(dumps_export(export_json(store)))
    good = next(c for c in data["conversations"] if c["kind"] == "voice")
    rich = next(c for c in data["conversations"] if c["kind"] == "chat")
    digest = next(iter(data["attachments"]))

    bad_role = json.loads(json.dumps(good))
    bad_role["uid"] = "bad-role"
    bad_role["messages"][1]["role"] = "narrator"
    bad_time = json.loads(json.dumps(good))
    bad_time["uid"] = "bad-time"
    bad_time["created_at"] = "yesterday"
    no_uid = json.loads(json.dumps(good))
    del no_uid["uid"]
    missing_image = json.loads(json.dumps(rich))
    missing_image["uid"] = "missing-image"
    damaged = json.loads(json.dumps(data["attachments"]))
    damaged[digest]["data"] = base64.b64encode(b"not the same bytes").decode()

    file_a = dict(data, conversations=[bad_role, good, bad_time, no_uid, "nonsense"])
    report = import_json(fresh, file_a)
    assert report.imported == 1 and report.skipped == 0
    assert [(p.index, p.uid) for p in report.errors] == [(0, "bad-role"), (2, "bad-time"), (3, ""), (4, "")]
    assert "message 2: role 'narrator' is unknown" in report.errors[0].reason
    assert "created_at" in report.errors[1].reason
    assert "uid" in report.errors[2].reason

    file_b = dict(data, conversations=[missing_image], attachments={})
    report = import_json(fresh, file_b)
    assert report.imported == 0 and "is used but not in the file" in report.errors[0].reason

    file_c = dict(data, conversations=[rich], attachments=damaged)
    report = import_json(fresh, file_c)
    assert report.imported == 0 and "does not match its hash" in report.errors[0].reason

    # Only the good conversation is there; no stray rows or images from the refused ones.
    assert [c.kind.value for c in fresh.list_conversations()] == ["voice"]
    assert fresh._conn.execute("SELECT count(*) FROM messages").fetchone()[0] == len(good["messages"])
    assert fresh._conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0


def test_a_failure_while_writing_rolls_the_conversation_back(
    store: Store, fresh: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(store, clock)
    data = parse_export(dumps_export(export_json(store)))
    real_append = fresh.append_message
    calls = {"n": 0}

    def failing_append(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 4:
            raise NotFoundError("disk trouble, say")
        return real_append(*args, **kwargs)

    monkeypatch.setattr(fresh, "append_message", failing_append)
    report = import_json(fresh, data)
    # The chat conversation (first: pinned) failed at its 4th message; the voice one went in.
    assert report.imported == 1 and len(report.errors) == 1 and report.errors[0].reason == "disk trouble, say"
    assert [c.kind.value for c in fresh.list_conversations()] == ["voice"]
    assert fresh._conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 2
    assert fresh._conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0
    monkeypatch.undo()
    retry = import_json(fresh, data)  # nothing half-written blocks a second try
    assert (retry.imported, retry.skipped) == (1, 1)
    assert _snapshot(fresh) == _snapshot(store)


def test_no_secret_ever_leaves_in_an_export(store: Store, clock: Clock) -> None:
    c = store.create_conversation(
        settings={"system_prompt": "hi", "api_key": SECRET, "nested": {"Authorization": f"Bearer {SECRET}"},
                  "base_url": "https://relay.example/v1"}
    )
    store.append_message(c.id, Role.USER, "hello", parameters={"temperature": 1, "token": SECRET})
    text = dumps_export(export_json(store)) + export_markdown(store, [c.id])
    assert SECRET not in text and "relay.example" not in text
    data = json.loads(dumps_export(export_json(store)))
    assert set(data) == {"format", "version", "exported_at", "app", "conversations", "attachments"}
    (conversation,) = data["conversations"]
    assert conversation["settings"] == {"system_prompt": "hi", "nested": {}}
    assert conversation["messages"][0]["parameters"] == {"temperature": 1}
    assert data["format"] == EXPORT_FORMAT and data["version"] == 1


def test_export_all_leaves_out_deleted_conversations(store: Store, clock: Clock) -> None:
    kept = store.create_conversation(title="kept")
    gone = store.create_conversation(title="gone")
    store.delete_conversation(gone.id)
    assert [c["title"] for c in export_json(store)["conversations"]] == ["kept"]
    assert "gone" not in export_markdown(store)
    assert "# kept" in export_markdown(store, [kept.id])


def test_markdown_export_reads_well(store: Store, clock: Clock) -> None:
    ids = _fill(store, clock)
    md = export_markdown(store, [ids["a"], ids["b"]])
    assert md.startswith("# 翻译练习 — Translation drill\n")
    assert "Model: deepseek-reasoner" in md
    assert "> **System prompt**\n>\n> 你是一名翻译。\n> Translate faithfully." in md
    assert "## User · " in md and "这张图片里有什么？ What is in this picture?" in md
    assert "*[Image · image/png · 64×32 · sha256 " in md
    assert "*[Image · cat · image/jpeg · sha256 " in md
    assert "## Assistant · deepseek-reasoner · " in md
    assert "> **Thinking**\n>\n> 先看图片……然后回答。" in md
    assert "一只猫。A cat." in md
    assert "*Tokens: 12 prompt · 7 completion*" in md
    assert '**Tool calls**\n\n`weather` (call_1)\n\n```json\n{\n  "city": "北京"\n}\n```' in md
    assert "*Result of call_1*" in md
    assert "*Stopped before the end.*" in md
    assert "Partial ```text" in md and "*Error: Rate limited — try again later.*" in md
    assert "\n\n---\n\n# Hello there\n" in md  # the second conversation, auto-titled
    assert md.rstrip().splitlines()[-1].startswith("*Exported from Parla on ")
    assert md.index("Be brief.") < md.index("一只猫。") < md.index("Half an ans")  # in order

    labels = MarkdownLabels(user="用户", assistant="助手", thinking="思考过程", untitled="新对话")
    chinese = export_markdown(store, [ids["a"]], labels=labels)
    assert "## 用户 · " in chinese and "## 助手 · " in chinese and "> **思考过程**" in chinese
    empty = store.create_conversation()
    assert export_markdown(store, [empty.id], labels=labels).startswith("# 新对话\n")
