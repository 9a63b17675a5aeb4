"""The export and import actions: file dialogs, work off the UI thread, results through the notifier."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QLineEdit

from app.profiles import Profile
from app.store import AsyncStore, Role, image_part
from app.ui.chat.export import ExportActions
from app.ui.context import AppContext
from tests.ui.conftest import run

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))
SECRET = "sk-export-test-secret-0123456789abcdef"


class Messages:
    """What the notifier told the user."""

    def __init__(self, context: AppContext) -> None:
        self.infos: list[str] = []
        self.banners: list[tuple[str, str]] = []
        context.notifier.status_posted.connect(lambda text, _ms: self.infos.append(text))
        context.notifier.banner_posted.connect(lambda text, level: self.banners.append((level, text)))


@pytest.fixture
def open_store(qtbot: Any, qloop: Any, tmp_path: Path) -> Iterator[Callable[[str], AsyncStore]]:
    stores: list[AsyncStore] = []

    def open_(name: str) -> AsyncStore:
        store = run(qtbot, AsyncStore.open(tmp_path / name / "parla.sqlite3"))
        stores.append(store)
        return store

    yield open_
    for store in stores:
        run(qtbot, store.close())


async def _wait(future: Any) -> Any:
    return await future


def call(qtbot: Any, future: Any) -> Any:
    """The result of an AsyncStore call, from a sync test."""
    return run(qtbot, _wait(future))


def _fill(qtbot: Any, store: AsyncStore) -> list[int]:
    async def fill() -> list[int]:
        image = await store.put_attachment(PNG, "image/png", width=10, height=20)
        a = await store.create_conversation(title='翻译: "诗" / draft?', settings={"system_prompt": "你是翻译。"})
        await store.append_message(a.id, Role.USER, [{"type": "text", "text": "把这句话翻译成英文：你好，世界"},
                                                      image_part(image.hash)])
        await store.append_message(a.id, Role.ASSISTANT, "Hello, world", model="gpt-4o",
                                   usage={"prompt_tokens": 9, "completion_tokens": 3}, reasoning="简单。")
        b = await store.create_conversation()
        await store.append_message(b.id, Role.USER, "Second conversation")
        return [a.id, b.id]

    return run(qtbot, fill())


def _actions(qtbot: Any, context: AppContext, store: AsyncStore | None) -> tuple[ExportActions, Messages]:
    actions = ExportActions(dataclasses.replace(context, store=store))
    return actions, Messages(context)


def _choose(qtbot: Any, actions: ExportActions, path: Path, name_filter: str | None = None) -> None:
    qtbot.waitUntil(lambda: actions.dialog is not None and actions.dialog.isVisible(), timeout=5000)
    dialog = actions.dialog
    assert isinstance(dialog, QFileDialog)
    if name_filter is not None:
        match = next(f for f in dialog.nameFilters() if f.startswith(name_filter))
        dialog.selectNameFilter(match)
        dialog.filterSelected.emit(match)
    dialog.setDirectory(str(path.parent))
    # Typed, as a user would: selectFile() leaves a focused name field alone.
    name_field = dialog.findChild(QLineEdit, "fileNameEdit")
    name_field.setText(path.name)
    with qtbot.waitSignal(actions.finished, timeout=10000):
        dialog.accept()


def test_actions_follow_the_state(qtbot: Any, context: AppContext, open_store: Any) -> None:
    none, _ = _actions(qtbot, context, None)
    assert [a.isEnabled() for a in none.actions()] == [False, False, False]
    assert [a.text() for a in none.actions()] == ["Export conversation…", "Export all conversations…",
                                                  "Import conversations…"]
    actions, _ = _actions(qtbot, context, open_store("a"))
    assert [a.isEnabled() for a in actions.actions()] == [False, True, True]
    actions.set_current_conversation(3)
    assert actions.export_conversation_action.isEnabled()
    actions.set_current_conversation(None)
    assert not actions.export_conversation_action.isEnabled()


def test_export_one_conversation_as_json_then_import_it_elsewhere(
    qtbot: Any, context: AppContext, open_store: Any, tmp_path: Path
) -> None:
    source = open_store("source")
    ids = _fill(qtbot, source)
    actions, messages = _actions(qtbot, context, source)
    actions.set_current_conversation(ids[0])
    actions.export_conversation_action.trigger()
    qtbot.waitUntil(lambda: actions.dialog is not None, timeout=5000)
    # The suggested name is the title, made safe for every file system.
    assert actions.dialog.selectedFiles()[0].endswith("/翻译 诗 draft.md")
    target = tmp_path / "out" / "one"
    target.parent.mkdir()
    _choose(qtbot, actions, target, "JSON")
    written = target.with_suffix(".json")  # the filter's extension was added
    assert messages.infos == [f"Exported 1 conversation to {written}."]
    data = json.loads(written.read_text(encoding="utf-8"))
    assert data["format"] == "parla.conversations" and len(data["conversations"]) == 1
    assert list(tmp_path.joinpath("out").iterdir()) == [written]  # no temporary file left behind

    # The import side: a fresh store, through the Import dialog.
    fresh = open_store("fresh")
    importer, told = _actions(qtbot, context, fresh)
    imported: list[list[int]] = []
    importer.conversations_imported.connect(imported.append)
    importer.import_action.trigger()
    _choose(qtbot, importer, written)
    assert told.infos == ["Imported 1 conversation."] and told.banners == []
    (new_ids,) = imported
    messages_back = call(qtbot, fresh.messages(new_ids[0]))
    assert [m.text for m in messages_back] == ["把这句话翻译成英文：你好，世界", "Hello, world"]
    assert call(qtbot, fresh.read_attachment(messages_back[0].attachment_hashes[0])) == PNG
    assert messages_back[1].reasoning == "简单。" and messages_back[1].usage == {"prompt_tokens": 9, "completion_tokens": 3}

    # Importing the same file again changes nothing and says so.
    importer.import_from(written)
    qtbot.waitUntil(lambda: len(told.infos) == 2, timeout=10000)
    assert told.infos[-1] == "Nothing new to import: the conversation of the file is already here."
    assert len(call(qtbot, fresh.list_conversations())) == 1
    assert imported == [new_ids]


def test_export_all_as_markdown(qtbot: Any, context: AppContext, open_store: Any, tmp_path: Path) -> None:
    store = open_store("s")
    _fill(qtbot, store)
    actions, messages = _actions(qtbot, context, store)
    actions.export_all_action.trigger()
    _choose(qtbot, actions, tmp_path / "all", "Markdown")
    path = tmp_path / "all.md"
    assert messages.infos == [f"Exported 2 conversations to {path}."]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Second conversation\n")
    assert '# 翻译: "诗" / draft?' in text and "> 你是翻译。" in text and "## Assistant · gpt-4o · " in text
    assert "*Tokens: 9 prompt · 3 completion*" in text and "*[Image · image/png · 10×20 · sha256 " in text


def test_unusable_files_say_why_and_import_nothing(
    qtbot: Any, context: AppContext, open_store: Any, tmp_path: Path
) -> None:
    store = open_store("s")
    actions, messages = _actions(qtbot, context, store)
    cases = {
        "notes.json": ("I am not JSON", "The file cannot be imported: it is not a JSON file."),
        "other.json": ('{"chats": []}', "The file cannot be imported: it is not a conversation export from Parla."),
        "future.json": ('{"format": "parla.conversations", "version": 9, "conversations": []}',
                        "The file was exported by a newer version of Parla — update Parla to import it."),
        "broken.json": ('{"format": "parla.conversations", "version": 1, "conversations": 5}',
                        'The file cannot be imported: it is damaged ("conversations" is not a list). Nothing was imported.'),
    }
    for name, (content, expected) in cases.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        with qtbot.waitSignal(actions.finished, timeout=10000) as blocker:
            actions.import_from(tmp_path / name)
        assert blocker.args == [expected]
        assert messages.banners[-1] == ("error", expected)
    with qtbot.waitSignal(actions.finished, timeout=10000) as blocker:
        actions.import_from(tmp_path / "missing.json")
    assert blocker.args[0].startswith("File not found:")
    assert call(qtbot, store.list_conversations()) == [] and messages.infos == []


def test_some_bad_conversations_are_reported_beside_the_good_ones(
    qtbot: Any, context: AppContext, open_store: Any, tmp_path: Path
) -> None:
    good = {"uid": "good", "title": "Good one", "created_at": 1.0, "messages": [
        {"role": "user", "content": [{"type": "text", "text": "hi"}], "created_at": 1.0}]}
    bad = {"uid": "bad", "title": "坏的", "created_at": 1.0, "messages": [{"role": "narrator", "created_at": 1.0}]}
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps({"format": "parla.conversations", "version": 1, "conversations": [good, bad]}),
                    encoding="utf-8")
    store = open_store("s")
    actions, messages = _actions(qtbot, context, store)
    with qtbot.waitSignal(actions.finished, timeout=10000):
        actions.import_from(path)
    assert messages.infos == ["Imported 1 conversation."]
    warning = "1 conversation in the file could not be imported (坏的): message 1: role 'narrator' is unknown"
    assert messages.banners == [("warning", warning)]
    assert [c.title for c in call(qtbot, store.list_conversations())] == ["Good one"]


def test_no_token_or_profile_secret_in_an_export(
    qtbot: Any, make_context: Any, open_store: Any, tmp_path: Path, vault: Any
) -> None:
    profile = Profile(id="work", name="Work", base_url="https://relay.secret-host.example/v1", proxy_url="socks5://u:p@proxy")
    vault.set("work", SECRET)
    context = make_context(profiles=[profile])
    store = open_store("s")
    _fill(qtbot, store)
    call(qtbot, store.create_conversation(profile_id="work", settings={"api_key": SECRET}))
    actions, _ = _actions(qtbot, context, store)
    for name, fmt in (("all.json", "json"), ("all.md", "markdown")):
        with qtbot.waitSignal(actions.finished, timeout=10000):
            actions.export_to(tmp_path / name, None, fmt)
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert SECRET not in text and "secret-host" not in text and "u:p@proxy" not in text


def test_a_write_failure_leaves_no_file(qtbot: Any, context: AppContext, open_store: Any, tmp_path: Path) -> None:
    store = open_store("s")
    _fill(qtbot, store)
    actions, messages = _actions(qtbot, context, store)
    with qtbot.waitSignal(actions.finished, timeout=10000) as blocker:
        actions.export_to(tmp_path / "no-such-folder" / "x.json", None, "json")
    assert blocker.args[0].startswith("File not found:")
    assert messages.banners and messages.banners[-1][0] == "error"
    assert not (tmp_path / "no-such-folder").exists()
    assert all(a.isEnabled() for a in actions.actions()[1:])  # ready again
