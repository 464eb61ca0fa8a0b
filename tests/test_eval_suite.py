"""The eval suite end to end: seeds cases, a slice of the dev set, the JSON schema, the no-leak rule."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rag.cli import main
from rag.evaluation.cases import load_cases
from rag.evaluation.report import validate_result
from rag.evaluation.runner import CorpusSpec, eval_assistant, run_eval
from rag.settings import Settings
from rag.text.dates import date_int
from rag.types import SearchFilters

from .conftest import DEV_CASES, ROOT, SEEDS, WQ_DATA, require

SEED_CASES = ROOT / "evals" / "cases" / "seeds.jsonl"
EDUCATION = ("asked_of", "Secretary of State for Education")


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> dict[str, Any]:
    store = tmp_path_factory.mktemp("eval-seeds")
    return run_eval(SEED_CASES, CorpusSpec((str(SEEDS),)), Settings(store=store), embedder=embedder)


def test_seed_cases_run_end_to_end_with_a_valid_schema(seeds_run: dict[str, Any]) -> None:
    assert validate_result(seeds_run) == []
    summary = seeds_run["summary"]
    assert summary["n_cases"] == 3 == len(seeds_run["cases"])
    assert {c["id"] for c in seeds_run["cases"]} == {"WQ85953", "P-06-1199", "P-06-1161"}
    assert 0.0 <= summary["rougeL_f1"] <= 1.0
    by_id = {c["id"]: c for c in seeds_run["cases"]}
    # Before P-06-1199's reply (23 September 2021) the seeds hold no Government reply at all, only
    # the ADSS Cymru letter: the drafter says so instead of citing a letter it received.
    assert [w["code"] for w in by_id["P-06-1199"]["warnings"]] == ["no_precedent"]
    # Before P-06-1161's reply only the Cardiff reply is a Government line, and it says nothing of
    # the Programme for Government commitments asked about: refused, naming what is missing.
    (refusal,) = [w["message"] for w in by_id["P-06-1161"]["warnings"] if w["code"] == "no_precedent"]
    assert "Programme" in refusal and "commitments" in refusal and not by_id["P-06-1161"]["citations"]
    assert by_id["WQ85953"]["citation_validity"] == 1.0 and by_id["WQ85953"]["citations"]
    assert summary["refusal_rate"] == round(2 / 3, 4)
    assert (
        summary["baselines"]["oracle_precedent"]["rougeL_f1"] >= summary["baselines"]["nearest_precedent"]["rougeL_f1"]
    )


def test_seed_cases_never_cite_their_own_or_later_documents(seeds_run: dict[str, Any]) -> None:
    own = {"WQ85953": "003_3828880d9c8d13ee", "P-06-1199": "000_13427d4b3c4b56d1", "P-06-1161": "002_013fdf69bcaa1894"}
    for case in seeds_run["cases"]:
        for cite in case["citations"]:
            assert cite["doc_id"] != own[case["id"]]
            assert date_int(cite["date"]) < date_int(case["date"])
        assert own[case["id"]] not in case["retrieved"]


def _dev_slice(tmp_path: Path, n_cases: int = 10) -> tuple[Path, Path]:
    """The first ten dev cases (January-February 2025) and the Education questions of the months
    before them, plus those of the cases' own months, so the no-leak rule has something to keep out."""
    require(WQ_DATA.exists() and DEV_CASES.exists(), f"shared data not found at {WQ_DATA.parent}")
    cases = [json.loads(line) for line in DEV_CASES.read_text().splitlines() if line.strip()]
    picked = sorted((c for c in cases if c["date"] <= "2025-02-01"), key=lambda c: (c["date"], c["id"]))[:n_cases]
    cases_path = tmp_path / "cases.jsonl"
    cases_path.write_text("".join(json.dumps(c) + "\n" for c in picked))
    corpus = tmp_path / "slice.jsonl.gz"
    with gzip.open(WQ_DATA, "rt", encoding="utf-8") as src, gzip.open(corpus, "wt", encoding="utf-8") as out:
        for line in src:
            rec = json.loads(line)
            if rec.get("asked_of") == EDUCATION[1] and "2024-10-01" <= rec["date"] <= "2025-02-01":
                out.write(line)
    return cases_path, corpus


@pytest.mark.slow  # an eval run over a slice of the real corpus
def test_dev_slice_runs_and_obeys_the_no_leak_rule(tmp_path: Path, embedder: Any) -> None:
    cases_path, corpus = _dev_slice(tmp_path)
    settings = Settings(store=tmp_path / "store")
    spec = CorpusSpec((str(corpus),), (EDUCATION,))
    result = run_eval(cases_path, spec, settings, embedder=embedder)
    assert validate_result(result) == []
    assert result["summary"]["n_cases"] == 10
    for case in result["cases"]:
        assert case["eligible_precedents"] > 0
        assert case["id"] not in case["retrieved"] and case["id"] != case["nearest_doc_id"]
        assert all(date_int(c["date"]) < date_int(case["date"]) for c in case["citations"])
    # The case's own answer is in the corpus and found by its own text without the filter, yet a
    # search under the no-leak filter can never return it, nor anything of its month or later.
    assistant = eval_assistant(spec, settings, embedder)
    for case in load_cases(cases_path):
        unfiltered = assistant.search(case.reference_answer, k=10)
        assert case.id in {h.doc_id for h in unfiltered}
        hits = assistant.search(
            case.reference_answer, k=50, filters=SearchFilters(as_of=case.date, exclude_doc_ids={case.id})
        )
        assert hits and all(h.doc_id != case.id and h.meta["date_int"] < date_int(case.date) for h in hits)


def test_eval_index_is_reused_between_runs(tmp_path: Path, embedder: Any, counting: Any) -> None:
    settings = Settings(store=tmp_path / "store")
    spec = CorpusSpec((str(SEEDS),))
    eval_assistant(spec, settings, counting)
    first = len(counting.texts)
    eval_assistant(spec, settings, counting)
    assert first > 0 and len(counting.texts) == first


def test_cli_eval_writes_json_report_and_compares(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "run.json"
    report = tmp_path / "report"
    args = ["eval", "--cases", str(SEED_CASES), "--corpus", str(SEEDS), "--store", str(tmp_path / "s")]
    result = runner.invoke(main, [*args, "--json", str(out), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "ROUGE-L F1" in result.output and (report / "report.md").is_file()
    data = json.loads(out.read_text())
    assert validate_result(data) == []
    worse = json.loads(out.read_text())
    worse["cases"][0]["rougeL_f1"] = 0.0
    worse["summary"]["rougeL_f1"] = 0.0
    (tmp_path / "worse.json").write_text(json.dumps(worse))
    compared = runner.invoke(main, ["eval", "compare", str(out), str(tmp_path / "worse.json")])
    assert compared.exit_code == 0, compared.output
    assert worse["cases"][0]["id"] in compared.output
