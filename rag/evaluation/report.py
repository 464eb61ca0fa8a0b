"""The eval report: a Markdown page with PNG charts, written from one result dict (the JSON form
of models.EvalResult; validate_result() lists the ways a dict departs from it).

The summary table, the distributions chart and the baselines chart iterate registry.METRICS.
Charts are drawn with matplotlib's object API on the Agg canvas: no display, no pyplot state,
no figure left open, and the same input writes the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rag.drafting.answerability import ANSWERABLE
from rag.evaluation.metrics import answerability_curve, mean
from rag.evaluation.models import result_problems
from rag.evaluation.registry import (
    BASELINES,
    HEADLINE,
    METRICS,
    NEAREST,
    ORACLE,
    Metric,
    baseline_key,
    baseline_values,
    case_score_keys,
    column_label,
    is_number,
    shown,
)
from rag.text.markdown import escape_markdown
from rag.text.shorten import shorten_keeping_lines

BUCKETS = (("strong (oracle ≥ 0.5)", 0.5, None), ("middling (0.3–0.5)", 0.3, 0.5), ("weak (< 0.3)", None, 0.3))
TEXT_LIMIT = 700
# The buckets and the best and worst cases are by the headline metric (ROUGE-L F1)
_SYSTEM, _NEAREST, _ORACLE = HEADLINE.per_case_key, baseline_key(NEAREST, HEADLINE), baseline_key(ORACLE, HEADLINE)


def validate_result(result: Any) -> list[str]:
    """Every way `result` departs from the result schema (models.EvalResult), as 'path: problem'
    lines ([] = valid)."""
    return result_problems(result)


# --------------------------------------------------------------------------- charts


def _save(fig: Any, path: Path) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=100, metadata={"Software": None})


def _values(cases: Sequence[dict[str, Any]], key: str) -> list[float]:
    return [float(c[key]) for c in cases if isinstance(c.get(key), int | float)]


def _distributions_chart(cases: Sequence[dict[str, Any]], path: Path, metrics: Sequence[Metric]) -> None:
    from matplotlib.figure import Figure

    keys = case_score_keys(metrics) + case_score_keys(shown(metrics, cases), optional=True)
    cols = 4
    rows = -(-len(keys) // cols)
    fig = Figure(figsize=(4 * cols, 3 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, key in zip(axes, keys, strict=False):
        values = _values(cases, key)
        ax.hist(values, bins=[i / 10 for i in range(11)], color="#4477aa", edgecolor="white")
        ax.set_title(f"{column_label(key)} (n={len(values)})", fontsize=10)
        ax.set_xlim(0, 1)
    for ax in axes[len(keys) :]:
        ax.set_visible(False)
    _save(fig, path)


def baselines_figure(summary: dict[str, Any], metrics: Sequence[Metric] = METRICS) -> Any:
    """The bar chart of the system against each baseline, one group per metric scored on a
    baseline; each bar labelled with its value, the legend below the plot, clear of the labels."""
    from matplotlib.figure import Figure

    compared = [m for m in metrics if m.baselines]
    bars = {"system": [summary.get(m.key) for m in compared]}
    bars |= {b.label: [baseline_values(summary, m)[b.name] for m in compared] for b in BASELINES}
    fig = Figure(figsize=(7, 4.4), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / len(bars)
    for i, (label, values) in enumerate(bars.items()):
        xs = [g + (i - (len(bars) - 1) / 2) * width for g in range(len(compared))]
        ys = [v if isinstance(v, int | float) else 0.0 for v in values]
        ax.bar(xs, ys, width, label=label)
        for x, v in zip(xs, values, strict=True):
            shown_value = _fmt(v) if isinstance(v, int | float) else "n/a"
            ax.annotate(
                shown_value, (x, v if isinstance(v, int | float) else 0.0), ha="center", va="bottom", fontsize=9
            )
    ax.set_xticks(range(len(compared)), [m.label for m in compared])
    ax.set_ylim(0, 1.12)  # room above a bar of 1.0 for its label
    ax.set_yticks([i / 5 for i in range(6)])
    ax.set_title("System against the precedent baselines (means)")
    fig.legend(loc="outside lower center", ncols=len(bars), frameon=False)
    return fig


def _baselines_chart(summary: dict[str, Any], path: Path, metrics: Sequence[Metric]) -> None:
    _save(baselines_figure(summary, metrics), path)


def baseline_verdict(summary: dict[str, Any], metrics: Sequence[Metric] = METRICS) -> str | None:
    """In words, when the system scores below the nearest-precedent baseline: by how much and what
    it means (None when it does not)."""
    near = [
        (m, summary.get(m.key), baseline_values(summary, m)[NEAREST.name])
        for m in metrics
        if NEAREST.name in m.baselines
    ]
    below = [(m, v, b) for m, v, b in near if is_number(v) and is_number(b) and v < b]
    if not below:
        return None
    scores = " and ".join(f"{m.label} {m.format(v)} against {m.format(b)}" for m, v, b in below)
    lines = [
        f"The drafts score below the nearest-precedent baseline ({scores}): sending the nearest earlier "
        "reply unchanged would have matched the real answers more closely than these drafts did."
    ]
    gap = _number(summary.get("gap_closed"))
    if gap is not None and gap < 0:
        lines.append(
            f"Gap closed {gap:.3f} says the same: 0 would mean as close as the nearest precedent and 1 as close "
            "as the best earlier reply (oracle); below 0 the drafts fall short of the nearest precedent, here by "
            f"{-gap:.1f} times the distance between the two."
        )
    refused, drafted = _number(summary.get("refusal_rate")), _number(summary.get("rougeL_f1_drafted"))
    if refused is not None and refused > 0 and drafted is not None:
        lines.append(
            f"{refused:.0%} of the answerable cases were refused (no line drafted), which pulls the means down; "
            f"over the drafted lines alone ROUGE-L F1 is {drafted:.3f}."
        )
    return " ".join(lines)


def _number(value: Any) -> float | None:
    return float(value) if is_number(value) else None


# --------------------------------------------------------------------------- markdown


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def _seconds(value: Any) -> str:
    return f"{value:.1f} s" if isinstance(value, int | float) and not isinstance(value, bool) else "—"


def _quote(text: str) -> str:
    """Case text (corpus text and drafts, both untrusted) as a quote whose Markdown stays literal."""
    text = shorten_keeping_lines(text, TEXT_LIMIT)
    if not text:
        return "> _(empty)_"
    return "\n".join(
        "> " + escape_markdown(line, entities=False) if line.strip() else ">" for line in text.splitlines()
    )


def _summary_section(summary: dict[str, Any], metrics: Sequence[Metric]) -> list[str]:
    lines = [
        "## Summary",
        "",
        "| metric | system | " + " | ".join(b.label for b in BASELINES) + " |",
        "|---|---:|" + "---:|" * len(BASELINES),
    ]
    for m in shown(metrics, summary):
        name = f"{m.key} (LLM judge)" if m.judge else m.key
        cells = [summary.get(m.key), *baseline_values(summary, m).values()]
        lines.append(f"| {name} | " + " | ".join(m.format(v) for v in cells) + " |")
    lines += [
        "",
        f"**Gap closed** (ROUGE-L, nearest precedent → oracle): {_fmt(summary.get('gap_closed'))}",
        "",
    ]
    verdict = baseline_verdict(summary, metrics)
    return [*lines, f"**Below the baseline.** {verdict}", ""] if verdict else lines


def _bucket_of(case: dict[str, Any], low: float | None, high: float | None) -> bool:
    oracle = case.get(_ORACLE)
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
        means = [mean(_values(group, k)) for k in (_SYSTEM, _NEAREST, _ORACLE)]
        lines.append(f"| {label} | {len(group)} | " + " | ".join(_fmt(m) for m in means) + " |")
    unknown = sum(1 for c in cases if c.get("answerable", True) and not isinstance(c.get(_ORACLE), int | float))
    if unknown:
        lines += ["", f"{unknown} case(s) had no eligible precedent and are not bucketed."]
    return [*lines, ""]


def _case_block(case: dict[str, Any]) -> list[str]:
    return [
        f"### {case.get('id')} — ROUGE-L {_fmt(case.get(_SYSTEM))}"
        f" (nearest {_fmt(case.get(_NEAREST))}, oracle {_fmt(case.get(_ORACLE))})",
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
    scored = [c for c in cases if isinstance(c.get(_SYSTEM), int | float)]
    ranked = sorted(scored, key=lambda c: (-c[_SYSTEM], str(c.get("id"))))
    lines = [f"## The {min(n, len(ranked))} best cases (system ROUGE-L)", ""]
    for case in ranked[:n]:
        lines += _case_block(case)
    worst = sorted(scored, key=lambda c: (c[_SYSTEM], str(c.get("id"))))[:n]
    lines += [f"## The {len(worst)} worst cases (system ROUGE-L)", ""]
    for case in worst:
        lines += _case_block(case)
    return lines


CURVE = tuple(round(0.40 + 0.02 * i, 2) for i in range(10))  # thresholds the answerability curve is shown at


def _answerability_section(cases: Sequence[dict[str, Any]]) -> list[str]:
    """Refused answerable cases and drafted unanswerable ones over the drafter's threshold; the
    threshold in use is marked. Shown when the run has both kinds of case."""
    kinds = {bool(c.get("answerable", True)) for c in cases if c.get("assessment")}
    if kinds != {True, False}:
        return []
    lines = [
        "## Answerability",
        "",
        "Each case re-decided from its recorded scores at each threshold of `rag.drafting.answerability`: "
        "the share of answerable cases refused, and of unanswerable ones given a drafted body.",
        "",
        "| threshold | refused (answerable) | drafted (unanswerable) |",
        "|---:|---:|---:|",
    ]
    for row in answerability_curve(cases, sorted({*CURVE, ANSWERABLE})):
        mark = " (in use)" if row["threshold"] == ANSWERABLE else ""
        lines.append(f"| {row['threshold']:.2f}{mark} | {row['refused']:.1%} | {row['false_confident']:.1%} |")
    return [*lines, ""]


def render_markdown(result: dict[str, Any], metrics: Sequence[Metric] = METRICS) -> str:
    """The report page (charts referenced by file name, next to report.md)."""
    summary, cases = result.get("summary", {}), result.get("cases", [])
    lines = [
        "# Ymateb eval report",
        "",
        f"Backend: `{summary.get('backend')}` · cases: {summary.get('n_cases')}"
        f" · time: {_seconds(summary.get('seconds'))}",
        "",
        *_summary_section(summary, metrics),
        "## Distributions",
        "",
        "![Per-case metric distributions](distributions.png)",
        "",
        "## System against the baselines",
        "",
        "![System against the nearest and oracle precedents](baselines.png)",
        "",
        *_answerability_section(cases),
        *_buckets_section(cases),
        *_extremes_section(cases),
    ]
    return "\n".join(lines).rstrip() + "\n"


def write_report(result: dict[str, Any], out_dir: Path, metrics: Sequence[Metric] = METRICS) -> Path:
    """Write out_dir/report.md, distributions.png and baselines.png; return the report's path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _distributions_chart(result.get("cases", []), out_dir / "distributions.png", metrics)
    _baselines_chart(result.get("summary", {}), out_dir / "baselines.png", metrics)
    path = out_dir / "report.md"
    path.write_text(render_markdown(result, metrics), encoding="utf-8")
    return path
