"""Fault tolerance: `kill -9` in the middle of an ingest, and uploads over the size limit."""

from __future__ import annotations

import gzip
import itertools
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.errors import DocumentError
from rag.ingest.files import check_file_size, load_file
from rag.ingest.sources import load_paths

from .conftest import WQ_DATA, fast_assistant_at, make_assistant, require

RECORDS = 250  # ~420 chunks: two ingest batches, so a kill after the first lands mid-run
MB = 1024 * 1024


def _records(path: Path, n: int) -> None:
    with gzip.open(WQ_DATA, "rb") as src:
        path.write_bytes(b"".join(itertools.islice(src, n)))


def _rows_written(store: Path, collection: str) -> int:
    """Rows Chroma has committed to a collection so far, read from its SQLite file (read-only,
    so the writer is not disturbed)."""
    db = store / "chroma.sqlite3"
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.5)
        try:
            queued = (
                "SELECT count(*) FROM embeddings_queue q JOIN collections c ON q.topic LIKE '%' || c.id "
                "WHERE c.name = ?"
            )  # Chroma's write-ahead log (purged once applied) ...
            applied = (
                "SELECT count(*) FROM embeddings e JOIN segments s ON e.segment_id = s.id "
                "JOIN collections c ON s.collection = c.id WHERE c.name = ?"
            )  # ... and its applied rows
            return max(int(con.execute(sql, (collection,)).fetchone()[0]) for sql in (queued, applied))
        finally:
            con.close()
    except sqlite3.Error:  # locked mid-write or not created yet: ask again shortly
        return 0


def _ymateb() -> list[str]:
    exe = Path(sys.executable).parent / "ymateb"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "rag.cli"]


def _assert_consistent(a: Assistant, expected_docs: int) -> None:
    """No duplicate or orphaned chunks; dense and BM25 sides hold the same chunk ids."""
    records = a.store.list_documents()
    assert len(records) == expected_docs
    hashes = a.store.doc_hashes()
    pages = list(a.store.chunk_pages())
    dense = [(cid, meta["doc_id"]) for page in pages for cid, meta in zip(page["ids"], page["metadatas"])]
    ids = [cid for cid, _ in dense]
    assert not [cid for cid, n in Counter(ids).items() if n > 1], "duplicate chunks"
    assert all(doc_id in hashes for _, doc_id in dense), "orphan chunks (no document record)"
    assert all(cid.split(":")[1] == hashes[doc_id][:8] for cid, doc_id in dense), "chunks of an old version"
    assert len(ids) == sum(int(r["n_chunks"]) for r in records)
    assert a.store.counts() == (expected_docs, len(ids))
    lex = a.lexical()
    assert len(lex) == len(ids) and set(lex.fetch(ids)) == set(ids)
    assert not (a.state_dir / "journal.json").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "kill_after", ["precedents_chunks", "precedents_docs"], ids=["after-first-chunks", "after-first-documents"]
)
def test_kill_9_during_ingest_then_rerun_completes_the_index(tmp_path: Path, embedder: object, kill_after: str) -> None:
    require(WQ_DATA.is_file(), f"the shared corpus {WQ_DATA} is missing")
    corpus, store = tmp_path / "wq.jsonl", tmp_path / "store"
    _records(corpus, RECORDS)
    proc = subprocess.Popen(
        [*_ymateb(), "ingest", str(corpus), "--store", str(store), "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 400
        while _rows_written(store, kill_after) == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert proc.poll() is None, "the ingest finished (or failed) before it could be killed: " + (
            proc.stderr.read().decode(errors="replace")[-500:] if proc.stderr else ""
        )
        assert _rows_written(store, kill_after) > 0, "nothing was written within the deadline"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL

    a = make_assistant(store, embedder)
    kept = len(a.store.doc_hashes())
    assert kept < RECORDS and a.store.counts()[1] > 0  # the kill landed mid-run, after some writes
    if kill_after == "precedents_docs":
        assert kept > 0  # complete documents survived the kill
    summary = a.ingest([corpus])
    assert summary.skipped == []
    assert summary.unchanged == kept and summary.written == RECORDS - kept
    _assert_consistent(a, RECORDS)
    # a second process over the same store sees the same, and a rerun embeds nothing
    b = make_assistant(store, embedder)
    assert b.ingest([corpus]).embedded == 0
    _assert_consistent(b, RECORDS)


# ---- uploads over the size limit -------------------------------------------------------------


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as fh:  # a sparse file: no bytes are written (and none may be read)
        fh.truncate(size)
    return path


def test_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = _sparse(tmp_path / "huge.txt", int(35.2 * MB))
    with pytest.raises(DocumentError) as err:
        load_file(path, max_mb=20)
    assert str(err.value) == "huge.txt: file is 35.2 MB, over the 20 MB limit (YMATEB_MAX_UPLOAD_MB)"
    with pytest.raises(DocumentError):
        check_file_size(path, 20)


def test_file_at_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.txt"
    path.write_text("The Government has no plans to change the policy. " * 20, encoding="utf-8")
    check_file_size(path, 0.01)
    assert load_file(path, max_mb=0.01).text.startswith("The Government")


def test_load_paths_skips_oversized_files_and_keeps_going(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    folder.mkdir()
    _sparse(folder / "big.txt", 3 * MB)
    (folder / "small.txt").write_text("A short reply from the Minister about school transport.", encoding="utf-8")
    items = list(load_paths(folder, max_mb=1))
    skipped = [i for i in items if not hasattr(i, "doc_id")]
    assert [s.reason for s in skipped] == ["file is 3.0 MB, over the 1 MB limit (YMATEB_MAX_UPLOAD_MB)"]
    assert [i.doc_id for i in items if hasattr(i, "doc_id")] == ["small"]


def test_ingest_uses_the_configured_limit(tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    folder.mkdir()
    _sparse(folder / "big.txt", 2 * MB)
    a = fast_assistant_at(tmp_path / "store", max_upload_mb=1.5)
    summary = a.ingest([folder])
    assert summary.written == 0
    assert [s.reason for s in summary.skipped] == ["file is 2.0 MB, over the 1.5 MB limit (YMATEB_MAX_UPLOAD_MB)"]


def test_record_corpora_are_not_held_to_the_upload_limit(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    line = b'{"id": "X-1", "kind": "written_question", "question": "Q?", "answer": "' + b"a " * 400_000 + b'"}\n'
    path.write_bytes(line)
    items = list(load_paths(path, max_mb=0.5))
    assert [getattr(i, "doc_id", None) for i in items] == ["X-1"]
