"""Ymateb: precedent-grounded drafting of replies to petitions and written questions.

The pipeline, one package per stage (imports only point down this list):

    rag.text        dates, references, sentences, citation markers, words, shortening, language
    rag.types       the data passed between stages (Document, Passage, DraftRequest, Draft ...)
    rag.index       embedder, Chroma store, BM25 side, fakes for tests
    rag.ingest      files and records -> Documents -> chunks -> the index
    rag.retrieval   filters and hybrid (dense + BM25) search
    rag.drafting    intake, backends (offline, openai, scripted), citations, formats, export
    rag.evaluation  back-test drafts against real answers
    rag.bench       speed, scale and the plain-peer comparison
    rag.assistant   the composition root: build_assistant()

The public API is below; front ends (the CLI, the Streamlit app) use only it and `rag.types`.
Heavy parts (chromadb, onnxruntime, bm25s) load on first use, not on `import rag`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from rag.errors import ConfigError, InputError, YmatebError
from rag.settings import Settings, load_settings

if TYPE_CHECKING:
    from rag.assistant import Assistant, build_assistant
    from rag.drafting.export import docx_bytes, to_docx, to_markdown
    from rag.drafting.intake import parse_request, parse_request_file
    from rag.evaluation.compare import compare_runs, format_comparison
    from rag.evaluation.report import validate_result, write_report
    from rag.evaluation.runner import CorpusSpec, read_json, run_eval
    from rag.ingest.uploads import UploadResult, ingest_uploads, read_upload_text

_LAZY = {
    "Assistant": "rag.assistant",
    "build_assistant": "rag.assistant",
    "parse_request": "rag.drafting.intake",
    "parse_request_file": "rag.drafting.intake",
    "docx_bytes": "rag.drafting.export",
    "to_docx": "rag.drafting.export",
    "to_markdown": "rag.drafting.export",
    "UploadResult": "rag.ingest.uploads",
    "ingest_uploads": "rag.ingest.uploads",
    "read_upload_text": "rag.ingest.uploads",
    "CorpusSpec": "rag.evaluation.runner",
    "run_eval": "rag.evaluation.runner",
    "read_json": "rag.evaluation.runner",
    "compare_runs": "rag.evaluation.compare",
    "format_comparison": "rag.evaluation.compare",
    "validate_result": "rag.evaluation.report",
    "write_report": "rag.evaluation.report",
}

__all__ = [
    "Assistant",
    "ConfigError",
    "CorpusSpec",
    "InputError",
    "Settings",
    "UploadResult",
    "YmatebError",
    "build_assistant",
    "compare_runs",
    "docx_bytes",
    "format_comparison",
    "ingest_uploads",
    "load_settings",
    "parse_request",
    "parse_request_file",
    "read_json",
    "read_upload_text",
    "run_eval",
    "to_docx",
    "to_markdown",
    "validate_result",
    "write_report",
]


def __getattr__(name: str) -> Any:
    """Load the heavy parts of the public API on first use (PEP 562)."""
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
