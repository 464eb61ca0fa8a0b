"""Download buttons that export what the page last checked, even when clicked straight after typing.

A text area commits its value when it loses focus, so typing into "Edit the draft" and clicking
"Download .docx" at once makes the browser send two messages: the click's download request and the
commit (a rerun carrying the new text). Data passed to st.download_button as bytes is what the run
before the commit prepared, so it would miss the edit. Here the button's data is a callable instead:
Streamlit runs it on the server when the button is clicked, on a thread of its own, outside any run.
It waits until the session has been quiet, with no run pending or running, for QUIET_SECONDS, then
exports what the latest run put in the session's `Latest` slot.

Why a quiet spell and not only "no run now": in Chromium the commit reaches the server just after
the download request (measured: within 0.1 s), because the text area hands its value to Streamlit
in a React effect that runs after the click. Once a run has been requested, the session holds a
script runner until the run is over; a rerun arriving meanwhile replaces it (fast reruns) and the
wait goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

T = TypeVar("T")
QUIET_SECONDS = 0.5  # no run for this long: no commit is still on its way from the browser
RUN_WAIT_SECONDS = 60.0  # longest a download waits for the runs carrying an edit
POLL_SECONDS = 0.02


class Latest(Generic[T]):
    """What this session's latest run prepared for download (one per session, in session_state)."""

    def __init__(self) -> None:
        self.value: T | None = None


def latest(key: str) -> Latest:
    """The session's slot named `key`, created on first use."""
    slot = st.session_state.get(key)
    if not isinstance(slot, Latest):
        slot = st.session_state[key] = Latest()
    return slot


def running(session_id: str) -> bool:
    """Is a run of this session pending or under way?"""
    session = runtime.get_instance().get_app_session(session_id) if runtime.exists() else None
    # Streamlit has no public flag for this: a session holds a script runner from the rerun request
    # (AppSession.request_rerun) until the run chain is over (its SHUTDOWN event).
    return session is not None and getattr(session, "_scriptrunner", None) is not None


def settled(session_id: str, quiet: float = QUIET_SECONDS, timeout: float = RUN_WAIT_SECONDS) -> bool:
    """Wait until the session has had no run for `quiet` seconds (False if `timeout` passed first)."""
    start = time.monotonic()
    calm_since = start
    while (now := time.monotonic()) - start < timeout:
        if running(session_id):
            calm_since = now
        elif now - calm_since >= quiet:
            return True
        time.sleep(POLL_SECONDS)
    return False


def deferred(slot: Latest[T], export: Callable[[T], bytes | str]) -> Callable[[], bytes | str]:
    """The data callable for st.download_button: `export` of the slot's value once runs settle."""
    ctx = get_script_run_ctx()
    session_id = ctx.session_id if ctx is not None else ""

    def data() -> bytes | str:
        settled(session_id)
        if slot.value is None:
            raise RuntimeError("nothing has been prepared for download yet")
        return export(slot.value)

    return data
