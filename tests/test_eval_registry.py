"""One registry of metrics: the runner, the result schema, the report, the CLI, comparison and the
app all iterate it, so a metric added there shows up everywhere. Plus the typed eval data."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from pydantic import ValidationError

from rag.cli import _print_summary
from rag.evaluation.compare import compare_runs, format_comparison
from rag.evaluation.models import Case, CaseResult, EvalResult, Summary
from rag.evaluation.registry import METRICS, NEAREST, Metric, baseline_key, case_keys, case_score_keys
from rag.evaluation.report import render_markdown, validate_result
from rag.evaluation.runner import summarise
from rag.ingest.records import CorpusRecord
from ui.support import case_rows, summary_rows

from .conftest import ROOT
from .test_eval_report import make_result

BREVITY = Metric("brevity", "Brevity", "brevity", baselines=("nearest_precedent",), higher_is_better=False)
EXTENDED = (*METRICS, BREVITY)


def judged_result() -> dict[str, Any]:
    """A run with every metric: judged, and with an unanswerable case beside the answerable ones."""
    result = make_result()
    for i, case in enumerate(result["cases"]):
        case |= {"judge_faithfulness": i / 10, "judge_coverage": 0.5, "judge_reason": "ok"}
        case |= {"refused": float(i == 7), "partial": 0.0, "false_confident": None, "rougeL_f1_drafted": 0.3}
    off_topic = {k: None for k in result["cases"][0] if k not in ("id", "question", "draft", "reference_answer")}
    off_topic |= {"id": "off", "question": "q", "draft": "", "reference_answer": "r", "citations": [], "warnings": []}
    result["cases"].append(off_topic | {"answerable": False, "false_confident": 0.0, "judge_reason": None})
    result["summary"] |= {"judge_faithfulness": 0.35, "judge_coverage": 0.5, "n_cases": len(result["cases"])}
    result["summary"] |= {"refusal_rate": 0.125, "partial_rate": 0.0, "false_confident_rate": 0.0}
    result["summary"] |= {"rougeL_f1_drafted": 0.3}
    return result


def with_brevity(result: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(result)
    for i, case in enumerate(result["cases"]):
        case |= {"brevity": i / 8, "nearest_brevity": 0.25}
    return result


def case_models(result: dict[str, Any]) -> list[Any]:
    return [CaseResult.model_validate(c) for c in result["cases"]]


def printed(capsys: pytest.CaptureFixture[str], summary: dict[str, Any], metrics: Any = None) -> str:
    _print_summary(summary, metrics)
    return capsys.readouterr().out


# ---------------------------------------------------------------------------- every consumer


def test_every_registered_metric_reaches_every_consumer(capsys: pytest.CaptureFixture[str]) -> None:
    result = judged_result()
    summary = summarise(case_models(result), "offline", 1.0).model_dump(exclude_unset=True)
    markdown = render_markdown(result)
    cli = printed(capsys, result["summary"])
    labels = [row["metric"] for row in summary_rows(result["summary"])]
    compared = {row["metric"] for row in compare_runs(result, result)["metrics"]}
    assert [m.label for m in METRICS] == labels
    for m in METRICS:
        assert summary[m.key] is not None, m.key
        assert f"| {m.key} " in markdown, m.key
        assert m.label in cli.splitlines()[2 + METRICS.index(m)], m.key
        assert m.key in compared, m.key
        for b in m.baselines:
            assert summary["baselines"][b][m.key] is not None and f"baselines.{b}.{m.key}" in compared


def test_judge_metrics_are_shown_only_when_the_run_was_judged(capsys: pytest.CaptureFixture[str]) -> None:
    result = make_result()
    judge = [m for m in METRICS if m.judge]
    assert judge and not any(m.key in result["summary"] for m in judge)
    summary = summarise(case_models(result), "offline", 1.0).model_dump(mode="json", exclude_unset=True)
    assert not any(m.key in summary for m in judge)
    assert [r["metric"] for r in summary_rows(summary)] == [m.label for m in METRICS if not m.optional]
    assert not any(m.label in printed(capsys, summary) or m.key in render_markdown(result) for m in judge)
    assert not any(m.per_case_key in case_rows(result["cases"])[0] for m in judge)
    assert all(m.per_case_key in case_rows(judged_result()["cases"])[0] for m in judge)


def test_a_metric_added_to_the_registry_needs_no_other_change(capsys: pytest.CaptureFixture[str]) -> None:
    result = with_brevity(make_result())
    summary = summarise(case_models(result), "offline", 1.0, EXTENDED).model_dump(mode="json", exclude_unset=True)
    assert summary["brevity"] == round(sum(i / 8 for i in range(8)) / 8, 4)
    assert summary["baselines"]["nearest_precedent"]["brevity"] == 0.25
    result["summary"] = summary
    assert validate_result(result) == []
    assert "| brevity | 0.438 | 0.250 | — |" in render_markdown(result, EXTENDED)
    assert "Brevity" in printed(capsys, summary, EXTENDED)
    assert summary_rows(summary, EXTENDED)[-1] == {
        "metric": "Brevity",
        "system": 0.4375,
        "nearest precedent": 0.25,
        "oracle precedent": None,
    }
    assert {"brevity", "nearest_brevity"} <= set(case_rows(result["cases"], EXTENDED)[0])
    shorter = copy.deepcopy(result)
    shorter["summary"]["brevity"] = 0.3
    rows = {r["metric"]: r for r in compare_runs(result, shorter, metrics=EXTENDED)["metrics"]}
    assert rows["brevity"]["better"] is True and rows["baselines.nearest_precedent.brevity"]["delta"] == 0
    assert "brevity" in format_comparison(compare_runs(result, shorter, metrics=EXTENDED))


def test_case_fields_come_from_the_registry() -> None:
    assert case_score_keys() == [
        "rougeL_f1",
        "semantic_similarity",
        "key_fact_recall",
        "citation_validity",
        "citation_support",
        "nearest_rougeL_f1",
        "nearest_semantic_similarity",
        "oracle_rougeL_f1",
    ]
    assert "retrieval_rank" in case_keys() and baseline_key(NEAREST, METRICS[0]) == "nearest_rougeL_f1"
    assert set(case_score_keys()) <= set(CaseResult.model_fields)
    assert {m.key for m in METRICS} <= set(Summary.model_fields)


# ---------------------------------------------------------------------------- typed data


def test_a_saved_run_round_trips_through_the_model() -> None:
    result = json.loads(json.dumps(judged_result()))
    assert EvalResult.model_validate(result).to_json() == result
    plain = json.loads(json.dumps(make_result()))
    assert EvalResult.model_validate(plain).to_json() == plain  # no judge keys appear


def test_the_saved_dev_summary_still_validates() -> None:
    saved = json.loads((ROOT / "evals" / "reports" / "dev" / "summary.json").read_text(encoding="utf-8"))
    assert Summary.model_validate(saved).model_dump(mode="json", exclude_unset=True) == saved


def test_case_is_frozen_and_ignores_unknown_keys() -> None:
    case = Case.model_validate(
        {"id": "c", "kind": "petition", "date": "2025-01-01T09:00", "question": "Q", "reference_answer": "A", "x": 1}
    )
    assert case.date == "2025-01-01T09:00" and not hasattr(case, "x") and case.asked_of is None
    with pytest.raises(ValidationError):
        case.id = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    "record, expected",
    [
        ({"id": 12, "answer": 3.5}, {"id": "12", "answer": "3.5"}),
        (
            {"id": "a", "body": " text ", "title": {"en": "x"}, "ref": ["1"]},
            {"body": "text", "title": None, "ref": None},
        ),
        ({"id": "a", "question": "Q", "date": "", "other": [1]}, {"date": None}),
    ],
    ids=["numbers-stringified", "objects-ignored", "blank-is-none"],
)
def test_corpus_record_coerces_scalars(record: dict[str, Any], expected: dict[str, Any]) -> None:
    parsed = CorpusRecord.model_validate(record).model_dump()
    assert {k: parsed[k] for k in expected} == expected


@pytest.mark.parametrize(
    "record, reason",
    [
        ({"body": "text"}, "no 'id' field"),
        ({"id": {"n": 1}, "body": "text"}, "no 'id' field"),
        ({"id": "a", "question": " ", "answer": None}, "no 'question', 'answer' or 'body' text"),
    ],
    ids=["no-id", "object-id", "no-text"],
)
def test_corpus_record_refuses_unusable_records(record: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValidationError) as err:
        CorpusRecord.model_validate(record)
    assert reason in err.value.errors()[0]["msg"]
