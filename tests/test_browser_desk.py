"""The Desk page in real Chromium at 1366x768 and 1920x1080 (tests/browser.py): a typed name, a day's
CSV of written questions uploaded, added (two near-identical questions share one item), drafted as a
batch, an item opened and edited into a new version; after a reload the item, the edit, its versions
and the name are all still there, and the zip of replies holds the edited letter and the tracker;
the page passes the accessibility checks (axe-core, heading levels, nothing cut short)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.browser import open_page, shot, wait_idle
from tests.test_browser_a11y import check
from tests.test_desk_page import QUESTIONS_CSV

pytestmark = pytest.mark.browser

EDIT = "Officials will write to each member with the latest inspection figures."
NAME = "Ann Jones"
SLOW = 240_000  # ms: the first batch embeds its questions and drafts three replies on a loaded machine


def _name_and_upload(page: Any, server: str) -> None:
    open_page(page, server, "desk", "Desk")
    wait_idle(page)
    name = page.get_by_role("textbox", name="Your name")
    name.fill(NAME)
    name.press("Enter")
    page.wait_for_url(lambda url: "who=Ann" in url)  # kept in the address, for a reload
    wait_idle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "day.csv", "mimeType": "text/csv", "buffer": QUESTIONS_CSV.encode()}]
    )
    page.get_by_text("3 read").wait_for(timeout=SLOW)
    wait_idle(page)


def _add_and_draft(page: Any) -> None:
    page.get_by_role("button", name="Add to the desk").click()
    page.get_by_text("2 item(s) on the queue", exact=False).wait_for(timeout=SLOW)
    wait_idle(page)
    page.get_by_role("button", name="Draft the batch").click()
    page.get_by_text("Batch drafted: 2 item(s) answering 3 request(s)", exact=False).wait_for(timeout=SLOW)
    wait_idle(page)


def _open_group(page: Any) -> str:
    """Open the item answering WQ101 and WQ102 with the "Open item" select; its heading."""
    picker = page.get_by_role("combobox", name="Open item")
    picker.click()
    page.keyboard.type("WQ101, WQ102")  # the select filters its options as one types
    option = page.get_by_role("option").filter(has_text="WQ101, WQ102").first
    option.wait_for()
    option.click()
    heading = page.get_by_role("heading", name="Item ").first
    heading.wait_for()
    wait_idle(page)
    return str(heading.inner_text())


def _edit_and_save(page: Any) -> None:
    from playwright.sync_api import expect

    box = page.get_by_role("textbox", name="Edit version 1")
    expect(box).to_have_value(re.compile(r"^WQ101, WQ102"))  # the box may mount a moment before its text
    text = box.input_value()
    assert text.startswith("WQ101, WQ102") and "[1]" in text  # one reply answers the group
    box.fill(f"{text.rstrip()}\n\n{EDIT}\n")
    page.get_by_role("button", name="Save as new version").click()
    page.get_by_text("Saved your edit of version 1 as version 2", exact=False).wait_for(timeout=SLOW)
    wait_idle(page)


def test_a_batch_is_drafted_edited_and_still_there_after_a_reload(server: str, page: Any, tmp_path: Path) -> None:
    from docx import Document
    from playwright.sync_api import expect

    _name_and_upload(page, server)
    shot(page, "desk-batch-read")
    _add_and_draft(page)
    heading = _open_group(page)
    _edit_and_save(page)
    shot(page, "desk-item")

    page.reload(wait_until="domcontentloaded")
    page.get_by_role("heading", name=heading).wait_for()
    wait_idle(page)
    expect(page.get_by_role("textbox", name="Your name")).to_have_value(NAME)
    expect(page.get_by_role("textbox", name="Edit version 2")).to_have_value(re.compile(re.escape(EDIT)))
    versions = page.locator('[data-testid="stDataFrame"]').filter(has_text="Edited from v1")
    expect(versions).to_have_count(1)
    expect(versions).to_contain_text("Drafted")
    expect(versions).to_contain_text(NAME)

    with page.expect_download() as info:
        page.get_by_role("button", name="Download replies (.zip)").click()
    saved = tmp_path / "replies.zip"
    info.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        assert "tracker.csv" in names and len([n for n in names if n.endswith(".docx")]) == 2, names
        rows = list(csv.DictReader(io.StringIO(archive.read("tracker.csv").decode("utf-8"))))
        assert sorted(r["reference"] for r in rows) == ["WQ101", "WQ102", "WQ103"]
        reply = next(r["reply_file"] for r in rows if r["reference"] == "WQ101")
        letter = "\n".join(p.text for p in Document(io.BytesIO(archive.read(reply))).paragraphs)
    assert EDIT in letter
    assert {r["version"] for r in rows if r["reference"] in ("WQ101", "WQ102")} == {"2"}
    shot(page, "desk-after-reload")
    check(page, "desk-item")  # axe-core, heading levels, nothing cut short, with an item open
