"""The Evaluation page: a script for st.navigation; the page itself is ui/evaluation.py."""

from ui import evaluation
from ui.common import guard

guard(evaluation.render)
