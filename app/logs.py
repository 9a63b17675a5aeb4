"""Logging for Parla: one rotating file, warnings on stderr, and no secret in either.

Logs are meant to be attached to bug reports, so they must be safe to share: they hold ids, counts,
statuses and durations, never message content and never a token. Code is expected not to log tokens
in the first place; the redaction here is the safety net for the cases nobody planned — an exception
whose text echoes a header, a third-party library logging a request, a traceback showing a value.

Every handler that :func:`setup_logging` installs carries a :class:`RedactingFilter`. A handler
filter (rather than a logger filter) is used because logger filters do not see records propagated
from child loggers such as ``httpx`` or ``keyring``; handler filters see everything that is written.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "BACKUP_COUNT",
    "LOG_FILENAME",
    "MAX_BYTES",
    "REDACTED",
    "RedactingFilter",
    "redact",
    "register_secret",
    "registered_secret_count",
    "setup_logging",
    "start_rotation",
]

LOG_FILENAME = "parla.log"
MAX_BYTES = 1024 * 1024  # 1 MB per file: enough for days of ids and statuses, small enough to mail
BACKUP_COUNT = 3
REDACTED = "***"

# Loggers held at WARNING: httpx would record URLs and headers at INFO (every request line), and
# qasync/asyncio log every callback at DEBUG, drowning what --debug is for.
QUIET_LOGGERS: tuple[str, ...] = ("httpx", "httpcore", "hpack", "qasync", "asyncio")

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# A secret shorter than this is refused: redacting a two-letter string would blank every log line
# that happens to contain it, and no real API token is that short.
_MIN_SECRET_LENGTH = 4

# "Bearer <token>" in any case, e.g. a repr of request headers. The token ends at whitespace or a
# quote so that the surrounding repr stays readable.
_BEARER_RE = re.compile(r"(?i)\b(bearer)\s+[^\s'\"]+")
# OpenAI-style keys ("sk-…", "sk-proj-…"), whatever their source.
_SK_RE = re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}")

_secrets_lock = threading.Lock()
_secrets: set[str] = set()
_secrets_re: re.Pattern[str] | None = None

# Marks the handlers this module installed, so a second setup_logging() replaces them.
_HANDLER_MARK = "_parla_handler"


def register_secret(secret: str) -> None:
    """Have every Parla log handler replace ``secret`` with ``***`` from now on.

    Called by ``app.credentials`` for each token it reads or stores, so even a token that does not
    look like an ``sk-`` key (other providers use other shapes) never reaches a log file.
    """
    global _secrets_re
    value = (secret or "").strip()
    if len(value) < _MIN_SECRET_LENGTH:
        return
    with _secrets_lock:
        if value in _secrets:
            return
        _secrets.add(value)
        # Longest first, so a secret that contains another one is replaced whole.
        ordered = sorted(_secrets, key=len, reverse=True)
        _secrets_re = re.compile("|".join(re.escape(s) for s in ordered))


def registered_secret_count() -> int:
    """How many secrets are registered (lets tests check registration without seeing the values)."""
    with _secrets_lock:
        return len(_secrets)


def _forget_secrets() -> None:
    """Drop every registered secret. For tests only: the app never needs to forget one."""
    global _secrets_re
    with _secrets_lock:
        _secrets.clear()
        _secrets_re = None


def redact(text: str) -> str:
    """``text`` with registered secrets, bearer tokens and ``sk-`` keys replaced by ``***``.

    Public because the crash dialog shows tracebacks to the user, who may paste them anywhere.
    """
    if not text:
        return text
    pattern = _secrets_re  # read once: register_secret may swap it from another thread
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    text = _BEARER_RE.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _SK_RE.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record so that no formatter can bring a secret back.

    The message is formatted here (``msg % args``) and redacted, and any traceback is formatted and
    redacted into ``exc_text``; ``exc_info`` is then dropped so that a handler with its own idea of
    formatting exceptions cannot print the unredacted original. The filter mutates the record, which
    is shared by all handlers: that is intended, since redaction is idempotent.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken %-format must not lose the record, nor leak its args
            message = f"{record.msg!s} (unformattable arguments)"
        record.msg = redact(message)
        record.args = None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = self._formatter.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _rotating_handler(path: Path) -> logging.Handler:
    import logging.handlers

    return logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8")


def start_rotation() -> None:
    """Put the rotating handler in place of the plain one ``setup_logging(rotate_later=True)`` made."""
    root = logging.getLogger()
    for old in _our_handlers(root.handlers):
        if type(old) is not logging.FileHandler:
            continue
        new = _rotating_handler(Path(old.baseFilename))
        new.setLevel(old.level)
        new.setFormatter(old.formatter)
        for log_filter in old.filters:
            new.addFilter(log_filter)
        setattr(new, _HANDLER_MARK, True)
        root.addHandler(new)
        root.removeHandler(old)
        old.close()


def _our_handlers(handlers: Iterable[logging.Handler]) -> list[logging.Handler]:
    return [h for h in handlers if getattr(h, _HANDLER_MARK, False)]


def setup_logging(logs_dir: Path, level: int = logging.INFO, *, rotate_later: bool = False) -> None:
    """Send the app's logs to ``logs_dir/parla.log`` (rotated) and warnings to stderr.

    Safe to call again (e.g. after the user moves the data folder): the handlers installed by an
    earlier call are closed and replaced, never duplicated. Handlers installed by others (pytest's
    log capture, say) are left alone.

    ``rotate_later``: write to the file without rotation until :func:`start_rotation` (start-up
    calls it once the window shows: ``logging.handlers`` and what it imports — sockets, pickle,
    queues — cost ~7 ms before the first frame; the few lines written meanwhile are harmless).
    """
    logs_dir = Path(logs_dir)
    logs_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    root = logging.getLogger()
    for old in _our_handlers(root.handlers):
        root.removeHandler(old)
        old.close()

    formatter = logging.Formatter(_FORMAT)
    redacting = RedactingFilter()

    file_handler = (
        logging.FileHandler(logs_dir / LOG_FILENAME, encoding="utf-8")
        if rotate_later
        else _rotating_handler(logs_dir / LOG_FILENAME)
    )
    file_handler.setLevel(level)

    stderr_handler = logging.StreamHandler(sys.stderr)
    stderr_handler.setLevel(logging.WARNING)

    for handler in (file_handler, stderr_handler):
        handler.setFormatter(formatter)
        handler.addFilter(redacting)
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)

    root.setLevel(level)
    # httpx logs "HTTP Request: POST https://… 200" at INFO; keep request lines out of the file.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
