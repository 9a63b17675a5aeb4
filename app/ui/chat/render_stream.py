"""Streaming a reply into a MessageDocument at a cost per update that does not grow with the reply.

The text received so far is split into a *frozen* part, rendered once and never touched again,
and an open *tail*, re-rendered on each update. Only the tail's range of the document is replaced
(a QTextCursor selection from the end of the frozen part to the end of the document).

When may a block be frozen? Parsing looks only at complete lines: a block followed by the start
of another block, on a complete line, cannot change any more in CommonMark (setext underlines,
table delimiter rows and lazy continuations only ever affect the block just above them, which is
then the last one). So on each update that brought a newline, the tail's complete lines are
parsed and every top-level block but the last is frozen. Two more cases keep the tail short:

- **Lists.** Model replies are often one long list. Every item but the last is frozen, and the
  next piece continues the same ``QTextList`` (numbering runs on). Tight and loose lists are
  drawn alike, so a later blank line cannot change frozen items.
- **Code blocks.** While a fence is open the whole rest of the text is in it. Instead of
  re-rendering the block, its frame stays in the document and :class:`CodeBlockWriter` appends
  lines, resuming the lexer from its last state (see :mod:`highlight`): an update costs the new
  text and the line being written, whether the block has 4 lines or 400.

What can still grow: a single very long paragraph or a long table is re-rendered while it is the
tail (a table over :data:`MAX_TABLE_ROWS` rows turns into text). Link reference definitions
apply from where they appear on (earlier frozen blocks do not see later definitions).

Updates are coalesced: deltas only append to the text, and a single-shot timer applies them at
most once per frame (16 ms), so a burst of tokens costs one re-render.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QTextCursor

from app.ui.chat.markdown import (
    FenceOpening,
    could_become_closing_fence,
    is_closing_fence,
    parse,
    parse_fence_opening,
    top_level_blocks,
)
from app.ui.chat.render_document import (
    BuilderState,
    CodeBlockWriter,
    DocumentBuilder,
    MessageDocument,
    edit_block,
)

__all__ = ["FRAME_INTERVAL_MS", "StreamingRenderer", "UpdateStats"]

#: At most one document update per this many milliseconds (one frame at 60 Hz).
FRAME_INTERVAL_MS = 16


@dataclass(frozen=True, slots=True)
class UpdateStats:
    """What one update cost: source characters parsed or lexed, and wall time."""

    rendered_chars: int
    seconds: float
    text_length: int
    tail_length: int


@dataclass(slots=True)
class _OpenCode:
    writer: CodeBlockWriter
    opening: FenceOpening
    scan: int  # offset in the tail of the first line not yet given to the writer


class StreamingRenderer(QObject):
    """Feeds a growing markdown text into a :class:`MessageDocument`.

    Give it deltas with :meth:`append`; call :meth:`finish` when the reply ends (or is stopped).
    ``updated`` fires after each change to the document, so a view can resize and follow.
    Reasoning is streamed with a renderer of its own into its own document.
    """

    updated = Signal()

    def __init__(
        self,
        document: MessageDocument,
        parent: QObject | None = None,
        *,
        interval_ms: int = FRAME_INTERVAL_MS,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(parent)
        self._document = document
        self._interval_ms = interval_ms
        self._clock = clock
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer)
        self._last_apply = -1.0
        self.stats: list[UpdateStats] = []
        """One entry per applied update (tests and the benchmark read it)."""
        self._reset_state()
        document.reset()
        document.math_swapped.connect(self._on_math_swapped)

    def _reset_state(self) -> None:
        self._chunks: list[str] = []
        self._length = 0
        self._tail = ""
        self._new_line = False
        self._dirty = False
        self._finished = False
        self._frozen_position = 0
        self._state = BuilderState()
        self._env: dict[str, Any] = {}
        self._code: _OpenCode | None = None

    # -- public --------------------------------------------------------------------------

    @property
    def document(self) -> MessageDocument:
        return self._document

    def text(self) -> str:
        """Everything received so far."""
        if len(self._chunks) > 1:
            self._chunks = ["".join(self._chunks)]
        return self._chunks[0] if self._chunks else ""

    def is_finished(self) -> bool:
        return self._finished

    def append(self, delta: str) -> None:
        """Add streamed text; the document catches up within a frame."""
        if not delta or self._finished:
            return
        self._chunks.append(delta)
        self._length += len(delta)
        self._tail += delta
        if "\n" in delta:
            self._new_line = True
        self._dirty = True
        if not self._timer.isActive():
            elapsed_ms = (self._clock() - self._last_apply) * 1000 if self._last_apply >= 0 else 1e9
            self._timer.start(max(0, int(self._interval_ms - elapsed_ms)))

    def flush(self) -> None:
        """Apply what has arrived now, without waiting for the frame timer."""
        self._timer.stop()
        if self._dirty:
            self._apply(final=False)

    def finish(self) -> None:
        """The reply is complete: render the tail for good (the document now equals a one-shot
        render of the same text)."""
        if self._finished:
            return
        self._timer.stop()
        self._finished = True
        self._apply(final=True)

    def restart(self, text: str = "") -> None:
        """Start over with ``text`` (a regenerated reply, say)."""
        self._timer.stop()
        self._reset_state()
        self._document.reset()
        if text:
            self.append(text)

    # -- updates -------------------------------------------------------------------------

    def _on_math_swapped(self, position: int, removed: int) -> None:
        """A formula placeholder above became its image: what we track below it moved up."""
        if position < self._frozen_position:
            self._frozen_position -= removed
        if self._code is not None:
            self._code.writer.shift(position, removed)

    def _on_timer(self) -> None:
        if self._dirty and not self._finished:
            self._apply(final=False)

    def _apply(self, *, final: bool) -> None:
        started = self._clock()
        cost = 0
        with edit_block(self._document):  # one layout pass per update
            if self._code is not None:
                cost += self._advance_code(final)
            if self._code is None:
                if final or self._new_line:
                    cost += self._freeze_complete_blocks(final)
                if self._code is None:
                    cost += self._render_tail(final)
        self._new_line = False
        self._dirty = False
        self._last_apply = self._clock()
        self.stats.append(UpdateStats(cost, self._last_apply - started, self._length, len(self._tail)))
        self.updated.emit()

    def _remove_tail(self) -> None:
        cursor = self._document_cursor()
        cursor.setPosition(self._frozen_position)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        if cursor.hasSelection():
            cursor.removeSelectedText()

    def _document_cursor(self) -> QTextCursor:
        return QTextCursor(self._document)

    def _end_position(self) -> int:
        return self._document.characterCount() - 1

    def _freeze_complete_blocks(self, final: bool) -> int:
        """Freeze every block of the complete lines but the last (all of them when ``final``)."""
        tail = self._tail
        complete = tail if final else tail[: tail.rfind("\n") + 1]
        if not complete.strip():
            return 0
        tokens = parse(complete, self._env)
        spans = top_level_blocks(tokens)
        if not spans:
            return len(complete)
        lines = complete.split("\n")
        if final:
            self._freeze(tokens, spans, lines, len(tail))
            return len(complete)
        last = spans[-1]
        partial_list = -1
        cut_line = last.start_line
        frozen = list(spans[:-1])
        if last.kind == "fence":
            opening = parse_fence_opening(lines[last.start_line])
            if opening is not None:
                closed = any(is_closing_fence(line, opening) for line in lines[last.start_line + 1 : last.end_line])
                if closed:
                    frozen.append(last)
                    cut_line = last.end_line
                else:
                    self._freeze(tokens, frozen, lines, _line_offset(lines, cut_line))
                    self._open_code(opening, len(lines[last.start_line]) + 1)
                    return len(complete) + self._advance_code(False)
        elif last.kind in ("bullet_list", "ordered_list"):
            items = [index for index in range(last.first, last.last) if tokens[index].type == "list_item_open" and tokens[index].level == 1]
            if len(items) >= 2:
                frozen.append(last)
                partial_list = len(items) - 1
                item_map = tokens[items[-1]].map
                cut_line = item_map[0] if item_map else last.start_line
        if frozen:
            self._freeze(tokens, frozen, lines, _line_offset(lines, cut_line), partial_list=partial_list)
        return len(complete)

    def _freeze(self, tokens: Any, spans: Any, lines: list[str], cut: int, *, partial_list: int = -1) -> None:
        """Render ``spans`` for good and drop their source from the tail."""
        self._remove_tail()
        builder = DocumentBuilder(self._document, self._state)
        builder.render(tokens, spans, lines, partial_list=partial_list)
        self._frozen_position = self._end_position()
        self._tail = self._tail[cut:]

    def _render_tail(self, final: bool) -> int:
        self._remove_tail()
        if final:
            return 0
        tail = self._tail
        if not tail.strip():
            return 0
        builder = DocumentBuilder(self._document, self._state.copy())
        tokens = parse(tail, self._env, streaming=True)
        builder.render(tokens, top_level_blocks(tokens), tail.split("\n"), partial_list=-1)
        return len(tail)

    # -- open code block -----------------------------------------------------------------

    def _open_code(self, opening: FenceOpening, scan: int) -> None:
        self._remove_tail()
        builder = DocumentBuilder(self._document, self._state)
        writer = builder.begin_code(opening.info)
        self._code = _OpenCode(writer, opening, scan)

    def _advance_code(self, final: bool) -> int:
        """Give the writer the lines that arrived; close the block at its closing fence."""
        code = self._code
        assert code is not None
        tail = self._tail
        opening = code.opening
        parts: list[str] = []
        closed_at = -1
        pos = code.scan
        while True:
            newline = tail.find("\n", pos)
            if newline < 0:
                break
            line = tail[pos:newline]
            if is_closing_fence(line, opening):
                closed_at = newline + 1
                break
            parts.append(_strip_indent(line, opening.indent) + "\n")
            pos = newline + 1
        code.scan = pos
        partial = ""
        if closed_at < 0:
            rest = tail[pos:]
            if final:
                if rest and is_closing_fence(rest, opening):
                    closed_at = len(tail)
                elif rest:
                    parts.append(_strip_indent(rest, opening.indent))
            elif not could_become_closing_fence(rest, opening):
                partial = _strip_indent(rest, opening.indent)
        done = final or closed_at >= 0
        before = code.writer.rendered_chars
        code.writer.feed("".join(parts), partial, final=done)
        cost = code.writer.rendered_chars - before
        if done:
            DocumentBuilder(self._document, self._state).end_code(code.writer)
            self._frozen_position = self._end_position()
            self._tail = tail[closed_at:] if closed_at >= 0 else ""
            self._code = None
            self._new_line = True
        return cost


def _line_offset(lines: list[str], line: int) -> int:
    """The character offset of ``line`` in the text ``"\\n".join(lines)``."""
    return sum(len(text) + 1 for text in lines[:line])


def _strip_indent(line: str, indent: int) -> str:
    """Remove up to ``indent`` leading spaces, as CommonMark does inside an indented fence."""
    if indent <= 0:
        return line
    stripped = line.lstrip(" ")
    removed = min(indent, len(line) - len(stripped))
    return line[removed:]
