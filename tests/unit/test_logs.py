"""app.logs: the rotating file, the stderr threshold, idempotence, and redaction everywhere."""

from __future__ import annotations

import logging
import logging.handlers
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import logs
from app.logs import LOG_FILENAME, RedactingFilter, redact, register_secret, setup_logging


@pytest.fixture(autouse=True)
def clean_logging() -> Iterator[None]:
    """Leave the root logger, the quiet loggers and the secret registry as they were."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    saved_quiet = {name: logging.getLogger(name).level for name in logs.QUIET_LOGGERS}
    yield
    for handler in list(root.handlers):
        if handler not in saved_handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(saved_level)
    for name, level in saved_quiet.items():
        logging.getLogger(name).setLevel(level)
    logs._forget_secrets()


def ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, "_parla_handler", False)]


def file_text(logs_dir: Path) -> str:
    for handler in ours():
        handler.flush()
    return (logs_dir / LOG_FILENAME).read_text(encoding="utf-8")


def test_setup_installs_a_rotating_file_and_stderr_at_warning(tmp_path: Path) -> None:
    logs_dir = tmp_path / "logs"
    setup_logging(logs_dir)
    handlers = ours()
    files = [h for h in handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    streams = [h for h in handlers if type(h) is logging.StreamHandler]
    assert len(files) == 1 and len(streams) == 1
    file_handler, stream = files[0], streams[0]
    assert Path(file_handler.baseFilename) == logs_dir / "parla.log"
    assert file_handler.maxBytes == 1024 * 1024
    assert file_handler.backupCount == 3
    assert file_handler.level == logging.INFO
    assert stream.stream is sys.stderr and stream.level == logging.WARNING
    for handler in handlers:
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
    assert logging.getLogger().level == logging.INFO


def test_info_goes_to_the_file_and_only_warnings_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging(tmp_path)
    log = logging.getLogger("app.test")
    log.debug("debug line")
    log.info("info line")
    log.warning("warning line")
    text = file_text(tmp_path)
    assert "info line" in text and "warning line" in text and "debug line" not in text
    err = capsys.readouterr().err
    assert "warning line" in err and "info line" not in err


def test_calling_setup_twice_does_not_duplicate_handlers(tmp_path: Path) -> None:
    foreign = logging.NullHandler()
    logging.getLogger().addHandler(foreign)
    setup_logging(tmp_path / "a")
    setup_logging(tmp_path / "a")
    assert len(ours()) == 2
    logging.getLogger("app.test").warning("once")
    assert file_text(tmp_path / "a").count("once") == 1

    setup_logging(tmp_path / "b")  # moving the folder switches the file
    assert len(ours()) == 2
    logging.getLogger("app.test").warning("moved")
    assert "moved" not in file_text(tmp_path / "a")
    assert "moved" in file_text(tmp_path / "b")
    assert foreign in logging.getLogger().handlers  # others' handlers are left alone


def test_the_file_rotates_at_one_megabyte_keeping_three(tmp_path: Path) -> None:
    setup_logging(tmp_path)
    chunk = "x" * 10_000
    log = logging.getLogger("app.test")
    for i in range(500):  # ~5 MB: enough for more than four files
        log.info("%d %s", i, chunk)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["parla.log", "parla.log.1", "parla.log.2", "parla.log.3"]
    for path in tmp_path.iterdir():
        assert path.stat().st_size <= 1024 * 1024


def test_http_libraries_are_kept_at_warning(tmp_path: Path) -> None:
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    setup_logging(tmp_path, logging.DEBUG)
    for name in ("httpx", "httpcore"):
        assert logging.getLogger(name).level == logging.WARNING
        logging.getLogger(name).info('HTTP Request: POST https://example.invalid/v1/chat "HTTP/1.1 200 OK"')
    assert "example.invalid" not in file_text(tmp_path)


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        ("authorization: Bearer abc.DEF-123_xyz sent", "abc.DEF-123_xyz"),
        ("headers={'Authorization': 'bearer tokentoken'}", "tokentoken"),
        ("key sk-proj-AbC123xyz456_-q in use", "sk-proj-AbC123xyz456_-q"),
        ("key=sk-loopback-test", "sk-loopback-test"),
    ],
)
def test_bearer_tokens_and_sk_keys_are_redacted(tmp_path: Path, message: str, secret: str) -> None:
    setup_logging(tmp_path)
    logging.getLogger("app.test").warning(message)
    text = file_text(tmp_path)
    assert secret not in text
    assert "***" in text


def test_bearer_keeps_the_scheme_word_so_the_log_still_reads() -> None:
    assert redact("Authorization: Bearer abcdef") == "Authorization: Bearer ***"
    assert redact("nothing secret here, sk-") == "nothing secret here, sk-"


def test_registered_secrets_are_redacted_in_messages_args_and_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "tok-" + secrets.token_hex(12)  # does not look like a key: only the registry can catch it
    register_secret(token)
    setup_logging(tmp_path)
    log = logging.getLogger("app.test")
    log.warning("direct %s", token)
    log.warning(f"inline {token}")
    log.warning("dict %(t)s", {"t": token})
    text = file_text(tmp_path)
    assert token not in text
    assert text.count("***") == 3
    assert token not in capsys.readouterr().err


def test_secrets_in_exception_tracebacks_are_redacted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "tok-" + secrets.token_hex(12)
    register_secret(token)
    setup_logging(tmp_path)
    log = logging.getLogger("app.test")
    try:
        headers = {"Authorization": "Bearer sk-insideTraceback123"}
        raise ValueError(f"request failed with {token} and {headers}")
    except ValueError:
        log.exception("request failed")
    text = file_text(tmp_path)
    assert "Traceback (most recent call last)" in text and "ValueError" in text
    assert token not in text and "sk-insideTraceback123" not in text
    err = capsys.readouterr().err
    assert "ValueError" in err and token not in err


def test_stack_info_is_redacted(tmp_path: Path) -> None:
    setup_logging(tmp_path)

    def leaky(secret: str) -> None:  # the secret appears in the source line of the stack
        logging.getLogger("app.test").warning("here", stack_info=True)  # sk-stackSecret12345

    leaky("x")
    text = file_text(tmp_path)
    assert "Stack (most recent call last)" in text
    assert "sk-stackSecret12345" not in text


def test_a_record_with_bad_arguments_is_kept_without_its_arguments() -> None:
    args = ("sk-notANumber12345",)
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "value %d", args, None)
    assert RedactingFilter().filter(record) is True
    assert "sk-notANumber12345" not in record.getMessage()
    assert record.getMessage().startswith("value %d")


def test_filter_is_idempotent_on_a_shared_record() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "a %s b", ("Bearer xyz123",), None)
    f = RedactingFilter()
    f.filter(record)
    f.filter(record)
    assert record.getMessage() == "a Bearer *** b"


def test_very_short_or_empty_secrets_are_not_registered() -> None:
    register_secret("")
    register_secret("  ")
    register_secret("ab")
    assert logs.registered_secret_count() == 0
    assert redact("ab cd") == "ab cd"
    register_secret(" long-enough ")
    assert logs.registered_secret_count() == 1
    assert redact("x long-enough y") == "x *** y"


def test_a_longer_secret_containing_a_shorter_one_is_replaced_whole() -> None:
    register_secret("abcd")
    register_secret("abcd-efgh-ijkl")
    assert redact("[abcd-efgh-ijkl]") == "[***]"


def test_rotation_can_start_after_the_first_frame(tmp_path: Path) -> None:
    setup_logging(tmp_path, rotate_later=True)  # what start-up does: no logging.handlers before the window
    assert [type(h) for h in ours() if isinstance(h, logging.FileHandler)] == [logging.FileHandler]
    log = logging.getLogger("app.test")
    secret = "sk-" + secrets.token_hex(16)
    register_secret(secret)
    log.info("before the swap %s", secret)
    logs.start_rotation()
    files = [h for h in ours() if isinstance(h, logging.FileHandler)]
    assert len(files) == 1 and isinstance(files[0], logging.handlers.RotatingFileHandler)
    assert files[0].level == logging.INFO and any(isinstance(f, RedactingFilter) for f in files[0].filters)
    log.info("after the swap %s", secret)
    text = file_text(tmp_path)
    assert "before the swap" in text and "after the swap" in text and secret not in text
    chunk = "x" * 10_000
    for i in range(300):
        log.info("%d %s", i, chunk)
    assert sorted(p.name for p in tmp_path.iterdir())[:2] == ["parla.log", "parla.log.1"]
