"""Writing a file so that a crash leaves either the old file or the new one, never half of each.

No Qt. ``write_atomically(path, data, private=False)``: the bytes (or UTF-8 text) go to a uniquely
named temporary file beside ``path`` (created exclusively; mode 0600 when ``private``), are flushed
to disk, and the temporary file replaces ``path`` in one rename. On any failure the temporary file
is removed and the exception propagates; ``path`` is untouched.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path: Path, data: bytes | str, *, private: bool = False) -> Path:
    """Replace ``path`` with ``data`` atomically (see the module docstring); returns ``path``."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o666)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return path
