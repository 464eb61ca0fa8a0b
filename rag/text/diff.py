"""A word diff of two texts (two versions of a reply, a draft and the real answer): words kept, removed, added.

    word_diff("The fund opened in 2021.", "The fund opens in 2024.")
    -> [("same", "The fund "), ("removed", "opened"), ("added", "opens"), ("same", " in "), ...]

Words are compared with their punctuation; the whitespace between them is kept as written, so
the pieces joined (less the removed ones) give the new text exactly.
"""

from __future__ import annotations

import difflib
import re

_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The pieces of `new` against `old`: ("same" | "removed" | "added", text), merged where adjacent.
    A change reads as whole phrases: the bare spaces between two changed words belong to the change
    ("an inquiry." -> "a review.", not "an" -> "a", " ", "inquiry." -> "review.")."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    runs = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    out: list[tuple[str, str]] = []
    removed: list[str] = []
    added: list[str] = []
    for k, (op, i1, i2, j1, j2) in enumerate(runs):
        between = 0 < k < len(runs) - 1 and not "".join(a[i1:i2]).strip()
        if op == "equal" and not between:
            _add(out, "removed", removed)
            _add(out, "added", added)
            removed, added = [], []
            _add(out, "same", b[j1:j2])
            continue
        removed.extend(a[i1:i2])
        added.extend(b[j1:j2])
    _add(out, "removed", removed)
    _add(out, "added", added)
    return out


def changed_words(pieces: list[tuple[str, str]]) -> tuple[int, int]:
    """How many words a diff removes and adds."""
    removed = sum(len(t.split()) for op, t in pieces if op == "removed")
    added = sum(len(t.split()) for op, t in pieces if op == "added")
    return removed, added


def _add(out: list[tuple[str, str]], op: str, tokens: list[str]) -> None:
    text = "".join(tokens)
    if not text:
        return
    if out and out[-1][0] == op:
        out[-1] = (op, out[-1][1] + text)
    else:
        out.append((op, text))
