"""The lines of a letter or a written question, and where its parts are.


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
random or control-character text cannot make it backtrack badly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

SHORT = 300  # longest line still read as a header/footer line rather than body prose
HEADER_LINES = 100  # a salutation further down than this is not the letter's own

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
