"""The gallery: files and rows together, search by prompt, delete with undo, prompt history, schema v2."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from app.store import MIGRATIONS, AsyncStore, Store, migrate
from app.store.gallery import PROMPT_HISTORY_LIMIT, AsyncGallery, Gallery, Operation, images_dir
from app.store.schema import user_version
from tests.unit.store import Clock, clock, db_path, store  # noqa: F401


def png(color: tuple[int, int, int], size: tuple[int, int] = (8, 4)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def gallery(store: Store, tmp_path: Path) -> Gallery:
    return Gallery(store, images_dir(tmp_path / "data"))


def add(gallery: Gallery, prompt: str, color: tuple[int, int, int] = (1, 2, 3), **kw: object) -> object:
    return gallery.add(png(color), mime="image/png", width=8, height=4, operation=kw.pop("operation", "generate"),
                       prompt=prompt, **kw)  # type: ignore[arg-type]


def test_add_writes_the_file_then_the_row(gallery: Gallery, clock: Clock) -> None:
    data = png((200, 10, 10))
    image = gallery.add(
        data, mime="image/png", width=8, height=4, operation=Operation.GENERATE, prompt="a red fox",
        revised_prompt="A fox, red", model="dall-e-3", profile_id="default",
        parameters={"size": "1024x1024", "quality": "hd"},
    )
    path = gallery.path(image)
    assert path.read_bytes() == data
    assert path.parent.parent == gallery.root
    assert path.name.endswith(".png") and image.hash[:12] in path.name
    assert (image.prompt, image.revised_prompt, image.model, image.operation) == ("a red fox", "A fox, red", "dall-e-3", Operation.GENERATE)
    assert image.parameters == {"size": "1024x1024", "quality": "hd"}
    assert (image.width, image.height, image.size, image.mime) == (8, 4, len(data), "image/png")
    assert image.created_at == clock.now and image.deleted_at is None
    assert gallery.get(image.id) == image
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_same_bytes_twice_get_two_files(gallery: Gallery) -> None:
    first = add(gallery, "same")
    second = add(gallery, "same")
    assert first.file != second.file  # type: ignore[attr-defined]
    assert gallery.path(first).is_file() and gallery.path(second).is_file()  # type: ignore[arg-type]


def test_list_is_newest_first_and_pages(gallery: Gallery, clock: Clock) -> None:
    ids = []
    for number in range(5):
        clock.advance()
        ids.append(add(gallery, f"picture {number}").id)  # type: ignore[attr-defined]
    assert [i.id for i in gallery.list()] == ids[::-1]
    assert [i.id for i in gallery.list(offset=1, limit=2)] == ids[3:1:-1]
    assert gallery.count() == 5


def test_search_by_prompt_and_revised_prompt(gallery: Gallery, clock: Clock) -> None:
    fox = add(gallery, "A red FOX in snow")
    clock.advance()
    cat = add(gallery, "一只猫在屋顶上", revised_prompt="A cat on a roof")
    clock.advance()
    odd = add(gallery, "100% pure_water")
    assert [i.id for i in gallery.list("fox")] == [fox.id]  # type: ignore[attr-defined]
    assert [i.id for i in gallery.list("red snow")] == [fox.id]  # type: ignore[attr-defined]
    assert gallery.list("red cat") == []
    assert [i.id for i in gallery.list("猫")] == [cat.id]  # one Chinese character is enough
    assert [i.id for i in gallery.list("roof")] == [cat.id]  # type: ignore[attr-defined]
    assert [i.id for i in gallery.list("%")] == [odd.id]  # LIKE wildcards are literal
    assert [i.id for i in gallery.list("pur_")] == []
    assert gallery.count("fox") == 1
    assert fox.matches("red snow") and not fox.matches("cat")  # type: ignore[attr-defined]


def test_delete_restore_purge(gallery: Gallery, clock: Clock) -> None:
    keep = add(gallery, "keep")
    gone = add(gallery, "gone")
    assert gallery.delete([gone.id, gone.id]) == [gone.id]  # type: ignore[attr-defined]
    assert [i.id for i in gallery.list()] == [keep.id]  # type: ignore[attr-defined]
    assert gallery.path(gone).is_file()  # type: ignore[arg-type]
    assert [i.id for i in gallery.restore([gone.id])] == [gone.id]  # type: ignore[attr-defined]
    assert gallery.count() == 2
    assert gallery.purge([gone.id]) == []  # type: ignore[attr-defined]  # not deleted: purge refuses
    gallery.delete([gone.id])  # type: ignore[attr-defined]
    purged = gallery.purge([gone.id])  # type: ignore[attr-defined]
    assert [i.id for i in purged] == [gone.id]  # type: ignore[attr-defined]
    assert not gallery.path(gone).exists()  # type: ignore[arg-type]
    assert gallery.get(gone.id) is None  # type: ignore[attr-defined]
    assert gallery.hash_in_use(keep.hash)  # type: ignore[attr-defined]


def test_purge_deleted_finishes_interrupted_deletions(gallery: Gallery, clock: Clock) -> None:
    old = add(gallery, "old")
    gallery.delete([old.id])  # type: ignore[attr-defined]
    clock.advance(60)
    recent = add(gallery, "recent")
    gallery.delete([recent.id])  # type: ignore[attr-defined]
    assert [i.id for i in gallery.purge_deleted(before=clock.now - 30)] == [old.id]  # type: ignore[attr-defined]
    assert [i.id for i in gallery.list_deleted()] == [recent.id]  # type: ignore[attr-defined]
    assert [i.id for i in gallery.purge_deleted()] == [recent.id]  # type: ignore[attr-defined]


def test_source_link_survives_the_source_being_purged(gallery: Gallery) -> None:
    source = add(gallery, "source")
    edit = add(gallery, "edited", operation="edit", source_id=source.id, source_name="photo.png")  # type: ignore[attr-defined]
    assert edit.source_id == source.id  # type: ignore[attr-defined]
    gallery.delete([source.id])  # type: ignore[attr-defined]
    gallery.purge([source.id])  # type: ignore[attr-defined]
    again = gallery.get(edit.id)  # type: ignore[attr-defined]
    assert again is not None and again.source_id is None and again.source_name == "photo.png"
    # A source purged before the result arrives is dropped, not a foreign-key failure.
    late = add(gallery, "late", operation="variation", source_id=source.id)  # type: ignore[attr-defined]
    assert late.source_id is None  # type: ignore[attr-defined]


def test_bad_rows_are_refused_and_leave_no_file(gallery: Gallery) -> None:
    with pytest.raises(ValueError):
        gallery.add(png((1, 1, 1)), mime="image/png", width=8, height=4, operation="paint")
    with pytest.raises(sqlite3.IntegrityError):
        gallery.add(png((1, 1, 1)), mime="image/png", width=0, height=4, operation="generate")
    assert gallery.count() == 0
    assert not any(p.is_file() for p in gallery.root.rglob("*")) if gallery.root.exists() else True


def test_prompt_history(gallery: Gallery, clock: Clock) -> None:
    for prompt in ("one", "two", "  one  ", "", "three"):
        clock.advance()
        gallery.remember_prompt(prompt)
    assert gallery.prompt_history() == ["three", "one", "two"]
    assert gallery.prompt_history(limit=1) == ["three"]
    for number in range(PROMPT_HISTORY_LIMIT + 5):
        clock.advance()
        gallery.remember_prompt(f"p{number}")
    history = gallery.prompt_history(limit=1000)
    assert len(history) == PROMPT_HISTORY_LIMIT and history[0] == f"p{PROMPT_HISTORY_LIMIT + 4}"


def test_gallery_survives_closing_and_reopening(db_path: Path, tmp_path: Path) -> None:
    root = images_dir(tmp_path / "data")
    with Store(db_path) as first:
        image = Gallery(first, root).add(png((9, 9, 9)), mime="image/png", width=8, height=4,
                                         operation="variation", prompt="", parameters={"n": 2})
        Gallery(first, root).remember_prompt("kept prompt")
    with Store(db_path) as second:
        again = Gallery(second, root)
        assert again.list() == [image]
        assert again.prompt_history() == ["kept prompt"]
        assert again.path(image).read_bytes() == png((9, 9, 9))


def test_migration_from_version_1_keeps_chats_and_adds_the_gallery(db_path: Path, tmp_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path, isolation_level=None)
    migrate(conn, target=1)
    conn.execute("INSERT INTO conversations (uid, title, created_at, updated_at) VALUES ('u', 'chat', 1, 1)")
    conn.close()
    with Store(db_path) as s:
        assert s.schema_version == MIGRATIONS[-1].version >= 2
        assert [c.title for c in s.list_conversations()] == ["chat"]
        gallery = Gallery(s, images_dir(tmp_path / "data"))
        add(gallery, "after the upgrade")
        assert gallery.count() == 1
    conn = sqlite3.connect(db_path)
    assert user_version(conn) == MIGRATIONS[-1].version
    conn.close()


def test_async_gallery_runs_on_the_store_thread(db_path: Path, tmp_path: Path) -> None:
    async def scenario() -> None:
        store = await AsyncStore.open(db_path)
        try:
            gallery = AsyncGallery(store, images_dir(tmp_path / "data"))
            image = await gallery.add(png((5, 5, 5)), mime="image/png", width=8, height=4, operation="edit",
                                      prompt="async")
            await gallery.remember_prompt("async")
            assert [i.id for i in await gallery.list("async")] == [image.id]
            assert await gallery.count() == 1
            assert await gallery.prompt_history() == ["async"]
            assert await gallery.delete([image.id]) == [image.id]
            assert await gallery.restore([image.id]) == [image]
            await gallery.delete([image.id])
            assert [i.id for i in await gallery.purge_deleted()] == [image.id]
            assert not gallery.path(image).exists()
            assert await gallery.get(image.id) is None
        finally:
            await store.close()

    asyncio.run(scenario())
