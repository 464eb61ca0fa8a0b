"""The document record every store keeps: flat metadata plus what is needed to rebuild the Document.

ChromaStore and MemoryStore both write `doc_record()` beside a document's full text and read it
back with `document_from_record()`, so the two stores hand out identical Documents.
"""

from __future__ import annotations

import json
from typing import Any

from rag.types import DocMeta, Document, flat_metadata

_META_FIELDS = set(DocMeta.__dataclass_fields__)


def doc_record(doc: Document, n_chunks: int) -> dict[str, Any]:
    """Scalar metadata for a document's record: content hash, chunk count, source, spans, refs."""
    meta = flat_metadata(doc)
    meta.update(
        content_hash=doc.content_hash,
        n_chunks=n_chunks,
        source=doc.source,
        boilerplate=json.dumps(doc.boilerplate),
        refs_json=json.dumps(doc.meta.refs),
    )
    return meta


def document_from_record(doc_id: str, text: str, meta: dict[str, Any]) -> Document:
    """The Document a record was written from."""
    fields = {k: v for k, v in meta.items() if k in _META_FIELDS and k != "refs"}
    dm = DocMeta(**fields)
    dm.refs = json.loads(meta.get("refs_json", "[]"))
    spans = [tuple(s) for s in json.loads(meta.get("boilerplate", "[]"))]
    return Document(doc_id, text, dm, source=str(meta.get("source", "")), boilerplate=spans)  # type: ignore[arg-type]


def record_state(meta: dict[str, Any]) -> tuple[str, int]:
    """(content_hash, chunk count) of a document record: which chunk ids make it whole."""
    return str(meta.get("content_hash", "")), int(meta.get("n_chunks", 0) or 0)


RECORD_ONLY = ("content_hash", "n_chunks", "source", "boilerplate", "refs_json")  # on a record, not its chunks
CHUNK_ONLY = ("start", "end", "chunk_index", "section")  # on each chunk (rag.ingest.chunking), not the record


def updated(meta: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """`meta` with `fields` set, a None value removing its key: what a Chroma metadata update does."""
    return {k: v for k, v in {**meta, **fields}.items() if v is not None}


def metadata_changes(old: Document, new: Document) -> dict[str, Any]:
    """The document-level fields to set (None: remove) so a stored `old` reads as `new`."""
    before, after = flat_metadata(old), flat_metadata(new)
    changes: dict[str, Any] = {k: v for k, v in after.items() if before.get(k) != v}
    changes.update({k: None for k in before if k not in after})
    return changes


def chunk_drift(record: dict[str, Any], chunk_meta: dict[str, Any]) -> dict[str, Any]:
    """The fields to set (None: remove) on a chunk so its document-level metadata matches the record."""
    want = {k: v for k, v in record.items() if k not in RECORD_ONLY}
    have = {k: v for k, v in chunk_meta.items() if k not in CHUNK_ONLY}
    drift: dict[str, Any] = {k: v for k, v in want.items() if have.get(k) != v}
    drift.update({k: None for k in have if k not in want})
    return drift
