"""One request of the Images tab, from the panel's choices to pictures kept in the gallery.

Plain asyncio, no widgets: the panels describe a request as an :class:`ImageJob`; :func:`run_job`
prepares the uploads in a worker thread (``app.imaging``), sends the request through the API
client, and keeps every result the moment it is there — URL results are downloaded at once (they
expire within the hour), base64 results decoded, each checked to really be a picture, written to
the gallery and handed to ``on_saved`` — so the grid fills as pictures arrive, not when the last
one does. One result that fails (a download cut off) does not lose the others.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from app import imaging
from app.imaging import BadResultError, EmptyResultError, Fit, ImageFormatError, Note
from app.store.gallery import AsyncGallery, GalleryImage, Operation
from app.ui.images.families import Family, family_of

if TYPE_CHECKING:
    from app.api.client import Client
    from app.api.types import GeneratedImage

__all__ = ["ImageJob", "JobResult", "PaintedMask", "SourceImage", "run_job"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceImage:
    """A picture given to Edit or Variations: upright PNG bytes (what the canvas shows)."""

    png: bytes
    name: str
    width: int
    height: int
    gallery_id: int | None = None
    notes: tuple[Note, ...] = ()

    @property
    def upload_name(self) -> str:
        stem = PurePath(self.name).stem or "image"
        return f"{stem}.png"


@dataclass(frozen=True)
class PaintedMask:
    """The mask canvas's pixels: ``Format_Alpha8`` rows (non-zero = painted)."""

    width: int
    height: int
    data: bytes
    bytes_per_line: int


@dataclass(frozen=True)
class ImageJob:
    operation: Operation
    model: str
    prompt: str
    #: The keyword arguments for the client (size, quality, n, …), as the options form gave them.
    parameters: dict[str, Any]
    sources: tuple[SourceImage, ...] = ()
    painted: PaintedMask | None = None
    fit: Fit = Fit.CROP
    profile_id: str = ""

    @property
    def family(self) -> Family:
        return family_of(self.model)


@dataclass
class JobResult:
    saved: list[GalleryImage] = field(default_factory=list)
    notes: tuple[Note, ...] = ()
    failures: list[BaseException] = field(default_factory=list)
    requested: int = 0


Callback = Callable[..., Awaitable[None] | None]


async def _call(callback: Callback | None, *args: Any) -> None:
    if callback is None:
        return
    result = callback(*args)
    if inspect.isawaitable(result):
        await result


def _edit_upload(job: ImageJob) -> imaging.EditUpload:
    """Worker thread: the edit's files, the mask transformed together with the first image."""
    painted = None
    if job.painted is not None:
        painted = imaging.painted_from_alpha8(
            job.painted.width, job.painted.height, job.painted.data, job.painted.bytes_per_line
        )
    return imaging.prepare_edit([s.png for s in job.sources], painted, family=str(job.family), fit=job.fit)


async def _send(job: ImageJob, client: Client, on_prepared: Callback | None) -> tuple[Any, dict[str, Any]]:
    """Prepare and send the request; returns the result and the parameters to keep with each picture."""
    kept: dict[str, Any] = dict(job.parameters)
    model = job.model or None
    if job.operation == Operation.GENERATE:
        result = await client.images.generate(job.prompt, model=model, **job.parameters)
        return result, kept
    if job.operation == Operation.EDIT:
        upload = await asyncio.to_thread(_edit_upload, job)
        await _call(on_prepared, upload.notes)
        files = [(source.upload_name, prepared.png, "image/png") for source, prepared in zip(job.sources, upload.images)]
        mask = ("mask.png", upload.mask, "image/png") if upload.mask is not None else None
        kept.update(mask=mask is not None, images=len(files))
        if len(files) > 1:
            kept["sources"] = [source.name for source in job.sources]
        if any(note.kind in (imaging.NoteKind.CROPPED, imaging.NoteKind.PADDED) for note in upload.notes):
            kept["fit"] = str(job.fit)
        image: Any = files if len(files) > 1 else files[0]
        result = await client.images.edit(image, job.prompt, mask=mask, model=model, **job.parameters)
        return result, kept
    prepared = await asyncio.to_thread(imaging.prepare_variation, job.sources[0].png, job.fit)
    await _call(on_prepared, prepared.notes)
    if any(note.kind in (imaging.NoteKind.CROPPED, imaging.NoteKind.PADDED) for note in prepared.notes):
        kept["fit"] = str(job.fit)
    source = job.sources[0]
    result = await client.images.variation((source.upload_name, prepared.png, "image/png"), model=model, **job.parameters)
    return result, kept


async def _picture_bytes(client: Client, item: GeneratedImage) -> bytes:
    if item.b64_json or (item.url or "").startswith("data:"):
        return await asyncio.to_thread(item.data)  # type: ignore[arg-type]  # megabytes of base64
    return await client.images.download(item)


async def run_job(
    job: ImageJob,
    client: Client,
    gallery: AsyncGallery,
    *,
    on_prepared: Callback | None = None,
    on_saved: Callback | None = None,
) -> JobResult:
    """Send ``job`` and keep its pictures; returns what was kept and what failed.

    Raises the API's error when the request itself fails, ``EmptyResultError`` when it succeeds
    without pictures, and the first result's error (``BadResultError`` for one that is not a
    picture) when every result failed.
    """
    if job.prompt.strip() and job.operation != Operation.VARIATION:
        await gallery.remember_prompt(job.prompt)
    result, kept = await _send(job, client, on_prepared)
    if not result.images:
        raise EmptyResultError("the server answered without pictures")
    outcome = JobResult(requested=len(result.images))
    first_source = job.sources[0] if job.sources else None

    async def keep(item: GeneratedImage) -> GalleryImage:
        data = await _picture_bytes(client, item)
        try:
            info = await asyncio.to_thread(imaging.image_info, data)
        except ImageFormatError as exc:
            raise BadResultError("a result is not a picture") from exc
        return await gallery.add(
            data,
            mime=info.mime,
            width=info.width,
            height=info.height,
            operation=job.operation,
            prompt=job.prompt if job.operation != Operation.VARIATION else "",
            revised_prompt=item.revised_prompt or "",
            model=job.model,
            profile_id=job.profile_id,
            parameters=kept,
            source_id=first_source.gallery_id if first_source else None,
            source_name=first_source.name if first_source else "",
        )

    tasks = [asyncio.ensure_future(keep(item)) for item in result.images]
    try:
        for next_done in asyncio.as_completed(tasks):
            try:
                image = await next_done
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.info("an image result was not kept: %s", type(exc).__name__)
                outcome.failures.append(exc)
                continue
            outcome.saved.append(image)
            await _call(on_saved, image)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if not outcome.saved and outcome.failures:
        raise outcome.failures[0]
    return outcome

