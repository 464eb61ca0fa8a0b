"""Compare two eval runs (result dicts as in report.py): summary changes and the cases that got worse.

Means are compared over the same cases: when the runs hold different cases, each run's means are
worked out again from its per-case scores over the cases both share (matched by id); when they
share none, there is nothing to compare and every mean is None."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rag.evaluation.registry import BASELINES, HEADLINE, METRICS, Metric, shown, summary_means
from rag.text.shorten import shorten

EPSILON = 1e-3  # a case "got worse" only if its headline metric (ROUGE-L F1) fell by more than this


def _paths(metrics: Sequence[Metric], summaries: list[Any]) -> list[tuple[tuple[str, ...], str, bool | None]]:
    """(path into the summary, label, higher is better) for every compared number, in registry order."""
    present = [s for s in summaries if isinstance(s, dict)]
    return [
        *(((m.key,), m.label, m.higher_is_better) for m in shown(metrics, present)),
        *(
            (("baselines", b.name, m.key), f"{m.label} ({b.label})", m.higher_is_better)
            for b in BASELINES
            for m in metrics
            if b.name in m.baselines
        ),
        (("gap_closed",), "Gap closed (ROUGE-L)", True),
        (("n_cases",), "Cases in the run", None),
        (("seconds",), "Run time, whole run (s)", None),
    ]


def _over(result: dict[str, Any], ids: set[str], metrics: Sequence[Metric]) -> dict[str, Any]:
    """The run's summary with its means worked out again over the cases `ids` alone."""
    given = result.get("summary")
    summary: dict[str, Any] = given if isinstance(given, dict) else {}
    rows = [c for c in result.get("cases", []) if c.get("id") in ids]
    return {**summary, **summary_means(rows, metrics)}


def _get(summary: Any, path: tuple[str, ...]) -> float | None:
    for key in path:
        summary = summary.get(key) if isinstance(summary, dict) else None
    return float(summary) if isinstance(summary, int | float) and not isinstance(summary, bool) else None


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def _better(delta: float | None, higher_is_better: bool | None) -> bool | None:
    if delta is None or higher_is_better is None or abs(delta) < 1e-12:
        return None
    return (delta > 0) == higher_is_better


def compare_runs(
    a: dict[str, Any], b: dict[str, Any], epsilon: float = EPSILON, metrics: Sequence[Metric] = METRICS
) -> dict[str, Any]:
    """How run b differs from run a.

    Returns {"metrics": [{"metric", "label", "a", "b", "delta", "better"}] for every registry metric
    (judge ones when either run has them; baselines as "baselines.nearest_precedent.rougeL_f1" ...,
    labelled "ROUGE-L F1 (nearest precedent)"; "better" is whether b moved the right way, None if
    unchanged or not a score; means over the shared cases when the runs' cases differ, see the
    module's docstring), "same_cases": whether both runs hold the same case ids, "worse": [{"id",
    "question", "a", "b", "delta"}] for the cases (matched by id) whose rougeL_f1 fell by more than
    epsilon, biggest drop first, "only_in_a", "only_in_b": unmatched case ids, "n_matched"}.
    """
    cases_a = {c["id"]: c for c in a.get("cases", [])}
    cases_b = {c["id"]: c for c in b.get("cases", [])}
    matched = [i for i in cases_a if i in cases_b]
    same = set(cases_a) == set(cases_b)
    summary_a, summary_b = (
        (a.get("summary"), b.get("summary")) if same else (_over(r, set(matched), metrics) for r in (a, b))
    )
    rows = []
    for path, label, higher in _paths(metrics, [summary_a, summary_b]):
        va, vb = _get(summary_a, path), _get(summary_b, path)
        delta = _delta(va, vb)
        row = {"metric": ".".join(path), "label": label, "a": va, "b": vb, "delta": delta}
        rows.append(row | {"better": _better(delta, higher)})
    worse = []
    for case_id in matched:
        va, vb = _get(cases_a[case_id], (HEADLINE.per_case_key,)), _get(cases_b[case_id], (HEADLINE.per_case_key,))
        delta = _delta(va, vb)
        if delta is not None and delta < -epsilon:
            question = cases_b[case_id].get("question", "")
            worse.append({"id": case_id, "question": question, "a": va, "b": vb, "delta": delta})
    worse.sort(key=lambda w: (w["delta"], w["id"]))
    return {
        "metrics": rows,
        "worse": worse,
        "only_in_a": sorted(set(cases_a) - set(cases_b)),
        "only_in_b": sorted(set(cases_b) - set(cases_a)),
        "n_matched": len(matched),
        "same_cases": same,
    }


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def format_comparison(cmp: dict[str, Any]) -> str:
    """A plain-text table for the terminal."""
    width = max(len(m["metric"]) for m in cmp["metrics"])
    lines = [f"{'metric':<{width}}  {'a':>8}  {'b':>8}  {'delta':>8}"]
    for m in cmp["metrics"]:
        lines.append(f"{m['metric']:<{width}}  {_num(m['a']):>8}  {_num(m['b']):>8}  {_num(m['delta'], True):>8}")
    if not cmp.get("same_cases", True):
        lines.insert(0, f"The runs hold different cases: means over the {cmp['n_matched']} case(s) both share.\n")
    lines += ["", f"{len(cmp['worse'])} of {cmp['n_matched']} matched case(s) worse on {HEADLINE.per_case_key}:"]
    for w in cmp["worse"]:
        lines.append(
            f"  {w['id']:<16} {_num(w['a'])} -> {_num(w['b'])} ({_num(w['delta'], True)})  {shorten(w['question'], 60)}"
        )
    for side in ("a", "b"):
        if cmp[f"only_in_{side}"]:
            lines.append(f"only in {side}: " + ", ".join(cmp[f"only_in_{side}"]))
    return "\n".join(lines) + "\n"
