"""Markdown parsing for chat messages: markdown-it-py configured for model output.

This module has no Qt in it: it turns text into markdown-it tokens and knows the block structure
the streaming renderer needs (where top-level blocks start, how a fenced code block opens and
closes), plus the plain-text form of a message. ``render_document`` turns the tokens into a
``QTextDocument``.

Why these choices:

- CommonMark with tables and strikethrough, and ``html`` disabled: model output is untrusted, so
  ``<script>`` or ``<img src=…>`` in it stays literal text. Nothing here ever produces HTML.
- Math (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``) is parsed by our own rules rather than a
  plugin, so the currency rules are ours (no space after the opening ``$``, none before the
  closing one, and no digit right after it: "$5 and $10" stays text), every search for a closing
  delimiter is bounded (a 1 MB line full of ``\\(`` does not go quadratic), and a display block
  that is still open while a reply streams can be shown as pending math instead of raw text.
- Bare URLs become links through a linear post-pass (the GFM autolink plugin of mdit-py-plugins
  scans back through pending text at every ``:`` and took seconds on a 1 MB line).
- Task list items (``- [ ]``/``- [x]``) are recognised when rendering, from the item's first text,
  so no plugin has to inject HTML checkboxes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

# markdown-it is imported when the first text is parsed, not with this module: a new, empty chat
# (and start-up with one) never needs it (~2 MB).
if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

__all__ = [
    "BlockSpan",
    "FenceOpening",
    "LINK_SCHEMES",
    "MAX_INLINE_MATH",
    "is_closing_fence",
    "is_safe_link",
    "link_scheme",
    "parse",
    "parse_fence_opening",
    "split_reasoning",
    "task_state",
    "to_plain_text",
    "top_level_blocks",
]

#: Link schemes that may be opened (in the system browser or mail client) when clicked.
LINK_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

#: The longest inline formula we look for; past it a ``$`` or ``\\(`` is plain text. Bounds the
#: closing-delimiter search so hostile input cannot make parsing quadratic.
MAX_INLINE_MATH = 4000

#: The most lines a ``$$``/``\\[`` display block may span before we stop looking for its end.
MAX_MATH_BLOCK_LINES = 200

_SCHEME_RE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):")


def link_scheme(url: str) -> str:
    """The lower-cased scheme of ``url``, or "" when it has none (a relative link)."""
    match = _SCHEME_RE.match(url)
    return match.group(1).lower() if match else ""


def is_safe_link(url: str) -> bool:
    """Whether a link may be made clickable: only http, https and mailto.

    ``javascript:``, ``file:``, ``data:``, relative paths and every other scheme are refused, so a
    model cannot make the user run script or open a local file by clicking.
    """
    return link_scheme(url) in LINK_SCHEMES


# --------------------------------------------------------------------------------------------
# Math rules


def _find_unescaped(src: str, needle: str, start: int, stop: int) -> int:
    """The index of ``needle`` in ``src[start:stop]`` not preceded by an odd run of backslashes."""
    pos = start
    while True:
        index = src.find(needle, pos, stop)
        if index < 0:
            return -1
        backslashes = 0
        back = index - 1
        while back >= start and src[back] == "\\":
            backslashes += 1
            back -= 1
        if backslashes % 2 == 0:
            return index
        pos = index + 1


def _math_inline(state: StateInline, silent: bool) -> bool:
    """``$…$``, ``$$…$$``, ``\\(…\\)`` and ``\\[…\\]`` inside a paragraph.

    Runs before the ``escape`` rule so that ``\\(`` is not taken as an escaped parenthesis; an
    escaped dollar (``\\$``) never reaches us because the escape rule consumes it first when the
    backslash is not itself the start of ``\\(``/``\\[``.
    """
    src = state.src
    pos = state.pos
    end = state.posMax
    char = src[pos]
    if char == "$":
        if src.startswith("$$", pos):
            stop = min(end, pos + 2 + MAX_INLINE_MATH)
            close = _find_unescaped(src, "$$", pos + 2, stop)
            if close < 0 or not src[pos + 2 : close].strip():
                return False
            content, after, kind, markup = src[pos + 2 : close], close + 2, "math_inline_display", "$$"
        else:
            if pos + 1 >= end or src[pos + 1].isspace():
                return False
            stop = min(end, pos + 1 + MAX_INLINE_MATH)
            close = _find_unescaped(src, "$", pos + 1, stop)
            if close < 0 or src[close - 1].isspace():
                return False
            if close + 1 < end and src[close + 1].isdigit():
                return False
            content, after, kind, markup = src[pos + 1 : close], close + 1, "math_inline", "$"
    elif char == "\\" and pos + 1 < end and src[pos + 1] in "([":
        opener = src[pos + 1]
        closer = "\\)" if opener == "(" else "\\]"
        stop = min(end, pos + 2 + MAX_INLINE_MATH)
        close = src.find(closer, pos + 2, stop)
        if close < 0 or not src[pos + 2 : close].strip():
            return False
        content, after = src[pos + 2 : close], close + 2
        kind = "math_inline" if opener == "(" else "math_inline_display"
        markup = "\\" + opener
    else:
        return False
    if not silent:
        token = state.push(kind, "math", 0)
        token.content = content
        token.markup = markup
    state.pos = after
    return True


def _math_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """A display formula on its own lines: ``$$ … $$`` or ``\\[ … \\]``.

    It may interrupt a paragraph (models write "the formula is:\\n$$"). A block that never closes
    is a paragraph again, except while streaming (``env["streaming"]``), where it is the open tail
    and is shown as pending math rather than flashing raw TeX.
    """
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    line_end = state.eMarks[start_line]
    if state.src.startswith("$$", begin, line_end):
        opener, closer = "$$", "$$"
    elif state.src.startswith("\\[", begin, line_end):
        opener, closer = "\\[", "\\]"
    else:
        return False
    first = state.src[begin + 2 : line_end].rstrip()
    parts: list[str] = []
    last_line = -1
    if first.endswith(closer) and first[: -len(closer)].strip():
        parts.append(first[: -len(closer)])
        last_line = start_line
    else:
        if first.strip() and closer in first:
            return False  # "$$ a $$ b": not a display block
        parts.append(first)
        limit = min(end_line, start_line + 1 + MAX_MATH_BLOCK_LINES)
        for line in range(start_line + 1, limit):
            if state.isEmpty(line) or state.sCount[line] < state.blkIndent:
                break
            text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]].rstrip()
            if text.endswith(closer):
                parts.append(text[: -len(closer)])
                last_line = line
                break
            parts.append(text)
    pending = False
    if last_line < 0:
        env = state.env
        if not (isinstance(env, MutableMapping) and env.get("streaming")):
            return False
        # Still streaming: the formula runs to the end of the text received so far.
        last_line = start_line
        while last_line + 1 < end_line and not state.isEmpty(last_line + 1):
            last_line += 1
        if last_line + 1 != end_line:
            return False
        pending = True
    if silent:
        return True
    token = state.push("math_block", "math", 0)
    token.block = True
    token.content = "\n".join(parts).strip()
    token.markup = opener
    token.info = "pending" if pending else ""
    token.map = [start_line, last_line + 1]
    state.line = last_line + 1
    return True


# --------------------------------------------------------------------------------------------
# Bare URLs

_AUTOLINK_RE = re.compile(r"(?<![\w/.@:\-])(?:https?://|www\.)[^\s<>\"'`]*[^\s<>\"'`?!.,:;*_~)]")


def _trim_url(url: str) -> str:
    """Drop unbalanced closing parentheses, as GFM does for ``(see http://x.org/a)``."""
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1].rstrip("?!.,:;*_~")
    return url


def _autolink(state: StateCore) -> None:
    """Turn bare ``http(s)://`` and ``www.`` URLs in text into links, in one linear pass."""
    from markdown_it.token import Token

    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        depth = 0
        changed = False
        for token in block.children:
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            if token.type != "text" or depth > 0 or ("http" not in token.content and "www." not in token.content):
                children.append(token)
                continue
            text = token.content
            last = 0
            for match in _AUTOLINK_RE.finditer(text):
                url = _trim_url(match.group(0))
                if len(url) < 8:
                    continue
                start = match.start()
                if start > last:
                    children.append(_text_token(text[last:start], token.level))
                href = url if url.startswith("http") else "http://" + url
                opening = Token("link_open", "a", 1, level=token.level, markup="linkify", info="auto")
                opening.attrs = {"href": href}
                children.append(opening)
                children.append(_text_token(url, token.level + 1))
                children.append(Token("link_close", "a", -1, level=token.level, markup="linkify", info="auto"))
                last = start + len(url)
                changed = True
            if last == 0:
                children.append(token)
            elif last < len(text):
                children.append(_text_token(text[last:], token.level))
        if changed:
            block.children = children


def _text_token(content: str, level: int) -> Token:
    from markdown_it.token import Token

    token = Token("text", "", 0, level=level)
    token.content = content
    return token


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    """The one configured parser (building one compiles many rules; it is safe to share)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.inline.ruler.before("escape", "math_inline", _math_inline)
    md.block.ruler.before(
        "fence", "math_block", _math_block, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.core.ruler.push("parla_autolink", _autolink)
    return md


def parse(text: str, env: MutableMapping[str, Any] | None = None, *, streaming: bool = False) -> list[Token]:
    """Block and inline tokens for ``text``.

    ``env`` carries link reference definitions between parses of consecutive parts of one
    message; ``streaming`` marks ``text`` as the still-growing end of a reply.
    """
    environment: MutableMapping[str, Any] = env if env is not None else {}
    environment["streaming"] = streaming
    try:
        return _parser().parse(text, environment)
    finally:
        environment["streaming"] = False


# --------------------------------------------------------------------------------------------
# Block structure, for the streaming renderer


@dataclass(frozen=True, slots=True)
class BlockSpan:
    """One top-level block: its tokens ``[first, last)`` and source lines ``[start_line, end_line)``."""

    first: int
    last: int
    start_line: int
    end_line: int
    kind: str


def top_level_blocks(tokens: Sequence[Token]) -> list[BlockSpan]:
    """Split a token list into its top-level blocks (paragraph, list, table, fence…)."""
    spans: list[BlockSpan] = []
    index = 0
    count = len(tokens)
    while index < count:
        token = tokens[index]
        first = index
        if token.nesting == 1:
            depth = 1
            index += 1
            while index < count and depth:
                depth += tokens[index].nesting
                index += 1
        else:
            index += 1
        line_map = token.map or [0, 0]
        kind = token.type.removesuffix("_open")
        spans.append(BlockSpan(first, index, line_map[0], line_map[1], kind))
    return spans


@dataclass(frozen=True, slots=True)
class FenceOpening:
    """The opening line of a fenced code block."""

    indent: int
    marker: str
    length: int
    info: str


_FENCE_OPEN_RE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")


def parse_fence_opening(line: str) -> FenceOpening | None:
    """The fence a line opens, or None; follows CommonMark (no backtick in a backtick info string)."""
    match = _FENCE_OPEN_RE.match(line.rstrip("\r\n"))
    if not match:
        return None
    marks, info = match.group(2), match.group(3)
    if marks[0] == "`" and "`" in info:
        return None
    return FenceOpening(len(match.group(1)), marks[0], len(marks), info.strip())


def is_closing_fence(line: str, opening: FenceOpening) -> bool:
    """Whether ``line`` closes the block ``opening`` opened (same marker, at least as long)."""
    text = line.rstrip("\r\n")
    stripped = text.lstrip(" ")
    if len(text) - len(stripped) > 3:
        return False
    run = len(stripped) - len(stripped.lstrip(opening.marker))
    return run >= opening.length and not stripped[run:].strip(" \t")


def could_become_closing_fence(line: str, opening: FenceOpening) -> bool:
    """Whether an unfinished last line may still turn into the closing fence (then hide it)."""
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3:
        return False
    run = len(stripped) - len(stripped.lstrip(opening.marker))
    return run == len(stripped.rstrip(" \t")) and (run > 0 or not stripped.strip())


def fence_language(info: str) -> str:
    """The language named by a fence's info string (its first word), or ""."""
    return info.split(maxsplit=1)[0] if info.strip() else ""


# --------------------------------------------------------------------------------------------
# Task lists

_TASK_RE = re.compile(r"^\[([ xX])\](?=\s|$)\s?")


def task_state(text: str) -> tuple[bool | None, int]:
    """For a list item's first text: (checked?, length of the ``[ ]`` prefix), or (None, 0)."""
    match = _TASK_RE.match(text)
    if not match:
        return None, 0
    return match.group(1) != " ", match.end()


# --------------------------------------------------------------------------------------------
# Plain text


def to_plain_text(markdown: str) -> str:
    """The message as plain text, for "Copy as plain text": what the reader sees, no markup.

    Formulas keep their TeX (without delimiters), code blocks their code, links their text
    followed by the address when the two differ, table cells are separated by tabs.
    """
    tokens = parse(markdown)
    lines: list[str] = []
    _plain_blocks(tokens, 0, len(tokens), lines, prefix="")
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _plain_blocks(tokens: Sequence[Token], first: int, last: int, out: list[str], prefix: str) -> None:
    index = first
    list_stack: list[list[int]] = []  # per open list: [next number or -1 for bullets]
    pending_marker: str | None = None
    while index < last:
        token = tokens[index]
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrs.get("start", 1) if kind == "ordered_list_open" else -1
            list_stack.append([int(start) if start is not None else 1])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            list_stack.pop()
            if not list_stack and out and out[-1] != "":
                out.append("")
        elif kind == "list_item_open":
            current = list_stack[-1]
            if current[0] < 0:
                pending_marker = "- "
            else:
                pending_marker = f"{current[0]}. "
                current[0] += 1
        elif kind == "blockquote_open":
            depth = 1
            end = index + 1
            while end < last and depth:
                depth += tokens[end].nesting
                end += 1
            quoted: list[str] = []
            _plain_blocks(tokens, index + 1, end - 1, quoted, "")
            while quoted and not quoted[-1]:
                quoted.pop()
            out.extend(_indent_lines(["> " + line if line else ">" for line in quoted], prefix, list_stack))
            out.append("")
            index = end
            continue
        elif kind == "inline":
            text = _plain_inline(token.children or [])
            marker = pending_marker or ""
            pending_marker = None
            indent = "   " * max(0, len(list_stack) - 1)
            text_lines = text.split("\n")
            out.append(prefix + indent + marker + text_lines[0])
            pad = " " * len(marker)
            out.extend(prefix + indent + pad + line for line in text_lines[1:])
            if not list_stack:
                out.append("")
        elif kind in ("fence", "code_block"):
            code = token.content.removesuffix("\n")
            indent = "   " * len(list_stack)
            out.extend(prefix + indent + line for line in code.split("\n"))
            out.append("")
        elif kind == "math_block":
            out.extend(prefix + line for line in token.content.split("\n"))
            out.append("")
        elif kind == "table_open":
            depth = 1
            end = index + 1
            row: list[str] = []
            while end < last and depth:
                inner = tokens[end]
                depth += inner.nesting
                if inner.type == "inline":
                    row.append(_plain_inline(inner.children or []).replace("\n", " "))
                elif inner.type == "tr_close":
                    out.append(prefix + "\t".join(row))
                    row = []
                end += 1
            out.append("")
            index = end
            continue
        elif kind == "hr":
            out.append(prefix + "—" * 3)
            out.append("")
        index += 1


def _indent_lines(lines: list[str], prefix: str, list_stack: list[list[int]]) -> list[str]:
    indent = "   " * len(list_stack)
    return [prefix + indent + line for line in lines]


def _plain_inline(children: Sequence[Token]) -> str:
    parts: list[str] = []
    link_stack: list[tuple[str, int]] = []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline", "text_special"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind in ("math_inline", "math_inline_display"):
            parts.append(child.content.strip())
        elif kind == "image":
            parts.append(child.content or str(child.attrs.get("src", "")))
        elif kind == "link_open":
            link_stack.append((str(child.attrs.get("href", "")), len(parts)))
        elif kind == "link_close" and link_stack:
            href, start = link_stack.pop()
            label = "".join(parts[start:])
            shown = href.removeprefix("mailto:")
            if href and label.strip() and shown not in label and href not in label:
                parts.append(f" ({href})")
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# Reasoning

_THINK_OPEN = "<think>"
_THINK_CLOSE = "</think>"


def split_reasoning(text: str) -> tuple[str, str]:
    """(reasoning, answer) from content that begins with ``<think>…</think>``.

    Some servers put the model's reasoning inline instead of in ``reasoning_content``. While the
    ``</think>`` has not arrived yet everything so far is reasoning. Content that does not start
    with ``<think>`` (after whitespace) is all answer.
    """
    stripped = text.lstrip()
    if not stripped.startswith(_THINK_OPEN):
        return "", text
    body = stripped[len(_THINK_OPEN) :]
    close = body.find(_THINK_CLOSE)
    if close < 0:
        return body.strip(), ""
    return body[:close].strip(), body[close + len(_THINK_CLOSE) :].lstrip()


def iter_text(tokens: Sequence[Token]) -> Iterator[str]:
    """Every text fragment of a token list, inline children included (for tests and search)."""
    for token in tokens:
        if token.children:
            yield from iter_text(token.children)
        elif token.content:
            yield token.content
