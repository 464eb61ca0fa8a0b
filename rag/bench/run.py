"""The run: every corpus size in turn, in one persistent directory, its state kept for reruns."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

from rag.assistant import build_assistant
from rag.bench.config import TARGETS, BenchConfig, Log, bench_queries, corpus_docs, load_state, machine, peak_rss_mb
from rag.bench.measure import ratio, run_size, server_search
from rag.bench.peer import peer_ingest, recall_comparison
from rag.errors import ConfigError, StoreError
from rag.index.base import Embedder
from rag.index.embedder import default_embedder
from rag.settings import Settings

# ---- the run ---------------------------------------------------------------------------------


def _count_records(path: Path) -> int:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def run_bench(cfg: BenchConfig, embedder: Embedder | None = None, log: Log = print) -> dict[str, Any]:
    if not cfg.corpus.is_file():
        raise ConfigError(f"Benchmark corpus not found: {cfg.corpus}")
    cfg.directory.mkdir(parents=True, exist_ok=True)
    embedder = embedder or default_embedder()
    total = _count_records(cfg.corpus)
    sizes = sorted({min(n, total) for n in cfg.sizes if n > 0})
    state = load_state(cfg)
    # the index is a benchmark fixture: it must not be stale from a different corpus
    assistant = build_assistant(Settings(store=cfg.directory / "store"), embedder=embedder)
    docs = list(corpus_docs(cfg.corpus, sizes[-1]))
    queries = bench_queries(cfg, docs)
    result: dict[str, Any] = {
        "machine": machine(),
        "corpus": str(cfg.corpus),
        "sizes": sizes,
        "targets": TARGETS,
        "runs": [],
    }
    for n in sizes:
        result["runs"].append(run_size(assistant, cfg, n, state, queries, log))
    last = result["runs"][-1]
    if cfg.server:
        try:
            last.update(server_search(cfg, embedder, queries[: cfg.queries], log))
        except (ConfigError, StoreError) as exc:
            log(f"  server: skipped ({exc})")
            last["server_error"] = str(exc)
    if cfg.peer:
        subset = [d for d in docs if (d.meta.asked_of or "").lower() == cfg.peer_asked_of.lower()]
        log(f"== peer over {len(subset)} documents asked of {cfg.peer_asked_of}")
        collection, peer = peer_ingest(cfg, subset, embedder, state, log)
        peer.update(recall_comparison(assistant, collection, subset, cfg))
        for key, peer_key in (
            ("ingest_chunks_per_s", "peer_ingest_chunks_per_s"),
            ("ingest_chunks_per_cpu_s", "peer_ingest_chunks_per_cpu_s"),
        ):
            ours_speed = next((r[key] for r in reversed(result["runs"]) if r.get(key)), None)
            peer[f"{key.replace('ingest_chunks', 'ingest_speed')}ratio"] = ratio(ours_speed, peer.get(peer_key))
        result["peer"] = peer
        log(
            f"  recall@5: ours {peer.get('ours_recall_at_5')} vs peer {peer.get('peer_recall_at_5')} "
            f"(no date filter {peer.get('peer_nofilter_recall_at_5')}) over {peer.get('recall_cases')} cases"
        )
    result["peak_rss_mb"] = peak_rss_mb()
    return result
