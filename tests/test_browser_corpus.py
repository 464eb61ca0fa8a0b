"""The Corpus page in real headless Chromium (tests/browser.py), at 1366x768 and 1920x1080: upload a
letter, see and correct what was detected before adding, find it in the listing, correct it again
after; page through a listing larger than a page; every label readable at both sizes.

The module's app is its own (a fresh store of the five seeds); the tests run in order and share it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser import TRUNCATED, open_page, shot, wait_idle

pytestmark = pytest.mark.browser

# A letter the detector files badly: no reference, no subject line, signed by a role only.
LETTER = """Cabinet Secretary for Housing and Local Government

12 March 2024

Dear Mr Evans,

Thank you for your letter about the numbat rehoming scheme in Powys.

The Welsh Government will fund numbat rehoming officers in every county from next April.

Yours sincerely,

Cabinet Secretary
"""


def grid_cell(page: Any, text: str) -> Any:
    """A cell of a table (Streamlit's grid paints a canvas; its cells are also in the DOM, unseen)."""
    return page.locator('td[role="gridcell"]', has_text=re.compile(f"^{re.escape(text)}$")).first


def listing_caption(page: Any) -> Any:
    return page.get_by_text("(page ", exact=False).first


def search_listing(page: Any, text: str) -> None:
    from playwright.sync_api import expect

    boxes = page.get_by_role("textbox", name="Search the documents")
    expect(boxes).to_have_count(1)  # (while a run replaces the listing, its old copy lingers a moment)
    boxes.fill(text)
    boxes.press("Enter")
    wait_idle(page)
    expect(boxes).to_have_count(1)


def test_upload_shows_what_was_detected_and_takes_corrections(server: str, page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    name = f"numbat-letter-{page.screen}.txt"  # one document per screen size (the app is shared)
    (tmp_path / name).write_text(LETTER, encoding="utf-8")
    open_page(page, server, "corpus", "Corpus")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(tmp_path / name))
    page.get_by_text("Detected in the files: check before adding").wait_for()
    wait_idle(page)
    kind = page.get_by_role("combobox", name="Kind").first  # the detected document's own fields
    title = page.get_by_role("textbox", name="Title").first
    expect(page.get_by_text(f"{name} · Unknown · 12 March 2024 · Cabinet Secretary", exact=False)).to_be_visible()
    expect(kind).to_have_value("Unknown")  # as detected (the value shown is the kind's label)
    expect(page.get_by_role("textbox", name="Author", exact=True).first).to_have_value("Cabinet Secretary")
    shot(page, "corpus-detected")

    kind.click()
    page.get_by_role("option", name="Petition response").click()
    title.fill(f"Numbat rehoming in Powys {page.screen}")
    title.press("Tab")
    wait_idle(page)
    page.get_by_role("button", name="Add to the index").click()
    grid_cell(page, "added").wait_for(state="attached")  # the results table: the file was added
    wait_idle(page)

    search_listing(page, f"Numbat rehoming in Powys {page.screen}")
    expect(listing_caption(page)).to_contain_text("of 1 ")
    picker = page.get_by_role("combobox", name="Document")
    expect(picker).to_have_value(f"Numbat rehoming in Powys {page.screen} · 12 March 2024")
    expect(page.get_by_role("combobox", name="Kind").last).to_have_value("Petition response")
    grid_cell(page, "Petition response").wait_for(state="attached")  # the listing's kind column
    grid_cell(page, f"Numbat rehoming in Powys {page.screen}").wait_for(state="attached")
    shot(page, "corpus-added-corrected")

    # ... and corrected again after adding: the listing follows
    edit_title = page.get_by_role("textbox", name="Title").last
    edit_title.fill(f"Numbat officers for every county {page.screen}")
    edit_title.press("Tab")
    wait_idle(page)
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Saved the changes to", exact=False).wait_for()
    wait_idle(page)
    search_listing(page, f"Numbat officers for every county {page.screen}")
    expect(listing_caption(page)).to_contain_text("of 1 ")
    search_listing(page, f"Numbat rehoming in Powys {page.screen}")
    page.get_by_text("No documents match.").wait_for()


def test_a_large_listing_pages_and_filters(server: str, page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    records = tmp_path / f"many-{page.screen}.jsonl"
    with records.open("w", encoding="utf-8") as fh:
        for i in range(30):
            fh.write(
                json.dumps(
                    {
                        "id": f"bulk-{page.screen}-{i:02d}",
                        "kind": "written_question",
                        "date": f"2020-01-{i + 1:02d}",
                        "ref": f"WQ{page.screen[:4]}{i:02d}",
                        "title": f"Bilby question {i:02d}",
                        "asked_of": "Minister for Bilbies",
                        "body": f"The Government keeps bilby colony {i} under review.",
                    }
                )
                + "\n"
            )
    open_page(page, server, "corpus", "Corpus")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(records))
    page.get_by_text("Detected in the files: check before adding").wait_for()
    wait_idle(page)
    page.get_by_role("button", name="Add to the index").click()
    grid_cell(page, "added").wait_for(state="attached")
    wait_idle(page)

    person = page.get_by_role("textbox", name="Author or asked of")
    person.fill("bilbies")
    person.press("Enter")
    wait_idle(page)
    search_listing(page, f"WQ{page.screen[:4]}")
    expect(listing_caption(page)).to_contain_text("Documents 1–25 of 30 (page 1 of 2)")
    page.get_by_role("button", name="Next").click()
    expect(listing_caption(page)).to_contain_text("Documents 26–30 of 30 (page 2 of 2)")
    picker = page.get_by_role("combobox", name="Document")
    expect(picker).to_have_value(re.compile(r"Bilby question 04 · 5 January 2020$"))  # newest first: page 2 ends at 01
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    shot(page, "corpus-page-2")
    search_listing(page, f"WQ{page.screen[:4]}07")  # back to page 1 of the new search
    expect(listing_caption(page)).to_contain_text("Documents 1–1 of 1 (page 1 of 1)")
    expect(picker).to_have_value(re.compile("Bilby question 07"))


def test_every_label_on_the_corpus_page_is_readable(server: str, page: Any) -> None:
    open_page(page, server, "corpus", "Corpus")
    page.get_by_text("Documents in the index").wait_for()
    wait_idle(page)
    page.get_by_text("Embedding model").wait_for()
    assert page.evaluate(TRUNCATED) == []
    shot(page, "corpus-labels")
