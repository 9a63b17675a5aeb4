"""The Images tab: generate, edit with a painted mask, and vary pictures; keep them in a gallery.

Left, the three request panels (Generate, Edit, Variations); right, the gallery grid or the viewer.
Requests run in cancellable tasks (one per panel, so a long generation does not block an edit),
and their pictures land in the gallery as each arrives. Everything slow — reading files, Pillow,
the store, the network — happens off the UI thread, and nothing is opened until the tab is first
shown (the main window builds the page on first use, too).

Hook for the Chat tab: :attr:`ImagesPage.send_to_chat_requested` carries the file path of a
gallery picture the user chose "Send to chat" for. The main window connects it to the chat
composer once that can take attachments; while nothing is connected, the page says so in the
status bar instead of doing nothing silently.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import SIGNAL, QBuffer, QByteArray, QIODevice, QMimeData, QModelIndex, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage, QImageReader, QPixmap, QShowEvent
from PySide6.QtWidgets import QFileDialog, QSplitter, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from app import imaging
from app.profiles import Capability
from app.store import AsyncStore
from app.store.gallery import GalleryImage, Operation
from app.ui.context import AppContext
from app.ui.errors import NoTokenError, user_message
from app.ui.images.actions import ImageAction
from app.ui.images.controller import UNDO_SECONDS, ImagesController
from app.ui.images.families import Family
from app.ui.images.gallery_view import GalleryPanel
from app.ui.images.jobs import ImageJob, JobResult, PaintedMask, SourceImage, run_job
from app.ui.images.panels import (
    EditPanel,
    GeneratePanel,
    RequestPanel,
    VariationPanel,
    describe_notes,
    join_sentences,
)
from app.ui.images.viewer import ImageViewer
from app.ui.tasks import TaskHolder

if TYPE_CHECKING:
    from app.api.client import Client

__all__ = ["ImagesPage"]

log = logging.getLogger(__name__)

_SPLITTER_KEY = "images/splitter"
_FILE_FILTER_SUFFIXES = "*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff"


def _read_source(path: Path, gallery_id: int | None = None) -> tuple[SourceImage, QImage]:
    """Worker thread: a picture file as an upright PNG source and the QImage the canvas shows."""
    data = path.read_bytes()
    return _source_from_bytes(data, path.name, gallery_id)


def _source_from_bytes(data: bytes, name: str, gallery_id: int | None = None) -> tuple[SourceImage, QImage]:
    png, info, notes = imaging.normalize_upload(data)
    image = QImage.fromData(png)
    if image.isNull():
        raise imaging.ImageFormatError("Qt could not decode the picture")
    return SourceImage(png, name, info.width, info.height, gallery_id, notes), image


def _qimage_png(image: QImage) -> bytes:
    """Worker thread: a pasted or dropped QImage as PNG bytes."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def _read_full(path: Path) -> QImage:
    """Worker thread: the whole picture for the viewer (turned upright if it carries EXIF)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    return reader.read()


def _save_copy(source: Path, dest: Path) -> None:
    """Worker thread: Save as — converted when the chosen name asks for another format."""
    if source.suffix.lower() == dest.suffix.lower() or not dest.suffix:
        shutil.copyfile(source, dest)
        return
    dest.write_bytes(imaging.convert_for_save(source.read_bytes(), dest.suffix))


class ImagesPage(QWidget):
    """The Images tab page (``TabPage``: Ctrl+2 focuses the prompt, Ctrl+Enter runs the current panel)."""

    #: "Send to chat" on a gallery picture: the path of its file, for the chat composer to attach.
    send_to_chat_requested = Signal(str)
    #: A request finished (the panel's operation value) — tests and the benchmark wait on it.
    request_finished = Signal(str)

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, store: AsyncStore | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("images_page")
        self._context = context
        self.controller = ImagesController(context, self, store=store)
        #: How folders are opened ("Show in folder"); tests replace it.
        self.open_url = QDesktopServices.openUrl
        prefs = context.preferences

        self.generate_panel = GeneratePanel(prefs, self)
        self.edit_panel = EditPanel(prefs, self)
        self.variation_panel = VariationPanel(prefs, self)
        self.panels: dict[Operation, RequestPanel] = {
            Operation.GENERATE: self.generate_panel,
            Operation.EDIT: self.edit_panel,
            Operation.VARIATION: self.variation_panel,
        }
        self.mode_tabs = QTabWidget(self)
        self.mode_tabs.setObjectName("images_modes")
        self.mode_tabs.setDocumentMode(True)
        # Mnemonics (Alt+G, Alt+E, Alt+R) switch the panel from anywhere on the page.
        self.mode_tabs.addTab(self.generate_panel, self.tr("&Generate"))
        self.mode_tabs.addTab(self.edit_panel, self.tr("&Edit"))
        self.mode_tabs.addTab(self.variation_panel, self.tr("Va&riations"))
        self.mode_tabs.setTabToolTip(0, self.tr("Make new pictures from a description (Alt+G)"))
        self.mode_tabs.setTabToolTip(1, self.tr("Change part of a picture: paint over it and describe the change (Alt+E)"))
        self.mode_tabs.setTabToolTip(2, self.tr("Make pictures like one you have (Alt+R)"))
        self.mode_tabs.tabBar().setAccessibleName(self.tr("What to do"))
        self.mode_tabs.tabBar().setToolTip(self.tr("Generate, edit or vary pictures"))

        self.gallery_panel = GalleryPanel(self.controller.model, self)
        self.viewer = ImageViewer(self)
        self.stage = QStackedWidget(self)
        self.stage.setObjectName("images_stage")
        self.stage.addWidget(self.gallery_panel)
        self.stage.addWidget(self.viewer)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("images_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.mode_tabs)
        self.splitter.addWidget(self.stage)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        state = context.window_state.bytes_value(_SPLITTER_KEY)
        if state is None or not self.splitter.restoreState(state):
            self.splitter.setSizes([460, 540])
        self.splitter.splitterMoved.connect(self._on_splitter_moved)

        tasks = context.tasks
        self._jobs: dict[Operation, TaskHolder] = {op: tasks.holder(f"images.{op.value}") for op in Operation}
        self._sources = tasks.holder("images.sources")
        self._preview = tasks.holder("images.preview")
        self._viewing = tasks.holder("images.viewer")
        self._file_work = tasks.holder("images.files")
        self._file_dialog: QFileDialog | None = None
        self._viewer_id: int | None = None
        self._cancel_reasons: dict[Operation, str] = {}

        # When the page goes (its window deleted), its tasks must not wake up into deleted widgets.
        holders = [*self._jobs.values(), self._sources, self._preview, self._viewing, self._file_work,
                   *self.controller.holders()]
        self.destroyed.connect(lambda *_args, held=holders: [holder.cancel() for holder in held])

        for operation, panel in self.panels.items():
            panel.run_requested.connect(lambda op=operation: self.run(op))
            panel.cancel_requested.connect(lambda op=operation: self.cancel(op))
        for panel in (self.edit_panel, self.variation_panel):
            panel.open_file_requested.connect(lambda p=panel: self._open_file_dialog(p))
            panel.paste_requested.connect(lambda p=panel: self.paste_into(p))
            panel.files_dropped.connect(lambda files, p=panel: self.load_files(p, [Path(f) for f in files]))
            panel.image_dropped.connect(lambda image, p=panel: self.load_qimage(p, image, self.tr("Dropped picture")))
        self.variation_panel.sources_changed.connect(self._refresh_variation_preview)
        self.variation_panel.family_changed.connect(self._refresh_variation_preview)

        controller = self.controller
        controller.history_changed.connect(self._on_history_changed)
        controller.models_changed.connect(self._on_models_changed)
        controller.gallery_failed.connect(self._on_gallery_failed)
        controller.gallery_loaded.connect(lambda: self.gallery_panel.set_message(None))
        controller.images_deleted.connect(lambda count: self.gallery_panel.undo_bar.show_deleted(count, UNDO_SECONDS))
        controller.images_restored.connect(lambda _count: self.gallery_panel.undo_bar.dismiss())
        self.gallery_panel.search_changed.connect(controller.search)
        self.gallery_panel.view.action_requested.connect(self._on_image_action)
        self.gallery_panel.undo_bar.undo_requested.connect(self._on_undo_requested)
        self.gallery_panel.undo_bar.expired.connect(controller.finish_delete)
        self.viewer.action_requested.connect(self._on_image_action)
        self.viewer.back_requested.connect(self.show_gallery)
        self.viewer.step_requested.connect(self._on_viewer_step)
        context.session.client_changed.connect(self._on_client_changed)
        self.gallery_panel.set_message(self.tr("Opening the gallery…"))
        self._apply_default_models()

    # -- TabPage ---------------------------------------------------------------------------------

    def focus_main_input(self) -> None:
        self.current_panel().focus_main_input()

    def trigger_main_action(self) -> None:
        panel = self.current_panel()
        if not panel.running:
            self.run(panel.operation)

    def current_panel(self) -> RequestPanel:
        widget = self.mode_tabs.currentWidget()
        assert isinstance(widget, RequestPanel)
        return widget

    def show_panel(self, operation: Operation) -> RequestPanel:
        panel = self.panels[operation]
        self.mode_tabs.setCurrentWidget(panel)
        return panel

    # -- start-up --------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self.ensure_started()

    def ensure_started(self) -> None:
        """Open the gallery and list the server's image models (the first time the tab is seen)."""
        if self.controller.started:
            return
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop yet (a test without one): nothing can start
        self.controller.start()
        self.controller.load_models()

    def _apply_default_models(self) -> None:
        profile_model = self._context.session.profile.model_for(Capability.IMAGE)
        for panel in self.panels.values():
            panel.set_default_model(profile_model)

    @Slot(list)
    def _on_history_changed(self, prompts: list[str]) -> None:
        for panel in (self.generate_panel, self.edit_panel):
            assert panel.prompt is not None
            panel.prompt.set_history(prompts)

    @Slot(list)
    def _on_models_changed(self, ids: list[str]) -> None:
        for panel in self.panels.values():
            panel.model_box.set_models(ids)

    @Slot(str)
    def _on_gallery_failed(self, text: str) -> None:
        self.gallery_panel.set_message(text)

    @Slot()
    def _on_client_changed(self) -> None:
        for operation, holder in self._jobs.items():
            if holder.is_running():
                self._cancel_reasons[operation] = self.tr("Cancelled: the profile changed.")
                holder.cancel()

    @Slot(int, int)
    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        self._context.window_state.set_bytes_value(_SPLITTER_KEY, self.splitter.saveState())

    # -- requests --------------------------------------------------------------------------------

    def run(self, operation: Operation) -> bool:
        """Start the panel's request if its inputs are complete; otherwise say what is missing."""
        panel = self.panels[operation]
        if panel.running:
            return False
        problem = self._missing_input(panel)
        if problem:
            panel.message.show_error(problem)
            return False
        try:
            client = self._context.session.require_client()
        except NoTokenError as exc:
            panel.message.show_error(user_message(exc))
            return False
        job = self._job(panel)
        panel.remember()
        panel.set_running(True)
        self.ensure_started()
        self._jobs[operation].start(self._execute(panel, job, client))
        return True

    def cancel(self, operation: Operation) -> None:
        self._jobs[operation].cancel()

    def _missing_input(self, panel: RequestPanel) -> str:
        if not panel.model_box.model():
            return self.tr("Choose or type a model first.")
        if panel.prompt is not None and not panel.prompt.text().strip():
            return self.tr("Write a prompt first.")
        if isinstance(panel, EditPanel):
            if not panel.sources:
                return self.tr("Choose the picture to edit first.")
            if len(panel.sources) > panel.option_set.max_images:
                return self.tr("This model edits one picture at a time: remove the others, or choose gpt-image-1.")
            if panel.family == Family.DALLE2 and not panel.canvas.has_painting():
                return self.tr("Paint over the part to change first: dall-e-2 edits only the painted area.")
        if isinstance(panel, VariationPanel) and not panel.sources:
            return self.tr("Choose a picture first.")
        return ""

    def _job(self, panel: RequestPanel) -> ImageJob:
        painted = None
        fit = imaging.Fit.CROP
        if isinstance(panel, EditPanel):
            canvas = panel.canvas
            if canvas.has_painting():
                width, height, data, stride = canvas.painted_bytes()
                painted = PaintedMask(width, height, data, stride)
            fit = panel.fit_choice.fit()
        elif isinstance(panel, VariationPanel):
            fit = panel.fit_choice.fit()
        sources = tuple(panel.sources) if isinstance(panel, (EditPanel, VariationPanel)) else ()
        return ImageJob(
            operation=panel.operation,
            model=panel.model_box.model(),
            prompt=panel.prompt.text().strip() if panel.prompt is not None else "",
            parameters=panel.parameters(),
            sources=sources,
            painted=painted,
            fit=fit,
            profile_id=self._context.session.active_id,
        )

    async def _execute(self, panel: RequestPanel, job: ImageJob, client: Client) -> None:
        notes: list[imaging.Note] = []

        def prepared(found: tuple[imaging.Note, ...]) -> None:
            notes.extend(found)
            if found:
                panel.message.show_info(describe_notes(found))

        try:
            gallery = await self.controller.gallery()
            if job.prompt and job.operation != Operation.VARIATION:
                self.controller.remember_prompt(job.prompt)
            result = await run_job(job, client, gallery, on_prepared=prepared, on_saved=self.controller.picture_saved)
        except asyncio.CancelledError:
            panel.set_running(False)
            reason = self._cancel_reasons.pop(job.operation, None)
            panel.message.show_info(reason or self.tr("Cancelled."))
            self.request_finished.emit(job.operation.value)
            raise
        except Exception as exc:
            seconds = panel.set_running(False)
            log.info("%s request failed after %.1f s: %s", job.operation.value, seconds, type(exc).__name__)
            # The prompt, the pictures and the mask stay as they are, for another try.
            panel.message.show_error(user_message(exc, model=job.model))
        else:
            seconds = panel.set_running(False)
            panel.message.show_info(self._success_words(result, seconds, notes))
        self.request_finished.emit(job.operation.value)

    def _success_words(self, result: JobResult, seconds: float, notes: list[imaging.Note]) -> str:
        saved = len(result.saved)
        if saved == 1:
            text = self.tr("1 picture added to the gallery in {seconds} s.").format(seconds=f"{seconds:.1f}")
        else:
            text = self.tr("{count} pictures added to the gallery in {seconds} s.").format(
                count=saved, seconds=f"{seconds:.1f}")
        parts = [text]
        if result.failures:
            parts.append(self.tr("{failed} of {total} could not be kept: {reason}").format(
                failed=len(result.failures), total=result.requested, reason=user_message(result.failures[0])))
        parts.append(describe_notes(notes))
        return join_sentences(parts)

    # -- pictures into Edit and Variations -------------------------------------------------------

    def _open_file_dialog(self, panel: RequestPanel) -> None:
        dialog = QFileDialog(self, self.tr("Choose a picture"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles if panel is self.edit_panel
                           else QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([self.tr("Pictures ({patterns})").format(patterns=_FILE_FILTER_SUFFIXES),
                               self.tr("All files (*)")])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(lambda files: self.load_files(panel, [Path(f) for f in files]))
        dialog.finished.connect(lambda _r: setattr(self, "_file_dialog", None))
        self._file_dialog = dialog
        dialog.open()

    def load_files(self, panel: RequestPanel, paths: Sequence[Path], gallery_ids: Sequence[int | None] = ()) -> asyncio.Task[None]:
        """Read picture files into the Edit or Variations panel (off the UI thread)."""
        ids = list(gallery_ids) or [None] * len(paths)
        return self._sources.start(self._load_sources(panel, [(path, gid) for path, gid in zip(paths, ids)]))

    def load_qimage(self, panel: RequestPanel, image: QImage, name: str) -> asyncio.Task[None]:
        return self._sources.start(self._load_qimage(panel, image, name))

    def paste_into(self, panel: RequestPanel) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        files = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()] if mime is not None else []
        if mime is not None and mime.hasImage():
            image = QImage(mime.imageData())
            if not image.isNull():
                self.load_qimage(panel, image, self.tr("Pasted picture"))
                return
        if files:
            self.load_files(panel, [Path(f) for f in files])
            return
        panel.message.show_error(self.tr("The clipboard holds no picture."))

    async def _load_sources(self, panel: RequestPanel, items: list[tuple[Path, int | None]]) -> None:
        for path, gallery_id in items:
            try:
                source, image = await asyncio.to_thread(_read_source, path, gallery_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                panel.message.show_error(self.tr("{name}: {reason}").format(name=path.name, reason=user_message(exc)))
                return
            self._add_source(panel, source, image)

    async def _load_qimage(self, panel: RequestPanel, image: QImage, name: str) -> None:
        try:
            png = await asyncio.to_thread(_qimage_png, image)
            source, shown = await asyncio.to_thread(_source_from_bytes, png, name)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            panel.message.show_error(user_message(exc))
            return
        self._add_source(panel, source, shown)

    def _add_source(self, panel: RequestPanel, source: SourceImage, image: QImage) -> None:
        if isinstance(panel, EditPanel):
            panel.add_source(source, image)
        elif isinstance(panel, VariationPanel):
            panel.set_source(source, image)
        if source.notes:
            panel.message.show_info(describe_notes(source.notes))
        elif panel.message.level != "error" or not panel.running:
            panel.message.clear_message()

    @Slot()
    def _refresh_variation_preview(self) -> None:
        panel = self.variation_panel
        if not panel.sources:
            self._preview.cancel()
            return
        self._preview.start(self._make_preview(panel.sources[0], panel.fit_choice.fit()))

    async def _make_preview(self, source: SourceImage, fit: imaging.Fit) -> None:
        panel = self.variation_panel
        try:
            prepared = await asyncio.to_thread(imaging.prepare_variation, source.png, fit)
            image = await asyncio.to_thread(QImage.fromData, prepared.png)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            panel.message.show_error(user_message(exc))
            return
        size = len(prepared.png)
        if size >= 1_000_000:
            amount = self.tr("{size} MB").format(size=f"{size / 1_000_000:.1f}")
        else:
            amount = self.tr("{size} KB").format(size=max(1, round(size / 1000)))
        info = self.tr("Sends a {width} × {height} PNG of {amount}.").format(
            width=prepared.size[0], height=prepared.size[1], amount=amount)
        panel.set_preview(image, join_sentences([info, describe_notes(prepared.notes)]))

    # -- gallery actions -------------------------------------------------------------------------

    @Slot(str, list)
    def _on_image_action(self, kind: str, images: list[GalleryImage]) -> None:
        if not images:
            return
        action = ImageAction(kind)
        first = images[0]
        root = self.controller.images_root
        if action == ImageAction.OPEN:
            self.open_viewer(first)
        elif action == ImageAction.SAVE_AS:
            self._ask_save_as(first)
        elif action == ImageAction.COPY:
            self._file_work.start(self.copy_to_clipboard(images))
        elif action == ImageAction.DELETE:
            self.delete_images(images)
        elif action == ImageAction.SHOW_IN_FOLDER:
            self.show_in_folder(first)
        elif action == ImageAction.REUSE_PROMPT:
            self.reuse_prompt(first)
        elif action == ImageAction.EDIT:
            panel = self.show_panel(Operation.EDIT)
            limit = max(1, self.edit_panel.option_set.max_images)
            chosen = images[:limit]
            self.edit_panel.clear_sources()  # Edit on gallery pictures starts a new edit with them
            self.load_files(panel, [image.path(root) for image in chosen], [image.id for image in chosen])
        elif action == ImageAction.VARY:
            panel = self.show_panel(Operation.VARIATION)
            self.load_files(panel, [first.path(root)], [first.id])
        elif action == ImageAction.SEND_TO_CHAT:
            if not self.receivers(SIGNAL("send_to_chat_requested(QString)")):
                self._context.notifier.info(self.tr("The Chat tab cannot take pictures yet."))
                return
            for image in images:
                self.send_to_chat_requested.emit(str(image.path(root)))

    def delete_images(self, images: Sequence[GalleryImage]) -> None:
        ids = {image.id for image in images}
        if self._viewer_id in ids and self.stage.currentWidget() is self.viewer:
            self.show_gallery()
        self.controller.delete(images)

    @Slot()
    def _on_undo_requested(self) -> None:
        self.gallery_panel.undo_bar.dismiss()
        self.controller.undo_delete()

    def show_in_folder(self, image: GalleryImage) -> bool:
        folder = image.path(self.controller.images_root).parent
        if not self.open_url(QUrl.fromLocalFile(str(folder))):
            self._context.notifier.error(self.tr("Could not open the folder {path}.").format(path=str(folder)))
            return False
        return True

    def reuse_prompt(self, image: GalleryImage) -> None:
        """Put the picture's prompt, model and options back where they can be sent again."""
        operation = Operation.EDIT if image.operation == Operation.EDIT else Operation.GENERATE
        panel = self.show_panel(operation)
        if image.model:
            panel.model_box.set_model(image.model)
        panel.apply_parameters(image.parameters)
        if panel.prompt is not None:
            panel.prompt.set_text(image.prompt)
        panel.message.clear_message()
        panel.focus_main_input()

    def _ask_save_as(self, image: GalleryImage) -> None:
        source = image.path(self.controller.images_root)
        dialog = QFileDialog(self, self.tr("Save picture as"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(source.name)
        dialog.setNameFilters([self.tr("Pictures ({patterns})").format(patterns="*.png *.jpg *.jpeg *.webp *.bmp"),
                               self.tr("All files (*)")])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self._file_work.start(self.save_as(image, Path(path))))
        dialog.finished.connect(lambda _r: setattr(self, "_file_dialog", None))
        self._file_dialog = dialog
        dialog.open()

    async def save_as(self, image: GalleryImage, dest: Path) -> bool:
        try:
            await asyncio.to_thread(_save_copy, image.path(self.controller.images_root), dest)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._context.notifier.error(user_message(exc))
            return False
        self._context.notifier.info(self.tr("Saved {name}.").format(name=dest.name))
        return True

    async def copy_to_clipboard(self, images: Sequence[GalleryImage]) -> bool:
        root = self.controller.images_root
        first = images[0].path(root)
        try:
            picture = await asyncio.to_thread(_read_full, first)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._context.notifier.error(user_message(exc))
            return False
        mime = QMimeData()
        if not picture.isNull():
            mime.setImageData(picture)
        mime.setUrls([QUrl.fromLocalFile(str(image.path(root))) for image in images])
        QGuiApplication.clipboard().setMimeData(mime)
        self._context.notifier.info(self.tr("Copied.") if len(images) == 1 else
                                    self.tr("{count} pictures copied.").format(count=len(images)))
        return True

    # -- viewer ----------------------------------------------------------------------------------

    def open_viewer(self, image: GalleryImage) -> asyncio.Task[None]:
        self._viewer_id = image.id
        self.stage.setCurrentWidget(self.viewer)
        self._update_navigation()
        return self._viewing.start(self._show_in_viewer(image))

    async def _show_in_viewer(self, image: GalleryImage) -> None:
        try:
            picture = await asyncio.to_thread(_read_full, image.path(self.controller.images_root))
        except asyncio.CancelledError:
            raise
        except Exception:
            picture = QImage()
        self.viewer.show_image(image, QPixmap.fromImage(picture) if not picture.isNull() else None)

    def show_gallery(self) -> None:
        self.stage.setCurrentWidget(self.gallery_panel)
        self._viewing.cancel()
        view = self.gallery_panel.view
        row = self.controller.model.row_of(self._viewer_id) if self._viewer_id is not None else -1
        if row >= 0:
            view.setCurrentIndex(self.controller.model.index(row))
        view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _update_navigation(self) -> None:
        model = self.controller.model
        row = model.row_of(self._viewer_id) if self._viewer_id is not None else -1
        self.viewer.set_navigation(row > 0, 0 <= row < model.rowCount() - 1)

    @Slot(int)
    def _on_viewer_step(self, step: int) -> None:
        model = self.controller.model
        row = model.row_of(self._viewer_id) if self._viewer_id is not None else -1
        if row < 0:
            return
        if step > 0 and row + step >= model.rowCount() and model.canFetchMore(QModelIndex()):
            model.fetchMore(QModelIndex())
        image = model.image_at(row + step)
        if image is not None:
            self.open_viewer(image)
