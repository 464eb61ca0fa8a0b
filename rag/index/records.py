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
