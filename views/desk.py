"""The Desk page: a script for st.navigation; the page itself is ui/desk.py."""

from ui import desk
from ui.common import guard

guard(desk.render)
