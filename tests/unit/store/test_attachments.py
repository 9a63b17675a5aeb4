"""Attachments: stored once per content hash, as files; freed when nothing refers to them."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from app.store import NotFoundError, Role, Store, image_part
from tests.unit.store import Clock, clock, db_path, store  # noqa: F401

GRACE = 3600.0  # Store's default


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_put_is_deduplicated_by_content_hash(store: Store) -> None:
    data = b"\x89PNG\r\n\x1a\n pretend image"
    a = store.put_attachment(data, "image/png", width=640, height=480)
    b = store.put_attachment(data, "image/png")
    assert a.hash == b.hash == hashlib.sha256(data).hexdigest()
    assert (b.mime, b.size, b.width, b.height) == ("image/png", len(data), 640, 480)
    assert store._conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 1
    path = store.attachment_path(a.hash)
    assert path == store.attachments_dir / a.hash[:2] / a.hash[2:]
    assert path.read_bytes() == data == store.read_attachment(a.hash)
    assert files_under(store.attachments_dir) == [path]  # no temporary files left behind
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    other = store.put_attachment(b"other", "image/jpeg")
    assert other.hash != a.hash and len(files_under(store.attachments_dir)) == 2
    assert store.get_attachment(a.hash) == a
    assert store.get_attachment("f" * 64) is None
    with pytest.raises(NotFoundError):
        store.read_attachment("f" * 64)
    with pytest.raises(ValueError):
        store.put_attachment(b"x", "")
    with pytest.raises(ValueError):
        store.attachment_path("../../etc/passwd")


def test_attachments_dir_defaults_beside_the_database(store: Store, db_path: Path) -> None:
    assert store.attachments_dir == db_path.parent / "attachments"


def test_a_missing_file_is_rewritten_on_put(store: Store) -> None:
    a = store.put_attachment(b"bytes", "image/png")
    store.attachment_path(a.hash).unlink()
    store.put_attachment(b"bytes", "image/png")
    assert store.read_attachment(a.hash) == b"bytes"


def test_unknown_image_in_a_message_is_refused(store: Store) -> None:
    c = store.create_conversation()
    with pytest.raises(NotFoundError):
        store.append_message(c.id, Role.USER, [image_part("a" * 64)])
    assert store.count_messages(c.id) == 0


def test_refcount_follows_messages_and_frees_the_last_user(store: Store, clock: Clock) -> None:
    c = store.create_conversation()
    att = store.put_attachment(b"shared picture", "image/jpeg")
    first = store.append_message(c.id, Role.USER, [{"type": "text", "text": "look"}, image_part(att.hash)])
    second = store.append_message(c.id, Role.USER, [image_part(att.hash), image_part(att.hash)])  # twice in one: one link
    assert first.attachment_hashes == [att.hash] and second.attachment_hashes == [att.hash]
    assert store.attachment_refcount(att.hash) == 2
    clock.advance(GRACE + 1)

    store.delete_message(first.id)
    assert store.attachment_refcount(att.hash) == 1
    assert store.attachment_path(att.hash).exists()
    store.delete_message(second.id)
    assert store.attachment_refcount(att.hash) == 0
    assert store.get_attachment(att.hash) is None
    assert not store.attachment_path(att.hash).exists()


def test_truncate_and_purge_free_attachments(store: Store, clock: Clock) -> None:
    c = store.create_conversation()
    q = store.append_message(c.id, Role.USER, "draw a cat")
    cat = store.put_attachment(b"cat image", "image/png")
    store.append_message(c.id, Role.ASSISTANT, [{"type": "text", "text": "here"}, image_part(cat.hash)])
    d = store.create_conversation()
    dog = store.put_attachment(b"dog image", "image/png")
    store.append_message(d.id, Role.USER, [image_part(dog.hash)])
    clock.advance(GRACE + 1)

    store.truncate_after(q.id)  # regenerate: the old reply's image goes
    assert store.get_attachment(cat.hash) is None and not store.attachment_path(cat.hash).exists()
    store.delete_conversation(d.id)  # a soft delete keeps everything, for Undo
    assert store.attachment_path(dog.hash).exists()
    store.purge_deleted()
    assert store.get_attachment(dog.hash) is None and not store.attachment_path(dog.hash).exists()


def test_editing_an_image_out_frees_it(store: Store, clock: Clock) -> None:
    c = store.create_conversation()
    old, new = store.put_attachment(b"old", "image/png"), store.put_attachment(b"new", "image/png")
    m = store.append_message(c.id, Role.USER, [image_part(old.hash)])
    clock.advance(GRACE + 1)
    store.edit_message(m.id, [image_part(new.hash), {"type": "text", "text": "use this one"}])
    assert store.get_attachment(old.hash) is None
    assert store.attachment_refcount(new.hash) == 1


def test_returned_images_are_linked_to_the_reply(store: Store, clock: Clock) -> None:
    c = store.create_conversation()
    reply = store.append_message(c.id, Role.ASSISTANT, state="streaming")
    url = "https://cdn.example/generated.png"
    store.update_streaming(reply.id, f"Here you go: ![cat]({url})")
    kept = store.put_attachment(b"downloaded png", "image/png", width=1024, height=1024)
    content = [{"type": "text", "text": f"Here you go: ![cat]({url})"}, image_part(kept.hash, source_url=url, alt="cat")]
    done = store.finish_message(reply.id, content=content, finish_reason="stop")
    assert done.images == [{"type": "image", "hash": kept.hash, "source_url": url, "alt": "cat"}]
    assert store.attachment_refcount(kept.hash) == 1
    clock.advance(GRACE + 1)
    assert store.collect_garbage() == 0
    assert store.read_attachment(kept.hash) == b"downloaded png"


def test_drafts_keep_their_images(store: Store, clock: Clock) -> None:
    c = store.create_conversation()
    att = store.put_attachment(b"pasted", "image/png")
    store.save_draft(c.id, "", [image_part(att.hash, detail="auto")])
    assert store.attachment_refcount(att.hash) == 1
    clock.advance(GRACE + 1)
    assert store.collect_garbage() == 0
    assert store.get_attachment(att.hash) is not None
    store.save_draft(c.id, "", [])  # removed from the composer
    store.collect_garbage()
    assert store.get_attachment(att.hash) is None and not store.attachment_path(att.hash).exists()


def test_fresh_attachments_survive_a_release(store: Store, clock: Clock) -> None:
    """The composer holds a hash before any draft does: just-put bytes are safe for a while."""
    c = store.create_conversation()
    att = store.put_attachment(b"same image", "image/png")
    m = store.append_message(c.id, Role.USER, [image_part(att.hash)])
    clock.advance(GRACE + 1)
    store.put_attachment(b"same image", "image/png")  # pasted again into the composer
    store.delete_message(m.id)
    assert store.get_attachment(att.hash) is not None
    store.append_message(c.id, Role.USER, [image_part(att.hash)])  # sent again: still there
    assert store.read_attachment(att.hash) == b"same image"


def test_collect_garbage_removes_unused_rows_and_stray_files(store: Store, clock: Clock) -> None:
    c = store.create_conversation()
    used = store.put_attachment(b"used", "image/png")
    store.append_message(c.id, Role.USER, [image_part(used.hash)])
    unused = store.put_attachment(b"attached then removed", "image/png")
    assert store.collect_garbage() == 0
    assert store.get_attachment(unused.hash) is not None  # within the grace period
    clock.advance(GRACE + 1)

    orphan_hash = hashlib.sha256(b"crash between file and row").hexdigest()
    orphan = store.attachments_dir / orphan_hash[:2] / orphan_hash[2:]
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"crash between file and row")
    tmp = store.attachments_dir / used.hash[:2] / ".tmp-leftover"
    tmp.write_bytes(b"half")
    fresh_tmp = store.attachments_dir / used.hash[:2] / ".tmp-being-written"
    fresh_tmp.write_bytes(b"now")
    for path in (orphan, tmp):
        os.utime(path, (0, 0))  # older than the grace period
    fresh_tmp_time = clock.now + 10
    os.utime(fresh_tmp, (fresh_tmp_time, fresh_tmp_time))

    removed = store.collect_garbage()
    assert store.get_attachment(unused.hash) is None
    assert not store.attachment_path(unused.hash).exists()
    assert not orphan.exists() and not tmp.exists() and fresh_tmp.exists()
    assert store.read_attachment(used.hash) == b"used"
    assert removed == 3  # the unused attachment and the two stray files


def test_rolled_back_delete_keeps_the_file(store: Store, clock: Clock) -> None:
    c = store.create_conversation()
    att = store.put_attachment(b"precious", "image/png")
    m = store.append_message(c.id, Role.USER, [image_part(att.hash)])
    clock.advance(GRACE + 1)
    with pytest.raises(RuntimeError):
        with store.batch():
            store.delete_message(m.id)
            raise RuntimeError("undo everything")
    assert store.read_attachment(att.hash) == b"precious"
    assert store.attachment_refcount(att.hash) == 1
