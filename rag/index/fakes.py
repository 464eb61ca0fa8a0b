"""In-memory doubles of the index's two interfaces, for fast tests and experiments.

HashEmbedder   deterministic unit vectors from hashed content words: texts sharing words are
               close, texts sharing none are near-orthogonal. No model, no download.
MemoryStore    the `Store` protocol in dictionaries, with ChromaStore's semantics (a document's
               record lands after its chunks; generation stamps; orphans swept) and a brute-force
               cosine query that evaluates the Chroma `where` clauses rag.retrieval.filters emits.

A contract test (tests/test_store_contract.py) runs one scenario against both stores.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import numpy as np

from rag.index.base import DIM, chunk_vectors
from rag.index.records import doc_record, document_from_record, record_state, updated
from rag.index.where import matches
from rag.text.words import content_words
from rag.types import Chunk, Document

PAGE = 2000


class HashEmbedder:
    """Bag of content-word stems (rag.text.words), each hashed to a signed coordinate of a DIM-wide
    vector, then normalised. Identical texts get identical vectors in every process (blake2b, not
    the salted `hash()`); `texts` records every text it was asked to embed."""

    model_name = "hashed bag of words (tests)"

    def __init__(self, dim: int = DIM) -> None:
        self.dim = dim
        self.texts: list[str] = []
        self._slots: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._lock:
            self.texts.extend(texts)
            for row, text in enumerate(texts):
                out[row] = self._vector(text)
        return out

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        features = content_words(text) or set(text.lower().split())
        for word in features:
            slot, sign = self._slot(word)
            v[slot] += sign
        norm = float(np.linalg.norm(v))
        if norm == 0.0:  # no words at all: one fixed direction, still a unit vector
            v[0] = 1.0
            return v
        return v / norm

    def _slot(self, word: str) -> tuple[int, float]:
        hit = self._slots.get(word)
        if hit is None:
            digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
            n = int.from_bytes(digest, "big")
            hit = self._slots[word] = (n % self.dim, 1.0 if (n >> 32) & 1 else -1.0)
        return hit


# ---------------------------------------------------------------------------- the store


class MemoryStore:
    """The Store protocol in memory, with ChromaStore's write order and record layout."""

    def __init__(self, embedder: Any | None = None, location: str = "in-memory store") -> None:
        self.embedder = embedder or HashEmbedder()
        self.location = location
        self._chunks: dict[str, tuple[str, dict[str, Any], np.ndarray]] = {}  # id -> text, meta, vector
        self._docs: dict[str, tuple[str, dict[str, Any]]] = {}  # id -> text, record
        self._generation = ""
        self._lock = threading.RLock()

    # -- reading -------------------------------------------------------------------------
    def generation(self) -> str:
        return self._generation

    def bump_generation(self) -> str:
        self._generation = uuid.uuid4().hex
        return self._generation

    def doc_states(self, ids: list[str] | None = None) -> dict[str, tuple[str, int]]:
        return {d: record_state(meta) for d, meta in self.doc_records(ids).items()}

    def doc_records(self, ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
        with self._lock:
            wanted = self._docs if ids is None else [i for i in dict.fromkeys(ids) if i in self._docs]
            return {d: dict(self._docs[d][1]) for d in wanted}

    def doc_hashes(self, ids: list[str] | None = None) -> dict[str, str]:
        return {doc_id: state[0] for doc_id, state in self.doc_states(ids).items()}

    def get_chunks(self, ids: list[str], text: bool = True) -> dict[str, list[Any]]:
        with self._lock:
            kept = [cid for cid in ids if cid in self._chunks]
            if not text:
                return {"ids": kept, "documents": [], "metadatas": []}
            return {
                "ids": kept,
                "documents": [self._chunks[c][0] for c in kept],
                "metadatas": [dict(self._chunks[c][1]) for c in kept],
            }

    def chunk_pages(self) -> Iterator[dict[str, Any]]:
        with self._lock:
            rows = [(cid, text, dict(meta)) for cid, (text, meta, _) in self._chunks.items()]
        for s in range(0, len(rows), PAGE):
            part = rows[s : s + PAGE]
            yield {"ids": [r[0] for r in part], "documents": [r[1] for r in part], "metadatas": [r[2] for r in part]}

    def get_document(self, doc_id: str) -> Document | None:
        with self._lock:
            got = self._docs.get(doc_id)
        return None if got is None else document_from_record(doc_id, got[0], got[1])

    def all_documents(self) -> Iterator[Document]:
        with self._lock:
            rows = [(doc_id, text, meta) for doc_id, (text, meta) in self._docs.items()]
        for doc_id, text, meta in rows:
            yield document_from_record(doc_id, text, meta)

    def list_documents(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = [dict(meta, doc_id=doc_id) for doc_id, (_, meta) in self._docs.items()]
        return sorted(rows, key=lambda r: r["doc_id"])

    def counts(self) -> tuple[int, int]:
        with self._lock:
            return len(self._docs), len(self._chunks)

    def query(self, embedding: np.ndarray, n: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """Exact nearest chunks by cosine (Chroma's HNSW is approximate; on small stores they agree)."""
        with self._lock:
            rows = [(cid, vec) for cid, (_, meta, vec) in self._chunks.items() if matches(meta, where)]
        if not rows or n <= 0:
            return []
        sims = np.stack([vec for _, vec in rows]) @ np.asarray(embedding, dtype=np.float32)
        order = np.argsort(-sims, kind="stable")[:n]
        return [(rows[i][0], float(sims[i])) for i in order]

    # -- writing -------------------------------------------------------------------------
    def embed_chunks(self, docs: list[Document], chunks: dict[str, list[Chunk]]) -> np.ndarray:
        return chunk_vectors(self.embedder, docs, chunks)

    def write(self, docs: list[Document], chunks: dict[str, list[Chunk]], vectors: np.ndarray | None = None) -> int:
        """Drop these documents' records, replace their chunks, then write the records (ChromaStore's order)."""
        all_chunks = [c for d in docs for c in chunks[d.doc_id]]
        if vectors is None:
            vectors = self.embed_chunks(docs, chunks)
        ids = {d.doc_id for d in docs}
        with self._lock:
            for doc_id in ids:
                self._docs.pop(doc_id, None)
            for cid in [cid for cid, (_, meta, _) in self._chunks.items() if meta.get("doc_id") in ids]:
                del self._chunks[cid]
            for c, vec in zip(all_chunks, vectors):
                self._chunks[c.chunk_id] = (c.text, _scalars(c.metadata), np.asarray(vec, dtype=np.float32))
            for d in docs:
                self._docs[d.doc_id] = (d.text, _scalars(doc_record(d, len(chunks[d.doc_id]))))
        return len(all_chunks)

    def remove(self, doc_id: str) -> bool:
        with self._lock:
            if self._docs.pop(doc_id, None) is None:
                return False
            for cid in [cid for cid, (_, meta, _) in self._chunks.items() if meta.get("doc_id") == doc_id]:
                del self._chunks[cid]
        return True

    def set_metadata(self, doc_id: str, fields: dict[str, Any]) -> bool:
        """Record first, then every chunk (ChromaStore's order); None removes a field."""
        with self._lock:
            if doc_id not in self._docs:
                return False
            text, record = self._docs[doc_id]
            self._docs[doc_id] = (text, _scalars(updated(record, fields)))
            for cid, (chunk_text, meta, vec) in list(self._chunks.items()):
                if meta.get("doc_id") == doc_id:
                    self._chunks[cid] = (chunk_text, _scalars(updated(meta, fields)), vec)
        return True

    def sweep_orphans(self, known: set[str], only: list[str] | None = None) -> int:
        scope = set(only) if only is not None else None
        with self._lock:
            orphans = [
                cid
                for cid, (_, meta, _) in self._chunks.items()
                if meta.get("doc_id") not in known and (scope is None or meta.get("doc_id") in scope)
            ]
            for cid in orphans:
                del self._chunks[cid]
        return len(orphans)


def _scalars(meta: dict[str, Any]) -> dict[str, Any]:
    """A metadata record as Chroma would hand it back: a fresh copy of scalars (it refuses anything else)."""
    for key, value in meta.items():
        if not isinstance(value, (str, int, float, bool)):
            raise ValueError(f"metadata {key!r} must be a str, int, float or bool, not {type(value).__name__}")
    return dict(meta)
