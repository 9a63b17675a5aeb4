"""Tests of the chat tab's message rendering (markdown, math, code, streaming, the message view)."""

from __future__ import annotations

import re

__all__ = ["sample_reply", "tokens_of"]

_SECTION = """## Section {n}: notes on the approach

Here is **paragraph {n}**, with *emphasis*, `inline code`, a [link](https://example.com/{n}) and
some inline math $x_{n}^2 + y_{n}^2 = r^2$ that should render as a formula. Prices such as $5 and
$10 stay text. The ratio \\(\\frac{{a}}{{b}}\\) matters.

- first point for section {n}, short
- second point with **bold** text
  - a nested point
- third point, ending the list

1. step one of {n}
2. step two
3. step three

```python
def compute_{n}(values: list[int]) -> int:
    \"\"\"Sum the squares of the values.\"\"\"
    total = 0
    for value in values:
        total += value * value  # square
    return total
```

| Name | Value | Note |
|------|------:|------|
| alpha | {n} | first |
| beta | {n}.5 | second |
| gamma | 42 | third |

$$
\\sum_{{i=1}}^{{n}} i = \\frac{{n(n+1)}}{{2}}
$$

> A closing remark for section {n}, quoted.

"""


def sample_reply(tokens: int = 4000) -> str:
    """A markdown reply of about ``tokens`` tokens mixing every construct models produce."""
    parts: list[str] = []
    n = 0
    while len(tokens_of("".join(parts))) < tokens:
        n += 1
        parts.append(_SECTION.format(n=n))
    text = "".join(parts)
    return "".join(tokens_of(text)[:tokens])


_TOKEN_RE = re.compile(r"\s*\S{1,4}|\s+")


def tokens_of(text: str) -> list[str]:
    """Split text into pieces of up to four characters, roughly like a model's tokens."""
    return _TOKEN_RE.findall(text)


def settle_formulas(timeout: float = 20.0) -> None:
    """Wait until the formula worker has typeset every pending formula and the documents swapped
    their placeholders for the images (formulas are typeset off the UI thread)."""
    from app.ui.chat.math_render import math_jobs

    assert math_jobs().wait_idle(timeout), "formulas still pending"
