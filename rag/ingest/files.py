"""Read one file or pasted text into a Document.

Formats: .txt .md (UTF-8), .pdf (pypdf), .docx (python-docx: paragraphs and tables),
.html/.htm (lxml, the encoding found by beautifulsoup4's UnicodeDammit).

Only regular files are opened (a FIFO would block, a device never ends). Work is bounded per file:
HTML_MAX, PDF_PAGES_MAX, and for a .docx its expanded size (from the zip directory, before parsing)
and paragraph count; over a limit, the file is refused with the reason.

The stored text is exactly what was read, with newlines normalised to "\\n": chunk offsets and
boilerplate spans index into it. A NUL byte means a binary file, which is skipped, not cleaned."""

from __future__ import annotations

import codecs
import io
import logging
import os
import re
import shutil
import stat
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NoReturn

from rag.errors import DocumentError
from rag.ingest.boilerplate import boilerplate_spans
from rag.ingest.letters import extract_metadata
from rag.text.unicode import scrub
from rag.types import Document

TEXT_EXTS = (".txt", ".md")
HTML_EXTS = (".html", ".htm")
RECORD_EXTS = (".jsonl", ".jsonl.gz")
SUPPORTED = (*TEXT_EXTS, *HTML_EXTS, ".pdf", ".docx", *RECORD_EXTS)
MB = 1024 * 1024

# Characters not kept in a document id made from a file stem: all but letters, digits and "_.-"
# (Unicode letters too, so "Ateb â" and "Ateb ê" differ; ASCII stems give the ids they always did)
UNSAFE_ID_RE = re.compile(r"[^\w.-]+")
# Windows and old-Mac line ends
NEWLINE_RE = re.compile(r"\r\n?")
# The end of a record question's first sentence
SENTENCE_END_RE = re.compile(r"(?<=[.?!])\s")
# Runs of spaces and tabs inside an HTML line; three or more newlines
HTML_SPACE_RE = re.compile(r"[ \t\f\v\xa0]+")
HTML_BLANKS_RE = re.compile(r"\n\s*\n\s*(?:\n\s*)+")
HTML_BLOCKS = (
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "h1", "h2",
    "h3", "h4", "h5", "h6", "li", "tr", "table", "blockquote", "pre", "ul", "ol", "dl", "dt",
    "dd", "address", "figure", "figcaption", "hr",
)  # fmt: skip
HTML_MAX = 5 * MB  # most HTML read (about 1 s and 60 MB of memory per MB); a bigger page is refused unparsed
HTML_HIDDEN = ("script", "style", "noscript", "template", "head")  # elements whose text is not shown
DOCX_EXPANDED_MAX = 100 * MB  # most a .docx may expand to, all parts (images too) as its zip directory says
DOCX_XML_MAX = 20 * MB  # most XML in a .docx (parsed into a tree: a few times that in memory)
DOCX_PARAGRAPHS_MAX = 20_000  # most paragraphs read from a .docx (a 100-page letter has about 2,000)
PDF_PAGES_MAX = 1_000  # most pages read from a PDF
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .doc, or a password-protected .docx


def load_file(path: str | Path, max_mb: float | None = None) -> Document:
    """One .txt/.md/.pdf/.docx/.html file as a Document; DocumentError says why not."""
    path = Path(path)
    _check_regular(path)
    if not _supported(path):
        _fail(path, _unsupported_reason(path))
    if _is_records(path):
        _fail(path, "holds many records, one per line; ingest it (`ymateb ingest`) rather than read it as one letter")
    if max_mb is not None:
        check_file_size(path, max_mb)
    text = _read_text(path)
    if not text.strip():
        _fail(path, "contains no text (empty or whitespace only); check it is the right file")
    return _document(_doc_id(path), text, str(path))


def load_text(text: str, doc_id: str = "pasted", source: str = "") -> Document:
    """Pasted text as a Document (newlines normalised); DocumentError if it is blank."""
    text = _normalise(text)
    if not text.strip():
        raise DocumentError("The pasted text is empty; paste the letter or question itself.")
    return _document(doc_id, text, source)


# ---- files and folders ---------------------------------------------------------------------


def _supported(path: Path) -> bool:
    return path.name.lower().endswith(SUPPORTED)


def _is_records(path: Path) -> bool:
    return path.name.lower().endswith(RECORD_EXTS)


def _unsupported_reason(path: Path) -> str:
    kind = ("".join(path.suffixes[-2:]) if path.suffix.lower() == ".gz" else path.suffix) or "with no extension"
    return f"unsupported file type ({kind}); use .txt, .md, .pdf, .docx, .html or .jsonl(.gz)"


def size_problem(size: int, max_mb: float) -> str | None:
    """Why a file of `size` bytes is refused (over YMATEB_MAX_UPLOAD_MB), or None if it is not.
    The one size rule, for files on disk and uploads alike."""
    if size <= max_mb * MB:
        return None
    return f"file is {size / MB:.1f} MB, over the {max_mb:g} MB limit (YMATEB_MAX_UPLOAD_MB)"


def check_file_size(path: str | Path, max_mb: float) -> None:
    """DocumentError if the file is over the upload limit, checked before a byte is read."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as err:
        _fail(path, _os_reason(err))
    problem = size_problem(size, max_mb)
    if problem:
        _fail(path, problem)


def _fail(path: Path, reason: str) -> NoReturn:
    raise DocumentError(f"{path.name}: {reason}")


def _strip_name(message: str, path: Path) -> str:
    prefix = f"{path.name}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _doc_id(path: Path) -> str:
    """The file stem (NFC), other characters as "_": '000_13427d4b3c4b56d1.txt' -> '000_13427d4b3c4b56d1',
    'Ateb â chwestiwn.txt' -> 'Ateb_â_chwestiwn'; 'document' when nothing is left."""
    stem = unicodedata.normalize("NFC", path.stem)
    return UNSAFE_ID_RE.sub("_", stem).strip("_") or "document"


def _document(doc_id: str, text: str, source: str) -> Document:
    text, source = scrub(text), scrub(source)  # a PDF's text map or an undecodable name can hold lone surrogates
    return Document(doc_id, text, extract_metadata(text), source, boilerplate_spans(text))


def _normalise(text: str) -> str:
    return NEWLINE_RE.sub("\n", text)


def open_regular(path: Path) -> IO[bytes]:
    """`path` opened for reading, if it is a regular file (a link to one is followed); DocumentError
    otherwise. Opened non-blocking, so a FIFO that appears between the check and the open cannot hang us."""
    _check_regular(path)
    try:
        handle = open(path, "rb", opener=_open_nonblocking)
    except OSError as err:
        _fail(path, _os_reason(err))
    try:
        _check_regular(path, os.fstat(handle.fileno()).st_mode)
    except DocumentError:
        handle.close()
        raise
    return handle


def _open_nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _check_regular(path: Path, mode: int | None = None) -> None:
    """DocumentError unless `path` is a regular file: not missing, a folder, a FIFO, a device or a socket."""
    try:
        mode = path.stat().st_mode if mode is None else mode
    except OSError as err:
        _fail(path, _os_reason(err))
    if stat.S_ISDIR(mode):
        _fail(path, "is a folder, not a file; give one file here, or ingest the folder to read all it holds")
    if not stat.S_ISREG(mode):
        _fail(path, f"is {_special_kind(mode)}, not a regular file; give the path of a document")


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a special file"


def _os_reason(err: OSError) -> str:
    if isinstance(err, FileNotFoundError):
        return "not found (missing file or broken link); check the path"
    if isinstance(err, IsADirectoryError):
        return "is a folder where a file was expected"
    if isinstance(err, PermissionError):
        return "cannot be read (permission denied); check the file's permissions"
    return f"cannot be read ({err.strerror or type(err).__name__}); check the file and try again"


def _read_bytes(path: Path) -> bytes:
    with open_regular(path) as handle:
        try:
            return handle.read()
        except OSError as err:
            _fail(path, _os_reason(err))


def _read_text(path: Path) -> str:
    data = _read_bytes(path)
    if not data.strip():
        _fail(path, "is empty; check it is the right file")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return _pdf_text(path, data)
    if suffix == ".docx":
        return _docx_text(path, data)
    wide = _wide_encoding(data)
    if wide:
        _fail(path, f"is {wide} text; re-save it as UTF-8")
    if b"\x00" in data:
        _fail(path, "looks binary (contains NUL bytes), not text; export it as .txt, .pdf or .docx")
    if suffix in HTML_EXTS:
        if len(data) > HTML_MAX:
            _fail(path, f"is {len(data) / MB:.1f} MB of HTML, over the {HTML_MAX // MB} MB limit; save it as PDF")
        return html_text(data)
    return _decode(path, data)


def _wide_encoding(data: bytes) -> str | None:
    """'UTF-32' or 'UTF-16' when the data starts with that byte-order mark (UTF-32's first, since
    UTF-32-LE's BOM begins with UTF-16-LE's), else None."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    return None


# ---- formats -------------------------------------------------------------------------------


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (a leading BOM dropped), newlines normalised; otherwise say where it breaks."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = bom + err.start
        _fail(path, f"is not UTF-8 (byte 0x{data[offset]:02x} at offset {offset}); re-save it as UTF-8")
    return _normalise(text)


def _pdf_text(path: Path, data: bytes) -> str:
    from pypdf import PdfReader

    if not data.lstrip()[:5] == b"%PDF-":
        _fail(path, "is not a PDF (no %PDF header); check the file or re-export it as PDF")
    with warnings.catch_warnings(), _quiet_logger("pypdf"):
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(io.BytesIO(data))
            _unlock(path, reader)
            _check_count(path, len(reader.pages), PDF_PAGES_MAX, "pages")
            pages = [page.extract_text() or "" for page in reader.pages]
        except DocumentError:
            raise
        except Exception:  # pypdf raises many types for broken files
            _fail(path, "is a corrupt or unreadable PDF; re-export it and try again")
    text = _normalise("\n\n".join(p.strip("\n") for p in pages))
    if not text.strip():
        _fail(path, "has no extractable text (probably a scanned image); run OCR on it first")
    return text


@contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    """Keep a library's warnings about broken files ("EOF marker not found") off stderr."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _unlock(path: Path, reader: Any) -> None:
    """Open PDFs that only restrict printing/copying (empty user password); refuse the rest."""
    if not reader.is_encrypted:
        return
    try:
        opened = reader.decrypt("")
    except Exception:  # e.g. AES without the optional cryptography package
        opened = 0
    if not opened:
        _fail(path, "is an encrypted (password-protected) PDF; save an unprotected copy and try again")


def _docx_text(path: Path, data: bytes) -> str:
    import docx
    from docx.oxml.ns import qn

    if data.startswith(OLE_MAGIC):
        _fail(path, "is password-protected or an old .doc file; save it from Word as an unprotected .docx")
    if not data.startswith(ZIP_MAGIC):
        _fail(path, "is not a valid .docx (corrupt or not a Word file); re-save it from Word")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            document = docx.Document(_docx_package(path, data))
            _check_count(path, sum(1 for _ in document.element.body.iter(qn("w:p"))), DOCX_PARAGRAPHS_MAX, "paragraphs")
            blocks = [_docx_block(item) for item in document.iter_inner_content()]
    except DocumentError:
        raise
    except Exception:  # zipfile, lxml and python-docx errors for broken packages
        _fail(path, "is a corrupt .docx; re-save it from Word and try again")
    return _normalise("\n\n".join(b for b in blocks if b.strip()))


def _docx_package(path: Path, data: bytes) -> io.BytesIO:
    """The .docx's parts re-packed uncompressed, once its zip directory shows they fit the limits.
    Copied in pieces: zipfile stops each part at its declared size, but read whole, a part that lies
    about its size would first be inflated whole (up to 1,000 times its compressed size)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = package.infolist()
        _check_expansion(path, parts)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
            for info in parts:
                with package.open(info) as src, copy.open(info.filename, "w") as dst:
                    shutil.copyfileobj(src, dst, MB)
    out.seek(0)
    return out


def _check_expansion(path: Path, parts: list[zipfile.ZipInfo]) -> None:
    total = sum(p.file_size for p in parts)
    xml = sum(p.file_size for p in parts if p.filename.lower().endswith((".xml", ".rels")))
    if total > DOCX_EXPANDED_MAX:
        _fail(path, f"expands to {total / MB:.0f} MB, over the {DOCX_EXPANDED_MAX // MB} MB limit; save it as PDF")
    if xml > DOCX_XML_MAX:
        _fail(
            path, f"holds {xml / MB:.0f} MB of XML, over the {DOCX_XML_MAX // MB} MB limit; split it or save it as PDF"
        )


def _check_count(path: Path, count: int, limit: int, what: str) -> None:
    """DocumentError if a document has more pages (or paragraphs) than are read."""
    if count > limit:
        _fail(path, f"has {count} {what}, over the {limit} limit; split it into smaller documents")


def _docx_block(item: Any) -> str:
    """A paragraph's text, or a table as one line per row with cells joined by ' | '."""
    if hasattr(item, "rows"):
        return "\n".join(_docx_row(row) for row in item.rows)
    return str(item.text)


def _docx_row(row: Any) -> str:
    cells: list[str] = []
    for cell in row.cells:
        text = " ".join(cell.text.split())
        if not cells or text != cells[-1]:  # merged cells repeat their text
            cells.append(text)
    return " | ".join(cells)


# Markup or a character reference: text holding either is read as HTML by plain_text
HTML_MARKUP_RE = re.compile(r"</?[A-Za-z][^<>]{0,200}>|&(?:[A-Za-z]{2,8}|#\d{1,7}|#x[0-9A-Fa-f]{1,6});")


def plain_text(text: str) -> str:
    """A text field that may be HTML (an API's <p>, tables, lists, entities) as plain text with its
    paragraphs (html_text); plain text with its line ends normalised."""
    if HTML_MARKUP_RE.search(text):
        return html_text(text.encode("utf-8", "surrogatepass"))
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def html_text(data: bytes) -> str:
    """Visible text, one blank line between blocks (paragraphs, headings, list items, rows), cells
    joined by " | ". One pass over lxml's tree (bs4's, with separators inserted into it, was quadratic);
    the encoding is found as bs4 finds it (BOM, then <meta charset>, then a guess)."""
    import lxml.html
    from bs4 import UnicodeDammit
    from lxml.etree import ParserError

    markup = UnicodeDammit(data, is_html=True).unicode_markup or ""
    utf8 = lxml.html.HTMLParser(encoding="utf-8")
    try:
        root = lxml.html.document_fromstring(markup.encode("utf-8", "surrogatepass"), parser=utf8)
    except ParserError:  # nothing but comments or processing instructions: "Document is empty"
        return ""
    pieces: list[str] = []
    stack: list[Any] = [root]  # elements still to visit, and text (str) to write
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            pieces.append(node)
            continue
        if node.tail:
            stack.append(node.tail)
        if not isinstance(node.tag, str) or node.tag in HTML_HIDDEN:  # comments, processing instructions
            continue
        before, after = _html_separators(node.tag)
        stack.append(after)
        stack.extend(reversed(node))
        stack.append(node.text or "")
        stack.append(before)
    lines = (HTML_SPACE_RE.sub(" ", line).strip(" |") for line in "".join(pieces).split("\n"))
    return HTML_BLANKS_RE.sub("\n\n", "\n".join(lines)).strip()


def _html_separators(name: str) -> tuple[str, str]:
    """What goes before and after an element's text: blank lines round blocks, " | " after a cell."""
    if name in HTML_BLOCKS:
        return "\n\n", "\n\n"
    if name in ("td", "th"):
        return "", " | "
    return ("\n", "") if name == "br" else ("", "")
