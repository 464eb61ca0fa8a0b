"""The Precedents page in real headless Chromium (tests/browser.py), at 1366x768 and 1920x1080:
a document opens where the official is, scrolled to its first match; "Use in a draft" lands on the
Draft page; the timeline shows the reply that answers the search as the latest line.

ABSENCE is a small UK-style written-question corpus (shared with tests/test_app.py): two Education
answers on persistent absence (the later one replaces the earlier), a Health question on scurvy
that shares the query's words but not its subject, and a letter received.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.browser import in_view, open_page, running_app, shot, wait_idle
from tests.conftest import make_assistant

pytestmark = pytest.mark.browser

QUERY = "persistent absence in secondary schools"
EDUCATION = "Secretary of State for Education"
ABSENCE = [
    {
        "id": "UKWQ-T1",
        "ref": "13001",
        "date": "2024-02-01",
        "asked_of": EDUCATION,
        "answering_body": "Department for Education",
        "question": f"To ask the {EDUCATION}, what steps her Department is taking to reduce persistent absence "
        "in secondary schools.",
        "answer": "The department has published guidance on improving school attendance and funds attendance "
        "mentors in ten areas to work with persistently absent pupils and their families.",
    },
    {
        "id": "UKWQ-T2",
        "ref": "52002",
        "date": "2025-03-01",
        "asked_of": EDUCATION,
        "answering_body": "Department for Education",
        "question": f"To ask the {EDUCATION}, what steps her Department is taking to reduce persistent absence "
        "in secondary schools.",
        "answer": "Working Together to Improve School Attendance became statutory guidance in August 2024. "
        "The department is expanding the attendance mentor programme to a further ten areas, so that more "
        "persistently absent pupils get one-to-one support to return to school.",
    },
    {
        "id": "UKWQ-T3",
        "ref": "61003",
        "date": "2025-06-01",
        "asked_of": "Secretary of State for Health and Social Care",
        "answering_body": "Department of Health and Social Care",
        "question": "To ask the Secretary of State for Health and Social Care, how many children of secondary "
        "school age were admitted to hospital with scurvy or rickets in each of the last three years.",
        "answer": "The following table shows hospital admissions for scurvy and rickets among children aged 11 "
        "to 16 in England. Persistent vitamin D deficiency is usually treated in primary care.",
    },
    {
        "id": "LETTER-T4",
        "kind": "incoming_letter",
        "ref": "CO-4",
        "date": "2025-04-01",
        "title": "Absence from school in my constituency",
        "body": "Dear Minister, I write about persistent absence in secondary schools in my constituency, "
        "where one pupil in five now misses a day a fortnight. Please set out what support schools can expect.",
    },
    {
        "id": "UKWQ-T5",
        "ref": "70005",
        "date": "2024-06-01",
        "asked_of": "Secretary of State for Work and Pensions",
        "question": "To ask the Secretary of State for Work and Pensions, what steps he is taking to increase the "
        "take-up of Pension Credit.",
        "answer": "The department is running a Pension Credit awareness campaign and writing to households who "
        "receive Housing Benefit but not Pension Credit.",
    },
    {
        "id": "UKWQ-T6",
        "ref": "70006",
        "date": "2024-07-01",
        "asked_of": "Secretary of State for Transport",
        "question": "To ask the Secretary of State for Transport, what funding his Department provides for rural "
        "bus services.",
        "answer": "The Bus Service Improvement Plan funding supports local authorities to keep rural bus routes "
        "running and to improve timetables.",
    },
]


def absence_store(store: Path, embedder: Any, tmp_path: Path) -> Path:
    """A real index (MiniLM + Chroma) of ABSENCE at `store`."""
    records = tmp_path / "absence.jsonl"
    records.write_text("".join(json.dumps(r) + "\n" for r in ABSENCE), encoding="utf-8")
    assert make_assistant(store, embedder).ingest([records]).written == len(ABSENCE)
    return store


def in_box(locator: Any) -> bool:
    """Whether the element shows inside the window and inside every scroll box around it (in_view
    alone would pass an element scrolled out of sight within the dialog's document box)."""
    return bool(
        locator.evaluate(
            """(e) => { const r = e.getBoundingClientRect();
                if (!(r.height > 0 && r.bottom > 0 && r.top < window.innerHeight)) return false;
                for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                    const s = getComputedStyle(p);
                    if (!/(auto|scroll|hidden)/.test(s.overflowY)) continue;
                    const b = p.getBoundingClientRect();
                    if (r.bottom <= b.top || r.top >= b.bottom) return false;
                }
                return true; }"""
        )
    )


def search(page: Any, query: str) -> None:
    box = page.get_by_role("textbox", name="Search")
    box.fill(query)
    page.get_by_role("button", name="Search").click()
    page.get_by_text("passage(s) in").wait_for()
    wait_idle(page)


def test_open_document_on_the_last_result_shows_it_scrolled_to_the_first_match(server: str, page: Any) -> None:
    from playwright.sync_api import expect

    open_page(page, server, "precedents", "Precedents")
    search(page, "children's services")
    opens = page.get_by_role("button", name="Open document")
    expect(opens.nth(2)).to_be_attached()  # at least three results: the last is well down the page
    last = opens.last
    last.scroll_into_view_if_needed()
    last.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    wait_idle(page)
    viewer = dialog.locator("div.ym-viewer")
    expect(viewer).to_be_visible()
    assert in_view(page, viewer)
    first = viewer.locator("mark.ym-term").first
    expect(first).to_be_visible()
    page.wait_for_function(
        """() => { const m = document.querySelector('[role="dialog"] div.ym-viewer mark.ym-term');
            const r = m && m.getBoundingClientRect(); return r && r.top > 0 && r.bottom < window.innerHeight; }"""
    )
    shot(page, "precedents-open-last")
    assert in_box(first), "the first highlighted match is in sight inside the document box"
    expect(dialog.get_by_role("button", name="Use this document in a draft")).to_be_visible()
    dialog.get_by_role("button", name="Back to the results").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_use_a_passage_in_a_draft_lands_on_the_draft_page(server: str, page: Any) -> None:
    from playwright.sync_api import expect

    open_page(page, server, "precedents", "Precedents")
    search(page, "special measures Cardiff")
    shot(page, "precedents-results")
    page.get_by_role("button", name="Use this passage in a draft").first.click()
    page.get_by_role("heading", name="Draft a reply").wait_for()
    expect(page.get_by_role("heading", name="Precedents", exact=True)).to_have_count(0)
    # The Draft page lists it, and a draft on the point cites it.
    chosen = page.get_by_role("heading", name="Chosen precedents")
    expect(chosen).to_be_visible()
    expect(page.get_by_text("P-06-1199", exact=False).first).to_be_visible()
    page.get_by_label("…or paste its text").fill(
        "Petition P-06-1199: Place Cardiff Children's Services into special measures"
    )
    page.get_by_role("button", name="Draft reply").click()
    page.get_by_text("Drafted with").wait_for()
    expect(page.get_by_role("radio", name="P-06-1199", exact=False).first).to_be_visible()


def test_use_the_open_document_in_a_draft_lands_on_the_draft_page(server: str, page: Any) -> None:
    open_page(page, server, "precedents", "Precedents")
    search(page, "special measures Cardiff")
    page.get_by_role("button", name="Open document").first.click()
    page.get_by_role("dialog").get_by_role("button", name="Use this document in a draft").click()
    page.get_by_role("heading", name="Draft a reply").wait_for()
    page.get_by_role("heading", name="Chosen precedents").wait_for()
    wait_idle(page)
    assert page.get_by_role("dialog").count() == 0


@pytest.fixture(scope="module")
def absence_server(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> Any:
    """The app over ABSENCE alone (a store that is not empty is not seeded)."""
    work = tmp_path_factory.mktemp("absence-server")
    absence_store(work / "store", embedder, work)
    with running_app(work) as url:
        yield url


def test_the_timeline_shows_the_answer_as_latest_and_not_the_lexically_close_question(
    absence_server: str, screen: str
) -> None:
    from playwright.sync_api import expect

    from tests.browser import _page

    for page in _page(screen, absence_server):
        open_page(page, absence_server, "precedents", "Precedents")
        search(page, QUERY)
        page.get_by_role("tab", name="Timeline").click()
        panel = page.get_by_role("tabpanel", name="Timeline")
        line = panel.locator("p", has_text="Latest line")
        expect(line).to_be_visible()
        expect(line).to_contain_text("1 March 2025, 52002")
        expect(line).to_contain_text("Working Together to Improve School Attendance")
        expect(panel).not_to_contain_text("61003")
        expect(panel).not_to_contain_text("scurvy")
        expect(panel.get_by_text("Superseded: 13001 (1 February 2024)")).to_be_visible()
        expect(panel.get_by_text("Letters received")).to_be_visible()
        panel.locator('[data-testid="stVegaLiteChart"]').wait_for()
        wait_idle(page)
        shot(page, "precedents-timeline")
