"""Markdown → QTextDocument: CommonMark basics, tables, strikethrough, tasks, code, math, links."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QFont, QImage, QTextBlockFormat, QTextDocument, QTextFormat, QTextListFormat
from PySide6.QtWidgets import QApplication

from app.ui.chat.markdown import is_safe_link, parse, split_reasoning, to_plain_text
from app.ui.chat.math_render import MathRenderer, normalize_tex
from app.ui.chat.render_document import MessageDocument, RenderTheme
from tests.ui.chat import settle_formulas


@pytest.fixture
def render(qapp: QApplication):  # noqa: ANN201 - a factory
    def build(markdown: str) -> MessageDocument:
        document = MessageDocument(RenderTheme.from_palette(dpr=1.0))
        document.set_markdown(markdown)
        settle_formulas()
        assert document.pending_formulas() == 0
        return document

    return build


def blocks(document: QTextDocument) -> list:
    found = []
    block = document.begin()
    while block.isValid():
        found.append(block)
        block = block.next()
    return found


def fragments(document: QTextDocument) -> list:
    """Every text fragment (text with one format) in reading order."""
    found = []
    for block in blocks(document):
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.isValid():
                found.append(fragment)
            iterator += 1
    return found


def fragment_with(document: QTextDocument, text: str):  # noqa: ANN201
    for fragment in fragments(document):
        if text in fragment.text():
            return fragment
    raise AssertionError(f"no fragment contains {text!r}")


def math_images(document: QTextDocument) -> list[str]:
    names = []
    for fragment in fragments(document):
        fmt = fragment.charFormat()
        if fmt.isImageFormat() and fmt.toImageFormat().name().startswith("parla-math:"):
            names.append(fmt.toImageFormat().name())
    return names


def test_headings_emphasis_and_inline_code(render) -> None:
    document = render("# Title\n\nSome **bold**, *italic* and `code` here.\n\n### Small")
    heading = blocks(document)[0]
    assert heading.text() == "Title"
    assert heading.blockFormat().headingLevel() == 1
    assert [b.blockFormat().headingLevel() for b in blocks(document) if b.text() == "Small"] == [3]
    assert fragment_with(document, "bold").charFormat().fontWeight() == QFont.Weight.Bold
    assert fragment_with(document, "italic").charFormat().fontItalic()
    code = fragment_with(document, "code").charFormat()
    assert code.fontFixedPitch()
    assert "**" not in document.toPlainText() and "`" not in document.toPlainText()


def test_lists_nested_and_ordered(render) -> None:
    document = render("- one\n- two\n  - nested\n\n3. three\n4. four")
    by_text = {b.text(): b for b in blocks(document)}
    assert by_text["one"].textList() is by_text["two"].textList() or (
        by_text["one"].textList() == by_text["two"].textList()
    )
    assert by_text["one"].textList().format().style() == QTextListFormat.Style.ListDisc
    assert by_text["nested"].textList().format().indent() == 2
    ordered = by_text["three"].textList()
    assert ordered.format().style() == QTextListFormat.Style.ListDecimal
    assert ordered.itemText(by_text["three"]).startswith("3")
    assert ordered.itemText(by_text["four"]).startswith("4")


def test_blockquote_rule_and_soft_break(render) -> None:
    document = render("> quoted *text*\n\n---\n\nline one\nline two")
    text = document.toPlainText()
    assert "quoted text" in text and ">" not in text
    rules = [b for b in blocks(document) if b.blockFormat().hasProperty(QTextFormat.Property.BlockTrailingHorizontalRulerWidth)]
    assert len(rules) == 1
    assert [b.text() for b in blocks(document) if "line one" in b.text()] == ["line one\u2028line two"]


def test_table_with_header_and_alignment(render) -> None:
    document = render("| Name | Qty |\n|------|----:|\n| pear | 3 |\n| plum | 12 |")
    tables = [frame for frame in document.rootFrame().childFrames() if frame.metaObject().className() == "QTextTable"]
    assert len(tables) == 1
    table = tables[0]
    assert (table.rows(), table.columns()) == (3, 2)
    header = table.cellAt(0, 0).firstCursorPosition()
    assert header.block().text() == "Name"
    assert header.charFormat().fontWeight() == QFont.Weight.Bold or fragment_with(document, "Name").charFormat().fontWeight() == QFont.Weight.Bold
    qty = table.cellAt(2, 1).firstCursorPosition().block()
    assert qty.text() == "12"
    assert qty.blockFormat().alignment() & 0x2  # Qt.AlignRight


def test_strikethrough(render) -> None:
    document = render("this is ~~gone~~ now")
    assert fragment_with(document, "gone").charFormat().fontStrikeOut()
    assert "~" not in document.toPlainText()


def test_task_list_markers(render) -> None:
    document = render("- [ ] open task\n- [x] done task\n- plain item")
    by_text = {b.text(): b for b in blocks(document)}
    assert by_text["open task"].blockFormat().marker() == QTextBlockFormat.MarkerType.Unchecked
    assert by_text["done task"].blockFormat().marker() == QTextBlockFormat.MarkerType.Checked
    assert by_text["plain item"].blockFormat().marker() == QTextBlockFormat.MarkerType.NoMarker


def test_code_block_highlighted_with_label_and_copy_anchor(render) -> None:
    source = 'def greet(name):\n    return "hi " + name  # say hi\n'
    document = render(f"Intro\n\n```python\n{source}```\n\n```\nplain\n```")
    label = fragment_with(document, "python")
    assert "Copy" in document.toPlainText()
    copy = fragment_with(document, "Copy").charFormat()
    assert copy.isAnchor() and copy.anchorHref() == "parla-copy:0"
    colours = {
        fragment.charFormat().foreground().color().name()
        for fragment in fragments(document)
        if fragment.charFormat().fontFixedPitch() and fragment.text().strip()
    }
    assert len(colours) >= 3, colours  # keyword, string, comment… are told apart
    assert label.charFormat().anchorHref() == ""
    assert document.code_block(0) == source.rstrip("\n")
    assert document.code_block(1) == "plain"
    second_label = [f for f in fragments(document) if f.charFormat().anchorHref() == "parla-copy:1"]
    assert second_label, "the second block has its own copy anchor"
    assert "code" in document.toPlainText()  # the label of a block with no language


@pytest.mark.parametrize(
    "markdown",
    [
        "Inline $x^2 + y^2$ here.",
        "Block:\n\n$$\n\\int_0^1 x\\,dx\n$$\n",
        "Inline \\(\\alpha \\le \\beta\\) here.",
        "Display \\[ \\sum_{i=1}^n i \\] here.",
        "Block:\n\n\\[\n\\frac{a}{b}\n\\]\n",
        "One line $$E = mc^2$$",
    ],
)
def test_each_math_delimiter_renders_an_image(render, markdown: str) -> None:
    document = render(markdown)
    names = math_images(document)
    assert len(names) == 1
    image = document.resource(QTextDocument.ResourceType.ImageResource.value, QUrl(names[0]))
    assert isinstance(image, QImage) and not image.isNull()
    text = document.toPlainText()
    for raw in ("$", "\\(", "\\[", "^", "\\frac", "\\int", "\\sum", "\\alpha"):
        assert raw not in text, f"raw TeX {raw!r} left in {text!r}"


def test_environments_are_typeset(render) -> None:
    document = render(
        "$$\n\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}\n$$\n\n"
        "$$\nf(x) = \\begin{cases} x & x \\ge 0 \\\\ -x & \\text{otherwise} \\end{cases}\n$$\n\n"
        "$$\n\\begin{aligned} a &= b + c \\\\ &= d \\end{aligned}\n$$"
    )
    assert len(math_images(document)) == 3


def test_formula_that_does_not_parse_falls_back_to_monospace(render) -> None:
    document = render("Broken $\\frac{1}{\\notamacro{x}$ formula")
    assert math_images(document) == []
    fallback = fragment_with(document, "\\notamacro")
    assert fallback.charFormat().fontFixedPitch()


@pytest.mark.parametrize(
    "markdown",
    ["It costs $5 and $10.", "Between $ 5 and $ 10", "Pay $5, or $10 later", "Costs $3.50 vs $4.25 today", "$x$5"],
)
def test_currency_is_not_math(render, markdown: str) -> None:
    document = render(markdown)
    assert math_images(document) == []
    assert document.toPlainText() == markdown


def test_math_images_follow_the_text_colour(qapp: QApplication) -> None:
    renderer = MathRenderer()
    dark = renderer.render("x", display=False, color=QColor("#ffffff"), pixel_size=14)
    light = renderer.render("x", display=False, color=QColor("#000000"), pixel_size=14)
    assert dark is not None and light is not None
    assert dark.image is not light.image
    assert renderer.render("x", display=False, color=QColor("#ffffff"), pixel_size=14) is dark  # cached


def test_normalize_tex_maps_common_macros() -> None:
    assert normalize_tex(r"a \le b") == r"a \leq  b"
    assert "\\displaystyle" not in normalize_tex(r"\displaystyle\sum_{i}")
    assert normalize_tex(r"\tfrac12") == r"\frac {1}{2}"


def test_links_only_for_safe_schemes(render) -> None:
    document = render(
        "[site](https://example.com) [mail](mailto:a@example.com) [js](javascript:alert(1)) "
        "[file](file:///etc/passwd) [data](data:text/html,hi) [rel](docs/page.html) and www.example.org"
    )
    hrefs = sorted({f.charFormat().anchorHref() for f in fragments(document) if f.charFormat().isAnchor()})
    assert hrefs == ["http://www.example.org", "https://example.com", "mailto:a@example.com"]
    assert is_safe_link("https://x") and not is_safe_link("JavaScript:alert(1)") and not is_safe_link("file:///x")


def test_to_plain_text() -> None:
    markdown = (
        "# Title\n\nSome **bold** and a [link](https://example.com).\n\n- a\n- b\n\n1. one\n2. two\n\n"
        "```py\nx = 1\n```\n\n| h1 | h2 |\n|---|---|\n| c1 | c2 |\n\nMath $x^2$ done.\n\n> quote"
    )
    assert to_plain_text(markdown) == (
        "Title\n\nSome bold and a link (https://example.com).\n\n- a\n- b\n\n1. one\n2. two\n\n"
        "x = 1\n\nh1\th2\nc1\tc2\n\nMath x^2 done.\n\n> quote"
    )


def test_split_reasoning() -> None:
    assert split_reasoning("<think>hmm</think>Answer") == ("hmm", "Answer")
    assert split_reasoning("  <think>still thinking") == ("still thinking", "")
    assert split_reasoning("No reasoning <think>x</think>") == ("", "No reasoning <think>x</think>")


def test_html_is_never_parsed() -> None:
    tokens = parse("<div>x</div>\n\n<b>y</b>")
    assert all(token.type not in ("html_block", "html_inline") for token in tokens)
