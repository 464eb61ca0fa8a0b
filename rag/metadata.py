"""Metadata and boilerplate from the text of one piece of correspondence.

`extract_metadata(text)` reads the layout of a letter or a written question:

    letterhead      "Julie Morgan AS/MS Y Dirprwy Weinidog ... Deputy Minister for Social Services"
    refs            "Your ref: Petition P-06-1199 Our ref: JMSS/10375/21"
    addressee       "Jack Sargeant MS" / "Chair - Petitions committee" / postal address
    date            "23 September 2021" on a line of its own, or "Dyddiad | Date: 4th July 2022"
    salutation      "Dear Jack," / "Annwyl Prif Weinidog,"          -> the body starts after it
    body            ... footers and contact lines may sit in the middle (page breaks) ...
    closing         "Yours sincerely," / "Yn gywir,"                 -> the signature block follows
    signature       name (maybe an OCR-garbled image), role in Welsh and English

A written question instead has "WQ85953 (e) Tabled on 24/08/2022", the question, then
"Answered by <role> | Answered on 30/08/2022" and the answer.

`boilerplate_spans(text)` marks, line by line, what an index should not embed.

Choices: a WQ names only the answering role, so its `author` is None and `author_role` is the
role. A stakeholder letter whose signatory's name is unreadable takes the organisation from the
signature ("President, ADSS Cymru") as `author`. A minister's letter that answers no petition
fits none of the KINDS and stays "unknown".

Every regex runs on one short line, or is a linear scan without nested repetition, so huge,
random or control-character text cannot make it backtrack badly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as _date
from functools import lru_cache
from typing import NamedTuple

from rag.documents import DocMeta

SHORT = 300  # longest line still read as a header/footer line rather than body prose
HEADER_LINES = 100  # a salutation further down than this is not the letter's own
MAX_REFS = 20
SUBJECT_MAX = 200

# ---- dates ---------------------------------------------------------------------------------

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    # Welsh month names, as on bilingual letters
    "ionawr": 1, "chwefror": 2, "mawrth": 3, "ebrill": 4, "mai": 5, "mehefin": 6,
    "gorffennaf": 7, "awst": 8, "medi": 9, "hydref": 10, "tachwedd": 11, "rhagfyr": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))

# "23 September 2021", "4th July 2022", "10<sup>th</sup> September 2022", "23 Medi 2021"
DMY_RE = re.compile(
    rf"\b(\d{{1,2}})(?:<sup>)?(?:st|nd|rd|th)?(?:</sup>)?\s{{0,3}}(?:of\s)?({_MONTH})\.?,?\s{{1,3}}(\d{{4}})\b",
    re.I,
)
# "September 23, 2021"
MDY_RE = re.compile(rf"\b({_MONTH})\.?\s{{1,3}}(\d{{1,2}})(?:st|nd|rd|th)?,?\s{{1,3}}(\d{{4}})\b", re.I)
# "30/08/2022" or "30.08.2022": UK order, day first
NUMERIC_DATE_RE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
# "2022-08-30"
ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# "Dyddiad | Date: 4th July 2022": a labelled date
DATE_LABEL_RE = re.compile(r"\b(?:Date|Dyddiad)\s{0,3}:", re.I)
# A line that holds a date and nothing else but punctuation
DATE_ONLY_RE = re.compile(
    rf"^\W{{0,3}}(?:{DMY_RE.pattern}|{MDY_RE.pattern}|{NUMERIC_DATE_RE.pattern}|{ISO_DATE_RE.pattern})\W{{0,3}}$",
    re.I,
)
DATE_ONLY_MAX = 45

# ---- references ----------------------------------------------------------------------------

# "P-06-1199" (Senedd petition numbers: P-<senedd term>-<number>)
PETITION_RE = re.compile(r"\bP-(\d{1,2})-(\d{3,5})\b")
# "WQ85953" or "WQ 85953"
WQ_RE = re.compile(r"\bWQ ?(\d{3,6})\b")
# "Our ref: JMSS/10375/21", "Ein cyf/Our ref: JMSS/00781/22"
OUR_REF_RE = re.compile(r"\bOur ref\b\s{0,3}[:.]?\s{0,3}([A-Za-z0-9][A-Za-z0-9/._-]{1,40})", re.I)
# Committee paper refs: "CYPE(5)-24-19"
COMMITTEE_REF_RE = re.compile(r"\b([A-Z]{2,6}\(\d{1,2}\)-\d{1,3}-\d{2})\b")
# A line carrying references: "Your ref: ...", "prEich cyf/Your ref:", "Ein cyf/Our ref:"
REF_LINE_RE = re.compile(r"^\W{0,4}(?:pr)?(?:Your ref|Our ref|Eich cyf|Ein cyf)\b", re.I)

# ---- letter layout -------------------------------------------------------------------------

# "Dear Jack," / "Annwyl Prif Weinidog," -> the greeting's words
SALUTATION_RE = re.compile(r"^\W{0,4}(?:Dear|Annwyl|F'annwyl)\s{1,5}([^,\n]{1,60})", re.I)
# A line ending with a closing: "Yours sincerely,", "I look forward ... Yn gywir,"
CLOSING_RE = re.compile(
    r"\b(?:Yours (?:sincerely|faithfully|truly)|Yn gywir|Yr eiddoch yn gywir|Kind regards|"
    r"Best wishes|With best wishes|Regards)\W{0,4}$",
    re.I,
)
# "WQ85953 (e) Tabled on 24/08/2022"
WQ_HEADER_RE = re.compile(r"^\W{0,4}WQ ?\d{3,6}\b")
TABLED_RE = re.compile(r"\bTabled on\b", re.I)
# "Answered by Deputy Minister for Social Services | Answered on 30/08/2022"
ANSWERED_BY_RE = re.compile(r"\bAnswered by\s{1,3}([^|\n]{2,150})", re.I)
ANSWERED_ON_RE = re.compile(r"\bAnswered on\b", re.I)
# A UK-style written question: "To ask the Secretary of State for Education, what ..."
TO_ASK_RE = re.compile(r"^\s{0,10}To ask the\s{1,3}([^,\n]{3,120})", re.I)
# "Subject: ...", "Pwnc | Subject: ..."
SUBJECT_LABEL_RE = re.compile(r"\b(?:Subject|Pwnc)\s{0,3}:\s{0,3}([^|\n]{3,250})", re.I)
# "RE: Improving outcomes for children"
RE_LINE_RE = re.compile(r"^\W{0,4}(?:RE|Ynghylch)\s{0,3}:\s{0,3}(.{3,250})$", re.I)
# The petition title quoted in a reply's opening: "the petition to 'Place Cardiff ...'"
PETITION_TITLE_RE = re.compile(r"petition[^'‘\"“\n]{0,80}['‘\"“](.{5,300}?)['’\"”](?=[.,;:)]?(?:\s|$))", re.I)
# What an incoming letter asked about: "seeking details of the practical steps ..."
ASKED_ABOUT_RE = re.compile(
    r"\b(?:seeking details of|asking (?:for my views on|about|for)|regarding|concerning|"
    r"in relation to|about)\s{1,3}(.{5,250}?)(?:[.;](?:\s|$)|$)",
    re.I,
)

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

# ---- contact and footer lines --------------------------------------------------------------

# "Canolfan Cyswllt Cyntaf / First Point of Contact Centre: 0300 0604400"
CONTACT_CENTRE_RE = re.compile(r"Canolfan Cyswllt|First Point of Contact", re.I)
# The bilingual "we welcome correspondence in Welsh" footer, in either language
WELSH_FOOTER_RE = re.compile(
    r"croesawu derbyn gohebiaeth|welcome receiving correspondence in Welsh|"
    r"correspondence received in Welsh|gohebiaeth a dderbynnir yn Gymraeg",
    re.I,
)
# Cheap test before the full contact-line check: an @, a slash, a digit or an address word
CONTACT_HINT_RE = re.compile(
    r"[@/\d]|\b(?:Bae|Caerdydd|Cardiff|Senedd|Welsh|Parliament|Llywodraeth|Government|Assembly|"
    r"Parc|Cathays|E-?mail|E-?bost|Tel|Ffôn|Phone|www)\b",
    re.I,
)
DIGIT_RE = re.compile(r"\d")
EMAIL_RE = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,6}")
URL_RE = re.compile(r"\b(?:https?://|www\.)\S{1,200}", re.I)
HANDLE_RE = re.compile(r"(?:^|\s)[@/][A-Za-z0-9_]{2,30}\b")
HTML_TAG_RE = re.compile(r"</?[A-Za-z][^<>\n]{0,60}>")
WORD_RE = re.compile(r"[^\W_]{1,40}")
# UK postcode parts, e.g. "CF99" + "1SN"
POSTCODE_PART_RE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?|\d[A-Z]{2}")
# Words found in addresses and contact lines (the leftovers of a contact line)
_CONTACT_WORDS = {
    "bae", "caerdydd", "cardiff", "bay", "senedd", "cymru", "welsh", "parliament", "national",
    "assembly", "for", "wales", "llywodraeth", "government", "parc", "cathays", "park", "tŷ",
    "ty", "hywel", "email", "ebost", "bost", "e", "mail", "tel", "ffôn", "ffon", "phone",
    "mailto", "u", "gohebiaeth", "correspondence", "twitter", "facebook", "www", "y",
}  # fmt: skip
# A street line in an address block: "1 High Street", "22a Heol y Frenhines"
STREET_RE = re.compile(r"^\d{1,4}[A-Za-z]?,?\s")
# "CYPE(5)-24-19 - Papur i'w nodi 19": a committee paper's heading line
COMMITTEE_LINE_RE = re.compile(r"^\W{0,4}[A-Z]{2,6}\(\d{1,2}\)-\d{1,3}-\d{2}\b")


class _Line(NamedTuple):
    """One non-blank line: where its first visible character is, and its stripped text."""

    start: int
    text: str

    @property
    def short(self) -> bool:
        return len(self.text) <= SHORT


@dataclass(frozen=True)
class _Layout:
    """Where the parts of a letter or WQ are, as line indexes (None when absent)."""

    lines: list[_Line]
    salutation: int | None
    closing: int | None
    wq_header: int | None
    answered: int | None
    is_wq: bool
    to_ask: bool  # a UK-style WQ: "To ask the ...", then the answer

    @property
    def answer_from(self) -> int | None:
        """Index of a WQ's first answer line."""
        if self.answered is not None:
            return self.answered + 1
        return 1 if self.to_ask else None

    @property
    def header(self) -> list[_Line]:
        """Lines before the salutation (or the answer line), else the leading short lines."""
        end = self.salutation if self.salutation is not None else self.answered
        if self.to_ask:
            end = 0
        elif end is None:
            end = _first_long(self.lines)
        return self.lines[:end]

    @property
    def body_start(self) -> int | None:
        """Index of the first line after the salutation (or the WQ's answer line)."""
        if self.is_wq:
            return self.answer_from
        return None if self.salutation is None else self.salutation + 1

    @property
    def tail(self) -> list[_Line]:
        """The closing line and the short lines after it (the signature block)."""
        if self.closing is None:
            return []
        return [ln for ln in self.lines[self.closing :] if ln.short]


# ---- layout --------------------------------------------------------------------------------


# A non-blank line, from its first visible character (blank lines are never matched)
LINE_RE = re.compile(r"\S[^\n]*")


def _split_lines(text: str) -> list[_Line]:
    return [_Line(m.start(), m[0].rstrip()) for m in LINE_RE.finditer(text)]


def _first_long(lines: list[_Line], limit: int = 40) -> int:
    for i, ln in enumerate(lines[:limit]):
        if len(ln.text) > SHORT:
            return i
    return min(len(lines), limit)


def _find_line(lines: list[_Line], pattern: re.Pattern[str], limit: int | None = None) -> int | None:
    for i, ln in enumerate(lines[:limit]):
        if ln.short and pattern.search(ln.text):
            return i
    return None


def _last_closing(lines: list[_Line], after: int) -> int | None:
    for i in range(len(lines) - 1, after, -1):
        if lines[i].short and CLOSING_RE.search(lines[i].text):
            return i
    return None


def _is_wq(lines: list[_Line]) -> bool:
    first = lines[0].text if lines else ""
    if WQ_HEADER_RE.match(first) or TO_ASK_RE.match(first):
        return True
    return any(ln.short and (TABLED_RE.search(ln.text) or ANSWERED_ON_RE.search(ln.text)) for ln in lines[:30])


@lru_cache(maxsize=2)  # extract_metadata and boilerplate_spans usually read the same text
def _layout(text: str) -> _Layout:
    lines = _split_lines(text)
    is_wq = _is_wq(lines)
    salutation = None if is_wq else _find_line(lines, SALUTATION_RE, HEADER_LINES)
    answered = _find_line(lines, ANSWERED_BY_RE, 60) if is_wq else None
    if is_wq and answered is None:
        answered = _find_line(lines, ANSWERED_ON_RE, 60)
    closing = None if is_wq else _last_closing(lines, salutation if salutation is not None else -1)
    wq_header = _find_line(lines, WQ_HEADER_RE, 5) if is_wq else None
    to_ask = bool(lines) and TO_ASK_RE.match(lines[0].text) is not None
    return _Layout(lines, salutation, closing, wq_header, answered, is_wq, to_ask)


# ---- dates ---------------------------------------------------------------------------------


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return _date(year, month, day).isoformat()
    except ValueError:
        return None


def _dates_in(s: str) -> list[tuple[int, str]]:
    """Every valid date in a short string, as (position, ISO)."""
    found: list[tuple[int, str | None]] = []
    for m in DMY_RE.finditer(s):
        found.append((m.start(), _iso(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))))
    for m in MDY_RE.finditer(s):
        found.append((m.start(), _iso(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))))
    for m in NUMERIC_DATE_RE.finditer(s):
        found.append((m.start(), _iso(int(m[3]), int(m[2]), int(m[1]))))
    for m in ISO_DATE_RE.finditer(s):
        found.append((m.start(), _iso(int(m[1]), int(m[2]), int(m[3]))))
    return sorted((pos, iso) for pos, iso in found if iso)


def _first_date(s: str) -> str | None:
    dates = _dates_in(s[:SHORT])
    return dates[0][1] if dates else None


def _is_date_line(text: str) -> bool:
    if len(text) > DATE_ONLY_MAX or not DIGIT_RE.search(text) or not DATE_ONLY_RE.match(text):
        return False
    return _first_date(text) is not None


def _labelled_date(lines: list[_Line]) -> str | None:
    for ln in lines:
        m = DATE_LABEL_RE.search(ln.text) if ln.short else None
        if m:
            found = _first_date(ln.text[m.end() :])
            if found:
                return found
    return None


def _after_label(lines: list[_Line], label: re.Pattern[str]) -> str | None:
    for ln in lines[:60]:
        m = label.search(ln.text) if ln.short else None
        if m:
            return _first_date(ln.text[m.end() :])
    return None


def _letter_date(layout: _Layout) -> str | None:
    """The letter's own date: labelled, else alone on a line, else the first in the header."""
    header = layout.header
    found = _labelled_date(header)
    if found:
        return found
    for ln in header + layout.lines[len(header) :]:
        if _is_date_line(ln.text):
            return _first_date(ln.text)
    return next((d for ln in header if ln.short and (d := _first_date(ln.text))), None)


# ---- references ----------------------------------------------------------------------------


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))[:MAX_REFS]


def extract_refs(text: str) -> list[str]:
    """Petition numbers, WQ numbers, "Our ref"s and committee paper refs, main one first."""
    petitions = [f"P-{int(m[1]):02d}-{m[2]}" for m in PETITION_RE.finditer(text)]
    wqs = [f"WQ{m[1]}" for m in WQ_RE.finditer(text)]
    ours = [m[1].rstrip("./-") for m in OUR_REF_RE.finditer(text)]
    papers = [m[1] for m in COMMITTEE_REF_RE.finditer(text)]
    return _unique(petitions + wqs + ours + papers)


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
        stop = next((i for i, ln in enumerate(header) if REF_LINE_RE.match(ln.text) or _is_date_line(ln.text)), 12)
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
    return any((_is_contact_line(text), REF_LINE_RE.match(text), STREET_RE.match(text), _is_date_line(text)))


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


def _shorten(text: str, limit: int = SUBJECT_MAX) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


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
    return _shorten(text) if text else None


def _asked_about(opening: str) -> str | None:
    m = ASKED_ABOUT_RE.search(opening)
    if not m:
        return None
    topic = re.sub(r"^(?:the|a|an)\s", "", m[1].strip(), flags=re.I)
    return _shorten(topic[:1].upper() + topic[1:]) if topic else None


def _subject_and_title(layout: _Layout) -> tuple[str | None, str | None]:
    if layout.is_wq:
        return _wq_question(layout), None
    line = _subject_line(layout)
    if line:
        return _shorten(line), None
    opening = _opening(layout)
    m = PETITION_TITLE_RE.search(opening)
    if m:
        title = _shorten(m[1].strip())
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


# ---- boilerplate ---------------------------------------------------------------------------


def _is_contact_line(text: str) -> bool:
    """An address, e-mail, phone or social-media line: nothing left once those are removed."""
    if not text or len(text) > SHORT or not CONTACT_HINT_RE.search(text):
        return False
    signals = len(EMAIL_RE.findall(text)) + len(HANDLE_RE.findall(text)) + len(URL_RE.findall(text))
    rest = HANDLE_RE.sub(" ", URL_RE.sub(" ", EMAIL_RE.sub(" ", HTML_TAG_RE.sub(" ", text))))
    words = WORD_RE.findall(rest)
    digits = sum(len(w) for w in words if w.isdigit())
    leftovers = [w for w in words if not w.isdigit() and not POSTCODE_PART_RE.fullmatch(w)]
    known = [w for w in leftovers if w.lower() in _CONTACT_WORDS]
    signals += len(known) + (digits >= 7) + (len(leftovers) < len(words) - (digits > 0))
    return signals > 0 and len(leftovers) - len(known) <= 2 and len(words) <= 30


def _is_footer_line(text: str) -> bool:
    head = text[:2000]
    return bool(WELSH_FOOTER_RE.search(head) or CONTACT_CENTRE_RE.search(head))


def _is_boilerplate_line(text: str) -> bool:
    if not text:
        return False
    if _is_footer_line(text):
        return True
    if len(text) > SHORT:
        return False
    return (
        _is_contact_line(text)
        or bool(REF_LINE_RE.match(text))
        or bool(COMMITTEE_LINE_RE.match(text))
        or _is_date_line(text)
    )


def _structural_lines(layout: _Layout) -> set[int]:
    """Header up to the salutation, WQ header lines, the closing and signature block."""
    marked: set[int] = set()
    if layout.salutation is not None:
        marked.update(i for i in range(layout.salutation + 1) if layout.lines[i].short)
    for idx in (layout.wq_header, layout.answered):
        if idx is not None:
            marked.add(idx)
    if layout.closing is not None:
        marked.update(i for i in range(layout.closing, len(layout.lines)) if layout.lines[i].short)
    return marked


def _merge(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and not text[merged[-1][1] : start].strip():
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def boilerplate_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping (start, end) spans of letterheads, footers, addresses, signatures."""
    layout = _layout(text)
    marked = _structural_lines(layout)
    marked.update(i for i, ln in enumerate(layout.lines) if i not in marked and _is_boilerplate_line(ln.text))
    spans = []
    lines = [layout.lines[i] for i in sorted(marked)]
    spans = [(ln.start, ln.start + len(ln.text)) for ln in lines]
    return _merge(spans, text)
