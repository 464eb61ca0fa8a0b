"""Run an ingest in a child process and kill it (SIGKILL) or fill its disk at one named step.

    python -m tests.integrity_driver STORE VERSION STEP [N]

ingests `documents(VERSION)` into the embedded Chroma store at STORE (HashEmbedder, so no model),
and at the N-th time (default 2: one batch is already whole) the ingest reaches STEP, the process
kills itself with SIGKILL. Steps are named for the moment just after (or, for "before-records",
just before) what they name; tests/test_integrity.py runs every one and then reruns the ingest.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rag.assistant import Assistant, build_assistant
from rag.index.chroma import ChromaStore
from rag.index.fakes import HashEmbedder
from rag.settings import Settings
from rag.types import DocMeta, Document

N_DOCS = 160  # three chunks each: two batches of 256 chunks or more, so a kill can land between
VERSIONS = ("a", "b")


def token(i: int, version: str) -> str:
    """A word only document i of this version contains (letters only: every tokenizer keeps it)."""
    letters = "".join(chr(ord("a") + int(d)) for d in f"{i:03d}")
    return f"zq{letters}v{version}"


def documents(version: str) -> list[Document]:
    """Version "a": documents 0-119. Version "b": 0-59 unchanged, 60-119 changed, 120-159 new.
    Version "c": one other document, doc-900 (a second writer's)."""
    if version == "c":
        meta = DocMeta(kind="written_question", ref="WQ9900", date="2024-04-01", author="Ben Sample")
        return [
            Document(
                "doc-900", f"A second writer's answer on school meals {token(900, 'c')}.", meta, source="other#900"
            )
        ]
    out = []
    for i in range(N_DOCS):
        if version == "a" and i >= 120:
            continue
        v = "b" if version == "b" and i >= 60 else "a"
        para = f"Paragraph about school transport and teacher workload {token(i, v)}. " * 14
        text = "\n\n".join([para, para.replace("transport", "funding"), para.replace("transport", "meals")])
        meta = DocMeta(kind="written_question", ref=f"WQ{1000 + i}", date="2024-03-01", author="Ann Example")
        out.append(Document(f"doc-{i:03d}", text, meta, source=f"synthetic#{i}"))
    return out


def expected(version: str) -> dict[str, str]:
    """{doc_id: its token} the index must hold after a whole ingest of this version."""
    return {
        d.doc_id: token(int(d.doc_id[4:]), "b" if version == "b" and int(d.doc_id[4:]) >= 60 else "a")
        for d in documents(version)
    }


def open_assistant(store: Path) -> Assistant:
    return build_assistant(Settings(store=store), embedder=HashEmbedder(), freshness_seconds=0)


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _after(owner: Any, name: str, n: int) -> None:
    original: Callable[..., Any] = getattr(owner, name)
    calls = {"n": 0}

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == n:
            _die()
        return result

    setattr(owner, name, wrapped)


class _PauseOnUpsert:
    """The documents collection, paused as the first record write begins (the batch's chunks are
    in, its records not yet) until the file `go` appears; `paused` says it is waiting."""

    def __init__(self, inner: Any, folder: Path) -> None:
        self._inner, self._folder, self._done = inner, folder, False

    def upsert(self, **kwargs: Any) -> Any:
        if not self._done:
            self._done = True
            (self._folder / "paused").touch()
            deadline = time.monotonic() + 120
            while not (self._folder / "go").exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        return self._inner.upsert(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _KillOnUpsert:
    """The documents collection, killed as the n-th record write begins (chunks already in)."""

    def __init__(self, inner: Any, n: int) -> None:
        self._inner, self._n, self._calls = inner, n, 0

    def upsert(self, **kwargs: Any) -> Any:
        self._calls += 1
        if self._calls == self._n:
            _die()
        return self._inner.upsert(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def arm(assistant: Assistant, step: str, n: int, folder: Path) -> None:
    """Make the process die at the n-th time the ingest reaches `step` (or pause, or nothing)."""
    store: ChromaStore = assistant.store  # type: ignore[assignment]

    def index_part(name: str) -> Any:  # imported late: "pause-before-records" also runs on older code
        import importlib

        module, cls = {
            "lexical": ("rag.index.lexical", "LexicalIndex"),
            "precedents": ("rag.index.precedents", "PrecedentIndex"),
        }[name]
        return getattr(importlib.import_module(module), cls)

    steps: dict[str, Callable[[], None]] = {
        "after-journal": lambda: _after(index_part("precedents"), "_begin", n),
        "before-records": lambda: setattr(store, "docs", _KillOnUpsert(store.docs, n)),
        "after-records": lambda: _after(ChromaStore, "write", n),
        "after-bm25": lambda: _after(index_part("lexical"), "apply", n),
        "after-journal-cleared": lambda: _after(index_part("precedents"), "_end", n),
        "after-generation": lambda: _after(ChromaStore, "bump_generation", n),
        "during-replay": lambda: _after(index_part("precedents"), "_resync", n),
        "pause-before-records": lambda: setattr(store, "docs", _PauseOnUpsert(store.docs, folder)),
        "none": lambda: None,
    }
    steps[step]()


def main(argv: list[str]) -> None:
    store, version, step = Path(argv[0]), argv[1], argv[2]
    n = int(argv[3]) if len(argv) > 3 else 2
    assistant = open_assistant(store)
    arm(assistant, step, n, store.parent)
    assistant.ingest([], items=documents(version))
    if hasattr(assistant, "index"):
        assistant.lexical()  # a reader catching up also replays (the "during-replay" step)


if __name__ == "__main__":
    main(sys.argv[1:])
