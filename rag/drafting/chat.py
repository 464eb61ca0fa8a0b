"""The chat messages sent to a model: role and rules, numbered passages, the incoming text fenced as untrusted data."""

from __future__ import annotations

import re

from rag.drafting.formats import FORMATS, PHRASES, _lang
from rag.settings import Settings
from rag.templates import render
from rag.types import DraftRequest, Passage

FENCE = "untrusted_correspondence"
MAX_UNTRUSTED_CHARS = 16_000


# ---------------------------------------------------------------------------- chat messages

_FENCE_WORD_RE = FENCE.replace("_", r"[\s_-]{0,3}")
_FENCE_TAG = re.compile(r"<\s{0,5}/?\s{0,5}" + _FENCE_WORD_RE + r"[^>]{0,40}>?", re.IGNORECASE)
_FENCE_WORD = re.compile(_FENCE_WORD_RE, re.IGNORECASE)

INCOMING_LABELS = {"petition": "petition", "written_question": "written question", "letter": "letter"}
REPLY_LABELS = {
    "petition": "a reply to a petition (a letter to the Chair of the Petitions Committee giving the "
    "Minister's views on the petition)",
    "written_question": "an answer to a written question",
    "letter": "a reply to a letter",
}


def neutralise(text: str) -> str:
    """Defuse anything that could open or close the untrusted fence from inside it."""
    text = _FENCE_TAG.sub("[removed tag]", text)
    text = _FENCE_WORD.sub("untrusted-text", text)
    return text.replace("<", "\u2039").replace(">", "\u203a")


def _passage_header(n: int, p: Passage) -> str:
    r = p.to_result()
    fields = [("ref", r["ref"]), ("date", r["date"]), ("author", r["author"]), ("title", r["title"])]
    return f"[{n}] " + " | ".join(f"{k}: {v}" for k, v in fields if v)


def number_passages(passages: list[Passage]) -> str:
    """'[n] ref: ... | date: ... | author: ... | title: ...' then the passage text, for each."""
    if not passages:
        return "(none: no precedent was found)"
    blocks = [
        f"{_passage_header(n, p)}\n{_FENCE_TAG.sub('[removed tag]', p.text.strip())}" for n, p in enumerate(passages, 1)
    ]
    return "\n\n".join(blocks)


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
    lines = [f"{k}: {neutralise(v)}" for k, v in facts if v]
    inner = "\n".join(lines + ["", "Full text:", neutralise(text)])
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
    system = render(
        "system",
        minister_name=settings.minister_name,
        minister_title=settings.minister_title,
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
