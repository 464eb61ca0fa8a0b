"""Search filters as one Chroma `where` clause, read three ways: by Chroma, by `matches` on a
record, and as a filter on the BM25 side (tantivy).

Hybrid search hands Chroma the `where` only when the filters keep under 5% of the chunks (else it
over-fetches unfiltered and applies the clause to the hits itself). Five seeds never get under 5%, so these tests
build 80 one-chunk documents (HashEmbedder, real embedded Chroma under tmp_path) in which each rare
kind, author and year holds 3 documents (3.75%).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rag.assistant import Assistant, build_assistant
from rag.index.chroma import ChromaStore, make_client
from rag.index.fakes import HashEmbedder, matches
from rag.retrieval.filters import where
from rag.retrieval.hybrid import OVERFETCH_MIN_SHARE, hybrid_search
from rag.settings import Settings
from rag.types import DocMeta, Document, SearchFilters

N_DOCS = 80
RARE = (5, 37, 71)  # the documents that carry each rare value
TOPICS = [
    "school transport for pupils in rural areas",
    "teacher pay and the workload of school staff",
    "special educational needs support in schools",
    "free school meals for every primary pupil",
    "children's social care and foster carers",
    "apprenticeships and further education colleges",
]
QUERY = "support for foster carers and children's social care"


def corpus() -> list[Document]:
    docs = []
    for i in range(N_DOCS):
        rare = i in RARE
        meta = DocMeta(
            kind="petition_response" if rare else "written_question",
            ref=f"WQ{10_000 + i}",
            date=f"2020-0{1 + RARE.index(i)}-15" if rare else f"2023-{1 + i % 12:02d}-{1 + i % 27:02d}",
            author="Ann Example" if rare else ["Ben Sample", "Cai Jones"][i % 2],
            author_role="Minister for Education",
        )
        text = (
            f"The Government has set out its position on {TOPICS[i % len(TOPICS)]}. "
            f"It will publish update number {i} on {TOPICS[(i * 5) % len(TOPICS)]} later this year."
        )
        docs.append(Document(f"doc-{i:03d}", text, meta, source=f"synthetic#{i}"))
    return docs


class RecordingStore:
    """A store that notes the `where` of every dense query and passes everything else through."""

    def __init__(self, inner: ChromaStore) -> None:
        self.inner = inner
        self.wheres: list[dict[str, Any] | None] = []

    def query(self, embedding: np.ndarray, n: int, where: dict[str, Any] | None) -> list[tuple[str, float]]:
        self.wheres.append(where)
        return self.inner.query(embedding, n, where)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture(scope="module")
def chroma_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 80 documents in embedded Chroma, built once for the module (the tests only read)."""
    directory = tmp_path_factory.mktemp("filters") / "store"
    a = assistant_over(directory)
    summary = a.ingest([], items=corpus())
    assert (summary.written, summary.chunks) == (N_DOCS, N_DOCS)
    return directory


def assistant_over(directory: Path) -> Assistant:
    embedder = HashEmbedder()
    client, location = make_client(str(directory), None)
    store = RecordingStore(ChromaStore(client, embedder, location=location))
    return build_assistant(Settings(store=directory), embedder=embedder, store=store)  # type: ignore[arg-type]


@pytest.fixture
def recorded(chroma_dir: Path) -> Assistant:
    return assistant_over(chroma_dir)


RARE_FILTERS = {
    "kind": SearchFilters(kinds=["petition_response"]),
    "author": SearchFilters(author="ann example"),
    "date-range": SearchFilters(date_from="2020-01-01", date_to="2020-12-31"),
    "as-of": SearchFilters(as_of="2021-01-01"),
    "kind-and-author": SearchFilters(kinds=["petition_response", "incoming_letter"], author="ann"),
    "excluded-all-but-three": SearchFilters(exclude_doc_ids={f"doc-{i:03d}" for i in range(N_DOCS) if i not in RARE}),
}


def clause_of(a: Assistant, filters: SearchFilters) -> dict[str, Any] | None:
    return where(filters, a.lexical().author_keys)


def every_chunk(a: Assistant) -> list[tuple[str, str, dict[str, Any]]]:
    chroma: ChromaStore = a.store.inner  # type: ignore[attr-defined]
    return [
        (c, t, m) for page in chroma.chunk_pages() for c, t, m in zip(page["ids"], page["documents"], page["metadatas"])
    ]


def share(a: Assistant, filters: SearchFilters) -> float:
    lex = a.lexical()
    return lex.count(clause_of(a, filters)) / len(lex)


def exact(a: Assistant, filters: SearchFilters, k: int) -> list[tuple[str, float, float]]:
    """Hybrid search whose dense side is brute-force cosine over exactly the allowed chunks."""
    clause = clause_of(a, filters)
    rows = [(cid, text) for cid, text, meta in every_chunk(a) if matches(meta, clause)]
    vectors = a.embedder.embed([text for _, text in rows])

    def dense(vector: np.ndarray, n: int, _where: dict[str, Any] | None) -> list[tuple[str, float]]:
        sims = vectors @ vector
        return [(rows[i][0], float(sims[i])) for i in np.argsort(-sims, kind="stable")[:n]]

    hits = hybrid_search(QUERY, a.embedder.embed([QUERY])[0], a.lexical(), dense, k=k, filters=filters)
    return [(p.chunk_id, round(p.score, 9), round(float(p.meta["cosine"]), 4)) for p in hits]


@pytest.mark.parametrize("name", list(RARE_FILTERS), ids=list(RARE_FILTERS))
def test_a_filter_keeping_under_5_percent_goes_to_chromas_where_and_matches_exact_search(
    recorded: Assistant, name: str
) -> None:
    filters = RARE_FILTERS[name]
    assert 0 < share(recorded, filters) < OVERFETCH_MIN_SHARE

    hits = recorded.search(QUERY, k=5, filters=filters)

    store: RecordingStore = recorded.store  # type: ignore[assignment]
    assert store.wheres == [clause_of(recorded, filters)] and store.wheres[0] is not None  # Chroma filtered
    got = [(p.chunk_id, round(p.score, 9), round(float(p.meta["cosine"]), 4)) for p in hits]
    assert got == exact(recorded, filters, k=5)
    assert {p.doc_id for p in hits} <= {f"doc-{i:03d}" for i in RARE} and len(hits) == len(RARE)


def test_a_broad_filter_is_applied_here_after_an_unfiltered_overfetch(recorded: Assistant) -> None:
    filters = SearchFilters(kinds=["written_question"])
    assert share(recorded, filters) >= OVERFETCH_MIN_SHARE
    hits = recorded.search(QUERY, k=5, filters=filters)

    store: RecordingStore = recorded.store  # type: ignore[assignment]
    assert store.wheres == [None]  # over-fetched without a where; the clause was applied to the hits
    assert [(p.chunk_id, round(p.score, 9), round(float(p.meta["cosine"]), 4)) for p in hits] == exact(
        recorded, filters, k=5
    )
    assert all(p.meta["kind"] == "written_question" for p in hits)


ALL_FILTERS = RARE_FILTERS | {
    "none": SearchFilters(),
    "broad-kind": SearchFilters(kinds=["written_question"]),
    "no-such-author": SearchFilters(author="nobody at all"),
    "date-from": SearchFilters(date_from="2023-06-01"),
    "date-to": SearchFilters(date_to="2023-03-31"),
    "exclude-some": SearchFilters(exclude_doc_ids={"doc-000", "doc-005", "doc-079"}),
}


@pytest.mark.parametrize("name", list(ALL_FILTERS), ids=list(ALL_FILTERS))
def test_chroma_matches_and_the_bm25_side_allow_the_same_chunks(recorded: Assistant, name: str) -> None:
    clause = clause_of(recorded, ALL_FILTERS[name])
    rows = every_chunk(recorded)
    chroma: ChromaStore = recorded.store.inner  # type: ignore[attr-defined]
    by_chroma = set(chroma.chunks.get(where=clause, include=[])["ids"]) if clause else {c for c, _, _ in rows}
    by_memory = {cid for cid, _, meta in rows if matches(meta, clause)}
    by_tantivy = recorded.lexical().chunk_ids(clause)
    assert by_chroma == by_memory == by_tantivy


BOUNDS = {
    "gte-and-gt-same-value": [{"date_int": {"$gte": 20200102}}, {"date_int": {"$gt": 20200102}}],
    "lt-and-lte-same-value": [{"date_int": {"$lte": 20200102}}, {"date_int": {"$lt": 20200102}}],
    "two-lowers-keep-higher": [{"date_int": {"$gt": 0}}, {"date_int": {"$gte": 20200102}}],
    "window-with-kind": [{"date_int": {"$gt": 0}}, {"date_int": {"$lt": 20200103}}, {"kind": {"$in": ["a"]}}],
    "empty-window": [{"date_int": {"$gte": 20200103}}, {"date_int": {"$lt": 20200102}}],
}


@pytest.mark.parametrize("name", list(BOUNDS), ids=list(BOUNDS))
def test_bounds_merged_into_one_range_keep_their_meaning(name: str) -> None:
    from rag.index.lexical import ChunkRow, LexicalIndex

    lex = LexicalIndex(None)
    metas = {
        f"d{i}:v:0": {
            "doc_id": f"d{i}",
            "date_int": 20200101 + i,
            "kind": "ab"[i % 2],
            "chunk_index": 0,
            "start": 0,
            "end": 4,
        }
        for i in range(4)
    }
    lex.apply({m["doc_id"]: [ChunkRow(cid, "text", m)] for cid, m in metas.items()})
    clause = {"$and": BOUNDS[name]}
    assert lex.chunk_ids(clause) == {cid for cid, m in metas.items() if matches(m, clause)}
