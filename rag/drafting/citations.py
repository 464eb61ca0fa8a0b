"""Check a draft's [n] citations against the numbered passages it was written from.

Three checks, all offline:
  invalid_citation  a marker [n] names no passage (n outside 1..len(passages))
  unsupported       the cited passage(s) do not back the sentence: low support score, or a
                    number in the sentence that none of its cited passages contains
  uncited           a substantive sentence (not a greeting, heading or courtesy) cites nothing

Support of a sentence by one passage = COSINE_WEIGHT * cosine + (1 - COSINE_WEIGHT) * overlap,
where cosine is the best embedding similarity between the sentence and the passage (whole, or
any one of its sentences) and overlap is the share of the sentence's content words found in
the passage. A sentence's support is the best over its valid cited passages.

Markers are read with rag.text.markers, as the eval does; the share of valid markers is the eval's
metric (rag.evaluation.metrics.citation_validity), not a second definition here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rag.index.base import Embedder
from rag.text.markers import cited_numbers, strip_markers
from rag.text.sentences import is_substantive, split_sentences
from rag.text.words import NUMBER_RE, content_words
from rag.types import Citation, DraftWarning, Passage

COSINE_WEIGHT = 0.7
SUPPORT_THRESHOLD = 0.5  # calibrated on seed passages: copies ~1.0, paraphrases 0.53-0.97, unrelated <= 0.43


def token_overlap(sentence: str, passage: str) -> float:
    """Share of the sentence's content words (stemmed) that the passage contains."""
    mine = content_words(strip_markers(sentence))
    if not mine:
        return 0.0
    return len(mine & content_words(passage)) / len(mine)


def missing_numbers(sentence: str, passage_texts: list[str]) -> list[str]:
    """Numbers (years, counts, sums) in the sentence that none of the passages mention."""
    have = {n for t in passage_texts for n in NUMBER_RE.findall(t)}
    return [n for n in dict.fromkeys(NUMBER_RE.findall(strip_markers(sentence))) if n not in have]


# ---------------------------------------------------------------------------- the check


@dataclass
class SentenceCheck:
    """One sentence of the body and what its citations amount to."""

    sentence: str  # as written, markers included
    cited: list[int]  # every number it cites, valid or not
    substantive: bool
    score: float | None = None  # best support over its valid cited passages; None if none
    best: int | None = None  # the passage number giving that support
    supported: bool | None = None  # None when the sentence cites nothing
    missing_numbers: list[str] = field(default_factory=list)


@dataclass
class CitationReport:
    sentences: list[SentenceCheck]
    warnings: list[DraftWarning]
    threshold: float
    n_passages: int

    @property
    def cited(self) -> list[SentenceCheck]:
        return [s for s in self.sentences if s.cited]


def _unit_vectors(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    return m / np.clip(np.linalg.norm(m, axis=1, keepdims=True), 1e-12, None)


def _passage_units(passages: list[Passage], wanted: list[int]) -> tuple[list[str], list[int]]:
    """Texts to embed for each wanted passage (the whole, then each sentence) and their owners."""
    texts: list[str] = []
    owner: list[int] = []
    for n in wanted:
        text = passages[n - 1].text
        units = [text] + [s for s in split_sentences(text) if len(s.split()) >= 3]
        texts.extend(units)
        owner.extend([n] * len(units))
    return texts, owner


def _cosines(
    sentences: list[str], passages: list[Passage], wanted: list[int], embedder: Embedder
) -> dict[int, np.ndarray]:
    """For each wanted passage n: best cosine of every sentence against any of n's units."""
    if not sentences or not wanted:
        return {}
    s_vec = _unit_vectors(embedder.embed([strip_markers(s) for s in sentences]))
    texts, owner = _passage_units(passages, wanted)
    p_vec = _unit_vectors(embedder.embed(texts))
    sims = s_vec @ p_vec.T
    owners = np.asarray(owner)
    return {n: sims[:, owners == n].max(axis=1) for n in wanted}


def _score(check: SentenceCheck, row: int, valid: list[int], passages: list[Passage], cos: dict) -> None:
    best_n, best = None, -1.0
    for n in valid:
        s = COSINE_WEIGHT * float(cos[n][row]) + (1 - COSINE_WEIGHT) * token_overlap(
            check.sentence, passages[n - 1].text
        )
        if s > best:
            best_n, best = n, s
    check.score, check.best = round(max(best, 0.0), 4), best_n
    check.missing_numbers = missing_numbers(check.sentence, [passages[n - 1].text for n in valid])


def _warnings_for(check: SentenceCheck, n_passages: int, threshold: float) -> list[DraftWarning]:
    s = check.sentence
    if not check.cited:
        if check.substantive:
            return [DraftWarning("uncited", "This sentence states something but cites no source.", s)]
        return []
    out = [
        DraftWarning("invalid_citation", f"[{n}] matches none of the {n_passages} numbered sources.", s)
        for n in check.cited
        if not 1 <= n <= n_passages
    ]
    if check.score is not None and check.score < threshold:
        msg = f"The cited source does not appear to support this (support {check.score:.2f} < {threshold:.2f})."
        out.append(DraftWarning("unsupported", msg, s))
    elif check.missing_numbers:
        nums = ", ".join(check.missing_numbers)
        out.append(DraftWarning("unsupported", f"The cited source does not mention {nums}.", s))
    return out


def check_citations(
    body: str, passages: list[Passage], embedder: Embedder, threshold: float = SUPPORT_THRESHOLD
) -> CitationReport:
    """Check every sentence of the body: markers resolve, cited sentences are supported,
    substantive sentences are cited. Two embed calls at most (sentences, cited passages)."""
    n_pass = len(passages)
    checks = [SentenceCheck(s, cited_numbers(s), is_substantive(s)) for s in split_sentences(body)]
    rows = [(i, [n for n in c.cited if 1 <= n <= n_pass]) for i, c in enumerate(checks)]
    rows = [(i, v) for i, v in rows if v]
    wanted = sorted({n for _, v in rows for n in v})
    cos = _cosines([checks[i].sentence for i, _ in rows], passages, wanted, embedder)
    for row, (i, valid) in enumerate(rows):
        _score(checks[i], row, valid, passages, cos)
    warnings: list[DraftWarning] = []
    for c in checks:
        if c.cited:
            c.supported = c.score is not None and c.score >= threshold and not c.missing_numbers
        warnings.extend(_warnings_for(c, n_pass, threshold))
    return CitationReport(checks, warnings, threshold, n_pass)


# ---------------------------------------------------------------------------- records and metrics


def _citation(n: int, p: Passage) -> Citation:
    m = p.meta
    return Citation(
        n=n,
        doc_id=p.doc_id,
        chunk_id=p.chunk_id,
        ref=m.get("ref") or None,
        date=m.get("date") or None,
        author=m.get("author") or m.get("author_role") or None,
        quote=p.text,
        start=p.start,
        end=p.end,
        title=m.get("title") or m.get("subject") or None,
    )


def citations_for(body: str, passages: list[Passage]) -> list[Citation]:
    """Citation records for the passage numbers the body actually uses (valid ones), by n."""
    used = {n for n in cited_numbers(body) if 1 <= n <= len(passages)}
    return [_citation(n, passages[n - 1]) for n in sorted(used)]


def citation_support(report: CitationReport) -> float:
    """Share of citing sentences that their sources support; 1.0 if no sentence cites."""
    cited = report.cited
    if not cited:
        return 1.0
    return sum(bool(c.supported) for c in cited) / len(cited)
