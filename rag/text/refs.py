"""References: Senedd petition numbers, written-question numbers, "Our ref"s, committee papers."""

from __future__ import annotations

import re

MAX_REFS = 20

# ---- references ----------------------------------------------------------------------------

_DASH = r"\s?[-\u2010-\u2013]\s?"  # a hyphen or dash, maybe spaced: "P-06-1199", "P \u2013 6 \u2013 1199"
# Senedd petition numbers, P-<senedd term>-<number>: "P-06-1199", "P-6-1199", "P \u2013 06 \u2013 1199"
PETITION_RE = re.compile(rf"\bP{_DASH}(\d{{1,2}}){_DASH}(\d{{2,5}})\b")
# Written questions: "WQ85953", "WQ 85953", "wq85953"
WQ_RE = re.compile(r"\bWQ\s?(\d{3,6})\b", re.IGNORECASE)
# "Our ref: JMSS/10375/21", "Ein cyf/Our ref: JMSS/00781/22"
OUR_REF_RE = re.compile(r"\bOur ref\b\s{0,3}[:.]?\s{0,3}([A-Za-z0-9][A-Za-z0-9/._-]{1,40})", re.I)
# Committee paper refs: "CYPE(5)-24-19"
COMMITTEE_REF_RE = re.compile(r"\b([A-Z]{2,6}\(\d{1,2}\)-\d{1,3}-\d{2})\b")
# A line carrying references: "Your ref: ...", "prEich cyf/Your ref:", "Ein cyf/Our ref:"
REF_LINE_RE = re.compile(r"^\W{0,4}(?:pr)?(?:Your ref|Our ref|Eich cyf|Ein cyf)\b", re.I)


def petition_numbers(text: str) -> list[str]:
    """Every petition number in the text, normalised: 'P \u2013 6 \u2013 1199' -> 'P-06-1199'."""
    return [f"P-{int(m[1]):02d}-{m[2]}" for m in PETITION_RE.finditer(text)]


def wq_numbers(text: str) -> list[str]:
    """Every written-question number in the text, normalised: 'wq 85953' -> 'WQ85953'."""
    return [f"WQ{m[1]}" for m in WQ_RE.finditer(text)]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))[:MAX_REFS]


def extract_refs(text: str) -> list[str]:
    """Petition numbers, WQ numbers, "Our ref"s and committee paper refs, main one first."""
    petitions = petition_numbers(text)
    wqs = wq_numbers(text)
    ours = [m[1].rstrip("./-") for m in OUR_REF_RE.finditer(text)]
    papers = [m[1] for m in COMMITTEE_REF_RE.finditer(text)]
    return _unique(petitions + wqs + ours + papers)
