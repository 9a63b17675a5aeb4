"""Conversations: create, list order, titles, pin, settings, drafts, soft delete / undo / purge."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.store import (
    ConversationKind,
    NotFoundError,
    Role,
    Store,
    image_part,
    title_from_text,
)
from tests.unit.store import Clock, clock, db_path, store  # noqa: F401


def test_create_and_get(store: Store, clock: Clock) -> None:
    c = store.create_conversation(model="gpt-4o", profile_id="default", settings={"system": "Be brief", "temperature": 0.2})
    assert c.id > 0 and len(c.uid) == 32
    assert (c.title, c.title_is_custom, c.pinned, c.kind) == ("", False, False, ConversationKind.CHAT)
    assert (c.created_at, c.updated_at, c.deleted_at) == (clock.now, clock.now, None)
    assert store.get_conversation(c.id) == c
    assert store.get_conversation_by_uid(c.uid) == c
    assert store.get_conversation(c.id + 100) is None
    assert store.get_conversation_by_uid("nope") is None


def test_create_with_everything_an_import_needs(store: Store) -> None:
    c = store.create_conversation(
        title="Imported", kind="voice", pinned=True, uid="abc", created_at=100.0, updated_at=200.0
    )
    assert (c.title, c.title_is_custom, c.kind, c.pinned, c.uid) == ("Imported", True, ConversationKind.VOICE, True, "abc")
    assert (c.created_at, c.updated_at) == (100.0, 200.0)
    auto = store.create_conversation(title="From the first line", title_is_custom=False)
    assert not auto.title_is_custom


def test_bad_kind_is_refused(store: Store) -> None:
    with pytest.raises(ValueError):
        store.create_conversation(kind="podcast")


def test_list_order_pinned_first_then_newest_activity(store: Store, clock: Clock) -> None:
    a = store.create_conversation(title="a")
    clock.advance()
    b = store.create_conversation(title="b")
    clock.advance()
    c = store.create_conversation(title="c")
    assert [x.title for x in store.list_conversations()] == ["c", "b", "a"]

    clock.advance()
    store.append_message(a.id, Role.USER, "bump a")  # activity moves it up
    assert [x.title for x in store.list_conversations()] == ["a", "c", "b"]

    store.set_pinned(b.id, True)
    assert [x.title for x in store.list_conversations()] == ["b", "a", "c"]
    assert store.get_conversation(b.id).pinned  # type: ignore[union-attr]
    store.set_pinned(b.id, False)
    assert [x.title for x in store.list_conversations()] == ["a", "c", "b"]
    assert [x.title for x in store.list_conversations(limit=2)] == ["a", "c"]


def test_same_timestamp_ties_are_newest_id_first(store: Store) -> None:
    ids = [store.create_conversation().id for _ in range(3)]
    assert [c.id for c in store.list_conversations()] == ids[::-1]


def test_list_by_kind(store: Store) -> None:
    store.create_conversation(title="chat")
    store.create_conversation(title="voice", kind=ConversationKind.VOICE)
    assert [c.title for c in store.list_conversations(kind="voice")] == ["voice"]
    assert [c.title for c in store.list_conversations(kind=ConversationKind.CHAT)] == ["chat"]


def test_settings_and_renames_do_not_reorder(store: Store, clock: Clock) -> None:
    old = store.create_conversation(title="old")
    clock.advance()
    store.create_conversation(title="new")
    clock.advance()
    store.update_conversation(old.id, model="o3", settings={"temperature": 1.0})
    store.rename_conversation(old.id, "renamed")
    store.save_draft(old.id, "typing")
    assert [c.title for c in store.list_conversations()] == ["new", "renamed"]


def test_update_conversation(store: Store) -> None:
    c = store.create_conversation(model="a", settings={"system": "x"})
    c2 = store.update_conversation(c.id, model="b")
    assert (c2.model, c2.settings) == ("b", {"system": "x"})
    c3 = store.update_conversation(c.id, profile_id="p2", settings={"temperature": 0.5, "tools": ["search"]})
    assert (c3.model, c3.profile_id, c3.settings) == ("b", "p2", {"temperature": 0.5, "tools": ["search"]})
    assert store.update_conversation(c.id) == c3
    with pytest.raises(NotFoundError):
        store.update_conversation(999, model="x")


def test_auto_title_is_the_first_line_of_the_first_user_message(store: Store) -> None:
    c = store.create_conversation()
    store.append_message(c.id, Role.SYSTEM, "You are helpful")
    assert store.get_conversation(c.id).title == ""  # type: ignore[union-attr]
    first = store.append_message(c.id, Role.USER, "\n\n  How do   I sort a list?  \nin Python")
    assert store.get_conversation(c.id).title == "How do I sort a list?"  # type: ignore[union-attr]
    store.append_message(c.id, Role.USER, "A later question")
    assert store.get_conversation(c.id).title == "How do I sort a list?"  # type: ignore[union-attr]

    store.edit_message(first.id, "如何排序？\n第二行")  # edit-and-resend of the first message
    assert store.get_conversation(c.id).title == "如何排序？"  # type: ignore[union-attr]
    store.delete_message(first.id)
    assert store.get_conversation(c.id).title == "A later question"  # type: ignore[union-attr]


def test_custom_title_is_kept_and_an_empty_rename_goes_back_to_auto(store: Store) -> None:
    c = store.create_conversation()
    store.append_message(c.id, Role.USER, "auto title")
    renamed = store.rename_conversation(c.id, "  My   name ")
    assert (renamed.title, renamed.title_is_custom) == ("My name", True)
    m = store.append_message(c.id, Role.USER, "another")
    store.edit_message(store.messages(c.id)[0].id, "changed first line")
    assert store.get_conversation(c.id).title == "My name"  # type: ignore[union-attr]
    store.delete_message(m.id)
    reset = store.rename_conversation(c.id, "   ")
    assert (reset.title, reset.title_is_custom) == ("changed first line", False)
    with pytest.raises(NotFoundError):
        store.rename_conversation(999, "x")


def test_title_from_text() -> None:
    assert title_from_text("") == ""
    assert title_from_text("\n \n\tHi\tthere\nmore") == "Hi there"
    long = "word " * 40
    title = title_from_text(long)
    assert len(title) == 80 and title.endswith("…")
    assert title_from_text("短" * 100, max_len=10) == "短" * 9 + "…"


def test_image_only_first_message_leaves_title_empty(store: Store) -> None:
    c = store.create_conversation()
    att = store.put_attachment(b"png bytes", "image/png")
    store.append_message(c.id, Role.USER, [image_part(att.hash)])
    assert store.get_conversation(c.id).title == ""  # type: ignore[union-attr]


def test_drafts_survive_switching_and_restarts(db_path: Path, clock: Clock) -> None:
    s = Store(db_path, clock=clock)
    a, b = s.create_conversation(), s.create_conversation()
    att = s.put_attachment(b"\x89PNG draft", "image/png", width=2, height=3)
    s.save_draft(a.id, "half a thought…", [image_part(att.hash, detail="low")])
    s.save_draft(b.id, "其他草稿")
    s.close()

    s = Store(db_path, clock=clock)
    draft = s.load_draft(a.id)
    assert draft.text == "half a thought…"
    assert draft.attachments == [{"type": "image", "hash": att.hash, "detail": "low"}]
    assert s.load_draft(b.id).text == "其他草稿" and s.load_draft(b.id).attachments == []
    assert s.get_conversation(a.id).draft_text == "half a thought…"  # type: ignore[union-attr]
    s.save_draft(a.id, "")
    assert s.load_draft(a.id).text == "" and s.load_draft(a.id).attachments == []
    with pytest.raises(NotFoundError):
        s.load_draft(999)
    with pytest.raises(NotFoundError):
        s.save_draft(999, "lost?")
    s.close()


def test_draft_with_an_unknown_image_is_still_saved(store: Store) -> None:
    """The typed text matters more than an image that went missing."""
    c = store.create_conversation()
    store.save_draft(c.id, "keep me", [image_part("0" * 64)])
    assert store.load_draft(c.id).text == "keep me"


def test_soft_delete_and_undo(store: Store, clock: Clock) -> None:
    keep = store.create_conversation(title="keep")
    clock.advance()
    gone = store.create_conversation(title="gone")
    store.append_message(gone.id, Role.USER, "a message that must come back")
    store.set_pinned(gone.id, True)
    clock.advance()
    store.delete_conversation(gone.id)
    assert [c.title for c in store.list_conversations()] == ["keep"]
    deleted = store.get_conversation(gone.id)
    assert deleted is not None and deleted.deleted and deleted.deleted_at == clock.now
    assert [c.id for c in store.list_deleted_conversations()] == [gone.id]
    assert store.search("come back") == []

    restored = store.restore_conversation(gone.id)
    assert restored.deleted_at is None and restored.pinned
    assert [c.title for c in store.list_conversations()] == ["gone", "keep"]
    assert [m.text for m in store.messages(gone.id)] == ["a message that must come back"]
    assert store.search("come back")[0].conversation_id == gone.id
    assert keep.id != gone.id


def test_purge_deleted(store: Store, clock: Clock) -> None:
    old = store.create_conversation(title="old")
    store.append_message(old.id, Role.USER, "old words")
    store.delete_conversation(old.id)
    clock.advance(100)
    recent = store.create_conversation(title="recent")
    store.delete_conversation(recent.id)
    alive = store.create_conversation(title="alive")

    assert store.purge_deleted(before=clock.now - 50) == 1
    assert store.get_conversation(old.id) is None
    assert store.count_messages(old.id) == 0
    assert store.get_conversation(recent.id) is not None
    assert store.purge_deleted() == 1
    assert store.get_conversation(recent.id) is None
    assert [c.id for c in store.list_conversations()] == [alive.id]
    assert store.search("old words") == []
    assert store.integrity_check() == ["ok"]


def test_purge_and_missing_ids(store: Store) -> None:
    c = store.create_conversation()
    store.purge_conversation(c.id)  # purging does not need a soft delete first
    assert store.get_conversation(c.id) is None
    for call in (store.purge_conversation, store.delete_conversation, store.restore_conversation):
        with pytest.raises(NotFoundError):
            call(c.id)
    with pytest.raises(NotFoundError):
        store.set_pinned(c.id, True)
