"""Search filters applied two ways: as a mask over the BM25 table, and as a Chroma `where` clause.

Both read one `rag.types.SearchFilters` (kind, date range, as-of, author or department, excluded
documents) and must agree: a test runs the same filters through both paths.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rag.index.bm25 import LexicalIndex
from rag.text.dates import date_int
from rag.types import SearchFilters


def mask(filters: SearchFilters, lex: LexicalIndex) -> np.ndarray:
    """Boolean column: which of the lexical table's chunks pass the filters."""
    ok = np.ones(len(lex), dtype=bool)
    if filters.kinds:
        ok &= np.isin(lex.kinds, filters.kinds)
    lo, hi = date_bounds(filters)
    if lo is not None:
        ok &= lex.dates >= lo
    if hi is not None:
        ok &= (lex.dates < hi) & (lex.dates > 0)
    if filters.author:
        needle = filters.author.lower()
        ok &= np.array([needle in a for a in lex.authors], dtype=bool)
    if filters.exclude_doc_ids:
        ok &= np.array([m.get("doc_id") not in filters.exclude_doc_ids for m in lex.metas], dtype=bool)
    return ok


def date_bounds(filters: SearchFilters) -> tuple[int | None, int | None]:
    """(lowest allowed date_int, first date_int no longer allowed)."""
    lo = date_int(filters.date_from) or None
    his = [date_int(filters.as_of)] if filters.as_of else []
    if filters.date_to:
        his.append(date_int(filters.date_to) + 1)
    his = [h for h in his if h]
    return lo, (min(his) if his else None)


def where(filters: SearchFilters, lex: LexicalIndex) -> dict[str, Any] | None:
    """The same filters as a Chroma `where` clause."""
    clauses: list[dict[str, Any]] = []
    if filters.kinds:
        clauses.append({"kind": {"$in": list(filters.kinds)}})
    lo, hi = date_bounds(filters)
    if lo is not None:
        clauses.append({"date_int": {"$gte": lo}})
    if hi is not None:
        clauses += [{"date_int": {"$lt": hi}}, {"date_int": {"$gt": 0}}]
    if filters.author:
        needle = filters.author.lower()
        keys = sorted({a for a in lex.authors if needle in a}) or ["\x00no-such-author"]
        clauses.append({"author_key": {"$in": keys}})
    if filters.exclude_doc_ids:
        clauses.append({"doc_id": {"$nin": sorted(filters.exclude_doc_ids)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
