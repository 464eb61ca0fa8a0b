"""The Corpus page: a script for st.navigation; the page itself is ui/corpus.py."""

from ui import corpus
from ui.common import guard

guard(corpus.render)
