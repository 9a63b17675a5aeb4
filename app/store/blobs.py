"""Attachment bytes as files named by their sha256, sharded by its first two hex digits.

Files rather than BLOBs: images are large and written once, and keeping them out of the database
keeps it small, its WAL short and its backups fast; the viewer and "Save as" can use the file
directly. A file is written to a temporary name in the same folder, synced, then renamed, so a
crash never leaves a half-written image under a real hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from app.atomic import write_atomically
from app.store.models import HASH_RE


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobDir:
    """The ``attachments/`` folder: ``ab/cdef…`` for the hash ``abcdef…``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, hash: str) -> Path:
        if not HASH_RE.match(hash):
            raise ValueError(f"not a sha256 hex digest: {hash!r}")
        return self.root / hash[:2] / hash[2:]

    def exists(self, hash: str) -> bool:
        return self.path(hash).is_file()

    def write(self, hash: str, data: bytes) -> Path:
        """Store ``data`` under ``hash`` (which the caller computed) unless it is already there."""
        final = self.path(hash)
        if final.is_file() and final.stat().st_size == len(data):
            return final
        final.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomically(final, data, private=True)
        self._sync_dir(final.parent)
        return final

    def read(self, hash: str) -> bytes:
        return self.path(hash).read_bytes()

    def delete(self, hash: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(hash).unlink()

    def stored(self, older_than: float | None = None) -> Iterator[tuple[str | None, Path]]:
        """Every file in the folder as (hash or None for a leftover temporary file, path).

        ``older_than`` (Unix seconds) skips files modified since, so a sweep never races a write.
        """
        if not self.root.is_dir():
            return
        for shard in self.root.iterdir():
            if not shard.is_dir() or len(shard.name) != 2:
                continue
            for entry in shard.iterdir():
                try:
                    if older_than is not None and entry.stat().st_mtime > older_than:
                        continue
                except FileNotFoundError:
                    continue
                name = shard.name + entry.name
                yield (name if HASH_RE.match(name) else None), entry

    @staticmethod
    def _sync_dir(path: Path) -> None:
        # The rename is durable only once the folder itself is synced (POSIX); Windows cannot.
        if os.name != "posix":
            return
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
