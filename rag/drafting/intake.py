"""Turn incoming text (a petition, a written question, a letter) into a DraftRequest.

Detection is heuristic and cheap: every pattern is linear (no nested quantifiers), and only
the opening ANALYSE_CHARS of a long input are examined, so any text parses quickly.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path
from typing import Any

from rag.errors import EmptyRequestError, InputError
from rag.text.dates import first_date
from rag.text.language import detect_language
from rag.text.refs import PETITION_RE, WQ_RE, petition_numbers, wq_numbers
from rag.text.sentences import split_sentences
from rag.text.shorten import shorten
from rag.text.welsh import english_query
from rag.types import REQUEST_KINDS, DraftRequest

ANALYSE_CHARS = 60_000
MAX_ASK_CHARS = 1000
_FIELDS = {f.name for f in dataclasses.fields(DraftRequest)} - {"text", "parsed_fields"}
_KIND_ALIASES = {"wq": "written_question", "question": "written_question", "written question": "written_question"}

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_QUOTED_TITLE = re.compile(
    r"\b(?:petition|deiseb|ddeiseb)[ \t\n]+(?:(?:to|entitled|called|titled|i)[ \t\n]+)?['\u2018\"\u201c]"
    r"(?P<title>.{3,400}?)['\u2019\"\u201d](?![^\W\d_])",
    re.IGNORECASE | re.DOTALL,
)
_LABELLED_TITLE = re.compile(
    r"^[ \t]*(?:petition(?: title)?|title|teitl)[ \t]*:[ \t]*(?P<title>\S[^\n]{2,300})$", re.I | re.M
)
_NUMBERED_TITLE = re.compile(
    PETITION_RE.pattern + r"[ \t]{0,5}[:\u2013\u2014-]?[ \t]{0,5}(?P<title>[A-Z][^\n]{5,300})$", re.M
)
_CALL = re.compile(
    r"(?:we|i) (?:call|are calling|urge|ask|are asking) (?:on|upon)? ?the (?:welsh government|senedd)[^\n]{0,600}",
    re.IGNORECASE,
)
# The openings of a Welsh written question: "A wnaiff y Gweinidog / Ysgrifennydd y Cabinet ...",
# "Pa asesiad / gamau / drafodaethau ...", "Sut y mae / Sut mae ...", "Pryd y bydd ...", "Beth yw ...".
_WELSH_WQ = (
    r"^[ \t]*(?:a wnaiff (?:y )?(?:gweinidog|prif weinidog|dirprwy weinidog|ysgrifennydd|llywodraeth cymru)|"
    r"pa (?:asesiad|gamau|drafodaethau|gynlluniau|gymorth|gefnogaeth|ystyriaeth|gyllid|ddadansoddiad)|"
    r"sut (?:y )?(?:mae|bydd|caiff|gall|gwnaiff)\b|pryd (?:y )?(?:bydd|caiff|gwnaiff)\b|"
    r"beth (?:yw|y mae|mae)\b|pam (?:nad|y mae|mae)\b|faint o)"
)
_PETITION_HINTS = re.compile(
    r"petitions? committee|pwyllgor deisebau|\bpetition (?:to|entitled|calls|was submitted)|"
    r"text of (?:the )?petition|we call on the welsh government|\bdeiseb\b|(?:rydym yn galw|galwn) ar lywodraeth cymru",
    re.IGNORECASE,
)
_WQ_HINTS = re.compile(
    r"^[ \t]*(?:to ask the|will the (?:first )?minister|will the cabinet secretary|what (?:assessment|discussions|"
    r"action|steps)|how (?:is|will|does) the welsh government)|\btabled on\b|\bwritten question\b|"
    r"\bcwestiwn ysgrifenedig\b|\bcyflwynwyd ar\b|" + _WELSH_WQ,
    re.IGNORECASE | re.MULTILINE,
)
_ASKED_BY = re.compile(
    r"(?:(?:asked|tabled) by|gofynnwyd gan|cyflwynwyd gan)[ \t]{0,5}:?[ \t]{0,5}([^\n|(]{3,80})", re.IGNORECASE
)
_W = r"[A-Z\u00c0-\u00de\u0174\u0176][^\W\d_]{0,25}(?:['\u2019-][^\W\d_]{1,25})?"  # one name word
_P = r"(?:ap|ab|ferch|de|van|von|le|la|du)"  # lower-case name particles
_MEMBER = re.compile(rf"\b{_W}(?:[ \t](?:{_P}[ \t])?{_W}){{1,3}}[ \t]+(?:MS|AS|MP|AM)\b")
_FROM = re.compile(r"^[ \t]*(?:from|oddi wrth)[ \t]*:[ \t]*([^\n<]{3,80})", re.IGNORECASE | re.MULTILINE)
_SIGNOFF = re.compile(r"(?:yours sincerely|yours faithfully|yn gywir|kind regards|best wishes)\s*,?", re.I)
_NAME_LINE = re.compile(
    rf"^(?:(?:Dr|Mr|Mrs|Ms|Miss|Cllr|Prof)\.? )?{_W}(?: (?:{_P} )?{_W}){{1,3}}(?: (?:MS|AS|MP|AM|AS/MS|MS/AS))?$"
)
_NOT_A_NAME = re.compile(
    r"\b(?:Senedd|Parliament|Cymru|Wales|Government|Llywodraeth|Council|Cyngor|Committee|Street|Road|"
    r"House|Bay|Minister|Services|Office)\b"
)
_TABLED = re.compile(r"(?:tabled on|cyflwynwyd ar)[ \t]{0,5}:?[ \t]{0,5}(\d{1,2}/\d{1,2}/\d{4})", re.IGNORECASE)
_DATE_LABEL = re.compile(r"\b(?:date|dyddiad)\b[ \t|:]*(?:date[ \t]*:?)?[ \t]*([^\n]{6,40})", re.IGNORECASE)

_REQUEST_WORDS = re.compile(
    r"\b(?:request|would like|i ask|i am asking|could you|can you|would you|will you|please|grateful|"
    r"i urge|urge you|call on|(?<!-)seek(?:ing)? (?:your|the|clarification|assurance)|asking for|"
    r"your views|clarify|explain|confirm|hoffwn|gofyn|"
    r"a allech|a fyddech|galw ar)\b|\?",
    re.IGNORECASE,
)
_STRONG_REQUEST = re.compile(
    r"\b(?:i would (?:therefore |also )?(?:like|ask|request|be grateful)|to request|i request|i ask|"
    r"i urge|could you|can you|would you|will you|please (?:could|can|confirm|explain|set out|provide|advise|"
    r"let)|hoffwn|a allech|a fyddech)\b|\?\s*$",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-\u2022*\u00b7]|\d{1,2}[.)]|[a-z][.)])[ \t]+")
_SUBJECT = re.compile(
    r"\b(?:subject|pwnc)\b[ \t|:]*(?:subject[ \t]*:)?[ \t]*([^\n]{5,200})|^[ \t]*re[ \t]*:[ \t]*([^\n]{5,200})",
    re.IGNORECASE | re.MULTILINE,
)


# ---------------------------------------------------------------------------- small helpers


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text[:ANALYSE_CHARS]).replace("\r\n", "\n").replace("\r", "\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


# ---------------------------------------------------------------------------- kind


def detect_kind(text: str) -> str:
    """'written_question', 'petition' or 'letter', from references first, then wording."""
    if WQ_RE.search(text):
        return "written_question"
    if PETITION_RE.search(text):
        return "petition"
    petition = len(_PETITION_HINTS.findall(text[:20_000]))
    wq = len(_WQ_HINTS.findall(text[:20_000]))
    if petition and petition >= wq:
        return "petition"
    if wq and not re.match(r"\s*(?:dear|annwyl)\b", text, re.IGNORECASE):
        return "written_question"
    return "petition" if petition else "letter"


# ---------------------------------------------------------------------------- fields


def petition_number(text: str) -> str | None:
    return next(iter(petition_numbers(text)), None)


def wq_number(text: str) -> str | None:
    return next(iter(wq_numbers(text)), None)


def petition_title(text: str) -> str | None:
    """The quoted title after "petition to '...'", a 'Title:' line, or the line after the number."""
    for pattern in (_QUOTED_TITLE, _LABELLED_TITLE, _NUMBERED_TITLE):
        m = pattern.search(text)
        if m:
            title = _one_line(m.group("title")).strip(" '\"\u2018\u2019\u201c\u201d")
            if len(title) >= 3 and not re.search(r"\b(?:our ref|ein cyf)\b", title, re.IGNORECASE):
                return title[:300]
    first = _lines(text[:2000])[:1]
    if first and 3 <= len(first[0].split()) <= 30 and not first[0].endswith((".", ",", ":", "?")):
        if not re.search(r"^(?:dear|annwyl|from|to)\b|\bref\b|\bcyf\b|P-\d", first[0], re.I):
            return first[0][:300]
    return None


def _name(raw: str) -> str | None:
    name = _one_line(raw).strip(" ,.;:-")
    return name[:80] if 3 <= len(name) and len(name.split()) <= 6 else None


def member(text: str) -> str | None:
    """The asking member: an 'Asked by' line, else the first 'Name MS' in the text."""
    m = _ASKED_BY.search(text)
    if m:
        return _name(m.group(1))
    m = _MEMBER.search(text)
    return _name(m.group(0)) if m else None


def sender(text: str) -> str | None:
    """Who wrote the letter: a 'From:' line, a letterhead name, or the name after the sign-off."""
    m = _FROM.search(text)
    if m:
        return _name(m.group(1))
    lines = _lines(text[:3000])
    if lines and _is_name(lines[0]):
        return lines[0]
    for sign in _SIGNOFF.finditer(text):
        for line in _lines(text[sign.end() : sign.end() + 400])[:4]:
            if _is_name(line):
                return line
    return None


def _is_name(line: str) -> bool:
    return bool(_NAME_LINE.match(line)) and not _NOT_A_NAME.search(line)


def letter_date(text: str, kind: str) -> str | None:
    """The date of the incoming item: a WQ's 'Tabled on' date; a letter's 'Date:' or first date."""
    if kind == "written_question":
        m = _TABLED.search(text)
        return first_date(m.group(1)) if m else None
    m = _DATE_LABEL.search(text[:5000])
    return (first_date(m.group(1)) if m else None) or first_date(text[:3000])


# ---------------------------------------------------------------------------- the ask


def _question_ask(text: str) -> str:
    text = re.split(r"\banswered by\b|\batebwyd gan\b", text, maxsplit=1, flags=re.IGNORECASE)[0]
    sentences = [s for s in split_sentences(text) if not WQ_RE.match(s) and not _TABLED_WORDS.search(s)]
    asks = [s for s in sentences if s.endswith("?") or re.match(r"to ask\b", s, re.IGNORECASE)]
    return " ".join(without_to_ask(s) for s in asks or sentences)


_TABLED_WORDS = re.compile(r"\b(?:tabled on|cyflwynwyd ar)\b", re.IGNORECASE)
# "To ask the Secretary of State for Education, " names the addressee, not the ask: the words
# are in every earlier question, so they only dilute the retrieval query.
# A department's name may hold commas ("Foreign, Commonwealth and Development Affairs,"): the opening
# runs on over ", Capitalised and Words" up to the comma before the question itself.
_TO_ASK = re.compile(
    r"^\s*to ask (?:the|his|her)\b[^,]{0,120}"
    r"(?-i:(?:,[ \t]*(?:[A-Z][\w'\u2019-]*|and|of|for|the)(?:[ \t]+(?:[A-Z][\w'\u2019-]*|and|of|for|the))*)*)"
    r",\s*",
    re.IGNORECASE,
)


def without_to_ask(question: str) -> str:
    """A written question without its "To ask the Secretary of State for X," opening."""
    return _TO_ASK.sub("", question, count=1)


def _petition_ask(text: str, title: str | None) -> str:
    calls = [_one_line(m.group(0)) for m in _CALL.finditer(text)][:3]
    parts = ([title] if title else []) + [c for c in calls if not title or c not in title]
    return " ".join(parts)


def _request_sentences(text: str) -> list[str]:
    """Sentences that ask for something, each followed by the list it introduces, if any."""
    out: list[str] = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if _LIST_ITEM.match(line) or not _REQUEST_WORDS.search(line):
            continue
        picked = [s for s in split_sentences(line) if _REQUEST_WORDS.search(s)]
        out.extend(picked)
        if picked and picked[-1].rstrip().endswith(":"):
            items = [ln.strip() for ln in lines[i + 1 : i + 12] if ln.strip()]
            out.extend(_LIST_ITEM.sub("", ln) for ln in items if _LIST_ITEM.match(ln))
    return out


def _letter_ask(text: str) -> str:
    subject = _SUBJECT.search(text[:5000])
    parts = [(subject.group(1) or subject.group(2)).strip()] if subject else []
    asks = [
        s
        for s in _request_sentences(text)
        if not re.match(r"(?:i look forward|please do not hesitate|thank you|diolch)", s, re.IGNORECASE)
    ]
    strong = _strong_with_lists(asks)
    return " ".join(parts + (strong or asks))


def _strong_with_lists(asks: list[str]) -> list[str]:
    """The strong requests ('I would like to request', questions) and the list items after them."""
    out: list[str] = []
    keep_items = False
    for s in asks:
        if _STRONG_REQUEST.search(s):
            out.append(s)
            keep_items = s.endswith(":")
        elif keep_items and not _REQUEST_WORDS.search(s):
            out.append(s)
        else:
            keep_items = False
    return out


def _fallback_ask(text: str) -> str:
    body = [s for s in split_sentences(text) if len(s.split()) >= 5]
    return " ".join(body) if body else text


def extract_ask(text: str, kind: str, title: str | None = None) -> str:
    """The actual question or request, as a retrieval query of at most MAX_ASK_CHARS."""
    if kind == "written_question":
        ask = _question_ask(text)
    elif kind == "petition":
        ask = _petition_ask(text, title) or _letter_ask(text)
    else:
        ask = _letter_ask(text)
    return shorten(ask or _fallback_ask(text), MAX_ASK_CHARS)


def search_query(request: DraftRequest) -> str:
    """What a request's precedents are searched and scored by: its ask (or its text), and for a Welsh
    request the English gloss of it first, as the precedents and MiniLM are English (rag/text/welsh.py)."""
    ask = request.ask or request.text
    return english_query(ask) if request.language == "cy" else ask


# ---------------------------------------------------------------------------- public


def _check_overrides(overrides: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(overrides) - _FIELDS)
    if unknown:
        raise TypeError(f"parse_request() got unexpected keyword argument(s): {', '.join(unknown)}")
    clean = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in overrides.items() if v is not None}
    if "kind" in clean:
        kind = _KIND_ALIASES.get(str(clean["kind"]).lower(), str(clean["kind"]).lower())
        if kind not in REQUEST_KINDS:
            raise InputError(f"Unknown request kind {clean['kind']!r}: use one of {', '.join(REQUEST_KINDS)}.")
        clean["kind"] = kind
    if "language" in clean and clean["language"] not in ("en", "cy"):
        raise InputError(f"Unknown language {clean['language']!r}: use 'en' or 'cy'.")
    return clean


def parse_request(text: str, **overrides: Any) -> DraftRequest:
    """Parse incoming text; keyword overrides (kind=, petition_title=, as_of= ...) win.
    None-valued overrides are ignored; unknown keys raise TypeError."""
    clean_overrides = _check_overrides(overrides)
    if not text or not text.strip():
        raise EmptyRequestError("There is no text to reply to: paste the petition, question or letter.")
    t = _clean(text)
    kind = clean_overrides.get("kind") or detect_kind(t)
    title = petition_title(t) if kind == "petition" else None
    found: dict[str, Any] = {
        "kind": kind,
        "petition_number": petition_number(t) if kind == "petition" else None,
        "petition_title": title,
        "wq_number": wq_number(t) if kind == "written_question" else None,
        "member": member(t) if kind == "written_question" else None,
        "sender": sender(t) if kind != "written_question" else None,
        "letter_date": letter_date(t, kind),
        "language": detect_language(t),
    }
    if kind == "letter" and found["sender"]:
        found["member"] = found["sender"]
    if "ask" not in clean_overrides:
        found["ask"] = extract_ask(t, kind, clean_overrides.get("petition_title", title))
    parsed = tuple(sorted(k for k, v in found.items() if v and k not in clean_overrides))
    found.update(clean_overrides)
    return DraftRequest(text=text, **found, parsed_fields=parsed)


def parse_request_file(path: str | Path, **overrides: Any) -> DraftRequest:
    """Read a .txt/.md/.pdf/.docx/.html file (DocumentError if unreadable) and parse it."""
    from rag.ingest.files import load_file

    doc = load_file(path)
    if not doc.text.strip():
        raise EmptyRequestError(f"{Path(path).name} contains no text to reply to.")
    return parse_request(doc.text, **overrides)
