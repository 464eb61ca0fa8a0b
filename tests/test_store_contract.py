"""One contract, two stores: ChromaStore (embedded, under tmp_path) and MemoryStore give the same answers.

Every test here runs once per store (ids "chroma" and "memory") with the same assertions, and
`test_both_stores_observe_the_same_scenario` runs one scenario through both and compares what
they return, so a fast test on MemoryStore says something true of the real index.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rag.index.base import Store
from rag.index.chroma import ChromaStore, make_client
from rag.index.fakes import HashEmbedder, MemoryStore, matches
from rag.index.precedents import PrecedentIndex
from rag.ingest.chunking import chunk_document
from rag.ingest.files import load_file
from rag.ingest.pipeline import ingest
from rag.types import Document

from .conftest import SEEDS

QUERY = "why is there no independent review of children's services in Wales"
WQ85953 = "003_3828880d9c8d13ee"
ADSS = "004_39feb1b05e3fab23"
WHERES: dict[str, dict[str, Any] | None] = {
    "none": None,
    "kind-in": {"kind": {"$in": ["petition_response"]}},
    "doc-eq": {"doc_id": WQ85953},
    "doc-nin": {"doc_id": {"$nin": [WQ85953, ADSS]}},
    "date-range": {
        "$and": [{"date_int": {"$gte": 20220101}}, {"date_int": {"$lt": 20230101}}, {"date_int": {"$gt": 0}}]
    },
    "author-in": {"author_key": {"$in": ["no such author"]}},
    "nin-missing-key": {"author": {"$nin": ["Julie Morgan"]}},  # WQ85953's chunks have no author
    "ne-missing-key": {"author": {"$ne": "Julie Morgan"}},
    "gt-int": {"answer_start": {"$gt": 0}},
    "or": {"$or": [{"kind": "incoming_letter"}, {"doc_id": {"$in": [WQ85953]}}]},
    "and-kind-date": {
        "$and": [{"kind": {"$in": ["written_question", "petition_response"]}}, {"date_int": {"$lte": 20220830}}]
    },
}


def make_store(kind: str, tmp_path: Path, embedder: HashEmbedder) -> Store:
    if kind == "chroma":
        client, location = make_client(str(tmp_path / "chroma"), None)
        return ChromaStore(client, embedder, location=location)
    return MemoryStore(embedder)


@pytest.fixture(params=["chroma", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path, hashed: HashEmbedder) -> Store:
    return make_store(request.param, tmp_path, hashed)


def seeds() -> list[Document]:
    return [load_file(p) for p in sorted(SEEDS.glob("*.txt"))]


def chunk_rows(store: Store) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        cid: (text, meta)
        for page in store.chunk_pages()
        for cid, text, meta in zip(page["ids"], page["documents"], page["metadatas"])
    }


def nearest(store: Store, embedder: HashEmbedder, where: dict[str, Any] | None) -> tuple[list[float], list[Any]]:
    """The top 8 similarities (to 4 places), and every match as (chunk id, similarity) with ties broken
    by id: HNSW and brute force may order equal scores differently, or cut a tie at n differently."""
    vector = embedder.embed([QUERY])[0]
    top = [round(sim, 4) for _, sim in store.query(vector, 8, where)]
    every = sorted(((cid, round(sim, 4)) for cid, sim in store.query(vector, 500, where)), key=lambda h: (-h[1], h[0]))
    return top, every


# ---------------------------------------------------------------------------- the contract


def test_an_empty_store(store: Store, hashed: HashEmbedder) -> None:
    assert store.counts() == (0, 0)
    assert store.doc_hashes() == {} and store.list_documents() == [] and list(store.all_documents()) == []
    assert store.get_document(WQ85953) is None
    assert store.generation() == ""
    assert list(store.chunk_pages()) == []
    assert not store.remove(WQ85953)
    assert store.sweep_orphans(set()) == 0


def test_written_documents_come_back_whole(store: Store) -> None:
    docs = seeds()
    summary = ingest([], PrecedentIndex(store, None), items=docs)
    assert summary.written == 5
    n_chunks = sum(len(chunk_document(d)) for d in docs)
    assert store.counts() == (5, n_chunks) and summary.chunks == n_chunks
    assert store.doc_hashes() == {d.doc_id: d.content_hash for d in docs}
    for d in docs:
        assert store.get_document(d.doc_id) == d
    assert sorted(store.all_documents(), key=lambda d: d.doc_id) == docs
    rows = store.list_documents()
    assert [r["doc_id"] for r in rows] == [d.doc_id for d in docs]
    assert [r["n_chunks"] for r in rows] == [len(chunk_document(d)) for d in docs]
    assert all(r["content_hash"] == d.content_hash and r["kind"] == d.meta.kind for r, d in zip(rows, docs))


def test_chunks_keep_their_text_and_metadata(store: Store) -> None:
    docs = seeds()
    ingest([], PrecedentIndex(store, None), items=docs)
    expected = {c.chunk_id: (c.text, c.metadata) for d in docs for c in chunk_document(d)}
    assert chunk_rows(store) == expected


@pytest.mark.parametrize("name", list(WHERES), ids=list(WHERES))
def test_query_is_nearest_first_within_the_where(store: Store, hashed: HashEmbedder, name: str) -> None:
    docs = seeds()
    ingest([], PrecedentIndex(store, None), items=docs)
    where = WHERES[name]
    rows = chunk_rows(store)
    hits = store.query(hashed.embed([QUERY])[0], 100, where)
    allowed = {cid for cid, (_, meta) in rows.items() if matches(meta, where)}
    assert {cid for cid, _ in hits} == allowed  # n beyond the matches: every match, nothing else
    sims = [sim for _, sim in hits]
    assert sims == sorted(sims, reverse=True)
    vectors = {cid: hashed.embed([text])[0] for cid, (text, _) in rows.items()}
    query = hashed.embed([QUERY])[0]
    assert all(abs(sim - float(vectors[cid] @ query)) < 1e-4 for cid, sim in hits)  # cosine similarity
    assert len(store.query(query, 2, where)) == min(2, len(allowed))


def test_generation_changes_on_every_bump(store: Store) -> None:
    first = store.bump_generation()
    assert first and store.generation() == first
    second = store.bump_generation()
    assert second != first and store.generation() == second


def test_rewriting_a_document_replaces_its_chunks_and_record(store: Store) -> None:
    docs = seeds()
    ingest([], PrecedentIndex(store, None), items=docs)
    old = {cid for cid in chunk_rows(store) if cid.startswith(WQ85953)}
    wq = next(d for d in docs if d.doc_id == WQ85953)
    changed = dataclasses.replace(
        wq,
        text=wq.text + "\n\nWe will publish a national practice framework in the spring.\n",
        meta=dataclasses.replace(wq.meta, author_role=None, refs=["WQ85953"]),
    )
    assert ingest([], PrecedentIndex(store, None), items=[changed]).written == 1
    new = {cid for cid in chunk_rows(store) if cid.startswith(WQ85953)}
    assert new and not old & new
    assert store.get_document(WQ85953) == changed
    (row,) = [r for r in store.list_documents() if r["doc_id"] == WQ85953]
    assert "author_role" not in row and row["n_chunks"] == len(new)  # a dropped field does not linger
    assert store.counts() == (5, len(chunk_rows(store)))


def test_remove_takes_the_record_and_the_chunks(store: Store, hashed: HashEmbedder) -> None:
    ingest([], PrecedentIndex(store, None), items=seeds())
    _, before = store.counts()
    assert store.remove(WQ85953)
    assert store.get_document(WQ85953) is None and WQ85953 not in store.doc_hashes()
    assert not any(meta["doc_id"] == WQ85953 for _, meta in chunk_rows(store).values())
    assert store.counts()[0] == 4 and store.counts()[1] < before
    assert all(not cid.startswith(WQ85953) for cid, _ in store.query(hashed.embed([QUERY])[0], 50, None))
    assert not store.remove(WQ85953)


def test_set_metadata_changes_the_record_and_every_chunk_not_the_vectors(store: Store, hashed: HashEmbedder) -> None:
    docs = seeds()
    ingest([], PrecedentIndex(store, None), items=docs)
    before = nearest(store, hashed, None)
    assert store.set_metadata(ADSS, {"title": "New title", "author": None, "date_int": 20200101})
    record = store.doc_records([ADSS])[ADSS]
    assert record["title"] == "New title" and "author" not in record and record["date_int"] == 20200101
    assert record["content_hash"] == next(d for d in docs if d.doc_id == ADSS).content_hash  # as read, unchanged
    chunks = [meta for _, meta in chunk_rows(store).values() if meta["doc_id"] == ADSS]
    assert chunks and all(m["title"] == "New title" and "author" not in m and m["date_int"] == 20200101 for m in chunks)
    others = [meta for _, meta in chunk_rows(store).values() if meta["doc_id"] != ADSS]
    assert all(m.get("title") != "New title" for m in others)
    assert nearest(store, hashed, None) == before
    assert not store.set_metadata("no-such-document", {"title": "x"})
    assert set(store.doc_records()) == {d.doc_id for d in docs} and store.doc_records(["nope"]) == {}


def test_sweep_orphans_deletes_chunks_of_unknown_documents_only(store: Store) -> None:
    docs = seeds()
    ingest([], PrecedentIndex(store, None), items=docs)
    wq_chunks = len(chunk_document(next(d for d in docs if d.doc_id == WQ85953)))
    known = {d.doc_id for d in docs} - {WQ85953}
    assert store.sweep_orphans(known) == wq_chunks
    assert {meta["doc_id"] for _, meta in chunk_rows(store).values()} == known
    assert store.sweep_orphans(known) == 0


def test_embed_chunks_uses_the_stores_embedder(store: Store, hashed: HashEmbedder) -> None:
    docs = seeds()[:2]
    chunks = {d.doc_id: chunk_document(d) for d in docs}
    vectors = store.embed_chunks(docs, chunks)
    texts = [c.text for d in docs for c in chunks[d.doc_id]]
    assert vectors.shape == (len(texts), 384)
    np.testing.assert_allclose(vectors, hashed.embed(texts), atol=1e-6)
    assert store.embed_chunks([], {}).shape == (0, 384)


# ---------------------------------------------------------------------------- side by side


def observe(store: Store, embedder: HashEmbedder) -> dict[str, Any]:
    """Everything the rest of rag/ can see of a store after one scenario of writes."""
    docs = seeds()
    ingest([], PrecedentIndex(store, None), items=docs[:3])
    ingest([], PrecedentIndex(store, None), items=docs)  # three unchanged, two new
    seen: dict[str, Any] = {"counts-after-ingest": store.counts(), "hashes": store.doc_hashes()}
    seen["rows"] = store.list_documents()
    seen["chunks"] = chunk_rows(store)
    seen["documents"] = sorted(store.all_documents(), key=lambda d: d.doc_id)
    seen["nearest"] = {name: nearest(store, embedder, where) for name, where in WHERES.items()}
    seen["removed"] = (store.remove(ADSS), store.remove(ADSS), store.counts())
    seen["swept"] = store.sweep_orphans(set(store.doc_hashes()) - {WQ85953})
    seen["after"] = (store.counts(), sorted(chunk_rows(store)))
    return seen


def test_both_stores_observe_the_same_scenario(tmp_path: Path, hashed: HashEmbedder) -> None:
    chroma = observe(make_store("chroma", tmp_path, hashed), hashed)
    memory = observe(make_store("memory", tmp_path, hashed), hashed)
    assert chroma.keys() == memory.keys()
    for key in chroma:
        assert chroma[key] == memory[key], key
