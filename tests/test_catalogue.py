"""The corpus listing and metadata edits: the catalogue beside the index, on both stores.

Every test runs on embedded Chroma and on MemoryStore (ids "chroma", "memory"), each with its index
folder (journal, BM25 side, catalogue) under tmp_path, with the HashEmbedder: the store is the subject.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rag.assistant import Assistant
from rag.errors import InputError, StoreError
from rag.index.catalogue import DocumentQuery
from rag.index.fakes import HashEmbedder
from rag.types import SearchFilters

from .conftest import SEEDS, fast_assistant_at, make_assistant

WQ85953 = "003_3828880d9c8d13ee"
P_06_1199 = "000_13427d4b3c4b56d1"
ADSS = "004_39feb1b05e3fab23"


def open_assistant(kind: str, store: Path, embedder: HashEmbedder) -> Assistant:
    if kind == "chroma":
        return make_assistant(store, embedder, freshness_seconds=0)
    return fast_assistant_at(store, embedder)


@pytest.fixture(params=["chroma", "memory"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def seeded(kind: str, tmp_path: Path, hashed: HashEmbedder) -> Assistant:
    a = open_assistant(kind, tmp_path / "store", hashed)
    assert a.ingest([SEEDS]).written == 5
    return a


def ids(a: Assistant, **query: Any) -> list[str]:
    return [r["doc_id"] for r in a.document_page(DocumentQuery(**query)).rows]


def test_page_is_newest_first_with_the_total(seeded: Assistant) -> None:
    page = seeded.document_page(DocumentQuery(limit=2))
    assert page.total == 5
    assert [(r["ref"], r["date"]) for r in page.rows] == [("WQ85953", "2022-08-30"), ("P-06-1161", "2022-07-22")]
    rest = seeded.document_page(DocumentQuery(offset=2, limit=10))
    assert rest.total == 5 and [r["date"] for r in rest.rows] == ["2022-07-04", "2021-09-23", "2019-08-14"]
    assert seeded.document_page(DocumentQuery(offset=5)).rows == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"text": "wq85953"}, [WQ85953]),
        ({"text": "special measures"}, [P_06_1199]),  # in the title
        ({"text": "ADSS"}, [ADSS]),  # the author
        ({"text": "100%_"}, []),  # LIKE's wildcards are literal
        ({"kinds": ("petition_response",)}, ["002_013fdf69bcaa1894", P_06_1199]),
        ({"kinds": ("written_question", "stakeholder_letter")}, [WQ85953, ADSS]),
        ({"date_from": "2022-07-22", "date_to": "2022-08-30"}, [WQ85953, "002_013fdf69bcaa1894"]),
        ({"date_to": "2021-12-31"}, [P_06_1199, ADSS]),
        ({"person": "julie morgan"}, ["002_013fdf69bcaa1894", P_06_1199]),
        ({"person": "morgan", "text": "cardiff"}, [P_06_1199]),
    ],
    ids=["ref", "title", "author", "wildcards", "kind", "kinds", "date-range", "date-to", "person", "person-and-text"],
)
def test_search_and_filters_are_answered_by_the_catalogue(
    seeded: Assistant, query: dict[str, Any], expected: list[str]
) -> None:
    assert ids(seeded, **query) == expected
    assert seeded.document_page(DocumentQuery(**query)).total == len(expected)


def test_counts_by_kind_without_listing(seeded: Assistant) -> None:
    stats = seeded.stats()
    assert stats["documents"] == 5
    assert stats["by_kind"] == {
        "incoming_letter": {"documents": 1, "chunks": 7},
        "petition_response": {"documents": 2, "chunks": 17},
        "stakeholder_letter": {"documents": 1, "chunks": 4},
        "written_question": {"documents": 1, "chunks": 5},
    }
    assert sum(v["chunks"] for v in stats["by_kind"].values()) == stats["chunks"]


def test_remove_and_rewrite_keep_the_listing_in_step(seeded: Assistant) -> None:
    assert seeded.remove(WQ85953)
    assert WQ85953 not in ids(seeded) and seeded.document_page().total == 4
    assert seeded.ingest([SEEDS]).written == 1
    assert ids(seeded, text="WQ85953") == [WQ85953]


def test_an_edit_changes_the_record_every_chunk_and_search(seeded: Assistant, hashed: HashEmbedder) -> None:
    chunks_before = {
        cid: text for page in seeded.store.chunk_pages() for cid, text in zip(page["ids"], page["documents"])
    }
    hashed.texts.clear()
    seeded.update_document(
        ADSS, kind="petition_response", title="Outcomes for looked-after children", date="2019-09-01"
    )
    assert hashed.texts == []  # nothing re-embedded
    doc = seeded.get_document(ADSS)
    assert doc is not None and (doc.meta.kind, doc.meta.title, doc.meta.date) == (
        "petition_response",
        "Outcomes for looked-after children",
        "2019-09-01",
    )
    metas = [m for page in seeded.store.chunk_pages() for m in page["metadatas"] if m["doc_id"] == ADSS]
    assert metas and all(
        (m["kind"], m["title"], m["date"], m["date_int"])
        == ("petition_response", doc.meta.title, "2019-09-01", 20190901)
        for m in metas
    )
    after = {cid: text for page in seeded.store.chunk_pages() for cid, text in zip(page["ids"], page["documents"])}
    assert after == chunks_before  # same chunks, same text: only metadata changed
    (row,) = seeded.document_page(DocumentQuery(text="looked-after")).rows
    assert (row["doc_id"], row["kind"], row["date"]) == (ADSS, "petition_response", "2019-09-01")
    assert seeded.stats()["by_kind"]["petition_response"]["documents"] == 3
    hits = seeded.search("outcomes for children", k=10, filters=SearchFilters(kinds=["petition_response"]))
    assert ADSS in {p.doc_id for p in hits}  # the BM25 side and the vectors' metadata both moved
    assert all(p.meta["kind"] == "petition_response" for p in hits)


def test_clearing_a_field_removes_it_everywhere(seeded: Assistant) -> None:
    seeded.update_document(ADSS, author="")
    doc = seeded.get_document(ADSS)
    assert doc is not None and doc.meta.author is None
    assert all(
        "author" not in m for page in seeded.store.chunk_pages() for m in page["metadatas"] if m["doc_id"] == ADSS
    )
    (row,) = seeded.document_page(DocumentQuery(text="CYPE(5)-24-19")).rows
    assert row["author"] == "President, ADSS Cymru"  # the role stands in for a name that is not known


def test_an_edit_survives_reopening_and_reingesting_the_same_file(
    kind: str, seeded: Assistant, tmp_path: Path, hashed: HashEmbedder
) -> None:
    seeded.update_document(ADSS, title="Corrected title")
    again = open_assistant(kind, tmp_path / "store", hashed) if kind == "chroma" else seeded
    assert again.ingest([SEEDS]).unchanged == 5  # the file as read has not changed: the correction stays
    assert ids(again, text="Corrected title") == [ADSS]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": "31/12/2024"}, "YYYY-MM-DD"),
        ({"ref": "X"}, "Cannot change ref"),
    ],
    ids=["bad-date", "not-editable"],
)
def test_bad_edits_are_refused_and_change_nothing(seeded: Assistant, changes: dict[str, str], message: str) -> None:
    before = seeded.get_document(ADSS)
    with pytest.raises(InputError, match=message):
        seeded.update_document(ADSS, **changes)
    assert seeded.get_document(ADSS) == before


def test_editing_a_missing_document_says_so(seeded: Assistant) -> None:
    with pytest.raises(InputError, match="No document 'nope'"):
        seeded.update_document("nope", title="x")


class StopsAfterRecord:
    """A store whose metadata edit is killed after the record changed, before the chunks did."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def set_metadata(self, doc_id: str, fields: dict[str, Any]) -> bool:
        record = self._inner.doc_records([doc_id])[doc_id]
        text = self._inner.get_document(doc_id).text
        self._inner._docs[doc_id] = (text, {**record, **{k: v for k, v in fields.items() if v is not None}})
        raise OSError(5, "Input/output error")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_an_edit_killed_half_way_is_finished_by_the_next_writer(tmp_path: Path, hashed: HashEmbedder) -> None:
    a = fast_assistant_at(tmp_path / "store", hashed)
    a.ingest([SEEDS])
    real = a.index.store
    a.index.store = StopsAfterRecord(real)  # type: ignore[assignment]
    with pytest.raises(OSError):
        a.update_document(ADSS, kind="petition_response")
    a.index.store = real
    assert (a.index.state_dir / "journal.json").exists()
    assert {m["kind"] for p in real.chunk_pages() for m in p["metadatas"] if m["doc_id"] == ADSS} == {
        "stakeholder_letter"
    }
    a.index.sync()  # the next reader finds the journal and replays it
    assert not (a.index.state_dir / "journal.json").exists()
    assert {m["kind"] for p in real.chunk_pages() for m in p["metadatas"] if m["doc_id"] == ADSS} == {
        "petition_response"
    }
    assert ids(a, kinds=("petition_response",)).count(ADSS) == 1
    hits = a.search("outcomes for children", k=10, filters=SearchFilters(kinds=["stakeholder_letter"]))
    assert ADSS not in {p.doc_id for p in hits}


class FailingCatalogue:
    def apply(self, *args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")


def test_a_write_killed_before_the_catalogue_is_repaired(tmp_path: Path, hashed: HashEmbedder) -> None:
    a = make_assistant(tmp_path / "store", hashed)
    real = a.index.catalogue
    a.index.catalogue = FailingCatalogue()  # type: ignore[assignment]
    with pytest.raises(StoreError, match="search index"):
        a.ingest([SEEDS])
    b = make_assistant(tmp_path / "store", hashed)  # a new process: replays the journal on first read
    assert b.document_page().total == len(b.store.doc_hashes()) > 0
    assert {r["doc_id"] for r in b.document_page().rows} == set(b.store.doc_hashes())
    del real


def test_a_store_without_a_catalogue_gets_one(tmp_path: Path, hashed: HashEmbedder) -> None:
    a = make_assistant(tmp_path / "store", hashed)
    a.ingest([SEEDS])
    a.index.catalogue.close()
    del a
    for path in (tmp_path / "store" / "index-precedents").glob("catalogue.sqlite3*"):
        path.unlink()  # an index made before the catalogue existed
    b = make_assistant(tmp_path / "store", hashed)
    assert b.document_page().total == 5 and b.stats()["by_kind"]["petition_response"]["documents"] == 2
