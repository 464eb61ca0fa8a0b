"""The plain LangChain-style peer: one Chroma collection of fixed-size chunks, dense search only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rag.assistant import Assistant
from rag.bench.config import BenchConfig, Log, rate, save_state, timed_cpu
from rag.index.base import Embedder
from rag.index.chroma import ChromaEmbeddingFunction
from rag.text.dates import date_int
from rag.types import Document, SearchFilters

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
        embedding_function=ChromaEmbeddingFunction(embedder),  # type: ignore[arg-type]
        configuration={"hnsw": {"space": "cosine"}},  # type: ignore[arg-type]
    )
    saved = state.get("peer", {})
    if collection.count() == len(ids) and saved.get("name") == name:
        log(f"  peer: {len(ids)} chunks already indexed: reusing its ingest figures")
        return collection, dict(saved, peer_ingest_reused=True)

    def add_all() -> None:
        for s in range(0, len(ids), 256):  # Chroma calls the embedding function on each upsert()
            collection.upsert(ids=ids[s : s + 256], documents=texts[s : s + 256], metadatas=metas[s : s + 256])  # type: ignore[arg-type]

    _, dt, cpu = timed_cpu(add_all)
    out = {
        "name": name,
        "peer_docs": len(docs),
        "peer_chunks": len(ids),
        "peer_ingest_s": round(dt, 2),
        "peer_ingest_docs_per_s": rate(len(docs), dt),
        "peer_ingest_chunks_per_s": rate(len(ids), dt),
        "peer_ingest_chunks_per_cpu_s": rate(len(ids), cpu),
        "peer_ingest_reused": False,
    }
    state["peer"] = out
    save_state(cfg, state)
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
