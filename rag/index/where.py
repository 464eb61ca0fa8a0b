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
            parts.append(
                tantivy.Query.boolean_query([(tantivy.Occur.Must, to_tantivy(c, schema)) for c in _merge_ranges(cond)])
            )
        elif key == "$or":
            parts.append(tantivy.Query.boolean_query([(tantivy.Occur.Should, to_tantivy(c, schema)) for c in cond]))
        else:
            ops = _ops(cond)
            ranged = {op: v for op, v in ops.items() if op in _ORDERED}
            if ranged:
                parts.append(_range_query(key, ranged, schema))
            parts.extend(_field_query(key, op, v, schema) for op, v in ops.items() if op not in _ORDERED)
    query = parts[0] if len(parts) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in parts])
    return tantivy.Query.const_score_query(query, 0.0)


def _merge_ranges(clauses: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`$and` of one-sided bounds on one field (date_int >= a, < b, > 0) as one two-sided range:
    tantivy then walks the field once (a third faster at 400k chunks)."""
    out: list[dict[str, Any]] = []
    bounds: dict[str, dict[str, Any]] = {}
    for c in clauses:
        key, cond = next(iter(c.items())) if len(c) == 1 else ("", None)
        if isinstance(cond, dict) and len(cond) == 1 and next(iter(cond)) in _ORDERED:
            ((op, value),) = cond.items()
            held = bounds.setdefault(key, {})
            side = "lower" if op in ("$gt", "$gte") else "upper"
            old = held.get(side)
            tighter = value > old[1] if old and side == "lower" else value < old[1] if old else True
            if tighter or (old and value == old[1] and op in ("$gt", "$lt")):
                held[side] = (op, value)
        else:
            out.append(c)
    for key, held in bounds.items():
        out.append({key: {op: value for op, value in held.values()}})
    return out


def _ops(cond: Any) -> dict[str, Any]:
    return cond if isinstance(cond, dict) else {"$eq": cond}


def _range_query(key: str, ops: dict[str, Any], schema: Any) -> Any:
    """One range over an integer field from its bounds ($gt/$gte below, $lt/$lte above)."""
    import tantivy

    lower = next(((op, v) for op, v in ops.items() if op in ("$gt", "$gte")), None)
    upper = next(((op, v) for op, v in ops.items() if op in ("$lt", "$lte")), None)
    return tantivy.Query.range_query(
        schema,
        key,
        tantivy.FieldType.Integer,
        lower[1] if lower else None,
        upper[1] if upper else None,
        include_lower=lower is None or lower[0] == "$gte",
        include_upper=upper is None or upper[0] == "$lte",
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
