"""The two interfaces the rest of rag/ needs from the index: an embedder and a store.

`ChromaStore` (chroma.py) and `MemoryStore` (fakes.py) are the stores; `MiniLMEmbedder`
(embedder.py) and `HashEmbedder` (fakes.py) the embedders. A store's documents collection holds
one record per complete document; its chunks carry the flat metadata of `rag.ingest.chunking`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from rag.types import Chunk, Document

DIM = 384  # every embedder in rag/ returns unit vectors of this width


class Embedder(Protocol):
    """Anything that turns texts into unit vectors (the one method the rest of rag/ needs)."""

    def embed(self, texts: list[str]) -> np.ndarray: ...


def embed_once(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Embed texts that will not be seen again (chunks at ingest, the bare-model benchmark):
    past the embedder's cache of recent texts when it has one, so the cache keeps what repeats."""
    return getattr(embedder, "embed_uncached", embedder.embed)(texts)


def chunk_vectors(embedder: Embedder, docs: list[Document], chunks: dict[str, list[Chunk]]) -> np.ndarray:
    """The vectors of these documents' chunks, in order (every store embeds its writes this way)."""
    import numpy as np

    texts = [c.text for d in docs for c in chunks[d.doc_id]]
    return embed_once(embedder, texts) if texts else np.zeros((0, DIM), dtype=np.float32)


class Store(Protocol):
    """Chunks (embedded) and documents (full text, metadata, content hash), written whole."""

    location: str  # where the index lives, for people ("embedded Chroma in .ymateb")

    def generation(self) -> str:
        """A stamp that changes after every completed write (other processes catch up on change)."""
        ...

    def bump_generation(self) -> str: ...

    def doc_states(self, ids: list[str] | None = None) -> dict[str, tuple[str, int]]:
        """{doc_id: (content_hash, chunk count)} of every complete document, or of those in `ids`."""
        ...

    def doc_hashes(self, ids: list[str] | None = None) -> dict[str, str]:
        """{doc_id: content_hash} of every complete document, or of those in `ids`."""
        ...

    def doc_records(self, ids: list[str] | None = None) -> dict[str, dict[str, Any]]:
        """{doc_id: record metadata (`rag.index.records.doc_record`)} of every complete document, or
        of those in `ids`."""
        ...

    def get_chunks(self, ids: list[str], text: bool = True) -> dict[str, list[Any]]:
        """Those of these chunks the store holds, as {"ids", "documents", "metadatas"} in `ids` order
        (only "ids" filled when `text` is False)."""
        ...

    def chunk_pages(self) -> Iterator[dict[str, Any]]:
        """Every chunk as pages of {"ids", "documents", "metadatas"}."""
        ...

    def get_document(self, doc_id: str) -> Document | None: ...

    def all_documents(self) -> Iterator[Document]: ...

    def list_documents(self) -> list[dict[str, Any]]: ...

    def counts(self) -> tuple[int, int]:
        """(documents, chunks)."""
        ...

    def query(self, embedding: np.ndarray, n: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        """Nearest chunks as (chunk_id, cosine similarity), best first, within a Chroma `where`."""
        ...

    def embed_chunks(self, docs: list[Document], chunks: dict[str, list[Chunk]]) -> np.ndarray: ...

    def write(self, docs: list[Document], chunks: dict[str, list[Chunk]], vectors: np.ndarray | None = None) -> int:
        """Replace these documents' chunks, then their records; returns the number of texts written."""
        ...

    def remove(self, doc_id: str) -> bool: ...

    def set_metadata(self, doc_id: str, fields: dict[str, Any]) -> bool:
        """Set document-level metadata fields (a None value removes the field) on the document's
        record, then on every one of its chunks; nothing is re-embedded. False if there is no record."""
        ...

    def sweep_orphans(self, known: set[str], only: list[str] | None = None) -> int:
        """Delete chunks whose document has no complete record (leftovers of a crash): all of them,
        or only those of the documents in `only`."""
        ...
