"""Shared fixtures. No test touches the network: a guard refuses any non-loopback connection.

Two kinds of index: the real one (MiniLM + embedded Chroma: `embedder`, `assistant`, `seeded`),
for tests that assert what the product finds on the seeds; and the fakes beside it (HashEmbedder
+ MemoryStore: `hashed`, `fast_assistant`, `fast_seeded`), for tests of parsing, formatting,
filtering and wiring that hold for any embedder and load no model.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from rag.assistant import FRESHNESS_SECONDS, Assistant, build_assistant
from rag.drafting.backends import Backend
from rag.drafting.backends.scripted import ScriptedBackend
from rag.index.embedder import MiniLMEmbedder, default_embedder
from rag.index.fakes import HashEmbedder, MemoryStore
from rag.settings import Settings

from .fake_openai import FakeOpenAI

pytest_plugins = [
    "tests.browser",  # the browser harness: fixtures server, page, screen, llm
    "tests.postgres",  # a throwaway PostgreSQL server: fixtures postgres_server, postgres_url
]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
WQ_DATA = SHARED / "data" / "uk-commons-wq-2023-09_2025-06.jsonl.gz"
DEV_CASES = SHARED / "eval" / "uk-dfe-dev-cases.jsonl"
# The texts the app tests type in: the petition of the seeds' P-06-1199 reply, and a new reply to add.
PETITION = (
    "Petition P-06-1199: Place Cardiff Children's Services into special measures and conduct an urgent "
    "independent review"
)
WOMBAT_REPLY = """Julie Morgan AS/MS
Deputy Minister for Social Services

Your ref: Petition P-06-1302

9 February 2023

Dear Jack,

Thank you for your letter asking for my views on the petition to 'Open a wombat sensory garden at every family centre'.

The Welsh Government will fund a wombat sensory garden pilot in three family centres from April 2023.

Yours sincerely,

Julie Morgan AS/MS
Deputy Minister for Social Services
"""
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and str(host) not in ("127.0.0.1", "::1", "localhost"):
        raise RuntimeError(f"test tried to reach the network ({address!r}); tests must stay offline")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test gets its own settings: no ambient keys, endpoints or stores."""
    for key in list(os.environ):
        # httpx honours proxy variables: loopback traffic must go straight to the test's servers.
        if key.startswith(("YMATEB_", "OPENAI_")) or key.lower() in ("http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # so a stray .env or .ymateb/ in the repo is never read


def require(condition: bool, reason: str) -> None:
    """Skip locally when a prerequisite is missing; in CI a missing prerequisite fails the test."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"prerequisite missing in CI: {reason}")
    pytest.skip(reason)


class CountingEmbedder:
    """Wraps the real embedder and records every text it is asked to embed."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner = inner
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed(texts)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """A fake OpenAI-compatible server on loopback that records requests; stopped after the test."""
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return default_embedder()


@pytest.fixture
def counting(embedder: MiniLMEmbedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


def make_assistant(
    store: Path, embedder: object, freshness_seconds: float = FRESHNESS_SECONDS, **settings: object
) -> Assistant:
    """The real composition (Chroma, embedded or at `chroma_url`) over `embedder`."""
    return build_assistant(
        Settings(store=store, **settings),  # type: ignore[arg-type]
        embedder=embedder,  # type: ignore[arg-type]
        freshness_seconds=freshness_seconds,
    )


@pytest.fixture
def assistant(tmp_path: Path, counting: CountingEmbedder) -> Assistant:
    return make_assistant(tmp_path / "store", counting)


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory, embedder: MiniLMEmbedder) -> Path:
    """A store with the five seeds, built once per session; tests copy it before writing."""
    store = tmp_path_factory.mktemp("seeded") / "store"
    summary = make_assistant(store, embedder).ingest([SEEDS])
    assert summary.written == 5, summary.skipped
    return store


@pytest.fixture
def seeded(seeded_store: Path, embedder: MiniLMEmbedder, tmp_path: Path) -> Iterator[Assistant]:
    """A private copy of the seeded store, safe to modify."""
    import shutil

    copy = tmp_path / "seeded-copy"
    shutil.copytree(seeded_store, copy)
    yield make_assistant(copy, embedder)


# ---------------------------------------------------------------------------- the fakes


@pytest.fixture
def hashed() -> HashEmbedder:
    return HashEmbedder()


def fast_build(settings: Settings, embedder: HashEmbedder | None = None, backend: Backend | None = None) -> Assistant:
    """An assistant over a MemoryStore and a HashEmbedder; the BM25 side is re-checked on every read."""
    embedder = embedder or HashEmbedder()
    return build_assistant(
        settings, embedder=embedder, store=MemoryStore(embedder), backend=backend, freshness_seconds=0
    )


def fast_assistant_at(store: Path, embedder: HashEmbedder | None = None, **settings: object) -> Assistant:
    return fast_build(Settings(store=store, **settings), embedder)  # type: ignore[arg-type]


@pytest.fixture
def fast_assistant(tmp_path: Path, hashed: HashEmbedder) -> Assistant:
    return fast_assistant_at(tmp_path / "store", hashed)


@pytest.fixture
def scripted() -> ScriptedBackend:
    """A backend that replies what a test enqueues and records what it was sent."""
    return ScriptedBackend()


@pytest.fixture
def scripted_seeded(tmp_path: Path, scripted: ScriptedBackend) -> Assistant:
    """The five seeds (HashEmbedder, MemoryStore) drafting through the scripted backend."""
    a = fast_build(Settings(store=tmp_path / "store"), backend=scripted)
    assert a.ingest([SEEDS]).written == 5
    return a


@pytest.fixture
def fast_seeded(fast_assistant: Assistant) -> Assistant:
    """The five seeds in a MemoryStore (a few milliseconds: no model, no Chroma)."""
    summary = fast_assistant.ingest([SEEDS])
    assert summary.written == 5, summary.skipped
    return fast_assistant
