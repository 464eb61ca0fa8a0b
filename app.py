"""Ymateb's Streamlit app: `streamlit run app.py`. A shell over `rag`; each page is views/<name>.py."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.common import reported
from ui.identity import identity_panel

# The tab icon is a local file: a :material/...: or emoji icon would be fetched from a font or
# image CDN, which an offline laptop cannot reach.
ASSETS = Path(__file__).parent / "ui" / "assets"
st.set_page_config(page_title="Ymateb", page_icon=ASSETS / "icon.png", layout="wide")

PAGES = [
    st.Page("views/draft.py", title="Draft", icon=":material/edit_note:", default=True),
    st.Page("views/desk.py", title="Desk", icon=":material/inbox:"),
    st.Page("views/precedents.py", title="Precedents", icon=":material/search:"),
    st.Page("views/corpus.py", title="Corpus", icon=":material/library_books:"),
    st.Page("views/evaluation.py", title="Evaluation", icon=":material/analytics:"),
]

# The app's name atop the sidebar (a navigation section heading would do it too, but Streamlit
# renders sections as a <ul> holding a <div>, which screen readers cannot follow as a list).
st.logo(ASSETS / "wordmark.png", size="large", icon_image=ASSETS / "icon.png")
page = st.navigation(PAGES)
with st.sidebar, reported():  # who is working: signed in, or a typed name (ui/identity.py)
    identity_panel()
page.run()
