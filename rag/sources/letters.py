"""Ministerial letters to the Senedd's Petitions Committee: the genre of the seeds.

The Committee publishes them as PDFs among each meeting's papers on business.senedd.wales (its
agendas list "Correspondence from the Minister for ..., <date>" under each P-06-NNNN petition), and
the Record of Proceedings on record.senedd.wales; neither offers the letters as data (no JSON or
feed of correspondence was found), so this source takes what a person has collected:

    ymateb sync senedd-letters --from letters/       a folder of saved letters (.pdf, .docx, .txt ...)
    ymateb sync senedd-letters --from letters.txt    a file of their addresses, one per line (# comments)

A listed letter is downloaded once, politely, into the store (<store>/sources/senedd-letters/) and
read like any file; its address becomes the document's source. A letter already saved is not
fetched again, so a rerun sends nothing and writes nothing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlsplit

from rag.errors import DocumentError, InputError, SourceError, StoreError
from rag.ingest.files import load_file
from rag.ingest.sources import load_paths
from rag.sources.base import Page, Window
from rag.sources.http import Fetcher
from rag.types import Document, Skipped

SUFFIXES = (".pdf", ".docx", ".html", ".htm", ".txt", ".md")


class SeneddLetters:
    name = "senedd-letters"
    base_url = "https://business.senedd.wales"
    about = "Ministers' letters to the Senedd Petitions Committee, from a saved folder or a list of addresses"

    def pages(self, fetcher: Fetcher, window: Window) -> Iterator[Page]:
        if not window.folder:
            raise InputError(
                "senedd-letters reads saved letters or a list of their addresses: give --from FOLDER or --from FILE."
            )
        given = Path(window.folder)
        if given.is_dir():
            for found in load_paths(given):
                yield _page(found)
            return
        for url in _addresses(given):
            yield self._letter(fetcher, url, window.saved or given.parent / ".ymateb-letters")

    def _letter(self, fetcher: Fetcher, url: str, saved: Path) -> Page:
        address = fetcher.url(url)
        path = saved / _file_name(address)
        if not path.exists():
            try:
                _save(path, fetcher.get(address).content)
            except SourceError as err:  # one letter that cannot be fetched is skipped; the rest go on
                return Page(skipped=[Skipped(address, str(err))], read=1)
        try:
            doc = load_file(path)
        except DocumentError as err:
            return Page(skipped=[Skipped(address, str(err).replace(str(path), "the letter"))], read=1)
        doc.doc_id = f"SENLET-{path.stem}"
        doc.source = address
        doc.meta.source_url = address
        return Page(documents=[doc], read=1)


def _page(found: Document | Skipped) -> Page:
    if isinstance(found, Skipped):
        return Page(skipped=[found], read=1)
    return Page(documents=[found], read=1)


def _addresses(listing: Path) -> list[str]:
    try:
        lines = listing.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        raise InputError(
            f"{listing}: no such folder or file; give --from a folder of letters or a list of addresses."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{listing}: cannot be read as a list of addresses ({exc}).") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _file_name(address: str) -> str:
    """A stable name for a downloaded letter: a hash of its address, and its type's suffix."""
    suffix = Path(urlsplit(address).path).suffix.lower()
    return hashlib.sha256(address.encode("utf-8")).hexdigest()[:16] + (suffix if suffix in SUFFIXES else ".pdf")


def _save(path: Path, content: bytes) -> None:
    """Written whole or not at all (beside, then renamed); StoreError naming the file if the disk refuses."""
    tmp = path.with_name(f".{path.name}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(content)
        os.replace(tmp, path)
    except OSError as exc:
        with suppress(OSError):  # nothing to remove, or no folder to remove it from
            tmp.unlink(missing_ok=True)
        raise StoreError(f"Cannot save the letter as {path}: {exc.strerror or exc}") from None
