"""The Draft page as an official meets it at 1366x768 and 1920x1080 (tests/browser.py): one click
drafts, the button and then the draft are in view, a citation shows the very sentence it rests on
(inside its passage, scrolled into view), and a [n] in the draft opens that citation."""

from __future__ import annotations

from typing import Any

import pytest

from rag.text.markers import cited_numbers, strip_markers
from rag.text.sentences import split_sentences
from tests.browser import draft_petition, in_view, open_page, shot, wait_idle
from tests.conftest import PETITION

pytestmark = pytest.mark.browser

# True once the element's box lies inside the window (the page scrolls it there itself, after the run).
IN_WINDOW = """(e) => { const r = e.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.top < window.innerHeight && r.left >= 0 && r.right <= window.innerWidth; }"""
# Whether the element lies inside the nearest scroll box around it.
IN_BOX = """(e) => { let box = e.parentElement;
    while (box && !(box.scrollHeight > box.clientHeight + 1 && /(auto|scroll)/.test(getComputedStyle(box).overflowY)))
        box = box.parentElement;
    if (!box) return "no scroll box";
    const r = e.getBoundingClientRect(), b = box.getBoundingClientRect();
    return r.top >= b.top - 1 && r.bottom <= b.bottom + 1; }"""

RELOAD_EDIT = "The Deputy Minister will write to the Committee again in the spring."


def _draft_with_one_click(page: Any, server: str) -> None:
    open_page(page, server, "", "Draft a reply")
    page.get_by_label("…or paste its text").fill(PETITION)  # typed in, never left: no blur, no Ctrl+Enter
    page.get_by_role("button", name="Draft reply").click()
    page.get_by_text("Drafted with").wait_for()
    wait_idle(page)


def _wait_in_window(page: Any, locator: Any) -> None:
    locator.wait_for()
    page.wait_for_function(f"(e) => ({IN_WINDOW})(e)", arg=locator.element_handle())


def test_one_click_drafts_and_the_draft_is_brought_into_view(server: str, page: Any) -> None:
    open_page(page, server, "", "Draft a reply")
    button = page.get_by_role("button", name="Draft reply")
    wait_idle(page)
    assert in_view(page, button), "the primary action is below the fold on first load"
    shot(page, "draft-first-load")

    page.get_by_label("…or paste its text").fill(PETITION)
    button.click()  # the one click: it also takes the text out of the box
    page.get_by_text("Drafted with").wait_for()
    wait_idle(page)
    start = page.locator(".st-key-ym-reply .ym-letter").first
    _wait_in_window(page, page.get_by_role("heading", name="Draft reply"))
    assert in_view(page, start), "the start of the draft is not in view after drafting"
    shot(page, "draft-drafted")
    for name, label in [("draft-details", "As of"), ("draft-downloads", "Download Markdown")]:
        page.get_by_text(label, exact=True).first.scroll_into_view_if_needed()  # to check no label is cut short
        shot(page, name)


def test_an_empty_box_says_what_to_do(server: str, page: Any) -> None:
    from playwright.sync_api import expect

    open_page(page, server, "", "Draft a reply")
    wait_idle(page)
    page.get_by_role("button", name="Draft reply").click()
    expect(page.get_by_text("There is nothing to reply to yet", exact=False)).to_be_visible()


def test_a_citation_highlights_the_sentence_it_rests_on_in_view(server: str, page: Any) -> None:
    from playwright.sync_api import expect

    _draft_with_one_click(page, server)
    body = page.locator(".st-key-ym-reply .ym-letter").all_inner_texts()
    citing = [strip_markers(s).strip() for s in split_sentences("\n\n".join(body)) if 1 in cited_numbers(s)]
    assert citing, body

    pill = page.get_by_role("radio", name="[1] P-06-1199")
    expect(pill).to_contain_text("Place Cardiff")  # reference, title and date, not only a date
    pill.click()
    mark = page.locator("mark.ym-cited").first
    _wait_in_window(page, mark)
    wait_idle(page)
    marked = " ".join(mark.inner_text().split())
    assert marked in {" ".join(c.split()) for c in citing}, (marked, citing)
    assert len(marked) < 500
    assert in_view(page, mark) and mark.evaluate(IN_BOX) is True
    assert "####" not in page.locator(".ym-doc").first.inner_text()
    shot(page, "draft-citation")


def test_clicking_a_marker_in_the_draft_opens_that_citation_and_keeps_the_session(server: str, page: Any) -> None:
    from playwright.sync_api import expect

    _draft_with_one_click(page, server)
    edit = page.get_by_role("textbox", name="Edit the draft")
    before = edit.input_value()
    markers = page.locator(".st-key-ym-reply span.ym-cite[data-cite]")
    numbers = sorted({int(n) for n in markers.evaluate_all("(ms) => ms.map((m) => m.dataset.cite)")})
    assert len(numbers) >= 2, numbers
    n = numbers[1]
    markers.filter(has_text=f"[{n}]").first.click()
    expect(page.get_by_role("radio", name=f"[{n}]", exact=False).first).to_have_attribute("aria-checked", "true")
    expect(page.locator("div.ym-source")).to_be_visible()
    expect(page.get_by_text(f"[{n}] P-06-", exact=False).first).to_be_visible()
    wait_idle(page)
    assert page.get_by_label("…or paste its text").input_value() == PETITION
    assert edit.input_value() == before  # the page did not reload: the session and the draft are kept
    shot(page, "draft-marker-clicked")

    first = markers.filter(has_text=f"[{numbers[0]}]").first  # from the keyboard: Tab to a marker, Enter
    first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("radio", name=f"[{numbers[0]}]", exact=False).first).to_have_attribute(
        "aria-checked", "true"
    )


def test_a_reload_keeps_the_draft_and_its_edit(server: str, page: Any) -> None:
    """Draft, edit, reload: the pasted text, the edited reply and its version on the desk are all there."""
    from playwright.sync_api import expect

    draft_petition(page, server)
    page.wait_for_url(lambda url: "item=" in url)  # the desk item is in the address
    wait_idle(page)
    box = page.get_by_role("textbox", name="Edit the draft")
    edited = box.input_value().replace("Yours sincerely", f"{RELOAD_EDIT}\n\nYours sincerely")
    box.fill(edited)
    box.press("Control+Enter")  # the edit is checked again, and kept as a version
    page.get_by_text("Your edits were checked again", exact=False).wait_for()
    expect(page.get_by_text("version 2", exact=False)).to_be_visible()
    wait_idle(page)

    page.reload(wait_until="domcontentloaded")
    page.get_by_role("heading", name="Draft a reply").wait_for()
    expect(page.get_by_role("textbox", name="Edit the draft")).to_have_value(edited, timeout=60_000)
    expect(page.get_by_label("…or paste its text")).to_have_value(PETITION)
    expect(page.get_by_text("version 2", exact=False)).to_be_visible()
