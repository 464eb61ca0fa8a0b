"""The one citation-marker grammar: `[1]`, `[1, 3]`, `[2-4]`, `[2–3]`, `[1; 4]`.

The checker, the eval, the UI and export all read markers through these functions."""

from __future__ import annotations

import re

_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;\u2013-]\s*\d{1,3}){0,20})\]")
_MARKER_WITH_SPACE = re.compile(r"\s{0,5}" + _MARKER.pattern)


def cited_numbers(sentence: str) -> list[int]:
    """The passage numbers a sentence cites, in order, without repeats ('[1, 3]', '[2-4]')."""
    nums: list[int] = []
    for m in _MARKER.finditer(sentence):
        for part in re.split(r"\s*[,;]\s*", m.group(1)):
            lo, _, hi = part.replace("\u2013", "-").partition("-")
            a = int(lo)
            b = int(hi) if hi.strip() else a
            for n in range(a, min(b, a + 50) + 1) if b >= a else [a]:
                if n not in nums:
                    nums.append(n)
    return nums


def strip_markers(sentence: str) -> str:
    return " ".join(_MARKER_WITH_SPACE.sub("", sentence).split())
