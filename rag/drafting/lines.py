"""The current lines: which of the found passages a draft may rest on.

    current_lines(passages, embedder) -> (passages, [DraftWarning])
    on_point(query, passages, embedder, term_counts) -> doc_ids that answer the query
    said(chunks) -> what a document said: its reply, not the question it answered

1. Non-answers go: a passage whose answer is only a holding line or only a cross-reference
   (rag.text.holding) has nothing to draft from; nor has a document an official source marks as a
   holding answer or as superseded by a correction (its status, rag.types.UNCITABLE).
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

from rag.drafting.answerability import TermCounts, assess
from rag.drafting.backends.offline import answer_text, question_text
from rag.drafting.intake import without_to_ask
from rag.index.base import Embedder
from rag.text.dates import human_date, to_date
from rag.text.holding import is_non_answer
from rag.types import UNCITABLE, DraftWarning, Passage

# Cosine of two questions at or above which they are the same point. On the 120 Education dev cases
# (each question's 8 nearest earlier Education questions, pairs from different months), pairs at
# 0.90 and over were re-asks of one question (10 pairs, 10 cases); at 0.85-0.90 they shared a topic
# but asked different things ("deaf children" / "hearing impairments", two VAT questions).
SAME_POINT_SIM = 0.90


def current_lines(
    passages: list[Passage], embedder: Embedder, threshold: float = SAME_POINT_SIM
) -> tuple[list[Passage], list[DraftWarning]]:
    """The passages a draft may rest on, in their order, and a warning per superseded document."""
    answers = [p for p in passages if is_line(p)]
    later = superseded_by(answers, embedder, threshold)
    kept = [p for p in answers if p.doc_id not in later]
    return kept, [_warning(first, later[first.doc_id]) for first in firsts(answers) if first.doc_id in later]


def is_line(p: Passage) -> bool:
    """Whether a passage is a line a draft may rest on: not marked holding or superseded by its
    source, and its answer not only a holding line or a cross-reference."""
    return p.meta.get("status") not in UNCITABLE and not is_non_answer(answer_text(p)[0])


def on_point(query: str, passages: list[Passage], embedder: Embedder, term_counts: TermCounts) -> set[str]:
    """The documents among `passages` that answer `query`, by the rule the Draft page drafts on
    (rag.drafting.answerability): the whole query, or one of its parts, scored against that
    document's found passages reaches ANSWERABLE, with few of its key terms unknown to the corpus.
    A search ranks whatever comes nearest; this says which of those are on the point at all."""
    chunks: dict[str, list[Passage]] = {}
    for p in passages:
        chunks.setdefault(p.doc_id, []).append(p)
    counted: dict[tuple[str, ...], tuple[dict[str, int], int]] = {}

    def counts(terms: list[str]) -> tuple[dict[str, int], int]:  # the same terms for every document
        key = tuple(terms)
        if key not in counted:
            counted[key] = term_counts(terms)
        return counted[key]

    embedder.embed([p.text for p in passages])  # one batch; assess() then finds them in the embedder's cache
    return {doc for doc, found in chunks.items() if assess(query, found, embedder, counts).addressed}


def said(chunks: list[Passage]) -> str:
    """What a document said, from its chunks (best first): the reply part (answer_text, not the
    question it answered) of the first chunk that reaches the reply; empty if none does."""
    for p in chunks:
        reply = answer_text(p)[0].strip()
        if reply:
            return reply
    return ""


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
