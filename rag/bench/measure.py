"""The measurements: ingest against the bare model, re-ingest, search and draft latency, server mode."""

from __future__ import annotations

import shutil
from typing import Any

from rag.assistant import Assistant, build_assistant
from rag.bench.config import BenchConfig, Log, corpus_docs, peak_rss_mb, percentile, rate, save_state, timed, timed_cpu
from rag.index.base import Embedder, embed_once
from rag.index.server import chroma_server
from rag.ingest.chunking import chunk_document
from rag.settings import Settings
from rag.types import SearchFilters

# ---- the measurements ------------------------------------------------------------------------


def search_latency(assistant: Assistant, queries: list[tuple[str, str | None]]) -> dict[str, Any]:
    """Hybrid search with filters (as-of date and kind), after one warm-up query."""
    filters = [SearchFilters(as_of=as_of, kinds=["written_question"]) for _, as_of in queries]
    if queries:
        assistant.search(queries[0][0], k=5, filters=filters[0])
    times = []
    for (text, _), f in zip(queries, filters):
        _, dt = timed(lambda t=text, f=f: assistant.search(t, k=5, filters=f))  # type: ignore[misc]
        times.append(dt * 1000)
    return {"search_p50_ms": percentile(times, 50), "search_p95_ms": percentile(times, 95), "searches": len(times)}


def draft_latency(assistant: Assistant, queries: list[tuple[str, str | None]]) -> dict[str, Any]:
    """Offline drafts (retrieve, compose, check citations) of the first few requests."""
    from rag.drafting.intake import parse_request

    requests = [parse_request(text, kind="written_question", as_of=as_of) for text, as_of in queries]
    times = []
    for request in requests:
        _, dt = timed(lambda r=request: assistant.draft(r, "offline"))  # type: ignore[misc]
        times.append(dt * 1000)
    return {"draft_p50_ms": percentile(times, 50), "draft_p95_ms": percentile(times, 95), "drafts": len(times)}


def raw_model_speed(embedder: Embedder, texts: list[str], sample: int) -> dict[str, Any]:
    """Tokenize + ONNX forward + pooling alone, on an even sample of the chunks just ingested."""
    if not texts:
        return {"raw_model_chunks_per_s": None, "raw_sample": 0}
    step = max(1, len(texts) // sample)
    picked = texts[::step][:sample]
    _, dt, cpu = timed_cpu(lambda: embed_once(embedder, picked))
    return {
        "raw_model_chunks_per_s": rate(len(picked), dt),
        "raw_model_chunks_per_cpu_s": rate(len(picked), cpu),
        "raw_sample": len(picked),
    }


def ingest_step(assistant: Assistant, cfg: BenchConfig, n: int, saved: dict[str, Any], log: Log) -> dict[str, Any]:
    """Grow the store to the first `n` documents; only the new ones are embedded."""
    summary, dt, cpu = timed_cpu(lambda: assistant.ingest([], items=corpus_docs(cfg.corpus, n)))
    if summary.embedded == 0 and saved.get("ingest_chunks_per_s"):
        log(f"  {n} docs already indexed: reusing the ingest figures measured when they were embedded")
        return dict({k: v for k, v in saved.items() if k.startswith(("ingest", "raw_"))}, ingest_reused=True)
    log(f"  ingested {summary.written} docs, {summary.embedded} chunks in {dt:.1f} s; measuring the bare model")
    written = set(summary.doc_ids)
    texts = [c.text for d in corpus_docs(cfg.corpus, n) if d.doc_id in written for c in chunk_document(d)]
    raw = raw_model_speed(assistant.embedder, texts, cfg.raw_sample)
    out = {
        "ingest_s": round(dt, 2),
        "ingest_docs": summary.written,
        "ingest_chunks": summary.embedded,
        "ingest_docs_per_s": rate(summary.written, dt),
        "ingest_chunks_per_s": rate(summary.embedded, dt),
        "ingest_cpu_s": round(cpu, 2),
        "ingest_chunks_per_cpu_s": rate(summary.embedded, cpu),
        **raw,
        "ingest_reused": False,
    }
    out["ingest_ratio"] = ratio(out["ingest_chunks_per_s"], out["raw_model_chunks_per_s"])
    out["ingest_ratio_cpu"] = ratio(out["ingest_chunks_per_cpu_s"], out["raw_model_chunks_per_cpu_s"])
    return out


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def reingest_step(assistant: Assistant, cfg: BenchConfig, n: int) -> dict[str, Any]:
    """The unchanged corpus again, read from the file: nothing may be embedded."""
    summary, dt = timed(lambda: assistant.ingest([], items=corpus_docs(cfg.corpus, n)))
    return {"reingest_s": round(dt, 2), "reingest_embedded": summary.embedded}


def server_search(
    cfg: BenchConfig, embedder: Embedder, queries: list[tuple[str, str | None]], log: Log
) -> dict[str, Any]:
    """The same searches against `chroma run` serving a copy of the store, BM25 rebuilt from it."""
    copy = cfg.directory / "server-store"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(cfg.directory / "store", copy)
    with chroma_server(copy, cfg.directory / "chroma-server.log") as url:
        settings = Settings(store=cfg.directory / "server-cache", chroma_url=url)
        shutil.rmtree(settings.store, ignore_errors=True)
        assistant = build_assistant(settings, embedder=embedder)
        _, rebuild = timed(assistant.lexical)
        log(f"  server: BM25 side rebuilt from Chroma in {rebuild:.1f} s")
        lat = search_latency(assistant, queries)
    shutil.rmtree(copy, ignore_errors=True)
    return {
        "server_search_p50_ms": lat["search_p50_ms"],
        "server_search_p95_ms": lat["search_p95_ms"],
        "server_bm25_rebuild_s": round(rebuild, 2),
    }


def run_size(
    assistant: Assistant,
    cfg: BenchConfig,
    n: int,
    state: dict[str, Any],
    queries: list[tuple[str, str | None]],
    log: Log,
) -> dict[str, Any]:
    log(f"== {n} documents")
    run: dict[str, Any] = {"docs": n}
    run.update(ingest_step(assistant, cfg, n, state.get(str(n), {}), log))
    state[str(n)] = {**state.get(str(n), {}), **run}
    save_state(cfg, state)
    store_docs, chunks = assistant.store.counts()
    run.update(chunks=chunks, store_docs=store_docs)
    run.update(reingest_step(assistant, cfg, n))
    log(f"  re-ingest {run['reingest_s']} s, {run['reingest_embedded']} embedded")
    saved = state.get(str(n), {})
    if store_docs > n and saved.get("search_p95_ms") is not None:
        log(f"  the store has grown past {n} docs: reusing the latencies measured at {n}")
        run.update({k: saved[k] for k in _LATENCY_KEYS if k in saved}, latency_reused=True)
    else:
        _cold(assistant.embedder)
        run.update(search_latency(assistant, queries[: cfg.queries]))
        _cold(assistant.embedder)
        run.update(draft_latency(assistant, queries[: cfg.drafts]))
        run.update(latency_at_docs=store_docs, latency_reused=False)
        if store_docs <= n:
            state[str(n)].update({k: run[k] for k in _LATENCY_KEYS})
            save_state(cfg, state)
    log(
        f"  search p50/p95 {run['search_p50_ms']}/{run['search_p95_ms']} ms, "
        f"draft p50/p95 {run['draft_p50_ms']}/{run['draft_p95_ms']} ms (over {run.get('latency_at_docs', n)} docs)"
    )
    run["peak_rss_mb"] = peak_rss_mb()
    return run


_LATENCY_KEYS = (
    "search_p50_ms",
    "search_p95_ms",
    "draft_p50_ms",
    "draft_p95_ms",
    "searches",
    "drafts",
    "latency_at_docs",
)


def _cold(embedder: Embedder) -> None:
    """Empty the embedder's text cache, so repeated benchmark queries pay for their embedding."""
    cache = getattr(embedder, "_cache", None)  # MiniLMEmbedder's LRU of recent texts
    if cache is not None:
        with embedder._lock:  # type: ignore[attr-defined]
            cache.clear()
