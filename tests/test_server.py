"""Server mode: the index behind a real `chroma run` on loopback, started and stopped by the tests."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.drafting.intake import parse_request
from rag.errors import StoreError
from rag.index.server import chroma_executable, free_port, start_chroma_server, stop_chroma_server

from .conftest import SEEDS, make_assistant, require
from .test_index import REVIEW_QUERY, WQ85953

pytestmark = pytest.mark.server


@dataclass
class Server:
    """One `chroma run` process over a data directory; restartable on the same port and path."""

    path: Path
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = start_chroma_server(self.path, self.port, self.log)

    def kill(self) -> None:
        if self.proc is not None:
            stop_chroma_server(self.proc, sig=signal.SIGKILL)
            self.proc = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    require(chroma_executable() is not None, "the `chroma` CLI (from the chromadb package) is not installed")
    srv = Server(tmp_path / "chroma-data", free_port(), tmp_path / "chroma.log")
    srv.start()
    try:
        yield srv
    finally:
        srv.kill()


def client(server: Server, tmp_path: Path, embedder: object, name: str = "app") -> Assistant:
    """An app instance: its own cache directory, the shared server. It re-reads the server's generation
    stamp on every search (freshness 0 s), so no test waits out a freshness window."""
    return make_assistant(tmp_path / name, embedder, freshness_seconds=0, chroma_url=server.url)


def test_review_question_finds_wq85953_first_over_server(server: Server, tmp_path: Path, embedder: object) -> None:
    a = client(server, tmp_path, embedder)
    assert a.ingest([SEEDS]).written == 5
    assert "Chroma server" in a.store.location
    hits = a.search(REVIEW_QUERY, k=3)
    assert hits[0].doc_id == WQ85953


def test_second_instance_rebuilds_bm25_from_server_and_sees_changes(
    server: Server, tmp_path: Path, embedder: object
) -> None:
    writer = client(server, tmp_path, embedder, "writer")
    first = writer.ingest([SEEDS])
    reader = client(server, tmp_path, embedder, "reader")
    assert reader.stats()["chunks"] == first.chunks
    assert [p.doc_id for p in reader.search(REVIEW_QUERY, k=1)] == [WQ85953]
    assert len(reader.lexical()) == first.chunks  # rebuilt from the server's chunks
    assert writer.remove(WQ85953)  # the reader re-reads the generation stamp on its next search
    assert all(p.doc_id != WQ85953 for p in reader.search(REVIEW_QUERY, k=5))
    assert len(reader.lexical()) == len(writer.lexical())


def test_another_instances_batch_in_flight_is_hidden_not_deleted(
    server: Server, tmp_path: Path, embedder: object
) -> None:
    from rag.ingest.chunking import chunk_document
    from rag.ingest.files import load_file

    a = client(server, tmp_path, embedder, "a")
    b = client(server, tmp_path, embedder, "b")
    a.ingest([SEEDS / "000_13427d4b3c4b56d1.txt"])
    # Instance b is half-way through writing WQ85953: chunks in, document record not yet.
    doc = load_file(SEEDS / f"{WQ85953}.txt")
    chunks = chunk_document(doc)
    b.store.chunks.upsert(
        ids=[c.chunk_id for c in chunks],
        documents=[c.text for c in chunks],
        metadatas=[c.metadata for c in chunks],
        embeddings=b.embedder.embed([c.text for c in chunks]),
    )
    a.ingest([SEEDS / "002_013fdf69bcaa1894.txt"])  # a's refresh must not delete b's chunks ...
    assert b.store.chunks.get(ids=[chunks[0].chunk_id])["ids"] == [chunks[0].chunk_id]
    assert all(p.doc_id != WQ85953 for p in a.search(REVIEW_QUERY, k=5))  # ... nor search them
    summary = b.ingest([SEEDS / f"{WQ85953}.txt"])  # b finishes: written once, no duplicates
    assert summary.written == 1
    ids = [cid for page in a.store.chunk_pages() for cid in page["ids"]]
    assert len(ids) == len(set(ids)) == sum(int(d["n_chunks"]) for d in a.list_documents())
    assert a.search(REVIEW_QUERY, k=1)[0].doc_id == WQ85953


def test_draft_and_reingest_over_server(server: Server, tmp_path: Path, embedder: object) -> None:
    a = client(server, tmp_path, embedder)
    a.ingest([SEEDS])
    assert a.ingest([SEEDS]).embedded == 0
    result = a.draft(parse_request(REVIEW_QUERY, kind="written_question"), "offline")
    assert result.citations and any(c.doc_id == WQ85953 for c in result.citations)


def test_server_going_away_is_a_clear_error_and_recovery_works(
    server: Server, tmp_path: Path, embedder: object
) -> None:
    a = client(server, tmp_path, embedder)
    a.ingest([SEEDS])
    before = [p.chunk_id for p in a.search(REVIEW_QUERY, k=3)]
    server.kill()
    with pytest.raises(StoreError) as err:
        a.search(REVIEW_QUERY, k=3)
    message = str(err.value)
    assert "Chroma server" in message and "YMATEB_CHROMA_URL" in message, message
    assert "Traceback" not in message
    server.start()  # same port, same data directory
    assert [p.chunk_id for p in a.search(REVIEW_QUERY, k=3)] == before
    assert a.store.generation()  # the generation stamp is readable again (every search re-reads it)
    assert [p.chunk_id for p in a.search(REVIEW_QUERY, k=3)] == before


def test_unreachable_server_at_start_is_a_clear_error(tmp_path: Path, embedder: object) -> None:
    with pytest.raises(StoreError) as err:
        make_assistant(tmp_path / "cache", embedder, chroma_url=f"http://127.0.0.1:{free_port()}")
    assert "YMATEB_CHROMA_URL" in str(err.value)
