"""The one list of eval metrics. The runner's summary, the result schema, the report's table and
charts, `ymateb eval`, run comparison and the app's tables all iterate METRICS: a metric added here
appears in all of them (its per-case value still has to be computed, in runner.run_case).

A metric's summary value is the mean over the answerable cases (or, for a metric marked
answerable=False, the unanswerable ones: the refusal check) of `per_case(case[per_case_key])` (the per-case
score itself when `per_case` is None), rounded to 4 places. Each baseline named in `baselines` is
scored with the same metric; its per-case value is "<prefix>_<per_case_key>" (e.g.
"nearest_rougeL_f1") and its mean is summary["baselines"][<name>][<key>].
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from rag.evaluation import metrics as M

RETRIEVAL_K = 5
DIGITS = 4  # summary means are rounded to this many places


@dataclass(frozen=True)
class Baseline:
    """A reply the system is compared with: its summary name, per-case prefix and label."""

    name: str
    prefix: str
    label: str


NEAREST = Baseline("nearest_precedent", "nearest", "nearest precedent")
ORACLE = Baseline("oracle_precedent", "oracle", "oracle precedent")
BASELINES = (NEAREST, ORACLE)


@dataclass(frozen=True)
class Metric:
    """One eval metric: where it lives in a result and how it is shown."""

    key: str  # the summary field, e.g. "rougeL_f1"
    label: str  # for people, e.g. "ROUGE-L F1"
    per_case_key: str  # the per-case field its summary value is the mean of
    baselines: tuple[str, ...] = ()  # Baseline.name values also scored with it
    higher_is_better: bool = True
    judge: bool = False  # only present when the LLM judge ran
    fmt: str = ".3f"
    per_case: Callable[[Any], float] | None = None  # per-case field -> the value averaged (None: as is)
    answerable: bool = True  # averaged over the answerable cases (False: over the unanswerable ones)
    added_later: bool = False  # added after results were first saved: older result files lack it
    missing: str = ""  # why a case may have no value of it, for people ("n/a" in a table)

    @property
    def optional(self) -> bool:
        """Absent from some results: judge metrics (unjudged runs) and those older files lack."""
        return self.judge or self.added_later

    @property
    def scored_per_case(self) -> bool:
        """True when each case carries this metric's own score (not e.g. a rank it is derived from)."""
        return self.per_case is None

    def format(self, value: Any) -> str:
        """The value in this metric's format, or "—" when it is not a number."""
        return f"{value:{self.fmt}}" if is_number(value) else "—"

    def summarise(self, cases: Sequence[Mapping[str, Any]], key: str | None = None) -> float | None:
        """The mean of this metric over `cases` (of per-case field `key`, default per_case_key)."""
        kept = [c for c in cases if bool(c.get("answerable", True)) == self.answerable]
        values = (c.get(key or self.per_case_key) for c in kept)
        if self.per_case is not None:
            values = (self.per_case(v) for v in values)
        value = M.mean(values)
        return round(value, DIGITS) if value is not None else None


METRICS: tuple[Metric, ...] = (
    Metric("rougeL_f1", "ROUGE-L F1", "rougeL_f1", baselines=(NEAREST.name, ORACLE.name)),
    Metric("semantic_similarity", "Semantic similarity", "semantic_similarity", baselines=(NEAREST.name,)),
    Metric("key_fact_recall", "Key-fact recall", "key_fact_recall"),
    Metric("citation_validity", "Citation validity", "citation_validity"),
    Metric("citation_support", "Citation support", "citation_support"),
    Metric(
        f"retrieval_recall_at_{RETRIEVAL_K}",
        f"Retrieval recall@{RETRIEVAL_K}",
        "retrieval_rank",
        per_case=partial(M.recall_at_k, k=RETRIEVAL_K),
    ),
    Metric("mrr", "MRR", "retrieval_rank", per_case=M.reciprocal_rank),
    Metric("refusal_rate", "Refused (answerable)", "refused", higher_is_better=False, fmt=".1%", added_later=True),
    Metric("partial_rate", "Partly answered", "partial", higher_is_better=False, fmt=".1%", added_later=True),
    Metric(
        "false_confident_rate",
        "Drafted (unanswerable)",
        "false_confident",
        higher_is_better=False,
        fmt=".1%",
        answerable=False,
        added_later=True,
        missing="scored on unanswerable cases only",
    ),
    Metric(
        "rougeL_f1_drafted",
        "ROUGE-L drafted lines",
        "rougeL_f1_drafted",
        added_later=True,
        missing="no line was drafted (refused), or the real answer is a holding reply or a cross-reference",
    ),
    Metric("judge_faithfulness", "Judge faithfulness", "judge_faithfulness", judge=True, missing="not judged"),
    Metric("judge_coverage", "Judge coverage", "judge_coverage", judge=True, missing="not judged"),
)
HEADLINE = METRICS[0]  # the metric "gap closed", the case ranking and "got worse" are measured on


def is_number(value: Any) -> bool:
    """A score or count (a bool is neither)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


# Per-case fields that are not a metric's own score, as people call them
FIELD_LABELS = {"retrieval_rank": "Rank of the best earlier reply"}
FIELD_MISSING = {"retrieval_rank": "the best earlier reply was not retrieved, or there was none"}
BASELINE_MISSING = "no earlier reply could serve as this baseline"


def column_label(key: str, metrics: Iterable[Metric] = METRICS) -> str:
    """People's name for a per-case field: "ROUGE-L F1", "ROUGE-L F1 (nearest precedent)" ..."""
    for m in metrics:
        if key == m.per_case_key and m.scored_per_case:
            return m.label
        for b in BASELINES:
            if b.name in m.baselines and key == baseline_key(b, m):
                return f"{m.label} ({b.label})"
    return FIELD_LABELS.get(key, key)


def why_missing(key: str, metrics: Iterable[Metric] = METRICS) -> str:
    """Why a per-case field may hold no value (the reason shown for "n/a")."""
    for m in metrics:
        if key == m.per_case_key and m.scored_per_case:
            return m.missing or "not measured for this case"
        if any(b.name in m.baselines and key == baseline_key(b, m) for b in BASELINES):
            return BASELINE_MISSING
    return FIELD_MISSING.get(key, "not measured for this case")


def summary_means(rows: Sequence[Mapping[str, Any]], metrics: Sequence[Metric] = METRICS) -> dict[str, Any]:
    """The summary's numbers for these case results: each metric's mean (optional ones when the
    cases have them), each baseline's means and the share of the gap closed."""
    baselines = {
        b.name: {m.key: m.summarise(rows, baseline_key(b, m)) for m in metrics if b.name in m.baselines}
        for b in BASELINES
    }
    means = {m.key: m.summarise(rows) for m in shown(metrics, rows)}
    gap = M.gap_closed(means.get(HEADLINE.key), *(baselines[b.name].get(HEADLINE.key) for b in BASELINES))
    return {**means, "baselines": baselines, "gap_closed": round(gap, DIGITS) if gap is not None else None}


def baseline_key(baseline: Baseline, metric: Metric) -> str:
    """The per-case field of `metric` scored on `baseline`'s reply, e.g. "nearest_rougeL_f1"."""
    return f"{baseline.prefix}_{metric.per_case_key}"


def shown(metrics: Iterable[Metric], present: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[Metric]:
    """The metrics to show for a summary (or a list of cases): optional metrics only when present."""
    found = [present] if isinstance(present, Mapping) else list(present)
    return [m for m in metrics if not m.optional or any(m.key in p or m.per_case_key in p for p in found)]


def case_score_keys(metrics: Iterable[Metric] = METRICS, optional: bool = False) -> list[str]:
    """The per-case score fields: each metric's own, then the baselines'; or, with `optional`, those
    of the optional metrics (judge ones, and those older results lack) alone."""
    metrics = list(metrics)
    own = [m.per_case_key for m in metrics if m.scored_per_case and m.optional == optional]
    if optional:
        return own
    by_baseline = [baseline_key(b, m) for b in BASELINES for m in metrics if b.name in m.baselines]
    return list(dict.fromkeys(own + by_baseline))


def case_keys(metrics: Iterable[Metric] = METRICS) -> list[str]:
    """Every per-case field a metric reads, in registry order, then the baselines' scores."""
    metrics = list(metrics)
    own = [m.per_case_key for m in metrics]
    return list(dict.fromkeys(own + case_score_keys(metrics)))


def baseline_values(summary: Mapping[str, Any], metric: Metric) -> dict[str, Any]:
    """{baseline name: the summary's value of `metric` for it} (None where it is not scored)."""
    blocks = summary.get("baselines")
    blocks = blocks if isinstance(blocks, Mapping) else {}
    out: dict[str, Any] = {}
    for b in BASELINES:
        block = blocks.get(b.name)
        block = block if isinstance(block, Mapping) else {}
        out[b.name] = block.get(metric.key) if b.name in metric.baselines else None
    return out
