"""Syntax highlighting of code blocks with Pygments, resumable so a streaming block stays cheap.

Pygments' ``RegexLexer`` is a state machine: at every match it knows the state stack. Its own
``get_tokens_unprocessed`` keeps that stack to itself, so to highlight a code block that grows
line by line without lexing it all again on every token, :func:`lex` runs the same loop (a copy of
``RegexLexer.get_tokens_unprocessed``, whose shape has not changed in years) and reports the stack
at each match boundary. The streaming renderer resumes from the last boundary before the line
still being written: the cost of an update is the new text plus the current line, however long
the block already is.

Lexers that are not plain ``RegexLexer``\\ s (``ExtendedRegexLexer``, hand-written ones) are run
whole; for JSON, whose lexer has no state across lines that matters, every line start is a
restart point. A few ``RegexLexer`` subclasses (C, C++, Swift, Lua, PHP) override
``get_tokens_unprocessed`` only to recolour some names; we run the base loop for them too, so a
streamed block and a block rendered at once are coloured alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from pygments.lexer import ExtendedRegexLexer, Lexer, RegexLexer
from pygments.lexers import get_all_lexers, get_lexer_by_name
from pygments.style import StyleMeta
from pygments.styles import get_style_by_name
from pygments.token import Error, Token, Whitespace, _TokenType
from pygments.util import ClassNotFound
from PySide6.QtGui import QBrush, QColor, QFont, QTextCharFormat

__all__ = [
    "Boundary",
    "CodePalette",
    "LexOutput",
    "code_palette",
    "lex",
    "lexer_for",
    "preload",
]

#: Lexers whose state never carries across a line: any line start is a safe restart point.
_LINE_LOCAL = frozenset({"JsonLexer", "JsonLdLexer", "TextLexer"})

#: Options for every lexer: we feed raw code, so no stripping or added newlines.
_LEXER_OPTIONS = {"stripnl": False, "stripall": False, "ensurenl": False}

#: Languages whose usual fences omit an opening tag the lexer would otherwise need.
_EXTRA_OPTIONS: dict[str, dict[str, bool]] = {"php": {"startinline": True}}

Stack = tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Boundary:
    """A point between two matches: lexing may restart at ``pos`` with ``stack``."""

    pos: int
    stack: Stack


@dataclass(slots=True)
class LexOutput:
    """Tokens of a lexed text (offsets relative to it) and the restart points found in it."""

    tokens: list[tuple[int, _TokenType, str]] = field(default_factory=list)
    boundaries: list[Boundary] = field(default_factory=list)


@lru_cache(maxsize=1)
def _known_aliases() -> frozenset[str]:
    """Every lexer alias Pygments ships (read from its table, no lexer module imported)."""
    return frozenset(alias for _name, aliases, _files, _mimes in get_all_lexers(plugins=False) for alias in aliases)


@lru_cache(maxsize=64)
def lexer_for(language: str) -> Lexer | None:
    """A lexer for a fence's language name, or None for plain text (unknown or empty).

    Unknown names are answered from the alias table: ``get_lexer_by_name`` would otherwise
    search every lexer (and plugin) for each prefix of a language name still streaming in
    ("p", "py", "pyt"…), about 10 ms each.
    """
    name = language.strip().lower()
    if not name or name not in _known_aliases():
        return None
    try:
        return get_lexer_by_name(name, **_LEXER_OPTIONS, **_EXTRA_OPTIONS.get(name, {}))
    except ClassNotFound:
        return None


#: Languages whose lexers :func:`preload` prepares (their first use compiles many regexes).
COMMON_LANGUAGES = ("python", "javascript", "typescript", "bash", "json", "c", "cpp", "java", "go", "rust", "sql", "html", "css", "yaml")


def preload(languages: Iterable[str] = COMMON_LANGUAGES) -> None:
    """Create the common lexers ahead of time (a first Python block otherwise costs ~18 ms).

    Safe in a worker thread; nothing here touches Qt.
    """
    for language in languages:
        lexer = lexer_for(language)
        if lexer is not None:
            lex(lexer, "x = 1\n")


def _resumable(lexer: Lexer) -> bool:
    return isinstance(lexer, RegexLexer) and not isinstance(lexer, ExtendedRegexLexer)


def lex(lexer: Lexer | None, text: str, stack: Stack = ("root",)) -> LexOutput:
    """Tokens of ``text``, starting in ``stack``, and the boundaries where lexing may restart.

    With no lexer the text is one plain token and every line start is a boundary.
    """
    out = LexOutput()
    if lexer is None or type(lexer).__name__ in _LINE_LOCAL:
        if lexer is None:
            if text:
                out.tokens.append((0, Token.Text, text))
        else:
            out.tokens.extend(lexer.get_tokens_unprocessed(text))
        start = text.find("\n")
        while start >= 0:
            out.boundaries.append(Boundary(start + 1, None))
            start = text.find("\n", start + 1)
        return out
    if not _resumable(lexer):
        out.tokens.extend(lexer.get_tokens_unprocessed(text))
        return out
    _lex_regex(lexer, text, list(stack or ("root",)), out)
    return out


def _lex_regex(lexer: RegexLexer, text: str, statestack: list[str], out: LexOutput) -> None:
    """``RegexLexer.get_tokens_unprocessed``, recording the state stack after every match."""
    tokens = out.tokens
    boundaries = out.boundaries
    tokendefs = lexer._tokens  # noqa: SLF001 - the compiled state table the base loop uses
    statetokens = tokendefs[statestack[-1]]
    pos = 0
    size = len(text)
    while True:
        for rexmatch, action, new_state in statetokens:
            match = rexmatch(text, pos)
            if not match:
                continue
            if action is not None:
                if type(action) is _TokenType:
                    tokens.append((pos, action, match.group()))
                else:
                    tokens.extend(action(lexer, match))
            end = match.end()
            if new_state is not None:
                if isinstance(new_state, tuple):
                    for state in new_state:
                        if state == "#pop":
                            if len(statestack) > 1:
                                statestack.pop()
                        elif state == "#push":
                            statestack.append(statestack[-1])
                        else:
                            statestack.append(state)
                elif isinstance(new_state, int):
                    if abs(new_state) >= len(statestack):
                        del statestack[1:]
                    else:
                        del statestack[new_state:]
                elif new_state == "#push":
                    statestack.append(statestack[-1])
                statetokens = tokendefs[statestack[-1]]
            if end > pos:
                boundaries.append(Boundary(end, tuple(statestack)))
            pos = end
            break
        else:
            if pos >= size:
                return
            if text[pos] == "\n":
                statestack = ["root"]
                statetokens = tokendefs["root"]
                tokens.append((pos, Whitespace, "\n"))
                pos += 1
                boundaries.append(Boundary(pos, ("root",)))
                continue
            tokens.append((pos, Error, text[pos]))
            pos += 1


# --------------------------------------------------------------------------------------------
# Colours


@dataclass(frozen=True)
class CodePalette:
    """A Pygments style turned into Qt character formats, with the block's colours."""

    style_name: str
    background: QColor
    foreground: QColor
    border: QColor
    muted: QColor
    _format_for: Callable[[_TokenType], QTextCharFormat]

    def format_for(self, token_type: _TokenType) -> QTextCharFormat:
        """The character format (on top of the code font) for a token type."""
        return self._format_for(token_type)


#: Pygments styles chosen for contrast on Parla's light and dark palettes.
LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"


def code_palette(dark: bool) -> CodePalette:
    """The palette for code blocks in the light or dark theme (cached: formats are reused)."""
    return _code_palette(DARK_STYLE if dark else LIGHT_STYLE)


@lru_cache(maxsize=4)
def _code_palette(style_name: str) -> CodePalette:
    style: StyleMeta = get_style_by_name(style_name)
    background = QColor(style.background_color or "#f8f8f8")
    base = style.style_for_token(Token.Text)
    foreground = QColor("#" + base["color"]) if base.get("color") else _contrast(background)
    dark = background.lightnessF() < 0.5
    border = background.lighter(160) if dark else background.darker(112)
    muted = QColor(foreground)
    muted.setAlphaF(0.65)

    @lru_cache(maxsize=512)
    def format_for(token_type: _TokenType) -> QTextCharFormat:
        spec = style.style_for_token(token_type)
        fmt = QTextCharFormat()
        fmt.setForeground(QBrush(QColor("#" + spec["color"]) if spec.get("color") else foreground))
        if spec.get("bold"):
            fmt.setFontWeight(QFont.Weight.Bold)
        if spec.get("italic"):
            fmt.setFontItalic(True)
        if spec.get("underline"):
            fmt.setFontUnderline(True)
        if spec.get("bgcolor"):
            fmt.setBackground(QBrush(QColor("#" + spec["bgcolor"])))
        return fmt

    return CodePalette(style_name, background, foreground, border, muted, format_for)


def _contrast(background: QColor) -> QColor:
    return QColor("#e6e6e6") if background.lightnessF() < 0.5 else QColor("#1f2328")


def split_lines(tokens: Iterable[tuple[int, _TokenType, str]]) -> list[list[tuple[_TokenType, str]]]:
    """Tokens regrouped by line (a token spanning lines is cut at each newline)."""
    lines: list[list[tuple[_TokenType, str]]] = [[]]
    for _pos, token_type, value in tokens:
        parts = value.split("\n")
        for index, part in enumerate(parts):
            if index:
                lines.append([])
            if part:
                lines[-1].append((token_type, part))
    return lines
