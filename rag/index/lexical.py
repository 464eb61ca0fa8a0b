"""The BM25 side of the index: tantivy over the chunks of every complete document.

It is derived data, changed batch by batch in step with the store (rag.index.precedents keeps
the two in step and repairs it after a crash), and it answers four questions: the best chunks for
a query's terms within a `where` clause, how many chunks a clause allows, the text and metadata
of given chunks, and which document versions it holds. Nothing is held in memory but tantivy's
own mmap'd segments, so opening it costs milliseconds at any size.

Chosen on evidence (BENCHMARKS.md): at 400k chunks tantivy answered in 15 ms p95 with 0.37 GB
peak RSS, where bm25s needed a 30 s rebuild for any change and 3.2 GB, and SQLite FTS5 took
115 ms p95 already at 40k chunks (OR queries rank every match).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from rag.index.where import to_tantivy
from rag.text.words import search_tokens
from rag.types import Passage, chunk_version

SCHEMA_VERSION = "1"  # bump when the fields below change: the side is then rebuilt from the store
HEAP_BYTES = 50_000_000  # tantivy's per-writer indexing buffer
COUNTS_KEPT = 256


def _schema() -> Any:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("chunk_id", stored=True, tokenizer_name="raw")
    sb.add_text_field("doc_id", stored=True, tokenizer_name="raw")
    sb.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    sb.add_bytes_field("payload", stored=True)  # {"text", "meta"} as JSON
    sb.add_text_field("kind", tokenizer_name="raw")
    sb.add_text_field("author_key", tokenizer_name="raw", fast=True)
    sb.add_integer_field("date_int", indexed=True, fast=True)
    sb.add_integer_field("chunk_index", indexed=True)
    sb.add_integer_field("doc_chunks", stored=True)
    return sb.build()


@dataclass(frozen=True)
class ChunkRow:
    """One chunk as the BM25 side keeps it."""

    chunk_id: str
    text: str
    meta: dict[str, Any]


class LexicalIndex:
    """BM25 (tantivy) over chunks, in `directory` (or in memory when None). `exclusive` is held
    while the folder is made or replaced: the write lock every process on this machine shares,
    so one process never deletes the folder another is making."""

    def __init__(
        self, directory: Path | None, exclusive: Callable[[], AbstractContextManager[Any]] = nullcontext
    ) -> None:
        self.directory = directory
        self.schema = _schema()
        self._index = self._open(exclusive)
        self._counts: dict[str, int] = {}  # clause -> count, since the last reload or write

    def _open(self, exclusive: Callable[[], AbstractContextManager[Any]]) -> Any:
        if self.directory is None:
            return tantivy.Index(self.schema)
        stamp = self.directory / "schema-version"
        if _readable(stamp, SCHEMA_VERSION):
            return tantivy.Index(self.schema, path=str(self.directory), reuse=True)
        with exclusive():
            if not _readable(stamp, SCHEMA_VERSION):  # looked at again: another process may have made it
                if self.directory.exists():
                    shutil.rmtree(self.directory)  # an older layout: derived data, rebuilt from the store
                self.directory.mkdir(parents=True)
            index = tantivy.Index(self.schema, path=str(self.directory), reuse=True)
            stamp.write_text(SCHEMA_VERSION, encoding="utf-8")  # after the index: a stamp means it is whole
            return index

    # -- reading ---------------------------------------------------------------------------
    def reload(self) -> None:
        """See what other writers (processes or threads) have committed since."""
        self._index.reload()
        self._counts.clear()

    def __len__(self) -> int:
        return self.count(None)

    def count(self, where: dict[str, Any] | None) -> int:
        """How many chunks the clause allows (remembered until the next reload or write: a day's
        questions mostly share their filters, and at 400k chunks a count costs 7 ms)."""
        key = json.dumps(where, sort_keys=True)
        if key not in self._counts:
            if len(self._counts) >= COUNTS_KEPT:
                self._counts.clear()
            self._counts[key] = self._count(to_tantivy(where, self.schema))
        return self._counts[key]

    def _count(self, query: Any) -> int:
        return int(self._index.searcher().search(query, 1, count=True).count)

    def top(self, query: str, n: int, where: dict[str, Any] | None = None) -> list[tuple[ChunkRow, float]]:
        """The `n` best chunks for the query's terms within the clause, with their BM25 scores."""
        terms = list(dict.fromkeys(search_tokens(query)))
        if not terms or n <= 0:
            return []
        should = [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "body", t)) for t in terms]
        query_q = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, tantivy.Query.boolean_query(should)),
                (tantivy.Occur.Must, to_tantivy(where, self.schema)),
            ]
        )
        searcher = self._index.searcher()
        return [
            (_row(searcher.doc(addr)), float(score)) for score, addr in searcher.search(query_q, n, count=False).hits
        ]

    def term_counts(self, terms: Iterable[str], where: dict[str, Any] | None = None) -> dict[str, int]:
        """For each search term (as `search_tokens` makes them): how many chunks within the clause hold it."""
        clause = to_tantivy(where, self.schema)
        return {
            t: self._count(
                tantivy.Query.boolean_query(
                    [
                        (tantivy.Occur.Must, tantivy.Query.term_query(self.schema, "body", t)),
                        (tantivy.Occur.Must, clause),
                    ]
                )
            )
            for t in dict.fromkeys(terms)
        }

    def fetch(self, chunk_ids: Iterable[str]) -> dict[str, ChunkRow]:
        """The rows of those chunks the side holds (a chunk of an incomplete document is absent)."""
        ids = list(dict.fromkeys(chunk_ids))
        if not ids:
            return {}
        rows = self._rows(tantivy.Query.term_set_query(self.schema, "chunk_id", ids), len(ids))
        return {row.chunk_id: row for row in rows}

    def chunk_ids(self, where: dict[str, Any] | None = None) -> set[str]:
        """The ids of every chunk the clause allows."""
        query = to_tantivy(where, self.schema)
        return {row.chunk_id for row in self._rows(query, self._count(query))}

    def doc_passages(self, doc_id: str) -> list[Passage]:
        """Every chunk of one document, in text order."""
        query = tantivy.Query.term_query(self.schema, "doc_id", doc_id)
        rows = self._rows(query, self._count(query))
        passages = [
            Passage(doc_id, r.chunk_id, r.text, int(r.meta["start"]), int(r.meta["end"]), 0.0, r.meta) for r in rows
        ]
        return sorted(passages, key=lambda p: p.start)

    def author_keys(self, needle: str) -> list[str]:
        """The distinct author keys containing `needle` (lower case)."""
        pattern = ".*" + "".join(f"\\x{{{ord(c):x}}}" for c in needle.lower()) + ".*"
        query = tantivy.Query.regex_query(self.schema, "author_key", pattern)
        agg = self._index.searcher().aggregate(query, {"a": {"terms": {"field": "author_key", "size": 65000}}})
        return sorted(b["key"] for b in agg["a"]["buckets"])

    def versions(self) -> dict[str, tuple[str, int]]:
        """{doc_id: (version, chunk count)} of every document held (version: its chunk ids' middle part)."""
        searcher = self._index.searcher()
        first = tantivy.Query.term_query(self.schema, "chunk_index", 0)
        out: dict[str, tuple[str, int]] = {}
        for _, addr in searcher.search(first, max(self._count(first), 1), count=False).hits:
            doc = searcher.doc(addr)
            out[doc["doc_id"][0]] = (chunk_version(doc["chunk_id"][0]), int(doc["doc_chunks"][0]))
        return out

    def _rows(self, query: Any, limit: int) -> list[ChunkRow]:
        searcher = self._index.searcher()
        out = []
        for _, addr in searcher.search(query, max(limit, 1), count=False).hits:
            out.append(_row(searcher.doc(addr)))
        return out

    # -- writing (one writer at a time: rag.index.precedents holds the lock) ---------------
    def apply(self, put: dict[str, list[ChunkRow]], drop: Iterable[str] = ()) -> None:
        """Replace the chunks of the documents in `put` and delete those in `drop`, in one commit."""
        writer = self._index.writer(heap_size=HEAP_BYTES, num_threads=1)
        try:
            for doc_id in [*put, *drop]:
                writer.delete_documents_by_term("doc_id", doc_id)
            for doc_id, rows in put.items():
                for row in rows:
                    writer.add_document(self._document(doc_id, row, len(rows)))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self.reload()

    def _document(self, doc_id: str, row: ChunkRow, n_chunks: int) -> Any:
        meta = row.meta
        return tantivy.Document(
            chunk_id=row.chunk_id,
            doc_id=doc_id,
            body=" ".join(search_tokens(row.text)),
            payload=json.dumps({"text": row.text, "meta": meta}).encode("utf-8"),
            kind=str(meta.get("kind", "")),
            author_key=str(meta.get("author_key", "")),
            date_int=int(meta.get("date_int", 0) or 0),
            chunk_index=int(meta.get("chunk_index", 0)),
            doc_chunks=n_chunks,
        )


def _row(doc: Any) -> ChunkRow:
    payload = json.loads(bytes(doc["payload"][0]))
    return ChunkRow(doc["chunk_id"][0], payload["text"], payload["meta"])


def _readable(path: Path, expected: str) -> bool:
    try:
        return path.read_text(encoding="utf-8").strip() == expected
    except OSError:
        return False
