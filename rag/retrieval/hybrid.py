"""Hybrid search: dense and BM25 rankings of the allowed chunks, fused by weighted RRF."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rag.index.lexical import ChunkRow, LexicalIndex
from rag.index.where import matches
from rag.retrieval.filters import where as where_clause
from rag.types import Passage, SearchFilters

RRF_K = 60
OVERFETCH_MIN_SHARE = 0.05  # filters letting through at least this share of chunks are applied here
OVERFETCH_ROUNDS = 3  # each fetches 4x more; measured at 400k chunks: 166 hits 5 ms, 2,656 hits 37 ms,
# where Chroma's own metadata filter took 4-5 s


Dense = Callable[[np.ndarray, int, dict[str, Any] | None], list[tuple[str, float]]]


def _dense_allowed(
    dense: Dense,
    vector: np.ndarray,
    depth: int,
    clause: dict[str, Any] | None,
    share: float,
    lex: LexicalIndex,
    rows: dict[str, ChunkRow],
) -> list[tuple[str, float]]:
    """The nearest `depth` allowed chunks. Chroma's metadata filter costs 80-200 ms at 40k chunks
    and seconds at 400k (2-5 ms unfiltered), so when the filters keep a fair share of the index we
    over-fetch unfiltered and apply the clause here, fetching more a few times over; Chroma filters
    only when even that leaves too few allowed chunks. Rows read on the way are added to `rows`."""
    if clause is not None and share >= OVERFETCH_MIN_SHARE:
        n = int(depth / share * 2) + 20
        allowed: set[str] = set()
        checked: set[str] = set()
        for _ in range(OVERFETCH_ROUNDS):
            hits = dense(vector, n, None)
            fetched = lex.fetch(cid for cid, _ in hits if cid not in checked)
            checked.update(cid for cid, _ in hits)
            rows.update(fetched)
            allowed.update(cid for cid, row in fetched.items() if matches(row.meta, clause))
            kept = [(cid, sim) for cid, sim in hits if cid in allowed]
            if len(kept) >= depth or len(hits) < n:
                return kept[:depth]
            n *= 4  # the nearest were mostly filtered out (e.g. many versions of one excluded answer)
    return dense(vector, depth, clause)


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
    dense: Dense,
    k: int = 5,
    filters: SearchFilters | None = None,
    per_doc: int = 3,
    depth: int = 50,
) -> list[Passage]:
    """Dense and BM25 rankings of the allowed chunks, fused by RRF, capped per document."""
    filters = filters or SearchFilters()
    clause = where_clause(filters, lex.author_keys)
    total = len(lex)
    allowed = lex.count(clause) if clause is not None else total
    if allowed == 0:
        return []
    depth = min(max(depth, k * 4), allowed)
    top = lex.top(query, depth, clause)
    rows = {row.chunk_id: row for row, _ in top}
    lexical = [(row.chunk_id, score) for row, score in top]
    dense_hits = _dense_allowed(dense, query_vector, depth, clause, allowed / total, lex, rows)
    rows.update(lex.fetch(cid for cid, _ in dense_hits if cid not in rows))  # absent: an incomplete document
    cosine = dict(dense_hits)
    bm25 = dict(lexical)
    fused = fuse([[cid for cid, _ in dense_hits], [cid for cid, _ in lexical]], weights=[DENSE_WEIGHT, LEXICAL_WEIGHT])
    fused = {
        cid: score * KIND_WEIGHT.get(str(rows[cid].meta.get("kind")), 1.0)
        for cid, score in fused.items()
        if cid in rows
    }
    passages: list[Passage] = []
    per: dict[str, int] = {}
    for cid in sorted(fused, key=lambda c: (-fused[c], -cosine.get(c, 0.0), c)):
        row = rows[cid]
        doc_id = str(row.meta.get("doc_id"))
        if per.get(doc_id, 0) >= per_doc:
            continue
        per[doc_id] = per.get(doc_id, 0) + 1
        extra = {"cosine": cosine.get(cid, 0.0), "bm25": bm25.get(cid, 0.0)}
        meta = row.meta
        passages.append(
            Passage(doc_id, cid, row.text, int(meta["start"]), int(meta["end"]), fused[cid], dict(meta, **extra))
        )
        if len(passages) >= k:
            break
    return passages
