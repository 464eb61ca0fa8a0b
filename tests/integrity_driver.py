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
    """Version "a": documents 0-119. Version "b": 0-59 unchanged, 60-119 changed, 120-159 new."""
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


def arm(assistant: Assistant, step: str, n: int) -> None:
    """Make the process die at the n-th time the ingest reaches `step`."""
    from rag.index.lexical import LexicalIndex
    from rag.index.precedents import PrecedentIndex

    store: ChromaStore = assistant.store  # type: ignore[assignment]
    steps: dict[str, Callable[[], None]] = {
        "after-journal": lambda: _after(PrecedentIndex, "_begin", n),
        "before-records": lambda: setattr(store, "docs", _KillOnUpsert(store.docs, n)),
        "after-records": lambda: _after(ChromaStore, "write", n),
        "after-bm25": lambda: _after(LexicalIndex, "apply", n),
        "after-journal-cleared": lambda: _after(PrecedentIndex, "_end", n),
        "after-generation": lambda: _after(ChromaStore, "bump_generation", n),
        "during-replay": lambda: _after(PrecedentIndex, "_resync", n),
        "none": lambda: None,
    }
    steps[step]()


def main(argv: list[str]) -> None:
    store, version, step = Path(argv[0]), argv[1], argv[2]
    n = int(argv[3]) if len(argv) > 3 else 2
    assistant = open_assistant(store)
    arm(assistant, step, n)
    assistant.ingest([], items=documents(version))
    assistant.lexical()  # a reader catching up also replays (the "during-replay" step)


if __name__ == "__main__":
    main(sys.argv[1:])
