"""Cutting a streamed answer into speakable sentences as it arrives.

Why incremental: speech for sentence 1 should be requested the moment it is complete, while the
model is still writing sentence 2. So :meth:`SentenceSplitter.feed` takes each text delta and
returns the sentences it completed, holding back only what is still ambiguous (is this "." a
full stop, a decimal point or the end of "e.g."? is this "`" the start of a code fence?).

Two stages:

* :class:`MarkdownSpeechFilter` turns streamed Markdown into plain text for a voice: fenced code
  blocks are skipped entirely (nobody wants a program read aloud), inline code keeps its text but
  is never split, ``**``/``_``/``~~``/headings/list markers/quotes/tables lose their markup, links
  become their text, images and URLs disappear.
* :class:`SentenceSplitter` finds sentence ends: ``. ! ? ;`` followed by a space (so "3.14" and
  "example.com" never split), the CJK ``。！？；…`` (no space needed), and line breaks. It does not
  split after abbreviations ("e.g.", "Mr.", "U.S."), merges very short fragments ("Sure!") with
  the next sentence, and cuts very long ones at a comma or space, so no single speech request
  holds up playback.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MarkdownSpeechFilter", "SentenceSplitter", "speakable_weight"]

# Private-use characters around inline code in the filtered text: "do not split in here".
_OPEN = "\ue000"
_CLOSE = "\ue001"

_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})")
_MARKERS_ONLY = re.compile(r"[ \t]*[#>\-*+_=~`|.)\d \t]*")
_HR = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_SETEXT = re.compile(r" {0,3}=+[ \t]*")
_TABLE_SEP = re.compile(r" {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*")
_LINE_PREFIX = re.compile(
    r"[ \t]*(?:>[ \t]?)*[ \t]*"
    r"(?:#{1,6}(?:[ \t]+|$)|(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?)?"
)
_TAG = re.compile(r"<(?:https?://[^>\s]+|mailto:[^>\s]+|/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>\n]*)?/?)>")
_TAG_PREFIX = re.compile(r"<(?:/?(?:[A-Za-z][^<>\n]*)?)?")
_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"')\]]+")
_URL_SCHEMES = ("https://", "http://", "ftp://")
_ASCII_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_MAX_HOLD = 400  # chars an unclosed `code` / [link] may hold back before it is taken literally


def _is_cjk(ch: str) -> bool:
    if not ch:
        return False
    code = ord(ch)
    return (0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x2FA1F)


def speakable_weight(text: str) -> int:
    """Length as speech time: a CJK character is about two Latin letters' worth of speech."""
    return sum(2 if _is_cjk(ch) else 1 for ch in text if not ch.isspace())


class MarkdownSpeechFilter:
    """Streamed Markdown in, plain text out (inline code wrapped in private-use markers that
    :class:`SentenceSplitter` understands). Holds back input only while its meaning is open."""

    def __init__(self) -> None:
        self._buf = ""
        self._line_start = True
        self._fence: str | None = None
        self._table_row = False
        self._prev = ""  # previous raw character consumed (for word boundaries)

    def feed(self, raw: str) -> str:
        self._buf += raw
        return self._run(final=False)

    def finish(self) -> str:
        return self._run(final=True)

    # The parser consumes self._buf from the front; `return` with text left means "need more".
    def _run(self, *, final: bool) -> str:
        out: list[str] = []
        while self._buf:
            if self._fence is not None:
                if not self._skip_fenced_line(final):
                    break
                continue
            if self._line_start:
                if not self._line_prefix(out, final):
                    break
                continue
            if not self._inline(out, final):
                break
        return "".join(out)

    def _skip_fenced_line(self, final: bool) -> bool:
        nl = self._buf.find("\n")
        if nl < 0:
            if final:
                self._buf = ""
            return False
        line, self._buf = self._buf[:nl], self._buf[nl + 1:]
        stripped = line.strip()
        assert self._fence is not None
        if stripped and set(stripped) == {self._fence[0]} and len(stripped) >= len(self._fence):
            self._fence = None
            self._line_start = True
        return True

    def _line_prefix(self, out: list[str], final: bool) -> bool:
        nl = self._buf.find("\n")
        complete = nl >= 0 or final
        line = self._buf[:nl] if nl >= 0 else self._buf
        rest_at = nl + 1 if nl >= 0 else len(self._buf)
        fence = _FENCE_OPEN.match(line)
        if fence:
            if not complete:
                return False
            self._fence = fence.group(1)
            self._buf = self._buf[rest_at:]
            out.append("\n")
            return True
        if not complete and _MARKERS_ONLY.fullmatch(line):
            return False  # "#", "- ", "12", "``", "---": what this line is is not known yet
        if complete and (_HR.fullmatch(line) or _SETEXT.fullmatch(line) or _TABLE_SEP.fullmatch(line)):
            self._buf = self._buf[rest_at:]
            out.append("\n")
            return True
        prefix = _LINE_PREFIX.match(line)
        cut = prefix.end() if prefix else 0
        self._table_row = line[cut:].lstrip().startswith("|")
        self._buf = self._buf[cut:]
        self._line_start = False
        self._prev = " "
        return True

    def _line_complete(self, start: int) -> bool:
        return self._buf.find("\n", start) >= 0

    def _inline(self, out: list[str], final: bool) -> bool:
        buf = self._buf
        i = 0
        n = len(buf)
        need_more = False
        while i < n:
            c = buf[i]
            if c == "\n":
                out.append("\n")
                i += 1
                self._line_start = True
                self._table_row = False
                self._prev = "\n"
                break
            if c == "\\":
                if i + 1 >= n:
                    if final:
                        i += 1
                        continue
                    need_more = True
                    break
                nxt = buf[i + 1]
                if nxt in _ASCII_PUNCT:
                    out.append(nxt)
                    self._prev = nxt
                    i += 2
                else:
                    out.append("\\")
                    self._prev = "\\"
                    i += 1
                continue
            if c == "`":
                j = i
                while j < n and buf[j] == "`":
                    j += 1
                if j == n and not final:
                    need_more = True
                    break
                ticks = buf[i:j]
                close = re.compile(r"(?<!`)" + ticks + r"(?!`)")
                eol = buf.find("\n", j)
                m = close.search(buf, j, eol if eol >= 0 else n)
                if m:
                    content = buf[j:m.start()].strip()
                    if content:
                        out.append(_OPEN + content + _CLOSE)
                    i = m.end()
                    self._prev = "`"
                    continue
                if eol < 0 and not final and n - i < _MAX_HOLD:
                    need_more = True
                    break
                i = j  # an unmatched backtick run: drop it
                continue
            if c in "*_~":
                j = i
                while j < n and buf[j] == c:
                    j += 1
                if j == n and not final:
                    need_more = True
                    break
                run = buf[i:j]
                after = buf[j] if j < n else " "
                if c == "_" and self._prev.isalnum() and after.isalnum():
                    out.append(run)  # snake_case
                elif c == "~" and len(run) == 1:
                    out.append(run)  # "~5 minutes"
                elif c == "*" and len(run) == 1 and self._prev.isspace() and after.isspace():
                    out.append(" ")  # a lone " * " (times): keep the words apart
                i = j
                self._prev = c
                continue
            if c == "!" and (i + 1 < n and buf[i + 1] == "["):
                parsed = self._link(buf, i + 1, final)
                if parsed is None:
                    need_more = True
                    break
                end, _text = parsed
                if end < 0:  # not a link after all
                    out.append("!")
                    self._prev = "!"
                    i += 1
                    continue
                i = end  # images are not spoken
                continue
            if c == "!" and i + 1 >= n and not final:
                need_more = True  # maybe an image "!["
                break
            if c == "[":
                parsed = self._link(buf, i, final)
                if parsed is None:
                    need_more = True
                    break
                end, text = parsed
                if end < 0:
                    out.append("[")
                    self._prev = "["
                    i += 1
                    continue
                out.append(text)
                self._prev = text[-1:] or "]"
                i = end
                continue
            if c == "<":
                m = _TAG.match(buf, i)
                if m:
                    out.append(" ")
                    i = m.end()
                    self._prev = " "
                    continue
                partial = _TAG_PREFIX.match(buf, i)
                if (not final and partial and partial.end() == n and n - i < _MAX_HOLD
                        and not self._line_complete(i)):
                    need_more = True
                    break
                out.append("<")
                self._prev = "<"
                i += 1
                continue
            if c in "hf" and not self._prev.isalnum():
                tail = buf[i:i + 8]
                m = _URL.match(buf, i)
                if not final and (
                    (m is None and any(s.startswith(tail) or tail.startswith(s) for s in _URL_SCHEMES)
                     and n - i <= 8)
                    or (m is not None and m.end() == n)
                ):
                    need_more = True  # "htt…" or a URL that may go on
                    break
                if m:
                    url = m.group(0).rstrip(".,;:!?")  # a full stop after a URL is the sentence's
                    out.append(_host(url))
                    i += len(url)
                    self._prev = "x"
                    continue
            if c == "|" and self._table_row:
                out.append(", ")
                self._prev = " "
                i += 1
                continue
            out.append(c)
            self._prev = c
            i += 1
        self._buf = buf[i:]
        return not need_more and i > 0

    def _link(self, buf: str, i: int, final: bool) -> tuple[int, str] | None:
        """At ``[``: ``(end, text)`` for ``[text](url)`` / ``[text][ref]`` / ``[text]``; ``(-1, "")``
        when it is a literal bracket; None when more input is needed."""
        n = len(buf)
        eol = buf.find("\n", i)
        limit = eol if eol >= 0 else n
        close = buf.find("]", i + 1, limit)
        if close < 0:
            if eol < 0 and not final and n - i < _MAX_HOLD:
                return None
            return (-1, "")
        text = _plain(buf[i + 1:close])
        if close + 1 >= n:
            return None if not final else (close + 1, text)
        after = buf[close + 1]
        if after == "(":
            depth = 0
            for k in range(close + 1, limit):
                if buf[k] == "(":
                    depth += 1
                elif buf[k] == ")":
                    depth -= 1
                    if depth == 0:
                        return (k + 1, text)
            if eol < 0 and not final and n - i < _MAX_HOLD:
                return None
            return (-1, "")
        if after == "[":
            ref_close = buf.find("]", close + 2, limit)
            if ref_close < 0:
                if eol < 0 and not final and n - i < _MAX_HOLD:
                    return None
                return (close + 1, text)
            return (ref_close + 1, text)
        return (close + 1, text)


def _host(url: str) -> str:
    """A URL as it is worth saying: its host ("openai.com"), not its path."""
    host = url.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0]
    return host[4:] if host.startswith("www.") else host


def _plain(text: str) -> str:
    """Markup inside a link's text: drop emphasis and code marks."""
    return re.sub(r"[*_`~]+", "", text).strip()


# ------------------------------------------------------------------- splitting
_CJK_TERMINATORS = set("。！？；…｡")
_ASCII_TERMINATORS = set(".!?;")
_ALL_TERMINATORS = _CJK_TERMINATORS | _ASCII_TERMINATORS | set("！？；．")
_CLOSERS = set("\"'”’)）]】」』》〉>")
_CUT_AFTER = set(",，、:：;；")

# Never a sentence end, whatever follows.
_HARD_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "e.g", "i.e", "cf", "viz", "mt", "rev", "gen",
    "col", "lt", "sgt", "capt", "gov", "sen", "rep", "hon", "messrs", "mme", "mlle",
}
# A sentence end only when the next word starts with a capital letter.
_SOFT_ABBREVIATIONS = {
    "etc", "no", "nos", "fig", "figs", "approx", "inc", "ltd", "co", "corp", "dept", "est", "vol", "vols",
    "ed", "eds", "al", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "ave", "blvd", "rd", "a.m", "p.m", "ph.d", "min", "max",
    "p", "pp", "ch", "sec", "ref", "eq", "resp",
}
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")  # U.S, e.g, a.m
_WORD_BEFORE = re.compile(r"([^\s" + re.escape("\"'“‘([（【「『") + r"]+)$")


class SentenceSplitter:
    """Incremental sentence splitter for streamed (Markdown) text.

    ``feed(delta)`` returns the sentences completed by this delta; ``flush()`` returns the rest
    when the stream ends (and resets the splitter for reuse). Sentences come back as plain text,
    whitespace collapsed, never empty, markup removed.
    """

    def __init__(self, *, min_weight: int = 10, max_weight: int = 250, markdown: bool = True) -> None:
        """``min_weight``: fragments lighter than this (see :func:`speakable_weight`) are merged
        with the next sentence ("Sure!" alone would be a request, and a pause, of its own).
        ``max_weight``: longer stretches without a sentence end are cut at a comma or space."""
        if max_weight < 20 or min_weight >= max_weight:
            raise ValueError("max_weight must be >= 20 and larger than min_weight.")
        self.min_weight = min_weight
        self.max_weight = max_weight
        self._markdown = markdown
        self._filter = MarkdownSpeechFilter() if markdown else None
        self._text = ""
        self._scan = 0  # where scanning resumes in _text
        self._carry = ""  # a short fragment waiting to be merged with the next one

    def feed(self, delta: str) -> list[str]:
        clean = self._filter.feed(delta) if self._filter is not None else delta
        self._text += clean
        return self._split(final=False)

    def flush(self) -> list[str]:
        """The end of the stream: everything left, as sentences (usually zero or one)."""
        if self._filter is not None:
            self._text += self._filter.finish()
        sentences = self._split(final=True)
        rest = self._text
        self._text = ""
        self._scan = 0
        piece = _tidy(rest)
        if piece:
            self._append(sentences, piece, force=True)
        if self._carry:
            sentences.append(self._carry)
            self._carry = ""
        self._filter = MarkdownSpeechFilter() if self._markdown else None
        return sentences

    # ---------------------------------------------------------------- internals
    def _split(self, *, final: bool) -> list[str]:
        text = self._text
        sentences: list[str] = []
        start = 0
        i = self._scan
        n = len(text)
        while i < n:
            c = text[i]
            if c == _OPEN:
                close = text.find(_CLOSE, i)
                if close < 0:
                    break
                i = close + 1
            elif c == "\n":
                self._emit(sentences, text[start:i])
                start = i = i + 1
                continue
            elif c in _ALL_TERMINATORS:
                j = i
                while j < n and (text[j] in _ALL_TERMINATORS or text[j] in _CLOSERS):
                    j += 1
                if j == n and not final:
                    break  # what follows decides (and more "!?" or a closing quote may come)
                end = self._sentence_end(text, start, i, j, final)
                if end is None:
                    break
                if end < 0:
                    i = j
                else:
                    self._emit(sentences, text[start:end])
                    start = i = end
                continue
            else:
                i += 1
            if speakable_weight(text[start:i]) > self.max_weight:
                cut = _cut_point(text, start, i)
                self._emit(sentences, text[start:cut], cut=True)
                start = cut
        self._text = text[start:]
        self._scan = max(0, i - start)
        return sentences

    def _sentence_end(self, text: str, start: int, i: int, j: int, final: bool) -> int | None:
        """For the terminator run ``text[i:j]``: the end of the sentence, -1 if it is not one, or
        None if the answer depends on text not received yet."""
        run = text[i:j]
        if any(ch in _CJK_TERMINATORS or ch in "！？；．" for ch in run):
            return j
        if j < len(text) and not text[j].isspace() and not _is_cjk(text[j]):
            return -1  # "3.14", "example.com", "a.b", "?!x": no space, no sentence end
        if run[0] != "." or run.startswith(".."):
            if run.startswith(".."):  # an ellipsis: an end only before a capital
                return self._soft_end(text, j, final)
            return j
        word = _WORD_BEFORE.search(text, start, i)
        token = word.group(1) if word else ""
        key = token.casefold()
        if key in _HARD_ABBREVIATIONS:
            return -1
        if len(token) == 1 and token.isalpha() and token.isupper():
            return -1  # an initial: "J. K. Rowling"
        if _DOTTED.fullmatch(token) and token.isupper():
            return -1  # "U.S.", "U.K.": far more often mid-sentence ("the U.S. Capitol")
        if key in _SOFT_ABBREVIATIONS or _DOTTED.fullmatch(token):
            return self._soft_end(text, j, final)
        return j

    def _soft_end(self, text: str, j: int, final: bool) -> int | None:
        k = j
        while k < len(text) and text[k] in " \t":
            k += 1
        if k >= len(text):
            return j if final else None
        nxt = text[k]
        if nxt == "\n" or nxt.isupper() or _is_cjk(nxt) or nxt == _OPEN:
            return j
        return -1

    def _emit(self, sentences: list[str], fragment: str, *, cut: bool = False) -> None:
        piece = _tidy(fragment)
        if piece:
            self._append(sentences, piece, force=cut)

    def _append(self, sentences: list[str], piece: str, *, force: bool) -> None:
        if self._carry:
            piece = _join(self._carry, piece)
            self._carry = ""
        if not force and speakable_weight(piece) < self.min_weight:
            self._carry = piece
            return
        sentences.append(piece)


def _cut_point(text: str, start: int, i: int) -> int:
    """Where to cut an over-long sentence in ``text[start:i]``: after the last comma (or other
    pause mark), else at the last space, else right here; never inside inline code."""
    protected: list[tuple[int, int]] = []
    pos = start
    while True:
        o = text.find(_OPEN, pos, i)
        if o < 0:
            break
        c = text.find(_CLOSE, o)
        protected.append((o, c if c >= 0 else i))
        pos = (c if c >= 0 else i) + 1

    def free(k: int) -> bool:
        return not any(a < k <= b for a, b in protected)

    low = start + (i - start) // 3  # not so early that the first piece is tiny
    # text[start:i] is just over the limit, text[start:i - 1] is not: cut at or before i - 1.
    for k in range(i - 2, low, -1):
        if text[k] in _CUT_AFTER and free(k + 1):
            return k + 1
    for k in range(i - 1, low, -1):
        if text[k].isspace() and free(k):
            return k
    for k in range(i - 1, start, -1):
        if free(k):
            return k
    return i


_SPACES = re.compile(r"\s+")
_COMMAS = re.compile(r"\s*,(?:\s*,)*")


def _tidy(fragment: str) -> str:
    """Markers out, whitespace collapsed, leftover separators trimmed; "" if nothing speakable."""
    piece = fragment.replace(_OPEN, "").replace(_CLOSE, "")
    piece = _SPACES.sub(" ", piece).strip()
    piece = _COMMAS.sub(", ", piece).strip(" ,，")
    piece = _SPACES.sub(" ", piece)
    if not any(unicodedata.category(ch)[0] in "LN" for ch in piece):
        return ""  # "---", "…", "**", an emoji-free row of symbols
    return piece


def _join(first: str, second: str) -> str:
    """Merge a carried short fragment with the next one. A fragment without its own full stop
    (a heading, a list item) gets one, so the voice pauses there."""
    last = first[-1]
    if unicodedata.category(last)[0] in "LN":
        first += "。" if _is_cjk(last) else "."
        last = first[-1]
    if _is_cjk(last) and _is_cjk(second[0]):
        return first + second
    return first + " " + second
