"""Is it current? Dated precedents, stale dated language and old figures, against the reply date."""

from __future__ import annotations

from datetime import date

import pytest

from rag.assistant import Assistant
from rag.drafting.checks import check_body
from rag.drafting.currency import Source, currency_warnings, has_figure, is_dated, stale_notes
from rag.index.fakes import HashEmbedder
from rag.text.dates import add_months, next_day_month
from rag.types import DraftRequest, Passage

PFG = Source("P-06-1161", date(2022, 7, 22))  # the seed's Programme for Government letter
LATE = date(2026, 12, 1)  # a reply long after it
SOON = date(2022, 8, 1)  # a reply ten days after it

# (id, sentence, source, reply date, what the first note must contain; None: no note at all)
CASES = [
    # a date that was still to come when written, and has passed
    ("summit-being-held", "A Care Leavers Summit is also being held on 10 September between care leavers.",
     PFG, LATE, "\u201c10 September\u201d was still to come"),
    ("will-be-launched", "The strategy will be launched at the Care Leavers Summit on 10 September.",
     Source("P-06-1200", date(2022, 6, 1)), LATE, "10 September"),
    ("full-date-to-come", "The consultation closes on 5 January 2023.", PFG, LATE, "5 January 2023"),
    ("month-to-come", "We will publish the framework by March 2023.", PFG, LATE, "March 2023"),
    ("year-to-come", "The new model of care will be in place by the end of 2024.", PFG, LATE, "2024"),
    ("past-tense-about-the-past", "In 2019 we launched the framework.", PFG, LATE, None),
    ("past-tense-day-month", "The review, published 23 May, is being considered.", PFG, LATE, None),
    ("was-held-day-month", "The summit was held on 10 September.", PFG, LATE, None),
    ("future-after-the-reply", "The strategy will be launched on 10 September 2027.", PFG, LATE, None),
    ("still-to-come-on-the-reply-date", "The summit is being held on 10 September.", PFG, SOON, None),
    ("act-year", "Section 151 of the Social Services and Well-being (Wales) Act 2014 applies.", PFG, LATE, None),
    # a financial or academic year stated as current
    ("split-year-over", "Funding in 2022/23 will focus on prevention.", PFG, LATE, "2022/23 is over"),
    ("split-year-dash", "Funding in 2022-23 will focus on prevention.", PFG, LATE, "2022-23 is over"),
    ("split-year-to-come", "Funding in 2027/28 will focus on prevention.", PFG, LATE, None),
    ("split-year-over-when-written", "In 2020/21 we spent the grant on prevention.", PFG, LATE, None),
    ("split-year-not-over-yet", "Funding in 2022/23 will focus on prevention.", PFG, date(2023, 6, 1), None),
    # relative time
    ("this-year", "We will consult on the changes this year.", PFG, LATE, "\u201cthis year\u201d meant 2022"),
    ("later-this-year", "We will consult later this year.", PFG, LATE, "meant 2022"),
    ("this-year-same-year", "We will consult on the changes this year.", PFG, date(2022, 11, 1), None),
    ("next-month", "We will report next month.", PFG, LATE, "\u201cnext month\u201d meant August 2022"),
    ("next-month-same-month", "We will report next month.", PFG, date(2022, 7, 29), None),
    ("recently-old", "I have recently met the Chair of the Board.", PFG, LATE, "\u201crecently\u201d dates from"),
    ("recently-young", "I have recently met the Chair of the Board.", PFG, date(2023, 3, 1), None),
    ("senedd-term", "We will eliminate private profit during this Senedd term.", PFG, LATE,
     "meant the Senedd term before the election of 7 May 2026"),
    ("senedd-term-same-term", "We will eliminate private profit during this Senedd term.", PFG, date(2024, 1, 1), None),
    ("this-parliament", "We will legislate in this Parliament.", Source("123", date(2023, 11, 1)), LATE,
     "before the election of 4 July 2024"),
    ("this-parliament-same", "We will legislate in this Parliament.", Source("123", date(2024, 9, 1)), LATE, None),
    ("summer-with-its-year", "Many universities applied during the summer 2023 application window.", PFG, LATE, None),
    ("recent-adjective", "We have educated current and recent world leaders.", PFG, LATE, None),
    ("in-recent-months", "In recent months we have met every council.", PFG, LATE, "dates from"),
    ("early-autumn", "An event is being arranged during the early Autumn for the Board.", PFG, LATE, "dates from"),
    ("this-financial-year", "We will spend it this financial year.", PFG, LATE, "meant 2022/23"),
    # figures from an old precedent
    ("count-old", "There are 7,000 looked after children in Wales.", PFG, LATE, "figure from 22 July 2022"),
    ("money-old", "We are investing £68 million in the programme.", PFG, LATE, "figure from 22 July 2022 (P-06-1161)"),
    ("percent-old", "Of those, 45% were placed in Wales.", PFG, LATE, "check it is current"),
    ("count-young", "There are 7,000 looked after children in Wales.", PFG, date(2023, 1, 1), None),
    ("no-figure", "Care Inspectorate Wales reviews every local authority under section 151.", PFG, LATE, None),
]  # fmt: skip


@pytest.mark.parametrize(("sentence", "source", "reply", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_stale_notes(sentence: str, source: Source, reply: date, expected: str | None) -> None:
    notes = stale_notes(sentence, source, reply)
    if expected is None:
        assert notes == []
    else:
        assert notes and expected in notes[0], notes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("There are 7,000 children.", True),
        ("It costs £5m.", True),
        ("Attendance rose 3 per cent.", True),
        ("The 2014 Act applies.", False),
        ("On 23 September 2021 I wrote to you.", False),
        ("Funding in 2022/23 is set.", False),
        ("WQ85953 and P-06-1161 refer to COVID-19.", False),
        ("Pupils at Key Stage 2 sit tests under section 151.", False),
        ("1. Children come first.", False),
        ("Paragraphs 282-287 and Plan 5 apply.", False),
        ("See question 12345 [2].", False),
    ],
    ids=["count", "money", "per-cent", "year", "date", "split-year", "references", "labelled-numbers", "list-number",
         "labelled-range",
         "marker-and-question"],
)  # fmt: skip
def test_has_figure(text: str, expected: bool) -> None:
    assert has_figure(text) is expected


@pytest.mark.parametrize(
    ("written", "reply", "months", "expected"),
    [
        (date(2022, 7, 22), date(2023, 7, 22), 12, False),
        (date(2022, 7, 21), date(2023, 7, 22), 12, True),
        (date(2022, 7, 22), date(2022, 9, 1), 1, True),
        (date(2022, 7, 22), date(2022, 7, 23), 0, True),
    ],
    ids=["exactly-twelve-months", "a-day-over", "one-month-age", "zero-age"],
)
def test_is_dated(written: date, reply: date, months: int, expected: bool) -> None:
    assert is_dated(written, reply, months) is expected


@pytest.mark.parametrize(
    ("d", "months", "expected"),
    [(date(2024, 3, 31), -1, date(2024, 2, 29)), (date(2026, 12, 2), -12, date(2025, 12, 2)),
     (date(2022, 11, 30), 3, date(2023, 2, 28))],
    ids=["clamped-to-leap-february", "a-year-back", "across-a-year-end"],
)  # fmt: skip
def test_add_months(d: date, months: int, expected: date) -> None:
    assert add_months(d, months) == expected


def test_next_day_month_reads_a_yearless_date_as_the_next_one() -> None:
    assert next_day_month(10, 9, date(2022, 7, 22)) == date(2022, 9, 10)
    assert next_day_month(23, 5, date(2022, 8, 30)) == date(2023, 5, 23)
    assert next_day_month(29, 2, date(2022, 3, 1)) == date(2024, 2, 29)
    assert next_day_month(31, 4, date(2022, 3, 1)) is None


def _passage(n: int, text: str, day: str | None, ref: str) -> Passage:
    return Passage(f"doc{n}", f"doc{n}:0", text, 0, len(text), meta={"date": day, "ref": ref})


OLD = _passage(1, "There are 7,000 looked after children in Wales.", "2022-07-22", "P-06-1161")
NEW = _passage(2, "The Welsh Government keeps children's services under review.", "2026-10-01", "WQ1")


def test_dated_precedent_is_about_the_newest_cited_precedent() -> None:
    body = "There are 7,000 looked after children in Wales. [1]"
    (dated, figure) = currency_warnings(body, [OLD, NEW], LATE)
    assert dated.code == "dated_precedent" and dated.sentence is None
    assert "P-06-1161, 22 July 2022" in dated.message and "1 December 2026" in dated.message
    assert figure.code == "stale" and figure.sentence == body and figure.message.startswith("figure from 22 July 2022")
    both = body + " The Welsh Government keeps children's services under review. [2]"
    assert [w.code for w in currency_warnings(both, [OLD, NEW], LATE)] == ["stale"]  # the newest, WQ1, is recent


def test_a_sentence_is_judged_by_its_newest_cited_source_and_uncited_or_undated_ones_not_at_all() -> None:
    assert currency_warnings("There are 7,000 looked after children in Wales. [1, 2]", [OLD, NEW], LATE) == []
    undated = _passage(3, OLD.text, None, "X")
    assert currency_warnings("There are 7,000 looked after children in Wales. [1] Invented [9].", [undated], LATE) == []
    assert currency_warnings("There are 7,000 looked after children in Wales.", [OLD], LATE) == []


def test_check_body_takes_the_age_from_its_caller() -> None:
    body = "The Welsh Government keeps children's services under review. [1]"
    codes = lambda months: [w.code for w in check_body(body, [NEW], HashEmbedder(), LATE, max_age_months=months)]  # noqa: E731
    assert "dated_precedent" not in codes(12) and "dated_precedent" in codes(1)
    assert check_body("", [NEW], HashEmbedder(), LATE) == []


PROFIT = "Will the Minister make a statement on plans to remove private profit from the care of looked-after children?"


def test_a_question_on_private_profit_drafted_today_is_warned_about_its_2022_material(seeded: Assistant) -> None:
    request = DraftRequest(PROFIT, kind="written_question", ask=PROFIT)
    today = seeded.draft(request)
    dated = [w for w in today.warnings if w.code == "dated_precedent"]
    stale = [w for w in today.warnings if w.code == "stale"]
    assert today.citations and all((c.date or "") < "2023" for c in today.citations)
    assert dated and stale, today.warnings
    assert any("this Senedd term" in w.message and "P-06-1161" in w.message for w in stale)

    then = seeded.draft(DraftRequest(PROFIT, kind="written_question", ask=PROFIT, as_of="2022-09-15"))
    assert then.citations and not [w for w in then.warnings if w.code in ("dated_precedent", "stale")], then.warnings
