"""The small part of Chroma's `where` language the index speaks, read three ways.

rag.retrieval.filters turns SearchFilters into one `where` clause. Chroma evaluates it natively;
`matches` evaluates it on one metadata record (the in-memory store, and dense hits filtered after
an unfiltered over-fetch); `to_tantivy` turns it into a filter on the BM25 side. A test runs the
same clauses through all three.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "$eq": lambda v, x: v == x,
    "$ne": lambda v, x: v != x,
    "$gt": lambda v, x: v > x,
    "$gte": lambda v, x: v >= x,
    "$lt": lambda v, x: v < x,
    "$lte": lambda v, x: v <= x,
    "$in": lambda v, x: v in x,
    "$nin": lambda v, x: v not in x,
}


_ORDERED = ("$gt", "$gte", "$lt", "$lte")


def matches(meta: dict[str, Any], where: dict[str, Any] | None) -> bool:
    """Whether a metadata record passes a Chroma `where` clause ($and, $or, and the field operators
    above; a plain value means $eq). A field the record lacks fails every operator but $ne and $nin,
    as in Chroma."""
    if not where:
        return True
    for key, cond in where.items():
        if key == "$and":
            ok = all(matches(meta, c) for c in cond)
        elif key == "$or":
            ok = any(matches(meta, c) for c in cond)
        else:
            ok = _field_matches(meta, key, cond)
        if not ok:
            return False
    return True


def _field_matches(meta: dict[str, Any], key: str, cond: Any) -> bool:
    ops = cond if isinstance(cond, dict) else {"$eq": cond}
    for op, operand in ops.items():
        if op not in _COMPARE:
            raise ValueError(f"MemoryStore does not evaluate the where operator {op!r}")
        if op in _ORDERED and (isinstance(operand, bool) or not isinstance(operand, (int, float))):
            raise ValueError(f"{op} takes an int or a float, not {operand!r} (as in Chroma)")
        if key not in meta:
            if op in ("$ne", "$nin"):
                continue
            return False
        if not _COMPARE[op](meta[key], operand):
            return False
    return True


def to_tantivy(where: dict[str, Any] | None, schema: Any) -> Any:
    """The clause as a tantivy query that matches the same chunks and adds nothing to their score."""
    import tantivy

    if not where:
        return tantivy.Query.all_query()
    parts = []
    for key, cond in where.items():
        if key == "$and":
            rest, ranges = _split_ranges(cond)
            subs = [to_tantivy(c, schema) for c in rest] + [_range_query(k, b, schema) for k, b in ranges.items()]
            parts.append(tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in subs]))
        elif key == "$or":
            parts.append(tantivy.Query.boolean_query([(tantivy.Occur.Should, to_tantivy(c, schema)) for c in cond]))
        else:
            ops = _ops(cond)
            bounds = [(op, v) for op, v in ops.items() if op in _ORDERED]
            if bounds:
                parts.append(_range_query(key, bounds, schema))
            parts.extend(_field_query(key, op, v, schema) for op, v in ops.items() if op not in _ORDERED)
    query = parts[0] if len(parts) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in parts])
    return tantivy.Query.const_score_query(query, 0.0)


def _split_ranges(clauses: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, list[tuple[str, Any]]]]:
    """The clauses of an `$and` that are not one-field bounds, and the bounds gathered per field,
    so `date_int >= a`, `< b` and `> 0` become one range: tantivy walks the field once (a third
    faster at 400k chunks)."""
    rest: list[dict[str, Any]] = []
    bounds: dict[str, list[tuple[str, Any]]] = {}
    for c in clauses:
        (key, cond), *more = c.items()
        if not more and isinstance(cond, dict) and cond and set(cond) <= set(_ORDERED):
            bounds.setdefault(key, []).extend(cond.items())
        else:
            rest.append(c)
    return rest, bounds


def _ops(cond: Any) -> dict[str, Any]:
    return cond if isinstance(cond, dict) else {"$eq": cond}


def _range_query(key: str, bounds: list[tuple[str, Any]], schema: Any) -> Any:
    """One range over an integer field: the highest lower bound and the lowest upper bound, a
    strict bound winning a tie."""
    import tantivy

    lowers = [(v, op == "$gt") for op, v in bounds if op in ("$gt", "$gte")]
    uppers = [(v, op != "$lt") for op, v in bounds if op in ("$lt", "$lte")]  # (value, inclusive)
    lower, upper = max(lowers, default=None), min(uppers, default=None)
    return tantivy.Query.range_query(
        schema,
        key,
        tantivy.FieldType.Integer,
        lower[0] if lower else None,
        upper[0] if upper else None,
        include_lower=lower is None or not lower[1],
        include_upper=upper is None or upper[1],
    )


def _field_query(key: str, op: str, operand: Any, schema: Any) -> Any:
    import tantivy

    q = tantivy.Query
    values = list(operand) if op in ("$in", "$nin") else [operand]
    found = q.term_set_query(schema, key, values) if values else q.empty_query()
    if op in ("$ne", "$nin"):
        return q.boolean_query([(tantivy.Occur.Must, q.all_query()), (tantivy.Occur.MustNot, found)])
    if op in ("$eq", "$in"):
        return found
    raise ValueError(f"the BM25 side does not evaluate the where operator {op!r}")
