"""Offline and accessible, as a browser meets it: no request leaves the machine, axe-core (run in the
page) finds nothing serious or critical, headings go down one level at a time, every control is
named, and no label or value is cut short. At 1366x768 and 1920x1080 (tests/browser.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import TRUNCATED, open_page, shot, wait_idle
from tests.conftest import PETITION

pytestmark = pytest.mark.browser

PAGES = [("", "Draft a reply"), ("precedents", "Precedents"), ("corpus", "Corpus"), ("evaluation", "Evaluation")]
SERIOUS = ("serious", "critical")

# The heading levels of the page's main area, in document order (hidden ones left out).
_SELECTOR = ", ".join(f'[data-testid="stMain"] h{n}' for n in range(1, 7))
HEADINGS = f"""() => [...document.querySelectorAll('{_SELECTOR}')]
    .filter((h) => h.offsetParent !== null).map((h) => [Number(h.tagName[1]), h.innerText.trim()])"""


def axe_findings(page: Any) -> list[str]:
    """What axe-core (bundled by axe-playwright-python, injected into the page) reports as serious
    or critical, one line per rule with the elements it names."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in SERIOUS
    ]


def heading_skips(page: Any) -> list[str]:
    """Each heading that goes more than one level below the one before it (h1 then h3), and a page
    whose first heading is not its h1."""
    levels = page.evaluate(HEADINGS)
    problems = [] if levels and levels[0][0] == 1 else [f"the first heading is not an h1: {levels[:1]}"]
    for (before, _), (level, text) in zip(levels, levels[1:]):
        if level > before + 1:
            problems.append(f"h{before} then h{level} ({text!r})")
    return problems


def check(page: Any, where: str) -> None:
    wait_idle(page)
    page.wait_for_timeout(300)  # Streamlit fades elements in after the run: audit the settled page
    findings = axe_findings(page) + heading_skips(page) + [f"cut short: {t!r}" for t in page.evaluate(TRUNCATED)]
    shot(page, f"a11y-{where}")
    assert findings == [], f"{where}: {findings}"


def test_every_page_is_accessible_and_offline_as_it_loads(server: str, page: Any) -> None:
    for path, heading in PAGES:
        open_page(page, server, path, heading)
        check(page, path or "draft")
    icon = page.locator("link[rel~='icon']").first.get_attribute("href") or ""
    assert icon.startswith((server, "/", "data:")), f"the tab icon comes from elsewhere: {icon}"
    assert page.elsewhere == []


def test_a_drafted_reply_with_its_sources_is_accessible(server: str, page: Any) -> None:
    """The busiest page: the draft, its warnings, the citations with one open (the cited sentence
    marked in its passage), the edit box and the downloads."""
    from playwright.sync_api import expect

    open_page(page, server, "", "Draft a reply")
    page.get_by_label("…or paste its text").fill(PETITION)
    page.get_by_role("button", name="Draft reply").click()
    page.get_by_text("Drafted with").wait_for()
    expect(page.locator("span.ym-cite").first).to_be_visible()
    page.get_by_role("radio", name="[1]", exact=False).first.click()
    page.locator("mark.ym-cited").first.wait_for()  # the cited sentence marked in its passage
    check(page, "drafted")


def test_search_results_and_their_timeline_are_accessible(server: str, page: Any) -> None:
    open_page(page, server, "precedents", "Precedents")
    page.get_by_role("textbox", name="Search").fill("special measures for children's services")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("P-06-1199").first.wait_for()
    check(page, "searched")


def test_the_request_recorder_would_catch_an_outside_request(server: str, page: Any) -> None:
    """The positive control for the harness's rule: a request off the machine is refused and
    recorded (so an empty record means none was made, not that none could be seen)."""
    open_page(page, server, "", "Draft a reply")
    page.evaluate("fetch('https://fonts.gstatic.com/s/probe.woff2').catch(() => null)")
    page.wait_for_function("() => true")
    for _ in range(50):
        if page.elsewhere:
            break
        page.wait_for_timeout(100)
    assert page.elsewhere == ["https://fonts.gstatic.com/s/probe.woff2"]
    page.elsewhere.clear()  # seen and refused: the harness's own check at teardown now passes


def test_an_open_document_is_accessible(server: str, page: Any) -> None:
    open_page(page, server, "precedents", "Precedents")
    page.get_by_role("textbox", name="Search").fill("special measures for children's services")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Open document").first.click()
    page.get_by_role("dialog").locator("mark.ym-term").first.wait_for()
    check(page, "document-open")


def test_an_evaluation_report_is_accessible(server: str, page: Any) -> None:
    open_page(page, server, "evaluation", "Evaluation")
    page.get_by_role("button", name="Run evaluation").click()
    page.get_by_text("One case in detail").wait_for()
    page.locator('[data-testid="stImage"] img').nth(1).wait_for()
    check(page, "evaluated")
