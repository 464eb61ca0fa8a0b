"""Download buttons that export what the page last checked, even when clicked straight after typing.

A text area commits its value when it loses focus, so typing into "Edit the draft" and clicking
"Download .docx" at once sends the browser's commit (a rerun carrying the new text) and then the
click. Data passed to st.download_button is what the run before the commit prepared, so it would
miss the edit. Here the button's data is a callable instead: Streamlit runs it on the server when
the button is clicked (on a thread of its own, not in a run). It waits until this session has no
run pending or running, then exports the value the latest run put in the session's `Latest` slot.

The wait is sound because the browser sends the commit before the click on one websocket, and the
server handles the two in order: the commit's rerun is requested (the session gets a script runner)
before the download is dispatched, and the runner is dropped only once that run is over.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

T = TypeVar("T")
RUN_WAIT_SECONDS = 60.0  # longest a download waits for the run carrying an edit
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


def settled(session_id: str, timeout: float = RUN_WAIT_SECONDS) -> bool:
    """Wait until the session has no run pending or running (False if `timeout` passed first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        session = runtime.get_instance().get_app_session(session_id) if runtime.exists() else None
        # Streamlit keeps no public flag for "a run is requested": the session holds a script runner
        # from the rerun request until the run chain has ended (AppSession.request_rerun, SHUTDOWN).
        if session is None or getattr(session, "_scriptrunner", None) is None:
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
