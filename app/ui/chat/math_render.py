"""TeX formulas to images with matplotlib's mathtext, for a QTextDocument without a browser engine.

Why mathtext: it is a TeX-subset layout engine in pure Python (no LaTeX install, no web engine),
maintained with matplotlib, and its Agg back end hands back a plain alpha mask with the depth
below the baseline. We colour the mask with the text colour ourselves, so one layout serves any
theme, and pad the image so that ``vertical-align: middle`` in Qt puts the formula's baseline on
the text baseline.

mathtext lacks a few things models write often, so :func:`normalize_tex` maps common macros to
ones it knows (``\\le`` → ``\\leq``, ``\\tfrac`` → ``\\frac``, ``\\bigl(`` → ``(``…), and
environments (``pmatrix``, ``bmatrix``, ``cases``, ``aligned``, ``array``…) and ``\\\\`` line breaks
are laid out here as a grid of separately rendered cells with drawn delimiters.

matplotlib is imported on the first formula only (about 0.4 s), never at start-up;
:func:`preload` does it ahead of time and may run in a worker thread. Images are cached by
formula, colour, size and pixel ratio. A formula mathtext cannot lay out gives ``None``: the
caller shows the source in a monospace span.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, QPointF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen

if TYPE_CHECKING:
    import numpy as np

__all__ = ["MathImage", "MathJobs", "MathRenderer", "math_jobs", "math_renderer", "normalize_tex", "preload"]

log = logging.getLogger(__name__)

#: Formulas longer than this are not typeset (mathtext's cost grows quickly with size).
MAX_TEX_LENGTH = 3000

#: Computer Modern's x-height is about 0.43 em against 0.55 em for common UI fonts: formulas
#: are set this much larger than the text so their letters match it.
TEXT_SCALE = 1.2
#: Display formulas a little larger again, as TeX's \displaystyle operators are.
DISPLAY_SCALE = 1.3


@dataclass(frozen=True, slots=True)
class MathImage:
    """A typeset formula: the image (device pixels) and its size in logical pixels.

    Qt centres an ``AlignMiddle`` inline image a quarter x-height above the baseline; the image
    is padded so that the formula's own baseline lands on the text's.
    """

    image: QImage
    width: float
    height: float


@dataclass(slots=True)
class _Box:
    """An alpha mask with its extent above and below the baseline (device pixels)."""

    alpha: np.ndarray
    ascent: int

    @property
    def height(self) -> int:
        return int(self.alpha.shape[0])

    @property
    def width(self) -> int:
        return int(self.alpha.shape[1])

    @property
    def descent(self) -> int:
        return self.height - self.ascent


class _MathError(Exception):
    """mathtext could not lay the formula out."""


# --------------------------------------------------------------------------------------------
# TeX normalisation

_SIMPLE_MACROS: dict[str, str] = {
    "le": r"\leq",
    "ge": r"\geq",
    "lVert": r"\|",
    "rVert": r"\|",
    "lvert": "|",
    "rvert": "|",
    "implies": r"\Longrightarrow",
    "impliedby": r"\Longleftarrow",
    "iff": r"\Longleftrightarrow",
    "land": r"\wedge",
    "lor": r"\vee",
    "lnot": r"\neg",
    "tfrac": r"\frac",
    "cfrac": r"\frac",
    "dbinom": r"\binom",
    "tbinom": r"\binom",
    "textbf": r"\mathbf",
    "textit": r"\mathit",
    "emph": r"\mathit",
    "textrm": r"\mathrm",
    "texttt": r"\mathtt",
    "textsf": r"\mathsf",
    "textnormal": r"\mathrm",
    "bm": r"\boldsymbol",
    "bmod": r"\ \mathrm{mod}\ ",
    "mod": r"\ \mathrm{mod}\ ",
    "tr": r"\mathrm{tr}",
    "centerdot": r"\cdot",
    "smallint": r"\int",
    "square": r"\Box",
    "lbrack": "[",
    "rbrack": "]",
    "gets": r"\leftarrow",
    "dots": r"\ldots",
    "dotsc": r"\ldots",
    "dotsb": r"\cdots",
    "dotsm": r"\cdots",
    "thinspace": r"\,",
    "medspace": r"\:",
    "thickspace": r"\;",
    "enspace": r"\ ",
    "colon": ":",
}
_DROPPED_MACROS = (
    "displaystyle",
    "textstyle",
    "scriptstyle",
    "scriptscriptstyle",
    "limits",
    "nolimits",
    "nonumber",
    "notag",
    "middle",
    "big",
    "Big",
    "bigg",
    "Bigg",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "biggl",
    "biggr",
    "Biggl",
    "Biggr",
    "bigm",
    "Bigm",
    "biggm",
    "Biggm",
)
_MACRO_RE = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])\*?")
_FRAC_SHORT_RE = re.compile(r"\\([dtc]?frac|[dt]?binom)\s*([0-9A-Za-z])\s*([0-9A-Za-z])")
_WRAPPER_RE = re.compile(r"\\(boxed|cancel|bcancel|xcancel|mathrlap|mathllap|hphantom|displaylimits)\s*\{")
_COLOR_RE = re.compile(r"\\(?:color|textcolor)\s*\{[^{}]*\}")
_LABEL_RE = re.compile(r"\\label\s*\{[^{}]*\}")
_TAG_RE = re.compile(r"\\tag\*?\s*\{([^{}]*)\}")
_XARROW_RE = re.compile(r"\\x(right|left)arrow\s*(?:\[[^\]]*\])?\s*\{")
_STACKREL_RE = re.compile(r"\\stackrel\s*\{")
_BRACE_RE = re.compile(r"\\(underbrace|overbrace)\s*\{")
_OPERATORNAME_STAR_RE = re.compile(r"\\operatorname\*")
_PMOD_RE = re.compile(r"\\pmod\s*\{")
_AMP_RE = re.compile(r"\\&")
_INFIX_RE = re.compile(r"\{([^{}]*?)\\(choose|over|atop)\b([^{}]*)\}")


def _group_end(tex: str, open_index: int) -> int:
    """The index just past the ``}`` matching the ``{`` at ``open_index`` (or len(tex))."""
    depth = 0
    index = open_index
    while index < len(tex):
        char = tex[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return len(tex)


def _rewrite_groups(tex: str, pattern: re.Pattern[str], rewrite: Any) -> str:
    """Replace ``\\macro{arg}`` (``pattern`` ends at the ``{``) by ``rewrite(match, arg, rest)``."""
    for _ in range(50):
        match = pattern.search(tex)
        if not match:
            return tex
        end = _group_end(tex, match.end() - 1)
        arg = tex[match.end() : end - 1]
        tex, _consumed = rewrite(tex, match, arg, end)
    return tex


def normalize_tex(tex: str) -> str:
    """Map TeX that models write to the dialect mathtext understands."""
    tex = _LABEL_RE.sub("", tex)
    tex = _OPERATORNAME_STAR_RE.sub(r"\\operatorname", tex)
    tex = _COLOR_RE.sub("", tex)
    tex = _AMP_RE.sub(r"\\text{\\&}", tex)
    tex = _FRAC_SHORT_RE.sub(r"\\\1{\2}{\3}", tex)
    tex = _INFIX_RE.sub(lambda m: _infix(m), tex)

    def unwrap(text: str, match: re.Match[str], arg: str, end: int) -> tuple[str, int]:
        return text[: match.start()] + "{" + arg + "}" + text[end:], end

    def xarrow(text: str, match: re.Match[str], arg: str, end: int) -> tuple[str, int]:
        arrow = r"\longrightarrow" if match.group(1) == "right" else r"\longleftarrow"
        return text[: match.start()] + r"\overset{" + arg + "}{" + arrow + "}" + text[end:], end

    def stackrel(text: str, match: re.Match[str], arg: str, end: int) -> tuple[str, int]:
        return text[: match.start()] + r"\overset{" + arg + "}" + text[end:], end

    def braces(text: str, match: re.Match[str], arg: str, end: int) -> tuple[str, int]:
        rest = text[end:]
        script = "_" if match.group(1) == "underbrace" else "^"
        stripped = rest.lstrip()
        if stripped.startswith(script):
            after = stripped[1:].lstrip()
            if after.startswith("{"):
                label_end = _group_end(after, 0)
                label, rest = after[1 : label_end - 1], after[label_end:]
            else:
                label, rest = after[:1], after[1:]
            macro = r"\underset" if script == "_" else r"\overset"
            return text[: match.start()] + macro + "{" + label + "}{" + arg + "}" + rest, end
        return text[: match.start()] + "{" + arg + "}" + rest, end

    def pmod(text: str, match: re.Match[str], arg: str, end: int) -> tuple[str, int]:
        return text[: match.start()] + r"\ (\mathrm{mod}\ " + arg + ")" + text[end:], end

    tex = _rewrite_groups(tex, _WRAPPER_RE, unwrap)
    tex = _rewrite_groups(tex, _XARROW_RE, xarrow)
    tex = _rewrite_groups(tex, _STACKREL_RE, stackrel)
    tex = _rewrite_groups(tex, _BRACE_RE, braces)
    tex = _rewrite_groups(tex, _PMOD_RE, pmod)

    def macro(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _DROPPED_MACROS:
            return " "
        replacement = _SIMPLE_MACROS.get(name)
        if replacement is not None:
            return replacement + " "
        return match.group(0)

    tex = _MACRO_RE.sub(macro, tex)
    return tex.strip()


def _infix(match: re.Match[str]) -> str:
    left, op, right = match.group(1), match.group(2), match.group(3)
    if op == "choose":
        return r"\binom{" + left + "}{" + right + "}"
    if op == "over":
        return r"\frac{" + left + "}{" + right + "}"
    return r"\genfrac{}{}{0}{}{" + left + "}{" + right + "}"


# --------------------------------------------------------------------------------------------
# Environments and line breaks

_BEGIN_RE = re.compile(r"\\begin\s*\{([A-Za-z*]+)\}")
_ROW_BREAK_RE = re.compile(r"\\\\(?:\s*\[[^\]]*\])?")

#: environment → (left delimiter, right delimiter, column alignment pattern)
_ENVIRONMENTS: dict[str, tuple[str, str, str]] = {
    "matrix": ("", "", "c"),
    "smallmatrix": ("", "", "c"),
    "pmatrix": ("(", ")", "c"),
    "bmatrix": ("[", "]", "c"),
    "Bmatrix": ("{", "}", "c"),
    "vmatrix": ("|", "|", "c"),
    "Vmatrix": ("‖", "‖", "c"),
    "cases": ("{", "", "l"),
    "dcases": ("{", "", "l"),
    "rcases": ("", "}", "l"),
    "aligned": ("", "", "rl"),
    "align": ("", "", "rl"),
    "align*": ("", "", "rl"),
    "alignat": ("", "", "rl"),
    "alignat*": ("", "", "rl"),
    "alignedat": ("", "", "rl"),
    "split": ("", "", "rl"),
    "eqnarray": ("", "", "rcl"),
    "eqnarray*": ("", "", "rcl"),
    "gather": ("", "", "c"),
    "gather*": ("", "", "c"),
    "gathered": ("", "", "c"),
    "multline": ("", "", "c"),
    "multline*": ("", "", "c"),
    "equation": ("", "", "c"),
    "equation*": ("", "", "c"),
    "array": ("", "", "c"),
    "subarray": ("", "", "c"),
}


@dataclass(slots=True)
class _Env:
    name: str
    body: str
    spec: str


def _split_top(text: str, separator: re.Pattern[str] | str) -> list[str]:
    """Split at a separator outside braces and nested environments."""
    parts: list[str] = []
    depth = 0
    env_depth = 0
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            if text.startswith("\\begin", index):
                env_depth += 1
            elif text.startswith("\\end", index):
                env_depth -= 1
            if depth == 0 and env_depth == 0 and isinstance(separator, re.Pattern):
                match = separator.match(text, index)
                if match:
                    parts.append(text[start:index])
                    index = start = match.end()
                    continue
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and env_depth == 0 and isinstance(separator, str) and char == separator:
            parts.append(text[start:index])
            start = index + 1
        index += 1
    parts.append(text[start:])
    return parts


def _segments(tex: str) -> list[str | _Env]:
    """The formula as a row of plain TeX pieces and top-level environments."""
    pieces: list[str | _Env] = []
    pos = 0
    while True:
        match = _BEGIN_RE.search(tex, pos)
        if not match:
            break
        name = match.group(1)
        depth = 1
        scan = match.end()
        end_re = re.compile(r"\\(begin|end)\s*\{" + re.escape(name) + r"\}")
        close = None
        while depth:
            found = end_re.search(tex, scan)
            if not found:
                break
            depth += 1 if found.group(1) == "begin" else -1
            scan = found.end()
            close = found
        if close is None or depth:
            raise _MathError(f"unclosed environment {name}")
        body = tex[match.end() : close.start()]
        spec = ""
        if name in ("array", "subarray", "alignat", "alignat*", "alignedat") and body.lstrip().startswith("{"):
            stripped = body.lstrip()
            spec_end = _group_end(stripped, 0)
            spec, body = stripped[1 : spec_end - 1], stripped[spec_end:]
        if match.start() > pos:
            pieces.append(tex[pos : match.start()])
        pieces.append(_Env(name, body, spec))
        pos = close.end()
    if pos < len(tex):
        pieces.append(tex[pos:])
    return pieces


# --------------------------------------------------------------------------------------------
# The renderer


class MathRenderer:
    """Typesets formulas and caches the images; one per application (see :func:`math_renderer`)."""

    def __init__(self, cache_size: int = 512) -> None:
        self._cache: OrderedDict[tuple[Any, ...], MathImage | None] = OrderedDict()
        self._cache_size = cache_size
        self._parser: Any = None
        self._font_properties: Any = None
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
        """The formula as an image in ``color``, or None when mathtext cannot lay it out.

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
        except _MathError as exc:
            log.debug("formula left as source: %s", exc)
            result = None
        except Exception:  # mathtext raises many kinds on odd input; never let one reach the UI
            log.debug("mathtext failed on %r", tex[:200], exc_info=True)
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

    # -- layout ---------------------------------------------------------------------------

    def _render(
        self, tex: str, display: bool, color: QColor, pixel_size: float, dpr: float, x_height: float
    ) -> MathImage | None:
        source = tex.strip()
        if not source or len(source) > MAX_TEX_LENGTH:
            raise _MathError("empty or too long")
        tag = ""
        tag_match = _TAG_RE.search(source)
        if tag_match:
            tag = tag_match.group(1)
            source = _TAG_RE.sub("", source)
        size = pixel_size * dpr * (DISPLAY_SCALE if display else TEXT_SCALE)
        body = self._layout(source, size)
        if tag:
            body = self._hcat([body, self._text_box(r"\quad(" + tag + ")", size)], size)
        image = self._colourize(self._place_baseline(body, x_height * dpr), color)
        image.setDevicePixelRatio(dpr)
        return MathImage(image, image.width() / dpr, image.height() / dpr)

    def _layout(self, tex: str, size: float) -> _Box:
        """Rows (``\\\\``) stacked, each a row of pieces and environments."""
        rows = [row for row in _split_top(tex, _ROW_BREAK_RE) if row.strip()]
        if len(rows) > 1:
            grid = [_split_top(row, "&") for row in rows]
            columns = max(len(cells) for cells in grid)
            return self._grid(grid, "rl" if columns > 1 else "c", size, "", "")
        boxes: list[_Box] = []
        for piece in _segments(tex):
            if isinstance(piece, _Env):
                boxes.append(self._environment(piece, size))
            elif piece.strip():
                boxes.append(self._text_box(piece, size))
        if not boxes:
            raise _MathError("nothing to typeset")
        return boxes[0] if len(boxes) == 1 else self._hcat(boxes, size)

    def _environment(self, env: _Env, size: float) -> _Box:
        left, right, pattern = _ENVIRONMENTS.get(env.name, ("", "", "c"))
        if env.spec:
            pattern = "".join(char for char in env.spec if char in "lcr") or "c"
        rows = [row for row in _split_top(env.body, _ROW_BREAK_RE) if row.strip()]
        grid = [_split_top(row, "&") for row in rows] or [[""]]
        cell_size = size * (0.75 if env.name in ("smallmatrix", "subarray") else 1.0)
        return self._grid(grid, pattern, cell_size, left, right)

    def _grid(self, grid: list[list[str]], pattern: str, size: float, left: str, right: str) -> _Box:
        import numpy as np

        columns = max(len(row) for row in grid)
        cells = [[self._layout(cell, size) if cell.strip() else None for cell in row] for row in grid]
        widths = [0] * columns
        for row in cells:
            for col, box in enumerate(row):
                if box is not None:
                    widths[col] = max(widths[col], box.width)
        aligned_pairs = pattern == "rl"
        column_gap = int(size * (0.15 if aligned_pairs else 1.0))
        row_gap = int(size * 0.35)
        ascents = [max([b.ascent for b in row if b is not None] or [int(size * 0.7)]) for row in cells]
        descents = [max([b.descent for b in row if b is not None] or [int(size * 0.25)]) for row in cells]
        inner_width = sum(widths) + column_gap * max(0, columns - 1)
        inner_height = sum(ascents) + sum(descents) + row_gap * max(0, len(cells) - 1)
        pad = int(size * 0.35) if (left or right) else 0
        delim_width = int(size * 0.45)
        total_width = inner_width + (delim_width + pad if left else 0) + (delim_width + pad if right else 0)
        alpha = np.zeros((inner_height, max(1, total_width)), dtype=np.uint8)
        x0 = delim_width + pad if left else 0
        y = 0
        for row_index, row in enumerate(cells):
            x = x0
            for col in range(columns):
                box = row[col] if col < len(row) else None
                if box is not None:
                    align = pattern[col % len(pattern)] if not aligned_pairs else ("r" if col % 2 == 0 else "l")
                    if align == "r":
                        offset = widths[col] - box.width
                    elif align == "c":
                        offset = (widths[col] - box.width) // 2
                    else:
                        offset = 0
                    top = y + ascents[row_index] - box.ascent
                    region = alpha[top : top + box.height, x + offset : x + offset + box.width]
                    np.maximum(region, box.alpha[: region.shape[0], : region.shape[1]], out=region)
                x += widths[col] + column_gap
            y += ascents[row_index] + descents[row_index] + row_gap
        if left:
            self._draw_delimiter(alpha, left, 0, delim_width, size)
        if right:
            self._draw_delimiter(alpha, right, total_width - delim_width, delim_width, size)
        axis = int(size * 0.25)
        return _Box(alpha, min(inner_height, inner_height // 2 + axis))

    @staticmethod
    def _draw_delimiter(alpha: np.ndarray, kind: str, x: int, width: int, size: float) -> None:
        """Draw a stretched ( [ { | ‖ into the mask, as tall as the grid."""
        import numpy as np

        height = alpha.shape[0]
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
        drawn = _alpha_array(image)
        region = alpha[:, x : x + width]
        np.maximum(region, drawn[:, : region.shape[1]], out=region)

    def _hcat(self, boxes: list[_Box], size: float) -> _Box:
        import numpy as np

        ascent = max(box.ascent for box in boxes)
        descent = max(box.descent for box in boxes)
        gap = max(1, int(size * 0.08))
        width = sum(box.width for box in boxes) + gap * (len(boxes) - 1)
        alpha = np.zeros((ascent + descent, width), dtype=np.uint8)
        x = 0
        for box in boxes:
            top = ascent - box.ascent
            alpha[top : top + box.height, x : x + box.width] = np.maximum(
                alpha[top : top + box.height, x : x + box.width], box.alpha
            )
            x += box.width + gap
        return _Box(alpha, ascent)

    def _text_box(self, tex: str, size: float) -> _Box:
        """One piece of TeX through mathtext."""
        import numpy as np

        parser, properties = self._mathtext()
        normalized = normalize_tex(tex)
        if not normalized:
            raise _MathError("empty piece")
        catcher = _GlyphWarnings()
        mathtext_log = logging.getLogger("matplotlib.mathtext")
        mathtext_log.addFilter(catcher)
        try:
            with self._lock:
                properties.set_size(size)
                result = parser.parse("$" + normalized + "$", dpi=72, prop=properties)
        finally:
            mathtext_log.removeFilter(catcher)
        if catcher.missing:
            raise _MathError("glyph missing from the math font")
        alpha = np.ascontiguousarray(np.asarray(result.image, dtype=np.uint8))
        depth = int(round(result.depth))
        if alpha.size == 0:
            raise _MathError("empty image")
        return _Box(alpha, max(0, alpha.shape[0] - depth))

    def _mathtext(self) -> tuple[Any, Any]:
        if self._parser is None:
            from matplotlib.font_manager import FontProperties
            from matplotlib.mathtext import MathTextParser

            self._parser = MathTextParser("agg")
            self._font_properties = FontProperties(math_fontfamily="cm")
        return self._parser, self._font_properties

    @staticmethod
    def _place_baseline(box: _Box, x_height: float) -> _Box:
        """Pad so that Qt's ``AlignMiddle`` puts the baseline on the text's (see MathImage).

        Qt gives an inline object of height H an ascent of H/2 + x/4 (x: the font's x-height),
        so the part above the baseline must exceed the part below by x/2.
        """
        import numpy as np

        margin = 1
        above, below = box.ascent + margin, box.descent + margin
        excess = round(x_height / 2)
        if above - below < excess:
            above = below + excess
        else:
            below = above - excess
        alpha = np.zeros((above + below, box.width + 2 * margin), dtype=np.uint8)
        top = above - box.ascent
        alpha[top : top + box.height, margin : margin + box.width] = box.alpha
        return _Box(alpha, above)

    @staticmethod
    def _colourize(box: _Box, color: QColor) -> QImage:
        import numpy as np

        height, width = box.alpha.shape
        alpha = box.alpha.astype(np.uint16) * color.alpha() // 255
        # Format_ARGB32_Premultiplied is stored as B, G, R, A bytes on little-endian machines,
        # and as A, R, G, B on big-endian ones; build it through 32-bit words to be independent.
        red = (alpha * color.red() // 255).astype(np.uint32)
        green = (alpha * color.green() // 255).astype(np.uint32)
        blue = (alpha * color.blue() // 255).astype(np.uint32)
        words = (alpha.astype(np.uint32) << 24) | (red << 16) | (green << 8) | blue
        words = np.ascontiguousarray(words)
        image = QImage(words.data, width, height, width * 4, QImage.Format.Format_ARGB32_Premultiplied)
        return image.copy()


def _alpha_array(image: QImage) -> np.ndarray:
    import numpy as np

    stride = image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * image.height())
    return data.reshape(image.height(), stride)[:, : image.width()].copy()


class _GlyphWarnings(logging.Filter):
    """Catches mathtext's "substituting with a dummy symbol" warnings (a CJK \\text{}, say)."""

    def __init__(self) -> None:
        super().__init__()
        self.missing = False

    def filter(self, record: logging.LogRecord) -> bool:
        if "dummy symbol" in record.getMessage():
            self.missing = True
            return False
        return True


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
    """Import matplotlib and lay out one formula, so the first real one is quick.

    Safe to call from a worker thread (``asyncio.to_thread(preload)``) after the window shows.
    """
    renderer = math_renderer()
    renderer._mathtext()  # noqa: SLF001 - the import is the point
    renderer.render("x^2", display=False, color=QColor(0, 0, 0), pixel_size=14.0)


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
    """Typesets formulas in one worker thread; the UI thread only ever looks images up.

    A document that shows a formula not typeset yet puts a placeholder (the source, muted) and
    calls :meth:`submit` with a callback; the callback runs on the UI thread once the image (or
    ``None``: mathtext could not lay it out) is in the renderer's cache. ``settled`` fires after
    each batch of callbacks, for views to re-measure what changed size.
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
