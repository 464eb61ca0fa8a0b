"""Metadata from the text of one piece of correspondence: kind, refs, date, people, subject.

Choices: a WQ names only the answering role, so its `author` is None and `author_role` is the
role. A stakeholder letter whose signatory's name is unreadable takes the organisation from the
signature ("President, ADSS Cymru") as `author`. A minister's letter that answers no petition
fits none of the KINDS and stays "unknown"."""

from __future__ import annotations

import re

from rag.ingest.layout import (
    ANSWERED_BY_RE,
    ANSWERED_ON_RE,
    ASKED_ABOUT_RE,
    PETITION_TITLE_RE,
    RE_LINE_RE,
    SALUTATION_RE,
    STREET_RE,
    SUBJECT_LABEL_RE,
    TABLED_RE,
    TO_ASK_RE,
    _is_contact_line,
    _Layout,
    _layout,
    _Line,
)
from rag.text.dates import DATE_LABEL_RE, first_date, is_date_line
from rag.text.refs import PETITION_RE, REF_LINE_RE, extract_refs
from rag.text.shorten import shorten
from rag.types import DocMeta

SUBJECT_MAX = 200

# ---- people and roles ----------------------------------------------------------------------

_POSTNOMINAL = r"AS/MS|MS/AS|AM/AC|AC/AM|MS|AS|AM|AC|MP|MSP|MLA"
_NAME = r"[A-Z][A-Za-z'’-]{0,30}\.?(?: [A-Z][A-Za-z'’-]{0,30}\.?){1,3}"  # "Jane Dodds", "Mr A. Jones"
# A line that is just a name, maybe bold and with post-nominals: "**Julie Morgan AS/MS**"
NAME_LINE_RE = re.compile(rf"^[*_\s]{{0,4}}({_NAME})(?:\s{{1,3}}(?:{_POSTNOMINAL}))?[*_\s]{{0,4}}$")
# A line that starts with a member's name: "Julie Morgan AS/MS Y Dirprwy ...", "Jack Sargeant MS"
MEMBER_LINE_RE = re.compile(rf"^[*_\s]{{0,4}}({_NAME})\s{{1,3}}(?:{_POSTNOMINAL})\b")
# Words that make a capitalised run an institution or a place rather than a person
_NOT_NAME = {
    "senedd", "cymru", "welsh", "wales", "parliament", "government", "llywodraeth", "assembly",
    "national", "committee", "council", "cardiff", "caerdydd", "bay", "bae", "minister",
    "deputy", "chair", "dear", "annwyl", "yours", "the", "of", "and", "y", "yr", "president",
    "office", "house", "street", "road", "answered", "tabled", "date", "subject", "cymdeithasol",
    "as", "ms", "am", "mp", "ac", "msp", "mla",
}  # fmt: skip
# "Deputy Minister for Social Services", "First Minister of Wales", "Cabinet Secretary for Health"
MINISTER_ROLE_RE = re.compile(
    r"\b(?:(?:Deputy|Cabinet|Junior|First|Prime|Parliamentary Under)\s{1,3})?(?:Minister|Secretary)\b"
    r"(?:\s{1,3}(?:for|of)\s{1,3}[^\n]{1,120})?"
)
# "Member of the Senedd for Mid and West Wales", "Member of Parliament for Ceredigion"
MEMBER_ROLE_RE = re.compile(
    r"\bMember of (?:the )?(?:Senedd|Parliament|Welsh Parliament|National Assembly for Wales)"
    r"(?:\s{1,3}for\s{1,3}[^\n]{1,80})?"
)
# An organisation's officer: "President, ADSS Cymru", "Chief Executive of Children in Wales"
ORG_ROLE_RE = re.compile(
    r"\b(?:(?:Vice|Deputy)[- ])?(?:President|Chief Executive|Chairman|Chairperson|Chair|Director|"
    r"Chief Officer|Head)(?:,\s{0,3}|\s{1,3}of\s{1,3})([A-Z][^\n]{1,80})"
)
# Where a role or an addressee runs into the Welsh text, an address or contact details
ROLE_END_RE = re.compile(
    r"\s(?:\*\*|\||•|Aelod\b|Senedd Cymru|Welsh Parliament|Bae\b|Y Dirprwy|Y Gweinidog|"
    r"E-?mail\b|E-?bost\b|Tel\b|Ffôn\b)|\S+@|\s\d{4}"
)
# Words in a greeting that are not a name
_TITLES = {"mr", "mrs", "ms", "miss", "dr", "sir", "madam", "minister", "prif", "weinidog", "chair",
           "cadeirydd", "colleague", "colleagues", "all", "professor", "prof", "lord", "lady"}  # fmt: skip


def _labelled_date(lines: list[_Line]) -> str | None:
    for ln in lines:
        m = DATE_LABEL_RE.search(ln.text) if ln.short else None
        if m:
            found = first_date(ln.text[m.end() :])
            if found:
                return found
    return None


def _after_label(lines: list[_Line], label: re.Pattern[str]) -> str | None:
    for ln in lines[:60]:
        m = label.search(ln.text) if ln.short else None
        if m:
            return first_date(ln.text[m.end() :])
    return None


def _letter_date(layout: _Layout) -> str | None:
    """The letter's own date: labelled, else alone on a line, else the first in the header."""
    header = layout.header
    found = _labelled_date(header)
    if found:
        return found
    for ln in header + layout.lines[len(header) :]:
        if is_date_line(ln.text):
            return first_date(ln.text)
    return next((d for ln in header if ln.short and (d := first_date(ln.text))), None)


# ---- people --------------------------------------------------------------------------------


def _clean_role(role: str) -> str:
    cut = ROLE_END_RE.search(role)
    role = role[: cut.start()] if cut else role
    return role.strip(" \t*_.,;:-")


def _is_name(name: str) -> bool:
    return not any(w.lower() in _NOT_NAME for w in name.split())


def _name_in(line: str) -> str | None:
    """A person's name (post-nominals stripped) if the line is a name or starts with one."""
    for pattern in (NAME_LINE_RE, MEMBER_LINE_RE):
        m = pattern.match(line)
        if m and _is_name(m[1]):
            return m[1]
    return None


def _role_in(line: str) -> str | None:
    for pattern in (MINISTER_ROLE_RE, MEMBER_ROLE_RE, ORG_ROLE_RE):
        m = pattern.search(line)
        if m:
            role = _clean_role(m[0])
            if role and role not in ("Minister", "Secretary"):  # a bare word is not a role
                return role
    return None


def _letterhead(layout: _Layout) -> list[_Line]:
    """Header lines before the addressee block (or before the first ref/date line)."""
    header = layout.header
    stop = _addressee_index(layout)
    if stop is None:
        stop = next((i for i, ln in enumerate(header) if REF_LINE_RE.match(ln.text) or is_date_line(ln.text)), 12)
    return [ln for ln in header[: min(stop, 12)] if ln.short]


def _asked_of(layout: _Layout) -> str | None:
    """Whom a UK-style WQ asks: "To ask the Secretary of State for Education, ..." -> that role."""
    m = TO_ASK_RE.match(layout.lines[0].text) if layout.to_ask else None
    return m[1].strip() if m else None


def _wq_role(layout: _Layout) -> str | None:
    if layout.answered is not None:
        return _answered_by(layout.lines[layout.answered].text)
    return _asked_of(layout)


def _author(layout: _Layout) -> tuple[str | None, str | None]:
    """(name, English role) from the signature block, else the letterhead; a WQ's answerer."""
    if layout.is_wq:
        return None, _wq_role(layout)
    blocks = [layout.tail, _letterhead(layout)]
    name = next((n for blk in blocks for ln in blk if (n := _name_in(ln.text))), None)
    role = next((r for blk in blocks for ln in blk if (r := _role_in(ln.text))), None)
    if name is None and role:
        org = ORG_ROLE_RE.search(role)
        name = org[1].strip() if org else None
    return name, role


def _answered_by(line: str) -> str | None:
    m = ANSWERED_BY_RE.search(line)
    if not m:
        return None
    role = ANSWERED_ON_RE.split(m[1])[0]
    return role.strip(" \t*_.,;:-") or None


# ---- addressee -----------------------------------------------------------------------------


def _greeting_names(layout: _Layout) -> list[str]:
    if layout.salutation is None:
        return []
    m = SALUTATION_RE.match(layout.lines[layout.salutation].text)
    words = m[1].split() if m else []
    return [w.strip(".") for w in words if w[:1].isupper() and w.lower().strip(".") not in _TITLES]


def _addressee_index(layout: _Layout) -> int | None:
    """The header line naming the addressee: the greeted name, else a member not the author."""
    header = layout.header
    greeted = _greeting_names(layout)
    candidates = [(i, _name_in(ln.text)) for i, ln in enumerate(header) if ln.short]
    named = [(i, n) for i, n in candidates if n]
    for i, n in named:
        if any(g in n.split() for g in greeted):
            return i
    members = [i for i, ln in enumerate(header) if ln.short and MEMBER_LINE_RE.match(ln.text)]
    signed = next((found for ln in layout.tail if (found := _name_in(ln.text))), None)
    return next((i for i in members if i > 0 and _name_in(header[i].text) != signed), None)


def _is_contactish(text: str) -> bool:
    return any((_is_contact_line(text), REF_LINE_RE.match(text), STREET_RE.match(text), is_date_line(text)))


def _addressee(layout: _Layout) -> str | None:
    idx = _addressee_index(layout)
    if idx is None:
        return None
    header = layout.header
    parts = [_clean_role(header[idx].text)]
    rest = [ln.text for ln in header[idx + 1 :] if ln.text]
    if "," not in parts[0] and rest and not _is_contactish(rest[0]):
        parts.append(_clean_role(rest.pop(0)))
    text = ", ".join(p for p in parts if p)
    if rest and re.match(r"(?:Committee|Pwyllgor)\b", rest[0]):
        text += " " + rest[0].split()[0]
    return text or None


# ---- subject -------------------------------------------------------------------------------


def _opening(layout: _Layout, chars: int = 2000) -> str:
    start = layout.body_start if layout.body_start is not None else len(layout.header)
    return "\n".join(ln.text for ln in layout.lines[start : start + 15])[:chars]


def _subject_line(layout: _Layout) -> str | None:
    for ln in layout.header:
        m = SUBJECT_LABEL_RE.search(ln.text) if ln.short else None
        if m:
            return m[1].strip(" .")
    start = layout.body_start or 0
    for ln in layout.lines[start : start + 3] if layout.salutation is not None else layout.header:
        m = RE_LINE_RE.match(ln.text) if ln.short else None
        if m:
            return m[1].strip(" .")
    return None


def _wq_question(layout: _Layout) -> str | None:
    first = (layout.wq_header + 1) if layout.wq_header is not None else 0
    last = layout.answered if layout.answered is not None else (layout.answer_from or 1)
    text = " ".join(ln.text for ln in layout.lines[first:last] if ln.text)
    return shorten(text, SUBJECT_MAX) if text else None


def _asked_about(opening: str) -> str | None:
    m = ASKED_ABOUT_RE.search(opening)
    if not m:
        return None
    topic = re.sub(r"^(?:the|a|an)\s", "", m[1].strip(), flags=re.I)
    return shorten(topic[:1].upper() + topic[1:], SUBJECT_MAX) if topic else None


def _subject_and_title(layout: _Layout) -> tuple[str | None, str | None]:
    if layout.is_wq:
        return _wq_question(layout), None
    line = _subject_line(layout)
    if line:
        return shorten(line, SUBJECT_MAX), None
    opening = _opening(layout)
    m = PETITION_TITLE_RE.search(opening)
    if m:
        title = shorten(m[1].strip(), SUBJECT_MAX)
        return title, title
    return _asked_about(opening), None


# ---- kind ----------------------------------------------------------------------------------


def _kind(layout: _Layout, role: str | None, addressee: str | None) -> str:
    if layout.is_wq:
        return "written_question"
    header_text = "\n".join(ln.text for ln in layout.header if ln.short)
    petition_in_header = PETITION_RE.search(header_text) is not None
    to_petitions = addressee is not None and "petition" in addressee.lower()
    if petition_in_header or to_petitions:
        return "petition_response"
    is_letter = layout.salutation is not None or layout.closing is not None
    if not is_letter:
        return "unknown"
    return _letter_kind(role, _opening(layout))


def _letter_kind(role: str | None, opening: str) -> str:
    if role and MINISTER_ROLE_RE.match(role):
        return "petition_response" if "petition" in opening.lower() else "unknown"
    if role and ORG_ROLE_RE.match(role):
        return "stakeholder_letter"
    return "incoming_letter"


# ---- public --------------------------------------------------------------------------------


def _answer_start(layout: _Layout) -> int:
    """Offset of the first character after the salutation (letters) or answer line (WQs)."""
    start = layout.body_start
    if start is None:
        return 0
    return layout.lines[start].start if start < len(layout.lines) else 0


def extract_metadata(text: str) -> DocMeta:
    """Kind, references, dates, people, subject and where the reply proper starts."""
    layout = _layout(text)
    refs = extract_refs(text)
    author, role = _author(layout)
    addressee = None if layout.is_wq else _addressee(layout)
    subject, title = _subject_and_title(layout)
    tabled = _after_label(layout.lines, TABLED_RE) if layout.is_wq else None
    answered = _after_label(layout.lines, ANSWERED_ON_RE) if layout.is_wq else None
    return DocMeta(
        kind=_kind(layout, role, addressee),
        ref=refs[0] if refs else None,
        refs=refs,
        date=(answered or tabled) if layout.is_wq else _letter_date(layout),
        tabled=tabled,
        answered=answered,
        author=author,
        author_role=role,
        addressee=addressee,
        asked_of=_asked_of(layout),
        subject=subject,
        title=title,
        answer_start=_answer_start(layout),
    )
