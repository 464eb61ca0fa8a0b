"""What every page shares: the session's settings, the one cached Assistant and Desk, the error boundary, CSS."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import streamlit as st

from rag import Assistant, Desk, Settings, YmatebError, build_assistant, escape_markdown, load_settings, open_desk
from ui.support import status_note

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
log = logging.getLogger("ymateb.app")

CSS = """
<style>
/* Room for the work on a 1366x768 laptop: less empty header, section headings a size below the title. */
[data-testid="stMainBlockContainer"] { padding-top: 2.75rem; padding-bottom: 3rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding-top: 0.25rem; }
/* Captions and help text at 4.5:1 or better (Streamlit's own grey is 3.9:1 on white). */
[data-testid="stCaptionContainer"] { color: #595959; opacity: 1; }
/* An uploader in a narrow column states its limits in full rather than cutting them short. */
[data-testid="stFileUploaderDropzoneInstructions"] * { white-space: normal !important; text-overflow: clip !important;
  overflow: visible !important; }
[data-testid="stMainBlockContainer"] h2 { font-size: 1.35rem; padding-top: 0.5rem; padding-bottom: 0.25rem; }
mark.ym-cited { background: #fff3a3; padding: 0.1em 0; border-radius: 2px; }
mark.ym-term { background: #ffe58a; padding: 0 0.1em; border-radius: 2px; }
mark.ym-warned { background: transparent; text-decoration: underline wavy #d97706; text-underline-offset: 3px; }
span.ym-cite { color: #1d4ed8; font-weight: 600; font-size: 0.85em; white-space: nowrap; }
del.ym-del { background: #fde2e2; color: #9b1c1c; }
ins.ym-ins { background: #def7e3; color: #14532d; text-decoration: none; }
div.ym-doc { font-family: Georgia, 'Times New Roman', serif; line-height: 1.55; }
div.ym-snippet { border-left: 3px solid #e5e7eb; padding-left: 0.75rem; margin-bottom: 0.75rem; }
div.ym-scroll { overflow-y: auto; border: 1px solid #d1d5db; border-radius: 0.5rem; padding: 0.75rem 1rem;
  margin-bottom: 1rem; }
div.ym-scroll:focus-visible { outline: 2px solid #1d4ed8; outline-offset: 2px; }
div.ym-plain { white-space: pre-wrap; }
div.ym-letter { font-family: Georgia, 'Times New Roman', serif; line-height: 1.55; margin-bottom: 0.6rem; }
</style>
"""


KIND_NAMES = {"petition": "Petition", "written_question": "Written question", "letter": "Letter"}  # request kinds
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def settings() -> Settings:
    """The settings, read from the environment once per session."""
    if "settings" not in st.session_state:
        st.session_state["settings"] = load_settings()
    return st.session_state["settings"]


@st.cache_resource(show_spinner=False)
def _assistant(key: str, _settings: Settings) -> Assistant:
    """One Assistant per distinct settings, shared by every session; seeds indexed on first start."""
    assistant = build_assistant(_settings)
    summary = assistant.ensure_seeded(SEEDS)
    if summary is not None:
        log.info("indexed the seed corpus: %s", summary.to_dict())
    return assistant


def assistant() -> Assistant:
    s = settings()
    with st.spinner("Opening the precedent index (the first start indexes the seed corpus)…"):
        return _assistant(s.model_dump_json(), s)


@st.cache_resource(show_spinner=False)
def _desk(key: str, _settings: Settings) -> Desk:
    """One Desk (and its connection pool) per distinct settings, shared by every session."""
    return open_desk(_settings)


def desk() -> Desk:
    """The desk of this session's settings: the saved queue, versions and audit trail."""
    s = settings()
    return _desk(s.model_dump_json(), s)


def upload_limit_mb() -> int:
    """The uploader's own limit in whole MB (the exact limit is checked again on the server)."""
    return max(1, math.ceil(settings().max_upload_mb))


# Streamlit's date pickers only reach ten years either side of today unless told otherwise.
EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


def date_field(container: object, label: str, key: str, help: str) -> None:
    """An optional date, kept across page switches, over the whole range precedents may span
    (empty unless the page has already put a value in the session)."""
    preset = {} if key in st.session_state else {"value": None}
    container.date_input(  # type: ignore[attr-defined]
        label,
        **preset,
        min_value=EARLIEST,
        max_value=LATEST,
        key=key,
        persist_state="session",
        format="YYYY-MM-DD",
        help=help,
    )


CHOSEN = "chosen_precedents"  # session key: precedents an official sent to the Draft page


def choose_precedent(doc_id: str, chunk_id: str | None = None) -> None:
    """Send a passage (`chunk_id`) or a whole document (None) to the Draft page as a chosen
    precedent, and go there. The Draft page lists st.session_state[CHOSEN], a list of
    {"doc_id": ..., "chunk_id": ... | None}, and drafts from those first."""
    chosen = st.session_state.setdefault(CHOSEN, [])
    entry = {"doc_id": doc_id, "chunk_id": chunk_id}
    if entry not in chosen:
        chosen.append(entry)
    st.switch_page("views/draft.py")


def status_badge(status: str | None, superseded_by: str | None = None) -> None:
    """Say plainly, beside a document, when it is kept only for reference: a holding or superseded
    answer from an official source (ui.support.status_note); nothing for one that is drafted from."""
    note = status_note(status, superseded_by)
    if note:
        st.badge(escape_markdown(note), icon=":material/block:", color="orange")


def scroll_box(markup: str, label: str, height: str, kind: str = "") -> None:
    """Trusted markup in a box of its own that scrolls (`height`, any CSS length), focusable and named
    `label` (escaped here) so a keyboard or screen-reader user can reach and scroll it too, which a
    Streamlit st.container(height=...) cannot be. `kind`: CSS classes to add."""
    html(
        f'<div class="ym-scroll {kind}" tabindex="0" role="region" aria-label="{escape_markdown(label)}" '
        f'style="height: {height}">{markup}</div>'
    )


def html(markup: str) -> None:
    """Trusted markup built by ui.support (every piece of user text in it is escaped)."""
    st.markdown(markup, unsafe_allow_html=True)


@contextmanager
def reported() -> Iterator[None]:
    """Show a failure inside the block as a message and carry on with the rest of the page.

    A YmatebError shows its own message; anything else a short note, never a traceback (the
    details go to the server log). Streamlit's rerun/stop signals are BaseExceptions and pass.
    """
    try:
        yield
    except YmatebError as exc:
        st.error(escape_markdown(str(exc)), icon=":material/error:")  # messages quote file names and ids
    except Exception as exc:
        log.exception("page failed")
        st.error(
            f"Something went wrong ({type(exc).__name__}). Your text and settings are kept: try again, "
            "and if it keeps happening, check the server log.",
            icon=":material/error:",
        )


def guard(render: Callable[[], None]) -> None:
    """Run a page inside the error boundary."""
    html(CSS)
    with reported():
        render()
