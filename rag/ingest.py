"""Ingest: load documents, skip the unchanged, chunk and embed the rest, write them whole."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from rag.chunking import Chunk, chunk_document
from rag.documents import Document, Skipped
from rag.loaders import load_paths
from rag.store import Store

BATCH_CHUNKS = 256  # chunks embedded and written together


@dataclass
class IngestSummary:
    written: int = 0  # new or changed documents
    unchanged: int = 0
    chunks: int = 0  # chunks written
    embedded: int = 0  # texts sent to the embedding model
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    doc_ids: list[str] = field(default_factory=list)  # documents written this run

    @property
    def documents(self) -> int:
        return self.written + self.unchanged

    def to_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "written": self.written,
            "unchanged": self.unchanged,
            "chunks": self.chunks,
            "embedded": self.embedded,
            "skipped": [{"source": s.source, "reason": s.reason} for s in self.skipped],
            "seconds": round(self.seconds, 2),
        }


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    progress: bool = False,
    items: Iterable[Document | Skipped] | None = None,
    batch_chunks: int = BATCH_CHUNKS,
) -> IngestSummary:
    """Bring the store up to date with these files. Safe to rerun after a crash at any point."""
    started = time.perf_counter()
    summary = IngestSummary()
    known = store.doc_hashes()
    seen: dict[str, str] = {}
    batch: list[Document] = []
    chunks: dict[str, list[Chunk]] = {}
    pending = 0
    bar = tqdm(desc="Ingesting", unit="doc", disable=not progress, leave=False)
    for item in items if items is not None else load_paths(paths):
        bar.update(1)
        if isinstance(item, Skipped):
            summary.skipped.append(item)
            continue
        if item.doc_id in seen:
            reason = f"duplicate document id {item.doc_id!r} (also in {seen[item.doc_id]})"
            summary.skipped.append(Skipped(item.source, reason))
            continue
        seen[item.doc_id] = item.source
        if known.get(item.doc_id) == item.content_hash:
            summary.unchanged += 1
            continue
        batch.append(item)
        chunks[item.doc_id] = chunk_document(item)
        pending += len(chunks[item.doc_id])
        if pending >= batch_chunks:
            _flush(store, batch, chunks, summary)
            batch, chunks, pending = [], {}, 0
    if batch:
        _flush(store, batch, chunks, summary)
    bar.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _flush(store: Store, batch: list[Document], chunks: dict[str, list[Chunk]], summary: IngestSummary) -> None:
    summary.embedded += store.write(batch, chunks)
    summary.written += len(batch)
    summary.chunks += sum(len(c) for c in chunks.values())
    summary.doc_ids.extend(d.doc_id for d in batch)
