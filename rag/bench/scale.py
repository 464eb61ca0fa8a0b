"""The scale run: the real 24,386-document corpus, then a simulated ten times larger index.

SIMULATED, and labelled so everywhere it is reported: past the real corpus, documents are the real
ones replicated (ids `<id>~r<n>`, same text), and every vector (real or replica) comes from the
hashed bag-of-words embedder, not MiniLM, with a little noise per replica so no two are identical.
Embedding 400k chunks with MiniLM would take over three hours here; what the run measures (how
writes, search and start-up cost grow with the index) depends on the index's size, not on which
model made the vectors. The one-document ingest embeds its document with MiniLM, as a user's would.

At each size it measures, from a fresh process where it matters:
  - search latency (hybrid, with an as-of date and a kind filter; query vectors precomputed);
  - one new document ingested with MiniLM: wall time, its embedding time, and the rest;
  - `ymateb search` from cold (a new process): wall time and peak RSS, and what of it is the query;
  - the store's size on disk and the build process's peak RSS.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.bench.config import Log, corpus_docs, peak_rss_mb, percentile
from rag.index.base import Embedder
from rag.index.fakes import HashEmbedder
from rag.ingest.chunking import chunk_document
from rag.settings import Settings
from rag.types import Chunk, DocMeta, Document, SearchFilters, chunk_id_for

WRITE_CHUNKS = 4000  # chunks per write batch while building (the build is a fixture, not a measurement)
NOISE = 0.05  # per-replica noise added to each vector before it is normalised again


@dataclass
class ScaleConfig:
    corpus: Path
    directory: Path
    replicas: int = 10  # the largest size is this many copies of the corpus
    checkpoints: list[int] = field(default_factory=lambda: [1, 10])  # sizes (in copies) to measure at
    queries: int = 100
    server: bool = True  # also measure at the largest checkpoint through `chroma run` serving the store


def run_scale(cfg: ScaleConfig, minilm: Embedder, log: Log = print) -> dict[str, Any]:
    from rag.assistant import build_assistant

    cfg.directory.mkdir(parents=True, exist_ok=True)
    base = list(corpus_docs(cfg.corpus, 10**9))
    log(f"== scale: {len(base)} documents, up to {cfg.replicas} copies (SIMULATED past the first)")
    chunks = {d.doc_id: chunk_document(d) for d in base}
    hashed = HashEmbedder()
    started = time.perf_counter()
    texts = [c.text for d in base for c in chunks[d.doc_id]]
    vectors = hashed.embed(texts)
    log(f"  hashed vectors for {len(texts)} chunks in {time.perf_counter() - started:.1f} s")
    store_dir = cfg.directory / "store"
    settings = Settings(store=store_dir)
    builder = build_assistant(settings, embedder=hashed)
    have = builder.store.counts()[0]
    queries = _queries(base, cfg.queries)
    runs = []
    for copies in range(1, cfg.replicas + 1):
        if have < copies * len(base):
            t0 = time.perf_counter()
            for docs, part, vecs in _batches(base, chunks, vectors, copies - 1):
                builder.index.write(docs, part, vecs)
            log(f"  copy {copies}: written in {time.perf_counter() - t0:.1f} s")
        if copies in cfg.checkpoints:
            runs.append(_measure(cfg, settings, base, queries, minilm, copies, log))
            runs[-1]["build_peak_rss_mb"] = peak_rss_mb()
    if cfg.server and runs:
        del builder
        runs[-1].update(_through_server(cfg, store_dir, queries, log))
    return {"simulated": True, "base_documents": len(base), "runs": runs}


def _through_server(cfg: ScaleConfig, store_dir: Path, queries: list[tuple[str, str]], log: Log) -> dict[str, Any]:
    """The same index served by `chroma run`: a new machine's first catch-up (its BM25 side built
    from the server), then search latency, and the server's resident memory."""
    import shutil

    from rag.assistant import build_assistant
    from rag.index.server import free_port, start_chroma_server, stop_chroma_server

    port = free_port()
    proc = start_chroma_server(store_dir, port, cfg.directory / "chroma-server.log", wait=600)
    try:
        settings = Settings(store=cfg.directory / "server-client", chroma_url=f"http://127.0.0.1:{port}")
        shutil.rmtree(settings.store, ignore_errors=True)
        t0 = time.perf_counter()
        client = build_assistant(settings, embedder=HashEmbedder())
        client.lexical()
        catch_up = time.perf_counter() - t0
        lat = _search_latency(client, queries)
        rss = _rss_mb(proc.pid)
    finally:
        stop_chroma_server(proc)
    log(
        f"  server: first catch-up {catch_up:.1f} s; search p50 {lat['search_p50_ms']} ms, "
        f"p95 {lat['search_p95_ms']} ms; server RSS {rss} MB"
    )
    return {
        "server_first_catch_up_s": round(catch_up, 1),
        "server_search_p50_ms": lat["search_p50_ms"],
        "server_search_p95_ms": lat["search_p95_ms"],
        "server_rss_mb": rss,
    }


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):  # the peak resident set
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def _queries(base: list[Document], n: int) -> list[tuple[str, str]]:
    """Questions from the later half of the corpus, each searched as of its own date (so about
    half the index or more is eligible, as for a real new question)."""
    later = sorted(base, key=lambda d: d.meta.date or "")[len(base) // 2 :]
    picked = later[:: max(1, len(later) // n)][:n]
    return [(d.text[: d.meta.answer_start or 300][:300], d.meta.date or "2025-06-30") for d in picked]


def _batches(
    base: list[Document], chunks: dict[str, list[Chunk]], vectors: np.ndarray, replica: int
) -> Iterator[tuple[list[Document], dict[str, list[Chunk]], np.ndarray]]:
    rng = np.random.default_rng(replica)
    docs: list[Document] = []
    part: dict[str, list[Chunk]] = {}
    rows: list[np.ndarray] = []
    pos = 0
    for d in base:
        own = chunks[d.doc_id]
        vecs = vectors[pos : pos + len(own)]
        pos += len(own)
        copy, copied = _replica(d, own, replica)
        if replica:
            vecs = vecs + rng.normal(0, NOISE, vecs.shape).astype(np.float32)
            vecs = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
        docs.append(copy)
        part[copy.doc_id] = copied
        rows.append(vecs)
        if sum(len(c) for c in part.values()) >= WRITE_CHUNKS:
            yield docs, part, np.concatenate(rows)
            docs, part, rows = [], {}, []
    if docs:
        yield docs, part, np.concatenate(rows)


def _replica(doc: Document, own: list[Chunk], replica: int) -> tuple[Document, list[Chunk]]:
    if replica == 0:
        return doc, own
    doc_id = f"{doc.doc_id}~r{replica}"
    copy = Document(doc_id, doc.text, doc.meta, source=f"{doc.source}~r{replica}", boilerplate=doc.boilerplate)
    copied = [
        Chunk(
            chunk_id_for(doc_id, copy.content_hash, i), doc_id, c.text, c.start, c.end, dict(c.metadata, doc_id=doc_id)
        )
        for i, c in enumerate(own)
    ]
    return copy, copied


def _measure(
    cfg: ScaleConfig,
    settings: Settings,
    base: list[Document],
    queries: list[tuple[str, str]],
    minilm: Embedder,
    copies: int,
    log: Log,
) -> dict[str, Any]:
    from rag.assistant import build_assistant

    reader = build_assistant(settings, embedder=HashEmbedder())
    docs, chunks = reader.store.counts()
    out: dict[str, Any] = {"copies": copies, "documents": docs, "chunks": chunks, "simulated": copies > 1}
    log(f"== {docs} documents, {chunks} chunks{' (SIMULATED)' if copies > 1 else ''}")
    out.update(_search_latency(reader, queries))
    log(f"  search p50 {out['search_p50_ms']} ms, p95 {out['search_p95_ms']} ms")
    out.update(_one_document(settings, minilm, copies))
    log(f"  one-document ingest {out['one_doc_ingest_s']} s, of which embedding {out['one_doc_embed_s']} s")
    out.update(_cold_search(settings, queries[0][0]))
    log(f"  cold `ymateb search`: {out['cold_search_s']} s wall, peak RSS {out['cold_search_rss_mb']} MB")
    out["store_mb"] = round(sum(p.stat().st_size for p in settings.store.rglob("*") if p.is_file()) / 2**20, 1)
    return out


def _search_latency(reader: Any, queries: list[tuple[str, str]]) -> dict[str, Any]:
    """Hybrid search as Assistant.search does it, query vectors made beforehand (MiniLM takes
    about 10 ms a query, whatever the index's size)."""
    from rag.retrieval.hybrid import hybrid_search

    minilm_free = HashEmbedder()
    vectors = minilm_free.embed([q for q, _ in queries])
    lex = reader.lexical()
    filters = [SearchFilters(as_of=as_of, kinds=["written_question"]) for _, as_of in queries]
    hybrid_search(queries[0][0], vectors[0], lex, reader.store.query, k=5, filters=filters[0])  # warm-up
    times, found = [], 0
    for (text, _), vector, f in zip(queries, vectors, filters):
        t0 = time.perf_counter()
        found += len(hybrid_search(text, vector, lex, reader.store.query, k=5, filters=f)) == 5
        times.append((time.perf_counter() - t0) * 1000)
    return {
        "search_p50_ms": percentile(times, 50),
        "search_p95_ms": percentile(times, 95),
        "searches": len(times),
        "searches_with_5_results": found,
    }


class _TimedEmbedder:
    def __init__(self, inner: Embedder) -> None:
        self.inner, self.seconds = inner, 0.0

    def embed(self, texts: list[str]) -> np.ndarray:
        t0 = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:
            self.seconds += time.perf_counter() - t0


def _one_document(settings: Settings, minilm: Embedder, copies: int) -> dict[str, Any]:
    from rag.assistant import build_assistant

    timed = _TimedEmbedder(minilm)
    writer = build_assistant(settings, embedder=timed)
    text = (
        f"To ask the Secretary of State for Education (scale check {copies}), what steps she is taking to "
        "support kinship carers who look after children in rural areas. The Government recognises the "
        "vital role kinship carers play and is extending the kinship allowance pilot to more local authorities."
    )
    meta = DocMeta(
        kind="written_question",
        ref=f"WQ-SCALE-{copies}",
        date="2025-06-30",
        asked_of="Secretary of State for Education",
    )
    stamp = time.time_ns()  # a new document on every run, so a rerun measures a real write too
    doc = Document(f"scale-check-{copies}-{stamp}", f"{text} ({stamp})", meta, source=f"scale-check#{stamp}")
    t0 = time.perf_counter()
    summary = writer.ingest([], items=[doc])
    wall = time.perf_counter() - t0
    assert summary.written == 1, summary.to_dict()
    return {
        "one_doc_ingest_s": round(wall, 3),
        "one_doc_embed_s": round(timed.seconds, 3),
        "one_doc_beyond_embed_s": round(wall - timed.seconds, 3),
    }


_PHASES = """
import json, sys, time
t0 = time.perf_counter()
import rag.cli, chromadb, tantivy, onnxruntime  # what `ymateb search` imports
t1 = time.perf_counter()
from rag.assistant import build_assistant
from rag.settings import Settings
a = build_assistant(Settings(store=sys.argv[1]))
a.lexical()
a.embedder.embed(["warm the model"])
t2 = time.perf_counter()
a.search(sys.argv[2], k=5)
t3 = time.perf_counter()
a.search(sys.argv[2] + " policy", k=5)
t4 = time.perf_counter()
print(json.dumps({"imports_s": t1 - t0, "open_s": t2 - t1, "first_query_s": t3 - t2, "warm_query_s": t4 - t3}))
"""


def _cold_search(settings: Settings, query: str) -> dict[str, Any]:
    """`ymateb search` in a new process (wall time, and peak RSS from /usr/bin/time), then the same
    start-up in phases: imports, opening the index and the model, the first query, a warm query."""
    exe = Path(sys.executable).parent / "ymateb"
    cli = [str(exe)] if exe.exists() else [sys.executable, "-m", "rag.cli"]
    cmd = ["/usr/bin/time", "-f", "RSS_KB %M", *cli, "search", query, "--store", str(settings.store), "--k", "5"]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    wall = time.perf_counter() - t0
    rss = next((int(line.split()[1]) for line in out.stderr.splitlines() if line.startswith("RSS_KB")), 0)
    phases = subprocess.run(
        [sys.executable, "-c", _PHASES, str(settings.store), query], capture_output=True, text=True, timeout=600
    )
    timings = json.loads(phases.stdout.strip().splitlines()[-1]) if phases.returncode == 0 else {}
    return {
        "cold_search_s": round(wall, 2),
        "cold_search_rss_mb": round(rss / 1024, 1),
        "cold_search_ok": out.returncode == 0,
        **{f"cold_{k}": round(v, 3) for k, v in timings.items()},
    }


def save(result: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
