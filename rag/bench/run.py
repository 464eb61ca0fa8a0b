"""The measurements and the run: ingest, re-ingest, search and draft latency, server mode, the plain peer."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import platform
import resource
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.assistant import Assistant, build_assistant
from rag.errors import ConfigError, StoreError
from rag.index.base import Embedder
from rag.index.chroma import ChromaEmbeddingFunction
from rag.index.embedder import MODEL_NAME, default_embedder
from rag.index.server import chroma_server
from rag.ingest.chunking import chunk_document
from rag.ingest.records import load_records
from rag.settings import Settings
from rag.text.dates import date_int
from rag.types import Document, SearchFilters

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "uk-commons-wq-2023-09_2025-06.jsonl.gz"
DEFAULT_CASES = REPO.parent / "shared" / "eval" / "uk-dfe-dev-cases.jsonl"
DEFAULT_SIZES = (1000, 5000, 24386)
PEER_ASKED_OF = "Secretary of State for Education"  # the dev cases' department: the peer's corpus
TARGETS = {
    "ingest_ratio": ">= 0.90 of raw model speed",
    "reingest_s": "< 60 s for 24k unchanged documents",
    "search_p95_ms": "< 150 ms at 24k documents",
    "draft_p95_ms": "< 1500 ms at 24k documents",
    "recall_ratio": ">= 1.2x the plain pipeline",
}

Log = Callable[[str], None]


@dataclass
class BenchConfig:
    corpus: Path = DEFAULT_CORPUS
    sizes: tuple[int, ...] = DEFAULT_SIZES
    directory: Path = Path(".ymateb/bench")
    cases: Path | None = DEFAULT_CASES
    queries: int = 60  # timed searches per size
    drafts: int = 20  # timed offline drafts per size
    raw_sample: int = 384  # chunks re-embedded by the bare model per size
    server: bool = True
    peer: bool = True
    peer_asked_of: str = PEER_ASKED_OF
    extra: dict[str, Any] = field(default_factory=dict)


# ---- small helpers ---------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 2) if values else None


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


def _timed_cpu(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, CPU seconds of this process across all its threads). On a shared,
    busy machine the CPU figure is the stable one: other processes' load does not inflate it."""
    cpu = time.process_time()
    out, wall = _timed(fn)
    return out, wall, time.process_time() - cpu


def _rate(n: float, seconds: float) -> float | None:
    return round(n / seconds, 2) if seconds > 0 and n else None


def machine() -> dict[str, Any]:
    import chromadb
    import onnxruntime

    try:
        import psutil

        mem_gb = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:  # pragma: no cover - psutil is a dependency
        mem_gb = None
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "chromadb": chromadb.__version__,
        "onnxruntime": onnxruntime.__version__,
        "model": MODEL_NAME,
        "load_avg_at_start": os.getloadavg()[0],
    }


def _corpus_docs(path: Path, limit: int | None) -> Iterator[Document]:
    for item in itertools.islice(load_records(path), limit):
        if isinstance(item, Document):
            yield item


def _queries(cfg: BenchConfig, docs: list[Document]) -> list[tuple[str, str | None]]:
    """(text, as_of) pairs: the dev cases' questions, or the corpus's own questions."""
    from rag.drafting.intake import parse_request
    from rag.evaluation.cases import load_cases

    if cfg.cases and Path(cfg.cases).is_file():
        pairs: list[tuple[str, str | None]] = [(c.question, c.date) for c in load_cases(cfg.cases)]
    else:
        pairs = [(d.text[: d.meta.answer_start or 400], d.meta.date) for d in docs]
    out: list[tuple[str, str | None]] = []
    for text, as_of in pairs:
        ask = parse_request(text, kind="written_question", as_of=as_of).ask or text
        out.append((ask, as_of))
    return out


# ---- chroma run ------------------------------------------------------------------------------


# ---- the measurements ------------------------------------------------------------------------


def search_latency(assistant: Assistant, queries: list[tuple[str, str | None]]) -> dict[str, Any]:
    """Hybrid search with filters (as-of date and kind), after one warm-up query."""
    filters = [SearchFilters(as_of=as_of, kinds=["written_question"]) for _, as_of in queries]
    if queries:
        assistant.search(queries[0][0], k=5, filters=filters[0])
    times = []
    for (text, _), f in zip(queries, filters):
        _, dt = _timed(lambda t=text, f=f: assistant.search(t, k=5, filters=f))  # type: ignore[misc]
        times.append(dt * 1000)
    return {"search_p50_ms": percentile(times, 50), "search_p95_ms": percentile(times, 95), "searches": len(times)}


def draft_latency(assistant: Assistant, queries: list[tuple[str, str | None]]) -> dict[str, Any]:
    """Offline drafts (retrieve, compose, check citations) of the first few requests."""
    from rag.drafting.intake import parse_request

    requests = [parse_request(text, kind="written_question", as_of=as_of) for text, as_of in queries]
    times = []
    for request in requests:
        _, dt = _timed(lambda r=request: assistant.draft(r, "offline"))  # type: ignore[misc]
        times.append(dt * 1000)
    return {"draft_p50_ms": percentile(times, 50), "draft_p95_ms": percentile(times, 95), "drafts": len(times)}


def raw_model_speed(embedder: Embedder, texts: list[str], sample: int) -> dict[str, Any]:
    """Tokenize + ONNX forward + pooling alone, on an even sample of the chunks just ingested."""
    if not texts:
        return {"raw_model_chunks_per_s": None, "raw_sample": 0}
    step = max(1, len(texts) // sample)
    picked = texts[::step][:sample]
    bare = getattr(embedder, "embed_uncached", embedder.embed)
    _, dt, cpu = _timed_cpu(lambda: bare(picked))
    return {
        "raw_model_chunks_per_s": _rate(len(picked), dt),
        "raw_model_chunks_per_cpu_s": _rate(len(picked), cpu),
        "raw_sample": len(picked),
    }


def ingest_step(assistant: Assistant, cfg: BenchConfig, n: int, saved: dict[str, Any], log: Log) -> dict[str, Any]:
    """Grow the store to the first `n` documents; only the new ones are embedded."""
    summary, dt, cpu = _timed_cpu(lambda: assistant.ingest([], items=_corpus_docs(cfg.corpus, n)))
    if summary.embedded == 0 and saved.get("ingest_chunks_per_s"):
        log(f"  {n} docs already indexed: reusing the ingest figures measured when they were embedded")
        return dict({k: v for k, v in saved.items() if k.startswith(("ingest", "raw_"))}, ingest_reused=True)
    log(f"  ingested {summary.written} docs, {summary.embedded} chunks in {dt:.1f} s; measuring the bare model")
    written = set(summary.doc_ids)
    texts = [c.text for d in _corpus_docs(cfg.corpus, n) if d.doc_id in written for c in chunk_document(d)]
    raw = raw_model_speed(assistant.embedder, texts, cfg.raw_sample)
    out = {
        "ingest_s": round(dt, 2),
        "ingest_docs": summary.written,
        "ingest_chunks": summary.embedded,
        "ingest_docs_per_s": _rate(summary.written, dt),
        "ingest_chunks_per_s": _rate(summary.embedded, dt),
        "ingest_cpu_s": round(cpu, 2),
        "ingest_chunks_per_cpu_s": _rate(summary.embedded, cpu),
        **raw,
        "ingest_reused": False,
    }
    out["ingest_ratio"] = _ratio(out["ingest_chunks_per_s"], out["raw_model_chunks_per_s"])
    out["ingest_ratio_cpu"] = _ratio(out["ingest_chunks_per_cpu_s"], out["raw_model_chunks_per_cpu_s"])
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def reingest_step(assistant: Assistant, cfg: BenchConfig, n: int) -> dict[str, Any]:
    """The unchanged corpus again, read from the file: nothing may be embedded."""
    summary, dt = _timed(lambda: assistant.ingest([], items=_corpus_docs(cfg.corpus, n)))
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
        _, rebuild = _timed(assistant.lexical)
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
    _save_state(cfg, state)
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
            _save_state(cfg, state)
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


# ---- the plain peer --------------------------------------------------------------------------


def peer_ingest(
    cfg: BenchConfig, docs: list[Document], embedder: Embedder, state: dict[str, Any], log: Log
) -> tuple[Any, dict[str, Any]]:
    """RecursiveCharacterTextSplitter (defaults) + a Chroma collection embedding through Chroma's
    own embedding-function path, fed the same local model."""
    import chromadb
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    ids, texts, metas = [], [], []
    for d in docs:
        for i, piece in enumerate(splitter.split_text(d.text)):
            ids.append(f"{d.doc_id}:{i}")
            texts.append(piece)
            metas.append({"doc_id": d.doc_id, "date_int": date_int(d.meta.date)})
    client = chromadb.PersistentClient(
        path=str(cfg.directory / "peer"), settings=chromadb.Settings(anonymized_telemetry=False)
    )
    name = f"peer_{len(docs)}"
    collection = client.get_or_create_collection(
        name,
        embedding_function=ChromaEmbeddingFunction(embedder),  # type: ignore[arg-type]  # chromadb types ndarray rows narrower
        configuration={"hnsw": {"space": "cosine"}},  # type: ignore[arg-type]
    )
    saved = state.get("peer", {})
    if collection.count() == len(ids) and saved.get("name") == name:
        log(f"  peer: {len(ids)} chunks already indexed: reusing its ingest figures")
        return collection, dict(saved, peer_ingest_reused=True)

    def add_all() -> None:
        for s in range(0, len(ids), 256):  # Chroma calls the embedding function on each upsert()
            collection.upsert(ids=ids[s : s + 256], documents=texts[s : s + 256], metadatas=metas[s : s + 256])  # type: ignore[arg-type]

    _, dt, cpu = _timed_cpu(add_all)
    out = {
        "name": name,
        "peer_docs": len(docs),
        "peer_chunks": len(ids),
        "peer_ingest_s": round(dt, 2),
        "peer_ingest_docs_per_s": _rate(len(docs), dt),
        "peer_ingest_chunks_per_s": _rate(len(ids), dt),
        "peer_ingest_chunks_per_cpu_s": _rate(len(ids), cpu),
        "peer_ingest_reused": False,
    }
    state["peer"] = out
    _save_state(cfg, state)
    return collection, out


def _peer_top(collection: Any, question: str, where: dict[str, Any] | None) -> list[str]:
    res = collection.query(query_texts=[question], n_results=5, where=where, include=["metadatas"])
    return [str(m["doc_id"]) for m in res["metadatas"][0]]


def recall_comparison(assistant: Assistant, collection: Any, docs: list[Document], cfg: BenchConfig) -> dict[str, Any]:
    """recall@5 of the best eligible precedent (highest ROUGE-L vs the reference) on the dev cases."""
    from rag.drafting.intake import parse_request
    from rag.evaluation.cases import eligible, load_cases
    from rag.evaluation.metrics import best_precedent

    if not cfg.cases or not Path(cfg.cases).is_file():
        return {"recall_cases": 0}
    ours, peer, peer_nofilter = [], [], []
    needle = cfg.peer_asked_of.lower()
    for case in load_cases(cfg.cases):
        candidates = {d.doc_id: d.text[d.meta.answer_start :] for d in docs if eligible(d.meta.date, d.doc_id, case)}
        best = best_precedent(case.reference_answer, candidates)
        if best is None:
            continue
        ask = parse_request(case.question, kind="written_question", as_of=case.date).ask or case.question
        filters = SearchFilters(as_of=case.date, author=needle, exclude_doc_ids={case.id})
        mine = [p.doc_id for p in assistant.search(ask, k=5, filters=filters, per_doc=1)]
        ours.append(best[0] in mine)
        peer.append(best[0] in _peer_top(collection, case.question, {"date_int": {"$lt": date_int(case.date)}}))
        peer_nofilter.append(best[0] in _peer_top(collection, case.question, None))
    n = len(ours)
    out: dict[str, Any] = {
        "recall_cases": n,
        "ours_recall_at_5": round(sum(ours) / n, 3) if n else None,
        "peer_recall_at_5": round(sum(peer) / n, 3) if n else None,
        "peer_nofilter_recall_at_5": round(sum(peer_nofilter) / n, 3) if n else None,
    }
    if n and sum(peer):
        out["recall_ratio"] = round(sum(ours) / sum(peer), 2)
    return out


# ---- the run ---------------------------------------------------------------------------------


def _state_path(cfg: BenchConfig) -> Path:
    return cfg.directory / "state.json"


def _load_state(cfg: BenchConfig) -> dict[str, Any]:
    stat = cfg.corpus.stat()
    key = f"{cfg.corpus.resolve()}|{stat.st_size}|{int(stat.st_mtime)}"
    try:
        state = json.loads(_state_path(cfg).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    if state.get("corpus_key") != key:  # another corpus: nothing recorded applies
        state = {"corpus_key": key}
    return state


def _save_state(cfg: BenchConfig, state: dict[str, Any]) -> None:
    tmp = _state_path(cfg).with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
    os.replace(tmp, _state_path(cfg))


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
    state = _load_state(cfg)
    # the index is a benchmark fixture: it must not be stale from a different corpus
    assistant = build_assistant(Settings(store=cfg.directory / "store"), embedder=embedder)
    docs = list(_corpus_docs(cfg.corpus, sizes[-1]))
    queries = _queries(cfg, docs)
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
            peer[f"{key.replace('ingest_chunks', 'ingest_speed')}_ratio"] = _ratio(ours_speed, peer.get(peer_key))
        result["peer"] = peer
        log(
            f"  recall@5: ours {peer.get('ours_recall_at_5')} vs peer {peer.get('peer_recall_at_5')} "
            f"(no date filter {peer.get('peer_nofilter_recall_at_5')}) over {peer.get('recall_cases')} cases"
        )
    result["peak_rss_mb"] = peak_rss_mb()
    return result
