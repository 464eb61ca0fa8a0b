"""The current lines: which of the found passages a draft may rest on.

    current_lines(passages, embedder) -> (passages, [DraftWarning])

1. Non-answers go: a passage whose answer is only a holding line or only a cross-reference
   (rag.text.holding) has nothing to draft from.
2. Superseded lines go: when two documents from the same body (answering body, else whom it was
   asked of, else the author's role) address the same point, the draft rests on the later one, and
   a `superseded` warning names the earlier one and what replaced it.

"The same point" is the question each answered (for a petition reply or letter, its subject), with
its "To ask the Secretary of State for X," opening cut off, at cosine SAME_POINT_SIM or more (the
dates compared are the documents' own: a WQ's answered date).
Non-answers go first, so a holding reply never supersedes the answer that came before it.
"""

from __future__ import annotations

import numpy as np

from rag.drafting.backends.offline import answer_text, question_text
from rag.drafting.intake import without_to_ask
from rag.index.base import Embedder
from rag.text.dates import human_date, to_date
from rag.text.holding import is_non_answer
from rag.types import DraftWarning, Passage

# Cosine of two questions at or above which they are the same point. On the 120 Education dev cases
# (each question's 8 nearest earlier Education questions, pairs from different months), pairs at
# 0.90 and over were re-asks of one question (10 pairs, 10 cases); at 0.85-0.90 they shared a topic
# but asked different things ("deaf children" / "hearing impairments", two VAT questions).
SAME_POINT_SIM = 0.90


def current_lines(
    passages: list[Passage], embedder: Embedder, threshold: float = SAME_POINT_SIM
) -> tuple[list[Passage], list[DraftWarning]]:
    """The passages a draft may rest on, in their order, and a warning per superseded document."""
    answers = [p for p in passages if not is_non_answer(answer_text(p)[0])]
    later = superseded_by(answers, embedder, threshold)
    kept = [p for p in answers if p.doc_id not in later]
    return kept, [_warning(first, later[first.doc_id]) for first in firsts(answers) if first.doc_id in later]


def point_of(chunks: list[Passage]) -> str:
    """The point a document addresses, from its found passages: the question it answered when a
    passage holds it (whole: a subject line is cut short, and long questions differ at the end),
    else its subject or title; without "To ask the ..."."""
    question = question_text(chunks) or str(chunks[0].meta.get("subject") or chunks[0].meta.get("title") or "")
    return without_to_ask(" ".join(question.split())).strip()


def body_of(p: Passage) -> str:
    m = p.meta
    return str(m.get("answering_body") or m.get("asked_of") or m.get("author_role") or "").strip().lower()


def superseded_by(passages: list[Passage], embedder: Embedder, threshold: float = SAME_POINT_SIM) -> dict[str, Passage]:
    """doc_id of each superseded document -> the first passage of the latest document replacing it."""
    points = {p.doc_id: point_of([c for c in passages if c.doc_id == p.doc_id]) for p in firsts(passages)}
    docs = [p for p in firsts(passages) if points[p.doc_id] and body_of(p) and to_date(p.meta.get("date"))]
    if len(docs) < 2:
        return {}
    vectors = np.asarray(embedder.embed([points[p.doc_id] for p in docs]), dtype=np.float32)
    vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
    sims = vectors @ vectors.T
    out: dict[str, Passage] = {}
    for i, old in enumerate(docs):
        newer = [
            j
            for j, new in enumerate(docs)
            if sims[i, j] >= threshold and body_of(new) == body_of(old) and _date(new) > _date(old)
        ]
        if newer:
            out[old.doc_id] = docs[max(newer, key=lambda j: _date(docs[j]))]
    return out


def _date(p: Passage) -> str:
    return str(to_date(p.meta.get("date")))


def firsts(passages: list[Passage]) -> list[Passage]:
    """The first (best-ranked) passage of each document."""
    first: dict[str, Passage] = {}
    for p in passages:
        first.setdefault(p.doc_id, p)
    return list(first.values())


def _name(p: Passage) -> str:
    return f"{p.meta.get('ref') or p.doc_id} ({human_date(p.meta.get('date'))})"


def _warning(old: Passage, new: Passage) -> DraftWarning:
    body = new.meta.get("answering_body") or new.meta.get("asked_of") or new.meta.get("author_role")
    return DraftWarning(
        "superseded",
        f"{_name(old)} is superseded: {_name(new)}, from the same {body}, answers the same point later, "
        "and the draft rests on that. Check nothing in the earlier line is still needed.",
    )
