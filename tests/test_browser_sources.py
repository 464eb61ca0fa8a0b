"""The Corpus page's Sources section in real headless Chromium (tests/browser.py), at 1366x768 and
1920x1080: after `sync_source("parliament-wq", ...)` against the loopback Replay into the server's
store, the page shows that source's run with its counts, and the command for a source never synced."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import rag
from rag import Settings, open_desk
from rag.sources.http import Fetcher
from tests.browser import TRUNCATED, open_page, running_app, shot, wait_idle
from tests.conftest import make_assistant
from tests.sources_replay import Replay
from tests.test_browser_corpus import grid_cell

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seeded_store: Path, embedder: Any, screen: str) -> Iterator[str]:
    """The app over a copy of the seeded store, synced from Replay before it starts (as a scheduled
    `ymateb sync parliament-wq --body 60` would leave it)."""
    work = tmp_path_factory.mktemp(f"sources-server-{screen}")
    store = work / "store"
    shutil.copytree(seeded_store, store)
    with Replay() as replay:
        fetcher = Fetcher(replay.url, rate=0, sleep=lambda s: None)
        desk = open_desk(Settings(store=store))
        summary = rag.sync_source(
            "parliament-wq",
            make_assistant(store, embedder),
            desk,
            since=date(2024, 1, 1),
            body="60",
            base_url=replay.url,
            fetcher=fetcher,
        )
    assert (summary.new, summary.queued) == (3, 2)
    with running_app(work) as url:
        yield url


def test_the_sources_section_shows_the_latest_sync_and_its_counts_and_holding_answers_are_labelled(
    server: str, page: Any
) -> None:
    from playwright.sync_api import expect

    open_page(page, server, "corpus", "Corpus")
    page.get_by_role("heading", name="Sources").wait_for()
    wait_idle(page)
    row = page.locator('tr[role="row"]', has=grid_cell(page, "parliament-wq"))
    expect(row).to_have_count(1)
    cells = row.locator('td[role="gridcell"]')
    shown = [c.strip() for c in cells.all_text_contents()]
    # source, last run, status, new, updated, superseded, unchanged, skipped, waiting, put on the desk
    assert shown[0] == "parliament-wq" and shown[1].endswith(" UTC"), shown
    assert shown[2:10] == ["done", "3", "0", "0", "0", "1", "2", "2"], shown
    hint = page.get_by_text("has never been synced: run ymateb sync uk-petitions", exact=False)
    expect(hint).to_be_visible()
    page.get_by_role("heading", name="Sources").scroll_into_view_if_needed()
    shot(page, "corpus-sources")
    assert page.evaluate(TRUNCATED) == []
    # ... and what it brought in: the holding answer, found, is labelled as not drafted from
    open_page(page, server, "precedents", "Precedents")
    box = page.get_by_role("textbox", name="Search")
    box.fill("school buildings with reinforced autoclaved aerated concrete")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("passage(s) in").wait_for()
    wait_idle(page)
    label = page.get_by_text("Holding answer: not drafted from")
    expect(label).to_have_count(1)
    expect(label).to_be_visible()
    label.scroll_into_view_if_needed()
    shot(page, "precedents-holding")
