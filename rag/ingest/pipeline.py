"""Ingest: load documents, skip the unchanged, chunk and embed the rest, write them whole."""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from tqdm import tqdm

from rag.index.base import Store
from rag.ingest.chunking import chunk_document
from rag.ingest.sources import id_collision, load_paths
from rag.types import Chunk, Document, IngestSummary, Skipped

BATCH_CHUNKS = 256  # chunks embedded and written together


def ingest(
    paths: Iterable[str | Path],
    store: Store,
    progress: bool = False,
    items: Iterable[Document | Skipped] | None = None,
    batch_chunks: int = BATCH_CHUNKS,
    max_mb: float | None = None,
) -> IngestSummary:
    """Bring the store up to date with these files. Safe to rerun after a crash at any point."""
    started = time.perf_counter()
    summary = IngestSummary()
    known = store.doc_hashes()
    bar = tqdm(desc="Ingesting", unit="doc", disable=not progress, leave=False)
    writer = _Writer(store, summary)
    try:
        source = items if items is not None else load_paths(paths, max_mb)
        _ingest_items(source, writer, known, summary, bar, batch_chunks)
    finally:
        writer.close()
    bar.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _ingest_items(
    items: Iterable[Document | Skipped],
    writer: _Writer,
    known: dict[str, str],
    summary: IngestSummary,
    bar: tqdm,
    batch_chunks: int,
) -> None:
    seen: dict[str, str] = {}
    batch: list[Document] = []
    chunks: dict[str, list[Chunk]] = {}
    pending = 0
    for item in items:
        bar.update(1)
        if isinstance(item, Skipped):
            summary.skip(item)
            continue
        if item.doc_id in seen:
            reason = f"duplicate document id {item.doc_id!r} (also in {seen[item.doc_id]})"
            summary.skip(Skipped(item.source, reason))
            continue
        seen[item.doc_id] = item.source
        if known.get(item.doc_id) == item.content_hash:
            summary.unchanged += 1
            continue
        clash = id_collision(item, writer.store.get_document(item.doc_id)) if item.doc_id in known else None
        if clash:
            summary.skip(Skipped(item.source, clash))
            continue
        batch.append(item)
        chunks[item.doc_id] = chunk_document(item)
        pending += len(chunks[item.doc_id])
        if pending >= batch_chunks:
            writer.put(batch, chunks)
            batch, chunks, pending = [], {}, 0
    if batch:
        writer.put(batch, chunks)


class _Writer:
    """Embeds a batch here while a thread writes the previous one to Chroma (at most one in flight).

    Each batch is still written whole (chunks, then document records), so crash safety is unchanged.
    """

    def __init__(self, store: Store, summary: IngestSummary) -> None:
        self.store, self.summary = store, summary
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ymateb-write")
        self._pending: Future[None] | None = None

    def put(self, batch: list[Document], chunks: dict[str, list[Chunk]]) -> None:
        vectors = self.store.embed_chunks(batch, chunks)
        self._wait()
        self._pending = self._pool.submit(self._write, batch, chunks, vectors)

    def _write(self, batch: list[Document], chunks: dict[str, list[Chunk]], vectors: np.ndarray) -> None:
        self.summary.embedded += self.store.write(batch, chunks, vectors)
        self.summary.written += len(batch)
        self.summary.chunks += sum(len(c) for c in chunks.values())
        self.summary.doc_ids.extend(d.doc_id for d in batch)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()  # re-raises a failed write here, in the caller's thread

    def close(self) -> None:
        try:
            self._wait()
        finally:
            self._pool.shutdown(wait=True)
