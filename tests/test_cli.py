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

RESULT_KEYS = {
    "doc_id",
    "chunk_id",
    "score",
    "kind",
    "ref",
    "date",
    "title",
    "author",
    "status",
    "superseded_by",
    "text",
    "start",
    "end",
}


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


# ---------------------------------------------------------------------------- usage errors, safe output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["school transport", "--k", "0"], "--k must be a whole number of 1 or more (got 0)"),
        (["school transport", "--k", "-3"], "--k must be a whole number of 1 or more (got -3)"),
        (["school transport", "--per-doc", "-1"], "--per-doc must be a whole number of 1 or more (got -1)"),
        (["school transport", "--per-doc", "0"], "--per-doc must be a whole number of 1 or more (got 0)"),
        ([""], "The search is empty"),
        (["  "], "The search is empty"),
        (["the of and what is it"], "has only common words"),
    ],
    ids=["k-zero", "k-negative", "per-doc-negative", "per-doc-zero", "empty", "blank", "stopwords"],
)
def test_search_refuses_what_it_cannot_rank_with_one_line_and_exit_code_2(
    tmp_path: Path, args: list[str], words: str
) -> None:
    code, out, err = run("search", *args, "--store", str(tmp_path / "store"))
    assert (code, out) == (2, ""), (code, out, err)
    assert err.strip() == f"Error: {err.strip().removeprefix('Error: ')}" and len(err.strip().splitlines()) == 1
    assert words in err


HOSTILE = (
    "\x1b]0;pwned\x07\x1b[2JSchool transport funding\x1b[31m for rural pupils\x1b[0m is reviewed each year.\r"
    "FAKE PROMPT $ \x9b31m\x08\n\tThe Minister answered in full.\n"
)
CONTROL = [chr(c) for c in [*range(0, 9), *range(11, 32), *range(127, 160)]]


def test_document_text_is_printed_without_control_characters(tmp_path: Path) -> None:
    (tmp_path / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    store = str(tmp_path / "store")
    assert run("ingest", str(tmp_path / "hostile.txt"), "--store", store)[0] == 0
    outputs = {
        "show": run("show", "hostile", "--store", store),
        "show --json": run("show", "hostile", "--store", store, "--json"),
        "search": run("search", "school transport funding", "--store", store),
        "search --json": run("search", "school transport funding", "--store", store, "--json"),
        "stats": run("stats", "--store", store),
        "draft": run("draft", "Will the Minister review school transport funding?", "--store", store),
    }
    for name, (code, out, err) in outputs.items():
        assert code == 0, (name, err)
        assert not [c for c in out + err if c in CONTROL], (name, out)
    shown = outputs["show"][1]
    assert "School transport funding for rural pupils" in shown and "\n\tThe Minister answered" in shown
    assert json.loads(outputs["show --json"][1])["text"].count("\x1b") == HOSTILE.count("\x1b")  # JSON keeps the data


def test_draft_to_a_missing_folder_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "dir"
    for option, name in (("--md", "x.md"), ("--docx", "x.docx")):
        code, _, err = run("draft", "Will the Minister fund school transport?", option, str(target / name))
        assert code == 1 and len(err.strip().splitlines()) == 1, err
        assert err.startswith("Error: Cannot write the") and str(target / name) in err and "Traceback" not in err
