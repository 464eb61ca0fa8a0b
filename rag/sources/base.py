"""What every official source is: a name, its official address, and the pages it reads.

A source turns the records of one API into Documents (precedents: answered questions, Government
responses) and Incoming requests (what is waiting for an answer), a page at a time, so a sync writes
as it goes and a killed run loses at most the page in hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from rag.sources.http import Fetcher
from rag.types import Document, Incoming, Skipped


@dataclass(frozen=True)
class Window:
    """What one sync asks a source for."""

    since: date  # the first day (tabled, answered, corrected or updated) read
    body: str | None = None  # the answering body: its numeric id (sent) or name (matched), None for all
    folder: str | None = None  # for a source of saved files or a list of their addresses
    saved: Path | None = None  # where a source keeps the files it downloads
    # the index's record of each of these document ids it holds (rag.index.records): what a source
    # need not fetch again
    stored: Callable[[list[str]], dict[str, dict[str, Any]]] = lambda ids: {}


@dataclass
class Page:
    """What one request (or one file) brought in."""

    documents: list[Document] = field(default_factory=list)  # precedents to index
    waiting: list[Incoming] = field(default_factory=list)  # requests awaiting an answer, for the desk
    skipped: list[Skipped] = field(default_factory=list)  # records not ingested, with the reason
    read: int = 0  # records read
    unchanged: int = 0  # records known unchanged without fetching them whole (not in `documents`)
    total: int | None = None  # records the source says there are in this pass, when it says


class Source(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def base_url(self) -> str:
        """The official address; --base-url points a sync elsewhere (a mirror, a test server)."""
        ...

    @property
    def about(self) -> str:
        """One line for `ymateb sync --help` and the app."""
        ...

    def pages(self, fetcher: Fetcher, window: Window) -> Iterator[Page]: ...
