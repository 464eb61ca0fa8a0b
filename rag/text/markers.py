"""The one citation-marker grammar: `[1]`, `[1, 3]`, `[2-4]`, `[2–3]`, `[1; 4]`, `[ 2 ]`.

A marker holds one to three digits per number, separated by `,` or `;`, or a range with `-` or
an en dash; `[2019]` and `[Our ref]` are not markers. The sentence splitter, the citation
checker, the eval metrics and the UI all read markers through this module."""

from __future__ import annotations

import re

MAX_RANGE = 50  # a range wider than this is cut short: "[1-999]" cites 1..51, not a thousand
_NUMBER = r"\d{1,3}"
_SEP = r"\s*[,;\u2013-]\s*"
# One marker; group 1 is what lies between the brackets, spaces trimmed ("1, 3" or "2-4").
MARKER_PATTERN = rf"\[\s*({_NUMBER}(?:{_SEP}{_NUMBER}){{0,20}})\s*\]"
MARKER_RE = re.compile(MARKER_PATTERN)
_MARKER_WITH_SPACE = re.compile(r"[ \t]*" + MARKER_PATTERN)


def _expand(inside: str) -> list[int]:
    """'1, 3' -> [1, 3]; '2-4' and '2–4' -> [2, 3, 4]; a reversed range '4-2' -> [4]."""
    nums: list[int] = []
    for part in re.split(r"\s*[,;]\s*", inside):
        lo, _, hi = part.replace("\u2013", "-").partition("-")
        a = int(lo)
        b = int(hi) if hi.strip() else a
        nums.extend(range(a, min(b, a + MAX_RANGE) + 1) if b >= a else [a])
    return nums


def marker_numbers(text: str) -> list[int]:
    """Every number every marker cites, in order, repeats kept (ranges expanded)."""
    return [n for m in MARKER_RE.finditer(text or "") for n in _expand(m.group(1))]


def cited_numbers(text: str) -> list[int]:
    """The passage numbers a text cites, in order, without repeats ('[1, 3]', '[2-4]')."""
    return list(dict.fromkeys(marker_numbers(text)))


def strip_markers(text: str) -> str:
    """The text without its markers (and the spaces or tabs before each); line breaks are kept."""
    return _MARKER_WITH_SPACE.sub("", text or "")
