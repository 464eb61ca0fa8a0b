"""The Evaluation page and the Word download in real headless Chromium (tests/browser.py), at
1366x768 and 1920x1080: progress until the report is drawn, the below-baseline verdict, "n/a"
not "None", compare over shared cases, no free path for a result file, the .docx file name."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.browser import draft_petition, open_page, shot, wait_idle

pytestmark = pytest.mark.browser


CELLS = '[data-testid="stDataFrame"] table[role="grid"] td'


def grid_cells(page: Any) -> list[str]:
    """The text of every data-grid cell on the page (glide-data-grid's accessibility table)."""
    return [t.strip() for t in page.locator(CELLS).all_text_contents()]


# Records, at every change of the page, whether the run's busy box, its "done" label, the report's
# summary and its last part (the case detail) are on the page.
WATCH = """() => {
    window.__ymSeen = [];
    const look = () => {
        const text = document.body.innerText;
        window.__ymSeen.push({
            busy: /Running the evaluation|Drawing the report/.test(text),
            done: /report drawn/.test(text),
            report: text.includes("Summary against both baselines"),
            detail: text.includes("Draft against the real answer, word by word"),
        });
    };
    new MutationObserver(look).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def run_suite(page: Any, limit: int) -> None:
    page.get_by_role("spinbutton", name="Only the first N cases").fill(str(limit))
    page.get_by_role("button", name="Run evaluation").click()
    page.get_by_text("report drawn").wait_for(timeout=180_000)


def test_a_run_shows_progress_until_the_report_is_drawn_and_says_it_is_below_the_baseline(
    server: str, page: Any
) -> None:
    from playwright.sync_api import expect

    open_page(page, server, "evaluation", "Evaluation")
    page.evaluate(WATCH)
    page.get_by_role("button", name="Run evaluation").click()
    done = page.get_by_text(re.compile(r"Done: 3 case\(s\) in [\d.]+ s: report drawn"))
    done.wait_for(timeout=180_000)
    expect(page.locator('[data-testid="stImage"] img')).to_have_count(2)
    expect(page.get_by_text("One case in detail")).to_be_visible()
    seen = page.evaluate("window.__ymSeen")
    trace = " ".join("".join(k[0] if v else "." for k, v in s.items()) for s in seen)  # b d r d: busy done ...
    first_busy = next(i for i, s in enumerate(seen) if s["busy"])
    assert all(s["busy"] or s["done"] for s in seen[first_busy:]), trace  # never a moment without either
    first_report = next(i for i, s in enumerate(seen) if s["report"])
    assert seen[first_report]["busy"] and not seen[first_report]["done"], trace  # came in under the busy box
    first_done = next(i for i, s in enumerate(seen) if s["done"])
    assert all(s["report"] and s["detail"] for s in seen[first_done:]), trace  # done once all was drawn
    verdict = page.locator('[data-testid="stAlert"]').filter(has_text="Below the baseline.")
    expect(verdict).to_be_visible()
    expect(verdict).to_contain_text("sending the nearest earlier reply unchanged would have matched the real answers")
    expect(verdict).to_contain_text("Gap closed -")
    wait_idle(page)
    page.locator(CELLS).filter(has_text="n/a").first.wait_for(state="attached")
    cells = grid_cells(page)
    assert "n/a" in cells and "None" not in cells and "nan" not in cells
    assert page.get_by_text("n/a: the baseline is not scored on this metric", exact=False).count() == 1
    verdict.scroll_into_view_if_needed()
    shot(page, "evaluation-report")
    page.get_by_text("Cases (click a column heading to sort)").scroll_into_view_if_needed()
    shot(page, "evaluation-cases")


def test_compare_is_over_the_cases_both_runs_share(server: str, page: Any) -> None:
    from playwright.sync_api import expect

    open_page(page, server, "evaluation", "Evaluation")
    run_suite(page, 2)
    run_suite(page, 3)
    wait_idle(page)
    page.get_by_role("tab", name="Compare two runs").click()
    warning = page.get_by_text("The runs hold different cases: run A has 2, run B 3, and they share 2.")
    expect(warning).to_be_visible()
    expect(page.get_by_text("over those 2 shared case(s) only", exact=False)).to_be_visible()
    wait_idle(page)
    page.locator(CELLS).filter(has_text="ROUGE-L F1 (nearest precedent)").first.wait_for(state="attached")
    cells = grid_cells(page)
    assert "ROUGE-L F1" in cells and "ROUGE-L F1 (nearest precedent)" in cells
    assert "rougeL_f1" not in cells and "baselines.nearest_precedent.rougeL_f1" not in cells
    shot(page, "evaluation-compare")


def test_a_result_file_is_picked_from_the_runs_folder_never_typed(server: str, page: Any) -> None:
    from playwright.sync_api import expect

    open_page(page, server, "evaluation", "Evaluation")
    expect(page.get_by_role("textbox", name="…or its path")).to_have_count(0)
    page.get_by_role("combobox", name="…or a saved run").click()
    options = page.get_by_role("option").all_inner_texts()
    assert options and all(o.startswith("evals/reports/") for o in options), options
    page.keyboard.press("Escape")
    shot(page, "evaluation-picker")


def test_the_word_download_is_named_after_the_petition_and_can_leave_out_the_markers(
    server: str, page: Any, tmp_path: Path
) -> None:
    from docx import Document
    from playwright.sync_api import expect

    draft_petition(page, server)
    wait_idle(page)
    keep = page.get_by_role("checkbox", name="Keep the [n] markers in the letter")
    expect(keep).to_be_checked()
    keep.uncheck(force=True)
    page.get_by_text("The downloads leave the [n] markers out of the letter").wait_for()  # the run for the tick
    wait_idle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download .docx").click()
    name = info.value.suggested_filename
    assert name == f"P-06-1199-place-cardiff-childrens-services-special-measures-{date.today().isoformat()}.docx"
    saved = tmp_path / name
    info.value.save_as(saved)
    doc = Document(str(saved))
    paras = [p.text for p in doc.paragraphs]
    assert paras[0].startswith("AI-assisted draft")
    letter, sources = paras[: paras.index("Sources")], paras[paras.index("Sources") + 1 :]
    assert "Dear Jack," in letter and not any(re.search(r"\[\d+\]", p) for p in letter)
    assert sources and sources[0].startswith("[1] ")
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert doc.core_properties.author == "Ymateb" and doc.core_properties.title.startswith("Draft reply to P-06-1199")
    shot(page, "draft-download")
