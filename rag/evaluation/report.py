"""The eval report: a Markdown page with PNG charts, written from one result dict (see RESULT_SHAPE).

    {"summary": {"n_cases", "backend", <SUMMARY_METRICS>, "baselines": {"nearest_precedent":
                 {"rougeL_f1", "semantic_similarity"}, "oracle_precedent": {"rougeL_f1"}},
                 "gap_closed", "seconds"},
     "cases": [{"id", "question", "draft", "reference_answer", "citations", "warnings",
                <CASE_METRICS>, "retrieval_rank", "oracle_doc_id", ...}]}

Metric values may be null (not measured, e.g. no eligible precedent). Extra keys are allowed.
Optional (only with the LLM judge): "judge_faithfulness", "judge_coverage" in the summary and in
each case, and "judge_reason" in each case; checked for type when present.
Charts are drawn with matplotlib's object API on the Agg canvas: no display, no pyplot state,
no figure left open, and the same input writes the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rag.evaluation.metrics import mean
from rag.text.shorten import shorten_keeping_lines

SUMMARY_METRICS = (
    "rougeL_f1",
    "semantic_similarity",
    "key_fact_recall",
    "citation_validity",
    "citation_support",
    "retrieval_recall_at_5",
    "mrr",
)
BASELINE_METRICS = {
    "nearest_precedent": ("rougeL_f1", "semantic_similarity"),
    "oracle_precedent": ("rougeL_f1",),
}
CASE_METRICS = (
    "rougeL_f1",
    "semantic_similarity",
    "key_fact_recall",
    "citation_validity",
    "citation_support",
    "nearest_rougeL_f1",
    "nearest_semantic_similarity",
    "oracle_rougeL_f1",
)
BUCKETS = (("strong (oracle ≥ 0.5)", 0.5, None), ("middling (0.3–0.5)", 0.3, 0.5), ("weak (< 0.3)", None, 0.3))
JUDGE_METRICS = ("judge_faithfulness", "judge_coverage")
TEXT_LIMIT = 700

# --------------------------------------------------------------------------- schema

_Check = Callable[[Any], bool]


def _number_or_none(v: Any) -> bool:
    return v is None or (isinstance(v, int | float) and not isinstance(v, bool))


def _int_or_none(v: Any) -> bool:
    return v is None or (isinstance(v, int) and not isinstance(v, bool))


def _of(*types: type) -> _Check:
    return lambda v: isinstance(v, types) and not isinstance(v, bool)


_SUMMARY_SCHEMA: dict[str, _Check] = {
    "n_cases": _of(int),
    "backend": _of(str),
    **dict.fromkeys(SUMMARY_METRICS, _number_or_none),
    "gap_closed": _number_or_none,
    "seconds": _of(int, float),
}
_CASE_SCHEMA: dict[str, _Check] = {
    "id": _of(str),
    "question": _of(str),
    "draft": _of(str),
    "reference_answer": _of(str),
    "citations": _of(list),
    "warnings": _of(list),
    **dict.fromkeys(CASE_METRICS, _number_or_none),
    "retrieval_rank": _int_or_none,
    "oracle_doc_id": lambda v: v is None or isinstance(v, str),
}
_OPTIONAL_SUMMARY: dict[str, _Check] = dict.fromkeys(JUDGE_METRICS, _number_or_none)
_OPTIONAL_CASE: dict[str, _Check] = {
    **dict.fromkeys(JUDGE_METRICS, _number_or_none),
    "judge_reason": lambda v: v is None or isinstance(v, str),
}


def _check(obj: Any, schema: dict[str, _Check], where: str) -> list[str]:
    if not isinstance(obj, dict):
        return [f"{where}: expected an object, got {type(obj).__name__}"]
    problems = []
    for key, ok in schema.items():
        if key not in obj:
            problems.append(f"{where}.{key}: missing")
        elif not ok(obj[key]):
            problems.append(f"{where}.{key}: wrong type ({type(obj[key]).__name__})")
    return problems


def _check_optional(obj: Any, schema: dict[str, _Check], where: str) -> list[str]:
    if not isinstance(obj, dict):
        return []
    present = {k: ok for k, ok in schema.items() if k in obj}
    return _check(obj, present, where)


def _check_baselines(summary: dict[str, Any]) -> list[str]:
    baselines = summary.get("baselines")
    if not isinstance(baselines, dict):
        return ["summary.baselines: missing" if baselines is None else "summary.baselines: not an object"]
    return [
        problem
        for name, metrics in BASELINE_METRICS.items()
        for problem in _check(baselines.get(name), dict.fromkeys(metrics, _number_or_none), f"summary.baselines.{name}")
    ]


def validate_result(result: Any) -> list[str]:
    """Every way `result` departs from the schema above, as 'path: problem' lines ([] = valid)."""
    if not isinstance(result, dict):
        return ["result: expected an object"]
    problems = _check(result.get("summary"), _SUMMARY_SCHEMA, "summary")
    problems += _check_optional(result.get("summary"), _OPTIONAL_SUMMARY, "summary")
    if isinstance(result.get("summary"), dict):
        problems += _check_baselines(result["summary"])
    cases = result.get("cases")
    if not isinstance(cases, list):
        return [*problems, "cases: missing or not a list"]
    for i, case in enumerate(cases):
        problems += _check(case, _CASE_SCHEMA, f"cases[{i}]")
        problems += _check_optional(case, _OPTIONAL_CASE, f"cases[{i}]")
    n = result.get("summary", {}).get("n_cases") if isinstance(result.get("summary"), dict) else None
    if isinstance(n, int) and n != len(cases):
        problems.append(f"summary.n_cases: {n} but there are {len(cases)} cases")
    return problems


# --------------------------------------------------------------------------- charts


def _save(fig: Any, path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=100, metadata={"Software": None})


def _values(cases: Sequence[dict[str, Any]], key: str) -> list[float]:
    return [float(c[key]) for c in cases if isinstance(c.get(key), int | float)]


def _distributions_chart(cases: Sequence[dict[str, Any]], path: Path) -> None:
    from matplotlib.figure import Figure

    cols = 4
    rows = -(-len(CASE_METRICS) // cols)
    fig = Figure(figsize=(4 * cols, 3 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, key in zip(axes, CASE_METRICS, strict=False):
        values = _values(cases, key)
        ax.hist(values, bins=[i / 10 for i in range(11)], color="#4477aa", edgecolor="white")
        ax.set_title(f"{key} (n={len(values)})", fontsize=10)
        ax.set_xlim(0, 1)
    for ax in axes[len(CASE_METRICS) :]:
        ax.set_visible(False)
    _save(fig, path)


def _baselines_chart(summary: dict[str, Any], path: Path) -> None:
    from matplotlib.figure import Figure

    base = summary.get("baselines", {})
    near, oracle = base.get("nearest_precedent", {}), base.get("oracle_precedent", {})
    groups = ("ROUGE-L F1", "semantic similarity")
    bars = {
        "system": (summary.get("rougeL_f1"), summary.get("semantic_similarity")),
        "nearest precedent": (near.get("rougeL_f1"), near.get("semantic_similarity")),
        "oracle precedent": (oracle.get("rougeL_f1"), None),
    }
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / len(bars)
    for i, (label, values) in enumerate(bars.items()):
        xs = [g + (i - 1) * width for g in range(len(groups))]
        ys = [v if isinstance(v, int | float) else 0.0 for v in values]
        ax.bar(xs, ys, width, label=label)
        for x, v in zip(xs, values, strict=True):
            if isinstance(v, int | float):
                ax.annotate(_fmt(v), (x, v), ha="center", va="bottom")
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylim(0, 1)
    ax.set_title("System against the precedent baselines (means)")
    ax.legend(loc="upper right")
    _save(fig, path)


# --------------------------------------------------------------------------- markdown


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def _seconds(value: Any) -> str:
    return f"{value:.1f} s" if isinstance(value, int | float) and not isinstance(value, bool) else "—"


def _quote(text: str) -> str:
    text = shorten_keeping_lines(text, TEXT_LIMIT)
    if not text:
        return "> _(empty)_"
    return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines())


def _summary_section(summary: dict[str, Any]) -> list[str]:
    base = summary.get("baselines", {})
    near, oracle = base.get("nearest_precedent", {}), base.get("oracle_precedent", {})
    lines = [
        "## Summary",
        "",
        "| metric | system | nearest precedent | oracle precedent |",
        "|---|---:|---:|---:|",
    ]
    for key in SUMMARY_METRICS:
        lines.append(f"| {key} | {_fmt(summary.get(key))} | {_fmt(near.get(key))} | {_fmt(oracle.get(key))} |")
    for key in (k for k in JUDGE_METRICS if k in summary):
        lines.append(f"| {key} (LLM judge) | {_fmt(summary.get(key))} | — | — |")
    lines += [
        "",
        f"**Gap closed** (ROUGE-L, nearest precedent → oracle): {_fmt(summary.get('gap_closed'))}",
        "",
    ]
    return lines


def _bucket_of(case: dict[str, Any], low: float | None, high: float | None) -> bool:
    oracle = case.get("oracle_rougeL_f1")
    if not isinstance(oracle, int | float):
        return False
    return (low is None or oracle >= low) and (high is None or oracle < high)


def _buckets_section(cases: Sequence[dict[str, Any]]) -> list[str]:
    lines = [
        "## By strength of the best precedent",
        "",
        "| best earlier answer (oracle ROUGE-L) | n | system ROUGE-L | nearest ROUGE-L | oracle ROUGE-L |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, low, high in BUCKETS:
        group = [c for c in cases if _bucket_of(c, low, high)]
        means = [mean(_values(group, k)) for k in ("rougeL_f1", "nearest_rougeL_f1", "oracle_rougeL_f1")]
        lines.append(f"| {label} | {len(group)} | " + " | ".join(_fmt(m) for m in means) + " |")
    unknown = sum(1 for c in cases if not isinstance(c.get("oracle_rougeL_f1"), int | float))
    if unknown:
        lines += ["", f"{unknown} case(s) had no eligible precedent and are not bucketed."]
    return [*lines, ""]


def _case_block(case: dict[str, Any]) -> list[str]:
    return [
        f"### {case.get('id')} — ROUGE-L {_fmt(case.get('rougeL_f1'))}"
        f" (nearest {_fmt(case.get('nearest_rougeL_f1'))}, oracle {_fmt(case.get('oracle_rougeL_f1'))})",
        "",
        "**Question**",
        "",
        _quote(case.get("question", "")),
        "",
        "**Real answer**",
        "",
        _quote(case.get("reference_answer", "")),
        "",
        "**Draft**",
        "",
        _quote(case.get("draft", "")),
        "",
    ]


def _extremes_section(cases: Sequence[dict[str, Any]], n: int = 5) -> list[str]:
    scored = [c for c in cases if isinstance(c.get("rougeL_f1"), int | float)]
    ranked = sorted(scored, key=lambda c: (-c["rougeL_f1"], str(c.get("id"))))
    lines = [f"## The {min(n, len(ranked))} best cases (system ROUGE-L)", ""]
    for case in ranked[:n]:
        lines += _case_block(case)
    worst = sorted(scored, key=lambda c: (c["rougeL_f1"], str(c.get("id"))))[:n]
    lines += [f"## The {len(worst)} worst cases (system ROUGE-L)", ""]
    for case in worst:
        lines += _case_block(case)
    return lines


def render_markdown(result: dict[str, Any]) -> str:
    """The report page (charts referenced by file name, next to report.md)."""
    summary, cases = result.get("summary", {}), result.get("cases", [])
    lines = [
        "# Ymateb eval report",
        "",
        f"Backend: `{summary.get('backend')}` · cases: {summary.get('n_cases')}"
        f" · time: {_seconds(summary.get('seconds'))}",
        "",
        *_summary_section(summary),
        "## Distributions",
        "",
        "![Per-case metric distributions](distributions.png)",
        "",
        "## System against the baselines",
        "",
        "![System against the nearest and oracle precedents](baselines.png)",
        "",
        *_buckets_section(cases),
        *_extremes_section(cases),
    ]
    return "\n".join(lines).rstrip() + "\n"


def write_report(result: dict[str, Any], out_dir: Path) -> Path:
    """Write out_dir/report.md, distributions.png and baselines.png; return the report's path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _distributions_chart(result.get("cases", []), out_dir / "distributions.png")
    _baselines_chart(result.get("summary", {}), out_dir / "baselines.png")
    path = out_dir / "report.md"
    path.write_text(render_markdown(result), encoding="utf-8")
    return path
