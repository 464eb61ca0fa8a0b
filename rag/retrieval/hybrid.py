"""Hybrid search: dense and BM25 rankings of the allowed chunks, fused by weighted RRF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rag.index.bm25 import LexicalIndex
from rag.retrieval.filters import mask as filter_mask
from rag.retrieval.filters import where as where_clause
from rag.types import Passage, SearchFilters

RRF_K = 60
OVERFETCH_MIN_SHARE = 0.05  # filters letting through at least this share of chunks are applied here


def _dense_allowed(
    dense: Callable[[np.ndarray, int, dict[str, Any] | None], list[tuple[str, float]]],
    vector: np.ndarray,
    depth: int,
    filters: SearchFilters,
    lex: LexicalIndex,
    mask: np.ndarray,
) -> list[tuple[str, float]]:
    """The nearest `depth` allowed chunks. Chroma's metadata filter costs 80-200 ms at 40k chunks
    (2 ms unfiltered), so when the filters keep a fair share of the index we over-fetch unfiltered
    and apply the exact mask here; Chroma filters only when too few allowed chunks come back."""
    where = where_clause(filters, lex)
    share = float(mask.mean()) if len(mask) else 0.0
    if where is not None and share >= OVERFETCH_MIN_SHARE:
        n = min(len(mask), int(depth / share * 2) + 20)
        hits = [(cid, sim) for cid, sim in dense(vector, n, None) if (i := lex.position(cid)) is not None and mask[i]]
        if len(hits) >= depth or n >= len(mask):
            return hits[:depth]
    return dense(vector, depth, where)


# Measured on the Education dev set: officials reuse exact wording, so BM25 finds the best earlier
# answer more often than MiniLM does (top-1 ROUGE-L 0.177 vs 0.151); weighting it 2:1 in the fusion
# lifted recall@5 of the best precedent from 0.175 to 0.192.
DENSE_WEIGHT, LEXICAL_WEIGHT = 1.0, 2.0
# Precedent means what Government has said: its replies outrank letters it received, which
# stay findable (a clerk may want them) but give way when a reply says the same thing.
KIND_WEIGHT = {"incoming_letter": 0.85, "stakeholder_letter": 0.85}


def fuse(rankings: list[list[str]], k: int = RRF_K, weights: list[float] | None = None) -> dict[str, float]:
    """Reciprocal rank fusion: each list contributes weight / (k + rank) to an id's score."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, cid in enumerate(ranking, start=1):
            scores[cid] = scores.get(cid, 0.0) + weight / (k + rank)
    return scores


def hybrid_search(
    query: str,
    query_vector: np.ndarray,
    lex: LexicalIndex,
    dense: Callable[[np.ndarray, int, dict[str, Any] | None], list[tuple[str, float]]],
    k: int = 5,
    filters: SearchFilters | None = None,
    per_doc: int = 3,
    depth: int = 50,
) -> list[Passage]:
    """Dense and BM25 rankings of the allowed chunks, fused by RRF, capped per document."""
    filters = filters or SearchFilters()
    mask = filter_mask(filters, lex)
    allowed = int(mask.sum())
    if allowed == 0:
        return []
    depth = min(max(depth, k * 4), allowed)
    bm25 = lex.scores(query)
    bm25 = np.where(mask, bm25, -1.0)
    top = np.argsort(-bm25, kind="stable")[:depth]
    lexical = [lex.ids[i] for i in top if bm25[i] > 0]
    dense_hits = _dense_allowed(dense, query_vector, depth, filters, lex, mask)
    cosine = dict(dense_hits)
    fused = fuse([[cid for cid, _ in dense_hits], lexical], weights=[DENSE_WEIGHT, LEXICAL_WEIGHT])
    for cid in fused:
        i = lex.position(cid)
        if i is not None:
            fused[cid] *= KIND_WEIGHT.get(str(lex.metas[i].get("kind")), 1.0)
    passages: list[Passage] = []
    per: dict[str, int] = {}
    for cid in sorted(fused, key=lambda c: (-fused[c], -cosine.get(c, 0.0), c)):
        i = lex.position(cid)
        if i is None or not mask[i]:
            continue
        meta = lex.metas[i]
        doc_id = str(meta.get("doc_id"))
        if per.get(doc_id, 0) >= per_doc:
            continue
        per[doc_id] = per.get(doc_id, 0) + 1
        extra = {"cosine": cosine.get(cid, 0.0), "bm25": float(max(bm25[i], 0.0))}
        passages.append(
            Passage(doc_id, cid, lex.texts[i], int(meta["start"]), int(meta["end"]), fused[cid], dict(meta, **extra))
        )
        if len(passages) >= k:
            break
    return passages
