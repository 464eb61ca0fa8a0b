"""Several users at once: searches and drafts from many threads give exactly the serial results."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rag.assistant import Assistant
from rag.drafting.intake import parse_request
from rag.types import SearchFilters

from .conftest import SEEDS
from .test_index import REVIEW_QUERY

QUERIES: list[tuple[str, SearchFilters | None]] = [
    (REVIEW_QUERY, None),
    ("children's services", SearchFilters(date_from="2022-01-01", date_to="2022-07-31")),
    ("children's services", SearchFilters(author="julie morgan")),
    ("petition about care leavers", SearchFilters(kinds=["petition_response"])),
    ("radical reform of children's social care", SearchFilters(as_of="2023-01-01")),
    ("eliminating profit from the care of looked after children", None),
]
REQUESTS = [
    "Will the Minister commission an independent review of children's services in Wales?",
    "What is the Welsh Government doing to remove profit from children's residential care?",
    "How will the Deputy Minister support foster carers this year?",
]
THREADS = 8
ROUNDS = 4


def _search(a: Assistant, query: str, filters: SearchFilters | None) -> list[tuple[str, float]]:
    return [(p.chunk_id, round(p.score, 9)) for p in a.search(query, k=5, filters=filters)]


def _draft(a: Assistant, text: str) -> tuple[str, list[Any], list[str]]:
    result = a.draft(parse_request(text, kind="written_question"), "offline")
    return result.text, [c.doc_id for c in result.citations], [w.code for w in result.warnings]


def test_concurrent_searches_match_serial(seeded: Assistant) -> None:
    serial = [_search(seeded, q, f) for q, f in QUERIES]
    assert all(serial)
    jobs = [i for _ in range(ROUNDS) for i in range(len(QUERIES))]
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda i: (i, _search(seeded, *QUERIES[i])), jobs))
    for i, got in results:
        assert got == serial[i], QUERIES[i][0]


def test_concurrent_drafts_match_serial(seeded: Assistant) -> None:
    serial = [_draft(seeded, t) for t in REQUESTS]
    jobs = [i for _ in range(2) for i in range(len(REQUESTS))]
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda i: (i, _draft(seeded, REQUESTS[i])), jobs))
    for i, got in results:
        assert got == serial[i], REQUESTS[i]


def test_searches_during_a_reingest_stay_consistent(seeded: Assistant) -> None:
    """Readers keep getting full answers while a writer re-runs an (unchanged) ingest."""
    expected = _search(seeded, REVIEW_QUERY, None)
    with ThreadPoolExecutor(THREADS) as pool:
        writer = pool.submit(seeded.ingest, [SEEDS])
        readers = [pool.submit(_search, seeded, REVIEW_QUERY, None) for _ in range(16)]
        assert writer.result().embedded == 0
        assert all(r.result() == expected for r in readers)
