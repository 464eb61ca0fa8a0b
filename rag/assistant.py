"""The composition root: `build_assistant` makes Ymateb from settings; every part can be passed in.

    assistant = build_assistant()                      # settings from the environment and .env
    assistant.ingest(["seeds/"])                       # files, folders, .jsonl(.gz) corpora
    assistant.search("kinship care", k=5)              # hybrid dense + BM25 search -> [Passage]
    assistant.draft(parse_request(text))               # a cited reply in the house format -> Draft

Tests and other front ends pass their own parts: `build_assistant(settings, embedder=HashEmbedder(),
store=MemoryStore(), backend=ScriptedBackend())`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from rag.drafting.backends import make_backend
from rag.drafting.backends.base import Backend, TokenSink
from rag.drafting.pipeline import PASSAGES
from rag.drafting.pipeline import draft as draft_reply
from rag.errors import InputError
from rag.index.base import Embedder, Store
from rag.index.catalogue import DocumentPage, DocumentQuery
from rag.index.lexical import LexicalIndex
from rag.index.precedents import PrecedentIndex
from rag.index.records import metadata_changes
from rag.ingest.pipeline import ingest
from rag.retrieval.filters import where as where_clause
from rag.retrieval.hybrid import hybrid_search
from rag.retrieval.query import check_search
from rag.settings import Settings, load_settings
from rag.text.dates import parse_iso_date
from rag.types import Document, Draft, DraftRequest, IngestSummary, Passage, SearchFilters, Skipped

FRESHNESS_SECONDS = 2.0  # how often a long-lived process re-checks the shared index's generation


class Assistant:
    """Ingest, search and draft over one precedent index."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        store: Store,
        state_dir: Path,
        backend: Backend | None = None,
        freshness_seconds: float = FRESHNESS_SECONDS,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.store = store
        self.state_dir = state_dir
        self.index = PrecedentIndex(store, state_dir, shared=bool(settings.chroma_url))
        self.freshness_seconds = freshness_seconds
        self.default_backend = backend.name if backend is not None else settings.backend
        self._backends: dict[str, Backend] = {backend.name: backend} if backend is not None else {}
        self._checked: float | None = None
        self._lock = threading.RLock()

    # -- corpus ----------------------------------------------------------------------------
    def ingest(
        self, paths: Iterable[str | Path], progress: bool = False, items: Iterable[Document | Skipped] | None = None
    ) -> IngestSummary:
        """Bring the index up to date with these files, folders or record files (or `items`);
        whatever an earlier crash left unfinished is completed on the way."""
        summary = ingest(paths, self.index, progress=progress, items=items, max_mb=self.settings.max_upload_mb)
        self.index.sync()  # a crashed batch nothing here rewrote, or a BM25 side behind its store
        return summary

    def ensure_seeded(self, seeds: Path) -> IngestSummary | None:
        """Index the seed corpus when the store is empty (first start); None if nothing was needed."""
        documents, _ = self.store.counts()
        if documents or not Path(seeds).is_dir():
            return None
        return self.ingest([seeds])

    def remove(self, doc_id: str) -> bool:
        return self.index.remove(doc_id)

    def get_document(self, doc_id: str) -> Document | None:
        return self.store.get_document(doc_id)

    def list_documents(self) -> list[dict[str, Any]]:
        """Every document's record (reads them all: for a page of them use `document_page`)."""
        return self.store.list_documents()

    def document_page(self, query: DocumentQuery | None = None) -> DocumentPage:
        """One page of the documents matching `query` (text, kinds, dates, person), newest first,
        and how many match: answered by the catalogue beside the index, at any size in milliseconds."""
        self.lexical()  # caught up with writes made elsewhere, as search is
        return self.index.catalogue.page(query or DocumentQuery())

    def kinds(self) -> list[str]:
        """The kinds of document the index holds (from the catalogue)."""
        self.lexical()
        return list(self.index.catalogue.kinds())

    def update_document(self, doc_id: str, **changes: str | None) -> Document:
        """Correct a stored document's kind, date, author, author_role or title (None or "" clears
        one); its record, every chunk and the search side change together, nothing is re-embedded.
        InputError for an unknown document, field or a date that is not YYYY-MM-DD."""
        doc = self.store.get_document(doc_id)
        if doc is None:
            raise InputError(f"No document {doc_id!r} in the index; it may have been removed.")
        new = replace(doc, meta=replace(doc.meta, **_checked_changes(changes)))
        fields = metadata_changes(doc, new)
        if fields and not self.index.update_metadata(doc_id, fields):
            raise InputError(f"No document {doc_id!r} in the index; it may have been removed.")
        return new

    def stats(self) -> dict[str, Any]:
        self.lexical()
        n_docs, n_chunks = self.store.counts()
        return {
            "documents": n_docs,
            "chunks": n_chunks,
            "by_kind": self.index.catalogue.kinds(),
            "store": self.store.location,
            "embedding_model": getattr(self.embedder, "model_name", type(self.embedder).__name__),
        }

    # -- the BM25 side ---------------------------------------------------------------------
    def lexical(self) -> LexicalIndex:
        """The BM25 side, caught up with writes made elsewhere (checked every `freshness_seconds`)."""
        with self._lock:
            now = time.monotonic()
            if self._checked is None or now - self._checked >= self.freshness_seconds:
                self.index.sync()
                self._checked = now
            return self.index.lexical

    def doc_passages(self, doc_id: str) -> list[Passage]:
        """Every indexed chunk of one document, in text order."""
        return self.lexical().doc_passages(doc_id)

    def chosen_passages(self, chosen: Iterable[Mapping[str, str | None]]) -> list[Passage]:
        """The passages an official chose, in the order chosen: {"doc_id", "chunk_id"} names one
        passage, or with chunk_id None the whole document (all its passages). Ones no longer
        indexed are left out."""
        out: list[Passage] = []
        for entry in chosen:
            passages = self.doc_passages(str(entry.get("doc_id") or ""))
            chunk = entry.get("chunk_id")
            out.extend(p for p in passages if chunk is None or p.chunk_id == chunk)
        return list({p.chunk_id: p for p in out}.values())

    # -- search and draft ------------------------------------------------------------------
    def search(
        self, query: str, k: int = 5, filters: SearchFilters | None = None, per_doc: int | None = None
    ) -> list[Passage]:
        """Hybrid search: dense and BM25 rankings of the chunks `filters` allow, fused, capped per
        document. InputError for an empty or stopword-only query, or k / per_doc under 1."""
        return self._search(check_search(query, k, per_doc), k, filters, per_doc)

    def _search(self, query: str, k: int, filters: SearchFilters | None, per_doc: int | None = None) -> list[Passage]:
        vector = self.embedder.embed([query])[0]
        return hybrid_search(
            query,
            vector,
            self.lexical(),
            self.store.query,
            k=k,
            filters=filters,
            per_doc=per_doc or self.settings.passages_per_doc,
        )

    def term_counts(self, terms: list[str], filters: SearchFilters | None = None) -> tuple[dict[str, int], int]:
        """For each search term, how many chunks the filters allow hold it; and how many they allow."""
        lex = self.lexical()
        clause = where_clause(filters or SearchFilters(), lex.author_keys)
        return lex.term_counts(terms, clause), lex.count(clause)

    def backend(self, name: str | None = None) -> Backend:
        """The named backend (default: the one this assistant was built with), made once."""
        name = name or self.default_backend
        with self._lock:
            if name not in self._backends:
                self._backends[name] = make_backend(name, self.settings, self.embedder, self.doc_passages)
            return self._backends[name]

    def draft(
        self,
        request: DraftRequest,
        backend: str | None = None,
        *,
        exclude_doc_ids: Iterable[str] = (),
        on_token: TokenSink | None = None,
        k: int = PASSAGES,
        chosen: Sequence[Passage] = (),
    ) -> Draft:
        """A cited reply to `request` from precedents dated before `request.as_of`.
        `backend` names another backend than the default ("offline", "openai"); `chosen` passages
        (see chosen_passages) are offered first, and cited only where they address the request."""
        return draft_reply(
            request,
            search=lambda query, n, filters: self._search(query, n, filters),
            term_counts=self.term_counts,
            backend=self.backend(backend),
            embedder=self.embedder,
            settings=self.settings,
            exclude_doc_ids=exclude_doc_ids,
            on_token=on_token,
            k=k,
            chosen=chosen,
        )


EDITABLE = ("kind", "date", "author", "author_role", "title")  # the fields a person may correct


def _checked_changes(changes: dict[str, str | None]) -> dict[str, Any]:
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InputError(f"Cannot change {', '.join(unknown)}; only {', '.join(EDITABLE)}.")
    out = {k: (str(v).strip() or None) if v is not None else None for k, v in changes.items()}
    if "kind" in out:
        out["kind"] = out["kind"] or "unknown"
    if "date" in out:
        out["date"] = parse_iso_date(out["date"], "The date")
    return out


def state_dir_for(settings: Settings) -> Path:
    """Where the BM25 side, the write lock and the journal live: beside the embedded store, or
    (with a Chroma server) in this machine's own folder for that server and collection."""
    if settings.chroma_url:
        tag = hashlib.sha1(f"{settings.chroma_url}|{settings.collection}".encode()).hexdigest()[:12]
        return Path(settings.store) / f"index-server-{tag}"
    return Path(settings.store) / f"index-{settings.collection}"


def build_assistant(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    store: Store | None = None,
    backend: Backend | None = None,
    freshness_seconds: float = FRESHNESS_SECONDS,
) -> Assistant:
    """Ymateb from settings (read from the environment when not given). Pass `embedder`, `store` or
    `backend` to use your own: the defaults are MiniLM, Chroma (embedded, or the server at
    YMATEB_CHROMA_URL) and the backend named by YMATEB_BACKEND."""
    settings = settings or load_settings()
    if embedder is None:
        from rag.index.embedder import default_embedder

        embedder = default_embedder(settings)
    if store is None:
        from rag.index.chroma import ChromaStore, make_client

        client, location = make_client(str(settings.store), settings.chroma_url)
        directory = None if settings.chroma_url else Path(settings.store)
        store = ChromaStore(client, embedder, prefix=settings.collection, location=location, directory=directory)
    return Assistant(settings, embedder, store, state_dir_for(settings), backend, freshness_seconds)
