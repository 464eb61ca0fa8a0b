"""Answers that are not answers: holding replies and pure cross-references.

A holding answer puts the question off ("It has not proved possible to respond to the hon. Member
in the time available before Prorogation.", "It is taking time to collate the information ... I will
write to him ..."); a cross-reference only points elsewhere ("I refer the hon. Member to the answer I
gave on 12 March 2024 to Question 12345."). Neither says anything a new reply can rest on.

    is_holding_line(s), is_referral_line(s)   one sentence (is_non_answer_line: either)
    is_holding(text), is_cross_reference(text) a whole answer: nothing in it but such lines
    is_non_answer(text)                        either

A whole answer qualifies only when every sentence that states something is a holding (or referral)
line; URLs, bare question numbers and other short leftovers ("Question 199292:") are ignored. An
answer that refers elsewhere and then also answers is an answer.
"""

from __future__ import annotations

import re

from rag.text.markers import strip_markers
from rag.text.sentences import split_sentences

_MEMBER = (
    r"(?:the|my)\s+(?:(?:rt\.?|right)\s+)?(?:hon(?:ou?rable)?\.?|noble)\s+"
    r"(?:member|friend|lady|gentleman|lord|baroness)"
)
_WHOM = rf"(?:{_MEMBER}|him|her|them|you)"

# A line that puts the answer off (the promise to write, the time ran out) ...
_DEFERRAL = re.compile(
    r"^(?:"
    rf"(?:I|the minister|the secretary of state)\s+will\s+(?:write|reply|respond)\s+(?:to\s+{_WHOM}|substantively)"
    r"|it\s+has\s+not\s+(?:proved|been)\s+possible\s+to\s+(?:respond|reply|answer|obtain|provide|collate)\b.*"
    r"\b(?:prorogation|dissolution|time\s+available)"
    r"|.{0,120}\bcannot be provided within (?:this|the) time\s?frame"
    r")",
    re.IGNORECASE,
)
# ... and the lines that come with it: why it is late, where the letter will go.
_DEFERRAL_CONTEXT = re.compile(
    r"^(?:"
    r".{0,80}\bit\s+is\s+taking\s+(?:some\s+)?time\s+to\s+(?:collate|determine|gather|compile|obtain|confirm)"
    r"|the\s+information\s+(?:required|needed|requested)\s+(?:to\s+answer|is)\b"
    r"|.{0,80}\bworking\s+(?:with\s+\w+\s+)?to\s+produce\s+a\s+consolidated\s+response"
    r"|a\s+copy\s+of\s+(?:my|this|the)\s+(?:letter|reply|response)\s+will\s+be\s+placed"
    r")",
    re.IGNORECASE,
)
# A line that only points at another answer or statement.
_REFERRAL = re.compile(
    r"^(?:"
    r"(?:(?:in\s+addition|also|further),?\s+)?I\s+(?:would\s+)?(?:also\s+)?refer\s+(?:back\s+)?(?:to\s+)?"
    r"(?:the|my|him|her|them|you)\b.{0,200}?\b(?:to|back to)\b"
    r"|(?:please\s+)?(?:see|refer\s+to)\s+(?:the|my)\s+(?:previous\s+)?(?:answer|response|reply|written\s+statement)"
    r"|I\s+have\s+nothing\s+(?:further|more)\s+to\s+add\s+to\b"
    r"|(?:at\s+this\s+time\s+|at\s+present\s+)?there\s+is\s+nothing\s+(?:further|more)\s+to\s+add\b"
    r"|(?:it|this|these)\s+(?:is|are|can\s+be)\s+(?:found|available|accessed|viewed)\s+(?:at|here|via|on)\b"
    r")",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
LEFTOVER_WORDS = 4  # a sentence of fewer words, once URLs are gone, is a leftover ("Question 199292:")


def is_holding_line(sentence: str) -> bool:
    """'I will write to the hon. Member ...', 'It has not proved possible to respond ... before Prorogation.'"""
    return bool(_DEFERRAL.match(_clean(sentence)))


def is_referral_line(sentence: str) -> bool:
    """'I refer the hon. Member to the answer I gave on 12 March 2024 to Question 12345.'"""
    return bool(_REFERRAL.match(_clean(sentence)))


def is_non_answer_line(sentence: str) -> bool:
    """A sentence a new reply must not repeat: a holding line, or a referral to another answer (but
    not one that leads into a list of the reply's own: "I refer you to:")."""
    return is_holding_line(sentence) or (is_referral_line(sentence) and not _clean(sentence).endswith(":"))


def is_holding(text: str) -> bool:
    """A whole answer that only puts the question off."""
    return _only(text, is_holding_line, lambda s: is_holding_line(s) or bool(_DEFERRAL_CONTEXT.match(s)))


def is_cross_reference(text: str) -> bool:
    """A whole answer that only refers to other answers or statements."""
    return _only(text, is_referral_line, is_referral_line)


def is_non_answer(text: str) -> bool:
    """A holding answer or a pure cross-reference: nothing to draft from."""
    return is_holding(text) or is_cross_reference(text)


def _clean(sentence: str) -> str:
    return strip_markers(sentence).lstrip("-\u2022*\u00b7 ").strip()


def _only(text: str, key, allowed) -> bool:  # type: ignore[no-untyped-def]
    """Some sentence is a `key` line and every sentence that states anything is `allowed`."""
    lines = [_clean(s) for s in split_sentences(text)]
    lines = [s for s in lines if len(_URL.sub("", s).split()) >= LEFTOVER_WORDS]
    return any(key(s) for s in lines) and all(allowed(s) for s in lines)
