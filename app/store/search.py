"""Turning what a person types into a safe full-text query, and marking the hits.

Highlights are marked with two control characters rather than HTML: snippets are pieces of model
output, which must be shown as text and never interpreted, so the UI escapes the text and styles the
marked spans itself (``split_highlights``). The characters are removed from the indexed text, so a
message cannot fake a highlight.

The trigram tokenizer cannot match fewer than three characters (two Chinese characters are a
common query), so such terms are matched with LIKE instead.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from app.store.models import SearchHit

HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
ELLIPSIS = "…"
MIN_FTS_TERM = 3  # the trigram tokenizer's smallest matchable string
SNIPPET_TOKENS = 48  # trigram tokens: about as many characters
RANKED_SEARCH_MAX = 3000  # past this many rows holding one term, hits come newest first

_TERM_RE = re.compile(r'"([^"]*)"|(\S+)')
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def searchable_text(text: str) -> str:
    """The text as indexed: without control characters (among them the highlight markers)."""
    return _CONTROL_RE.sub("", text) if _CONTROL_RE.search(text) else text


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[str, ...]  # every term, all of which must match
    fts_terms: tuple[str, ...]  # each long term as an FTS5 string (quoted)
    short_terms: tuple[str, ...]  # terms too short for the trigram index

    @property
    def fts(self) -> str | None:
        """The MATCH expression for all the long terms, or None when there are none."""
        return " AND ".join(self.fts_terms) or None

    @property
    def empty(self) -> bool:
        return not self.terms


def parse_query(query: str) -> ParsedQuery:
    """Split on spaces (a "quoted phrase" stays whole); every term must match, as a substring.

    Each term is quoted for FTS5, so operators and punctuation typed by the user (``AND``, ``*``,
    ``"``, ``-``, ``:``) are searched for literally instead of raising a syntax error.
    """
    terms: list[str] = []
    for match in _TERM_RE.finditer(searchable_text(query)):
        term = (match.group(1) if match.group(1) is not None else match.group(2)).strip()
        if term and term.casefold() not in {t.casefold() for t in terms}:
            terms.append(term)
    return ParsedQuery(
        tuple(terms),
        tuple('"' + t.replace('"', '""') + '"' for t in terms if len(t) >= MIN_FTS_TERM),
        tuple(t for t in terms if len(t) < MIN_FTS_TERM),
    )


def like_pattern(term: str) -> str:
    """A LIKE pattern (with ``ESCAPE '\\'``) matching ``term`` anywhere."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _match_spans(text: str, terms: tuple[str, ...] | list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for term in terms:
        spans.extend(m.span() for m in re.finditer(re.escape(term), text, re.IGNORECASE))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, terms: tuple[str, ...] | list[str]) -> str:
    """All of ``text`` with every occurrence of the terms marked (used for titles)."""
    return _mark(text, _match_spans(text, terms), 0, len(text))


def make_snippet(text: str, terms: tuple[str, ...] | list[str], width: int = 80) -> str:
    """About ``width`` characters of ``text`` around the first match, matches marked.

    The FTS path gets its snippet from FTS5's ``snippet()``; this is for the LIKE fallback.
    """
    spans = _match_spans(text, terms)
    if not spans:
        return text[:width] + (ELLIPSIS if len(text) > width else "")
    first = spans[0][0]
    start = max(0, first - width // 4)
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    snippet = _mark(text, spans, start, end)
    return (ELLIPSIS if start > 0 else "") + snippet + (ELLIPSIS if end < len(text) else "")


def _mark(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    pos = start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(text[pos:s])
        out.append(HIGHLIGHT_START + text[s:e] + HIGHLIGHT_END)
        pos = e
    out.append(text[pos:end])
    return "".join(out)


def split_highlights(snippet: str) -> list[tuple[str, bool]]:
    """``snippet`` as (text, highlighted) pieces, for the UI to escape and style."""
    pieces: list[tuple[str, bool]] = []
    highlighted = False
    buf: list[str] = []
    for ch in snippet:
        if ch in (HIGHLIGHT_START, HIGHLIGHT_END):
            if buf:
                pieces.append(("".join(buf), highlighted))
                buf = []
            highlighted = ch == HIGHLIGHT_START
        else:
            buf.append(ch)
    if buf:
        pieces.append(("".join(buf), highlighted))
    return pieces


def search_conversations(conn: sqlite3.Connection, query: str, limit: int = 50) -> list[SearchHit]:
    """Titles and message text containing every term of ``query`` (case-insensitive).

    Title hits come first, then message hits. Deleted conversations and replies still streaming
    are left out. Hits are best first (bm25) when every term is in at most ``RANKED_SEARCH_MAX``
    rows; a term more common than that would make bm25 score all its rows (hundreds of ms in a
    long history), so hits then come newest first, in about a millisecond — and the newest are
    what people look for in a chat history anyway. Terms of one or two characters are matched with
    LIKE, newest first: a scan, but one that stops at ``limit`` hits.
    """
    parsed = parse_query(query)
    if parsed.empty or limit <= 0:
        return []
    hits = _search_titles(conn, parsed, limit)
    if len(hits) < limit:
        hits += _search_messages(conn, parsed, limit - len(hits))
    return hits


def _rankable(conn: sqlite3.Connection, table: str, q: ParsedQuery) -> bool:
    """Whether bm25 is cheap here: no term in more than RANKED_SEARCH_MAX rows (a quick count)."""
    for term in q.fts_terms:
        count = conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT ?)",
            (term, RANKED_SEARCH_MAX + 1),
        ).fetchone()[0]
        if count > RANKED_SEARCH_MAX:
            return False
    return True


def _search_titles(conn: sqlite3.Connection, q: ParsedQuery, limit: int) -> list[SearchHit]:
    likes = [like_pattern(t) for t in q.short_terms]
    like_sql = "".join(" AND c.title LIKE ? ESCAPE '\\'" for _ in likes)
    if q.fts:
        ranked = _rankable(conn, "conversations_fts", q)
        rows = conn.execute(
            "SELECT c.id, c.title, highlight(conversations_fts, 0, ?, ?), "
            f"{'conversations_fts.rank' if ranked else '0.0'} "
            "FROM conversations_fts JOIN conversations AS c ON c.id = conversations_fts.rowid "
            f"WHERE conversations_fts MATCH ? AND c.deleted_at IS NULL{like_sql} "
            f"ORDER BY {'conversations_fts.rank' if ranked else 'conversations_fts.rowid DESC'} LIMIT ?",
            (HIGHLIGHT_START, HIGHLIGHT_END, q.fts, *likes, limit),
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT c.id, c.title, NULL, 0.0 FROM conversations AS c "
            f"WHERE c.deleted_at IS NULL{like_sql} ORDER BY c.id DESC LIMIT ?",
            (*likes, limit),
        ).fetchall()
    return [
        SearchHit(cid, None, title, marked if not q.short_terms else highlight(title, q.terms), rank)
        for cid, title, marked, rank in rows
    ]


def _search_messages(conn: sqlite3.Connection, q: ParsedQuery, limit: int) -> list[SearchHit]:
    likes = [like_pattern(t) for t in q.short_terms]
    like_sql = "".join(" AND m.text LIKE ? ESCAPE '\\'" for _ in likes)
    if q.fts:
        ranked = _rankable(conn, "messages_fts", q)
        rows = conn.execute(
            "SELECT m.id, m.conversation_id, c.title, "
            f"snippet(messages_fts, 0, ?, ?, ?, {SNIPPET_TOKENS}), "
            f"{'messages_fts.rank' if ranked else '0.0'}, {'m.text' if likes else 'NULL'} "
            "FROM messages_fts JOIN messages AS m ON m.id = messages_fts.rowid "
            "JOIN conversations AS c ON c.id = m.conversation_id "
            f"WHERE messages_fts MATCH ? AND c.deleted_at IS NULL{like_sql} "
            f"ORDER BY {'messages_fts.rank' if ranked else 'messages_fts.rowid DESC'} LIMIT ?",
            (HIGHLIGHT_START, HIGHLIGHT_END, ELLIPSIS, q.fts, *likes, limit),
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT m.id, m.conversation_id, c.title, NULL, 0.0, m.text "
            "FROM messages AS m JOIN conversations AS c ON c.id = m.conversation_id "
            f"WHERE c.deleted_at IS NULL AND m.state != 'streaming'{like_sql} "
            "ORDER BY m.id DESC LIMIT ?",
            (*likes, limit),
        ).fetchall()
    return [
        SearchHit(cid, mid, title, snippet if text is None else make_snippet(text, q.terms), rank)
        for mid, cid, title, snippet, rank, text in rows
    ]
