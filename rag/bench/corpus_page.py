"""What the Corpus page costs on load, and per click, over a real store (not a timed test).

    python -m rag.bench.corpus_page --store DIR [--corpus FILE.jsonl.gz] [--repeat 20] [--json OUT]

Builds the store first if DIR holds none (the real ingest path, with hashed vectors: the page never
reads a vector, and embedding 40k chunks with MiniLM takes about half an hour here). Then, in this
fresh process, it times:

  - open: the index opened and caught up, as the app does once per process (with a store made
    before the catalogue existed, this includes building the catalogue: reported as such);
  - load: what the page asks for on every load: stats (counts by kind), the kinds for the filter,
    the first page of the listing, and the document the picker shows first (its edit form);
  - clicks: a page of the listing for a text search, a kind filter with a date range, an author
    filter, and the last page;
  - before: one full `list_documents()`, as the page did three times per load before the catalogue.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rag.assistant import Assistant, build_assistant
from rag.bench.config import machine, write_result
from rag.index.catalogue import DocumentQuery
from rag.index.fakes import HashEmbedder
from rag.settings import Settings

PAGE_ROWS = 25  # as ui/corpus.py
DEFAULT_CORPUS = Path(__file__).resolve().parents[2].parent / "shared/data/uk-commons-wq-2023-09_2025-06.jsonl.gz"


def page_load(a: Assistant) -> dict[str, Any]:
    """Everything the Corpus page reads on load (ui/corpus.py: _statistics, _query, _listing, _selected)."""
    stats = a.stats()
    a.kinds()
    page = a.document_page(DocumentQuery(limit=PAGE_ROWS))
    if page.rows:
        a.get_document(page.rows[0]["doc_id"])
    return {"documents": stats["documents"], "chunks": stats["chunks"], "rows": len(page.rows), "total": page.total}


CLICKS: dict[str, DocumentQuery] = {
    "search 'school'": DocumentQuery(text="school", limit=PAGE_ROWS),
    "kind + date range": DocumentQuery(
        kinds=("written_question",), date_from="2024-01-01", date_to="2024-06-30", limit=PAGE_ROWS
    ),
    "author 'education'": DocumentQuery(person="education", limit=PAGE_ROWS),
    "last page": DocumentQuery(offset=24_375, limit=PAGE_ROWS),
}


def _timed(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def measure(store: Path, repeat: int = 20) -> dict[str, Any]:
    catalogued = (store / "index-precedents" / "catalogue.sqlite3").exists()
    t0 = time.perf_counter()
    a = build_assistant(Settings(store=store), embedder=HashEmbedder(), freshness_seconds=0)
    first = page_load(a)  # the first load in this process also brings the index up to date
    opened = time.perf_counter() - t0
    result: dict[str, Any] = {
        "machine": machine(),
        "store": str(store),
        **first,
        "open_and_first_load_s": round(opened, 2),
        "catalogue_built_on_open": not catalogued,
        "load": _timed(lambda: page_load(a), repeat),
        "clicks": {
            name: {**_timed(lambda q=q: a.document_page(q), repeat), "total": a.document_page(q).total}  # type: ignore[misc]
            for name, q in CLICKS.items()
        },
        "before_list_documents": _timed(a.list_documents, 3),
    }
    return result


def build(store: Path, corpus: Path) -> float:
    t0 = time.perf_counter()
    build_assistant(Settings(store=store), embedder=HashEmbedder()).ingest([corpus])
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if not (args.store / "chroma.sqlite3").exists():
        print(f"building {args.store} from {args.corpus} …", flush=True)
        print(f"built in {build(args.store, args.corpus):.0f} s", flush=True)
    result = measure(args.store, args.repeat)
    print(write_result(result, args.json))


if __name__ == "__main__":
    main()
