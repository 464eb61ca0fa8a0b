"""Run the eval suite: draft each case from what was known before it, score against the real answer."""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from rag.assistant import Assistant, build_assistant
from rag.drafting.citations import check_citations, citation_support
from rag.drafting.intake import parse_request, search_query
from rag.errors import BackendError
from rag.evaluation import metrics as M
from rag.evaluation.cases import Case, eligible, load_cases
from rag.evaluation.judge import LLMJudge
from rag.evaluation.models import CaseResult, EvalResult, Summary
from rag.evaluation.registry import (
    METRICS,
    RETRIEVAL_K,
    Metric,
    case_score_keys,
    summary_means,
)
from rag.index.base import Embedder
from rag.index.embedder import default_embedder
from rag.ingest.sources import load_paths
from rag.settings import Settings
from rag.text.holding import is_non_answer
from rag.types import Document, Draft, SearchFilters, Skipped


@dataclass(frozen=True)
class CorpusSpec:
    paths: tuple[str, ...]
    only: tuple[tuple[str, str], ...] = ()  # metadata filters, e.g. (("asked_of", "Secretary of State for Education"),)

    def key(self) -> str:
        """Changes whenever a corpus file's content or the filter changes."""
        h = hashlib.sha256(repr(self.only).encode())
        for path in sorted(_files(self.paths)):
            h.update(str(path.name).encode())
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        return h.hexdigest()[:16]

    def items(self) -> Iterator[Document | Skipped]:
        for item in load_paths(self.paths):
            if isinstance(item, Document) and not _matches(item, self.only):
                continue
            yield item


def _files(paths: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        out.extend(sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p])
    return out


def _matches(doc: Document, only: tuple[tuple[str, str], ...]) -> bool:
    meta = doc.meta.to_dict()
    return all(str(meta.get(k) or "").lower() == v.lower() for k, v in only)


def eval_assistant(spec: CorpusSpec, settings: Settings, embedder: Embedder, progress: bool = False) -> Assistant:
    """An index of the corpus, built once and reused by later runs (keyed by the corpus content)."""
    store = Path(settings.store) / "eval-index" / spec.key()
    eval_settings = settings.model_copy(update={"store": store, "chroma_url": None})
    assistant = build_assistant(eval_settings, embedder=embedder)
    assistant.ingest([], progress=progress, items=spec.items())
    return assistant


def _eligible_answers(documents: list[Document], case: Case) -> dict[str, str]:
    """The answers the drafter could have known when `case` was asked (the no-leak rule)."""
    return {
        doc.doc_id: doc.text[doc.meta.answer_start :] for doc in documents if eligible(doc.meta.date, doc.doc_id, case)
    }


def _judged(judge: LLMJudge, case: Case, draft: str, sources: list[str]) -> dict[str, Any]:
    """The judge's scores; an endpoint failure on one case is recorded there, not fatal to the run."""
    try:
        return judge.judge(case.question, draft, case.reference_answer, sources)
    except BackendError as exc:
        return {"judge_faithfulness": None, "judge_coverage": None, "judge_reason": f"judge failed: {exc}"}


def _scores(
    assistant: Assistant, case: Case, draft: Draft, ask: str, exclude: set[str], documents: list[Document] | None
) -> dict[str, Any]:
    """The draft's scores against the real answer, and the nearest and oracle precedents' scores."""
    filters = SearchFilters(as_of=case.date, exclude_doc_ids=exclude)
    found = assistant.search(ask, k=20, filters=filters, per_doc=1)  # searched as the draft was
    retrieved = list(dict.fromkeys(p.doc_id for p in found))
    nearest_id = retrieved[0] if retrieved else None
    candidates = _eligible_answers(documents if documents is not None else list(assistant.store.all_documents()), case)
    nearest = candidates.get(nearest_id, "") if nearest_id else ""
    oracle = M.best_precedent(case.reference_answer, candidates)
    report = check_citations(draft.body, draft.passages, assistant.embedder) if draft.body else None
    ref = case.reference_answer
    sims = M.semantic_similarities([(draft.body, ref), (nearest, ref)], assistant.embedder)
    return {
        "rougeL_f1": M.rouge_l_f1(draft.body, ref),
        "semantic_similarity": sims[0],
        "key_fact_recall": M.key_fact_recall(draft.body, ref),
        "citation_validity": M.citation_validity(draft.body, len(draft.passages)),
        "citation_support": citation_support(report) if report else 0.0,
        "retrieval_rank": M.retrieval_rank(retrieved, oracle[0] if oracle else None),
        "retrieved": retrieved[:RETRIEVAL_K],
        "nearest_doc_id": nearest_id,
        "nearest_rougeL_f1": M.rouge_l_f1(nearest, ref),
        "nearest_semantic_similarity": sims[1],
        "oracle_doc_id": oracle[0] if oracle else None,
        "oracle_rougeL_f1": oracle[1] if oracle else 0.0,
        "eligible_precedents": len(candidates),
    }


def run_case(
    assistant: Assistant,
    case: Case,
    backend: str,
    judge: LLMJudge | None = None,
    documents: list[Document] | None = None,
) -> CaseResult:
    """Draft one case and score it and both baselines (and ask the LLM judge, when one is given).
    `documents` is the whole corpus, read once per run by the caller (read here when not given)."""
    exclude = {case.id} | ({case.corpus_doc_id} if case.corpus_doc_id else set())
    kind = "petition" if case.kind.startswith("petition") else "written_question"
    request = parse_request(case.question, kind=kind, as_of=case.date)
    draft = assistant.draft(request, backend, exclude_doc_ids=exclude)
    drafted = bool(draft.body.strip())
    result: dict[str, Any] = {
        "id": case.id,
        "date": case.date,
        "question": case.question,
        "draft": draft.body,
        "draft_text": draft.text,
        "reference_answer": case.reference_answer,
        "citations": [c.to_dict() for c in draft.citations],
        "warnings": [w.to_dict() for w in draft.warnings],
        "answerable": case.answerable,
        "assessment": draft.assessment.to_dict() if draft.assessment else None,
    }
    if not case.answerable:  # nothing to score against: only whether it drafted at all
        unscored = dict.fromkeys(case_score_keys(METRICS), None) | {"retrieval_rank": None, "oracle_doc_id": None}
        return CaseResult.model_validate(result | unscored | {"false_confident": float(drafted), "partial": None})
    result |= _scores(assistant, case, draft, search_query(request), exclude, documents)
    partial = any(w.code == "partial_answer" for w in draft.warnings)
    result |= {"refused": float(not drafted), "partial": float(partial), "false_confident": None}
    # Drafting quality where there was a line to draft: a real answer that is only a holding reply or a
    # cross-reference is no line, and the drafter never drafts from one (rag.drafting.lines).
    scoreable = drafted and not is_non_answer(case.reference_answer)
    result["rougeL_f1_drafted"] = result["rougeL_f1"] if scoreable else None
    if judge is not None:
        result |= _judged(judge, case, draft.body, [p.text for p in draft.passages])
    return CaseResult.model_validate(result)


def summarise(
    cases: Sequence[CaseResult], backend: str, seconds: float, metrics: Sequence[Metric] = METRICS
) -> Summary:
    """The mean of every metric (judge ones only when judged) and of each baseline's scores."""
    rows = [c.model_dump(exclude_unset=True) for c in cases]
    means = summary_means(rows, metrics)
    return Summary.model_validate({"n_cases": len(cases), "backend": backend, **means, "seconds": round(seconds, 2)})


def run_eval(
    cases_path: str | Path | Sequence[str | Path],
    corpus: CorpusSpec,
    settings: Settings,
    backend: str = "offline",
    limit: int | None = None,
    embedder: Embedder | None = None,
    progress: bool = False,
    on_case: Callable[[int, int], None] | None = None,
    judge: LLMJudge | None = None,
) -> dict[str, Any]:
    """The whole suite: JSON-ready {"summary": ..., "cases": [...]} (an EvalResult as JSON, see
    models.py); judge scores only when a judge is given."""
    started = time.perf_counter()
    paths = [cases_path] if isinstance(cases_path, str | Path) else list(cases_path)
    cases = load_cases(*paths)[: limit or None]
    assistant = eval_assistant(corpus, settings, embedder or default_embedder(settings), progress=progress)
    documents = list(assistant.store.all_documents())
    results: list[CaseResult] = []
    for i, case in enumerate(tqdm(cases, desc="Evaluating", unit="case", disable=not progress, leave=False)):
        results.append(run_case(assistant, case, backend, judge, documents))
        if on_case:
            on_case(i + 1, len(cases))
    summary = summarise(results, backend, time.perf_counter() - started)
    return EvalResult(summary=summary, cases=results).to_json()


def read_json(path: str | Path) -> dict[str, Any]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        return json.load(fh)


__all__ = ["CorpusSpec", "run_eval", "run_case", "summarise", "read_json"]
