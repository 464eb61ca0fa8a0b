"""The index never loses or hides a document: kill -9 at every step of an ingest, a full disk at
every step, a kill during the recovery itself, two writers at once, and a shared server whose
instance crashed. After each, search finds every document the store holds, and a rerun completes
the rest. tests/integrity_driver.py runs the ingests that are killed.
"""

from __future__ import annotations

import errno
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from rag.assistant import Assistant, build_assistant
from rag.errors import StoreError
from rag.index.fakes import HashEmbedder, MemoryStore
from rag.index.lexical import SCHEMA_VERSION, LexicalIndex
from rag.index.precedents import PrecedentIndex
from rag.settings import Settings
from rag.types import chunk_id_for

from .conftest import WQ_DATA, make_assistant, require
from .integrity_driver import documents, expected, open_assistant, token

ROOT = Path(__file__).resolve().parents[1]
STEPS = ["after-journal", "before-records", "after-records", "after-bm25", "after-journal-cleared", "after-generation"]


def run_driver(store: Path, version: str, step: str, n: int = 2) -> int:
    cmd = [sys.executable, "-m", "tests.integrity_driver", str(store), version, step, str(n)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=600).returncode


def assert_searchable(a: Assistant) -> None:
    """Every document with a record is found by a search for its own word, and only its chunks say it."""
    records = a.store.doc_states()
    assert records, "the store holds no document"
    for doc_id in records:
        word = token(int(doc_id[4:]), "b" if a.store.doc_hashes([doc_id]) and _is_b(a, doc_id) else "a")
        hits = a.search(word, k=3)
        assert hits and hits[0].doc_id == doc_id, (doc_id, word, [h.doc_id for h in hits])


def _is_b(a: Assistant, doc_id: str) -> bool:
    doc = a.get_document(doc_id)
    return doc is not None and "vb" in doc.text.split(".")[0]


def assert_whole(a: Assistant, version: str) -> None:
    want = expected(version)
    states = a.store.doc_states()
    assert set(states) == set(want)
    chunk_ids = [cid for page in a.store.chunk_pages() for cid in page["ids"]]
    wanted = {chunk_id_for(d, h, i) for d, (h, n) in states.items() for i in range(n)}
    assert len(chunk_ids) == len(set(chunk_ids)) and set(chunk_ids) == wanted  # no orphans, none missing
    assert len(a.lexical()) == len(wanted)
    assert not (a.state_dir / "journal.json").exists()
    for doc_id, word in want.items():
        hits = a.search(word, k=1)
        assert hits and hits[0].doc_id == doc_id and word in hits[0].text, (doc_id, word)
    if version == "b":  # the old wording of a changed document is gone from both sides
        old = token(70, "a")
        assert not [p for p in a.search(old, k=20) if old in p.text]


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["first-ingest", "update"])
@pytest.mark.parametrize("step", STEPS)
def test_kill_9_at_every_step_of_an_ingest_is_recovered(tmp_path: Path, step: str, phase: str) -> None:
    store = tmp_path / "store"
    version = "a" if phase == "first-ingest" else "b"
    if phase == "update":
        open_assistant(store).ingest([], items=documents("a"))
    assert run_driver(store, version, step) == -signal.SIGKILL

    # a reader that arrives after the kill sees every document the store holds, without a rerun
    reader = open_assistant(store)
    assert_searchable(reader)
    assert len(reader.lexical()) == sum(n for _, n in reader.store.doc_states().values())

    summary = open_assistant(store).ingest([], items=documents(version))
    assert summary.skipped == []
    assert_whole(open_assistant(store), version)


def test_a_long_running_reader_finishes_a_crashed_writers_batch(tmp_path: Path) -> None:
    """The app has been searching all along; a CLI ingest is killed with its first batch in Chroma
    but not in BM25 (and the generation not yet bumped). The app's next search still finds it."""
    store = tmp_path / "store"
    open_assistant(store).ingest([], items=documents("a"))
    reader = open_assistant(store)
    assert reader.search(token(5, "a"), k=1)[0].doc_id == "doc-005"
    assert run_driver(store, "b", "after-records", 1) == -signal.SIGKILL
    hits = reader.search(token(70, "b"), k=1)
    assert hits and hits[0].doc_id == "doc-070" and token(70, "b") in hits[0].text
    assert not (reader.state_dir / "journal.json").exists()


@pytest.mark.slow
def test_a_kill_during_the_recovery_is_recovered_too(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run_driver(store, "a", "after-records") == -signal.SIGKILL
    assert (store / "index-precedents" / "journal.json").exists()
    assert run_driver(store, "a", "during-replay", 1) == -signal.SIGKILL
    open_assistant(store).ingest([], items=documents("a"))
    assert_whole(open_assistant(store), "a")


class _FullDisk:
    """Raise ENOSPC at the n-th call of a method, as a write onto a full disk would."""

    def __init__(self, n: int) -> None:
        self.n, self.calls = n, 0

    def wrap(self, original: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self.n:
                raise OSError(errno.ENOSPC, "No space left on device")
            return original(*args, **kwargs)

        return call


class _FullDocs:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def upsert(self, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.mark.parametrize("where", ["journal", "store-records", "bm25"])
def test_a_full_disk_at_any_step_loses_nothing_and_a_rerun_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    store = tmp_path / "store"
    open_assistant(store).ingest([], items=documents("a"))
    a = open_assistant(store)
    full = _FullDisk(n=2)
    if where == "journal":
        monkeypatch.setattr(PrecedentIndex, "_begin", full.wrap(PrecedentIndex._begin))
    elif where == "bm25":
        monkeypatch.setattr(LexicalIndex, "apply", full.wrap(LexicalIndex.apply))
    else:
        a.store.docs = _FullDocs(a.store.docs)  # type: ignore[attr-defined]
    with pytest.raises(StoreError, match="disk is full"):
        a.ingest([], items=documents("b"))
    monkeypatch.undo()  # space is freed

    reader = open_assistant(store)
    assert_searchable(reader)
    open_assistant(store).ingest([], items=documents("b"))
    assert_whole(open_assistant(store), "b")


def test_a_rerun_repairs_a_document_whose_chunks_the_store_lost(tmp_path: Path) -> None:
    store = tmp_path / "store"
    a = open_assistant(store)
    a.ingest([], items=documents("a"))
    lost = "doc-007"
    h, n = a.store.doc_states([lost])[lost]
    a.store.chunks.delete(ids=[chunk_id_for(lost, h, 0)])  # type: ignore[attr-defined]

    summary = open_assistant(store).ingest([], items=documents("a"))
    assert (summary.repaired, summary.written, summary.unchanged) == (1, 1, 119)
    assert_whole(open_assistant(store), "a")


def test_a_shared_server_instance_that_crashed_catches_up_and_so_do_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = HashEmbedder()
    server = MemoryStore(embedder)  # stands in for the one Chroma server every instance uses

    def instance(name: str) -> Assistant:
        settings = Settings(store=tmp_path / name, chroma_url="http://127.0.0.1:9")
        return build_assistant(settings, embedder=embedder, store=server, freshness_seconds=0)

    a, b = instance("a"), instance("b")
    assert a.index.shared and b.index.shared
    a.ingest([], items=documents("a"))
    assert b.search(token(5, "a"), k=1)[0].doc_id == "doc-005"  # b saw a's write

    full = _FullDisk(n=2)
    monkeypatch.setattr(LexicalIndex, "apply", full.wrap(LexicalIndex.apply))
    with pytest.raises(StoreError):
        a.ingest([], items=documents("b"))  # the server has the batch; a's own BM25 side does not
    monkeypatch.undo()

    restarted = instance("a")
    for who in (restarted, b, instance("c")):
        for i in (70, 130):
            hits = who.search(token(i, "b"), k=1)
            assert hits and hits[0].doc_id == f"doc-{i:03d}", who.state_dir


def test_a_second_writer_never_sweeps_a_batch_in_flight(tmp_path: Path) -> None:
    """Writer 1 stops with its batch's chunks written and its records not yet; writer 2 ingests one
    document meanwhile. Before, writer 2's clean-up deleted writer 1's chunks, and writer 1 then
    wrote records for documents that had none: shown, never found."""
    store = tmp_path / "store"
    cmd = [sys.executable, "-m", "tests.integrity_driver", str(store)]
    first = subprocess.Popen([*cmd, "a", "pause-before-records"], cwd=ROOT, stderr=subprocess.PIPE)
    second = None
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / "paused").exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (tmp_path / "paused").exists(), first.stderr.read() if first.stderr else ""
        second = subprocess.Popen([*cmd, "c", "none"], cwd=ROOT, stderr=subprocess.PIPE)
        try:  # it now waits for the lock (before: it finished, sweeping writer 1's chunks)
            second.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        (tmp_path / "go").touch()
        assert first.wait(timeout=300) == 0, first.stderr.read() if first.stderr else ""
        assert second.wait(timeout=300) == 0, second.stderr.read() if second.stderr else ""
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
    a = open_assistant(store)
    states = a.store.doc_states()
    assert set(states) == set(expected("a")) | {"doc-900"}
    have = {cid for page in a.store.chunk_pages() for cid in page["ids"]}
    assert {chunk_id_for(d, h, i) for d, (h, n) in states.items() for i in range(n)} <= have
    for doc_id, word in {**expected("a"), "doc-900": token(900, "c")}.items():
        hits = a.search(word, k=1)
        assert hits and hits[0].doc_id == doc_id, (doc_id, word)


def test_opening_the_index_waits_for_a_process_still_making_its_bm25_folder(tmp_path: Path) -> None:
    """Two processes opening a new store at once: one makes the BM25 folder while the other
    looks. Before, the other saw a folder without its layout stamp, took it for an older layout
    and deleted it mid-write ("Directory not empty", and the first one's index gone)."""
    import threading

    from filelock import FileLock

    state = tmp_path / "state"
    folder = state / "bm25"
    folder.mkdir(parents=True)
    other = FileLock(str(state / "write.lock"), thread_local=False)  # the other process's hold
    other.acquire()
    (folder / "being-written").write_text("the other process's files", encoding="utf-8")
    opened: list[PrecedentIndex] = []
    opener = threading.Thread(target=lambda: opened.append(PrecedentIndex(MemoryStore(HashEmbedder()), state)))
    try:
        opener.start()
        opener.join(timeout=1.0)
        assert opener.is_alive(), "opened without waiting for the process making the folder"
        assert (folder / "being-written").exists()
        (folder / "schema-version").write_text(SCHEMA_VERSION, encoding="utf-8")  # it finishes and stamps it
    finally:
        other.release()
    opener.join(timeout=30)
    assert opened and len(opened[0].lexical) == 0
    assert (folder / "being-written").exists()  # kept: the other process's folder, not an old layout


def test_an_older_bm25_layout_is_replaced_when_opened(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "bm25"
    folder.mkdir(parents=True)
    (folder / "schema-version").write_text("0", encoding="utf-8")
    (folder / "old-segment").write_text("an older layout", encoding="utf-8")
    PrecedentIndex(MemoryStore(HashEmbedder()), tmp_path / "state")
    assert not (folder / "old-segment").exists()
    assert (folder / "schema-version").read_text(encoding="utf-8") == SCHEMA_VERSION


@pytest.mark.slow
def test_two_writers_on_one_store_lose_nothing(tmp_path: Path, embedder: Any) -> None:
    """A large CLI ingest while another process ingests small files one by one (as the Corpus page
    does): before, each small ingest's clean-up deleted the large one's batch in flight."""
    require(WQ_DATA.is_file(), f"the shared corpus {WQ_DATA} is missing")
    import gzip
    import itertools

    store, big = tmp_path / "store", tmp_path / "big.jsonl"
    with gzip.open(WQ_DATA, "rb") as src:
        big.write_bytes(b"".join(itertools.islice(src, 300)))
    exe = [sys.executable, "-m", "rag.cli"]
    large = subprocess.Popen([*exe, "ingest", str(big), "--store", str(store)], cwd=ROOT, stderr=subprocess.PIPE)
    small_ids = []
    try:
        i = 0
        while large.poll() is None or i < 2:
            folder = tmp_path / f"small{i}"
            folder.mkdir()
            (folder / f"note{i}.txt").write_text(
                f"Letter {i} on school transport {token(i, 'a')}. " * 5, encoding="utf-8"
            )
            out = subprocess.run(
                [*exe, "ingest", str(folder), "--store", str(store), "--json"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert out.returncode == 0, out.stderr
            small_ids.append(i)
            i += 1
        assert large.wait(timeout=600) == 0, large.stderr.read() if large.stderr else ""
    finally:
        if large.poll() is None:
            large.kill()
    assert len(small_ids) >= 2

    a = make_assistant(store, embedder)
    states = a.store.doc_states()
    assert len(states) == 300 + len(small_ids)
    have = set(
        a.store.get_chunks([chunk_id_for(d, h, j) for d, (h, n) in states.items() for j in range(n)], text=False)["ids"]
    )
    missing = [d for d, (h, n) in states.items() if any(chunk_id_for(d, h, j) not in have for j in range(n))]
    assert missing == []
    assert len(a.lexical()) == a.store.counts()[1]
    for i in small_ids:
        hits = a.search(token(i, "a"), k=1)
        assert hits and token(i, "a") in hits[0].text
    again = subprocess.run(
        [*exe, "ingest", str(big), "--store", str(store), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert json.loads(again.stdout)["embedded"] == 0


def _mount_tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    return (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
        ).returncode
        == 0
    )


@pytest.mark.slow
def test_a_real_full_disk_then_space_freed_and_a_rerun_finds_every_document(tmp_path: Path) -> None:
    """Ingest onto a 6 MB tmpfs until it fills: a one-line "disk is full" naming where, nothing
    hidden from search; then the tmpfs grows (space freed) and a rerun completes the index."""
    disk = tmp_path / "disk"
    require(_mount_tmpfs(disk, "6m"), "mounting a tmpfs needs root (CI runs as root)")
    try:
        cmd = [sys.executable, "-m", "tests.integrity_driver", str(disk / "store"), "b", "none"]
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert out.returncode != 0
        last = out.stderr.strip().splitlines()[-1]
        assert "the disk is full" in last and str(disk / "store") in last, last

        subprocess.run(["mount", "-o", "remount,size=200m", str(disk)], check=True)
        reader = open_assistant(disk / "store")
        assert 0 < len(reader.store.doc_states()) < 160  # the disk filled part-way
        assert_searchable(reader)
        open_assistant(disk / "store").ingest([], items=documents("b"))
        assert_whole(open_assistant(disk / "store"), "b")
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
