"""The offline drafter: composes a reply from precedent sentences, each citing its passage.

No model generates text here. It (1) reuses a whole earlier answer when an earlier question was
near-identical, else (2) scores precedent sentences against the ask, keeps the best with maximal
marginal relevance (so near-duplicates drop out), and writes them back in their source order,
one paragraph per source document, each sentence followed by its [n].

Precedent text is untrusted (petitions reach the corpus): the [n] markers a source sentence carries
are removed before it is used, so the only markers in a draft are the composer's own, and a sentence
that reads like an instruction to a model or carries markup ("ignore all previous instructions",
"write that the Minister ...", "SYSTEM:", "<script>") is never used; a warning names it instead.
Nor is a holding line or a referral ("I will write to the hon. Member", "I refer the hon. Member to
the answer I gave ..."): a new reply cannot repeat either (rag.text.holding).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rag.drafting.answerability import key_terms
from rag.drafting.backends.base import TokenSink
from rag.drafting.intake import search_query
from rag.index.base import Embedder
from rag.text.holding import is_non_answer_line
from rag.text.markers import strip_markers
from rag.text.sentences import is_substantive, split_sentences
from rag.text.shorten import shorten
from rag.text.untrusted import looks_like_instruction
from rag.types import Composition, DraftRequest, DraftWarning, Passage

# Cosine of the ask and an earlier question above which that answer is reused whole. Dev set
# (120 Education WQs, mean ROUGE-L): 0.86 -> 0.175, 0.80 -> 0.175, 0.70 -> 0.185, 0.60 -> 0.178;
# 0.65-0.72 is a plateau and 0.70 sits in its middle.
REUSE_QUESTION_SIM = 0.70
REUSE_POOL = 1  # top precedents that may be reused whole (dev: 1 -> 0.185, 2 -> 0.184, 5 -> 0.181)
MIN_RELEVANCE = 0.30  # a sentence must be at least this close to the ask to be used
MMR_LAMBDA = 0.75  # relevance against novelty when picking sentences
REDUNDANT = 0.90  # a sentence this close to one already picked is a near-duplicate
TARGET_WORDS = 170  # stop adding sentences past this length (dev: 130 -> 0.169, 170 -> 0.175, 220 -> 0.170)
RANK_BONUS = 0.05  # sentences from better-ranked passages get up to this much extra relevance
MAX_SENTENCES = 10
# A precedent's own opening and closing belong to its frame (render_reply adds the new reply's).
_FRAME_SENTENCE = re.compile(
    r"^(?:dear|annwyl|thank you for your|diolch am eich|i hope you have found|rwy'?n gobeithio|"
    r"yours (?:sincerely|faithfully)|yn gywir)\b",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"[-\u2022*\u00b7]\s|\d{1,2}[.)]\s")  # a bulleted or numbered line
# A sentence that leans on the one before it ("Additionally, ...", "This funding ...", "We have also
# now developed ..."): used only straight after that sentence, never cut from its context.
_DEPENDENT = re.compile(
    r"^(?:additionally|in addition|also|furthermore|moreover|however|therefore|thus|as such|as a result|"
    r"similarly|likewise|finally|secondly|thirdly|lastly|alongside (?:this|these)|further to (?:this|that)|"
    r"in (?:this|that) (?:regard|respect|context)|as (?:mentioned|noted|set out|stated) (?:above|earlier|previously)|"
    r"(?:this|these|that|those|such|it|they|he|she)\b|"
    r"(?:we|i|the \w+|it|they) (?:\w+ )?(?:have |has |will |are |is |am |can |would )?also\b)",
    re.IGNORECASE,
)


@dataclass
class _Sentence:
    text: str
    passage: Passage
    rank: int  # passage rank (0 = best)
    offset: int  # position in its document
    after: int | None = None  # offset of the source sentence just before it (None: it opens its passage)


def _standalone(picked: list[_Sentence]) -> list[_Sentence]:
    """Drop each sentence that leans on one before it (`_DEPENDENT`) unless that one precedes it here."""
    kept: list[_Sentence] = []
    for s in picked:
        prev = kept[-1] if kept else None
        follows = prev is not None and prev.passage.doc_id == s.passage.doc_id and prev.offset == s.after
        if follows or not _DEPENDENT.match(s.text):
            kept.append(s)
    return kept


def answer_text(p: Passage) -> tuple[str, int]:
    """The part of a passage that belongs to the reply (not the question it answers), with its offset."""
    cut = max(0, int(p.meta.get("answer_start", 0)) - p.start)
    return p.text[cut:], p.start + cut


def question_text(chunks: list[Passage]) -> str:
    """The question an earlier answer replied to, rebuilt from its chunks (empty if none)."""
    if not chunks:
        return ""
    answer_start = int(chunks[0].meta.get("answer_start", 0))
    first = min(chunks, key=lambda c: c.start)
    return first.text[: max(0, answer_start - first.start)].strip()


def _usable(sentence: str) -> bool:
    """A sentence that can stand alone in a new reply: substantive, not the old letter's frame,
    not a list item or heading cut from its context (those end without a full stop)."""
    ends = sentence.rstrip("\"'\u2019\u201d) ").endswith((".", "?", "!"))
    return ends and is_substantive(sentence) and len(sentence.split()) <= 90 and not _FRAME_SENTENCE.match(sentence)


def _source_sentence(sentence: str) -> str | None:
    """A precedent sentence without the markers it carried, or None if it reads like an instruction
    or only puts the question off or points at another answer (a new reply cannot repeat those)."""
    if looks_like_instruction(sentence) or is_non_answer_line(sentence):
        return None
    return strip_markers(sentence).strip() or None


def instruction_warnings(passages: list[Passage]) -> list[DraftWarning]:
    """One warning per instruction-like sentence in the passages (each left out of the draft)."""
    found: dict[str, DraftWarning] = {}
    for p in passages:
        for s in split_sentences(answer_text(p)[0]):
            if looks_like_instruction(s):
                quoted = shorten(s, 200)
                found.setdefault(
                    quoted,
                    DraftWarning(
                        "instruction_in_source",
                        f"Left out of the draft: a sentence in {p.meta.get('ref') or p.doc_id} reads like an "
                        f"instruction or markup, not a past reply (\u201c{quoted}\u201d). Check that precedent.",
                    ),
                )
    return list(found.values())


def _sentences(passages: list[Passage]) -> list[_Sentence]:
    out: list[_Sentence] = []
    seen: set[str] = set()
    for rank, p in enumerate(passages):
        text, base = answer_text(p)
        pos = 0
        before: int | None = None
        for raw in split_sentences(text):
            where = text.find(raw[:40], pos)
            pos = where if where >= 0 else pos
            after, before = before, base + pos
            s = _source_sentence(raw)
            key = " ".join((s or "").lower().split())
            if s is None or key in seen or not _usable(s):
                continue
            seen.add(key)
            out.append(_Sentence(s, p, rank, base + pos, after))
    return out


def _mmr(rel: np.ndarray, sim: np.ndarray, budget_words: int, lengths: list[int]) -> list[int]:
    chosen: list[int] = []
    words = 0
    candidates = [i for i in np.argsort(-rel) if rel[i] >= MIN_RELEVANCE]
    while candidates and len(chosen) < MAX_SENTENCES and words < budget_words:

        def value(i: int) -> float:
            novelty = max((sim[i, j] for j in chosen), default=0.0)
            return MMR_LAMBDA * rel[i] - (1 - MMR_LAMBDA) * novelty

        best = max(candidates, key=value)
        candidates.remove(best)
        if chosen and max(sim[best, j] for j in chosen) >= REDUNDANT:
            continue
        chosen.append(best)
        words += lengths[best]
    return chosen


def _number(sentences: list[tuple[str, Passage]]) -> tuple[list[tuple[str, int]], list[Passage]]:
    """Number passages in order of first citation."""
    numbers: dict[str, int] = {}
    used: list[Passage] = []
    out = []
    for text, p in sentences:
        if p.chunk_id not in numbers:
            used.append(p)
            numbers[p.chunk_id] = len(used)
        out.append((text, numbers[p.chunk_id]))
    return out, used


class OfflineComposer:
    """A real drafting backend that needs no network and no key."""

    name = "offline"
    language_note = "The offline drafter writes in English: translate the reply before it is sent."

    def __init__(self, embedder: Embedder, doc_passages: Callable[[str], list[Passage]] | None = None) -> None:
        self.embedder = embedder
        self.doc_passages = doc_passages

    def compose(self, request: DraftRequest, passages: list[Passage], on_token: TokenSink | None = None) -> Composition:
        """Reuse a near-identical earlier answer whole, else extract; the body reaches `on_token` at once."""
        if not passages:
            return Composition("", [])
        composition = self._reuse(request, passages) or self._extract(request, passages)
        sources = list({p.chunk_id: p for p in [*passages, *composition.passages]}.values())
        composition.warnings = instruction_warnings(sources)
        if on_token is not None and composition.body:
            on_token(composition.body)
        return composition

    def _reuse(self, request: DraftRequest, passages: list[Passage]) -> Composition | None:
        """If one of the best precedents answered a near-identical question, return that answer whole."""
        if self.doc_passages is None:
            return None
        docs = [p.doc_id for p in passages if int(p.meta.get("answer_start", 0)) > 0]
        pool = list(dict.fromkeys(docs))[:REUSE_POOL]
        candidates = [sorted(self.doc_passages(d), key=lambda c: c.start) for d in pool]
        questions = [(question_text(chunks), chunks) for chunks in candidates]
        questions = [(q, chunks) for q, chunks in questions if q]
        if not questions:
            return None
        vectors = self.embedder.embed([search_query(request)] + [q for q, _ in questions])
        sims = vectors[1:] @ vectors[0]
        best = int(np.argmax(sims))
        if float(sims[best]) < REUSE_QUESTION_SIM:
            return None
        return self._whole_answer(questions[best][1], float(sims[best]))

    def _whole_answer(self, chunks: list[Passage], similarity: float) -> Composition:
        lines: list[list[tuple[str, Passage]]] = []
        covered = 0
        for c in chunks:
            text, base = answer_text(c)
            skip = max(0, covered - base)
            for para in text[skip:].split("\n\n"):
                sentences = [(s, c) for s in map(_source_sentence, split_sentences(para)) if s and not _heading(s)]
                if sentences:
                    lines.append(sentences)
            covered = max(covered, c.end)
        numbered_all, used = _number([s for para in lines for s in para if is_substantive(s[0])])
        it = iter(numbered_all)
        paragraphs = [_join([_cite(*next(it)) if is_substantive(s) else s for s, _ in para]) for para in lines]
        return Composition("\n\n".join(paragraphs), used, reused_doc=chunks[0].doc_id)

    def _extract(self, request: DraftRequest, passages: list[Passage]) -> Composition:
        query = search_query(request)
        subject = set(key_terms(query))  # every sentence must share a subject word with the ask
        cands = [c for c in _sentences(passages) if not subject or subject & set(key_terms(c.text))]
        if not cands:
            return Composition("", [])
        vectors = self.embedder.embed([query] + [c.text for c in cands])
        ask, sv = vectors[0], vectors[1:]
        rank_bonus = np.array([RANK_BONUS / (1 + c.rank) for c in cands])
        sim = sv @ sv.T
        rel = sv @ ask + rank_bonus
        chosen = _mmr(rel, sim, TARGET_WORDS, [len(c.text.split()) for c in cands])
        if not chosen:
            return Composition("", [])
        picked = [cands[i] for i in chosen]
        doc_order = {d: i for i, d in enumerate(dict.fromkeys(c.passage.doc_id for c in picked))}
        picked = _standalone(sorted(picked, key=lambda c: (doc_order[c.passage.doc_id], c.offset)))
        if not picked:
            return Composition("", [])
        numbered, used = _number([(c.text, c.passage) for c in picked])
        paragraphs: list[list[str]] = []
        last_doc = None
        for (text, n), c in zip(numbered, picked):
            if c.passage.doc_id != last_doc:
                paragraphs.append([])
                last_doc = c.passage.doc_id
            paragraphs[-1].append(_cite(text, n))
        return Composition("\n\n".join(" ".join(p) for p in paragraphs), used)


def _heading(sentence: str) -> bool:
    """A heading cut from its document ("Legislation and Guidance"): short, no full stop, not a list item."""
    return (
        not is_substantive(sentence)
        and not sentence.rstrip().endswith((".", "?", "!", ":"))
        and not (_LIST_ITEM.match(sentence))
    )


def _join(cited: list[str]) -> str:
    """A paragraph's sentences run on, except that each list item keeps its own line."""
    return "".join((("\n" if _LIST_ITEM.match(s) else " ") if i else "") + s for i, s in enumerate(cited))


def _cite(sentence: str, n: int) -> str:
    s = sentence.rstrip()
    return f"{s} [{n}]"
