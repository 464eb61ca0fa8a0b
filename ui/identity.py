"""Who is working: signed in through Streamlit's OpenID Connect login, or a name typed in the sidebar.

With an `[auth]` section in .streamlit/secrets.toml the sidebar offers "Sign in" / "Sign out" and
the name (or email) the identity provider gives is recorded as verified. Without one, a person types
their name; it is recorded as typed and marked unverified. The typed name is kept in the address
(?who=...), so a reload or a bookmark keeps it, and in the session, so moving between pages does too.
"""

from __future__ import annotations

import logging

import streamlit as st

from rag import Who, escape_markdown

NAME_KEY = "who_name"  # the sidebar's name box (session state)
PARAM = "who"  # the query parameter that keeps a typed name across a reload
NAME_NEEDED = (
    "Enter your name in the sidebar first (\u201cYour name\u201d): every change on the desk records who made it."
)
SIGN_IN_NEEDED = "Sign in first (in the sidebar): every change on the desk records who made it."
LOGIN_PROBLEM = "who_login_problem"  # session key: why the last sign-in could not start
log = logging.getLogger("ymateb.app")
UNVERIFIED = "Not signed in: your name is recorded as typed, unverified."


def login_configured() -> bool:
    """Whether Streamlit's OpenID Connect login is set up (an [auth] section in the secrets). A
    missing or unreadable secrets.toml means no login, not an error."""
    try:
        return "auth" in st.secrets
    except Exception:  # StreamlitSecretNotFoundError, a malformed file: no login
        return False


def who() -> Who | None:
    """Who is acting now: the signed-in user (verified), the typed name (unverified), or None."""
    if login_configured():
        return _signed_in()
    name = _typed_name()
    return Who(name, verified=False) if name else None


def name_needed() -> str:
    """What to tell someone who tried to change something without saying who they are."""
    return SIGN_IN_NEEDED if login_configured() else NAME_NEEDED


def _signed_in() -> Who | None:
    user = st.user
    if not user.is_logged_in:
        return None
    name = str(user.get("name") or user.get("email") or "").strip()
    return Who(name[:200], verified=True) if name else None


def _typed_name() -> str:
    value = st.session_state.get(NAME_KEY)
    if value is None:
        value = st.query_params.get(PARAM, "")
    return " ".join(str(value).split())[:200]


def identity_panel() -> None:
    """The sidebar's sign-in: "Sign in" / "Sign out", or the "Your name" box."""
    if login_configured():
        _login_panel()
    else:
        _name_panel()


def _login_panel() -> None:
    person = _signed_in()
    if person is None:
        st.caption("Sign in so your changes on the desk are recorded under your name.")
        st.button("Sign in", icon=":material/login:", on_click=_sign_in, key="who_sign_in")
        problem = st.session_state.pop(LOGIN_PROBLEM, None)
        if problem:
            st.error(escape_markdown(problem), icon=":material/error:")
        return
    st.caption(f"Signed in as **{escape_markdown(person.name)}**.")
    st.button("Sign out", icon=":material/logout:", on_click=st.logout, key="who_sign_out")


def _sign_in() -> None:
    """Start the sign-in; a setup problem (the [auth] section incomplete, Authlib not installed) is
    said in the sidebar rather than raised from the button's callback, outside the page's boundary."""
    try:
        st.login()
    except Exception as exc:  # StreamlitAuthError, StreamlitMissingAuthlibError
        log.warning("sign-in failed: %s", exc)
        st.session_state[LOGIN_PROBLEM] = f"Sign-in is not available: {exc}"


def _name_panel() -> None:
    if NAME_KEY not in st.session_state:  # first run of the session: the name kept in the address
        st.session_state[NAME_KEY] = _typed_name()
    st.text_input(
        "Your name",
        key=NAME_KEY,
        max_chars=200,
        help="Recorded with every change you make on the desk. " + UNVERIFIED,
    )
    st.caption(UNVERIFIED)
    name = _typed_name()
    if name:
        st.query_params[PARAM] = name
    elif PARAM in st.query_params:
        del st.query_params[PARAM]
