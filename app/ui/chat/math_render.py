"""TeX formulas to images for a QTextDocument without a browser engine, typeset in a child process.

The layout is matplotlib's mathtext (see :mod:`app.ui.chat.math_process`, the child's side, for
why, and for what :func:`normalize_tex` and the environment grids add to it). matplotlib and numpy
never enter the UI process — they cost it about 47 MB (issue #3) — so the typesetting runs in one
child process, started with multiprocessing's *spawn* (the UI process has Qt threads, which a
``fork`` must not copy) and driven only from the formula worker thread (:class:`MathJobs`): the
UI thread never starts, feeds or waits for the child, nor pickles anything for it. It enqueues
:class:`MathRequest` s and receives finished images through a queued signal, as before.

The child hands back an alpha mask (bytes, padded so that ``vertical-align: middle`` in Qt puts
the formula's baseline on the text baseline); this side colours it with the text colour (byte
lookup tables, no numpy: the same integer arithmetic as before, so the same pixels) and caches the
image by formula, colour, size and pixel ratio. The stretched delimiters of environments
(``pmatrix``, ``cases``…) are drawn here with QPainter, when the child asks for them.

The child is started ahead of need (:func:`preload`, the Chat tab's warm-up) or by the first
formula, and takes about a second (Python, numpy and matplotlib to load; the resource tracker of
multiprocessing starts with it). It ends when Parla ends — also after a ``kill -9``, as its pipe
then closes — and a watcher thread reaps it, so no zombie is left. If it cannot start, or dies, the
formulas asked meanwhile show as their source (the caller's fallback for ``None``) with a log line,
and the next formula starts a new child (a child that failed to *start* is retried after
:data:`RETRY_START_AFTER` seconds, not for every formula).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QPointF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen

from app.ui.chat.math_process import (
    DISPLAY_SCALE,
    MAX_TEX_LENGTH,
    TEXT_SCALE,
    normalize_tex,
)

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

__all__ = [
    "DISPLAY_SCALE",
    "MAX_TEX_LENGTH",
    "TEXT_SCALE",
    "MathImage",
    "MathJobs",
    "MathRenderer",
    "MathRequest",
    "Typesetter",
    "math_jobs",
    "math_renderer",
    "normalize_tex",
    "preload",
    "typesetter",
]

log = logging.getLogger(__name__)

#: How long the child may take to start (Python, numpy and matplotlib on a busy machine).
START_TIMEOUT = 60.0
#: How long one formula may take before the child is ended (and the formula shown as source).
REPLY_TIMEOUT = 30.0
#: After a child failed to start, formulas show as source without trying again for this long.
RETRY_START_AFTER = 10.0


@dataclass(frozen=True, slots=True)
class MathImage:
    """A typeset formula: the image (device pixels) and its size in logical pixels.

    Qt centres an ``AlignMiddle`` inline image a quarter x-height above the baseline; the image
    is padded so that the formula's own baseline lands on the text's.
    """

    image: QImage
    width: float
    height: float


# --------------------------------------------------------------------------------------------
# The child process, seen from here


@dataclass(slots=True)
class _Child:
    process: BaseProcess
    conn: Connection
    pid: int
    ended: threading.Event


class _Unavailable(Exception):
    """The child could not start, died or hung: the formula shows as its source."""


class Typesetter:
    """The one child process that typesets, and the pipe to it (used from one thread at a time).

    Every call may block (starting the child, waiting for a layout): call it from the formula
    worker thread, never from the UI thread.
    """

    def __init__(
        self,
        *,
        start_timeout: float = START_TIMEOUT,
        reply_timeout: float = REPLY_TIMEOUT,
        retry_start_after: float = RETRY_START_AFTER,
    ) -> None:
        self.start_timeout = start_timeout
        self.reply_timeout = reply_timeout
        self.retry_start_after = retry_start_after
        self._lock = threading.Lock()
        self._child: _Child | None = None
        self._failed_at: float | None = None
        self.starts = 0  # children started (tests, benchmarks)

    @property
    def pid(self) -> int | None:
        """The running child's process id, if one runs."""
        child = self._child
        return child.pid if child is not None and not child.ended.is_set() else None

    def start(self) -> bool:
        """Start the child now unless it runs; False when it cannot start (logged)."""
        with self._lock:
            try:
                self._ensure()
            except _Unavailable:
                return False
            return True

    def typeset(self, tex: str, display: bool, pixel_size: float, dpr: float, x_height: float) -> tuple[int, int, bytes] | None:
        """The formula's padded alpha mask ``(width, height, bytes)``, or None when it cannot be
        laid out — or when the child is not available (logged; the next call starts a new one)."""
        with self._lock:
            try:
                child = self._ensure()
                return self._exchange(child, ("typeset", tex, display, pixel_size, dpr, x_height))
            except _Unavailable:
                return None

    def stop(self) -> None:
        """End the child (it would end by itself when Parla exits; tests, benchmarks)."""
        with self._lock:
            child, self._child = self._child, None
            if child is None:
                return
            try:
                child.conn.send(("exit",))
            except (OSError, ValueError):
                pass
            child.conn.close()
            if not child.ended.wait(5.0):
                self._kill(child)
                child.ended.wait(5.0)

    # -- in the lock ----------------------------------------------------------------------

    def _ensure(self) -> _Child:
        child = self._child
        if child is not None and not child.ended.is_set():
            return child
        if child is not None:
            self._discard(child)
        if self._failed_at is not None and time.monotonic() - self._failed_at < self.retry_start_after:
            raise _Unavailable("the formula process failed to start a moment ago")
        try:
            child = self._spawn()
        except Exception as exc:
            self._failed_at = time.monotonic()
            log.warning("the formula process could not start (%s): formulas are shown as their TeX source", exc)
            raise _Unavailable(str(exc)) from exc
        self._failed_at = None
        self._child = child
        return child

    def _spawn(self) -> _Child:
        import multiprocessing

        from app.ui.chat import math_process

        started = time.monotonic()
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe(duplex=True)
        process = context.Process(target=math_process.serve, args=(child_end,), name="parla-math", daemon=True)
        try:
            process.start()
        except BaseException:
            parent_end.close()
            raise
        finally:
            child_end.close()  # the child holds its own copy: EOF here when it ends
        ended = threading.Event()
        assert process.pid is not None
        child = _Child(process, parent_end, process.pid, ended)
        threading.Thread(target=self._watch, args=(child,), name="parla-math-reaper", daemon=True).start()
        self.starts += 1
        try:
            if not parent_end.poll(self.start_timeout):
                raise _Unavailable(f"no answer in {self.start_timeout:g} s")
            message = parent_end.recv()
        except (EOFError, OSError, _Unavailable) as exc:
            self._discard(child)
            raise RuntimeError(f"the child ended before it was ready ({exc or type(exc).__name__})") from exc
        if not (isinstance(message, tuple) and message[:1] == ("ready",)):
            self._discard(child)
            if isinstance(message, tuple) and message[:1] == ("failed",):
                raise RuntimeError("matplotlib could not be loaded: " + str(message[1]).strip().splitlines()[-1])
            raise RuntimeError(f"unexpected first message {message!r:.80}")
        log.info("formula process %d ready in %.2f s", child.pid, time.monotonic() - started)
        return child

    def _exchange(self, child: _Child, request: tuple[Any, ...]) -> tuple[int, int, bytes] | None:
        try:
            child.conn.send(request)
            while True:
                if not child.conn.poll(self.reply_timeout):
                    raise TimeoutError(f"no answer in {self.reply_timeout:g} s")
                reply = child.conn.recv()
                kind = reply[0]
                if kind == "delimiter":
                    child.conn.send(_delimiter_mask(*reply[1:]))
                elif kind == "mask":
                    _kind, width, height, data = reply
                    return int(width), int(height), bytes(data)
                elif kind == "none":
                    log.debug("formula left as source: %s (%r)", reply[1], request[1][:200])
                    return None
                else:
                    raise RuntimeError(f"unexpected message {reply!r:.80}")
        except (EOFError, OSError, TimeoutError, RuntimeError, ValueError) as exc:
            log.warning(
                "the formula process %d stopped answering (%s): the formula is shown as its TeX source, "
                "the next one starts a new process", child.pid, exc or type(exc).__name__,
            )
            self._discard(child)
            raise _Unavailable(str(exc)) from exc

    def _discard(self, child: _Child) -> None:
        """Forget ``child``: close its pipe and end it (its watcher reaps it)."""
        if self._child is child:
            self._child = None
        child.conn.close()
        if not child.ended.is_set():
            self._kill(child)

    @staticmethod
    def _kill(child: _Child) -> None:
        try:
            child.process.kill()
        except (OSError, ValueError, AttributeError):
            pass

    @staticmethod
    def _watch(child: _Child) -> None:
        """Wait for the child to end (in its own thread), so it is reaped at once: never a zombie."""
        try:
            child.process.join()
        except Exception:  # pragma: no cover - join only waits
            log.exception("waiting for the formula process failed")
        child.ended.set()
        code = child.process.exitcode
        # 0: the pipe closed; -9: ended here; -15: multiprocessing ends its daemons as Parla exits.
        if code not in (0, None, -9, -15):
            log.warning("the formula process %d ended with code %s", child.pid, code)


def _delimiter_mask(kind: str, width: int, height: int, size: float) -> bytes:
    """A stretched ( [ { | ‖ as tall as a grid: ``max(1, width) × max(1, height)`` alpha bytes."""
    image = QImage(max(1, width), max(1, height), QImage.Format.Format_Alpha8)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor(0, 0, 0, 255))
    pen.setWidthF(max(1.0, size * 0.06))
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    m = pen.widthF()
    w, h = float(width), float(height)
    path = QPainterPath()
    if kind == "(":
        path.moveTo(w * 0.85, m)
        path.cubicTo(w * 0.1, h * 0.25, w * 0.1, h * 0.75, w * 0.85, h - m)
    elif kind == ")":
        path.moveTo(w * 0.15, m)
        path.cubicTo(w * 0.9, h * 0.25, w * 0.9, h * 0.75, w * 0.15, h - m)
    elif kind == "[":
        path.moveTo(w * 0.8, m)
        path.lineTo(w * 0.35, m)
        path.lineTo(w * 0.35, h - m)
        path.lineTo(w * 0.8, h - m)
    elif kind == "]":
        path.moveTo(w * 0.2, m)
        path.lineTo(w * 0.65, m)
        path.lineTo(w * 0.65, h - m)
        path.lineTo(w * 0.2, h - m)
    elif kind in ("{", "}"):
        flip = kind == "}"

        def px(value: float) -> float:
            return w - value if flip else value

        mid = h / 2
        path.moveTo(px(w * 0.85), m)
        path.cubicTo(QPointF(px(w * 0.45), m), QPointF(px(w * 0.5), mid * 0.2), QPointF(px(w * 0.5), mid * 0.5))
        path.lineTo(px(w * 0.5), mid * 0.8)
        path.cubicTo(QPointF(px(w * 0.5), mid * 0.95), QPointF(px(w * 0.3), mid), QPointF(px(w * 0.15), mid))
        path.cubicTo(QPointF(px(w * 0.3), mid), QPointF(px(w * 0.5), mid * 1.05), QPointF(px(w * 0.5), mid * 1.2))
        path.lineTo(px(w * 0.5), h - mid * 0.5)
        path.cubicTo(QPointF(px(w * 0.5), h - mid * 0.2), QPointF(px(w * 0.45), h - m), QPointF(px(w * 0.85), h - m))
    elif kind == "|":
        path.moveTo(w * 0.5, 0)
        path.lineTo(w * 0.5, h)
    elif kind == "‖":
        path.moveTo(w * 0.35, 0)
        path.lineTo(w * 0.35, h)
        path.moveTo(w * 0.65, 0)
        path.lineTo(w * 0.65, h)
    painter.drawPath(path)
    painter.end()
    stride = image.bytesPerLine()
    bits = bytes(image.constBits())[: stride * image.height()]
    columns = image.width()
    if stride == columns:
        return bits
    return b"".join(bits[row * stride : row * stride + columns] for row in range(image.height()))


def colourize(width: int, height: int, mask: bytes, color: QColor) -> QImage:
    """The alpha ``mask`` painted in ``color`` (premultiplied ARGB32).

    Each channel is one 256-entry table of the mask's values — ``a' = a·A//255``, then
    ``c = a'·C//255`` — the integer arithmetic this renderer always used, so the same pixels.
    """
    alpha_of = bytes(value * color.alpha() // 255 for value in range(256))
    red = bytes(alpha_of[value] * color.red() // 255 for value in range(256))
    green = bytes(alpha_of[value] * color.green() // 255 for value in range(256))
    blue = bytes(alpha_of[value] * color.blue() // 255 for value in range(256))
    pixels = bytearray(4 * width * height)
    # Format_ARGB32_Premultiplied is 32-bit words 0xAARRGGBB: B, G, R, A bytes on little-endian machines.
    order = (blue, green, red, alpha_of) if sys.byteorder == "little" else (alpha_of, red, green, blue)
    for offset, table in enumerate(order):
        pixels[offset::4] = mask.translate(table)
    image = QImage(bytes(pixels), width, height, width * 4, QImage.Format.Format_ARGB32_Premultiplied)
    return image.copy()


_typesetter: Typesetter | None = None
_typesetter_lock = threading.Lock()


def typesetter() -> Typesetter:
    """The application's one formula process (not started until something needs it)."""
    global _typesetter
    with _typesetter_lock:
        if _typesetter is None:
            _typesetter = Typesetter()
        return _typesetter


# --------------------------------------------------------------------------------------------
# The renderer


class MathRenderer:
    """Typesets formulas (through the formula process) and caches the images; one per application
    (see :func:`math_renderer`)."""

    def __init__(self, cache_size: int = 512) -> None:
        self._cache: OrderedDict[tuple[Any, ...], MathImage | None] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def render(
        self,
        tex: str,
        *,
        display: bool,
        color: QColor,
        pixel_size: float,
        dpr: float = 1.0,
        x_height: float | None = None,
    ) -> MathImage | None:
        """The formula as an image in ``color``, or None when mathtext cannot lay it out (or the
        formula process is not available). Blocks: call it from the formula worker thread.

        ``pixel_size`` and ``x_height`` are the surrounding text's, in logical pixels.
        """
        if x_height is None:
            x_height = pixel_size * 0.53
        key = self._key(tex, display, color, pixel_size, dpr) + (round(x_height * 4),)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        result: MathImage | None
        try:
            result = self._render(tex, display, color, pixel_size, dpr, x_height)
        except Exception:  # never let one odd formula reach the UI
            log.debug("typesetting failed on %r", tex[:200], exc_info=True)
            result = None
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result

    def lookup(
        self,
        tex: str,
        *,
        display: bool,
        color: QColor,
        pixel_size: float,
        dpr: float = 1.0,
        x_height: float | None = None,
    ) -> tuple[bool, MathImage | None]:
        """``(True, image or None)`` when the formula is already typeset, else ``(False, None)``.

        Never typesets: safe and cheap on the UI thread.
        """
        if x_height is None:
            x_height = pixel_size * 0.53
        key = self._key(tex, display, color, pixel_size, dpr) + (round(x_height * 4),)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return True, self._cache[key]
        return False, None

    @staticmethod
    def _key(tex: str, display: bool, color: QColor, pixel_size: float, dpr: float) -> tuple[Any, ...]:
        return (tex, display, color.rgba(), round(pixel_size * 4), round(dpr * 100))

    @staticmethod
    def _render(tex: str, display: bool, color: QColor, pixel_size: float, dpr: float, x_height: float) -> MathImage | None:
        source = tex.strip()
        if not source or len(source) > MAX_TEX_LENGTH:
            return None  # not worth a trip to the child
        mask = typesetter().typeset(tex, display, pixel_size, dpr, x_height)
        if mask is None:
            return None
        width, height, data = mask
        if width <= 0 or height <= 0 or len(data) != width * height:
            log.warning("the formula process sent a mask of the wrong size (%d × %d, %d bytes)", width, height, len(data))
            return None
        image = colourize(width, height, data, color)
        image.setDevicePixelRatio(dpr)
        return MathImage(image, image.width() / dpr, image.height() / dpr)


_shared: MathRenderer | None = None
_shared_lock = threading.Lock()


def math_renderer() -> MathRenderer:
    """The application's formula renderer (created on first use, so importing costs nothing)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = MathRenderer()
        return _shared


def preload() -> None:
    """Start the formula process (it loads matplotlib) and typeset one formula, so the first real
    one is quick. Blocks for about a second: call it in the formula worker (``math_jobs().run``)."""
    typesetter().start()
    math_renderer().render("x^2", display=False, color=QColor(0, 0, 0), pixel_size=14.0)


# --------------------------------------------------------------------------------------------
# Typesetting off the UI thread


@dataclass(frozen=True, slots=True)
class MathRequest:
    """One formula to typeset, with everything its image depends on."""

    tex: str
    display: bool
    rgba: int
    pixel_size: float
    dpr: float
    x_height: float

    def render(self) -> MathImage | None:
        return math_renderer().render(
            self.tex,
            display=self.display,
            color=QColor.fromRgba(self.rgba),
            pixel_size=self.pixel_size,
            dpr=self.dpr,
            x_height=self.x_height,
        )


class MathJobs(QObject):
    """Typesets formulas from one worker thread, which alone starts and talks to the formula
    process; the UI thread only enqueues requests and looks images up.

    A document that shows a formula not typeset yet puts a placeholder (the source, muted) and
    calls :meth:`submit` with a callback; the callback runs on the UI thread once the image (or
    ``None``: mathtext could not lay it out, or the process was not available) is in the
    renderer's cache. ``settled`` fires after each batch of callbacks, for views to re-measure
    what changed size.
    """

    settled = Signal()
    _finished = Signal(object)  # a MathRequest, emitted from the worker (queued to the UI thread)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor: ThreadPoolExecutor | None = None
        self._waiters: dict[MathRequest, list[Callable[[MathImage | None], None]]] = {}
        self._finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)

    @property
    def pending(self) -> int:
        """Formulas submitted and not delivered yet."""
        return len(self._waiters)

    def submit(self, request: MathRequest, callback: Callable[[MathImage | None], None]) -> None:
        waiters = self._waiters.get(request)
        if waiters is not None:
            waiters.append(callback)
            return
        self._waiters[request] = [callback]
        self._pool().submit(self._work, request)

    def run(self, function: Callable[[], Any]) -> None:
        """Run ``function`` in the worker (``preload``), ordered with the formulas."""
        self._pool().submit(function)

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parla-math")
        return self._executor

    def _work(self, request: MathRequest) -> None:
        try:
            request.render()  # the result lands in the renderer's cache (render never raises)
        except Exception:  # pragma: no cover - render catches mathtext's errors itself
            log.exception("the formula renderer failed")
        self._finished.emit(request)

    @Slot(object)
    def _on_finished(self, request: MathRequest) -> None:
        callbacks = self._waiters.pop(request, [])
        found, image = math_renderer().lookup(
            request.tex,
            display=request.display,
            color=QColor.fromRgba(request.rgba),
            pixel_size=request.pixel_size,
            dpr=request.dpr,
            x_height=request.x_height,
        )
        if not found:  # evicted in between (a huge burst of formulas): typeset again
            if callbacks:
                self._waiters[request] = callbacks
                self._pool().submit(self._work, request)
            return
        for callback in callbacks:
            try:
                callback(image)
            except RuntimeError:  # the document was deleted meanwhile
                pass
        self.settled.emit()

    def wait_idle(self, timeout: float = 20.0) -> bool:
        """Process events until every submitted formula is delivered (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        while self._waiters:
            if time.monotonic() > deadline:
                return False
            QCoreApplication.processEvents()
            time.sleep(0.002)
        QCoreApplication.processEvents()
        return True


_jobs: MathJobs | None = None


def math_jobs() -> MathJobs:
    """The application's formula worker (create it on the UI thread)."""
    global _jobs
    if _jobs is None:
        _jobs = MathJobs()
    return _jobs
