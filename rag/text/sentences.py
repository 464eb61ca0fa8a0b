"""Sentences: where they end (abbreviations and citation markers kept with theirs), and which state something."""

from __future__ import annotations

import re

from rag.text.markers import MARKER_PATTERN, strip_markers

# A sentence end: terminal punctuation, closing quotes or brackets, then any markers that cite it.
_END = re.compile(rf"[.!?\u2026]+[\"'\u2019\u201d)]*((?:\s{{0,3}}{MARKER_PATTERN})*)")
_ABBREV = {
    "e.g",
    "i.e",
    "mr",
    "mrs",
    "ms",
    "dr",
    "no",
    "st",
    "cf",
    "etc",
    "vs",
    "prof",
    "cllr",
    "para",
    "ref",
    "hon",
    "rt",
    "gov",
}


def _boundary_ok(line: str, dot: int, after: int) -> bool:
    """A sentence ends at line[:after] if whitespace and a non-lowercase character follow."""
    if after >= len(line):
        return True
    if not line[after].isspace():
        return False
    nxt = after
    while nxt < len(line) and line[nxt].isspace():
        nxt += 1
    if nxt >= len(line) or line[nxt].islower():
        return False
    word_start = dot
    while word_start > max(0, dot - 8) and not line[word_start - 1].isspace():
        word_start -= 1
    return line[word_start:dot].lower().strip("(\"'") not in _ABBREV


def _split_line(line: str) -> list[str]:
    out: list[str] = []
    start = 0
    for m in _END.finditer(line):
        if _boundary_ok(line, m.start(), m.end()):
            piece = line[start : m.end()].strip()
            if piece:
                out.append(piece)
            start = m.end()
    tail = line[start:].strip()
    if tail:
        out.append(tail)
    return out


def split_sentences(text: str) -> list[str]:
    """Sentences in reading order; each line break ends a sentence; [n] markers stay with theirs."""
    out: list[str] = []
    for line in (text or "").splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            out.extend(_split_line(line))
    return out


def squash(text: str) -> str:
    """`text` with each run of whitespace as one space and none at the ends: the form in which two
    sentences, one re-wrapped or edited, are compared."""
    return " ".join(text.split())


# ---------------------------------------------------------------------------- substantive?

_COURTESY = re.compile(
    r"^(dear|annwyl|yours (sincerely|faithfully|truly)|yn gywir|yn ddiffuant|kind regards|best wishes|"
    r"regards|thank you|diolch|i hope|rwy'?n gobeithio|please do not hesitate|i look forward|"
    r"many thanks|with best wishes|cofion)\b",
    re.IGNORECASE,
)
MAX_COURTESY_WORDS = 20
MAX_HEADING_WORDS = 12
MIN_WORDS = 4


def is_substantive(sentence: str) -> bool:
    """Does this sentence state something that needs a source? Greetings, sign-offs, headings,
    list labels and short courtesies ("I hope you have found my reply helpful.") do not."""
    clean = strip_markers(sentence).lstrip("-\u2022*\u00b7 ").strip()
    if clean.startswith("[") and clean.endswith("]") and "[" not in clean[1:-1]:
        return False  # an editorial note to officials: "[Officials to advise: ...]"
    words = clean.split()
    if len(words) < MIN_WORDS:
        return False
    if _COURTESY.match(clean) and len(words) <= MAX_COURTESY_WORDS:
        return False
    ends_sentence = clean.rstrip("\"'\u2019\u201d)").endswith((".", "!", "?"))
    if not ends_sentence and len(words) <= MAX_HEADING_WORDS:
        return False
    return not (clean.endswith(":") and len(words) <= MAX_HEADING_WORDS)
