"""Search filters as one Chroma `where` clause.

`where` reads a `rag.types.SearchFilters` (kind, date range, as-of, author or department,
excluded documents). Chroma evaluates the clause on the dense side; rag.index.where evaluates it
on one record (`matches`) and on the BM25 side (`to_tantivy`); a test runs it through all three.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rag.text.dates import date_int
from rag.types import SearchFilters

NO_AUTHOR = "\x00no-such-author"


def date_bounds(filters: SearchFilters) -> tuple[int | None, int | None]:
    """(lowest allowed date_int, first date_int no longer allowed)."""
    lo = date_int(filters.date_from) or None
    his = [date_int(filters.as_of)] if filters.as_of else []
    if filters.date_to:
        his.append(date_int(filters.date_to) + 1)
    his = [h for h in his if h]
    return lo, (min(his) if his else None)


def where(filters: SearchFilters, author_keys: Callable[[str], list[str]]) -> dict[str, Any] | None:
    """The filters as a Chroma `where` clause; `author_keys(needle)` lists the indexed author keys
    containing the author filter (Chroma has no substring match on metadata)."""
    clauses: list[dict[str, Any]] = []
    if filters.kinds:
        clauses.append({"kind": {"$in": list(filters.kinds)}})
    lo, hi = date_bounds(filters)
    if lo is not None:
        clauses.append({"date_int": {"$gte": lo}})
    if hi is not None:
        clauses += [{"date_int": {"$lt": hi}}, {"date_int": {"$gt": 0}}]
    if filters.author:
        keys = author_keys(filters.author.lower()) or [NO_AUTHOR]
        clauses.append({"author_key": {"$in": keys}})
    if filters.exclude_doc_ids:
        clauses.append({"doc_id": {"$nin": sorted(filters.exclude_doc_ids)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
