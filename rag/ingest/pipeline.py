"""Ingest: load documents, skip the unchanged, chunk and embed the rest, write them whole."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from pathlib import Path

import numpy as np
from tqdm import tqdm

from rag.index.base import Store
from rag.index.precedents import PrecedentIndex
from rag.ingest.chunking import chunk_document
from rag.ingest.sources import id_collision, load_paths
from rag.types import Chunk, Document, IngestSummary, Skipped, chunk_id_for

BATCH_CHUNKS = 256  # chunks embedded and written together
LOOKUP = 256  # incoming documents whose records are looked up together


def ingest(
    paths: Iterable[str | Path],
    index: PrecedentIndex,
    progress: bool = False,
    items: Iterable[Document | Skipped] | None = None,
    batch_chunks: int = BATCH_CHUNKS,
    max_mb: float | None = None,
) -> IngestSummary:
    """Bring the index up to date with these files. Safe to rerun after a crash at any point:
    a document is redone when its record is missing, differs, or the store lacks any of its chunks."""
    started = time.perf_counter()
    summary = IngestSummary()
    bar = tqdm(desc="Ingesting", unit="doc", disable=not progress, leave=False)
    writer = _Writer(index, summary)
    try:
        source = items if items is not None else load_paths(paths, max_mb)
        _ingest_items(source, writer, index.store, summary, bar, batch_chunks)
    finally:
        writer.close()
    bar.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _ingest_items(
    items: Iterable[Document | Skipped],
    writer: _Writer,
    store: Store,
    summary: IngestSummary,
    bar: tqdm,
    batch_chunks: int,
) -> None:
    seen: dict[str, str] = {}
    batch: list[Document] = []
    chunks: dict[str, list[Chunk]] = {}
    pending = 0
    for group in _groups(items, LOOKUP):
        current = _current(store, [i for i in group if isinstance(i, Document)])
        for item in group:
            bar.update(1)
            if isinstance(item, Skipped):
                summary.skip(item)
                continue
            if item.doc_id in seen:
                reason = f"duplicate document id {item.doc_id!r} (also in {seen[item.doc_id]})"
                summary.skip(Skipped(item.source, reason))
                continue
            seen[item.doc_id] = item.source
            state = current.get(item.doc_id)
            if state == "complete":
                summary.unchanged += 1
                continue
            if state == "changed" and (clash := id_collision(item, store.get_document(item.doc_id))):
                summary.skip(Skipped(item.source, clash))
                continue
            summary.repaired += state == "broken"
            batch.append(item)
            chunks[item.doc_id] = chunk_document(item)
            pending += len(chunks[item.doc_id])
            if pending >= batch_chunks:
                writer.put(batch, chunks)
                batch, chunks, pending = [], {}, 0
    if batch:
        writer.put(batch, chunks)


def _groups(items: Iterable[Document | Skipped], n: int) -> Iterator[list[Document | Skipped]]:
    it = iter(items)
    while group := list(islice(it, n)):
        yield group


def _current(store: Store, docs: list[Document]) -> dict[str, str]:
    """For documents the store already holds: "changed" (another version), or this version
    "complete", or "broken" when some of its chunks are missing (so a rerun repairs it)."""
    states = store.doc_states([d.doc_id for d in docs])
    out = {d.doc_id: "changed" for d in docs if d.doc_id in states}
    same = {
        d.doc_id: [chunk_id_for(d.doc_id, d.content_hash, i) for i in range(states[d.doc_id][1])]
        for d in docs
        if d.doc_id in states and states[d.doc_id][0] == d.content_hash
    }
    wanted = [cid for ids in same.values() for cid in ids]
    present = set(store.get_chunks(wanted, text=False)["ids"]) if wanted else set()
    for doc_id, ids in same.items():
        out[doc_id] = "complete" if present.issuperset(ids) else "broken"
    return out


class _Writer:
    """Embeds a batch here while a thread writes the previous one to Chroma (at most one in flight).

    Each batch is still written whole (chunks, then document records), so crash safety is unchanged.
    """

    def __init__(self, index: PrecedentIndex, summary: IngestSummary) -> None:
        self.index, self.summary = index, summary
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ymateb-write")
        self._pending: Future[None] | None = None

    def put(self, batch: list[Document], chunks: dict[str, list[Chunk]]) -> None:
        vectors = self.index.embed_chunks(batch, chunks)
        self._wait()
        self._pending = self._pool.submit(self._write, batch, chunks, vectors)

    def _write(self, batch: list[Document], chunks: dict[str, list[Chunk]], vectors: np.ndarray) -> None:
        self.summary.embedded += self.index.write(batch, chunks, vectors)
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
