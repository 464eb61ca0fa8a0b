"""Cluster-agreement metrics: pure functions of (predicted, truth) partitions of the same items.

Both arguments are lists of groups of item ids. Conventions:

- Items in only one of the two partitions are ignored (score over the items both hold).
- `pairwise_prf`: over unordered pairs of items in one cluster. Precision is the share of
  predicted pairs that are true pairs; recall the share of true pairs that are predicted. A side
  with no pairs at all scores 1.0 (nothing claimed, nothing wrong / nothing to find).
- `bcubed_prf` (Bagga & Baldwin 1998): per item, precision is the share of its predicted cluster
  that shares its true cluster (itself included), recall the share of its true cluster in its
  predicted cluster; both averaged over items. Singletons count, so B-cubed never leaves a case out.
- F1 is the harmonic mean, 0.0 when precision and recall are both 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from rag.evaluation.metrics import f1

PRF = tuple[float, float, float]


def labels(groups: Iterable[Sequence[str]]) -> dict[str, int]:
    """{item id: the index of its group}."""
    return {item: g for g, group in enumerate(groups) for item in group}


def _common(
    predicted: Sequence[Sequence[str]], truth: Sequence[Sequence[str]]
) -> tuple[dict[str, int], dict[str, int]]:
    pred, true = labels(predicted), labels(truth)
    shared = pred.keys() & true.keys()
    return {i: pred[i] for i in shared}, {i: true[i] for i in shared}


def _sizes(label: dict[str, int]) -> Counter[int]:
    return Counter(label.values())


def _pairs(counts: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in counts)


def _overlaps(pred: dict[str, int], true: dict[str, int]) -> Counter[tuple[int, int]]:
    return Counter((g, true[item]) for item, g in pred.items())


def pairwise_prf(predicted: Sequence[Sequence[str]], truth: Sequence[Sequence[str]]) -> PRF:
    """(precision, recall, F1) over pairs of items placed in one cluster."""
    pred, true = _common(predicted, truth)
    both = _pairs(_overlaps(pred, true).values())
    claimed, wanted = _pairs(_sizes(pred).values()), _pairs(_sizes(true).values())
    p = both / claimed if claimed else 1.0
    r = both / wanted if wanted else 1.0
    return p, r, f1(p, r)


def bcubed_prf(predicted: Sequence[Sequence[str]], truth: Sequence[Sequence[str]]) -> PRF:
    """(precision, recall, F1), B-cubed: per-item shares averaged over the items."""
    pred, true = _common(predicted, truth)
    if not pred:
        return 1.0, 1.0, 1.0
    overlap, psize, tsize = _overlaps(pred, true), _sizes(pred), _sizes(true)
    p = sum(overlap[(pred[i], true[i])] / psize[pred[i]] for i in pred) / len(pred)
    r = sum(overlap[(pred[i], true[i])] / tsize[true[i]] for i in pred) / len(pred)
    return p, r, f1(p, r)
