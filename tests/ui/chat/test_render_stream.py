"""Streaming: the same document as a one-shot render, at a cost per update that stays flat."""

from __future__ import annotations

import random
import statistics

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.chat.render_document import CODE_LAG_LINES, MessageDocument, RenderTheme
from app.ui.chat.render_stream import StreamingRenderer
from tests.ui.chat import sample_reply, settle_formulas, tokens_of

VARIED = (
    "# Plan\n\nFirst a paragraph with **bold**, $a^2$ and a [link](https://example.com).\n"
    "A soft break, then more.\n\n"
    "Setext heading\n---\n\n"
    "- item one\n- item two\n\n  continued paragraph\n- [x] done\n\n"
    "1. one\n1. two\n1. three\n\n"
    "> quote line\n> - quoted list\n\n"
    "```js\nfunction f(a) {\n  /* a comment\n     on two lines */\n  return `v${a}`;\n}\n```\n"
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n| 3 | $x$ |\n\n"
    "$$\n\\frac{1}{2}\n$$\n\n"
    "Costs $5 and $10.\n\n"
    "~~~\ntilde fence\n~~~\n\n"
    "    indented code\n\n"
    "***\n\nThe end, and an open fence:\n\n```python\ndef unfinished():\n    pass"
)


def theme() -> RenderTheme:
    return RenderTheme.from_palette(dpr=1.0)


def stream(text: str, pieces: list[str]) -> tuple[MessageDocument, StreamingRenderer]:
    document = MessageDocument(theme())
    renderer = StreamingRenderer(document)
    for piece in pieces:
        renderer.append(piece)
        renderer.flush()
    renderer.finish()
    assert renderer.text() == text
    settle_formulas()  # formulas are typeset off the UI thread; compare with their images in
    return document, renderer


def random_pieces(text: str, seed: int) -> list[str]:
    rng = random.Random(seed)
    pieces, index = [], 0
    while index < len(text):
        size = rng.randint(1, 9)
        pieces.append(text[index : index + size])
        index += size
    return pieces


@pytest.mark.parametrize("seed", range(4))
def test_streamed_document_equals_one_shot_render(qapp: QApplication, seed: int) -> None:
    one_shot = MessageDocument(theme())
    one_shot.set_markdown(VARIED)
    streamed, _renderer = stream(VARIED, random_pieces(VARIED, seed))
    settle_formulas()
    assert streamed.toPlainText() == one_shot.toPlainText()
    assert streamed.toHtml() == one_shot.toHtml()  # formats too: lists, code colours, formulas
    assert [streamed.code_block(i) for i in range(streamed.code_block_count())] == [
        one_shot.code_block(i) for i in range(one_shot.code_block_count())
    ]


def test_long_reply_streams_to_the_one_shot_render(qapp: QApplication) -> None:
    text = sample_reply(4000)
    one_shot = MessageDocument(theme())
    one_shot.set_markdown(text)
    streamed, _renderer = stream(text, tokens_of(text))
    assert streamed.toPlainText() == one_shot.toPlainText()


def test_cost_per_update_is_flat(qapp: QApplication) -> None:
    """Characters re-parsed or re-lexed per update, first vs last 1,000 of 4,000 tokens.

    Counting characters rather than time cannot flake; the benchmark measures time.
    """
    text = sample_reply(4000)
    tokens = tokens_of(text)
    _document, renderer = stream(text, tokens)
    costs = [stats.rendered_chars for stats in renderer.stats[:-1]]  # the last entry is finish()
    assert len(costs) == len(tokens)
    first, last = costs[:1000], costs[-1000:]
    assert statistics.mean(last) <= 1.5 * statistics.mean(first)
    largest_block = max(len(block) for block in text.split("\n\n"))
    assert max(costs) <= 2 * largest_block + 64, (max(costs), largest_block)
    assert max(stats.tail_length for stats in renderer.stats) <= largest_block + 64
    assert len(text) > 10 * largest_block  # so "flat" means something


def test_a_long_code_block_streams_at_constant_cost(qapp: QApplication) -> None:
    lines = [f"    value_{n} = compute({n}, 'text', [1, 2, 3])  # step {n}" for n in range(400)]
    text = "Code:\n\n```python\ndef main():\n" + "\n".join(lines) + "\n```\n\nAfter.\n"
    document, renderer = stream(text, tokens_of(text))
    costs = [stats.rendered_chars for stats in renderer.stats[:-1]]
    longest_line = max(len(line) for line in lines) + 1
    assert max(costs[len(costs) // 2 :]) <= (CODE_LAG_LINES + 2) * longest_line
    one_shot = MessageDocument(theme())
    one_shot.set_markdown(text)
    assert document.toHtml() == one_shot.toHtml()
    assert document.code_block(0) == "def main():\n" + "\n".join(lines)


def test_updates_are_coalesced_to_one_per_frame(qtbot: QtBot) -> None:
    document = MessageDocument(theme())
    renderer = StreamingRenderer(document)
    for token in tokens_of(sample_reply(300)):
        renderer.append(token)
    assert renderer.stats == []  # nothing rendered synchronously
    with qtbot.waitSignal(renderer.updated, timeout=2000):
        pass
    assert len(renderer.stats) == 1
    assert "Section 1" in document.toPlainText()
    renderer.append(" more")
    renderer.append(" text")
    qtbot.waitUntil(lambda: len(renderer.stats) == 2, timeout=2000)
    qtbot.wait(50)
    assert len(renderer.stats) == 2


def test_restart_and_finish(qapp: QApplication) -> None:
    document = MessageDocument(theme())
    renderer = StreamingRenderer(document)
    renderer.append("first *answer*")
    renderer.flush()
    renderer.restart("second")
    renderer.finish()
    assert document.toPlainText() == "second"
    renderer.append("ignored after finish")
    assert renderer.text() == "second"


def test_formula_typeset_mid_stream_swaps_in_place(qapp: QApplication) -> None:
    """A formula not typeset yet shows as its source (muted, monospace) without blocking; its image
    replaces it when the worker is done — here while a code block below is still streaming."""
    from app.ui.chat.math_render import math_jobs
    from app.ui.chat.render_document import MATH_PENDING_PROPERTY

    tag = random.randrange(10**9)  # a formula no earlier test has typeset
    text = f"Before $q_{{{tag}}}^2$ after.\n\n```py\nx = 1\ny = 2\nz = 3\n```\n\nEnd $w_{{{tag}}}$.\n"
    document = MessageDocument(theme())
    renderer = StreamingRenderer(document)
    head, rest = text[: text.index("y = 2")], text[text.index("y = 2") :]
    renderer.append(head)
    renderer.flush()
    assert document.pending_formulas() == 1
    placeholder = [
        f for f in _fragments(document) if f.charFormat().property(MATH_PENDING_PROPERTY) is not None
    ]
    assert placeholder and placeholder[0].text() == f"q_{{{tag}}}^2" and placeholder[0].charFormat().fontFixedPitch()
    assert math_jobs().wait_idle(20)  # the image arrives while the code block is open
    assert document.pending_formulas() == 0 and "\ufffc" in document.toPlainText()
    for piece in tokens_of(rest):
        renderer.append(piece)
        renderer.flush()
    renderer.finish()
    settle_formulas()
    one_shot = MessageDocument(theme())
    one_shot.set_markdown(text)
    assert one_shot.pending_formulas() == 0  # both formulas are cached by now
    assert document.toHtml() == one_shot.toHtml()
    assert document.code_block(0) == "x = 1\ny = 2\nz = 3"


def _fragments(document: MessageDocument) -> list:
    found = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            if iterator.fragment().isValid():
                found.append(iterator.fragment())
            iterator += 1
        block = block.next()
    return found
