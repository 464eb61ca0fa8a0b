"""The chat messages sent to a model: role and rules, then the numbered passages and the incoming text,
each inside its own fence as untrusted data (corpus text is untrusted too: petitions get into it)."""

from __future__ import annotations

import re

from rag.drafting.formats import FORMATS, PHRASES, _lang, signer
from rag.settings import Settings
from rag.templates import render
from rag.text.markers import strip_markers
from rag.text.untrusted import fold_lookalikes
from rag.types import DraftRequest, Passage

FENCE = "untrusted_correspondence"
PASSAGES_FENCE = "untrusted_precedents"
MAX_UNTRUSTED_CHARS = 16_000
QUOTE = "| "  # every line of untrusted text starts with this, so none can pose as a header or a role


# ---------------------------------------------------------------------------- chat messages

# Either fence's name, however spaced or joined ("untrusted correspondence", "untrusted-precedents").
_FENCE_WORD_RE = r"untrusted[\s_-]{0,3}(?:correspondence|precedents)"
_FENCE_TAG = re.compile(r"<\s{0,5}/?\s{0,5}" + _FENCE_WORD_RE + r"[^>\n]{0,40}>?", re.IGNORECASE)
_FENCE_WORD = re.compile(_FENCE_WORD_RE, re.IGNORECASE)

INCOMING_LABELS = {"petition": "petition", "written_question": "written question", "letter": "letter"}
REPLY_LABELS = {
    "petition": "a reply to a petition (a letter to the Chair of the Petitions Committee giving the "
    "Minister's views on the petition)",
    "written_question": "an answer to a written question",
    "letter": "a reply to a letter",
}


def neutralise(text: str) -> str:
    """Defuse anything that could open or close a fence from inside it. Look-alikes are folded
    first (full-width brackets, zero-width spaces, Cyrillic letters), so a disguised tag is a tag;
    then every angle bracket becomes a guillemet, so no tag can be written at all."""
    text = fold_lookalikes(text)
    text = _FENCE_TAG.sub("[removed tag]", text)
    text = _FENCE_WORD.sub("untrusted-text", text)
    return text.replace("<", "\u2039").replace(">", "\u203a")


def quote(text: str) -> str:
    """Untrusted text for inside a fence: neutralised, each line behind QUOTE."""
    return "\n".join(QUOTE + line for line in neutralise(text).split("\n"))


def one_line(value: object) -> str:
    """An untrusted field (a ref, an author, a title) as one neutralised line that cannot forge a
    header: no line breaks, no [n] markers, no '|' field separator."""
    flat = " ".join(neutralise(strip_markers(fold_lookalikes(str(value)))).split())
    return flat.replace("|", "/")


def _passage_header(n: int, p: Passage) -> str:
    r = p.to_result()
    fields = [(k, r[k]) for k in ("ref", "date", "kind", "author", "title")]
    return f"[{n}] " + " | ".join(f"{k}: {one_line(v)}" for k, v in fields if v)


def number_passages(passages: list[Passage]) -> str:
    """Inside the precedents fence, for each passage: '[n] ref: ... | date: ... | kind: ... |
    author: ... | title: ...', then its text quoted line by line, its own [n] markers removed."""
    if not passages:
        return "(none: no precedent was found)"
    blocks = [
        f"{_passage_header(n, p)}\n{quote(strip_markers(fold_lookalikes(p.text)).strip())}"
        for n, p in enumerate(passages, 1)
    ]
    return f"<{PASSAGES_FENCE}>\n" + "\n\n".join(blocks) + f"\n</{PASSAGES_FENCE}>"


def fence_untrusted(request: DraftRequest) -> str:
    """The incoming text, and what was parsed from it, inside the labelled untrusted fence."""
    facts = [
        ("Petition number", request.petition_number),
        ("Petition title", request.petition_title),
        ("Written question", request.wq_number),
        ("Member", request.member),
        ("Sender", request.sender),
        ("Date", request.letter_date),
        ("The ask", request.ask),
    ]
    text = request.text.strip()
    if len(text) > MAX_UNTRUSTED_CHARS:
        text = text[:MAX_UNTRUSTED_CHARS] + "\n[... truncated]"
    lines = [f"{k}: {one_line(v)}" for k, v in facts if v]
    inner = "\n".join(lines + ["", "Full text:", quote(text)])
    return f"<{FENCE}>\n{inner}\n</{FENCE}>"


def _cite_instruction(n: int) -> str:
    if n == 0:
        return (
            "No passages were found: cite nothing, state no facts, and write a short holding reply "
            "saying the Minister will consider the matter."
        )
    return f"Put a [n] citation after every substantive sentence, using only passages [1] to [{n}]."


def build_chat_messages(request: DraftRequest, passages: list[Passage], settings: Settings) -> list[dict]:
    """[system, user] chat messages: role and rules, then numbered passages, fenced text, task."""
    kind = request.kind if request.kind in FORMATS else "letter"
    language = PHRASES[_lang(request.language)]["language"]
    who = signer(settings, passages)
    system = render(
        "system",
        signer=", ".join(x for x in (who.name, who.title) if x) or "the Minister",
        answering_body=settings.answering_body,
        reply_label=REPLY_LABELS[kind],
        language=language,
    )
    user = render(
        "user",
        passages=number_passages(passages),
        incoming_label=INCOMING_LABELS[kind],
        reply_label=REPLY_LABELS[kind],
        correspondence=fence_untrusted(request),
        language=language,
        cite_instruction=_cite_instruction(len(passages)),
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
