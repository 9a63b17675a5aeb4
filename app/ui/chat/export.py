"""Export and import actions: "Export conversation…", "Export all conversations…", "Import conversations…".

:class:`ExportActions` gives the three ``QAction``s for the chat tab's menu or toolbar and the main
window's File menu. Each asks for a file, then does the work off the UI thread: the store builds the
Markdown or JSON on its own thread (``AsyncStore.run``), and the file is written (to a temporary
name, then renamed, so a failure never leaves half a file under the chosen name) or read in a worker
thread. Results and failures go to ``context.notifier``; after an import, ``conversations_imported``
carries the new conversations' ids so the sidebar can show them.

The format follows the file dialog's filter (or the name's extension): Markdown to read or share,
JSON to restore later — with images — through "Import conversations…". See ``app.store.export``.

The store is ``context.store`` unless ``store=`` or :meth:`ExportActions.set_store` gives another;
while there is none (the database could not be opened) the actions are disabled.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from app.atomic import write_atomically
from app.store import AsyncStore, Store, StoreError
from app.store.export import (
    ExportFormatError,
    ImportReport,
    MarkdownLabels,
    dumps_export,
    export_json,
    export_markdown,
    import_json,
    read_export_file,
)
from app.ui.context import AppContext

__all__ = ["FORMAT_JSON", "FORMAT_MARKDOWN", "ExportActions"]

log = logging.getLogger(__name__)

FORMAT_MARKDOWN = "markdown"
FORMAT_JSON = "json"
_DIR_KEY = "chat/export_dir"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')


def _file_name(title: str, fallback: str) -> str:
    """A file name from a title: no path separators or characters Windows refuses, not too long."""
    name = _UNSAFE.sub(" ", title)
    name = " ".join(name.split()).strip(" .")[:60].rstrip(" .")
    return name or fallback


def _write_atomic(path: Path, text: str) -> None:
    write_atomically(path, text)


class ExportActions(QObject):
    """The export/import actions of the chat tab, and the work behind them."""

    #: Conversations were imported: their local ids, in the file's order.
    conversations_imported = Signal(list)
    #: An export or import ended; the argument is what the user was told ("" when cancelled).
    finished = Signal(str)

    def __init__(self, context: AppContext, parent: QObject | None = None, *, store: AsyncStore | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._store = store if store is not None else context.store
        self._current: int | None = None
        self._pending_ids: list[int] | None = None
        self._busy = False
        self._job = context.tasks.holder("chat.export")
        self.dialog: QFileDialog | None = None  # the file dialog open now, if any (tests drive it)

        self.export_conversation_action = QAction(self.tr("Export conversation…"), self)
        self.export_conversation_action.setObjectName("export_conversation_action")
        self.export_conversation_action.setToolTip(self.tr("Save this conversation as Markdown or JSON"))
        self.export_conversation_action.triggered.connect(self._on_export_conversation)
        self.export_all_action = QAction(self.tr("Export all conversations…"), self)
        self.export_all_action.setObjectName("export_all_action")
        self.export_all_action.setToolTip(self.tr("Save every conversation in one Markdown or JSON file"))
        self.export_all_action.triggered.connect(self._on_export_all)
        self.import_action = QAction(self.tr("Import conversations…"), self)
        self.import_action.setObjectName("import_action")
        self.import_action.setToolTip(self.tr("Restore conversations from a Parla JSON export"))
        self.import_action.triggered.connect(self._on_import)
        self._update_actions()

    # -- the agreed interface --------------------------------------------------------------------

    def actions(self) -> list[QAction]:
        return [self.export_conversation_action, self.export_all_action, self.import_action]

    def set_store(self, store: AsyncStore | None) -> None:
        self._store = store
        self._update_actions()

    def set_current_conversation(self, conversation_id: int | None) -> None:
        """The conversation "Export conversation…" saves (None: the action is disabled)."""
        self._current = conversation_id
        self._update_actions()

    def is_busy(self) -> bool:
        return self._busy

    def export_to(self, path: Path | str, conversation_ids: list[int] | None, fmt: str) -> asyncio.Task[None]:
        """Export without a dialog (``None``: every conversation); the dialogs end up here."""
        if fmt not in (FORMAT_MARKDOWN, FORMAT_JSON):
            raise ValueError(f"unknown export format {fmt!r}")
        self._set_busy(True)
        return self._job.start(self._export(Path(path), conversation_ids, fmt))

    def import_from(self, path: Path | str) -> asyncio.Task[None]:
        """Import without a dialog; the dialog ends up here."""
        self._set_busy(True)
        return self._job.start(self._import(Path(path)))

    # -- dialogs ---------------------------------------------------------------------------------

    def _dialog_parent(self) -> QWidget | None:
        parent = self.parent()
        if isinstance(parent, QWidget):
            return parent.window()
        return QApplication.activeWindow()

    def _start_dir(self) -> str:
        raw = self._context.window_state.bytes_value(_DIR_KEY)
        if raw is not None:
            folder = bytes(raw.data()).decode("utf-8", "replace")
            if Path(folder).is_dir():
                return folder
        return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())

    def _remember_dir(self, path: Path) -> None:
        self._context.window_state.set_bytes_value(_DIR_KEY, str(path.parent).encode("utf-8"))

    def _filters(self) -> dict[str, str]:
        return {
            self.tr("Markdown (*.md)"): FORMAT_MARKDOWN,
            self.tr("JSON, restorable with Import (*.json)"): FORMAT_JSON,
        }

    def _open_save_dialog(self, caption: str, name: str, conversation_ids: list[int] | None) -> None:
        dialog = QFileDialog(self._dialog_parent(), caption, str(Path(self._start_dir()) / f"{name}.md"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilters(list(self._filters()))
        dialog.setDefaultSuffix("md")
        # Bound methods with the pending choice kept here, not closures: nothing holds the dialog.
        dialog.filterSelected.connect(self._on_filter_selected)
        dialog.fileSelected.connect(self._on_export_file_selected)
        dialog.destroyed.connect(self._on_dialog_destroyed)
        self._pending_ids = conversation_ids
        self.dialog = dialog
        dialog.open()

    @Slot(str)
    def _on_filter_selected(self, selected: str) -> None:
        if self.dialog is not None:
            self.dialog.setDefaultSuffix("json" if self._filters().get(selected) == FORMAT_JSON else "md")

    @Slot(str)
    def _on_export_file_selected(self, file: str) -> None:
        path = Path(file)
        suffix = path.suffix.lower()
        if suffix == ".json":
            fmt = FORMAT_JSON
        elif suffix in (".md", ".markdown", ".txt"):
            fmt = FORMAT_MARKDOWN
        else:
            selected = self.dialog.selectedNameFilter() if self.dialog is not None else ""
            fmt = self._filters().get(selected, FORMAT_MARKDOWN)
        self._remember_dir(path)
        self.export_to(path, self._pending_ids, fmt)

    @Slot()
    def _on_dialog_destroyed(self) -> None:
        self.dialog = None

    @Slot()
    def _on_export_conversation(self) -> None:
        if self._store is None or self._current is None:
            return
        self._job.start(self._ask_export_conversation(self._current))

    async def _ask_export_conversation(self, conversation_id: int) -> None:
        assert self._store is not None
        try:
            conversation = await self._store.get_conversation(conversation_id)
        except StoreError as exc:
            self._context.notifier.error(exc)
            return
        if conversation is None:
            self._context.notifier.error(self.tr("This conversation no longer exists."))
            return
        name = _file_name(conversation.title, self.tr("conversation"))
        self._open_save_dialog(self.tr("Export conversation"), name, [conversation_id])

    @Slot()
    def _on_export_all(self) -> None:
        if self._store is None:
            return
        self._open_save_dialog(self.tr("Export all conversations"), self.tr("Parla conversations"), None)

    @Slot()
    def _on_import(self) -> None:
        if self._store is None:
            return
        dialog = QFileDialog(self._dialog_parent(), self.tr("Import conversations"), self._start_dir())
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([self.tr("Parla JSON export (*.json)"), self.tr("All files (*)")])
        dialog.fileSelected.connect(self._on_import_file_selected)
        dialog.destroyed.connect(self._on_dialog_destroyed)
        self.dialog = dialog
        dialog.open()

    @Slot(str)
    def _on_import_file_selected(self, file: str) -> None:
        self._remember_dir(Path(file))
        self.import_from(file)

    # -- the work --------------------------------------------------------------------------------

    def _markdown_labels(self) -> MarkdownLabels:
        return MarkdownLabels(
            user=self.tr("User"),
            assistant=self.tr("Assistant"),
            system=self.tr("System"),
            tool=self.tr("Tool"),
            untitled=self.tr("New chat"),
            model=self.tr("Model"),
            created=self.tr("Created"),
            system_prompt=self.tr("System prompt"),
            thinking=self.tr("Thinking"),
            tool_calls=self.tr("Tool calls"),
            tool_result=self.tr("Result of {id}"),
            image=self.tr("Image"),
            usage=self.tr("Tokens: {prompt} prompt · {completion} completion"),
            stopped=self.tr("Stopped before the end."),
            interrupted=self.tr("Interrupted."),
            error=self.tr("Error: {error}"),
            exported=self.tr("Exported from Parla on {date}"),
        )

    async def _export(self, path: Path, conversation_ids: list[int] | None, fmt: str) -> None:
        store = self._store
        message = ""
        try:
            if store is None:
                raise StoreError("no store")
            if fmt == FORMAT_JSON:

                def build(s: Store) -> tuple[str, int]:
                    data = export_json(s, conversation_ids)
                    return dumps_export(data), len(data["conversations"])

            else:
                labels = self._markdown_labels()

                def build(s: Store) -> tuple[str, int]:
                    count = len(conversation_ids) if conversation_ids is not None else len(s.list_conversations())
                    return export_markdown(s, conversation_ids, labels=labels), count

            text, count = await store.run(build)
            await asyncio.to_thread(_write_atomic, path, text)
        except (StoreError, OSError) as exc:
            log.info("export failed: %s", type(exc).__name__)
            message = self._context.notifier.error(exc)
        else:
            log.info("exported %d conversation(s) as %s", count, fmt)
            if count == 1:
                message = self.tr("Exported 1 conversation to {path}.").format(path=str(path))
            else:
                message = self.tr("Exported {count} conversations to {path}.").format(count=count, path=str(path))
            self._context.notifier.info(message)
        finally:
            self._set_busy(False)
        self.finished.emit(message)

    async def _import(self, path: Path) -> None:
        try:
            message = await self._import_file(path)
        finally:
            self._set_busy(False)
        self.finished.emit(message)

    async def _import_file(self, path: Path) -> str:
        store = self._store
        try:
            if store is None:
                raise StoreError("no store")
            data = await asyncio.to_thread(read_export_file, path)
            report = await store.run(lambda s: import_json(s, data))
        except (StoreError, OSError) as exc:  # ExportFormatError is a StoreError
            if not isinstance(exc, ExportFormatError):
                log.info("import failed: %s", type(exc).__name__)
            return self._context.notifier.error(exc)
        log.info("import: %d imported, %d skipped, %d refused", report.imported, report.skipped, len(report.errors))
        message = self._import_message(report)
        if message:
            self._context.notifier.info(message)
        if report.errors:
            problem = report.errors[0]
            if len(report.errors) == 1:
                warning = self.tr("1 conversation in the file could not be imported ({title}): {reason}")
            else:
                warning = self.tr("{count} conversations in the file could not be imported. The first ({title}): {reason}")
            title = problem.title or self.tr("number {number}").format(number=problem.index + 1)
            warning = warning.format(count=len(report.errors), title=title, reason=problem.reason)
            self._context.notifier.warn(warning)
            message = f"{message} {warning}".strip()
        if report.conversation_ids:
            self.conversations_imported.emit(list(report.conversation_ids))
        return message

    def _import_message(self, report: ImportReport) -> str:
        if report.imported == 0 and report.skipped == 0:
            return "" if report.errors else self.tr("The file holds no conversations.")
        if report.imported == 0:
            return self.tr("Nothing new to import: the {count} conversations of the file are already here.").format(
                count=report.skipped
            ) if report.skipped != 1 else self.tr("Nothing new to import: the conversation of the file is already here.")
        text = (self.tr("Imported 1 conversation.") if report.imported == 1
                else self.tr("Imported {count} conversations.").format(count=report.imported))
        if report.skipped:
            text += " " + (self.tr("1 was already here.") if report.skipped == 1
                           else self.tr("{count} were already here.").format(count=report.skipped))
        return text

    # -- state -----------------------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_actions()

    def _update_actions(self) -> None:
        ready = self._store is not None and not self._busy
        self.export_conversation_action.setEnabled(ready and self._current is not None)
        self.export_all_action.setEnabled(ready)
        self.import_action.setEnabled(ready)
