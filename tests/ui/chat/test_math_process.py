"""Formulas are typeset in a child process (app.ui.chat.math_process), never in the UI process.

What matters to a user, checked with real processes: the images are the very pixels the in-process
renderer made (digests of its output, below); matplotlib and numpy never load into the UI process;
the child is started and fed by the formula worker thread only; a child that cannot start, hangs or
dies costs the formulas asked meanwhile (shown as source, with a log line) and nothing else — the
next formula starts a new one; and the child ends with Parla, even after a ``kill -9``, leaving no
zombie behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from app.ui.chat import math_render
from app.ui.chat.math_render import (
    MathImage,
    MathJobs,
    MathRenderer,
    MathRequest,
    Typesetter,
)

ROOT = Path(__file__).resolve().parents[3]

#: (tex, display, colour, pixel size, device pixel ratio) → the digest of the image the in-process
#: renderer (matplotlib + numpy in the UI process, before the child existed) made for it. They were
#: computed with that renderer (commit 27f3a03, app/ui/chat/math_render.py) and the venv's matplotlib
#: 3.11 / PySide6 6.11: an upgrade of either may change pixels, and then these are recomputed.
GOLDEN: list[tuple[tuple[str, bool, str, float, float], str]] = [
    ((r"x^2", False, "#202124", 14.0, 1.0), "d38895ac26b2e99b"),
    ((r"L = -\sum_i y_i \log \hat y_i", False, "#202124", 14.0, 1.0), "c2c8340ecb75bccf"),
    ((r"\frac{\partial L}{\partial z_j} = \hat y_j - y_j", True, "#e8eaed", 15.0, 2.0), "a8139a062f7e716a"),
    ((r"\int_0^1 x\,dx + \sqrt{x^2+y^2} \le \tfrac12", True, "#202124", 14.0, 1.0), "3885b4f4f9f0bc0b"),
    ((r"\begin{pmatrix} a & b \\ c & d \end{pmatrix}", True, "#202124", 14.0, 1.0), "858c5f818293cf6b"),
    ((r"\begin{bmatrix} 1 & 0 & 0 \\ 0 & 1 & 0 \\ 0 & 0 & 1 \end{bmatrix}", True, "#5f6368", 14.0, 1.25), "fe2c5c4517521e4c"),
    ((r"f(x) = \begin{cases} x & x \ge 0 \\ -x & \text{otherwise} \end{cases}", True, "#202124", 14.0, 2.0), "29ab3a2842a41b3b"),
    ((r"\begin{Vmatrix} u \\ v \end{Vmatrix} = \begin{vmatrix} a & b \\ c & d \end{vmatrix}", False, "#202124", 14.0, 1.0), "4325b1cc98c1bba2"),
    ((r"\begin{rcases} a \\ b \end{rcases} \implies \begin{Bmatrix} x \\ y \end{Bmatrix}", True, "#e8eaed", 13.0, 1.0), "c7b16225aabcd086"),
    ((r"\begin{aligned} a &= b + c \\ &= d \end{aligned}", True, "#202124", 14.0, 1.0), "05351bf1e193269f"),
    ((r"\begin{array}{lcr} 1 & 22 & 333 \\ 4444 & 5 & 6 \end{array}", True, "#202124", 14.0, 1.0), "a574cffa3f61a964"),
    ((r"A = \begin{pmatrix} \begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix} & 0 \\ 0 & 1 \end{pmatrix}", True, "#202124", 14.0, 1.0), "1b70af661266b02b"),
    ((r"x &= 1 \\ y &= 2", True, "#202124", 14.0, 1.0), "c9f34a488ef2984f"),
    ((r"E = mc^2 \tag{1}", True, "#80202124", 14.0, 1.0), "60cf7e77ff392a47"),
    ((r"\underbrace{a+b}_{n} \xrightarrow{f} {n \choose k} \pmod{q}", False, "#202124", 14.0, 1.0), "8e70b1e1cfbbada9"),
]


def digest(image: MathImage | None) -> str | None:
    if image is None:
        return None
    q = image.image
    data = bytes(q.constBits())[: q.sizeInBytes()]
    head = f"{q.width()}x{q.height()}@{q.devicePixelRatio()}:{image.width}x{image.height}:{int(q.format().value)}:"
    return hashlib.sha256(head.encode() + data).hexdigest()[:16]


@pytest.fixture
def typesetter(monkeypatch: pytest.MonkeyPatch) -> Iterator[Typesetter]:
    """A child process of the test's own (the application's one is left alone), ended afterwards."""
    own = Typesetter()
    monkeypatch.setattr(math_render, "_typesetter", own)
    yield own
    own.stop()


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie or a vanished process does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def gone(pid: int) -> bool:
    """True once ``pid`` has ended and been reaped."""
    return not Path(f"/proc/{pid}").exists()


def wait_for(condition: Any, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def mapped_libraries(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


# --------------------------------------------------------------------------------------------


def test_images_are_the_pixels_the_in_process_renderer_made(qapp: QApplication, typesetter: Typesetter) -> None:
    renderer = MathRenderer()
    found = {}
    for (tex, display, colour, pixel_size, dpr), _expected in GOLDEN:
        image = renderer.render(tex, display=display, color=QColor(colour), pixel_size=pixel_size, dpr=dpr)
        assert image is not None, tex
        assert image.image.devicePixelRatio() == dpr
        found[tex] = digest(image)
    assert found == {case[0]: expected for case, expected in GOLDEN}
    assert typesetter.starts == 1  # one child for all of them


def test_what_mathtext_cannot_lay_out_gives_none(qapp: QApplication, typesetter: Typesetter) -> None:
    renderer = MathRenderer()
    for tex in (r"\frac{1}{\notamacro{x}", r"\text{你好}", r"\begin{pmatrix} a & b", "", "x" * 3001):
        assert renderer.render(tex, display=False, color=QColor("#000000"), pixel_size=14.0) is None, tex
    assert renderer.lookup(r"\text{你好}", display=False, color=QColor("#000000"), pixel_size=14.0) == (True, None)
    # …and the child is still there for the next one.
    pid = typesetter.pid
    assert renderer.render("y^3", display=False, color=QColor("#000000"), pixel_size=14.0) is not None
    assert typesetter.pid == pid and typesetter.starts == 1


def test_the_child_loads_matplotlib_and_not_qt(qapp: QApplication, typesetter: Typesetter) -> None:
    assert typesetter.start()
    pid = typesetter.pid
    assert pid is not None and pid != os.getpid() and alive(pid)
    maps = mapped_libraries(pid)
    assert "ft2font" in maps  # matplotlib's FreeType module: mathtext is loaded
    assert "libQt6" not in maps and "PySide6" not in maps


UI_PROCESS = r"""
import json, os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[1])
from PySide6.QtWidgets import QApplication
app = QApplication([])
from app.ui.chat.math_render import math_jobs, typesetter
from app.ui.chat.render_document import MessageDocument, RenderTheme
document = MessageDocument(RenderTheme.from_palette(dpr=1.0))
document.set_markdown(
    "Inline $e^{i\\pi} + 1 = 0$ and\n\n$$\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}$$\n\n"
    "$$f(x) = \\begin{cases} x & x \\ge 0 \\\\ -x & \\text{otherwise} \\end{cases}$$"
)
pending = document.pending_formulas()
assert math_jobs().wait_idle(60)
images = 0
block = document.begin()
while block.isValid():
    iterator = block.begin()
    while not iterator.atEnd():
        fmt = iterator.fragment().charFormat()
        images += fmt.isImageFormat() and fmt.toImageFormat().name().startswith("parla-math:")
        iterator += 1
    block = block.next()
loaded = sorted({name.split(".")[0] for name in sys.modules if name.split(".")[0] in ("numpy", "matplotlib", "PIL")})
print(json.dumps({"pending": pending, "left": document.pending_formulas(), "images": images, "child": typesetter().pid,
                  "loaded": loaded, "text": document.toPlainText()}))
"""


def test_the_ui_process_never_imports_matplotlib_or_numpy(tmp_path: Path) -> None:
    """A fresh interpreter (this test process may hold numpy for other tests): a document with
    formulas gets its images, and matplotlib and numpy never load."""
    env = {**os.environ, "PARLA_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", UI_PROCESS, str(ROOT)], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["pending"] == 3 and figures["left"] == 0  # typeset while the document waited, then swapped in
    assert figures["images"] == 3
    assert "\\begin" not in figures["text"] and "e^{" not in figures["text"]  # images, not source
    assert figures["child"] is not None
    assert figures["loaded"] == []


def test_the_worker_thread_starts_and_feeds_the_child(qapp: QApplication, typesetter: Typesetter,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[tuple[str, str]] = []
    spawn, exchange = Typesetter._spawn, Typesetter._exchange

    def record_spawn(self: Typesetter) -> Any:
        threads.append(("spawn", threading.current_thread().name))
        return spawn(self)

    def record_exchange(self: Typesetter, child: Any, request: Any) -> Any:
        threads.append(("exchange", threading.current_thread().name))
        return exchange(self, child, request)

    monkeypatch.setattr(Typesetter, "_spawn", record_spawn)
    monkeypatch.setattr(Typesetter, "_exchange", record_exchange)
    jobs = MathJobs()
    delivered: list[MathImage | None] = []
    request = MathRequest(r"\begin{bmatrix} p & q \end{bmatrix}", True, QColor("#202124").rgba(), 14.0, 1.0, 7.0)
    started = time.perf_counter()
    jobs.submit(request, delivered.append)
    assert time.perf_counter() - started < 0.05  # enqueued, not started here
    assert not delivered
    assert jobs.wait_idle(60)
    assert len(delivered) == 1 and delivered[0] is not None
    assert threads and all(name.startswith("parla-math") for _kind, name in threads), threads
    assert threading.main_thread().name not in {name for _kind, name in threads}


def test_a_child_that_cannot_start_leaves_formulas_as_source_then_is_retried(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    own = Typesetter(start_timeout=0.0)  # no child is ready that soon: it is ended, and the start failed
    monkeypatch.setattr(math_render, "_typesetter", own)
    renderer = MathRenderer()
    black = QColor("#000000")
    try:
        with caplog.at_level(logging.WARNING, logger="app.ui.chat.math_render"):
            assert renderer.render("a+b", display=False, color=black, pixel_size=14.0) is None
        assert "formula process could not start" in caplog.text
        assert own.starts == 1 and own.pid is None
        # Not tried again for every formula: a few seconds' rest first.
        assert renderer.render("a+c", display=False, color=black, pixel_size=14.0) is None
        assert own.starts == 1
        own.start_timeout, own.retry_start_after = 60.0, 0.0
        image = renderer.render("a+d", display=False, color=black, pixel_size=14.0)
        assert image is not None and own.starts == 2
    finally:
        own.stop()


def test_a_child_killed_while_idle_is_reaped_and_replaced(qapp: QApplication, typesetter: Typesetter) -> None:
    renderer = MathRenderer()
    black = QColor("#000000")
    assert renderer.render("m_1", display=False, color=black, pixel_size=14.0) is not None
    first = typesetter.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    assert wait_for(lambda: gone(first)), "the killed child was left a zombie"
    assert typesetter.pid is None
    assert renderer.render("m_2", display=False, color=black, pixel_size=14.0) is not None
    assert typesetter.pid not in (None, first) and typesetter.starts == 2


def test_a_child_dying_during_a_formula_costs_that_formula_only(
    qapp: QApplication, typesetter: Typesetter, caplog: pytest.LogCaptureFixture
) -> None:
    renderer = MathRenderer()
    black = QColor("#000000")
    assert typesetter.start()
    pid = typesetter.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # it takes the request but never answers…
    child = typesetter._child
    assert child is not None
    sent = threading.Event()
    real_conn = child.conn

    class Spy:
        def __getattr__(self, name: str) -> Any:
            return getattr(real_conn, name)

        def send(self, message: Any) -> None:
            real_conn.send(message)
            sent.set()

    child.conn = Spy()  # type: ignore[assignment]
    result: list[MathImage | None] = []
    worker = threading.Thread(target=lambda: result.append(renderer.render("k^2", display=False, color=black, pixel_size=14.0)))
    with caplog.at_level(logging.WARNING, logger="app.ui.chat.math_render"):
        worker.start()
        assert sent.wait(20)
        os.kill(pid, signal.SIGKILL)  # …and dies with it
        worker.join(30)
    assert result == [None]
    assert "stopped answering" in caplog.text
    assert wait_for(lambda: gone(pid))
    assert renderer.lookup("k^2", display=False, color=black, pixel_size=14.0) == (True, None)  # shown as source
    assert renderer.render("k^3", display=False, color=black, pixel_size=14.0) is not None  # a new child
    assert typesetter.starts == 2


def test_a_hung_child_is_ended_after_the_reply_timeout(
    qapp: QApplication, typesetter: Typesetter, caplog: pytest.LogCaptureFixture
) -> None:
    renderer = MathRenderer()
    assert typesetter.start()
    pid = typesetter.pid
    assert pid is not None
    typesetter.reply_timeout = 0.5
    os.kill(pid, signal.SIGSTOP)
    with caplog.at_level(logging.WARNING, logger="app.ui.chat.math_render"):
        assert renderer.render("h_1", display=False, color=QColor("#000000"), pixel_size=14.0) is None
    assert "stopped answering" in caplog.text
    assert wait_for(lambda: gone(pid)), "the hung child was not ended and reaped"


PARENT = r"""
import sys
sys.path.insert(0, sys.argv[1])
from app.ui.chat.math_render import typesetter
assert typesetter().start()
print(typesetter().pid, flush=True)
if sys.argv[2] == "wait":
    sys.stdin.readline()
"""


@pytest.mark.parametrize("how", ["kill -9", "exit"])
def test_the_child_ends_with_parla(tmp_path: Path, how: str) -> None:
    env = {**os.environ, "PARLA_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(ROOT), "wait" if how == "kill -9" else "exit"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert parent.stdout is not None
        line = parent.stdout.readline()
        assert line.strip().isdigit(), parent.communicate(timeout=30)
        child = int(line)
        if how == "kill -9":
            assert alive(child)
            parent.kill()
        _out, err = parent.communicate(timeout=30)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
    # Ended. (After a kill -9 its new parent, the system's init, reaps it: what is checked here is
    # that it does not run on; while Parla runs, Parla reaps it itself — see the tests above.)
    assert wait_for(lambda: not alive(child)), f"the formula process {child} outlived Parla ({how})"
    if how == "exit":
        assert parent.returncode == 0 and "Traceback" not in err, err
