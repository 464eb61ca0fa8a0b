"""Which server paths a page may read: only those under a few allowed folders.

A web page that takes a path must not let a visitor read (or probe) the server's files, so a path
is resolved (symbolic links and `..` followed) and refused unless it lies under an allowed root,
with one message whether or not it exists: the answer says nothing about what is outside.
Files a visitor uploads are saved by `save_uploads` into a folder the page then allows.
Saved eval results are not named by a path at all: `run_files` lists the result files in the
runs folders (evals/reports/ and the shared data folder), and a page offers only those.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from rag.errors import InputError
from rag.settings import Settings

OUTSIDE = (
    "That path is not in a folder this page may read (the project's evals/ and seeds/ folders, and the "
    "shared data folder set by YMATEB_DATA_DIR): give a path in one of them, or upload the file here."
)


def allowed_roots(project: Path, settings: Settings, extra: Iterable[Path] = ()) -> tuple[Path, ...]:
    """The project's evals/ and seeds/ folders, YMATEB_DATA_DIR when set, and `extra` (e.g. the
    session's upload folder), each resolved."""
    roots = [project / "evals", project / "seeds"]
    if settings.data_dir is not None:
        roots.append(Path(settings.data_dir).expanduser())
    return tuple(_real(r) for r in (*roots, *extra))


def resolve_allowed(text: str, roots: Sequence[Path], project: Path) -> Path:
    """The resolved path named by `text` (relative to `project`), or InputError if it is not
    under one of `roots`; the same error whether or not the path exists."""
    try:
        path = _real(project / Path(text.strip()).expanduser())
    except (OSError, ValueError):  # a NUL byte, an unresolvable home ...
        path = None
    if path is None or not any(path == root or root in path.parents for root in roots):
        raise InputError(OUTSIDE)
    return path


RUNS_FOLDER = Path("evals") / "reports"  # where `ymateb eval --json` results are kept for the app
MAX_RUN_FILES = 200
SHARED_PREFIX = "shared data: "  # the label of a file in YMATEB_DATA_DIR starts with this


def run_files(project: Path, settings: Settings, limit: int = MAX_RUN_FILES) -> dict[str, Path]:
    """{label: path} of the .json files under the project's evals/reports/ and YMATEB_DATA_DIR
    (newest first, at most `limit`), labelled by their path inside the folder; a link leading
    out of its folder is left out."""
    folders = [(f"{RUNS_FOLDER.as_posix()}/", project / RUNS_FOLDER)]
    if settings.data_dir is not None:
        folders.append((SHARED_PREFIX, Path(settings.data_dir).expanduser()))
    found: list[tuple[float, str, Path]] = []
    for prefix, folder in folders:
        root = _real(folder)
        for path in sorted(root.rglob("*.json")) if root.is_dir() else []:
            real = _real(path)
            if root in real.parents and real.is_file():
                found.append((real.stat().st_mtime, prefix + path.relative_to(root).as_posix(), real))
    found.sort(key=lambda f: (-f[0], f[1]))
    return {label: path for _, label, path in found[:limit]}


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def save_uploads(folder: Path, files: Sequence[tuple[str, bytes]], max_mb: float) -> list[Path]:
    """Write uploaded (name, bytes) into `folder`, emptied first, each under its own safe name;
    InputError for one over the upload limit, before anything is written."""
    from rag.ingest.uploads import check_size, safe_name

    for name, data in files:
        check_size(name, len(data), max_mb)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    paths = []
    for name, data in files:
        path = folder / safe_name(name)
        path.write_bytes(data)
        paths.append(path)
    return paths
