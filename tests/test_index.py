"""The precedent index: idempotent ingest, crash recovery, hybrid search and its filters.

Ingest and crash recovery run on embedded Chroma with the HashEmbedder (the store is the subject,
not the model); filters and search mechanics on HashEmbedder + MemoryStore; what MiniLM finds on
the seeds (WQ85953 first for the review question) on the real model.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rag.assistant import Assistant
from rag.errors import StoreError
from rag.index.fakes import HashEmbedder
from rag.ingest.pipeline import ingest
from rag.retrieval.hybrid import fuse
from rag.types import SearchFilters

from .conftest import SEEDS, make_assistant

WQ85953 = "003_3828880d9c8d13ee"
P_06_1199 = "000_13427d4b3c4b56d1"
REVIEW_QUERY = "why is there no independent review of children's services in Wales"


def chunk_ids(a: Assistant) -> list[str]:
    return [cid for page in a.store.chunk_pages() for cid in page["ids"]]


def test_ingest_seeds_then_reingest_embeds_nothing(tmp_path: Path, hashed: HashEmbedder) -> None:
    assistant = make_assistant(tmp_path / "store", hashed)  # embedded Chroma
    first = assistant.ingest([SEEDS])
    assert (first.written, first.unchanged, first.skipped) == (5, 0, [])
    assert first.embedded == first.chunks == len(hashed.texts) > 5
    hashed.texts.clear()
    second = assistant.ingest([SEEDS])
    assert (second.written, second.unchanged, second.embedded) == (0, 5, 0)
    assert hashed.texts == []
    assert assistant.store.counts() == (5, first.chunks)


def test_changed_document_replaces_its_chunks(tmp_path: Path, hashed: HashEmbedder) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    a = make_assistant(tmp_path / "store", hashed)
    a.ingest([corpus])
    old = {c for c in chunk_ids(a) if c.startswith(WQ85953)}
    path = corpus / f"{WQ85953}.txt"
    path.write_text(path.read_text() + "\n\nWe will publish a national practice framework in the spring.\n")
    hashed.texts.clear()
    summary = a.ingest([corpus])
    assert (summary.written, summary.unchanged) == (1, 4)
    assert any("national practice framework in the spring" in t for t in hashed.texts)
    new = {c for c in chunk_ids(a) if c.startswith(WQ85953)}
    assert new and not (old & new)
    hits = a.search("national practice framework in the spring", k=1)
    assert hits[0].doc_id == WQ85953


def test_remove_deletes_document_and_chunks(fast_seeded: Assistant) -> None:
    assert fast_seeded.remove(WQ85953)
    assert fast_seeded.get_document(WQ85953) is None
    assert not any(c.startswith(WQ85953) for c in chunk_ids(fast_seeded))
    assert all(p.doc_id != WQ85953 for p in fast_seeded.search(REVIEW_QUERY, k=10))
    assert not fast_seeded.remove(WQ85953)


class ExplodingEmbedder:
    """Fails on its Nth call, like a process killed half-way through an ingest."""

    def __init__(self, inner: Any, fail_on_call: int) -> None:
        self.inner, self.fail_on_call, self.calls = inner, fail_on_call, 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise MemoryError("simulated crash")
        return self.inner.embed(texts)


def test_interrupted_ingest_is_completed_by_rerun(tmp_path: Path, hashed: HashEmbedder) -> None:
    embedder = hashed
    crashing = make_assistant(tmp_path / "store", ExplodingEmbedder(embedder, fail_on_call=3))
    with pytest.raises(MemoryError):
        ingest([SEEDS], crashing.index, batch_chunks=4)
    partial = crashing.store.doc_hashes()
    assert 0 < len(partial) < 5
    again = make_assistant(tmp_path / "store", embedder)
    summary = again.ingest([SEEDS])
    assert summary.unchanged == len(partial) and summary.written == 5 - len(partial)
    ids = chunk_ids(again)
    assert len(ids) == len(set(ids))
    expected = sum(int(d["n_chunks"]) for d in again.list_documents())
    assert len(ids) == expected == len(again.lexical())
    assert again.search(REVIEW_QUERY, k=1)[0].doc_id == WQ85953


class FailingUpsert:
    """A documents collection whose record write fails after the chunks went in."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def upsert(self, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_crash_between_chunks_and_record_leaves_no_duplicates(tmp_path: Path, hashed: HashEmbedder) -> None:
    embedder = hashed
    a = make_assistant(tmp_path / "store", embedder)
    a.store.docs = FailingUpsert(a.store.docs)  # type: ignore[assignment]
    with pytest.raises(StoreError, match="disk space"):
        a.ingest([SEEDS])
    b = make_assistant(tmp_path / "store", embedder)
    assert b.store.doc_hashes() == {}
    b.ingest([SEEDS])
    ids = chunk_ids(b)
    assert len(ids) == len(set(ids)) == sum(int(d["n_chunks"]) for d in b.list_documents())


def test_review_question_finds_wq85953_first(seeded: Assistant) -> None:
    hits = seeded.search(REVIEW_QUERY, k=5)
    assert hits[0].doc_id == WQ85953
    assert hits[0].meta["ref"] == "WQ85953"


def test_as_of_is_strictly_before(seeded: Assistant) -> None:
    before = seeded.search(REVIEW_QUERY, k=10, filters=SearchFilters(as_of="2022-08-30"))
    assert before and all(p.meta["date_int"] < 20220830 for p in before)
    assert WQ85953 not in {p.doc_id for p in before}
    after = seeded.search(REVIEW_QUERY, k=10, filters=SearchFilters(as_of="2022-08-31"))
    assert after[0].doc_id == WQ85953


def test_kind_filter(fast_seeded: Assistant) -> None:
    hits = fast_seeded.search(REVIEW_QUERY, k=10, filters=SearchFilters(kinds=["petition_response"]))
    assert hits and {p.meta["kind"] for p in hits} == {"petition_response"}


def test_date_range_and_author_filters(fast_seeded: Assistant) -> None:
    hits = fast_seeded.search(
        "children's services", k=10, filters=SearchFilters(date_from="2022-01-01", date_to="2022-07-31")
    )
    assert hits and all(20220101 <= p.meta["date_int"] <= 20220731 for p in hits)
    mine = fast_seeded.search("children's services", k=10, filters=SearchFilters(author="julie morgan"))
    assert mine and all("julie morgan" in p.meta["author_key"] for p in mine)
    assert fast_seeded.search("children's services", filters=SearchFilters(author="nobody at all")) == []


def test_at_most_n_passages_per_document(fast_seeded: Assistant) -> None:
    hits = fast_seeded.search("Programme for Government commitments children", k=10, per_doc=1)
    doc_ids = [p.doc_id for p in hits]
    assert len(doc_ids) == len(set(doc_ids))


def test_passage_offsets_point_into_stored_text(fast_seeded: Assistant) -> None:
    for p in fast_seeded.search("Care Inspectorate Wales", k=5):
        doc = fast_seeded.get_document(p.doc_id)
        assert doc is not None and doc.text[p.start : p.end] == p.text


def test_boilerplate_is_not_indexed(fast_seeded: Assistant) -> None:
    texts = " ".join(t for page in fast_seeded.store.chunk_pages() for t in page["documents"])
    assert "We welcome receiving correspondence in Welsh" not in texts
    assert "First Point of Contact Centre" not in texts
    doc = fast_seeded.get_document(P_06_1199)
    assert doc is not None and "We welcome receiving correspondence in Welsh" in doc.text


def test_bm25_side_is_rebuilt_when_missing(seeded_store: Path, embedder: Any, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(seeded_store, copy)
    shutil.rmtree(copy / "index-precedents" / "bm25")
    fresh = make_assistant(copy, embedder)
    assert fresh.search(REVIEW_QUERY, k=1)[0].doc_id == WQ85953
    assert len(fresh.lexical()) == fresh.store.counts()[1] > 0


@pytest.mark.parametrize(
    ("rankings", "best"),
    [([["a", "b"], ["a", "c"]], "a"), ([["b", "a"], ["c", "a"]], "a"), ([["x"], []], "x")],
    ids=["agree-on-top", "consistent-second-beats-split-first", "one-list-empty"],
)
def test_reciprocal_rank_fusion(rankings: list[list[str]], best: str) -> None:
    scores = fuse(rankings)
    assert max(scores, key=lambda k: scores[k]) == best
