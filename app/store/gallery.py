"""The Images tab's gallery: picture files under ``<data>/images`` and their story in the store.

Each picture is a file of its own, named by date and hash (``2024-05/20240510-120000-1a2b3c4d5e6f.png``),
so "Show in folder" lands somewhere a person can find their way around; its metadata — prompt,
revised prompt, model, parameters, operation, source picture — is a row of ``gallery_images``
(schema version 2). The file is written (to a temporary name, synced, renamed) before the row, so a
row never names a missing file; a file without a row (a crash in between) is harmless.

Deleting is in two steps, for Undo: ``delete`` hides rows (``deleted_at``), ``restore`` brings them
back, ``purge`` removes rows and files for good. ``purge_deleted`` at start-up finishes deletions an
exit interrupted.

Like ``Store``, ``Gallery`` blocks and is not thread-safe: the UI uses ``AsyncGallery``, whose calls
run on the store's one worker thread. It works on the store's connection and transactions (same
package), so gallery writes are ordered with every other write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from app.atomic import write_atomically
from app.store.async_store import AsyncStore
from app.store.blobs import sha256_hex
from app.store.store import Store

__all__ = [
    "AsyncGallery",
    "Gallery",
    "GalleryImage",
    "IMAGES_DIRNAME",
    "Operation",
    "PROMPT_HISTORY_LIMIT",
    "images_dir",
]

IMAGES_DIRNAME = "images"
#: Prompts kept in the history; older ones are forgotten as new ones come.
PROMPT_HISTORY_LIMIT = 200

_EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "image/gif": ".gif"}
_COLUMNS = (
    "id, file, hash, mime, size, width, height, operation, prompt, revised_prompt, model, profile_id, "
    "parameters, source_id, source_name, created_at, deleted_at"
)

T = TypeVar("T")


def images_dir(data_dir: Path) -> Path:
    """Where the pictures live inside ``Locations.data``."""
    return Path(data_dir) / IMAGES_DIRNAME


class Operation(StrEnum):
    GENERATE = "generate"
    EDIT = "edit"
    VARIATION = "variation"


@dataclass(frozen=True, slots=True)
class GalleryImage:
    id: int
    file: str  # relative to the images folder, '/'-separated
    hash: str
    mime: str
    size: int
    width: int
    height: int
    operation: Operation
    prompt: str = ""
    revised_prompt: str = ""
    model: str = ""
    profile_id: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    source_id: int | None = None
    source_name: str = ""
    created_at: float = 0.0
    deleted_at: float | None = None

    def path(self, root: Path) -> Path:
        """The file, given the images folder."""
        return Path(root).joinpath(*self.file.split("/"))

    def matches(self, query: str) -> bool:
        """The same test as the store's search, for rows the UI already holds."""
        haystack = f"{self.prompt}\n{self.revised_prompt}".casefold()
        return all(term.casefold() in haystack for term in query.split())


def _image(row: Sequence[Any]) -> GalleryImage:
    return GalleryImage(
        id=row[0],
        file=row[1],
        hash=row[2],
        mime=row[3],
        size=row[4],
        width=row[5],
        height=row[6],
        operation=Operation(row[7]),
        prompt=row[8],
        revised_prompt=row[9],
        model=row[10],
        profile_id=row[11],
        parameters=json.loads(row[12]) if row[12] not in ("", "{}") else {},
        source_id=row[13],
        source_name=row[14],
        created_at=row[15],
        deleted_at=row[16],
    )


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_clause(query: str) -> tuple[str, list[Any]]:
    """Every whitespace-separated term must appear in the prompt or the revised prompt.

    LIKE rather than FTS: galleries hold thousands of rows, not millions, and a one-character
    Chinese query must match (the trigram tokenizer needs three characters).
    """
    clauses: list[str] = []
    params: list[Any] = []
    for term in query.split():
        clauses.append("(prompt LIKE ? ESCAPE '\\' OR revised_prompt LIKE ? ESCAPE '\\')")
        params += [_like(term), _like(term)]
    return (" AND " + " AND ".join(clauses) if clauses else ""), params


class Gallery:
    """Gallery operations over an open ``Store`` (call them on the store's thread)."""

    def __init__(self, store: Store, root: Path) -> None:
        self._store = store
        self.root = Path(root)

    @property
    def _conn(self) -> Any:
        return self._store._conn

    def _now(self) -> float:
        return self._store._now()

    def path(self, image: GalleryImage) -> Path:
        return image.path(self.root)

    # -- adding ----------------------------------------------------------------------------------

    def _file_name(self, digest: str, mime: str, when: float) -> str:
        stamp = time.localtime(when)
        folder = time.strftime("%Y-%m", stamp)
        base = f"{time.strftime('%Y%m%d-%H%M%S', stamp)}-{digest[:12]}"
        ext = _EXTENSIONS.get(mime, ".png")
        name = f"{folder}/{base}{ext}"
        number = 1
        while (self.root / name).exists() or self._conn.execute(
            "SELECT 1 FROM gallery_images WHERE file = ?", (name,)
        ).fetchone():
            number += 1
            name = f"{folder}/{base}-{number}{ext}"
        return name

    def _write(self, relative: str, data: bytes) -> Path:
        final = self.root.joinpath(*relative.split("/"))
        final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return write_atomically(final, data, private=True)

    def add(
        self,
        data: bytes,
        *,
        mime: str,
        width: int,
        height: int,
        operation: Operation | str,
        prompt: str = "",
        revised_prompt: str = "",
        model: str = "",
        profile_id: str = "",
        parameters: Mapping[str, Any] | None = None,
        source_id: int | None = None,
        source_name: str = "",
        created_at: float | None = None,
    ) -> GalleryImage:
        """Keep the picture ``data`` (already checked to be an image of ``width``×``height``)."""
        if not data:
            raise ValueError("an empty file is not a picture")
        operation = Operation(operation)
        when = self._now() if created_at is None else float(created_at)
        digest = sha256_hex(data)
        with self._store.batch():
            if source_id is not None and self._conn.execute(
                "SELECT 1 FROM gallery_images WHERE id = ?", (source_id,)
            ).fetchone() is None:
                source_id = None  # the source was purged meanwhile: keep its name only
            relative = self._file_name(digest, mime, when)
            path = self._write(relative, data)
            try:
                cursor = self._conn.execute(
                    f"INSERT INTO gallery_images ({_COLUMNS.replace('id, ', '', 1)}) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                    (
                        relative,
                        digest,
                        mime,
                        len(data),
                        int(width),
                        int(height),
                        operation.value,
                        prompt,
                        revised_prompt or "",
                        model,
                        profile_id,
                        json.dumps(dict(parameters or {}), ensure_ascii=False, separators=(",", ":")),
                        source_id,
                        source_name,
                        when,
                    ),
                )
            except BaseException:
                with contextlib.suppress(OSError):
                    path.unlink()
                raise
        image = self.get(int(cursor.lastrowid or 0))
        assert image is not None
        return image

    # -- reading ---------------------------------------------------------------------------------

    def get(self, image_id: int) -> GalleryImage | None:
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM gallery_images WHERE id = ?", (image_id,)).fetchone()
        return _image(row) if row else None

    def list(self, query: str = "", *, offset: int = 0, limit: int | None = None) -> list[GalleryImage]:
        """Pictures not deleted, newest first, whose prompts contain every term of ``query``."""
        where, params = _search_clause(query)
        sql = (
            f"SELECT {_COLUMNS} FROM gallery_images WHERE deleted_at IS NULL{where} "
            "ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?"
        )
        rows = self._conn.execute(sql, [*params, -1 if limit is None else int(limit), int(offset)])
        return [_image(row) for row in rows]

    def count(self, query: str = "") -> int:
        where, params = _search_clause(query)
        return int(self._conn.execute(
            f"SELECT count(*) FROM gallery_images WHERE deleted_at IS NULL{where}", params
        ).fetchone()[0])

    def list_deleted(self) -> list[GalleryImage]:
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM gallery_images WHERE deleted_at IS NOT NULL ORDER BY deleted_at, id"
        )
        return [_image(row) for row in rows]

    # -- deleting --------------------------------------------------------------------------------

    def delete(self, image_ids: Iterable[int]) -> list[int]:
        """Hide the pictures (Undo can bring them back); returns the ids actually hidden."""
        ids = list(dict.fromkeys(int(i) for i in image_ids))
        hidden: list[int] = []
        now = self._now()
        with self._store.batch():
            for image_id in ids:
                cursor = self._conn.execute(
                    "UPDATE gallery_images SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", (now, image_id)
                )
                if cursor.rowcount:
                    hidden.append(image_id)
        return hidden

    def restore(self, image_ids: Iterable[int]) -> list[GalleryImage]:
        """Undo ``delete``; returns the pictures back in the gallery."""
        restored: list[GalleryImage] = []
        with self._store.batch():
            for image_id in dict.fromkeys(int(i) for i in image_ids):
                cursor = self._conn.execute(
                    "UPDATE gallery_images SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL", (image_id,)
                )
                if cursor.rowcount:
                    image = self.get(image_id)
                    if image is not None:
                        restored.append(image)
        return restored

    def purge(self, image_ids: Iterable[int]) -> list[GalleryImage]:
        """Remove rows and files for good (only pictures already deleted); returns what went."""
        gone: list[GalleryImage] = []
        with self._store.batch():
            for image_id in dict.fromkeys(int(i) for i in image_ids):
                image = self.get(image_id)
                if image is None or image.deleted_at is None:
                    continue
                self._conn.execute("DELETE FROM gallery_images WHERE id = ?", (image_id,))
                gone.append(image)
        for image in gone:  # after the commit: a rolled-back purge keeps its files
            with contextlib.suppress(FileNotFoundError):
                self.path(image).unlink()
        return gone

    def purge_deleted(self, before: float | None = None) -> list[GalleryImage]:
        """Purge every picture deleted before ``before`` (default: all of them)."""
        cutoff = self._now() if before is None else float(before)
        ids = [row[0] for row in self._conn.execute(
            "SELECT id FROM gallery_images WHERE deleted_at IS NOT NULL AND deleted_at <= ?", (cutoff,)
        )]
        return self.purge(ids)

    def hash_in_use(self, digest: str) -> bool:
        """True while any row (deleted or not) holds a file with these bytes (thumbnails are by hash)."""
        return self._conn.execute("SELECT 1 FROM gallery_images WHERE hash = ? LIMIT 1", (digest,)).fetchone() is not None

    # -- prompt history --------------------------------------------------------------------------

    def remember_prompt(self, prompt: str) -> None:
        """Put ``prompt`` at the top of the history (once, however often it is used)."""
        prompt = prompt.strip()
        if not prompt:
            return
        with self._store.batch():
            self._conn.execute(
                "INSERT INTO image_prompts (prompt, used_at) VALUES (?, ?) "
                "ON CONFLICT (prompt) DO UPDATE SET used_at = excluded.used_at",
                (prompt, self._now()),
            )
            self._conn.execute(
                "DELETE FROM image_prompts WHERE prompt NOT IN "
                "(SELECT prompt FROM image_prompts ORDER BY used_at DESC, prompt LIMIT ?)",
                (PROMPT_HISTORY_LIMIT,),
            )

    def prompt_history(self, limit: int = 50) -> list[str]:
        """Earlier prompts, the most recently used first."""
        return [row[0] for row in self._conn.execute(
            "SELECT prompt FROM image_prompts ORDER BY used_at DESC, prompt LIMIT ?", (int(limit),)
        )]

    def forget_prompts(self) -> None:
        with self._store.batch():
            self._conn.execute("DELETE FROM image_prompts")


class AsyncGallery:
    """``Gallery`` for the asyncio UI: each call is queued on the ``AsyncStore``'s thread, in order."""

    def __init__(self, store: AsyncStore, root: Path) -> None:
        self.store = store
        self.root = Path(root)

    def path(self, image: GalleryImage) -> Path:
        return image.path(self.root)

    def _call(self, name: str, *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        root = self.root
        return self.store.run(lambda store: getattr(Gallery(store, root), name)(*args, **kwargs))

    def add(self, data: bytes, **kwargs: Any) -> asyncio.Future[GalleryImage]:
        return self._call("add", data, **kwargs)

    def get(self, image_id: int) -> asyncio.Future[GalleryImage | None]:
        return self._call("get", image_id)

    def list(self, query: str = "", *, offset: int = 0, limit: int | None = None) -> asyncio.Future[list[GalleryImage]]:
        return self._call("list", query, offset=offset, limit=limit)

    def count(self, query: str = "") -> asyncio.Future[int]:
        return self._call("count", query)

    def delete(self, image_ids: Iterable[int]) -> asyncio.Future[list[int]]:
        return self._call("delete", list(image_ids))

    def restore(self, image_ids: Iterable[int]) -> asyncio.Future[list[GalleryImage]]:
        return self._call("restore", list(image_ids))

    def purge(self, image_ids: Iterable[int]) -> asyncio.Future[list[GalleryImage]]:
        return self._call("purge", list(image_ids))

    def purge_deleted(self, before: float | None = None) -> asyncio.Future[list[GalleryImage]]:
        return self._call("purge_deleted", before)

    def hash_in_use(self, digest: str) -> asyncio.Future[bool]:
        return self._call("hash_in_use", digest)

    def remember_prompt(self, prompt: str) -> asyncio.Future[None]:
        return self._call("remember_prompt", prompt)

    def prompt_history(self, limit: int = 50) -> asyncio.Future[list[str]]:
        return self._call("prompt_history", limit)

