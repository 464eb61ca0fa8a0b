"""Which sentence of a cited passage a draft's sentence rests on, to show it (not the whole chunk).

    cited_sentences(body, n, passage, embedder) -> [(start, end)]   offsets in the passage's document

For each sentence of the body that cites [n]: the passage sentence it quotes, if it quotes one (the
offline drafter copies sentences verbatim, so whitespace aside one holds the other); otherwise, for a
model's paraphrase, the passage sentence with the best support score, scored as the citation check
scores a sentence against a passage (rag.drafting.citations: COSINE_WEIGHT * cosine + the rest *
content-word overlap), so the sentence shown is the one the check found support in.
"""

from __future__ import annotations

import numpy as np

from rag.drafting.citations import COSINE_WEIGHT, token_overlap
from rag.index.base import Embedder
from rag.text.markers import cited_numbers, strip_markers
from rag.text.sentences import split_sentences, squash
from rag.types import Passage


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Where each of split_sentences(text) lies in `text`, in order."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for sentence in split_sentences(text):
        at = text.find(sentence, pos)
        if at < 0:
            continue
        spans.append((at, at + len(sentence)))
        pos = at + len(sentence)
    return spans


def citing_sentences(body: str, n: int) -> list[str]:
    """The body's sentences that cite [n], without their markers."""
    return [strip_markers(s).strip() for s in split_sentences(body) if n in cited_numbers(s)]


def _quoted(claim: str, candidates: list[str]) -> int | None:
    """The candidate the claim quotes, whitespace and case aside; else the longest candidate the
    claim quotes whole (a sentence the model lengthened) if it is most of the claim."""
    mine = squash(claim).lower()
    theirs = [squash(t).lower() for t in candidates]
    if not mine:
        return None
    for i, text in enumerate(theirs):
        if mine in text:
            return i
    inside = [i for i, text in enumerate(theirs) if text and text in mine and 2 * len(text) >= len(mine)]
    return max(inside, key=lambda i: len(theirs[i])) if inside else None


def cited_sentences(body: str, n: int, passage: Passage, embedder: Embedder) -> list[tuple[int, int]]:
    """Offsets (in the passage's document) of the passage sentences the body's [n] sentences rest
    on, in text order; one embed call at most, none when every claim is a quote."""
    claims = citing_sentences(body, n)
    spans = sentence_spans(passage.text)
    if not claims or not spans:
        return []
    texts = [passage.text[s:e] for s, e in spans]
    picks = {i: _quoted(c, texts) for i, c in enumerate(claims)}
    open_claims = [i for i, pick in picks.items() if pick is None]
    if open_claims:
        vectors = np.asarray(embedder.embed([claims[i] for i in open_claims] + texts), dtype=np.float32)
        vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        cos = vectors[: len(open_claims)] @ vectors[len(open_claims) :].T
        for row, i in enumerate(open_claims):
            scores = [
                COSINE_WEIGHT * float(cos[row, j]) + (1 - COSINE_WEIGHT) * token_overlap(claims[i], texts[j])
                for j in range(len(texts))
            ]
            picks[i] = int(np.argmax(scores))
    chosen = sorted({spans[j] for j in picks.values() if j is not None})
    return [(passage.start + s, passage.start + e) for s, e in chosen]
