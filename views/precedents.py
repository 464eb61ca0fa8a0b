"""The Precedents page: a script for st.navigation; the page itself is ui/precedents.py."""

from ui import precedents
from ui.common import guard

guard(precedents.render)
