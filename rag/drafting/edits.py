"""A reply edited by a person, checked again: what is exported is what was checked.

    recheck(draft, edited_text, embedder) -> Draft

The edited text is the whole reply (letterhead, salutation, opening, body, closing, signature).
Its frame is what the house format put around the body: any sentence of the original reply that
is not a sentence of its body. Every sentence of the edited text that is not a frame sentence is
body, and goes through `check_body` with the draft's numbered passages, so an invented [9], a new
uncited statement or stale wording is flagged; an edited frame line counts as body (a changed
greeting is no statement; a statement written into the letterhead is checked).

The draft's other warnings (Welsh reply, unconfirmed date, no precedent, the backend's own flags)
still apply and are kept: they are the ones `check_body` did not give on the original body.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from rag.drafting.checks import MAX_AGE_MONTHS, check_body, reply_date
from rag.drafting.citations import citations_for
from rag.index.base import Embedder
from rag.text.sentences import split_sentences, squash
from rag.types import Draft, DraftWarning


def frame_sentences(draft: Draft) -> set[str]:
    """The sentences (whitespace squashed) the house format put around the draft's body."""
    frame = Counter(map(squash, split_sentences(draft.text))) - Counter(map(squash, split_sentences(draft.body)))
    return set(frame)


def edited_body(draft: Draft, text: str) -> str:
    """The body of an edited reply: its lines without the frame's sentences, paragraphs kept."""
    frame = frame_sentences(draft)
    paragraphs: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            paragraphs.append([])
            continue
        sentences = split_sentences(line)
        kept = [s for s in sentences if squash(s) not in frame]
        if kept:
            paragraphs[-1].append(line.strip() if len(kept) == len(sentences) else " ".join(kept))
    return "\n\n".join("\n".join(p) for p in paragraphs if p)


def _without(warnings: list[DraftWarning], removed: list[DraftWarning]) -> list[DraftWarning]:
    """`warnings` less one occurrence of each of `removed`, in order."""
    left = Counter(repr(w) for w in removed)
    out = []
    for w in warnings:
        if left[repr(w)]:
            left[repr(w)] -= 1
            continue
        out.append(w)
    return out


def recheck(draft: Draft, text: str, embedder: Embedder, *, max_age_months: int = MAX_AGE_MONTHS) -> Draft:
    """The draft as edited: `text` its text, the edited body checked again against its passages,
    the citations those the edited body uses, and the warnings those of the edited reply."""
    when = reply_date(draft.request)
    body = edited_body(draft, text)

    def checked(b: str) -> list[DraftWarning]:
        return check_body(b, draft.passages, embedder, when, max_age_months=max_age_months)

    others = _without(draft.warnings, checked(draft.body))
    return replace(
        draft, text=text, body=body, citations=citations_for(body, draft.passages), warnings=others + checked(body)
    )
