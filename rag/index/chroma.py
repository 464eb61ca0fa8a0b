"""The Chroma side of the index: one collection of chunks, one of documents.

A document's record is written only after all its chunks are in, so a document whose record
(with the right content hash) exists is complete; anything else is redone on the next ingest.
The `generation` stamp on the documents collection changes after every completed write, so
other processes and machines know to catch up (rag.index.precedents).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import numpy as np
from chromadb import errors as chroma_errors
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from filelock import FileLock

from rag.errors import StoreError, YmatebError
from rag.index.base import DIM, Embedder, chunk_vectors
from rag.index.embedder import default_embedder
from rag.index.failures import cause_chain, disk_full, first_line, is_disk_full
from rag.index.records import doc_record, document_from_record, record_state
from rag.text.safe import redact_urls
from rag.types import Chunk, Document

PAGE = 2000
OPEN_LOCK = "chroma-open.lock"  # held while an embedded store is opened (created, the first time)
OPEN_LOCK_WAIT = 120.0  # seconds


@contextmanager
def _translated(action: str, directory: Path | None = None) -> Iterator[None]:
    """Turn chromadb/OS/HTTP/sqlite failures into a StoreError a user can act on."""
    try:
        yield
    except YmatebError:
        raise
    except Exception as exc:  # chromadb and httpx raise many types; none must reach the user raw
        raise StoreError(f"Could not {action}: {_reason(exc, directory)}") from exc


UNREACHABLE = "the Chroma server is not reachable ({}); check YMATEB_CHROMA_URL and that it is running"
TOO_SLOW = "the Chroma server did not answer in time ({}); check YMATEB_CHROMA_URL and that it is running"
REFUSED = "the Chroma server refused the request ({}); check the server's authentication settings"
INTERNAL = "{} (an internal Chroma error; check free disk space, then run the command again)"
_RULES: list[tuple[tuple[type[BaseException], ...], str]] = [  # first match wins
    ((httpx.TimeoutException,), TOO_SLOW),
    ((httpx.TransportError, ConnectionError), UNREACHABLE),
    ((chroma_errors.ChromaAuthError, chroma_errors.AuthorizationError), REFUSED),
    ((chroma_errors.InternalError,), INTERNAL),
]


def _reason(exc: BaseException, directory: Path | None = None) -> str:
    """Why, chosen by exception type along the cause chain (chromadb wraps httpx in ValueError),
    or by the state of the disk: embedded Chroma reports a full disk as a bare compaction error."""
    if is_disk_full(exc, directory):
        return disk_full(directory)
    chain = cause_chain(exc)
    for types, message in _RULES:
        for e in chain:
            if isinstance(e, types):
                return message.format(first_line(e))
    if isinstance(exc, OSError):
        return f"{exc.strerror or first_line(exc)}. Check disk space and permissions."
    return first_line(exc)


def make_client(store_dir: str, chroma_url: str | None) -> tuple[Any, str]:
    """A Chroma client and a human description of where the index lives."""
    import chromadb

    settings = chromadb.Settings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        with _translated(f"connect to the Chroma server at {redact_urls(chroma_url)}"):
            client = chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=settings,
            )
            client.heartbeat()
        return client, f"Chroma server {redact_urls(chroma_url)}"
    # Two processes opening a new store at once would both create Chroma's tables, and one fail
    # ("table collections already exists"): the first to hold this lock creates them.
    with _translated(f"open the index in {store_dir}"), _opening_lock(Path(store_dir)):
        client = chromadb.PersistentClient(path=str(store_dir), settings=settings)
    return client, f"embedded Chroma in {store_dir}"


def _opening_lock(store_dir: Path) -> FileLock:
    store_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(store_dir / OPEN_LOCK), timeout=OPEN_LOCK_WAIT)


def _register_embedding_function() -> None:
    from chromadb.utils.embedding_functions import known_embedding_functions, register_embedding_function

    if ChromaEmbeddingFunction.name() not in known_embedding_functions:
        register_embedding_function(ChromaEmbeddingFunction)


class ChromaEmbeddingFunction(EmbeddingFunction[Documents]):
    """Wraps any Embedder as a chromadb EmbeddingFunction (used for query texts and the peer bench)."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self._embedder = embedder  # None: the shared model, loaded on first use (Chroma rebuilds
        # this object from its config on every upsert; loading a model each time cost 0.3 s)

    def __call__(self, input: Documents) -> Embeddings:
        embedder = self._embedder or default_embedder()
        return [row for row in embedder.embed(list(input))]

    @staticmethod
    def name() -> str:
        return "ymateb-minilm-int8"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbeddingFunction:
        return ChromaEmbeddingFunction()

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


class ChromaStore:
    """Chunks (embedded) and documents (full text + metadata + content hash) in Chroma."""

    def __init__(
        self,
        client: Any,
        embedder: Embedder,
        prefix: str = "precedents",
        location: str = "",
        directory: Path | None = None,
    ) -> None:
        _register_embedding_function()
        self.embedder = embedder
        self.location = location
        self.directory = directory  # the embedded store's folder (None for a server): named when the disk fills
        ef = ChromaEmbeddingFunction(embedder)
        self._client, self._ef = client, ef
        cfg: Any = {"hnsw": {"space": "cosine"}}
        with self._failing("open the Chroma collections"):
            self.chunks = client.get_or_create_collection(f"{prefix}_chunks", configuration=cfg, embedding_function=ef)
            self.docs = client.get_or_create_collection(f"{prefix}_docs", configuration=cfg, embedding_function=ef)

    def _failing(self, action: str) -> Any:
        return _translated(action, self.directory)

    # -- reading -------------------------------------------------------------------------
    def generation(self) -> str:
        with self._failing("read the index state"):
            # re-read from Chroma: a Collection object keeps the metadata it was opened with, so
            # another process's (or app instance's) writes would otherwise go unnoticed
            meta = self._client.get_collection(self.docs.name, embedding_function=self._ef).metadata
            return str((meta or {}).get("generation", ""))

    def doc_states(self, ids: list[str] | None = None) -> dict[str, tuple[str, int]]:
        """{doc_id: (content_hash, chunk count)} of every complete document (or of those in `ids`)."""
        return {doc_id: record_state(meta) for doc_id, meta in self.doc_records(ids).items()}

    def doc_records(self, ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """{doc_id: record metadata} of every complete document (or of those in `ids`)."""
        pages = (
            self._pages(self.docs, include=["metadatas"])
            if ids is None
            else self._by_ids(self.docs, ids, ["metadatas"])
        )
        return {doc_id: dict(meta) for page in pages for doc_id, meta in zip(page["ids"], page["metadatas"])}

    def doc_hashes(self, ids: list[str] | None = None) -> dict[str, str]:
        """{doc_id: content_hash} of every complete document (or of those in `ids`)."""
        return {doc_id: state[0] for doc_id, state in self.doc_states(ids).items()}

    def get_chunks(self, ids: list[str], text: bool = True) -> dict[str, list]:
        """Those of these chunks the store holds: {"ids", "documents", "metadatas"} in `ids` order
        (only "ids" filled when `text` is False)."""
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        if not text:
            got = {cid for page in self._by_ids(self.chunks, ids, []) for cid in page["ids"]}
            return {"ids": [cid for cid in ids if cid in got], "documents": [], "metadatas": []}
        for page in self._by_ids(self.chunks, ids, ["documents", "metadatas"]):
            found.update(
                (cid, (doc, meta)) for cid, doc, meta in zip(page["ids"], page["documents"], page["metadatas"])
            )
        kept = [cid for cid in ids if cid in found]
        return {"ids": kept, "documents": [found[c][0] for c in kept], "metadatas": [found[c][1] for c in kept]}

    def _by_ids(self, collection: Any, ids: list[str], include: list[str]) -> Iterator[dict[str, Any]]:
        for s in range(0, len(ids), PAGE):
            with self._failing("read the index"):
                yield collection.get(ids=ids[s : s + PAGE], include=include)

    def chunk_pages(self) -> Iterator[dict[str, Any]]:
        """Every chunk (ids, documents, metadatas) page by page: the BM25 side rebuilds from this."""
        yield from self._pages(self.chunks, include=["documents", "metadatas"])

    def _pages(self, collection: Any, include: list[str]) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            with self._failing("read the index"):
                page = collection.get(include=include, limit=PAGE, offset=offset)
            if not page["ids"]:
                return
            yield page
            offset += len(page["ids"])

    def get_document(self, doc_id: str) -> Document | None:
        with self._failing(f"read document {doc_id}"):
            got = self.docs.get(ids=[doc_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        return document_from_record(doc_id, got["documents"][0], got["metadatas"][0])

    def all_documents(self) -> Iterator[Document]:
        """Every complete document with its text, read page by page."""
        for page in self._pages(self.docs, include=["documents", "metadatas"]):
            for doc_id, text, meta in zip(page["ids"], page["documents"], page["metadatas"]):
                yield document_from_record(doc_id, text, meta)

    def list_documents(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for page in self._pages(self.docs, include=["metadatas"]):
            rows.extend(dict(meta, doc_id=doc_id) for doc_id, meta in zip(page["ids"], page["metadatas"]))
        return sorted(rows, key=lambda r: r["doc_id"])

    def counts(self) -> tuple[int, int]:
        with self._failing("count the index"):
            return self.docs.count(), self.chunks.count()

    def query(self, embedding: np.ndarray, n: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk_id, cosine similarity), best first."""
        with self._failing("search the index"):
            res = self.chunks.query(
                query_embeddings=[embedding.tolist()], n_results=n, where=where or None, include=["distances"]
            )
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0])]

    # -- writing -------------------------------------------------------------------------
    def embed_chunks(self, docs: list[Document], chunks: dict[str, list[Chunk]]) -> np.ndarray:
        return chunk_vectors(self.embedder, docs, chunks)

    def write(self, docs: list[Document], chunks: dict[str, list[Chunk]], vectors: np.ndarray | None = None) -> int:
        """Replace these documents' chunks and records (embedding them unless `vectors` are given).
        Returns the number of texts written."""
        texts = [c.text for d in docs for c in chunks[d.doc_id]]
        if vectors is None:
            vectors = self.embed_chunks(docs, chunks)
        with self._failing("write to the index"):
            ids = [d.doc_id for d in docs]
            # Old records go first: Chroma's upsert merges metadata, so a field the new version
            # lacks would linger; and a crash from here on leaves the document to be redone.
            old = self.docs.get(ids=ids, include=[])["ids"]
            if old:  # (a delete of nothing would still be a write in Chroma's log)
                self.docs.delete(ids=old)
            self.chunks.delete(where={"doc_id": {"$in": ids}})
            pos = 0
            doc_vectors = []
            all_chunks = [c for d in docs for c in chunks[d.doc_id]]
            for s in range(0, len(all_chunks), PAGE):
                part = all_chunks[s : s + PAGE]
                self.chunks.upsert(
                    ids=[c.chunk_id for c in part],
                    documents=[c.text for c in part],
                    metadatas=[c.metadata for c in part],
                    embeddings=vectors[s : s + len(part)],
                )
            for d in docs:
                n = len(chunks[d.doc_id])
                doc_vectors.append(_mean_unit(vectors[pos : pos + n]))
                pos += n
            self.docs.upsert(
                ids=ids,
                documents=[d.text for d in docs],
                metadatas=[doc_record(d, len(chunks[d.doc_id])) for d in docs],
                embeddings=np.stack(doc_vectors),
            )
        return len(texts)

    def remove(self, doc_id: str) -> bool:
        with self._failing(f"remove {doc_id}"):
            if not self.docs.get(ids=[doc_id], include=[])["ids"]:
                return False
            self.docs.delete(ids=[doc_id])  # record first: a crash here leaves only orphan chunks ...
            self.chunks.delete(where={"doc_id": doc_id})  # ... which sweep_orphans() removes
        return True

    def set_metadata(self, doc_id: str, fields: dict[str, Any]) -> bool:
        """Set (None: remove) document-level fields on the record, then on every chunk: Chroma's update
        merges metadata and leaves the vectors as they are. A crash between the two is finished by
        rag.index.precedents, which makes the chunks match the record."""
        with self._failing(f"update {doc_id}"):
            if not self.docs.get(ids=[doc_id], include=[])["ids"]:
                return False
            if not fields:
                return True
            self.docs.update(ids=[doc_id], metadatas=[fields])
            chunk_ids = self.chunks.get(where={"doc_id": doc_id}, include=[])["ids"]
            for s in range(0, len(chunk_ids), PAGE):
                part = chunk_ids[s : s + PAGE]
                self.chunks.update(ids=part, metadatas=[dict(fields) for _ in part])
        return True

    def sweep_orphans(self, known: set[str], only: list[str] | None = None) -> int:
        """Delete chunks whose document has no complete record (left by a crash): every such chunk,
        or only those of the documents in `only`."""
        pages: Iterator[dict[str, Any]]
        if only is not None:
            pages = (self._chunks_of(only[s : s + PAGE]) for s in range(0, len(only), PAGE))
        else:
            pages = self._pages(self.chunks, include=["metadatas"])
        orphans = [
            cid
            for page in pages
            for cid, meta in zip(page["ids"], page["metadatas"])
            if meta.get("doc_id") not in known
        ]
        with self._failing("clean up the index"):
            for s in range(0, len(orphans), PAGE):
                self.chunks.delete(ids=orphans[s : s + PAGE])
        return len(orphans)

    def _chunks_of(self, doc_ids: list[str]) -> dict[str, Any]:
        with self._failing("read the index"):
            return self.chunks.get(where={"doc_id": {"$in": doc_ids}}, include=["metadatas"])

    def bump_generation(self) -> str:
        gen = uuid.uuid4().hex
        with self._failing("update the index state"):
            self.docs.modify(metadata={"generation": gen})
        return gen


def _mean_unit(vectors: np.ndarray) -> np.ndarray:
    if len(vectors) == 0:
        v = np.zeros(DIM, dtype=np.float32)
        v[0] = 1.0
        return v
    m = vectors.mean(axis=0)
    return m / max(float(np.linalg.norm(m)), 1e-12)
