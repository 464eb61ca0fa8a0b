"""The house formats: a drafted body laid out as a petition reply, a written answer or a letter."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rag.settings import Settings
from rag.templates import render
from rag.text.dates import format_date, to_date
from rag.types import DraftRequest, Passage

FORMATS = {"petition": "petition_reply", "written_question": "wq_answer", "letter": "letter_reply"}
OUR_REF = "[Our ref]"

PHRASES = {
    "en": {
        "dear": "Dear {name},",
        "dear_unknown": "Dear Sir or Madam,",
        "thanks_petition": "Thank you for your letter{of_date} asking for my views on {petition}.",
        "the_petition": "the petition to '{title}'",
        "petition_no": "petition {number}",
        "a_petition": "the petition",
        "thanks_letter": "Thank you for your letter{of_date}.",
        "of_date": " of {date}",
        "closing": "I hope you have found my reply helpful.",
        "signoff": "Yours sincerely,",
        "chair_role": "Chair - Petitions Committee",
        "tabled": "{wq} Tabled on {date}",
        "answered": "Answered by {title} | Answered on {date}",
        "address": "Senedd Cymru\nCardiff Bay\nCardiff\nCF99 1SN",
        "language": "English",
    },
    "cy": {
        "dear": "Annwyl {name},",
        "dear_unknown": "Annwyl Syr/Fadam,",
        "thanks_petition": "Diolch am eich llythyr{of_date} yn gofyn am fy marn ar {petition}.",
        "the_petition": "y ddeiseb '{title}'",
        "petition_no": "deiseb {number}",
        "a_petition": "y ddeiseb",
        "thanks_letter": "Diolch am eich llythyr{of_date}.",
        "of_date": " dyddiedig {date}",
        "closing": "Rwy'n gobeithio y bydd yr ateb hwn o gymorth.",
        "signoff": "Yn gywir,",
        "chair_role": "Cadeirydd - Y Pwyllgor Deisebau",
        "tabled": "{wq} Cyflwynwyd ar {date}",
        "answered": "Atebwyd gan {title} | Atebwyd ar {date}",
        "address": "Senedd Cymru\nBae Caerdydd\nCaerdydd\nCF99 1SN",
        "language": "Welsh",
    },
}
_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "cllr", "rt", "hon"}
_SUFFIXES = {"ms", "as", "mp", "am", "as/ms", "ms/as", "mbe", "obe", "cbe"}


# ---------------------------------------------------------------------------- who signs


@dataclass(frozen=True)
class Signer:
    """Who the reply is from: the configured minister, else whoever gave the precedents it rests on."""

    name: str | None
    title: str | None
    title_cy: str | None = None

    def lines(self) -> str:
        """The signature block: name, Welsh title, English title (those known), or a placeholder."""
        return "\n".join(x for x in (self.name, self.title_cy, self.title) if x) or UNKNOWN_SIGNER

    def title_for(self, lang: str) -> str:
        return (self.title_cy if lang == "cy" else None) or self.title or self.name or UNKNOWN_SIGNER


UNKNOWN_SIGNER = "[Minister]"


def signer(settings: Settings, passages: Sequence[Passage] = ()) -> Signer:
    """The configured minister (YMATEB_MINISTER_*); when none is configured, the author and role (or
    answering body) most of the cited precedents come from: a Department for Education answer is
    signed for the Secretary of State for Education, not for a Welsh minister."""
    if settings.minister_name or settings.minister_title:
        return Signer(settings.minister_name, settings.minister_title, settings.minister_title_cy)
    votes = Counter(
        (m.get("author") or None, m.get("author_role") or m.get("answering_body") or m.get("asked_of") or None)
        for m in (p.meta for p in passages)
    )
    votes.pop((None, None), None)
    if not votes:
        return Signer(None, None)
    name, title = votes.most_common(1)[0][0]
    return Signer(name, title)


# ---------------------------------------------------------------------------- small builders


def _lang(language: str | None) -> str:
    return "cy" if language == "cy" else "en"


def salutation_name(person: str | None) -> str | None:
    """'Jack Sargeant MS' -> 'Jack'; 'Dr Jane Roe' -> 'Dr Roe'; None if nothing usable."""
    words = [w.strip(",.") for w in (person or "").split()]
    words = [w for w in words if w and w.lower() not in _SUFFIXES]
    if not words:
        return None
    if words[0].lower().rstrip(".") in _HONORIFICS:
        return f"{words[0]} {words[-1]}" if len(words) > 1 else None
    return words[0]


def _salutation(person: str | None, lang: str) -> str:
    name = salutation_name(person)
    p = PHRASES[lang]
    return p["dear"].format(name=name) if name else p["dear_unknown"]


def _of_date(iso: str | None, lang: str, today: date) -> str:
    """' of 3 September' (the year only when it is not this year), or '' when unknown."""
    d = to_date(iso)
    if not d:
        return ""
    shown = format_date(d, lang)
    if d.year == today.year:
        shown = shown.rsplit(" ", 1)[0]
    return PHRASES[lang]["of_date"].format(date=shown)


def _petition_phrase(request: DraftRequest, lang: str) -> str:
    p = PHRASES[lang]
    title = (request.petition_title or "").strip().strip("'\u2018\u2019\"").rstrip(". ")
    if title:
        return p["the_petition"].format(title=title)
    if request.petition_number:
        return p["petition_no"].format(number=request.petition_number)
    return p["a_petition"]


def _frame_slots(request: DraftRequest, body: str, who: Signer, today: date) -> dict[str, str]:
    lang = _lang(request.language)
    p = PHRASES[lang]
    return {
        "signature": who.lines(),
        "our_ref": OUR_REF,
        "date": format_date(today, lang),
        "body": body.strip(),
        "closing": p["closing"],
        "signoff": p["signoff"],
    }


def petition_slots(request: DraftRequest, body: str, settings: Settings, today: date, who: Signer) -> dict[str, str]:
    lang = _lang(request.language)
    p = PHRASES[lang]
    opening = p["thanks_petition"].format(
        of_date=_of_date(request.letter_date, lang, today), petition=_petition_phrase(request, lang)
    )
    return _frame_slots(request, body, who, today) | {
        "your_ref": request.petition_number or "[Your ref]",
        "addressee": f"{settings.committee_chair}\n{p['chair_role']}\n{p['address']}",
        "salutation": _salutation(settings.committee_chair, lang),
        "opening": opening,
    }


def letter_slots(request: DraftRequest, body: str, settings: Settings, today: date, who: Signer) -> dict[str, str]:
    lang = _lang(request.language)
    to = request.sender or request.member
    return _frame_slots(request, body, who, today) | {
        "addressee": to or "[Addressee]",
        "salutation": _salutation(to, lang),
        "opening": PHRASES[lang]["thanks_letter"].format(of_date=_of_date(request.letter_date, lang, today)),
    }


def wq_slots(request: DraftRequest, body: str, settings: Settings, today: date, who: Signer) -> dict[str, str]:
    lang = _lang(request.language)
    p = PHRASES[lang]
    tabled = to_date(request.letter_date)
    wq = request.wq_number or ""
    wq_line = p["tabled"].format(wq=wq, date=tabled.strftime("%d/%m/%Y")).strip() if tabled else wq
    title = who.title_for(lang)
    return {
        "wq_line": wq_line,
        "question": request.ask or request.text.strip()[:1000],
        "answered_line": p["answered"].format(title=title, date=today.strftime("%d/%m/%Y")),
        "body": body.strip(),
    }


_SLOT_BUILDERS = {"petition": petition_slots, "written_question": wq_slots, "letter": letter_slots}


def render_reply(
    request: DraftRequest,
    body: str,
    settings: Settings,
    today: date | None = None,
    passages: Sequence[Passage] = (),
) -> str:
    """The whole reply in the house format for request.kind, the body placed inside it, dated
    `today` (the reply date) and signed by `signer(settings, passages)`."""
    kind = request.kind if request.kind in FORMATS else "letter"
    slots = _SLOT_BUILDERS[kind](request, body, settings, today or date.today(), signer(settings, passages))
    text = render(FORMATS[kind], **slots)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
