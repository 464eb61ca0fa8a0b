"""Uploaded files (name and bytes, as a browser sends them): size-checked, saved to a temporary
folder under their own safe name, and read or ingested; one result per file, nothing half-written."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.errors import InputError
from rag.ingest.files import load_file, size_problem
from rag.types import Document, IngestSummary

Ingest = Callable[[list[Path]], IngestSummary]  # Assistant.ingest, given the saved files


@dataclass
class UploadResult:
    name: str
    status: str  # "added" | "unchanged" | "skipped" | "refused"
    detail: str = ""

    def to_row(self) -> dict[str, str]:
        return {"file": self.name, "result": self.status, "detail": self.detail}


def check_size(name: str, size: int, max_mb: float) -> None:
    """InputError if an upload is larger than the configured limit (the rule of `size_problem`)."""
    problem = size_problem(size, max_mb)
    if problem:
        raise InputError(f"{name}: {problem}; split it or raise the upload limit.")


def safe_name(name: str) -> str:
    """An uploaded file's own name, with any folder part and awkward characters removed."""
    base = Path(str(name).replace("\\", "/")).name.strip() or "upload.txt"
    return re.sub(r"[^\w.\- ]+", "_", base)


def read_upload_text(name: str, data: bytes, max_mb: float) -> str:
    """The text of one uploaded file (txt, md, pdf, docx, html): DocumentError says why not."""

    check_size(name, len(data), max_mb)
    with tempfile.TemporaryDirectory(prefix="ymateb-upload-") as tmp:
        path = Path(tmp) / safe_name(name)
        path.write_bytes(data)
        return load_file(path).text


def ingest_uploads(
    ingest: Ingest,
    files: Sequence[tuple[str, bytes]],
    max_mb: float,
    on_file: Callable[[int, int, str], None] | None = None,
) -> list[UploadResult]:
    """Write each upload to a temp dir and ingest it; one result per file, in the order given."""
    results: list[UploadResult] = []
    with tempfile.TemporaryDirectory(prefix="ymateb-upload-") as tmp:
        for i, (name, data) in enumerate(files, 1):
            if on_file:
                on_file(i - 1, len(files), name)
            results.append(_ingest_one(ingest, Path(tmp) / str(i), name, data, max_mb))
        if on_file:
            on_file(len(files), len(files), "")
    return results


DETECTED_SHOWN = 20  # documents read back from the uploads for a person to check before adding


@dataclass
class Detected:
    """What ingest will read from one upload: its documents (metadata as detected) or why none."""

    name: str
    documents: list[Document]
    problem: str = ""
    more: int = 0  # documents beyond those read back (a large .jsonl)


def detect_uploads(files: Sequence[tuple[str, bytes]], max_mb: float, limit: int = DETECTED_SHOWN) -> list[Detected]:
    """Read each upload as ingest will (same loader, same saved name, so the same document ids),
    without writing anything: at most `limit` documents in all are kept, the rest only counted."""
    from rag.ingest.sources import load_paths

    out: list[Detected] = []
    kept = 0
    with tempfile.TemporaryDirectory(prefix="ymateb-upload-") as tmp:
        for i, (name, data) in enumerate(files, 1):
            try:
                check_size(name, len(data), max_mb)
            except InputError as exc:
                out.append(Detected(name, [], str(exc)))
                continue
            folder = Path(tmp) / str(i)
            folder.mkdir()
            path = folder / safe_name(name)
            path.write_bytes(data)
            found = Detected(name, [])
            for item in load_paths([path], max_mb):
                if not isinstance(item, Document):
                    found.problem = item.reason
                elif kept < limit:
                    found.documents.append(item)
                    kept += 1
                else:
                    found.more += 1
            out.append(found)
    return out


def _ingest_one(
    ingest: Callable[[list[Path]], IngestSummary], folder: Path, name: str, data: bytes, max_mb: float
) -> UploadResult:
    try:
        check_size(name, len(data), max_mb)
    except InputError as exc:
        return UploadResult(name, "refused", str(exc))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / safe_name(name)
    path.write_bytes(data)
    summary = ingest([path])
    return _result_of(name, summary)


def _result_of(name: str, summary: IngestSummary) -> UploadResult:
    if summary.skipped:
        return UploadResult(name, "skipped", "; ".join(s.reason for s in summary.skipped))
    if summary.written:
        ids = ", ".join(summary.doc_ids)
        return UploadResult(name, "added", f"{summary.written} document(s), {summary.chunks} chunks ({ids})")
    if summary.unchanged:
        return UploadResult(name, "unchanged", "already in the index with the same text")
    return UploadResult(name, "skipped", "no documents found in the file")
