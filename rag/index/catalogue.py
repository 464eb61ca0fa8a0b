"""The catalogue: one SQLite row per complete document, for listing the corpus without reading it.

It is derived data, like the BM25 side, and changes with it: rag.index.precedents writes both in
the same step of a batch (after the store, before the journal is cleared) and repairs both from
the store's records after a crash. It answers what a person browsing the corpus asks: a page of
documents matching a text search and filters, newest first, with the total; and counts by kind.
At 24k documents a page costs a few milliseconds where listing every record from Chroma took seconds.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.text.dates import date_int

SCHEMA_VERSION = 1  # bump when the columns change: the catalogue is then rebuilt from the store
FILE = "catalogue.sqlite3"
COLUMNS = ("doc_id", "kind", "ref", "date", "date_int", "author", "asked_of", "title", "n_chunks", "source", "version")
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, kind TEXT NOT NULL, ref TEXT NOT NULL, date TEXT NOT NULL,
    date_int INTEGER NOT NULL, author TEXT NOT NULL, asked_of TEXT NOT NULL, title TEXT NOT NULL,
    n_chunks INTEGER NOT NULL, source TEXT NOT NULL, version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_by_date ON documents (date_int DESC, doc_id);
CREATE INDEX IF NOT EXISTS documents_by_kind ON documents (kind);
PRAGMA user_version = {SCHEMA_VERSION};
"""


@dataclass(frozen=True)
class DocumentQuery:
    """Which documents to list: `text` is found in the reference, title, author or id (any case);
    dates are ISO YYYY-MM-DD, inclusive; `person` is found in the author or whom it was asked of."""

    text: str = ""
    kinds: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    person: str = ""
    offset: int = 0
    limit: int = 50


@dataclass
class DocumentPage:
    """One page of the listing, and how many documents match in all."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0


def catalogue_row(doc_id: str, record: dict[str, Any]) -> dict[str, Any]:
    """A store's document record as the catalogue keeps it (`version`: content hash and chunk count,
    compared with the store's to find rows that are out of date)."""
    return {
        "doc_id": doc_id,
        "kind": str(record.get("kind") or "unknown"),
        "ref": str(record.get("ref") or ""),
        "date": str(record.get("date") or ""),
        "date_int": int(record.get("date_int") or 0),
        "author": str(record.get("author") or record.get("author_role") or ""),
        "asked_of": str(record.get("asked_of") or record.get("answering_body") or ""),
        "title": str(record.get("title") or record.get("subject") or ""),
        "n_chunks": int(record.get("n_chunks") or 0),
        "source": str(record.get("source") or ""),
        "version": version_of(record),
    }


def version_of(record: dict[str, Any]) -> str:
    """What changes whenever a record does: its content hash, chunk count and listed fields."""
    fields = ("content_hash", "n_chunks", "kind", "ref", "date", "author", "author_role", "title", "subject")
    return "|".join(str(record.get(f) or "") for f in fields)


def _like(text: str) -> str:
    return "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Catalogue:
    """The documents table in `directory` (or in memory when None)."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._lock = threading.Lock()
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        if self.directory is None:
            db = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            self.directory.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.directory / FILE, check_same_thread=False, timeout=30)
            db.execute("PRAGMA journal_mode = WAL")
            if db.execute("PRAGMA user_version").fetchone()[0] not in (0, SCHEMA_VERSION):
                db.execute("DROP TABLE IF EXISTS documents")  # an older layout: rebuilt from the store
        db.row_factory = sqlite3.Row
        db.executescript(_SCHEMA)
        return db

    @contextmanager
    def _cursor(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db:
            yield self._db

    # -- reading ---------------------------------------------------------------------------
    def __len__(self) -> int:
        with self._cursor() as db:
            return int(db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def versions(self) -> dict[str, str]:
        """{doc_id: version} of every row."""
        with self._cursor() as db:
            return dict(db.execute("SELECT doc_id, version FROM documents").fetchall())

    def page(self, query: DocumentQuery) -> DocumentPage:
        """The documents matching `query`, newest first (undated last), `limit` from `offset`."""
        clauses, params = self._where(query)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._cursor() as db:
            total = int(db.execute(f"SELECT count(*) FROM documents {where}", params).fetchone()[0])
            cur = db.execute(
                f"SELECT * FROM documents {where} ORDER BY date_int DESC, doc_id LIMIT ? OFFSET ?",
                [*params, max(query.limit, 0), max(query.offset, 0)],
            )
            rows = [{k: row[k] for k in COLUMNS if k != "version"} for row in cur.fetchall()]
        return DocumentPage(rows, total)

    def _where(self, query: DocumentQuery) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if query.text.strip():
            cols = ("ref", "title", "author", "doc_id")
            clauses.append("(" + " OR ".join(f"lower({c}) LIKE ? ESCAPE '\\'" for c in cols) + ")")
            params += [_like(query.text.strip())] * len(cols)
        if query.kinds:
            clauses.append(f"kind IN ({', '.join('?' * len(query.kinds))})")
            params += list(query.kinds)
        if query.date_from:
            clauses.append("date_int >= ?")
            params.append(date_int(query.date_from))
        if query.date_to:
            clauses.append("date_int > 0 AND date_int <= ?")
            params.append(date_int(query.date_to))
        if query.person.strip():
            clauses.append("(lower(author) LIKE ? ESCAPE '\\' OR lower(asked_of) LIKE ? ESCAPE '\\')")
            params += [_like(query.person.strip())] * 2
        return clauses, params

    def kinds(self) -> dict[str, dict[str, int]]:
        """{kind: {"documents": n, "chunks": n}}."""
        with self._cursor() as db:
            cur = db.execute("SELECT kind, count(*), sum(n_chunks) FROM documents GROUP BY kind ORDER BY kind")
            return {kind: {"documents": int(n), "chunks": int(c or 0)} for kind, n, c in cur.fetchall()}

    # -- writing (one writer at a time: rag.index.precedents holds the lock) ---------------
    def apply(self, put: dict[str, dict[str, Any]], drop: Iterable[str] = ()) -> None:
        """Replace the rows of the documents in `put` ({doc_id: store record}), delete those in `drop`,
        in one transaction."""
        rows = [catalogue_row(doc_id, record) for doc_id, record in put.items()]
        with self._cursor() as db:
            db.executemany("DELETE FROM documents WHERE doc_id = ?", [(d,) for d in drop])
            db.executemany(
                f"INSERT OR REPLACE INTO documents ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                [tuple(r[c] for c in COLUMNS) for r in rows],
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()
