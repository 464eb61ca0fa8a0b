"""Files, folders and record files -> Document | Skipped, one at a time (a generator).

A folder is walked sorted, leaving out hidden names, unsupported types and its
README/LICENCE/CHANGELOG (all silently); a problem with one file becomes a Skipped and we go on.
A link inside a folder is followed only to a file inside that folder (a Skipped says so otherwise);
FIFOs, devices and sockets are refused unopened (files.open_regular)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from rag.errors import DocumentError
from rag.ingest.files import _is_records, _strip_name, _supported, load_file
from rag.ingest.records import load_records
from rag.text.shorten import ID_SHOWN, PATH_SHOWN, shorten
from rag.types import Document, Skipped


def load_paths(paths: Iterable[str | Path] | str | Path, max_mb: float | None = None) -> Iterator[Document | Skipped]:
    """Every document under the given files and folders; problems become Skipped and we go on.
    Single-document files over `max_mb` are skipped unread; record files (corpora) stream."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for found in _walk(path):
                if isinstance(found, Skipped):
                    yield found
                else:
                    yield from _load_any(found, max_mb)
        else:
            yield from _load_any(path, max_mb)


# A folder's own documentation (the seeds folder has a README.md): skipped silently when
# walking a folder, loaded like any file when named explicitly
FOLDER_DOCS = {"readme", "licence", "license", "changelog", "contributing", "notice"}


def _walk(folder: Path) -> Iterator[Path | Skipped]:
    """Supported files under a folder, sorted; hidden files/folders and READMEs are left out. A link
    to a file outside the folder is a Skipped, and so is a linked folder (os.walk does not enter it)."""
    inside = folder.resolve()
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for linked in (Path(root) / d for d in dirs if (Path(root) / d).is_symlink()):
            yield Skipped(str(linked), "is a link to a folder; not followed (name the folder itself to ingest it)")
        for name in sorted(files):
            path = Path(root) / name
            if not name.startswith(".") and _supported(path) and not _is_folder_doc(path):
                yield _escaping_link(path, inside) or path


def _escaping_link(path: Path, inside: Path) -> Skipped | None:
    """A Skipped when `path` is a link whose target is outside the folder `inside`, else None."""
    if not path.is_symlink():
        return None
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # a link loop (RuntimeError before Python 3.13)
        return Skipped(str(path), "is a link that loops back on itself; fix or remove it")
    if target.is_relative_to(inside):
        return None
    return Skipped(str(path), "is a link to a file outside the folder being ingested; not followed")


def _is_folder_doc(path: Path) -> bool:
    return path.name.split(".")[0].lower() in FOLDER_DOCS


def _load_any(path: Path, max_mb: float | None = None) -> Iterator[Document | Skipped]:
    if _is_records(path):
        yield from load_records(path)
        return
    try:
        yield load_file(path, max_mb)
    except DocumentError as err:
        yield Skipped(str(path), _strip_name(str(err), path))


# A record's source is "corpus.jsonl.gz#12": the file is the part before "#<line>"
RECORD_LINE_RE = re.compile(r"#\d+$")


def id_collision(doc: Document, stored: Document | None) -> str | None:
    """Why `doc` may not replace `stored`, the indexed document with its id: it came from another file
    that still exists, or it is a file and the stored one the official record (rag.sources). None when
    it may: no such document, the same file, that file is gone, or `doc` is the official record."""
    if stored is None or not stored.source or is_url(doc.source):
        return None
    if is_url(stored.source):
        return (
            f"document id {shorten(doc.doc_id, ID_SHOWN)!r} is the official record synced from "
            f"{shorten(stored.source, PATH_SHOWN)}; a file does not replace it (give the file's record another id)"
        )
    old, new = (Path(RECORD_LINE_RE.sub("", s)) for s in (stored.source, doc.source))
    if old == new or not old.exists() or _same_file(old, new):
        return None
    return (
        f"document id {shorten(doc.doc_id, ID_SHOWN)!r} is already used by {shorten(stored.source, PATH_SHOWN)}; "
        "rename this file (or remove the other with `ymateb remove`) and ingest it again"
    )


def is_url(source: str) -> bool:
    """Whether a document's source is an official record's address (rag.sources) rather than a file."""
    return source.startswith(("https://", "http://"))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
