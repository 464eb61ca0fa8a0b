"""Ymateb: precedent-grounded drafting of replies to petitions and written questions.

The pipeline, one package per stage (imports only point down this list):

    rag.text        dates, references, sentences, citation markers, words, shortening, language
    rag.types       the data passed between stages (Document, Passage, DraftRequest, Draft ...)
    rag.index       embedder, Chroma store, BM25 side, fakes for tests
    rag.ingest      files and records -> Documents -> chunks -> the index
    rag.retrieval   filters and hybrid (dense + BM25) search
    rag.drafting    intake, backends (offline, openai, scripted), citations, formats, export
    rag.evaluation  back-test drafts against real answers
    rag.desk        saved work: the queue, versions, review status, audit; batch intake, grouping
    rag.sources     keeping the corpus current: official APIs -> the index, and the desk's queue
    rag.bench       speed, scale and the plain-peer comparison
    rag.assistant   the composition root: build_assistant()

The public API is below; front ends (the CLI, the Streamlit app) use only it and `rag.types`: the
composition root, request parsing, the re-check of an edited draft, export, uploads, the eval runner
and its metric registry, the checks a search and a page's paths must pass, the few text helpers a
page needs to show dates, markers and snippets as the library does, and the one escape for
untrusted text shown through Markdown (`escape_markdown`).
Heavy parts (chromadb, onnxruntime, tantivy) load on first use, not on `import rag`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from rag.errors import ConfigError, InputError, YmatebError
from rag.settings import Settings, load_settings

if TYPE_CHECKING:
    from rag.assistant import Assistant, build_assistant
    from rag.desk.batch import BatchRun, draft_batch, import_batch, incoming_for, item_request
    from rag.desk.exports import replies_zip, reply_name, tracker_csv
    from rag.desk.intake import read_batch, read_batch_path
    from rag.desk.models import STATUSES
    from rag.desk.store import AuditRow, Desk, ItemRow, ItemView, SyncRunRow, VersionRow, Who, audit_csv, open_desk
    from rag.drafting.backends.offline import answer_text
    from rag.drafting.cited import cited_sentences
    from rag.drafting.edits import recheck
    from rag.drafting.export import docx_bytes, export_name, to_docx, to_markdown, warning_line
    from rag.drafting.intake import parse_request, parse_request_file, without_to_ask
    from rag.drafting.lines import on_point, said, superseded_by
    from rag.evaluation.compare import compare_runs, format_comparison
    from rag.evaluation.paths import allowed_roots, resolve_allowed, run_files, save_uploads
    from rag.evaluation.registry import (
        BASELINES,
        METRICS,
        Metric,
        baseline_values,
        case_keys,
        case_score_keys,
        column_label,
        shown,
        why_missing,
    )
    from rag.evaluation.report import baseline_verdict, validate_result, write_report
    from rag.evaluation.runner import CorpusSpec, read_json, run_eval
    from rag.index.catalogue import DocumentQuery
    from rag.ingest.uploads import Detected, UploadResult, detect_uploads, ingest_uploads, read_upload_text
    from rag.retrieval.query import check_search
    from rag.sources.sync import SyncSummary, official_sources, sync_source
    from rag.text.dates import human_date
    from rag.text.diff import changed_words, word_diff
    from rag.text.holding import is_non_answer
    from rag.text.markdown import escape_markdown
    from rag.text.markers import MARKER_RE, cited_numbers
    from rag.text.shorten import shorten
    from rag.text.words import STOPWORDS

_LAZY = {
    "AuditRow": "rag.desk.store",
    "Desk": "rag.desk.store",
    "ItemRow": "rag.desk.store",
    "ItemView": "rag.desk.store",
    "VersionRow": "rag.desk.store",
    "SyncRunRow": "rag.desk.store",
    "SyncSummary": "rag.sources.sync",
    "official_sources": "rag.sources.sync",
    "sync_source": "rag.sources.sync",
    "Who": "rag.desk.store",
    "audit_csv": "rag.desk.store",
    "open_desk": "rag.desk.store",
    "STATUSES": "rag.desk.models",
    "BatchRun": "rag.desk.batch",
    "draft_batch": "rag.desk.batch",
    "import_batch": "rag.desk.batch",
    "item_request": "rag.desk.batch",
    "incoming_for": "rag.desk.batch",
    "changed_words": "rag.text.diff",
    "word_diff": "rag.text.diff",
    "replies_zip": "rag.desk.exports",
    "reply_name": "rag.desk.exports",
    "tracker_csv": "rag.desk.exports",
    "read_batch": "rag.desk.intake",
    "read_batch_path": "rag.desk.intake",
    "Assistant": "rag.assistant",
    "build_assistant": "rag.assistant",
    "parse_request": "rag.drafting.intake",
    "parse_request_file": "rag.drafting.intake",
    "recheck": "rag.drafting.edits",
    "answer_text": "rag.drafting.backends.offline",
    "superseded_by": "rag.drafting.lines",
    "docx_bytes": "rag.drafting.export",
    "export_name": "rag.drafting.export",
    "to_docx": "rag.drafting.export",
    "to_markdown": "rag.drafting.export",
    "warning_line": "rag.drafting.export",
    "UploadResult": "rag.ingest.uploads",
    "ingest_uploads": "rag.ingest.uploads",
    "read_upload_text": "rag.ingest.uploads",
    "CorpusSpec": "rag.evaluation.runner",
    "run_eval": "rag.evaluation.runner",
    "read_json": "rag.evaluation.runner",
    "compare_runs": "rag.evaluation.compare",
    "allowed_roots": "rag.evaluation.paths",
    "resolve_allowed": "rag.evaluation.paths",
    "run_files": "rag.evaluation.paths",
    "save_uploads": "rag.evaluation.paths",
    "check_search": "rag.retrieval.query",
    "format_comparison": "rag.evaluation.compare",
    "validate_result": "rag.evaluation.report",
    "write_report": "rag.evaluation.report",
    "baseline_verdict": "rag.evaluation.report",
    "column_label": "rag.evaluation.registry",
    "why_missing": "rag.evaluation.registry",
    "BASELINES": "rag.evaluation.registry",
    "METRICS": "rag.evaluation.registry",
    "Metric": "rag.evaluation.registry",
    "baseline_values": "rag.evaluation.registry",
    "case_keys": "rag.evaluation.registry",
    "case_score_keys": "rag.evaluation.registry",
    "shown": "rag.evaluation.registry",
    "human_date": "rag.text.dates",
    "escape_markdown": "rag.text.markdown",
    "MARKER_RE": "rag.text.markers",
    "shorten": "rag.text.shorten",
    "STOPWORDS": "rag.text.words",
    "DocumentQuery": "rag.index.catalogue",
    "Detected": "rag.ingest.uploads",
    "detect_uploads": "rag.ingest.uploads",
    "cited_sentences": "rag.drafting.cited",
    "on_point": "rag.drafting.lines",
    "said": "rag.drafting.lines",
    "without_to_ask": "rag.drafting.intake",
    "is_non_answer": "rag.text.holding",
    "cited_numbers": "rag.text.markers",
}

__all__ = [
    "allowed_roots",
    "answer_text",
    "Assistant",
    "audit_csv",
    "AuditRow",
    "baseline_values",
    "baseline_verdict",
    "BASELINES",
    "BatchRun",
    "build_assistant",
    "case_keys",
    "case_score_keys",
    "changed_words",
    "check_search",
    "cited_numbers",
    "cited_sentences",
    "column_label",
    "compare_runs",
    "ConfigError",
    "CorpusSpec",
    "Desk",
    "detect_uploads",
    "Detected",
    "DocumentQuery",
    "docx_bytes",
    "draft_batch",
    "escape_markdown",
    "export_name",
    "format_comparison",
    "human_date",
    "import_batch",
    "ingest_uploads",
    "incoming_for",
    "InputError",
    "is_non_answer",
    "item_request",
    "ItemRow",
    "ItemView",
    "load_settings",
    "MARKER_RE",
    "Metric",
    "METRICS",
    "official_sources",
    "on_point",
    "open_desk",
    "parse_request",
    "parse_request_file",
    "read_batch",
    "read_batch_path",
    "read_json",
    "read_upload_text",
    "recheck",
    "replies_zip",
    "reply_name",
    "resolve_allowed",
    "run_eval",
    "run_files",
    "said",
    "save_uploads",
    "Settings",
    "shorten",
    "shown",
    "STATUSES",
    "STOPWORDS",
    "superseded_by",
    "sync_source",
    "SyncRunRow",
    "SyncSummary",
    "to_docx",
    "to_markdown",
    "tracker_csv",
    "UploadResult",
    "validate_result",
    "VersionRow",
    "warning_line",
    "Who",
    "why_missing",
    "without_to_ask",
    "word_diff",
    "write_report",
    "YmatebError",
]


def __getattr__(name: str) -> Any:
    """Load the heavy parts of the public API on first use (PEP 562)."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
