"""The official-source syncs as the app shows them, driven by streamlit.testing.v1.AppTest: a real
`sync_source` against the loopback Replay into the app's own store and desk, then the Corpus page's
Sources section (each source's latest run, its counts, a failure's error, the command for a source
never synced) and the labels on holding and superseded answers in search results and the document view."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import rag
from rag import Desk, load_settings, open_desk
from rag.errors import SourceError
from rag.sources.http import Fetcher
from rag.types import Passage
from tests.conftest import make_assistant
from tests.sources_replay import Fault, Replay
from tests.test_app import assert_clean, headings, markdown, search, start, store  # noqa: F401
from ui import sources as S
from ui.support import status_note, timeline_rows

HOLDING = "Holding answer: not drafted from"


@pytest.fixture
def synced(store: Path, embedder: Any) -> Desk:  # noqa: F811
    """The app's store after `ymateb sync parliament-wq --body 60 --since 2024-01-01` against Replay:
    3 new documents (UKWQ-1679800 a holding answer), 1 withdrawn skipped, 2 waiting put on the desk."""
    the_desk = open_desk(load_settings())
    with Replay() as replay:
        sync(replay, "parliament-wq", store, embedder, the_desk, body="60")
    return the_desk


def sync(replay: Replay, name: str, store: Path, embedder: Any, the_desk: Desk, **options: Any) -> rag.SyncSummary:  # noqa: F811
    fetcher = Fetcher(replay.url, rate=0, sleep=lambda s: None)
    assistant = make_assistant(store, embedder)
    return rag.sync_source(
        name, assistant, the_desk, since=date(2024, 1, 1), base_url=replay.url, fetcher=fetcher, **options
    )


def sources_table(at: AppTest) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if "put on the desk" in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0].set_index("source")


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def badges(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith(":orange-badge[")]


# ---------------------------------------------------------------------------- the Sources section


def test_the_corpus_page_shows_each_source_with_its_latest_sync(synced: Desk) -> None:
    at = start("corpus")
    table = sources_table(at)
    assert list(table.index) == ["parliament-wq"]  # the one source synced
    wq = table.loc["parliament-wq"]
    assert wq["status"] == "done" and wq["last run"].endswith(" UTC")
    assert wq[list(COUNTED)].to_dict() == COUNTED
    assert wq["read from"].startswith("http://127.0.0.1:")  # where this run read (a replay), not the default
    about = rag.official_sources()["uk-petitions"].about
    assert f"**uk-petitions** ({about}) has never been synced: run `ymateb sync uk-petitions`." in captions(at)
    assert "**senedd-letters** (" in captions(at) and "**parliament-wq** (" not in captions(at)
    assert "opt-in" in captions(at) and "Keeping the corpus current" in captions(at)
    assert not at.warning


# What the sync of `synced` did, as the table heads it.
COUNTED = {
    "new": 3,
    "updated": 0,
    "superseded": 0,
    "unchanged": 0,
    "skipped": 1,
    "waiting": 2,
    "put on the desk": 2,
}


def test_a_failed_sync_shows_its_error(store: Path, embedder: Any) -> None:  # noqa: F811
    the_desk = open_desk(load_settings())
    with Replay() as replay:
        replay.faults["/petitions.json"] = [Fault(404)]
        with pytest.raises(SourceError):
            sync(replay, "uk-petitions", store, embedder, the_desk)
    at = start("corpus")
    assert sources_table(at).loc["uk-petitions", "status"] == "failed"
    [warning] = at.warning
    assert warning.value.startswith("**uk-petitions**: the last sync failed: ")
    assert "HTTP 404 Not Found for /petitions.json" in warning.value


def test_an_unfinished_run_and_a_hostile_error_are_shown_as_text(store: Path) -> None:  # noqa: F811
    the_desk = open_desk(load_settings())
    the_desk.start_sync("senedd-letters", "http://127.0.0.1:9/<b>x</b>", "2024-01-01")  # begun, never finished
    failed = the_desk.start_sync("uk-petitions", "http://127.0.0.1:9", "2024-01-01")
    the_desk.finish_sync(failed, {"read": 0}, error="![x](http://127.0.0.1:9/leak) <img src=x onerror=alert(1)>")
    at = start("corpus")
    letters = sources_table(at).loc["senedd-letters"]
    assert letters["status"] == "running" and letters["last run"].startswith("began ")
    assert "**senedd-letters**: the sync begun" in captions(at) and "is running, or did not finish" in captions(at)
    [warning] = at.warning
    assert "<img" not in warning.value and "![" not in warning.value and "](http" not in warning.value
    assert "&#60;img src=x onerror=alert(1)&#62;" in warning.value


def run(status: str, started: datetime, finished: datetime | None = None) -> rag.SyncRunRow:
    return rag.SyncRunRow(1, "parliament-wq", "http://x", started, finished, status, None, None, {"new": 1}, None)


NOW = datetime(2026, 3, 2, 12, 0)
HOURS = timedelta(hours=1)


@pytest.mark.parametrize(
    ("row", "status", "when", "hint"),
    [
        (run("done", NOW - 5 * HOURS, NOW - 4 * HOURS), "done", "2026-03-02 08:00 UTC", ""),
        (run("failed", NOW - 5 * HOURS, NOW - 4 * HOURS), "failed", "2026-03-02 08:00 UTC", ""),
        (run("running", NOW - HOURS / 12), "running", "began 2026-03-02 11:55 UTC", "is running, or did not"),
        (run("running", NOW - 3 * HOURS), "did not finish", "began 2026-03-02 09:00 UTC", "09:00 UTC did not finish;"),
    ],
    ids=["done", "failed", "running", "killed"],
)
def test_a_sync_row_says_how_the_latest_run_stands(row: rag.SyncRunRow, status: str, when: str, hint: str) -> None:
    latest = {"parliament-wq": row, "uk-petitions": None}
    [shown] = S.sync_rows(latest, NOW)
    assert (shown["source"], shown["status"], shown["last run"]) == ("parliament-wq", status, when)
    assert (shown["new"], shown["updated"], shown["read from"]) == (1, 0, "http://x")
    said = S.hints(latest, {"uk-petitions": "Petitions"}, NOW)
    assert said[-1] == "**uk-petitions** (Petitions) has never been synced: run `ymateb sync uk-petitions`."
    assert hint in said[0] if hint else len(said) == 1


# ---------------------------------------------------------------------------- holding and superseded answers


def test_a_holding_answer_is_labelled_in_the_results_and_the_document_view(synced: Desk) -> None:
    at = search(start("precedents"), "school buildings with reinforced autoclaved aerated concrete")
    shown = [m.value for m in at.markdown]
    heading = next(i for i, v in enumerate(shown) if v.startswith("**8200 · "))
    assert HOLDING in shown[heading + 1]  # the label right under the result's heading
    assert len([b for b in badges(at) if HOLDING in b]) == 1  # that document only
    at.button(key="open_UKWQ-1679800").click().run()
    assert_clean(at)
    assert len([b for b in badges(at) if HOLDING in b]) == 2  # and in the document, opened

    corpus = start("corpus")
    corpus.selectbox(key="corpus_doc").set_value("UKWQ-1679800").run()
    assert_clean(corpus)
    assert [HOLDING in b for b in badges(corpus)] == [True]
    corpus.selectbox(key="corpus_doc").set_value("UKWQ-1679703").run()  # an answer drafted from: no label
    assert badges(corpus) == []


def test_a_superseded_answer_names_its_correction(store: Path, embedder: Any) -> None:  # noqa: F811
    the_desk = open_desk(load_settings())
    with Replay() as replay:
        sync(replay, "parliament-wq", store, embedder, the_desk, body="60")
        replay.publish_correction()
        assert sync(replay, "parliament-wq", store, embedder, the_desk, body="60").superseded == 1
    at = search(start("precedents"), "flexi-job apprenticeship agencies starts and completions")
    assert any(b.endswith("Superseded by UKWQ-1679416: not drafted from]") for b in badges(at)), badges(at)
    table = start("corpus")
    assert sources_table(table).loc["parliament-wq", "superseded"] == 1


def test_status_notes_and_the_timeline_standing() -> None:
    assert status_note(None) == "" and status_note("holding") == HOLDING
    assert status_note("superseded", "UKWQ-9") == "Superseded by UKWQ-9: not drafted from"

    def answer(doc_id: str, day: str, **meta: Any) -> Passage:
        text = "The department funds attendance mentors in ten areas."
        meta = {"kind": "written_question", "date": day, **meta}
        return Passage(doc_id, f"{doc_id}:0", text, 0, len(text), 1.0, meta)

    rows = timeline_rows(
        [
            answer("a", "2024-01-01"),
            answer("b", "2024-02-01", status="holding"),
            answer("c", "2024-03-01", status="superseded", superseded_by="d"),
        ]
    )
    assert [r["line"] for r in rows] == ["latest line", "holding reply", "superseded by d"]
