"""main.py's pieces that run outside the window: arguments and the handlers of unexpected errors."""

from __future__ import annotations

import asyncio
import logging
import sys

import pytest

from app import __version__
from app.main import _logging_excepthook, _loop_exception_handler, _parse_args, main


def test_version_in_process(capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARLA_HOME", str(tmp_path / "home"))
    assert main(["parla", "--version"]) == 0
    assert capsys.readouterr().out == f"Parla {__version__}\n"
    assert not (tmp_path / "home").exists()  # nothing created before the version is printed


def test_qt_arguments_pass_through() -> None:
    options = _parse_args(["-platform", "offscreen", "--debug"])
    assert options.debug and not options.version


def _raise(exc: BaseException) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001 — building exc_info for the hook
        return type(caught), caught, caught.__traceback__


def test_excepthook_logs_and_shows(caplog: pytest.LogCaptureFixture) -> None:
    shown: list[BaseException] = []
    hook = _logging_excepthook(shown.append)
    hook(*_raise(RuntimeError("kaput")))
    assert [str(e) for e in shown] == ["kaput"]
    record = next(r for r in caplog.records if r.name == "app.main")
    assert record.levelno == logging.CRITICAL and "kaput" in caplog.text


def test_excepthook_before_the_window_only_logs(caplog: pytest.LogCaptureFixture) -> None:
    _logging_excepthook(None)(*_raise(ValueError("early")))
    assert "early" in caplog.text


def test_excepthook_leaves_ctrl_c_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    monkeypatch.setattr(sys, "__excepthook__", lambda *args: seen.append(args[0]))
    shown: list[BaseException] = []
    _logging_excepthook(shown.append)(*_raise(KeyboardInterrupt()))
    assert seen == [KeyboardInterrupt] and shown == []


def test_loop_handler_shows_real_exceptions_and_logs_the_rest(caplog: pytest.LogCaptureFixture) -> None:
    shown: list[BaseException] = []
    handler = _loop_exception_handler(shown.append)
    loop = asyncio.new_event_loop()
    try:
        handler(loop, {"message": "Task exception was never retrieved", "exception": OSError("disk")})
        handler(loop, {"message": "Task was destroyed but it is pending!"})
        handler(loop, {"message": "cancelled", "exception": asyncio.CancelledError()})
    finally:
        loop.close()
    assert [str(e) for e in shown] == ["disk"]
    assert "Task was destroyed but it is pending!" in caplog.text


def test_window_icon_comes_from_icons(qapp) -> None:
    from app.main import _app_icon
    from app.resources import app_icon_files

    files = app_icon_files()
    if not files:
        assert _app_icon() is None
        return
    icon = _app_icon()
    assert icon is not None and not icon.isNull()
    assert not icon.pixmap(64, 64).isNull()
