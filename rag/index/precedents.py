"""The index: the store (vectors, chunks, document records) and its derived sides, kept in step:
the BM25 side (rag.index.lexical) and the catalogue of documents (rag.index.catalogue).

Every write goes through `PrecedentIndex.write` or `.remove`, one batch at a time, under a lock
that every process writing to this index on this machine shares:

    1. journal the batch's document ids (a small file, replaced atomically);
    2. write the store (old records out, chunks in, then the new records: a record means complete);
    3. write the BM25 side in one tantivy commit, then the catalogue in one SQLite transaction;
    4. clear the journal and bump the store's generation stamp.

A kill or a full disk anywhere in 1-4 leaves the journal behind. Whoever next holds the lock
replays it first: each journalled document is made to match the store's record (its chunks'
metadata set to the record's, should an edit have stopped half-way; indexed from the store's
chunks and catalogued from its record, or dropped when it has no record), and chunks the store
holds for it without a record are deleted. A metadata edit (`update_metadata`) is a batch of one
journalled document like any other: the record first, then its chunks, then both derived sides.
Only journalled documents are touched, so a writer never sweeps another's work; and outside the
lock no batch is half-written, so a full comparison under the lock is safe.

Readers (`sync`) reload the BM25 side when the generation changes. With a Chroma server the BM25
side is this machine's own copy, so a changed generation means another machine wrote: the two
sides are then compared document by document instead.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock, Timeout

from rag.errors import StoreError, YmatebError
from rag.index.base import Store
from rag.index.catalogue import Catalogue, version_of
from rag.index.failures import disk_full, first_line, is_disk_full
from rag.index.lexical import ChunkRow, LexicalIndex
from rag.index.records import chunk_drift, doc_record, record_state, updated
from rag.types import Chunk, Document, chunk_id_for, chunk_version

LOCK_WAIT_SECONDS = 600.0  # a writer waits this long for another's batch before giving up
JOURNAL = "journal.json"
RESYNC_DOCS = 2000  # documents brought into the BM25 side per commit when catching up


class PrecedentIndex:
    """The store and its BM25 side; `state_dir` holds the lock, the journal and the BM25 side
    (None: all in memory, for a MemoryStore). `shared` means the store is a server other
    machines write to."""

    def __init__(self, store: Store, state_dir: Path | None, shared: bool = False) -> None:
        self.store = store
        self.state_dir = state_dir
        self.shared = shared
        self._thread_lock = threading.RLock()
        self._file_lock = FileLock(str(state_dir / "write.lock"), thread_local=False) if state_dir else None
        self.lexical = LexicalIndex(state_dir / "bm25" if state_dir else None, self._exclusive)
        self.catalogue = Catalogue(state_dir)
        self._seen: str | None = None

    @contextmanager
    def _failing(self, action: str) -> Iterator[None]:
        """The BM25 side's and the journal's failures as a StoreError (the store's own are already)."""
        try:
            yield
        except YmatebError:
            raise
        except Exception as exc:  # tantivy raises ValueError with the OS's words; none reach a user raw
            reason = disk_full(self.state_dir) if is_disk_full(exc, self.state_dir) else first_line(exc)
            raise StoreError(f"Could not {action}: {reason}") from exc

    # -- the lock and the journal ----------------------------------------------------------
    @contextmanager
    def locked(self, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
        """Hold the write lock (this process's threads and every other process on this machine);
        an unfinished batch left by a crash is repaired first."""
        with self._exclusive(wait):
            if self._file_lock is not None:
                with self._failing("finish the index's last unfinished write"):
                    self._replay()
            yield

    @contextmanager
    def _exclusive(self, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
        """Hold the write lock, with no repair: `locked` repairs, and the BM25 side makes its
        folder under this alone (it is opened before there is anything to repair with)."""
        with self._thread_lock:
            if self._file_lock is None:
                yield
                return
            with self._failing(f"prepare the index folder {self.state_dir}"):
                self.state_dir.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
            try:
                self._file_lock.acquire(timeout=wait)
            except Timeout:
                raise StoreError(
                    f"Another process has been writing to the index for over {wait:.0f} s; "
                    "try again when it has finished"
                ) from None
            try:
                yield
            finally:
                self._file_lock.release()

    def _journal_path(self) -> Path | None:
        return self.state_dir / JOURNAL if self.state_dir else None

    def _begin(self, doc_ids: list[str]) -> None:
        path = self._journal_path()
        if path is None:
            return
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump({"doc_ids": doc_ids}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def _end(self) -> None:
        path = self._journal_path()
        if path is not None:
            path.unlink(missing_ok=True)

    def _replay(self) -> None:
        """Finish what a crashed batch left (only its own documents)."""
        path = self._journal_path()
        if path is None or not path.exists():
            return
        try:
            doc_ids = list(json.loads(path.read_text(encoding="utf-8"))["doc_ids"])
        except (OSError, ValueError, KeyError, TypeError):
            doc_ids = None  # unreadable (the disk filled while writing it): compare everything
        if doc_ids is None:
            self._repair_all()
        else:
            self._resync(doc_ids)
            if not self.shared:
                self.store.sweep_orphans(set(self.store.doc_hashes(doc_ids)), only=doc_ids)
        self._end()
        self._mark_changed()

    # -- writing ---------------------------------------------------------------------------
    def embed_chunks(self, docs: list[Document], chunks: dict[str, list[Chunk]]) -> np.ndarray:
        return self.store.embed_chunks(docs, chunks)

    def write(self, docs: list[Document], chunks: dict[str, list[Chunk]], vectors: np.ndarray | None = None) -> int:
        """Write a batch to both sides (see the module docstring); returns the texts written."""
        if vectors is None:
            vectors = self.embed_chunks(docs, chunks)
        rows = {d.doc_id: [ChunkRow(c.chunk_id, c.text, c.metadata) for c in chunks[d.doc_id]] for d in docs}
        with self.locked():
            with self._failing("note the write in the index journal"):
                self._begin(list(rows))
            written = self.store.write(docs, chunks, vectors)
            with self._failing("update the search index"):
                self.lexical.apply(rows)
                self.catalogue.apply({d.doc_id: doc_record(d, len(chunks[d.doc_id])) for d in docs})
                self._end()
            self._mark_changed()
        return written

    def remove(self, doc_id: str) -> bool:
        with self.locked():
            with self._failing("note the removal in the index journal"):
                self._begin([doc_id])
            removed = self.store.remove(doc_id)
            with self._failing("update the search index"):
                self.lexical.apply({}, drop=[doc_id])
                self.catalogue.apply({}, drop=[doc_id])
                self._end()
            if removed:
                self._mark_changed()
        return removed

    def update_metadata(self, doc_id: str, fields: dict[str, Any]) -> bool:
        """Set document-level metadata fields (None: remove) on a document's record and chunks, and
        bring the BM25 side and the catalogue into step; False if there is no such document."""
        with self.locked():
            with self._failing("note the edit in the index journal"):
                self._begin([doc_id])
            changed = self.store.set_metadata(doc_id, fields)
            with self._failing("update the search index"):
                self._resync([doc_id])
                self._end()
            if changed:
                self._mark_changed()
        return changed

    def _mark_changed(self) -> None:
        self._seen = self.store.bump_generation()

    # -- keeping the sides in step ---------------------------------------------------------
    def _resync(self, doc_ids: Iterable[str]) -> None:
        """Make the BM25 side and the catalogue match the store's records for these documents. A record whose chunks
        the store lacks is left out of search until an ingest redoes it."""
        ids = list(dict.fromkeys(doc_ids))
        for s in range(0, len(ids), RESYNC_DOCS):
            part = ids[s : s + RESYNC_DOCS]
            records = self.store.doc_records(part)
            states = {d: record_state(r) for d, r in records.items()}
            wanted = {d: [chunk_id_for(d, h, i) for i in range(n)] for d, (h, n) in states.items()}
            page = self.store.get_chunks([cid for chunk_ids in wanted.values() for cid in chunk_ids])
            found = {c: ChunkRow(c, t, m) for c, t, m in zip(page["ids"], page["documents"], page["metadatas"])}
            put = {d: [found[c] for c in cids] for d, cids in wanted.items() if cids and all(c in found for c in cids)}
            for d, rows in put.items():
                put[d] = self._aligned(d, records[d], rows)
            self.lexical.apply(put, drop=[d for d in part if d not in put])
            self.catalogue.apply(records, drop=[d for d in part if d not in records])

    def _aligned(self, doc_id: str, record: dict[str, Any], rows: list[ChunkRow]) -> list[ChunkRow]:
        """The chunks with the record's document-level metadata, set in the store where it differs
        (an edit stopped between the record and the chunks)."""
        drift = {k: v for row in rows for k, v in chunk_drift(record, row.meta).items()}
        if not drift:
            return rows
        self.store.set_metadata(doc_id, drift)
        return [ChunkRow(r.chunk_id, r.text, updated(r.meta, drift)) for r in rows]

    def _repair_all(self) -> None:
        """Compare the store with the derived sides document by document and bring the BM25 side and
        the catalogue into step; delete chunks without a record (embedded only: on a server they may
        be another machine's batch)."""
        records = self.store.doc_records()
        states = {d: record_state(r) for d, r in records.items()}
        held = self.lexical.versions()
        wrong = [
            d for d, (h, n) in states.items() if n > 0 and held.get(d) != (chunk_version(chunk_id_for(d, h, 0)), n)
        ]
        gone = [d for d in held if d not in states or states[d][1] == 0]
        listed = self.catalogue.versions()
        edited = [d for d, r in records.items() if d in listed and listed[d] != version_of(r)]  # elsewhere
        self._resync(dict.fromkeys([*wrong, *gone, *edited]))
        missing = {d: r for d, r in records.items() if d not in listed}  # a catalogue new to this index
        unlisted = [d for d in listed if d not in records]
        self.catalogue.apply(missing, drop=unlisted)
        if not self.shared:
            self.store.sweep_orphans(set(states))
            if wrong or gone or edited or missing or unlisted:
                self._mark_changed()  # other processes on this machine read the same BM25 side

    def in_step(self) -> bool:
        """A cheap check: the store's chunk count matches the BM25 side's, its document count the catalogue's."""
        documents, chunks = self.store.counts()
        return chunks == len(self.lexical) and documents == len(self.catalogue)

    def sync(self) -> None:
        """Catch up with writes made elsewhere (another process, thread or machine), and finish a
        crashed writer's batch once no one else is writing."""
        generation = self.store.generation()
        changed = generation != self._seen
        if changed:
            self.lexical.reload()
        journal = self._journal_path()
        first = self._seen is None
        if (journal is not None and journal.exists()) or (changed and (self.shared or (first and not self.in_step()))):
            self._catch_up()
        self._seen = generation

    def _catch_up(self) -> None:
        try:
            with self.locked(wait=0 if not self.shared else LOCK_WAIT_SECONDS):
                if self.shared or not self.in_step():
                    self._repair_all()
        except StoreError:
            pass  # another writer holds the lock: it replays or finishes; we read what is there
