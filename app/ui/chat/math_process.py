"""The formula process: TeX → alpha masks with matplotlib's mathtext, away from the UI process.

Why a process: matplotlib and numpy cost the UI process about 47 MB (issue #3: the Chat tab stays
under 160 MB with a 2,000-message conversation open), and a thread of the UI process holding the
GIL through a long layout is felt as a stall. So :mod:`app.ui.chat.math_render` starts this module
in a child process (multiprocessing's *spawn*: the UI process has Qt threads, which ``fork`` must
not copy) from its formula worker thread, and talks to it only from there, through one pipe.

This module never imports Qt (the child stays small and starts quickly), and imports numpy and
matplotlib only inside the child's functions: the UI process imports it for :func:`normalize_tex`
and the constants, and for the target of the child (:func:`serve`).

Why mathtext: it is a TeX-subset layout engine in pure Python (no LaTeX install, no web engine),
maintained with matplotlib, and its Agg back end hands back a plain alpha mask with the depth
below the baseline. The UI process colours the mask with the text colour, so one layout serves any
theme. The mask is padded so that ``vertical-align: middle`` in Qt puts the formula's baseline on
the text baseline.

mathtext lacks a few things models write often, so :func:`normalize_tex` maps common macros to
ones it knows (``\\le`` → ``\\leq``, ``\\tfrac`` → ``\\frac``, ``\\bigl(`` → ``(``…), and
environments (``pmatrix``, ``bmatrix``, ``cases``, ``aligned``, ``array``…) and ``\\\\`` line breaks
are laid out here as a grid of separately rendered cells with drawn delimiters. The stretched
delimiters are drawn by the UI process with QPainter (the child asks for them over the pipe and
waits), so the images are the same pixels as when all of this ran in the UI process.

The protocol (pickled tuples, one request at a time, always started by the parent)::

    child  → ("ready", pid)                       once, after matplotlib is loaded
             or ("failed", traceback)             and it ends (matplotlib missing or broken)
    parent → ("typeset", tex, display, pixel_size, dpr, x_height)
    child  → ("delimiter", kind, width, height, size)     zero or more times, each answered by
    parent → bytes                                          width × height alpha bytes (≥ 1 × 1)
    child  → ("mask", width, height, bytes)  or  ("none", reason)
    parent → ("exit",)                            or the pipe closes: the child ends

The child also ends when the pipe closes (Parla exited, even by ``kill -9``).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    import numpy as np

__all__ = ["DISPLAY_SCALE", "MAX_TEX_LENGTH", "TEXT_SCALE", "MathError", "MathLayout", "normalize_tex", "serve"]

#: Formulas longer than this are not typeset (mathtext's cost grows quickly with size).
MAX_TEX_LENGTH = 3000

#: Computer Modern's x-height is about 0.43 em against 0.55 em for common UI fonts: formulas
#: are set this much larger than the text so their letters match it.
TEXT_SCALE = 1.2
#: Display formulas a little larger again, as TeX's \displaystyle operators are.
DISPLAY_SCALE = 1.3

#: ``draw_delimiter(kind, width, height, size)`` → ``max(1, width) × max(1, height)`` alpha bytes, row by row.
DelimiterPainter = Callable[[str, int, int, float], bytes]


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


class MathError(Exception):
    """mathtext could not lay the formula out."""


_MathError = MathError


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
# The layout (runs in the child)


class MathLayout:
    """Lays formulas out as alpha masks (numpy and matplotlib are imported on first use).

    ``draw_delimiter`` paints a stretched ( [ { | ‖ (the UI process does it with QPainter).
    """

    def __init__(self, draw_delimiter: DelimiterPainter) -> None:
        self._draw_delimiter_bytes = draw_delimiter
        self._parser: Any = None
        self._font_properties: Any = None

    def warm(self) -> None:
        """Import matplotlib and lay out one formula, so the first real one is quick."""
        self._text_box("x^2", 14.0 * TEXT_SCALE)

    def render(self, tex: str, display: bool, pixel_size: float, dpr: float, x_height: float) -> tuple[int, int, bytes]:
        """The formula's padded mask: ``(width, height, alpha bytes row by row)`` in device pixels.

        Raises :class:`MathError` (or whatever mathtext raises) when it cannot be laid out.
        """
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
        box = self._place_baseline(body, x_height * dpr)
        return box.width, box.height, box.alpha.tobytes()

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

    def _draw_delimiter(self, alpha: np.ndarray, kind: str, x: int, width: int, size: float) -> None:
        """Draw a stretched ( [ { | ‖ into the mask, as tall as the grid."""
        import numpy as np

        height = int(alpha.shape[0])
        rows, columns = max(1, height), max(1, width)
        data = self._draw_delimiter_bytes(kind, width, height, size)
        if len(data) != rows * columns:
            raise _MathError("delimiter of the wrong size")
        drawn = np.frombuffer(data, dtype=np.uint8).reshape(rows, columns)
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
            properties.set_size(size)
            result = parser.parse("$" + normalized + "$", dpi=72, prop=properties)
        finally:
            mathtext_log.removeFilter(catcher)
        if catcher.missing:
            raise _MathError("glyph missing from the math font")
        alpha = np.ascontiguousarray(np.asarray(result.image, dtype=np.uint8))
        depth = int(round(result.depth))  # noqa: RUF046 - result.depth may be a numpy float
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
        """Pad so that Qt's ``AlignMiddle`` puts the baseline on the text's.

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


# --------------------------------------------------------------------------------------------
# The child's main loop


class _PipeClosed(Exception):
    """The parent went away while the child waited for a delimiter."""


def serve(conn: Connection) -> None:
    """The child process: load matplotlib, say ready, then typeset requests until the pipe closes."""
    # Ctrl+C in a terminal reaches the whole process group: Parla decides, and the pipe tells us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # No handlers here: mathtext's warnings would reach stderr through logging's last resort.
    logging.getLogger().addHandler(logging.NullHandler())

    def draw_delimiter(kind: str, width: int, height: int, size: float) -> bytes:
        try:
            conn.send(("delimiter", kind, width, height, size))
            data = conn.recv()
        except (EOFError, OSError) as exc:
            raise _PipeClosed from exc
        if not isinstance(data, bytes):
            raise _MathError("no delimiter from the parent")
        return data

    layout = MathLayout(draw_delimiter)
    try:
        try:
            layout.warm()
        except Exception:  # noqa: BLE001 - matplotlib missing or broken: the parent logs why
            conn.send(("failed", traceback.format_exc(limit=3)))
            return
        conn.send(("ready", os.getpid()))
        while True:
            message = conn.recv()
            if message[0] != "typeset":
                break  # ("exit",)
            _tag, tex, display, pixel_size, dpr, x_height = message
            try:
                width, height, data = layout.render(tex, display, pixel_size, dpr, x_height)
            except _MathError as exc:
                conn.send(("none", str(exc)))
            except _PipeClosed:
                raise  # the pipe broke while asking for a delimiter
            except Exception:  # noqa: BLE001 - mathtext raises many kinds on odd input; the parent logs it
                conn.send(("none", traceback.format_exc(limit=4)))
            else:
                conn.send(("mask", width, height, data))
    except (EOFError, OSError, KeyboardInterrupt, _PipeClosed):
        pass  # the parent has gone (or closed the pipe): nothing left to do
    finally:
        conn.close()
