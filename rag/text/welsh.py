"""Welsh requests searched in English: a Welsh ask glossed word by word from the packaged glossary.

MiniLM is English-only (a Welsh question's best cosine to its English precedent is about 0.15),
and most precedents are English, so a Welsh ask is searched as its English gloss followed by the
Welsh itself (BM25 still matches Welsh precedents word for word). Welsh words change their first
sound after certain words ("gofal" -> "ofal", "cynlluniau" -> "gynlluniau"): `radicals` undoes
that, so the glossary keeps each word once, in its dictionary form. The glossary (cy_en.tsv) is
hand-made public-service vocabulary; docs/welsh_queries.py measures what it buys.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

GLOSSARY_FILE = Path(__file__).with_name("cy_en.tsv")
MAX_PHRASE = 10  # words in the longest glossary phrase tried
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_VOWELS = "aeiouwyâêîôûŵŷáéíóúàèìòùäëïöü"

# A mutated onset and the radical it may come from, longest onsets first (nasal, aspirate, soft).
MUTATIONS: tuple[tuple[str, str], ...] = (
    ("ngh", "c"),
    ("mh", "p"),
    ("nh", "t"),
    ("ng", "g"),
    ("ch", "c"),
    ("ph", "p"),
    ("th", "t"),
    ("dd", "d"),
    ("f", "b"),
    ("f", "m"),
    ("g", "c"),
    ("b", "p"),
    ("d", "t"),
    ("l", "ll"),
    ("r", "rh"),
    ("m", "b"),
    ("n", "d"),
)
# Soft mutation drops a g ("gofal" -> "ofal", "gwlad" -> "wlad", "glan" -> "lan").
_G_DROPPED = _VOWELS + "lr"
_RADICAL_ONLY = ("ll", "rh")  # never the result of a mutation


def tokens(text: str) -> list[str]:
    """Lower-cased words and numbers, apostrophes kept inside a word ("sy'n", "o'r")."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'").replace("\u2018", "'"))


def radicals(word: str) -> list[str]:
    """The word and every form it may be a mutation of, the word itself first:
    'ddatganiad' -> ['ddatganiad', 'datganiad'], 'ofal' -> ['ofal', 'gofal']."""
    found = [word]
    if word.startswith(_RADICAL_ONLY):
        return found
    onset = next((o for o, _ in MUTATIONS if word.startswith(o) and len(word) > len(o)), "")
    found.extend(radical + word[len(onset) :] for o, radical in MUTATIONS if onset and o == onset)
    if word[:1] in _G_DROPPED:
        found.append("g" + word)
    if word[:1] == "h" and word[1:2] in _VOWELS:
        found.append(word[1:])  # h-prothesis: "ei hardal" -> "ardal"
    return list(dict.fromkeys(found))


@functools.cache
def glossary() -> dict[str, str]:
    """Welsh (its words joined by single spaces, as `tokens` splits them) -> English."""
    entries: dict[str, str] = {}
    for line in GLOSSARY_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            welsh, english = line.split("\t")
            entries.setdefault(" ".join(tokens(welsh)), english.strip())
    return entries


def lookup(words: list[str]) -> str | None:
    """The English for these words as one glossary entry, its first word maybe mutated; else None."""
    entries = glossary()
    rest = words[1:]
    for first in radicals(words[0]) if words else []:
        english = entries.get(" ".join([first, *rest]))
        if english:
            return english
    return None


def gloss(text: str) -> str:
    """The English of every glossary phrase in `text`, in order; words it does not know are left out.
    Phrases win over their words: the segmentation maximises the sum of squared phrase lengths."""
    words = tokens(text)
    # best[i]: the best segmentation of the first i words, as (score, where it began, its English)
    best: list[tuple[int, int, str]] = [(0, 0, "")] + [(-1, 0, "")] * len(words)
    for i in range(len(words)):
        score = best[i][0]
        if best[i + 1][0] < score:
            best[i + 1] = (score, i, "")  # word i unknown: skipped
        for n in range(1, min(MAX_PHRASE, len(words) - i) + 1):
            english = lookup(words[i : i + n])
            if english and best[i + n][0] < score + n * n:
                best[i + n] = (score + n * n, i, english)
    parts: list[str] = []
    end = len(words)
    while end:
        _, end, english = best[end]
        parts.append(english)
    return " ".join(p for p in reversed(parts) if p)


def english_query(text: str) -> str:
    """What a Welsh ask is searched by: its English gloss, then the Welsh as written."""
    english = gloss(text)
    return f"{english}\n{text}" if english else text
