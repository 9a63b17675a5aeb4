"""Markdown tokens into a QTextDocument, built with QTextCursor rather than through HTML.

Why not ``setHtml``: the message must be appended to and have its tail replaced while it streams,
and ``insertHtml`` merges a fragment's first block into the block at the cursor and adds stray
empty blocks around lists and tables, so a message built in pieces would not look like the same
message built at once. Building with the cursor API gives the same blocks whether the text arrives
in one piece or in a thousand. It is also safe by construction: model text is only ever inserted
as text, so no markup in it can be interpreted.

What the document holds:

- paragraphs, headings (``headingLevel`` set), block quotes (a tinted frame), rules;
- lists as ``QTextList``\\ s (task items with Qt's own checkbox markers);
- tables as ``QTextTable``\\ s, or as preformatted text past :data:`MAX_TABLE_ROWS` rows;
- code blocks as a frame: a header line (language label and a ``parla-copy:<n>`` link), then one
  block per line highlighted by :mod:`highlight`;
- formulas as images registered as document resources (``parla-math:`` URLs), or their source in
  a monospace span when mathtext cannot set them;
- links as anchors for http, https and mailto only; images as a ``parla-image:<n>`` placeholder
  link, never fetched.
"""

from __future__ import annotations

import hashlib
import logging
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QUrl, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QFontInfo,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrame,
    QTextFrameFormat,
    QTextImageFormat,
    QTextLength,
    QTextList,
    QTextListFormat,
    QTextOption,
    QTextTableCellFormat,
    QTextTableFormat,
)

from app.ui.chat.markdown import (
    BlockSpan,
    fence_language,
    is_safe_link,
    parse,
    task_state,
    top_level_blocks,
)
from app.ui.chat.math_render import MathImage, MathRequest, math_jobs, math_renderer

if TYPE_CHECKING:
    from markdown_it.token import Token
    from pygments.lexer import Lexer

    from app.ui.chat import highlight


def _highlight() -> Any:
    """``app.ui.chat.highlight`` (Pygments), imported with the first document rendered — a new,
    empty chat (and start-up with one) never needs it."""
    from app.ui.chat import highlight

    return highlight


__all__ = [
    "COPY_SCHEME",
    "IMAGE_SCHEME",
    "MATH_SCHEME",
    "MAX_TABLE_COLUMNS",
    "MAX_TABLE_ROWS",
    "BuilderState",
    "CodeBlockWriter",
    "DocumentBuilder",
    "MessageDocument",
    "RenderTheme",
    "edit_block",
]

log = logging.getLogger(__name__)

COPY_SCHEME = "parla-copy"
IMAGE_SCHEME = "parla-image"
MATH_SCHEME = "parla-math"
#: Char-format properties of a formula placeholder: which formula it waits for, and the
#: foreground of the surrounding text (restored if the formula stays as source).
MATH_PENDING_PROPERTY = QTextFormat.Property.UserProperty + 41
MATH_FOREGROUND_PROPERTY = QTextFormat.Property.UserProperty + 42
#: Char-format properties of a markdown image's placeholder: its address and its alt text, so
#: :meth:`MessageDocument.show_kept_images` can swap it for the copy Parla kept.
IMAGE_SOURCE_PROPERTY = QTextFormat.Property.UserProperty + 43
IMAGE_ALT_PROPERTY = QTextFormat.Property.UserProperty + 44
#: An inline kept picture: its resource name and its anchor (``parla-kept:<hash>`` opens the viewer).
KEPT_SCHEME = "parla-kept"

#: Tables with more body rows than this are shown as preformatted text: a QTextTable of
#: thousands of rows takes seconds to build and lay out, and nobody reads it as a grid.
MAX_TABLE_ROWS = 200
#: Likewise for absurdly wide tables.
MAX_TABLE_COLUMNS = 40

#: While a code block streams, the last this many lines stay live (re-lexed on each update).
#: A few lexer rules match a whole multi-line construct at once (``/* … */`` in C or JavaScript)
#: and only once its end has arrived; keeping a window open lets such a construct of up to this
#: many lines be coloured as a one-shot render colours it, at a cost that stays constant.
CODE_LAG_LINES = 12

_CONTEXT = "ChatRender"


def _tr(text: str) -> str:
    """Translate in this module's context (lupdate reads the literal calls below, not this)."""
    return QCoreApplication.translate(_CONTEXT, text)


# --------------------------------------------------------------------------------------------
# Theme


@dataclass(frozen=True)
class RenderTheme:
    """Fonts and colours a message is built with; rebuild the message when they change."""

    dark: bool
    font: QFont
    mono_family: str
    text: QColor
    link: QColor
    muted: QColor
    quote_background: QColor
    inline_code_background: QColor
    table_border: QColor
    table_header_background: QColor
    dpr: float = 1.0
    breaks: bool = True
    """Whether a single newline inside a paragraph is a line break (chat habit) or a space."""

    @classmethod
    def from_palette(
        cls, palette: QPalette | None = None, font: QFont | None = None, *, dpr: float | None = None
    ) -> RenderTheme:
        """A theme following the application's palette and font (light or dark alike)."""
        palette = palette if palette is not None else QGuiApplication.palette()
        font = QFont(font) if font is not None else QGuiApplication.font()
        if dpr is None:
            screen = QGuiApplication.primaryScreen()
            dpr = screen.devicePixelRatio() if screen is not None else 1.0
        text = palette.color(QPalette.ColorRole.Text)
        base = palette.color(QPalette.ColorRole.Base)
        dark = base.lightnessF() < 0.5
        link = palette.color(QPalette.ColorRole.Link)
        muted = QColor(text)
        muted.setAlphaF(0.62)
        tint = QColor(text)
        tint.setAlphaF(0.07)
        quote = QColor(text)
        quote.setAlphaF(0.05)
        border = QColor(text)
        border.setAlphaF(0.25)
        header = QColor(text)
        header.setAlphaF(0.06)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
        return cls(dark, font, mono, text, link, muted, quote, tint, border, header, float(dpr))

    @property
    def pixel_size(self) -> float:
        """The body text size in logical pixels."""
        if self.font.pixelSize() > 0:
            return float(self.font.pixelSize())
        return float(QFontInfo(self.font).pixelSize())


# --------------------------------------------------------------------------------------------
# The document


@contextmanager
def edit_block(document: QTextDocument) -> Iterator[None]:
    """Group changes into one edit: the layout then runs once, at the end.

    Without it every ``insertText`` re-lays out its whole block, so building a 1 MB paragraph
    from a few thousand pieces is quadratic (minutes instead of a fraction of a second).
    """
    cursor = QTextCursor(document)
    cursor.beginEditBlock()
    try:
        yield
    finally:
        cursor.endEditBlock()


class MessageDocument(QTextDocument):
    """One message's rich text, with the side tables the view needs (code, images).

    Resources are never loaded from anywhere: formulas are added as resources when they are
    set, and :meth:`loadResource` refuses everything else (a QTextDocument would otherwise read
    local files for an image name), recording what was asked in :attr:`refused_resources`.
    """

    #: (position, characters removed): a formula placeholder became its one-character image.
    math_swapped = Signal(int, int)

    def __init__(self, theme: RenderTheme | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending_math: dict[str, MathRequest] = {}
        self.setUndoRedoEnabled(False)  # the tail is replaced per frame: no undo history to grow
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setDefaultTextOption(option)
        self.refused_resources: list[QUrl] = []
        self._code: list[str | CodeBlockWriter] = []
        self._images: list[str] = []
        #: Hashes of kept pictures shown in the text in place of their markdown placeholder.
        self.inlined: set[str] = set()
        self._theme = theme if theme is not None else RenderTheme.from_palette()
        self._apply_theme()

    # -- theme ---------------------------------------------------------------------------

    @property
    def theme(self) -> RenderTheme:
        return self._theme

    def set_theme(self, theme: RenderTheme) -> None:
        """Use another theme for what is built next (callers rebuild the message)."""
        self._theme = theme
        self._apply_theme()

    def _apply_theme(self) -> None:
        self.setDefaultFont(self._theme.font)
        self.setIndentWidth(round(self._theme.pixel_size * 1.6))
        self.setDocumentMargin(2)

    # -- content -------------------------------------------------------------------------

    def set_markdown(self, markdown: str) -> None:
        """Build the whole message at once (history, or a reply that has finished)."""
        self.reset()
        with edit_block(self):
            builder = DocumentBuilder(self, BuilderState())
            tokens = parse(markdown)
            builder.render(tokens, top_level_blocks(tokens), markdown.split("\n"))

    def reset(self) -> None:
        """Empty the document and its side tables."""
        self._pending_math.clear()
        self.clear()
        self._code.clear()
        self._images.clear()
        self.inlined.clear()
        self.refused_resources.clear()

    def code_block(self, index: int) -> str:
        """The raw code of block ``index`` (what "Copy" puts on the clipboard)."""
        entry = self._code[index]
        return entry if isinstance(entry, str) else entry.code()

    def code_block_count(self) -> int:
        return len(self._code)

    def image_url(self, index: int) -> str:
        """The address of image placeholder ``index`` (never fetched by us)."""
        return self._images[index]

    def image_count(self) -> int:
        return len(self._images)

    def show_kept_images(
        self, parts: Sequence[Mapping[str, Any]], image_for: Callable[[str], QImage | None], max_side: int
    ) -> bool:
        """Swap the placeholders of markdown images for the copies Parla kept (image parts).

        A placeholder whose address is a part's ``source_url`` shows that part; a ``data:`` one
        shows the next part without a ``source_url`` (the same alt text first). ``image_for(hash)``
        gives the picture, or None while it is being read (call again later). Returns whether the
        document changed.
        """
        kept = [dict(part) for part in parts if part.get("type") == "image" and part.get("hash")]
        if not kept:
            return False
        found: list[tuple[int, int, str, str]] = []
        block = self.begin()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                if fragment.isValid():
                    fmt = fragment.charFormat()
                    source = fmt.property(IMAGE_SOURCE_PROPERTY)
                    if isinstance(source, str) and source and not fmt.isImageFormat():
                        alt = fmt.property(IMAGE_ALT_PROPERTY)
                        found.append((fragment.position(), fragment.length(), source, alt if isinstance(alt, str) else ""))
                iterator += 1
            block = block.next()
        if not found:
            return False
        used: set[int] = set()
        swaps: list[tuple[int, int, str, str]] = []
        for position, length, source, alt in found:
            index = _match_part(kept, used, source, alt)
            if index is None:
                continue
            used.add(index)
            swaps.append((position, length, str(kept[index]["hash"]), alt))
        changed = False
        cursor = QTextCursor(self)
        cursor.beginEditBlock()
        try:
            for position, length, digest, alt in reversed(swaps):  # from the end: positions stay valid
                image = image_for(digest)
                if image is None or image.isNull():
                    continue
                name = f"{KEPT_SCHEME}:{digest}"
                self.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name), image)
                scale = min(1.0, max_side / max(image.width(), image.height(), 1))
                image_format = QTextImageFormat()
                image_format.setName(name)
                image_format.setWidth(round(image.width() * scale))
                image_format.setHeight(round(image.height() * scale))
                image_format.setAnchor(True)
                image_format.setAnchorHref(name)
                image_format.setToolTip(alt or QCoreApplication.translate("ChatRender", "Open the picture"))
                cursor.setPosition(position)
                cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
                cursor.removeSelectedText()
                cursor.insertImage(image_format)
                self.inlined.add(digest)
                changed = True
        finally:
            cursor.endEditBlock()
        return changed

    def height_for_width(self, width: float) -> float:
        """The height the message needs at ``width`` (for list views and delegates)."""
        if self.textWidth() != width:
            self.setTextWidth(width)
        return self.size().height()

    def loadResource(self, type: int, name: QUrl) -> Any:  # noqa: A002 - Qt's signature
        """Refuse every resource we did not add ourselves: nothing is fetched or read."""
        self.refused_resources.append(QUrl(name))
        return None

    def pending_formulas(self) -> int:
        """Formulas shown as placeholders while the worker typesets them."""
        return len(self._pending_math)

    # -- for the builder -----------------------------------------------------------------

    def _math_image_format(self, request: MathRequest, image: MathImage) -> QTextImageFormat:
        digest = hashlib.sha1(
            f"{request.tex}\x00{request.display}\x00{request.rgba}\x00{request.pixel_size}\x00{request.dpr}".encode()
        ).hexdigest()
        name = f"{MATH_SCHEME}:{digest}"
        self.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl(name), image.image)
        image_format = QTextImageFormat()
        image_format.setName(name)
        image_format.setWidth(image.width)
        image_format.setHeight(image.height)
        image_format.setVerticalAlignment(QTextCharFormat.VerticalAlignment.AlignMiddle)
        image_format.setToolTip(request.tex.strip())
        return image_format

    def _pending_math_name(self, request: MathRequest) -> str:
        """Register a placeholder for ``request``; the worker is asked once per document."""
        name = hashlib.sha1(repr(request).encode()).hexdigest()
        if name not in self._pending_math:
            self._pending_math[name] = request
            math_jobs().submit(request, partial(_deliver, weakref.ref(self), name))
        return name

    def _deliver_math(self, name: str, image: MathImage | None) -> None:
        """Swap the placeholders of formula ``name`` for its image (or its source, styled)."""
        request = self._pending_math.pop(name, None)
        if request is None:  # reset since
            return
        found: list[tuple[int, int, QTextCharFormat]] = []
        block = self.begin()
        while block.isValid():
            iterator = block.begin()
            while not iterator.atEnd():
                fragment = iterator.fragment()
                if fragment.isValid():
                    fmt = fragment.charFormat()
                    if fmt.property(MATH_PENDING_PROPERTY) == name:
                        found.append((fragment.position(), fragment.length(), fmt))
                iterator += 1
            block = block.next()
        if not found:
            return
        cursor = QTextCursor(self)
        cursor.beginEditBlock()
        try:
            for position, length, fmt in reversed(found):  # from the end: positions stay valid
                cursor.setPosition(position)
                cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
                if image is None:
                    source = QTextCharFormat(fmt)
                    source.clearProperty(MATH_PENDING_PROPERTY)
                    source.clearForeground()
                    if fmt.hasProperty(MATH_FOREGROUND_PROPERTY):
                        source.setForeground(fmt.property(MATH_FOREGROUND_PROPERTY))
                        source.clearProperty(MATH_FOREGROUND_PROPERTY)
                    cursor.setCharFormat(source)
                    continue
                cursor.removeSelectedText()
                cursor.insertImage(self._math_image_format(request, image))
                if length != 1:
                    self.math_swapped.emit(position, length - 1)
        finally:
            cursor.endEditBlock()


    def _register_code(self, entry: str | CodeBlockWriter, index: int) -> None:
        if index < len(self._code):
            self._code[index] = entry
            del self._code[index + 1 :]
        else:
            self._code.append(entry)

    def _register_image(self, url: str, index: int) -> None:
        del self._images[index:]
        self._images.append(url)


# --------------------------------------------------------------------------------------------
# The builder


@dataclass
class BuilderState:
    """What the builder must remember between two pieces of one message (see render_stream)."""

    reuse_block: bool = True
    """The cursor's block is empty and unclaimed (document start, or just after a frame)."""
    at_start: bool = True
    """Nothing is above: the next block gets no top margin."""
    code_count: int = 0
    image_count: int = 0
    open_list: QTextList | None = None
    """A top-level list whose next items come in the next piece (streaming)."""
    open_list_signature: str = ""

    def copy(self) -> BuilderState:
        return replace(self)


@dataclass
class _Ctx:
    """Where blocks go: list nesting, inside a list item, inside a quote frame."""

    list_level: int = 0
    item_pending: bool = False
    quote: int = 0
    task: bool | None = None


class DocumentBuilder:
    """Appends rendered blocks at the end of a :class:`MessageDocument`."""

    def __init__(self, document: MessageDocument, state: BuilderState) -> None:
        self.document = document
        self.state = state
        self.theme = document.theme
        self.cursor = QTextCursor(document)
        self.cursor.movePosition(QTextCursor.MoveOperation.End)
        self.rendered_chars = 0
        px = self.theme.pixel_size
        self._px = px
        self._gap = round(px * 0.6)
        self._item_gap = round(px * 0.2)
        self._palette = _highlight().code_palette(self.theme.dark)
        self._x_height = QFontMetricsF(self.theme.font).xHeight()

    # -- entry points --------------------------------------------------------------------

    def render(
        self, tokens: Sequence[Token], spans: Sequence[BlockSpan], lines: Sequence[str], *, partial_list: int = -1
    ) -> None:
        """Render top-level ``spans`` of ``tokens`` at the end of the document.

        With ``partial_list`` ≥ 0, the last span is a list of which only that many items are
        rendered; the list stays open in the state for the next piece to continue.
        """
        self.cursor.movePosition(QTextCursor.MoveOperation.End)
        self._lines = lines
        for number, span in enumerate(spans):
            limit = partial_list if (partial_list >= 0 and number == len(spans) - 1) else -1
            continuing = number == 0 and span.kind in ("bullet_list", "ordered_list")
            self._block(tokens, span.first, span.last, _Ctx(), continue_list=continuing, item_limit=limit)
        if partial_list < 0:
            self.state.open_list = None

    def begin_code(self, info: str, ctx: _Ctx | None = None) -> CodeBlockWriter:
        """Open a code block frame at the end (streaming appends its lines through the writer)."""
        self.cursor.movePosition(QTextCursor.MoveOperation.End)
        return self._code_frame(info, ctx or _Ctx())

    def end_code(self, writer: CodeBlockWriter) -> None:
        """Leave the code block's frame; what follows goes below it."""
        self._leave_frame(writer.frame)

    # -- blocks --------------------------------------------------------------------------

    def _block(
        self,
        tokens: Sequence[Token],
        first: int,
        last: int,
        ctx: _Ctx,
        *,
        continue_list: bool = False,
        item_limit: int = -1,
    ) -> None:
        token = tokens[first]
        kind = token.type
        if kind == "paragraph_open":
            self._paragraph(tokens[first + 1], ctx)
        elif kind == "heading_open":
            self._heading(token, tokens[first + 1], ctx)
        elif kind in ("bullet_list_open", "ordered_list_open"):
            self._list(tokens, first, last, ctx, continue_list=continue_list, item_limit=item_limit)
        elif kind == "blockquote_open":
            self._quote(tokens, first, last, ctx)
        elif kind in ("fence", "code_block"):
            self._fence(token, ctx)
        elif kind == "table_open":
            self._table(tokens, first, last, ctx)
        elif kind == "hr":
            self._rule(ctx)
        elif kind == "math_block":
            self._math_block(token, ctx)
        elif kind == "html_block":  # html is disabled; kept for safety should that change
            self._text_block(token.content, ctx)
        self.rendered_chars += sum(len(t.content) for t in tokens[first:last])

    def _children(self, tokens: Sequence[Token], first: int, last: int, ctx: _Ctx) -> None:
        index = first
        while index < last:
            end = _block_end(tokens, index, last)
            self._block(tokens, index, end, ctx)
            index = end

    def _top_margin(self, gap: int) -> int:
        if self.state.at_start:
            self.state.at_start = False
            return 0
        return gap

    def _block_format(self, ctx: _Ctx, gap: int | None = None) -> QTextBlockFormat:
        fmt = QTextBlockFormat()
        fmt.setTopMargin(self._top_margin(self._gap if gap is None else gap))
        fmt.setIndent(ctx.list_level)
        return fmt

    def _char_format(self, ctx: _Ctx) -> QTextCharFormat:
        fmt = QTextCharFormat()
        if ctx.quote:
            fmt.setForeground(QBrush(self.theme.muted))
        return fmt

    def _open_block(self, block_format: QTextBlockFormat, char_format: QTextCharFormat) -> None:
        """Start a block: claim the empty one we are in, or insert a new one."""
        if self.state.reuse_block:
            block = self.cursor.block()
            text_list = block.textList()
            if text_list is not None:
                text_list.remove(block)
            self.cursor.setBlockFormat(block_format)
            self.cursor.setBlockCharFormat(char_format)
            self.cursor.setCharFormat(char_format)
            self.state.reuse_block = False
        else:
            self.cursor.insertBlock(block_format, char_format)

    def _enter_frame(self, frame_format: QTextFrameFormat) -> QTextFrame:
        if self.state.reuse_block:
            self._enter_frame_spacer()
        frame = self.cursor.insertFrame(frame_format)
        self.state.reuse_block = True
        self.state.at_start = True
        return frame

    def _leave_frame(self, frame: QTextFrame) -> None:
        self.cursor = frame.lastCursorPosition()
        self.cursor.movePosition(QTextCursor.MoveOperation.NextBlock)
        # Qt keeps an empty block after a frame. Until something is written into it (which
        # gives it its own formats), it must take no room: a message or a quote ending with a
        # code block would otherwise have an empty line under it.
        self.state.reuse_block = True
        self._enter_frame_spacer()
        self.state.at_start = False

    def _paragraph(self, inline: Token, ctx: _Ctx) -> None:
        if ctx.item_pending:
            ctx.item_pending = False
        else:
            self._open_block(self._block_format(ctx), self._char_format(ctx))
        self._inline(inline.children or [], self._char_format(ctx), ctx)

    def _text_block(self, text: str, ctx: _Ctx) -> None:
        self._open_block(self._block_format(ctx), self._char_format(ctx))
        self.cursor.insertText(text)

    def _heading(self, token: Token, inline: Token, ctx: _Ctx) -> None:
        level = int(token.tag[1]) if token.tag[1:].isdigit() else 1
        block_format = self._block_format(ctx, round(self._px * 0.9))
        block_format.setHeadingLevel(level)
        block_format.setBottomMargin(round(self._px * 0.15))
        char_format = self._char_format(ctx)
        scale = {1: 1.5, 2: 1.3, 3: 1.15, 4: 1.05, 5: 1.0, 6: 0.95}[level]
        self._scale(char_format, scale)
        char_format.setFontWeight(QFont.Weight.Bold)
        if ctx.item_pending:
            ctx.item_pending = False
            self.cursor.setBlockCharFormat(char_format)
        else:
            self._open_block(block_format, char_format)
        self._inline(inline.children or [], char_format, ctx)

    def _scale(self, fmt: QTextCharFormat, scale: float) -> None:
        """Set a font size relative to the body text, in the unit the theme's font uses."""
        points = self.theme.font.pointSizeF()
        if points > 0:
            fmt.setFontPointSize(points * scale)
        else:
            fmt.setProperty(QTextFormat.Property.FontPixelSize, round(self._px * scale))

    def _rule(self, ctx: _Ctx) -> None:
        block_format = self._block_format(ctx)
        block_format.setProperty(
            QTextFormat.Property.BlockTrailingHorizontalRulerWidth,
            QTextLength(QTextLength.Type.PercentageLength, 100),
        )
        self._open_block(block_format, self._char_format(ctx))
        # Qt lays an empty block that follows a table out beside it: give the rule some text.
        self.cursor.insertText("\u200b")

    def _list(
        self,
        tokens: Sequence[Token],
        first: int,
        last: int,
        ctx: _Ctx,
        *,
        continue_list: bool,
        item_limit: int,
    ) -> None:
        opening = tokens[first]
        ordered = opening.type == "ordered_list_open"
        signature = ("ol" if ordered else "ul") + (opening.markup or "")
        state = self.state
        text_list: QTextList | None = None
        continuing = (
            continue_list and ctx.list_level == 0 and state.open_list is not None and state.open_list_signature == signature
        )
        if continuing:
            text_list = state.open_list
        list_format = QTextListFormat()
        depth = ctx.list_level
        if ordered:
            list_format.setStyle(QTextListFormat.Style.ListDecimal)
            start = opening.attrs.get("start")
            if start is not None:
                list_format.setStart(int(start))
        else:
            styles = (QTextListFormat.Style.ListDisc, QTextListFormat.Style.ListCircle, QTextListFormat.Style.ListSquare)
            list_format.setStyle(styles[depth % 3])
        list_format.setIndent(depth + 1)
        items = _list_items(tokens, first + 1, last - 1)
        if item_limit >= 0:
            items = items[:item_limit]
        item_ctx = _Ctx(list_level=depth + 1, quote=ctx.quote)
        for number, (item_first, item_last) in enumerate(items):
            gap = self._gap if (number == 0 and not continuing) else self._item_gap
            block_format = QTextBlockFormat()
            block_format.setTopMargin(self._top_margin(gap))
            checked = _task_of(tokens, item_first, item_last)
            if checked is not None:
                block_format.setMarker(
                    QTextBlockFormat.MarkerType.Checked if checked else QTextBlockFormat.MarkerType.Unchecked
                )
            self._open_block(block_format, self._char_format(ctx))
            if text_list is None:
                text_list = self.cursor.createList(list_format)
            else:
                text_list.add(self.cursor.block())
            item_ctx.item_pending = True
            item_ctx.task = checked
            self._children(tokens, item_first + 1, item_last - 1, item_ctx)
            item_ctx.item_pending = False
            item_ctx.task = None
        if ctx.list_level == 0:
            state.open_list = text_list
            state.open_list_signature = signature

    def _quote(self, tokens: Sequence[Token], first: int, last: int, ctx: _Ctx) -> None:
        frame_format = QTextFrameFormat()
        frame_format.setBackground(QBrush(self.theme.quote_background))
        frame_format.setPadding(round(self._px * 0.4))
        frame_format.setLeftMargin(ctx.list_level * self.document.indentWidth())
        frame_format.setTopMargin(self._top_margin(self._gap))
        frame_format.setBorder(0)
        frame = self._enter_frame(frame_format)
        inner = _Ctx(quote=ctx.quote + 1)
        self._children(tokens, first + 1, last - 1, inner)
        if self.state.reuse_block:  # an empty quote: give the frame's block a format
            self._open_block(QTextBlockFormat(), self._char_format(inner))
        self._leave_frame(frame)

    # -- code ----------------------------------------------------------------------------

    def _fence(self, token: Token, ctx: _Ctx) -> None:
        writer = self._code_frame(token.info if token.type == "fence" else "", ctx)
        writer.feed(token.content, "", final=True)
        self._leave_frame(writer.frame)

    def _code_frame(self, info: str, ctx: _Ctx) -> CodeBlockWriter:
        palette = self._palette
        frame_format = QTextFrameFormat()
        frame_format.setBackground(QBrush(palette.background))
        frame_format.setBorder(1)
        frame_format.setBorderBrush(QBrush(palette.border))
        frame_format.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
        frame_format.setPadding(round(self._px * 0.5))
        frame_format.setTopMargin(self._top_margin(self._gap))
        frame_format.setLeftMargin(ctx.list_level * self.document.indentWidth())
        index = self.state.code_count
        self.state.code_count += 1
        frame = self._enter_frame(frame_format)
        language = fence_language(info)
        header_char = QTextCharFormat()
        header_char.setForeground(QBrush(palette.muted))
        self._scale(header_char, 0.85)
        header_block = QTextBlockFormat()
        header_block.setBottomMargin(round(self._px * 0.3))
        self._open_block(header_block, header_char)
        label = language or QCoreApplication.translate("ChatRender", "code")
        self.cursor.insertText(label + "    ", header_char)
        copy_format = QTextCharFormat(header_char)
        copy_format.setAnchor(True)
        copy_format.setAnchorHref(f"{COPY_SCHEME}:{index}")
        copy_format.setForeground(QBrush(self.theme.link))
        self.cursor.insertText(QCoreApplication.translate("ChatRender", "Copy"), copy_format)
        code_char = QTextCharFormat()
        code_char.setFontFamilies([self.theme.mono_family])
        code_char.setFontFixedPitch(True)
        code_char.setForeground(QBrush(palette.foreground))
        code_block = QTextBlockFormat()
        self.cursor.insertBlock(code_block, code_char)
        writer = CodeBlockWriter(
            self.document, frame, self.cursor.position(), _highlight().lexer_for(language), palette, code_block, code_char
        )
        self.document._register_code(writer, index)  # noqa: SLF001 - the builder fills the document's tables
        return writer

    # -- tables --------------------------------------------------------------------------

    def _table(self, tokens: Sequence[Token], first: int, last: int, ctx: _Ctx) -> None:
        rows: list[list[Token]] = []
        aligns: list[str] = []
        header_rows = 0
        section = ""
        for index in range(first, last):
            token = tokens[index]
            if token.type == "thead_open":
                section = "head"
            elif token.type == "tbody_open":
                section = "body"
            elif token.type == "tr_open":
                rows.append([])
                if section == "head":
                    header_rows += 1
            elif token.type in ("th_open", "td_open"):
                if len(rows) == 1:
                    style = str(token.attrs.get("style", ""))
                    aligns.append(style.removeprefix("text-align:").strip())
            elif token.type == "inline" and rows:
                rows[-1].append(token)
        columns = max((len(row) for row in rows), default=0)
        if not rows or columns == 0:
            return
        if len(rows) - header_rows > MAX_TABLE_ROWS or columns > MAX_TABLE_COLUMNS:
            self._table_as_text(tokens[first], len(rows) - header_rows, ctx)
            return
        table_format = QTextTableFormat()
        table_format.setBorder(1)
        table_format.setBorderBrush(QBrush(self.theme.table_border))
        table_format.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
        table_format.setBorderCollapse(True)
        table_format.setCellSpacing(0)
        table_format.setCellPadding(round(self._px * 0.3))
        table_format.setHeaderRowCount(header_rows)
        table_format.setTopMargin(self._top_margin(self._gap))
        table_format.setLeftMargin(ctx.list_level * self.document.indentWidth())
        if self.state.reuse_block:
            self._enter_frame_spacer()
        table = self.cursor.insertTable(len(rows), columns, table_format)
        self.state.reuse_block = False
        header_char = QTextCharFormat()
        header_char.setFontWeight(QFont.Weight.Bold)
        alignment = {"left": 0x1, "right": 0x2, "center": 0x4}
        for row_index, row in enumerate(rows):
            for col_index in range(columns):
                cell = table.cellAt(row_index, col_index)
                cursor = cell.firstCursorPosition()
                if row_index < header_rows:
                    cell_format = QTextTableCellFormat()
                    cell_format.setBackground(QBrush(self.theme.table_header_background))
                    cell.setFormat(cell_format)
                align = aligns[col_index] if col_index < len(aligns) else ""
                if align in alignment:
                    block_format = QTextBlockFormat()
                    block_format.setAlignment(Qt.AlignmentFlag(alignment[align]))
                    cursor.setBlockFormat(block_format)
                if col_index < len(row):
                    base = QTextCharFormat(header_char) if row_index < header_rows else QTextCharFormat()
                    saved, self.cursor = self.cursor, cursor
                    self._inline(row[col_index].children or [], base, ctx)
                    self.cursor = saved
        self._leave_frame(table)

    def _enter_frame_spacer(self) -> None:
        """Qt keeps the empty block the cursor is in above a new frame: make it take no room."""
        spacer = QTextBlockFormat()
        spacer.setLineHeight(0, QTextBlockFormat.LineHeightTypes.FixedHeight.value)
        tiny = QTextCharFormat()
        tiny.setFontPointSize(1)
        block = self.cursor.block()
        text_list = block.textList()
        if text_list is not None:
            text_list.remove(block)
        self.cursor.setBlockFormat(spacer)
        self.cursor.setBlockCharFormat(tiny)

    def _table_as_text(self, opening: Token, body_rows: int, ctx: _Ctx) -> None:
        note_format = self._char_format(ctx)
        note_format.setForeground(QBrush(self.theme.muted))
        note_format.setFontItalic(True)
        self._open_block(self._block_format(ctx), note_format)
        note = QCoreApplication.translate("ChatRender", "A large table (%1 rows), shown as text.").replace(
            "%1", str(body_rows)
        )
        self.cursor.insertText(note, note_format)
        start, end = opening.map or (0, 0)
        source = "\n".join(self._lines[start:end])
        mono = self._char_format(ctx)
        mono.setFontFamilies([self.theme.mono_family])
        mono.setFontFixedPitch(True)
        block_format = self._block_format(ctx, self._item_gap)
        self._open_block(block_format, mono)
        plain = QTextBlockFormat()
        plain.setIndent(ctx.list_level)
        self.cursor.setBlockFormat(plain)
        self.cursor.insertText(source, mono)

    # -- math ----------------------------------------------------------------------------

    def _math_block(self, token: Token, ctx: _Ctx) -> None:
        block_format = self._block_format(ctx)
        block_format.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._open_block(block_format, self._char_format(ctx))
        if token.info == "pending":
            self._math_source(token.content, ctx, QTextCharFormat())
        else:
            self._math(token.content, True, self._char_format(ctx), ctx)

    def _math(self, tex: str, display: bool, base: QTextCharFormat, ctx: _Ctx) -> None:
        """The formula's image when it is typeset already; else a placeholder (its source, muted)
        that :meth:`MessageDocument._deliver_math` swaps for the image the worker makes."""
        color = self.theme.muted if ctx.quote else self.theme.text
        request = MathRequest(tex, display, color.rgba(), self._px, self.theme.dpr, self._x_height)
        found, image = math_renderer().lookup(
            tex, display=display, color=color, pixel_size=self._px, dpr=self.theme.dpr, x_height=self._x_height
        )
        if found:
            if image is None:
                self._math_source(tex, ctx, base)
            else:
                self.cursor.insertImage(self.document._math_image_format(request, image))  # noqa: SLF001
            return
        fmt = self._math_source_format(base)
        placeholder = self.document._pending_math_name(request)  # noqa: SLF001
        fmt.setProperty(MATH_PENDING_PROPERTY, placeholder)
        if base.hasProperty(QTextFormat.Property.ForegroundBrush):
            fmt.setProperty(MATH_FOREGROUND_PROPERTY, base.foreground())
        fmt.setForeground(QBrush(self.theme.muted))
        self.cursor.insertText(tex.strip(), fmt)

    def _math_source_format(self, base: QTextCharFormat) -> QTextCharFormat:
        fmt = QTextCharFormat(base)
        fmt.setFontFamilies([self.theme.mono_family])
        fmt.setFontFixedPitch(True)
        fmt.setBackground(QBrush(self.theme.inline_code_background))
        return fmt

    def _math_source(self, tex: str, ctx: _Ctx, base: QTextCharFormat) -> None:
        self.cursor.insertText(tex.strip(), self._math_source_format(base))

    # -- inline --------------------------------------------------------------------------

    def _inline(self, children: Sequence[Token], base: QTextCharFormat, ctx: _Ctx) -> None:
        cursor = self.cursor
        stack: list[QTextCharFormat] = [base]
        strip_task = ctx.task is not None
        for child in children:
            kind = child.type
            current = stack[-1]
            if kind in ("text", "text_special"):
                text = child.content
                if strip_task:
                    strip_task = False
                    _checked, length = task_state(text)
                    text = text[length:]
                cursor.insertText(text, current)
            elif kind == "softbreak":
                cursor.insertText("\u2028" if self.theme.breaks else " ", current)
            elif kind == "hardbreak":
                cursor.insertText("\u2028", current)
            elif kind == "code_inline":
                fmt = QTextCharFormat(current)
                fmt.setFontFamilies([self.theme.mono_family])
                fmt.setFontFixedPitch(True)
                fmt.setBackground(QBrush(self.theme.inline_code_background))
                cursor.insertText(child.content, fmt)
            elif kind == "strong_open":
                fmt = QTextCharFormat(current)
                fmt.setFontWeight(QFont.Weight.Bold)
                stack.append(fmt)
            elif kind == "em_open":
                fmt = QTextCharFormat(current)
                fmt.setFontItalic(True)
                stack.append(fmt)
            elif kind == "s_open":
                fmt = QTextCharFormat(current)
                fmt.setFontStrikeOut(True)
                stack.append(fmt)
            elif kind == "link_open":
                href = str(child.attrs.get("href", ""))
                fmt = QTextCharFormat(current)
                if is_safe_link(href):
                    fmt.setAnchor(True)
                    fmt.setAnchorHref(href)
                    fmt.setForeground(QBrush(self.theme.link))
                    fmt.setFontUnderline(True)
                    fmt.setToolTip(href)
                stack.append(fmt)
            elif kind in ("strong_close", "em_close", "s_close", "link_close"):
                if len(stack) > 1:
                    stack.pop()
            elif kind == "image":
                self._image(child, current)
            elif kind in ("math_inline", "math_inline_display"):
                self._math(child.content, kind == "math_inline_display", current, ctx)
            elif kind == "html_inline":  # html is disabled; kept for safety should that change
                cursor.insertText(child.content, current)
            self.rendered_chars += len(child.content)

    def _image(self, token: Token, base: QTextCharFormat) -> None:
        """A placeholder for a markdown image: text, clickable when the address is http(s)."""
        src = str(token.attrs.get("src", ""))
        alt = token.content or src.rsplit("/", 1)[-1] or src
        label = QCoreApplication.translate("ChatRender", "Image: %1").replace("%1", alt)
        fmt = QTextCharFormat(base)
        fmt.setFontItalic(True)
        fmt.setProperty(IMAGE_SOURCE_PROPERTY, src)
        fmt.setProperty(IMAGE_ALT_PROPERTY, token.content)
        if src.lower().startswith(("http://", "https://")):
            index = self.state.image_count
            self.state.image_count += 1
            self.document._register_image(src, index)  # noqa: SLF001
            fmt.setAnchor(True)
            fmt.setAnchorHref(f"{IMAGE_SCHEME}:{index}")
            fmt.setForeground(QBrush(self.theme.link))
            fmt.setToolTip(src)
        self.cursor.insertText(f"[{label}]", fmt)


def _match_part(parts: list[dict[str, Any]], used: set[int], source: str, alt: str) -> int | None:
    """Which kept image part a placeholder with this address and alt text stands for."""
    for index, part in enumerate(parts):
        if index not in used and part.get("source_url") == source:
            return index
    if not source.lower().startswith("data:"):
        return None
    loose = [index for index, part in enumerate(parts) if index not in used and not part.get("source_url")]
    for index in loose:
        if alt and parts[index].get("alt") == alt:
            return index
    return loose[0] if loose else None


def _deliver(ref: weakref.ref[MessageDocument], name: str, image: MathImage | None) -> None:
    document = ref()
    if document is not None:
        document._deliver_math(name, image)  # noqa: SLF001


def _block_end(tokens: Sequence[Token], index: int, last: int) -> int:
    if tokens[index].nesting != 1:
        return index + 1
    depth = 0
    while index < last:
        depth += tokens[index].nesting
        index += 1
        if depth == 0:
            break
    return index


def _list_items(tokens: Sequence[Token], first: int, last: int) -> list[tuple[int, int]]:
    items: list[tuple[int, int]] = []
    index = first
    while index < last:
        end = _block_end(tokens, index, last)
        if tokens[index].type == "list_item_open":
            items.append((index, end))
        index = end
    return items


def _task_of(tokens: Sequence[Token], first: int, last: int) -> bool | None:
    """Whether a list item is a task (its first paragraph starts with ``[ ]``/``[x]``)."""
    if first + 2 < last and tokens[first + 1].type == "paragraph_open":
        inline = tokens[first + 2]
        children = inline.children or []
        if children and children[0].type == "text":
            checked, _length = task_state(children[0].content)
            return checked
    return None


# --------------------------------------------------------------------------------------------
# Code blocks


class CodeBlockWriter:
    """Writes a code block's lines into its frame, and keeps writing them as the block grows.

    The frame holds a header block then one block per line. Lines up to the last restart point
    of the lexer (see :mod:`highlight`) at least :data:`CODE_LAG_LINES` lines above the end are
    final; the rest is the live region, removed and written again on each :meth:`feed`.
    """

    def __init__(
        self,
        document: MessageDocument,
        frame: QTextFrame,
        live_position: int,
        lexer: Lexer | None,
        palette: highlight.CodePalette,
        block_format: QTextBlockFormat,
        char_format: QTextCharFormat,
    ) -> None:
        self.document = document
        self.frame = frame
        self.lexer = lexer
        self.palette = palette
        self.block_format = block_format
        self.char_format = char_format
        self._formats: dict[Any, QTextCharFormat] = {}
        self._live_position = live_position  # where the first live line's block starts
        self._live_complete = ""  # complete lines from the first live line on
        self._restart_offset = 0  # where lexing resumes, within the live text
        self._restart_stack: highlight.Stack = ("root",)
        self._prefix: list[tuple[Any, str]] = []  # tokens of the live text before the restart point
        self._frozen_code: list[str] = []  # code above the live region, for Copy
        self._shown = ""
        self.rendered_chars = 0

    def code(self) -> str:
        """The code so far, as the user would copy it."""
        return "".join(self._frozen_code) + self._shown

    def shift(self, position: int, removed: int) -> None:
        """Text before the live region got ``removed`` characters shorter at ``position``."""
        if position < self._live_position:
            self._live_position -= removed

    def feed(self, complete: str, partial: str, *, final: bool) -> None:
        """Append ``complete`` (whole lines) and show ``partial`` (the unfinished last line).

        Cost: the live region (normally the line being written) plus the new text.
        """
        self._live_complete += complete
        live = self._live_complete + partial
        if live.endswith("\n"):
            live = live[:-1]
        output = _highlight().lex(self.lexer, live[self._restart_offset :], self._restart_stack)
        stable_end = len(live)
        for _ in range(CODE_LAG_LINES):
            stable_end = live.rfind("\n", 0, stable_end)
            if stable_end < 0:
                break
        stable_end += 1
        restart: highlight.Boundary | None = None
        for boundary in reversed(output.boundaries):
            if self._restart_offset + boundary.pos <= stable_end:
                restart = boundary
                break
        new_restart = self._restart_offset + restart.pos if restart is not None else self._restart_offset
        new_line_start = live.rfind("\n", 0, new_restart) + 1 if new_restart > 0 else 0

        cursor = QTextCursor(self.document)
        cursor.setPosition(self._live_position)
        cursor.setPosition(self.frame.lastPosition(), QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        cursor.setBlockFormat(self.block_format)
        cursor.setCharFormat(self.char_format)
        new_live_position = self._live_position
        new_prefix: list[tuple[Any, str]] = []
        offset = 0
        pieces: list[tuple[Any, str]] = list(self._prefix)
        pieces.extend((token_type, value) for _pos, token_type, value in output.tokens)
        for token_type, value in pieces:
            for number, part in enumerate(value.split("\n")):
                if number:
                    cursor.insertBlock(self.block_format, self.char_format)
                    offset += 1
                    if offset == new_line_start:
                        new_live_position = cursor.position()
                if not part:
                    continue
                low, high = max(offset, new_line_start), min(offset + len(part), new_restart)
                if low < high:
                    new_prefix.append((token_type, part[low - offset : high - offset]))
                cursor.insertText(part, self._format(token_type))
                offset += len(part)
        self.rendered_chars += len(live)
        if restart is not None:
            self._frozen_code.append(live[:new_line_start])
            self._live_complete = self._live_complete[new_line_start:]
            self._restart_offset = new_restart - new_line_start
            self._restart_stack = restart.stack
            self._prefix = new_prefix
            self._live_position = new_live_position
            live = live[new_line_start:]
        self._shown = live
        if final:
            self.document._register_code(self.code(), self._index())  # noqa: SLF001

    def _index(self) -> int:
        entries = self.document._code  # noqa: SLF001
        for index, entry in enumerate(entries):
            if entry is self:
                return index
        return len(entries)

    def _format(self, token_type: Any) -> QTextCharFormat:
        fmt = self._formats.get(token_type)
        if fmt is None:
            fmt = QTextCharFormat(self.char_format)
            fmt.merge(self.palette.format_for(token_type))
            self._formats[token_type] = fmt
        return fmt
