"""References: Senedd petition numbers, written-question numbers, "Our ref"s, committee papers."""

from __future__ import annotations

import re

MAX_REFS = 20

# ---- references ----------------------------------------------------------------------------

# "P-06-1199" (Senedd petition numbers: P-<senedd term>-<number>)
PETITION_RE = re.compile(r"\bP-(\d{1,2})-(\d{3,5})\b")
# "WQ85953" or "WQ 85953"
WQ_RE = re.compile(r"\bWQ ?(\d{3,6})\b")
# "Our ref: JMSS/10375/21", "Ein cyf/Our ref: JMSS/00781/22"
OUR_REF_RE = re.compile(r"\bOur ref\b\s{0,3}[:.]?\s{0,3}([A-Za-z0-9][A-Za-z0-9/._-]{1,40})", re.I)
# Committee paper refs: "CYPE(5)-24-19"
COMMITTEE_REF_RE = re.compile(r"\b([A-Z]{2,6}\(\d{1,2}\)-\d{1,3}-\d{2})\b")
# A line carrying references: "Your ref: ...", "prEich cyf/Your ref:", "Ein cyf/Our ref:"
REF_LINE_RE = re.compile(r"^\W{0,4}(?:pr)?(?:Your ref|Our ref|Eich cyf|Ein cyf)\b", re.I)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))[:MAX_REFS]


def extract_refs(text: str) -> list[str]:
    """Petition numbers, WQ numbers, "Our ref"s and committee paper refs, main one first."""
    petitions = [f"P-{int(m[1]):02d}-{m[2]}" for m in PETITION_RE.finditer(text)]
    wqs = [f"WQ{m[1]}" for m in WQ_RE.finditer(text)]
    ours = [m[1].rstrip("./-") for m in OUR_REF_RE.finditer(text)]
    papers = [m[1] for m in COMMITTEE_REF_RE.finditer(text)]
    return _unique(petitions + wqs + ours + papers)
