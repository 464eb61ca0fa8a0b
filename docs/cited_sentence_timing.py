"""How long finding a citation's sentence takes (rag.drafting.cited), on the seed petition draft with MiniLM.

    PYTHONPATH=. .venv/bin/python docs/cited_sentence_timing.py

A quoted sentence (the offline drafter's) needs no embedding; a model's paraphrase costs one embed call.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from rag.drafting.cited import cited_sentences
from rag.drafting.intake import parse_request
from rag.index.embedder import default_embedder
from rag.settings import Settings
from rag.types import Citation, Passage
from tests.conftest import SEEDS, fast_build

PETITION = (
    "Petition P-06-1199: Place Cardiff Children's Services into special measures and conduct an urgent "
    "independent review"
)
PARAPHRASE = "The Government stays in regular contact with councils' children's services about their progress. [1]"


def _passage(c: Citation) -> Passage:
    return Passage(c.doc_id, c.chunk_id, c.quote, c.start, c.end)


def _timed(body: str, c: Citation, embedder: object) -> tuple[float, list[tuple[int, int]]]:
    start = time.perf_counter()
    spans = cited_sentences(body, c.n, _passage(c), embedder)  # type: ignore[arg-type]
    return (time.perf_counter() - start) * 1000, spans


def main() -> None:
    embedder = default_embedder()
    assistant = fast_build(Settings(store=Path(tempfile.mkdtemp()) / "store"), embedder=embedder)  # type: ignore[arg-type]
    assistant.ingest([SEEDS])
    draft = assistant.draft(parse_request(PETITION), "offline")
    for c in draft.citations:
        ms, spans = _timed(draft.body, c, embedder)
        lengths = [e - s for s, e in spans]
        print(f"[{c.n}] quoted: {ms:.1f} ms, sentence lengths {lengths} in a {c.end - c.start}-character passage")
    embedder.embed(["warm up"])
    first = draft.citations[0]
    ms, spans = _timed(PARAPHRASE, first, embedder)
    doc = assistant.get_document(first.doc_id)
    found = doc.text[spans[0][0] : spans[0][1]] if doc and spans else None
    print(f"paraphrase: {ms:.1f} ms -> {found!r}")


if __name__ == "__main__":
    main()
