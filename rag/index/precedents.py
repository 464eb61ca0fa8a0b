"""The index: the store (vectors, chunks, document records) and its BM25 side, kept in step.

Every write goes through `PrecedentIndex.write` or `.remove`, one batch at a time, under a lock
that every process writing to this index on this machine shares:

    1. journal the batch's document ids (a small file, replaced atomically);
    2. write the store (old records out, chunks in, then the new records: a record means complete);
    3. write the BM25 side in one tantivy commit;
    4. clear the journal and bump the store's generation stamp.

A kill or a full disk anywhere in 1-4 leaves the journal behind. Whoever next holds the lock
replays it first: each journalled document is made to match the store's record (indexed from the
store's chunks, or dropped when it has no record), and chunks the store holds for it without a
record are deleted. Only journalled documents are touched, so a writer never sweeps another's
work; and outside the lock no batch is half-written, so a full comparison under the lock is safe.

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

import numpy as np
from filelock import FileLock, Timeout

from rag.errors import StoreError, YmatebError
from rag.index.base import Store
from rag.index.failures import disk_full, first_line, is_disk_full
from rag.index.lexical import ChunkRow, LexicalIndex
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
        self.lexical = LexicalIndex(state_dir / "bm25" if state_dir else None)
        self._thread_lock = threading.RLock()
        self._file_lock = FileLock(str(state_dir / "write.lock"), thread_local=False) if state_dir else None
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
                with self._failing("finish the index's last unfinished write"):
                    self._replay()
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
                self._end()
            if removed:
                self._mark_changed()
        return removed

    def _mark_changed(self) -> None:
        self._seen = self.store.bump_generation()

    # -- keeping the sides in step ---------------------------------------------------------
    def _resync(self, doc_ids: Iterable[str]) -> None:
        """Make the BM25 side match the store's records for these documents. A record whose chunks
        the store lacks is left out of search until an ingest redoes it."""
        ids = list(dict.fromkeys(doc_ids))
        for s in range(0, len(ids), RESYNC_DOCS):
            part = ids[s : s + RESYNC_DOCS]
            states = self.store.doc_states(part)
            wanted = {d: [chunk_id_for(d, h, i) for i in range(n)] for d, (h, n) in states.items() if n > 0}
            page = self.store.get_chunks([cid for chunk_ids in wanted.values() for cid in chunk_ids])
            found = {c: ChunkRow(c, t, m) for c, t, m in zip(page["ids"], page["documents"], page["metadatas"])}
            put = {d: [found[c] for c in cids] for d, cids in wanted.items() if all(c in found for c in cids)}
            self.lexical.apply(put, drop=[d for d in part if d not in put])

    def _repair_all(self) -> None:
        """Compare the two sides document by document and bring the BM25 side into step; delete
        chunks without a record (embedded only: on a server they may be another machine's batch)."""
        states = self.store.doc_states()
        held = self.lexical.versions()
        wrong = [
            d for d, (h, n) in states.items() if n > 0 and held.get(d) != (chunk_version(chunk_id_for(d, h, 0)), n)
        ]
        gone = [d for d in held if d not in states or states[d][1] == 0]
        self._resync([*wrong, *gone])
        if not self.shared:
            self.store.sweep_orphans(set(states))
            if wrong or gone:
                self._mark_changed()  # other processes on this machine read the same BM25 side

    def in_step(self) -> bool:
        """A cheap check: the store's chunk count matches the BM25 side's."""
        return self.store.counts()[1] == len(self.lexical)

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
