"""Offline draft latency on the Education dev corpus, in one process (the eval's cached index).

    .venv/bin/python docs/draft_latency.py [N]

Drafts the first N (default 40) dev questions, each as of its own date without its own answer, after
one warm-up draft, and prints p50/p95. Run it at two commits to compare (BENCHMARKS.md, issue 11).
"""

from __future__ import annotations

import statistics
import sys
import time

from rag.drafting.intake import parse_request
from rag.evaluation.cases import load_cases
from rag.evaluation.runner import CorpusSpec, eval_assistant
from rag.index.embedder import default_embedder
from rag.settings import load_settings

CORPUS = "../shared/data/uk-commons-wq-2023-09_2025-06.jsonl.gz"
CASES = "../shared/eval/uk-dfe-dev-cases.jsonl"


def main(n: int = 40) -> None:
    settings = load_settings()
    spec = CorpusSpec((CORPUS,), (("asked_of", "Secretary of State for Education"),))
    assistant = eval_assistant(spec, settings, default_embedder(settings))
    cases = load_cases(CASES)[:n]
    first = cases[0]
    assistant.draft(parse_request(first.question, kind="written_question", as_of=first.date))
    times = []
    for case in cases:
        request = parse_request(case.question, kind="written_question", as_of=case.date)
        started = time.perf_counter()
        assistant.draft(request, exclude_doc_ids={case.id})
        times.append(time.perf_counter() - started)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    p50 = statistics.median(times)
    print(f"offline draft over {len(times)} dev questions: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
