"""A tiny smoke run of `ymateb bench` (30 records): the JSON has every key; no speed is asserted."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rag.bench.config import BenchConfig, percentile
from rag.bench.report import format_table
from rag.bench.run import run_bench
from rag.cli import main

from .conftest import DEV_CASES, WQ_DATA, require

RUN_KEYS = {
    "docs",
    "chunks",
    "ingest_chunks_per_s",
    "raw_model_chunks_per_s",
    "ingest_ratio",
    "reingest_s",
    "reingest_embedded",
    "search_p50_ms",
    "search_p95_ms",
    "draft_p50_ms",
    "draft_p95_ms",
    "peak_rss_mb",
    "ingest_docs_per_s",
    "ingest_ratio_cpu",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    require(WQ_DATA.is_file(), f"the shared corpus {WQ_DATA} is missing")
    path = tmp_path / "wq30.jsonl"
    with gzip.open(WQ_DATA, "rb") as src:
        path.write_bytes(b"".join(itertools.islice(src, 30)))
    return path


def _asked_of(corpus: Path) -> str:
    return str(json.loads(corpus.read_text(encoding="utf-8").splitlines()[0])["asked_of"])


@pytest.mark.slow  # a whole benchmark run, twice
def test_bench_smoke_grows_the_store_and_reports_every_key(corpus: Path, tmp_path: Path, embedder: object) -> None:
    require(DEV_CASES.is_file(), f"the dev cases {DEV_CASES} are missing")
    cfg = BenchConfig(
        corpus=corpus,
        sizes=(10, 30),
        directory=tmp_path / "bench",
        cases=DEV_CASES,
        queries=4,
        drafts=2,
        raw_sample=16,
        server=False,
        peer_asked_of=_asked_of(corpus),
    )
    result = run_bench(cfg, embedder=embedder, log=lambda _: None)  # type: ignore[arg-type]
    assert [r["docs"] for r in result["runs"]] == [10, 30]
    for run in result["runs"]:
        assert RUN_KEYS <= set(run), RUN_KEYS - set(run)
        assert run["reingest_embedded"] == 0 and run["chunks"] > 0
    # the 30-document step embedded only the 20 new documents
    assert result["runs"][1]["ingest_docs"] == 20
    peer = result["peer"]
    assert {"peer_ingest_chunks_per_s", "peer_recall_at_5", "ours_recall_at_5", "recall_cases"} <= set(peer)
    assert "| docs |" in format_table(result)

    again = run_bench(cfg, embedder=embedder, log=lambda _: None)  # type: ignore[arg-type]
    assert all(r["ingest_reused"] for r in again["runs"])  # nothing re-embedded: figures come from state
    assert again["peer"]["peer_ingest_reused"]


@pytest.mark.slow  # a benchmark run through the CLI, end to end
def test_bench_cli_writes_json(corpus: Path, tmp_path: Path) -> None:
    out, md = tmp_path / "bench.json", tmp_path / "BENCHMARKS.md"
    args = [
        "bench",
        "--corpus",
        str(corpus),
        "--docs",
        "12",
        "--dir",
        str(tmp_path / "b"),
        "--queries",
        "3",
        "--drafts",
        "1",
        "--no-server",
        "--no-peer",
        "--cases",
        str(tmp_path / "none.jsonl"),
        "--json",
        str(out),
        "--markdown",
        str(md),
    ]
    md.write_text("# Benchmarks\n\nKept text.\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\nAfter.\n")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert RUN_KEYS <= set(data["runs"][0]) and data["runs"][0]["docs"] == 12
    assert "search p95 ms" in result.output
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nKept text.") and text.rstrip().endswith("After.")
    assert "old" not in text and "| search p95 at 12 docs | < 150 ms |" in text and "Command: `ymateb" in text


def test_percentile() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([], 95) is None


@pytest.mark.slow  # builds a small index twice over and starts `ymateb search` cold at each size
def test_bench_scale_measures_each_size_and_labels_the_simulated_ones(
    corpus: Path, tmp_path: Path, embedder: object
) -> None:
    from rag.bench.scale import ScaleConfig, run_scale

    cfg = ScaleConfig(corpus=corpus, directory=tmp_path / "scale", replicas=2, checkpoints=[1, 2], queries=5)
    result = run_scale(cfg, embedder, log=lambda _m: None)  # type: ignore[arg-type]
    assert result["simulated"] is True and result["base_documents"] == 30
    first, second = result["runs"]
    assert (first["documents"], first["simulated"]) == (30, False)
    assert (second["documents"], second["simulated"]) == (61, True)  # two copies and the first check document
    assert second["chunks"] > first["chunks"]
    for run in result["runs"]:
        assert run["searches"] == 5 and run["search_p95_ms"] >= run["search_p50_ms"] > 0
        assert 0 < run["one_doc_embed_s"] < run["one_doc_ingest_s"]
        assert run["cold_search_ok"] and run["cold_search_rss_mb"] > 0 and run["cold_first_query_s"] > 0
