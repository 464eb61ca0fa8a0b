"""The `ymateb` command line contract: ingest, search, stats, show, remove."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.cli import main

from .conftest import SEEDS, WQ_DATA, require

RESULT_KEYS = {"doc_id", "chunk_id", "score", "kind", "ref", "date", "title", "author", "text", "start", "end"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ingest_search_stats_show_remove(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    code, out, _ = run("ingest", str(SEEDS), "--store", store)
    assert code == 0 and "5 documents (5 new or changed, 0 unchanged)" in out
    code, out, _ = run("ingest", str(SEEDS), "--store", store, "--json")
    assert code == 0 and json.loads(out)["embedded"] == 0

    code, out, _ = run(
        "search",
        "why is there no independent review of children's services in Wales",
        "--store",
        store,
        "--json",
        "--k",
        "3",
    )
    results = json.loads(out)["results"]
    assert code == 0 and len(results) == 3 and set(results[0]) == RESULT_KEYS
    assert results[0]["ref"] == "WQ85953" and results[0]["date"] == "2022-08-30"
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)

    code, out, _ = run(
        "search",
        "children's services",
        "--kind",
        "petition_response",
        "--as-of",
        "2022-01-01",
        "--store",
        store,
        "--json",
    )
    assert code == 0 and {r["doc_id"] for r in json.loads(out)["results"]} == {"000_13427d4b3c4b56d1"}

    code, out, _ = run("stats", "--store", store, "--json")
    stats = json.loads(out)
    assert stats["documents"] == 5 and set(stats["by_kind"]) == {
        "petition_response",
        "written_question",
        "incoming_letter",
        "stakeholder_letter",
    }
    assert "MiniLM" in stats["embedding_model"] and store in stats["store"]

    code, out, _ = run("show", "003_3828880d9c8d13ee", "--store", store, "--json")
    shown = json.loads(out)
    assert shown["metadata"]["ref"] == "WQ85953" and shown["text"].startswith("WQ85953")

    assert run("remove", "003_3828880d9c8d13ee", "--store", store)[0] == 0
    code, _, err = run("show", "003_3828880d9c8d13ee", "--store", store)
    assert code != 0 and "No document" in err


def test_bad_files_are_listed_and_the_rest_ingested(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text("The Minister answered the question about school transport funding in full.")
    (corpus / "empty.txt").write_text("   \n")
    (corpus / "binary.pdf").write_bytes(b"\x00\x01\x02 not a pdf at all")
    (corpus / "latin1.txt").write_bytes("Caf\xe9 society and school meals".encode("latin-1"))
    code, out, err = run("ingest", str(corpus), "--store", str(tmp_path / "store"))
    assert code == 1
    assert "1 new or changed" in out and "3 skipped" in out
    skipped = [line for line in err.splitlines() if line.strip().startswith("skipped")]
    assert len(skipped) == 3 and all(len(line) < 300 for line in skipped)
    assert any("empty" in line for line in skipped) and any("UTF-8" in line for line in skipped)


def test_bad_date_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("search", "x", "--as-of", "30/08/2022", "--store", str(tmp_path / "s"))
    assert code != 0 and "YYYY-MM-DD" in err and "Traceback" not in err


@pytest.mark.slow  # 150 real records through MiniLM: an end-to-end run
def test_ingest_a_subset_of_the_uk_written_questions(tmp_path: Path) -> None:
    require(WQ_DATA.exists(), f"shared data not found at {WQ_DATA}")
    subset = tmp_path / "subset.jsonl.gz"
    with gzip.open(WQ_DATA, "rt", encoding="utf-8") as src, gzip.open(subset, "wt", encoding="utf-8") as out:
        out.writelines(itertools.islice(src, 150))
    store = str(tmp_path / "store")
    code, out, _ = run("ingest", str(subset), "--store", store, "--json")
    summary = json.loads(out)
    assert code == 0 and summary["documents"] == 150 and summary["chunks"] >= 150
    first = json.loads(gzip.open(subset, "rt").readline())
    code, out, _ = run("search", first["question"], "--store", store, "--json", "--k", "1")
    assert json.loads(out)["results"][0]["doc_id"] == first["id"]
