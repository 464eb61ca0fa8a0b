"""A full disk, said the same way by every part of the index, with where it is."""

from __future__ import annotations

import shutil
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
