"""Batch intake for the answering desk: one uploaded or named input -> Incoming items, plus what was
skipped and why.

Formats, by the name's extension:
  .csv .xlsx .jsonl .json   tables of written questions, one a row (a .json is a list of objects, or
                            the UK Parliament Written Questions API response {"results": [{"value": ...}]})
  .txt .md .pdf .docx .html one petition or letter, read by rag.ingest and parsed by parse_request
  .zip                      any of these, read in memory (never extracted to disk)
A folder (read_batch_path) is read recursively, sorted, each file as above.

Columns are matched by COLUMNS, ignoring case, spaces and punctuation. Only the question text is
required. A problem with one row (or one file of a zip or folder) is a Skipped with its row or line;
a whole file that cannot be used as the single input is an InputError that says why.

Zip limits: a member over max_mb, or an archive expanding past ZIP_TOTAL_FACTOR x max_mb, is skipped
(the size is checked as it is read, so a member that lies about its size is caught too)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from rag.drafting.intake import parse_request
from rag.errors import InputError
from rag.ingest.files import MB, _doc_id, _read_bytes, _wide_encoding, check_file_size, plain_text
from rag.ingest.sources import _escaping_link, _is_folder_doc
from rag.ingest.uploads import check_size, read_upload_text
from rag.text.dates import first_date, to_date
from rag.text.shorten import ID_SHOWN, shorten
from rag.types import Incoming, Skipped

TABLE_EXTS = (".csv", ".xlsx", ".jsonl", ".json")
LETTER_EXTS = (".txt", ".md", ".pdf", ".docx", ".html", ".htm")
ZIP_EXT = ".zip"
ZIP_TOTAL_FACTOR = 10  # an archive may expand to this many times the per-file limit in all
CSV_DELIMITERS = (",", ";", "\t")
HEADER_SEARCH = 10  # rows looked at for the header row (an export may open with a title line or two)
QUESTION_KIND = "written_question"

# Incoming field -> the column names that fill it, most specific first (the first with a value wins).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("UIN", "Question number", "Reference", "ref", "id"),
    "text": ("Question text", "questionText", "Question", "text"),
    "member": ("Asking member", "askingMember", "askingMemberName", "Member", "Tabled by"),
    "tabled": ("Date tabled", "dateTabled", "Tabled", "date"),
    "due": ("Named day", "Date for answer", "dateForAnswer", "Due"),
    "asked_of": ("Answering body", "answeringBodyName", "asked_of", "Department"),
    "title": ("Heading", "title"),
    "withdrawn": ("isWithdrawn", "Withdrawn"),
}
TRUE_WORDS = {"true", "yes", "y", "1"}
# Characters left out when matching a column name: "Date tabled", "date_tabled", "dateTabled" match
_NOT_KEY_RE = re.compile(r"[\W_]+")
_DRIVE_RE = re.compile(r"^[A-Za-z]:")


@dataclass
class Batch:
    """What one input held: the items to answer and what was skipped (each with its reason)."""

    items: list[Incoming] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    _made_ids: set[str] = field(default_factory=set, repr=False, compare=False)  # ids from file names

    @property
    def digest(self) -> str:
        """sha256 over the items' content, whatever file names they came under and in whatever order:
        sources are left out, and so are ids made from a file name."""
        keys = sorted(_content_hash(item, item.id in self._made_ids) for item in self.items)
        return hashlib.sha256("\n".join(keys).encode()).hexdigest()


def read_batch(name: str, data: bytes, max_mb: float) -> Batch:
    """An uploaded file (its name decides the format) as a Batch; InputError if it cannot be used."""
    check_size(name, len(data), max_mb)
    return _collect(_read_named(name, data, max_mb))


def read_batch_path(path: str | Path, max_mb: float) -> Batch:
    """A file, or a folder read recursively (sorted), as a Batch; InputError if a named file cannot be used."""
    path = Path(path)
    if path.is_dir():
        return _collect(_read_folder(path, max_mb))
    check_file_size(path, max_mb)
    return _collect(_read_named(str(path), _read_bytes(path), max_mb))


# ---- the batch -----------------------------------------------------------------------------


@dataclass
class _Found:
    item: Incoming
    where: str  # "row 9", "line 3", or "" for a whole file
    id_label: str  # how the id is named in a message: "UIN", "id"
    made_id: bool = False  # the id came from the file name (and row), not the input


def _collect(found: Iterable[_Found | Skipped]) -> Batch:
    """The Batch of what was read: a repeated id from the input skipped (the first kept); an id made
    from a file name that is taken already ('letter' from a/letter.txt and b/letter.txt) numbered on."""
    batch = Batch()
    first: dict[str, _Found] = {}
    for one in found:
        if isinstance(one, Skipped):
            batch.skipped.append(one)
            continue
        if one.made_id:
            one.item.id = _unused_id(one.item.id, first)
        if one.item.id in first:
            batch.skipped.append(Skipped(_file_of(one), _duplicate_reason(one, first[one.item.id])))
        else:
            first[one.item.id] = one
            batch.items.append(one.item)
            if one.made_id:
                batch._made_ids.add(one.item.id)
    return batch


def _unused_id(made: str, taken: dict[str, _Found]) -> str:
    """`made`, or `made`-2, -3 ... whichever is not taken yet."""
    number, candidate = 1, made
    while candidate in taken:
        number += 1
        candidate = f"{made}-{number}"
    return candidate


def _duplicate_reason(one: _Found, kept: _Found) -> str:
    where = f"{one.where}: " if one.where else ""
    elsewhere = "" if _file_of(kept) == _file_of(one) else f" (from {kept.item.source})"
    return f"{where}{one.id_label} {shorten(one.item.id, ID_SHOWN)} appears twice; the first{elsewhere} is kept"


def _file_of(found: _Found) -> str:
    source = found.item.source
    return source[: -len(found.where) - 1] if found.where else source


def _content_hash(item: Incoming, made_id: bool) -> str:
    content = item.to_dict()
    content.pop("source")
    if made_id:
        content.pop("id")
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


# ---- files, folders and zips ---------------------------------------------------------------


def _read_named(name: str, data: bytes, max_mb: float) -> Iterator[_Found | Skipped]:
    """One file's items by its extension; InputError if the file as a whole cannot be used."""
    lower = name.lower()
    if lower.endswith(ZIP_EXT):
        yield from _read_zip(name, data, max_mb)
    elif lower.endswith(TABLE_EXTS):
        yield from _table_items(_read_table(name, data, max_mb))
    elif lower.endswith(LETTER_EXTS):
        yield _letter(name, data, max_mb)
    else:
        raise InputError(f"{name}: {_unsupported(name)}")


def _unsupported(name: str) -> str:
    kind = PurePosixPath(name).suffix or "with no extension"
    return (
        f"unsupported file type ({kind}); use .csv, .xlsx, .json, .jsonl or .zip for questions, "
        "or .txt, .md, .pdf, .docx or .html for a petition or letter"
    )


def _guarded(name: str, read: Iterator[_Found | Skipped]) -> Iterator[_Found | Skipped]:
    """A file of a zip or folder: what it holds, or a Skipped saying why not, and the batch goes on."""
    try:
        yield from read
    except InputError as err:
        yield Skipped(name, _without_name(str(err), name))


def _without_name(message: str, name: str) -> str:
    for prefix in (f"{name}: ", f"{PurePosixPath(name).name}: "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def _read_folder(folder: Path, max_mb: float) -> Iterator[_Found | Skipped]:
    for path in _folder_files(folder):
        if isinstance(path, Skipped):
            yield path
            continue
        try:
            check_file_size(path, max_mb)
            data = _read_bytes(path)
        except InputError as err:
            yield Skipped(str(path), _without_name(str(err), path.name))
            continue
        yield from _guarded(str(path), _read_named(str(path), data, max_mb))


def _folder_files(folder: Path) -> Iterator[Path | Skipped]:
    """Every file under a folder, sorted; hidden files and folders left out, links out of it refused."""
    inside = folder.resolve()
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(f for f in files if not f.startswith(".")):
            path = Path(root) / name
            yield _escaping_link(path, inside) or _folder_doc(path) or path


def _folder_doc(path: Path) -> Skipped | None:
    if not _is_folder_doc(path):
        return None
    return Skipped(str(path), "is the folder's README or licence, not read as a letter; rename it to include it")


def _read_zip(name: str, data: bytes, max_mb: float) -> Iterator[_Found | Skipped]:
    """Each member of a zip, read in memory within the size limits; unsafe or nested members skipped."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as err:
        raise InputError(f"{name}: is not a readable zip archive ({err}); re-create the zip and try again") from err
    budget = int(ZIP_TOTAL_FACTOR * max_mb * MB)
    with archive:
        members = [i for i in sorted(archive.infolist(), key=lambda i: i.filename) if not _quiet_member(i)]
        for index, info in enumerate(members):
            member = f"{name}/{info.filename}"
            problem = _member_problem(info, max_mb)
            if not problem and info.file_size > budget:
                yield Skipped(member, f"{_archive_too_large(max_mb)}; {len(members) - index} file(s) from here on")
                return
            content = problem or _member_bytes(archive, info, min(int(max_mb * MB), budget))
            if isinstance(content, str):
                yield Skipped(member, content)
                continue
            budget -= len(content)
            yield from _guarded(member, _read_named(member, content, max_mb))


def _quiet_member(info: zipfile.ZipInfo) -> bool:
    """A folder entry, a hidden file or macOS's __MACOSX/ copy: left out without a word."""
    parts = info.filename.replace("\\", "/").split("/")
    hidden = any(p.startswith(".") and p not in (".", "..") for p in parts)
    return info.is_dir() or hidden or parts[0] == "__MACOSX"


def _member_problem(info: zipfile.ZipInfo, max_mb: float) -> str | None:
    """Why a zip member is not read, from its name and declared size, or None."""
    filename = info.filename.replace("\\", "/")
    if filename.startswith("/") or _DRIVE_RE.match(filename):
        return "has an absolute path in the zip; not read (zip the files with relative paths)"
    if ".." in filename.split("/"):
        return "has '..' in its path in the zip; not read (zip the files with relative paths)"
    if filename.lower().endswith(ZIP_EXT):
        return "is a zip inside the zip; not read (unzip it and add its files instead)"
    if info.file_size > max_mb * MB:
        return _too_large(info.file_size, max_mb)
    return None


def _member_bytes(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | str:
    """A member's bytes, or why not: no more than `limit` + 1 bytes are read (a member may lie about its size)."""
    try:
        with archive.open(info) as handle:
            content = handle.read(limit + 1)
    except RuntimeError:  # encrypted
        return "is encrypted (password-protected) in the zip; zip it without a password"
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError) as err:
        return f"cannot be read from the zip ({err}); re-create the zip and try again"
    if len(content) > limit:
        return f"expands past {limit / MB:g} MB (its declared size is {info.file_size:,} bytes); not read"
    return content


def _too_large(size: int, max_mb: float) -> str:
    return f"expands to {size / MB:.1f} MB, over the {max_mb:g} MB limit for one file (YMATEB_MAX_UPLOAD_MB)"


def _archive_too_large(max_mb: float) -> str:
    total = ZIP_TOTAL_FACTOR * max_mb
    return f"not read: the zip expands past {total:g} MB in all ({ZIP_TOTAL_FACTOR} x the upload limit); split it"


# ---- petitions and letters -----------------------------------------------------------------


def _letter(name: str, data: bytes, max_mb: float) -> _Found:
    """One petition or letter (or a written question saved as a file) as an Incoming."""
    text = read_upload_text(PurePosixPath(name).name, data, max_mb)
    request = parse_request(text)
    number = request.petition_number or request.wq_number
    item = Incoming(
        id=number or _doc_id(Path(PurePosixPath(name).name)),
        kind=request.kind,
        text=text.strip(),
        member=request.member or request.sender,
        tabled=request.letter_date,
        title=request.petition_title,
        source=name,
    )
    return _Found(item, "", "reference" if number else "file", made_id=not number)


# ---- tables --------------------------------------------------------------------------------


@dataclass
class _Table:
    name: str
    headers: list[str]
    rows: list[tuple[str, dict[str, Any]]]  # ("row 7", {header: value})
    problems: list[Skipped] = field(default_factory=list)  # lines that could not be read


def _read_table(name: str, data: bytes, max_mb: float) -> _Table:
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return _grid_table(name, _xlsx_grid(name, data, max_mb))
    if lower.endswith(".csv"):
        return _grid_table(name, _csv_grid(name, _decode(name, data)))
    if lower.endswith(".jsonl"):
        return _jsonl_table(name, _decode(name, data))
    return _json_table(name, _decode(name, data))


def _key(header: Any) -> str:
    """A column name as matched: 'Date tabled', 'date_tabled' and 'dateTabled' -> 'datetabled'."""
    return _NOT_KEY_RE.sub("", str(header or "")).lower()


def _columns(headers: Sequence[Any]) -> dict[str, list[str]]:
    """Incoming field -> the file's headers that fill it, in COLUMNS order."""
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(_key(header), str(header))
    out: dict[str, list[str]] = {}
    for name, aliases in COLUMNS.items():
        keys = dict.fromkeys(_key(a) for a in aliases)
        out[name] = [by_key[k] for k in keys if k in by_key]
    return out


def _check_text_column(table: _Table, columns: dict[str, list[str]]) -> None:
    if columns["text"] or not table.headers:
        return
    found = ", ".join(repr(h) for h in table.headers if str(h).strip()) or "none"
    accepted = ", ".join(repr(a) for a in COLUMNS["text"])
    raise InputError(
        f"{table.name}: no question-text column. Columns found: {found}. "
        f"Name the column holding each question's text one of: {accepted} (case, spaces and '_' do not matter)."
    )


def _table_items(table: _Table) -> Iterator[_Found | Skipped]:
    columns = _columns(table.headers)
    _check_text_column(table, columns)
    yield from table.problems
    if not table.rows and not table.problems:
        yield Skipped(table.name, "holds no questions (no rows under the header)")
    for where, row in table.rows:
        yield _row_item(table.name, where, row, columns)


def _row_item(name: str, where: str, row: dict[str, Any], columns: dict[str, list[str]]) -> _Found | Skipped:
    """One table row as a written question, or a Skipped naming the row."""
    values = {f: _first_value(row, headers) for f, headers in columns.items()}
    text = plain_text(_cell_text(values["text"]))
    if not text:
        return Skipped(name, f"{where}: no question text")
    given = _one_line(_cell_text(values["id"]))
    id_label = _id_label(columns["id"], row)
    if _is_true(values["withdrawn"]):
        return Skipped(name, f"{where}: {id_label} {given or '(none)'} was withdrawn; not read")
    item = Incoming(
        id=given or f"{_doc_id(Path(PurePosixPath(name).name))}-{where.replace(' ', '')}",
        kind=QUESTION_KIND,
        text=text,
        member=_one_line(_cell_text(values["member"])) or None,
        tabled=_date(values["tabled"]),
        due=_date(values["due"]),
        asked_of=_one_line(_cell_text(values["asked_of"])) or None,
        title=_one_line(_cell_text(values["title"])) or None,
        source=f"{name} {where}",
    )
    return _Found(item, where, id_label if given else "id", made_id=not given)


def _first_value(row: dict[str, Any], headers: list[str]) -> Any:
    for header in headers:
        if _cell_text(row.get(header)):
            return row[header]
    return None


def _id_label(id_headers: list[str], row: dict[str, Any]) -> str:
    """How a row's id is named in a message: the COLUMNS spelling of its column ('UIN' for 'uin')."""
    header = next((h for h in id_headers if _cell_text(row.get(h))), "id")
    return next((a for a in COLUMNS["id"] if _key(a) == _key(header)), header)


def _cell_text(value: Any) -> str:
    """A cell as text: 12345.0 -> '12345', a date -> ISO, an API member object -> its name."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return _cell_text(value.get("name"))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10]
    return str(value).strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _date(value: Any) -> str | None:
    """A date cell as ISO: an Excel date, '2025-01-14', '2025-01-14T00:00:00', '14/01/2025',
    '14 January 2025'; None when empty or not a date."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10]
    text = _cell_text(value)
    found = to_date(text)
    return found.isoformat() if found else first_date(text)


def _is_true(value: Any) -> bool:
    return value is True or _cell_text(value).lower() in TRUE_WORDS


# ---- table formats -------------------------------------------------------------------------


def _decode(name: str, data: bytes) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with a BOM, else Windows-1252 (Excel's 'CSV' on Windows)."""
    if _wide_encoding(data) == "UTF-16":
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(
                f"{name}: is neither UTF-8 nor Windows-1252 text (byte 0x{data[err.start]:02x} at offset "
                f"{err.start}); re-save it as UTF-8 (in Excel: 'CSV UTF-8')"
            ) from None


def _csv_grid(name: str, text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    try:
        return [row for row in reader]
    except csv.Error as err:
        raise InputError(f"{name}: is not a readable CSV file (line {reader.line_num}: {err}); re-export it") from err


def _delimiter(text: str) -> str:
    """The first of CSV_DELIMITERS that splits out a question-text column near the top (',' if none does):
    Excel writes ';' where the decimal point is a comma, and 'Unicode text' with tabs."""
    sample = text.splitlines()[:HEADER_SEARCH]
    for delimiter in CSV_DELIMITERS:
        if _header_index([next(csv.reader([line], delimiter=delimiter), []) for line in sample]) is not None:
            return delimiter
    return CSV_DELIMITERS[0]


def _xlsx_grid(name: str, data: bytes, max_mb: float) -> list[list[Any]]:
    """The first worksheet with a question-text column (else the first) as rows of cell values."""
    import openpyxl

    _check_xlsx_expansion(name, data, max_mb)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return _question_sheet(book.worksheets)
            finally:
                book.close()
    except Exception as err:  # openpyxl, zipfile and lxml raise many types for a broken workbook
        raise InputError(
            f"{name}: is not a readable .xlsx workbook (corrupt, or an old .xls renamed); "
            "re-save it from Excel as .xlsx"
        ) from err


def _question_sheet(worksheets: list[Any]) -> list[list[Any]]:
    """The rows of the first worksheet with a question-text column, else of the first (read one at a time)."""
    first: list[list[Any]] | None = None
    for sheet in worksheets:
        grid = [list(row) for row in sheet.iter_rows(values_only=True)]
        if _header_index(grid) is not None:
            return grid
        first = grid if first is None else first
    return first or []


def _check_xlsx_expansion(name: str, data: bytes, max_mb: float) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            size = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # openpyxl says it is not a workbook
    if size > ZIP_TOTAL_FACTOR * max_mb * MB:
        raise InputError(f"{name}: {_archive_too_large(max_mb)}")


def _header_index(grid: list[list[Any]]) -> int | None:
    """The row (0-based) among the first HEADER_SEARCH holding a question-text column, or None."""
    for i, row in enumerate(grid[:HEADER_SEARCH]):
        if _columns(row)["text"]:
            return i
    return None


def _grid_table(name: str, grid: list[list[Any]]) -> _Table:
    """Rows of cells (CSV or a worksheet) as a table: the header row found, blank rows left out,
    each row named by its number as a spreadsheet shows it."""
    start = _header_index(grid)
    start = start if start is not None else next((i for i, r in enumerate(grid) if any(map(_cell_text, r))), 0)
    headers = [_cell_text(h) for h in grid[start]] if grid else []
    rows = [
        (f"row {number}", dict(zip(headers, cells)))
        for number, cells in enumerate(grid[start + 1 :], start + 2)
        if any(_cell_text(c) for c in cells)
    ]
    return _Table(name, headers, rows)


def _jsonl_table(name: str, text: str) -> _Table:
    rows: list[tuple[str, dict[str, Any]]] = []
    problems: list[Skipped] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as err:
            problems.append(Skipped(name, f"line {number}: not valid JSON ({_json_reason(err)}); fix or remove it"))
            continue
        if not isinstance(value, dict):
            problems.append(Skipped(name, f"line {number}: not a JSON object ({{...}}); fix or remove it"))
            continue
        rows.append((f"line {number}", _unwrap(value)))
    return _Table(name, _keys_of(r for _, r in rows), rows, problems)


def _json_table(name: str, text: str) -> _Table:
    """A JSON list of question objects, or the Written Questions API response shape."""
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        raise InputError(f"{name}: is not valid JSON ({_json_reason(err)}); re-export it") from err
    listed, total = _json_rows(name, value)
    rows = [(f"item {number}", _unwrap(v)) for number, v in enumerate(listed, 1) if isinstance(v, dict)]
    problems = [
        Skipped(name, f"item {number}: not a JSON object ({{...}})")
        for number, v in enumerate(listed, 1)
        if not isinstance(v, dict)
    ]
    if isinstance(total, int) and total > len(listed):
        problems.append(Skipped(name, _partial_export(len(listed), total)))
    return _Table(name, _keys_of(r for _, r in rows), rows, problems)


def _json_rows(name: str, value: Any) -> tuple[list[Any], Any]:
    """The list of questions in a JSON file, and the API's totalResults (None for a plain list)."""
    if isinstance(value, list):
        return value, None
    if isinstance(value, dict) and isinstance(value.get("results"), list):
        return value["results"], value.get("totalResults")
    raise InputError(
        f"{name}: holds neither a list of questions nor a Written Questions API response "
        '({"results": [{"value": {...}}], "totalResults": N}); export the questions as one of those'
    )


def _partial_export(held: int, total: int) -> str:
    return (
        f"holds {held} of the {total} questions the search found (totalResults); fetch the rest "
        "(the API's skip and take parameters) and add them"
    )


def _unwrap(row: dict[str, Any]) -> dict[str, Any]:
    """An API result {"value": {...}, "links": [...]} as its value; any other object as it is."""
    value = row.get("value")
    return value if isinstance(value, dict) else row


def _keys_of(rows: Iterable[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(k for row in rows for k in row))


def _json_reason(err: Exception) -> str:
    if isinstance(err, json.JSONDecodeError):
        return f"{err.msg} at line {err.lineno}, column {err.colno}"
    return "nested too deeply"
