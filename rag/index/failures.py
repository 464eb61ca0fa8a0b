"""A full disk, told the same way by every part of the index (by the error's type, or by the
disk's free space when a library gives no errno), and said with where it is."""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

LOW_BYTES = 64 * 1024 * 1024  # below this much free space a failed write is taken for a full disk


def low_on_space(directory: Path) -> bool:
    """Whether the disk holding `directory` (or its nearest existing parent) is all but full."""
    path = Path(directory)
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free < LOW_BYTES
    except OSError:
        return False


def disk_full(directory: Path | None = None) -> str:
    where = f" (the disk holding {directory})" if directory is not None else ""
    return f"the disk is full{where}; free some disk space and run the command again (nothing was lost)"


def is_disk_full(exc: BaseException, directory: Path | None = None) -> bool:
    """ENOSPC or SQLITE_FULL anywhere along the cause chain, or almost no space left at `directory`."""
    return any(_says_full(e) for e in cause_chain(exc)) or (directory is not None and low_on_space(directory))


def _says_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    code = getattr(exc, "sqlite_errorcode", None)  # python >= 3.11; extended codes keep the low byte
    return isinstance(exc, sqlite3.OperationalError) and isinstance(code, int) and code & 0xFF == sqlite3.SQLITE_FULL


def cause_chain(exc: BaseException) -> list[BaseException]:
    """exc, then what caused it, then what caused that ... (each once)."""
    out: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in out:
        out.append(current)
        current = current.__cause__ or current.__context__
    return out


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
