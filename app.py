"""Ymateb's Streamlit app: `streamlit run app.py`. A shell over `rag`; each page is views/<name>.py."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Ymateb", page_icon=":material/edit_note:", layout="wide")

PAGES = [
    st.Page("views/draft.py", title="Draft", icon=":material/edit_note:", default=True),
    st.Page("views/precedents.py", title="Precedents", icon=":material/search:"),
    st.Page("views/corpus.py", title="Corpus", icon=":material/library_books:"),
    st.Page("views/evaluation.py", title="Evaluation", icon=":material/analytics:"),
]

st.navigation(PAGES).run()
