"""Text from outside (petitions, letters, the corpus) read as a model or a person would see it.

fold_lookalikes       NFKC (full-width brackets and letters -> ASCII), no format or control
                      characters (zero-width spaces, bidi overrides), the Cyrillic and Greek letters
                      that look Latin folded to Latin, so a disguised word is the plain word
looks_like_instruction  a sentence that speaks to a model rather than about policy: "ignore all
                      previous instructions", "reply only with", "write that the Minister ...",
                      a role prefix ("SYSTEM:"), a <script> tag
"""

from __future__ import annotations

import re
import unicodedata

# Letters from other scripts drawn like Latin ones (Unicode confusables, the ones a Latin-script
# corpus never needs): enough to spell a fence tag, SYSTEM or "ignore" in disguise.
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁһԛԝӏАВЕКМНОРСТХУІЈЅԌԚԜ"  # Cyrillic
    "αεικνορτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",  # Greek
    "aeopcyxijsdhqwlABEKMHOPCTXYIJSGQWaeikvoptuxABEZHIKMNOPTYX",
)
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")


def visible(ch: str) -> bool:
    """Not a format character (Cf: zero-width, bidi) nor a control character other than tab/newline."""
    return ch in "\t\n" or unicodedata.category(ch) not in ("Cf", "Cc")


def fold_lookalikes(text: str) -> str:
    """`text` as plain ASCII-shaped letters where it only looked different (see the module doc)."""
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFKC", text or ""))
    return "".join(ch for ch in text if visible(ch)).translate(_LOOKALIKES)


_INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:(?:all|any|of|the|your|previous|prior|above|earlier|preceding)\s+){0,4}"
    r"(?:instructions?|rules|prompts?|directions|the\s+above)\b|\b(?:ignore|disregard)\s+(?:all\s+of\s+)?the\s+above\b|"
    r"\b(?:reply|respond|answer|output)\s+(?:only|just)\s+with\b|"
    r"\b(?:write|say|state|claim|announce)\s+that\s+the\s+(?:minister|government|cabinet secretary)\b|"
    r"\b(?:new|updated|real)\s+instructions\b|\byou\s+are\s+now\b|\bsystem\s+prompt\b|"
    r"^\W{0,5}(?:system|assistant|user|developer|human|ai|task|instructions?)\s*:|"
    r"<\s*/?\s*(?:script|iframe|img|svg|object|embed|style)\b|\bjavascript\s*:",
    re.IGNORECASE | re.MULTILINE,
)


def looks_like_instruction(text: str) -> bool:
    """True when a sentence reads as an instruction to a model or carries markup (see the module doc)."""
    return bool(_INSTRUCTION.search(fold_lookalikes(text)))
