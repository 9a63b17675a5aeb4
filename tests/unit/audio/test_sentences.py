"""Sentence splitting of streamed answers: English, Chinese, mixed, Markdown, and chunking."""

from __future__ import annotations

import random

import pytest

from app.audio.sentences import MarkdownSpeechFilter, SentenceSplitter, speakable_weight


def split(text: str, step: int | None = None, **kw: int) -> list[str]:
    splitter = SentenceSplitter(**kw)
    out: list[str] = []
    if step is None:
        out += splitter.feed(text)
    else:
        for i in range(0, len(text), step):
            out += splitter.feed(text[i:i + step])
    out += splitter.flush()
    return out


def split_every_way(text: str, **kw: int) -> list[str]:
    """The result must not depend on how the stream was chunked (mid-word, mid-punctuation)."""
    whole = split(text, **kw)
    for step in (1, 2, 3, 7):
        assert split(text, step, **kw) == whole, f"step {step}"
    rng = random.Random(len(text))
    splitter = SentenceSplitter(**kw)
    out: list[str] = []
    i = 0
    while i < len(text):
        n = rng.randint(1, 12)
        out += splitter.feed(text[i:i + n])
        i += n
    out += splitter.flush()
    assert out == whole, "random chunks"
    return whole


def test_english_sentences() -> None:
    text = "Hello there, how are you today? I am doing very well! Let us begin; it is time. The end."
    assert split_every_way(text) == [
        "Hello there, how are you today?", "I am doing very well!", "Let us begin;", "it is time. The end.",
    ]


def test_chinese_sentences_need_no_space() -> None:
    text = "你好，今天天气怎么样？我今天很好，谢谢。这是一个测试！第二句话；第三句话……最后一句"
    assert split_every_way(text) == [
        "你好，今天天气怎么样？", "我今天很好，谢谢。", "这是一个测试！", "第二句话；", "第三句话……", "最后一句",
    ]


def test_mixed_chinese_and_english() -> None:
    text = "我们用 Python 3.12 写程序。It works well. 然后呢？Then we ship it!"
    assert split_every_way(text) == ["我们用 Python 3.12 写程序。", "It works well.", "然后呢？ Then we ship it!"]


def test_closing_quotes_stay_with_their_sentence() -> None:
    text = '他说：“明天见。”然后走了。 She said "no way!" and left. "Really?" Yes, really.'
    assert split_every_way(text) == ["他说：“明天见。”", "然后走了。", 'She said "no way!"', "and left. \"Really?\"",
                                     "Yes, really."]


def test_decimals_versions_and_urls_do_not_split() -> None:
    text = "Pi is about 3.14159 and e is 2.718 roughly. Version 1.2.3 fixed it. See example.com for more."
    assert split_every_way(text) == [
        "Pi is about 3.14159 and e is 2.718 roughly.", "Version 1.2.3 fixed it.", "See example.com for more.",
    ]


def test_abbreviations_do_not_split() -> None:
    text = ("Mr. Smith and Dr. Jones met, e.g. at noon, i.e. lunch time. They went to the U.S. Capitol. "
            "J. K. Rowling wrote it. Apples, pears etc. are fruit. We bought fruit etc. Then we left.")
    assert split_every_way(text) == [
        "Mr. Smith and Dr. Jones met, e.g. at noon, i.e. lunch time.",
        "They went to the U.S. Capitol.",
        "J. K. Rowling wrote it.",
        "Apples, pears etc. are fruit.",
        "We bought fruit etc.",
        "Then we left.",
    ]


def test_ellipsis_splits_only_before_a_new_sentence() -> None:
    assert split_every_way("Wait... what is this? I do not know... Really, no idea.") == [
        "Wait... what is this?", "I do not know...", "Really, no idea.",
    ]


def test_fenced_code_is_skipped_entirely() -> None:
    text = ("Here is the program you asked for:\n\n```python\nprint('hello. world')\nx = 3.5\n# comment!\n```\n"
            "It prints a greeting.\n~~~\nmore code.\n~~~\nDone with that.")
    out = split_every_way(text)
    assert out == ["Here is the program you asked for:", "It prints a greeting.", "Done with that."]
    assert not any("hello" in s or "3.5" in s or "comment" in s or "more code" in s for s in out)


def test_unterminated_code_fence_drops_the_rest() -> None:
    assert split_every_way("Look at this example now.\n```\nwhile True: pass.\nstill code.") == [
        "Look at this example now."]


def test_inline_code_is_spoken_but_never_split() -> None:
    text = "Call `os.path.join(a, b). Then` for paths. Use ``a `b` c`` too."
    assert split_every_way(text) == ["Call os.path.join(a, b). Then for paths.", "Use a `b` c too."]


def test_markdown_markup_is_stripped() -> None:
    text = ("# A heading\n\n**Bold** and *italic* and __strong__ and ~~struck~~ words, snake_case stays. "
            "Read [the guide](https://example.com/a_(b).html) now. ![a chart](img.png) Images are silent.\n"
            "- first item in the list\n- second item in the list\n1. numbered item number one\n"
            "> quoted text that is long\n\n---\n\n| Name | Age |\n|------|-----|\n| Ann | 30 |\n")
    assert split_every_way(text) == [
        "A heading. Bold and italic and strong and struck words, snake_case stays.",
        "Read the guide now.",
        "Images are silent.",
        "first item in the list",
        "second item in the list",
        "numbered item number one",
        "quoted text that is long",
        "Name, Age. Ann, 30",
    ]


def test_bare_urls_become_their_host_and_tags_vanish() -> None:
    assert split_every_way("Visit https://www.openai.com/docs?x=1. It has <b>bold</b> tags.<br>Fine.") == [
        "Visit openai.com.", "It has bold tags.", "Fine."]


def test_short_fragments_merge_with_the_next() -> None:
    assert split_every_way("Sure! Here is a longer answer for you. OK.") == [
        "Sure! Here is a longer answer for you.", "OK."]
    assert split_every_way("好的。这是一个比较长的回答。") == ["好的。这是一个比较长的回答。"]
    # A heading or list item without its own full stop gets one, so the voice pauses there.
    assert split_every_way("## Setup\nInstall the package first.") == ["Setup. Install the package first."]
    assert split_every_way("## 安装\n先安装这个软件包。") == ["安装。先安装这个软件包。"]


def test_long_sentences_are_cut_at_a_comma_or_space() -> None:
    clause = "this clause goes on and on"
    text = ", ".join([clause] * 20) + "."
    out = split_every_way(text)
    assert len(out) > 1
    assert all(speakable_weight(s) <= 250 for s in out)
    assert all(s.endswith("on and on") for s in out[:-1])  # cut at a comma (which is dropped)
    assert ", ".join(out) == text
    words = ("word " * 120).strip() + "."
    pieces = split_every_way(words)
    assert len(pieces) > 1 and all(speakable_weight(p) <= 250 for p in pieces)
    assert " ".join(pieces) == words
    cjk = "这是一个很长的句子" * 30 + "。"
    pieces = split_every_way(cjk)
    assert len(pieces) > 1 and "".join(pieces) == cjk and all(speakable_weight(p) <= 250 for p in pieces)


def test_sentences_are_released_as_soon_as_they_are_known() -> None:
    splitter = SentenceSplitter()
    assert splitter.feed("The first sentence is here") == []
    assert splitter.feed(".") == []  # a decimal point, or the end of "e.g."? Wait for the next char.
    assert splitter.feed(" The") == ["The first sentence is here."]
    assert splitter.feed(" second one。") == []  # a closing quote may still follow "。"
    assert splitter.feed("第") == ["The second one。"]
    assert splitter.feed("三句") == []
    assert splitter.flush() == ["第三句"]
    assert splitter.flush() == []
    assert splitter.feed("Reusable after flush. ") == ["Reusable after flush."]


def test_empty_and_symbol_only_input_gives_nothing() -> None:
    assert split("") == []
    assert split("   \n\n  ") == []
    assert split("---\n***\n…\n") == []


def test_markdown_filter_alone() -> None:
    f = MarkdownSpeechFilter()
    out = f.feed("**He") + f.feed("llo** `x`\n```\ncode\n") + f.feed("```\n# Title\n") + f.finish()
    assert out.replace("\ue000", "").replace("\ue001", "") == "Hello x\n\nTitle\n"


@pytest.mark.parametrize("bad", [0, 10])
def test_invalid_limits(bad: int) -> None:
    with pytest.raises(ValueError):
        SentenceSplitter(min_weight=10, max_weight=bad)
