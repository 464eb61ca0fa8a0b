"""The Corpus page's Sources section: each official source (rag.official_sources) and its latest
`ymateb sync` run as the desk recorded it. Syncing is not started from the app: it is opt-in, run
from the command line or a schedule (README, "Keeping the corpus current")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import streamlit as st

from rag import escape_markdown, official_sources
from ui.common import desk, reported
from ui.support import utc_time

if TYPE_CHECKING:
    from rag import SyncRunRow

STALE = timedelta(hours=1)  # a run still "running" after this long was stopped before it finished
DID_NOT_FINISH = "did not finish"
# The counts of a run shown (SyncSummary.counts), as the table heads them, and what each means.
COUNTS = {
    "new": ("new", "Documents the index did not have"),
    "updated": ("updated", "Documents the index had in another version (an answer after a holding one ...)"),
    "superseded": ("superseded", "Original answers kept as superseded by a correction"),
    "unchanged": ("unchanged", "Documents read again, the same as the index has them"),
    "skipped": ("skipped", "Records not ingested (withdrawn, or unreadable)"),
    "waiting": ("waiting", "Questions and petitions read that wait for an answer"),
    "queued": ("put on the desk", "Of those waiting, the ones put on the desk's queue (the rest were on it)"),
}


def standing(run: SyncRunRow, now: datetime) -> str:
    """done | failed | running | did not finish (a run begun over STALE ago and never ended)."""
    if run.status == "running" and now - run.started_at > STALE:
        return DID_NOT_FINISH
    return run.status


def when(run: SyncRunRow) -> str:
    """When it finished; for a run that never did, when it began."""
    return utc_time(run.finished_at) if run.finished_at else f"began {utc_time(run.started_at)}"


def sync_rows(latest: Mapping[str, SyncRunRow | None], now: datetime) -> list[dict[str, Any]]:
    """A row for each source synced at least once: its latest run, as of `now` (naive UTC, as stored)."""
    return [
        {
            "source": name,
            "last run": when(run),
            "status": standing(run, now),
            **{label: int(run.counts.get(key) or 0) for key, (label, _) in COUNTS.items()},
            "read from": run.base_url,
        }
        for name, run in latest.items()
        if run is not None
    ]


def failures(latest: Mapping[str, SyncRunRow | None]) -> list[str]:
    """Each failed latest run's error, as escaped Markdown (the error quotes the address it read)."""
    return [
        f"**{escape_markdown(name)}**: the last sync failed: {escape_markdown(run.error or 'no reason recorded')}"
        for name, run in latest.items()
        if run is not None and run.status == "failed"
    ]


def hints(latest: Mapping[str, SyncRunRow | None], about: Mapping[str, str], now: datetime) -> list[str]:
    """A source never synced, what it is and the command that syncs it; a run that did not finish.
    As escaped Markdown."""
    out = []
    for name, run in latest.items():
        shown = escape_markdown(name)
        if run is None:
            what = escape_markdown(about.get(name, ""))
            out.append(f"**{shown}** ({what}) has never been synced: run `ymateb sync {name}`.")
        elif run.status == "running":
            said = "did not finish" if standing(run, now) == DID_NOT_FINISH else "is running, or did not finish"
            began = utc_time(run.started_at)
            out.append(f"**{shown}**: the sync begun {began} {said}; the next run reads the same days again.")
    return out


def section() -> None:
    st.header("Sources")
    st.caption(
        "The official sources that keep the corpus current, and each one's latest sync. Syncing is opt-in: "
        "it runs from the command line (`ymateb sync SOURCE`) or on a schedule, not from this page; see "
        "\u201cKeeping the corpus current\u201d in the README."
    )
    with reported():
        sources = official_sources()
        the_desk = desk()
        latest = {name: next(iter(the_desk.sync_runs(name, limit=1)), None) for name in sources}
        now = datetime.now(UTC).replace(tzinfo=None)  # the desk stores naive UTC
        rows = sync_rows(latest, now)
        if rows:
            st.dataframe(
                rows,
                hide_index=True,
                width="stretch",
                key="corpus_sources",
                column_config={
                    label: st.column_config.NumberColumn(label, help=help, format="%d")
                    for label, help in COUNTS.values()
                },
            )
        for line in failures(latest):
            st.warning(line, icon=":material/sync_problem:")
        for line in hints(latest, {name: s.about for name, s in sources.items()}, now):
            st.caption(line)
