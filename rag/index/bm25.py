"""The BM25 side of the index (bm25s), plus an in-memory table of every chunk's metadata.

It is derived data: always rebuildable from the Chroma chunks. On disk it sits beside the store,
written atomically and stamped with the Chroma `generation` it was built from, so every process
(and every app instance over a shared Chroma server) can tell when its copy is stale.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from rag.text.words import stemmer

_TABLE = "table.json"


def tokenize(texts: list[str]) -> list[list[str]]:
    out = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer(), return_ids=False, show_progress=False)
    return out  # type: ignore[return-value]


@dataclass
class LexicalIndex:
    """BM25 over chunk texts, and the chunks' ids, texts and metadata as columns."""

    generation: str = ""
    ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    metas: list[dict[str, Any]] = field(default_factory=list)
    bm25: Any = None
    _pos: dict[str, int] = field(default_factory=dict)
    kinds: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    dates: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    authors: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    _by_doc: dict[str, list[int]] | None = None

    @classmethod
    def build(cls, pages: Iterable[dict[str, Any]], generation: str) -> LexicalIndex:
        idx = cls(generation=generation)
        for page in pages:
            idx.ids.extend(page["ids"])
            idx.texts.extend(page["documents"])
            idx.metas.extend(page["metadatas"])
        if idx.texts:
            idx.bm25 = bm25s.BM25()
            idx.bm25.index(tokenize(idx.texts), show_progress=False)
        idx._columns()
        return idx

    def _columns(self) -> None:
        self._pos = {cid: i for i, cid in enumerate(self.ids)}
        self.kinds = np.array([m.get("kind", "") for m in self.metas], dtype=object)
        self.dates = np.array([int(m.get("date_int", 0)) for m in self.metas], dtype=np.int64)
        self.authors = np.array([m.get("author_key", "") for m in self.metas], dtype=object)

    def __len__(self) -> int:
        return len(self.ids)

    def doc_passages(self, doc_id: str) -> list[Any]:
        from rag.types import Passage

        if self._by_doc is None:
            by_doc: dict[str, list[int]] = {}
            for i, m in enumerate(self.metas):
                by_doc.setdefault(str(m.get("doc_id")), []).append(i)
            self._by_doc = by_doc
        rows = self._by_doc.get(doc_id, [])
        passages = [
            Passage(
                doc_id,
                self.ids[i],
                self.texts[i],
                int(self.metas[i]["start"]),
                int(self.metas[i]["end"]),
                0.0,
                self.metas[i],
            )
            for i in rows
        ]
        return sorted(passages, key=lambda p: p.start)

    def position(self, chunk_id: str) -> int | None:
        return self._pos.get(chunk_id)

    def scores(self, query: str) -> np.ndarray:
        if self.bm25 is None:
            return np.zeros(len(self.ids), dtype=np.float32)
        tokens = tokenize([query])[0]
        if not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self.bm25.get_scores(tokens), dtype=np.float32)

    # -- persistence -----------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write to a temporary sibling, then swap it in: readers never see half an index."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".bm25-", dir=directory.parent))
        try:
            if self.bm25 is not None:
                self.bm25.save(str(tmp), show_progress=False)
            table = {"generation": self.generation, "ids": self.ids, "texts": self.texts, "metas": self.metas}
            (tmp / _TABLE).write_text(json.dumps(table), encoding="utf-8")
            old = directory.with_name(directory.name + ".old")
            if directory.exists():
                os.replace(directory, old)
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        """The saved index, or None if there is none or it cannot be read (it is then rebuilt)."""
        try:
            table = json.loads((directory / _TABLE).read_text(encoding="utf-8"))
            idx = cls(table["generation"], table["ids"], table["texts"], table["metas"])
            if idx.ids:
                idx.bm25 = bm25s.BM25.load(str(directory), show_progress=False)
        except (OSError, ValueError, KeyError):
            return None
        idx._columns()
        return idx
