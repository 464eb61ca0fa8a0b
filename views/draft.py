"""The Draft page: a script for st.navigation; the page itself is ui/draft.py."""

from ui import draft
from ui.common import guard

guard(draft.render)
