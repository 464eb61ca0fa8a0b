"""Split a document into indexable chunks, paragraph-aware, skipping boilerplate, keeping offsets."""

from __future__ import annotations

from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.types import Chunk, Document, chunk_id_for, flat_metadata

CHUNK_SIZE = 1000  # characters; ~200 MiniLM tokens, under its 256-token window
CHUNK_OVERLAP = 120
MIN_SEGMENT = 25  # non-space characters; shorter leftovers between boilerplate are dropped

_splitter = RecursiveCharacterTextSplitter(
    chunk_size=CHUNK_SIZE,
    chunk_overlap=CHUNK_OVERLAP,
    separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
    add_start_index=True,
    keep_separator="end",
)


def indexable_segments(text: str, boilerplate: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans of `text` left once boilerplate spans are cut out."""
    segments, pos = [], 0
    for start, end in sorted(boilerplate):
        if start > pos:
            segments.append((pos, start))
        pos = max(pos, end)
    if pos < len(text):
        segments.append((pos, len(text)))
    return [(s, e) for s, e in segments if len(text[s:e].strip()) >= MIN_SEGMENT]


def chunk_document(doc: Document) -> list[Chunk]:
    """Paragraph-aware chunks of the document's non-boilerplate text, with offsets into doc.text."""
    base = flat_metadata(doc)
    chunks: list[Chunk] = []
    for seg_start, seg_end in indexable_segments(doc.text, doc.boilerplate):
        for piece in _splitter.create_documents([doc.text[seg_start:seg_end]]):
            start = seg_start + int(piece.metadata["start_index"])
            body = piece.page_content
            end = start + len(body)
            if len(body.strip()) < MIN_SEGMENT and chunks:
                continue
            i = len(chunks)
            meta = dict(base, start=start, end=end, chunk_index=i)
            meta["section"] = "answer" if end > doc.meta.answer_start else "question"
            chunks.append(Chunk(chunk_id_for(doc.doc_id, doc.content_hash, i), doc.doc_id, body, start, end, meta))
    return chunks
