"""Eval metrics: each a pure function of (draft, reference, sources), tested on hand-made examples.

Conventions (chosen once, used everywhere):

- citation markers (`[1]`, `[1, 2]`, `[2-4]`: the grammar of `rag.text.markers`) are stripped from a
  draft before it is compared with text.
- An empty draft or reference scores 0.0 on every text-overlap metric.
- `key_fact_recall` is 1.0 when the reference states no key facts (nothing to miss).
- `citation_validity` is 0.0 when the draft has no markers at all (an ungrounded draft is not valid).
- `retrieval_rank` is None when the wanted document was not retrieved (or there is none); callers
  drop cases without a wanted document before averaging, and `recall_at_k` / `reciprocal_rank`
  score a None rank as 0.0.
- `mean` ignores None and NaN and returns None when nothing is left.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from rag.drafting.answerability import addressed
from rag.index.base import Embedder
from rag.text.dates import MONTH_NAMES, MONTHS
from rag.text.markers import marker_numbers, strip_markers
from rag.text.words import STOPWORDS
from rag.types import AskPart

# --------------------------------------------------------------------------- ROUGE-L

_scorer: Any = None
_tokenizer: _Tokenizer | None = None


class _CachedStemmer:
    """The Porter stemmer rouge-score uses, memoised per word (stemming dominates tokenising)."""

    def __init__(self) -> None:
        from nltk.stem import porter

        self._stem = lru_cache(maxsize=200_000)(porter.PorterStemmer().stem)

    def stem(self, word: str) -> str:
        return self._stem(word)


class _Tokenizer:
    """rouge-score's DefaultTokenizer(use_stemmer=True), token for token, but memoised."""

    def __init__(self) -> None:
        from rouge_score import tokenize

        self._tokenize = tokenize.tokenize
        self._stemmer = _CachedStemmer()
        self.tokens = lru_cache(maxsize=16_384)(self._tokens)

    def _tokens(self, text: str) -> tuple[str, ...]:
        return tuple(self._tokenize(text, self._stemmer))

    def tokenize(self, text: str) -> list[str]:
        return list(self.tokens(text))


def _tokens() -> _Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        _tokenizer = _Tokenizer()
    return _tokenizer


def _rouge() -> Any:
    """The one RougeScorer(["rougeL"]) with stemming, built on first use."""
    global _scorer
    if _scorer is None:
        from rouge_score import rouge_scorer

        _scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True, tokenizer=_tokens())
    return _scorer


def rouge_l_f1(draft: str, reference: str) -> float:
    """ROUGE-L F1 (rouge-score, Porter stemming) of a draft against the real answer."""
    draft = strip_markers(draft)
    if not draft.strip() or not (reference or "").strip():
        return 0.0
    return float(_rouge().score(reference, draft)["rougeL"].fmeasure)


def _lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence, bit-parallel (Allison-Dix / Hyyrö)."""
    masks: dict[str, int] = {}
    for i, tok in enumerate(a):
        masks[tok] = masks.get(tok, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for tok in b:
        u = v & masks.get(tok, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


def f1(precision: float, recall: float) -> float:
    """Their harmonic mean; 0.0 when both are 0."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _f1(overlap: int, n_pred: int, n_ref: int) -> float:
    if not overlap or not n_pred or not n_ref:
        return 0.0
    return f1(overlap / n_pred, overlap / n_ref)


@lru_cache(maxsize=16_384)
def _counts(tokens: tuple[str, ...]) -> Counter[str]:
    return Counter(tokens)


def best_precedent(reference: str, candidates: Mapping[str, str]) -> tuple[str, float] | None:
    """The candidate answer with the highest ROUGE-L F1 against the reference (the oracle).

    Exact, and fast for thousands of candidates: the unigram-overlap F1 (ROUGE-1 on the same
    stemmed tokens) is an upper bound on ROUGE-L F1, because a common subsequence never exceeds
    the multiset overlap. Candidates are visited in falling bound order and the exact LCS
    (bit-parallel, equal to rouge-score's) is computed only until the bound cannot beat the best
    found so far. Ties go to the earlier candidate in `candidates` order. None when no candidate
    shares a token with the reference.
    """
    tok = _tokens()
    ref = tok.tokens(reference or "")
    if not ref:
        return None
    ref_counts = _counts(ref)
    bounds = []
    for order, (doc_id, text) in enumerate(candidates.items()):
        cand = tok.tokens(text or "")
        overlap = sum((ref_counts & _counts(cand)).values()) if cand else 0
        if overlap:
            bounds.append((-_f1(overlap, len(cand), len(ref)), order, doc_id, cand))
    bounds.sort()
    best: tuple[str, float] | None = None
    for neg_bound, _, doc_id, cand in bounds:
        if best is not None and -neg_bound <= best[1]:
            break
        score = _f1(_lcs_length(ref, cand), len(cand), len(ref))
        if best is None or score > best[1]:
            best = (doc_id, score)
    return best


# --------------------------------------------------------------------------- semantic similarity


def semantic_similarities(pairs: Sequence[tuple[str, str]], embedder: Embedder) -> list[float]:
    """Cosine similarity of each (draft, reference) pair, with one embed() call for them all."""
    if not pairs:
        return []
    drafts = [strip_markers(d) for d, _ in pairs]
    vectors = np.asarray(embedder.embed(drafts + [r or "" for _, r in pairs]), dtype=np.float64)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.clip(norms, 1e-12, None)
    n = len(pairs)
    sims = np.sum(vectors[:n] * vectors[n:], axis=1)
    return [
        0.0 if not d.strip() or not (r or "").strip() else float(s)
        for d, (_, r), s in zip(drafts, pairs, sims, strict=True)
    ]


def semantic_similarity(draft: str, reference: str, embedder: Embedder) -> float:
    """Cosine similarity of the draft's and the reference's embeddings (0.0 if either is empty)."""
    return semantic_similarities([(draft, reference)], embedder)[0]


# --------------------------------------------------------------------------- key facts

_MONTH_RE = "(" + "|".join(MONTH_NAMES["en"]) + ")"  # English month names: the reference answers' language
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NB = r"(?<![\w/.\-£])"  # a number must not be glued to a word, code or path
_NA = r"(?![\w/£]|[.\-]\d)"
_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9, "b": 1e9, "billion": 1e9}

_MONEY = re.compile(rf"£\s?({_NUM})(?:\s?(thousand|million|billion|bn|m|k|b)\b)?", re.I)
_PERCENT = re.compile(rf"{_NB}({_NUM})\s?(?:%|per\s?cent\b|percent\b)", re.I)
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH_RE}\s+(\d{{4}})\b", re.I)
_MONTH_DAY_YEAR = re.compile(rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?,\s*(\d{{4}})\b", re.I)
_MONTH_YEAR = re.compile(rf"\b{_MONTH_RE}\s+(\d{{4}})\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH_RE}\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_UK_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d{2})\s?(?:-|–|/|to)\s?((?:19|20)?\d{2})\b")
_NUMBER = re.compile(rf"{_NB}({_NUM}){_NA}")
_URL = re.compile(r"\b(?:https?://|www\.)\S+")
_LIST_NUMBER = re.compile(r"(?m)^[ \t]*[-•*]?[ \t]*\(?\d{1,2}[.)][ \t]")

_CONNECT = r"(?:for|and|of|&)"
_CAP_WORD = r"(?:[A-Z][\w'’\-]*|\([A-Z][a-z]+\))"
_NAME = re.compile(rf"(?<![\w'’]){_CAP_WORD}(?:[ \t]+(?:{_CONNECT}[ \t]+)*{_CAP_WORD})*")
_LEGISLATION = {"Act", "Regulations", "Order", "Measure", "Bill", "Rules", "Code"}
_TRAILING = re.compile(
    r"^[ \t]+(?:(\d{4})\b|(programme|scheme|fund|grant|strategy|review|framework|board|service|plan)\b)"
)
# Capitalised words that never start a name: the shared stopwords, plus sentence openers and titles.
_STOP = {w.capitalize() for w in STOPWORDS} | set(
    """Additionally Dear Dr Every Furthermore However Lady Lord Many Miss Mr Mrs Ms Please Since Sir
    Thank Whilst""".split()
)
_GENERIC = (
    _STOP
    | set(MONTH_NAMES["en"])
    | set(
        """Government Minister Ministers Department Departments Secretary State Council Councils Committee
    Chair Member Members Act Bill Parliament Local Authority Authorities Monday Tuesday Wednesday
    Thursday Friday Saturday Sunday Spring Summer Autumn Winter Yes""".split()
    )
)


def _num(text: str) -> str:
    """'1,000' -> '1000', '2.50' -> '2.5', '3.0' -> '3'."""
    value = text.replace(",", "")
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value


def _pounds(amount: str, scale: str | None) -> str:
    value = float(amount.replace(",", "")) * _SCALES.get((scale or "").lower(), 1.0)
    return "£" + _num(f"{round(value, 2):.2f}")


def _blank(text: str, span: tuple[int, int]) -> str:
    return text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]


def _take(text: str, pattern: re.Pattern[str], fmt: Any, out: list[str]) -> str:
    """Add fmt(match) for every match (when not None) and blank the matched spans."""
    for m in list(pattern.finditer(text)):
        fact = fmt(m)
        if fact:
            out.append(fact)
            text = _blank(text, m.span())
    return text


def _iso(year: str, month: int, day: str | int) -> str | None:
    if not (1 <= month <= 12 and 1 <= int(day) <= 31):
        return None
    return f"{int(year):04d}-{month:02d}-{int(day):02d}"


def _year_range(m: re.Match[str]) -> str | None:
    start, end = m.group(1), m.group(2)
    end2 = end[-2:]
    if len(end) == 4 and end[:2] != start[:2] and not (start[2:] == "99" and end2 == "00"):
        return None
    if (int(start[2:]) + 1) % 100 != int(end2):
        return None  # "2019-21" is not a year range we normalise; leave it to the numbers
    return f"{start}-{end2}"


def _month(name: str) -> int:
    return MONTHS[name.lower()]


def _dates_and_numbers(text: str, out: list[str]) -> str:
    text = _take(text, _MONEY, lambda m: _pounds(m.group(1), m.group(2)), out)
    text = _take(text, _PERCENT, lambda m: _num(m.group(1)) + "%", out)
    text = _take(text, _DAY_MONTH_YEAR, lambda m: _iso(m.group(3), _month(m.group(2)), m.group(1)), out)
    text = _take(text, _MONTH_DAY_YEAR, lambda m: _iso(m.group(3), _month(m.group(1)), m.group(2)), out)
    text = _take(text, _ISO_DATE, lambda m: _iso(m.group(1), int(m.group(2)), m.group(3)), out)
    text = _take(text, _UK_DATE, lambda m: _iso(m.group(3), int(m.group(2)), m.group(1)), out)
    text = _take(text, _MONTH_YEAR, lambda m: f"{m.group(2)}-{_month(m.group(1)):02d}", out)
    text = _take(text, _DAY_MONTH, lambda m: f"{int(m.group(1))} {m.group(2).capitalize()}", out)
    return _take(text, _YEAR_RANGE, _year_range, out)


def _sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip(" \t\"'‘“(*•#-")
    return not before or before[-1] in ".!?:;|\n"


def _after_determiner(text: str, pos: int) -> bool:
    """'the Board', 'our Charter': a capitalised common noun, not a name."""
    return re.search(r"\b(?:the|this|that|these|those|our|its|their|a|an)\s+$", text[:pos], re.I) is not None


def _is_heading(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end < 0 else line_end]
    return line.strip(" \t#*") == text[start:end].strip() and " " in text[start:end].strip()


def _strip_leading(m: re.Match[str]) -> tuple[int, list[str]] | None:
    """Drop leading function words ('The', 'Through the'); the name's start and its words."""
    spans = [(w.start(), w.group()) for w in re.finditer(r"\S+", m.group(0))]
    i = 0
    while i < len(spans) and (spans[i][1] in _STOP or re.fullmatch(_CONNECT, spans[i][1])):
        i += 1
    if i == len(spans):
        return None
    return m.start() + spans[i][0], [w for _, w in spans[i:]]


def _is_acronym(word: str) -> bool:
    """'SEND', 'EHCP', 'RPBs', 'DfE', 'COVID-19', 'P-06-1199' (not 'Ofsted', not 'MacAlister')."""
    if re.fullmatch(r"[A-Z][A-Z0-9\-]+s?", word):
        return not word.istitle()
    return len(word) <= 5 and sum(c.isupper() for c in word) >= 2 and word[-1].isupper()


def _name_words(text: str, m: re.Match[str]) -> tuple[int, int, list[str]] | None:
    """The cleaned words of one capitalised run, with an Act's year or 'programme' appended."""
    found = _strip_leading(m)
    if found is None:
        return None
    start, words = found
    end = m.end()
    trail = _TRAILING.match(text[end:])
    if trail and trail.group(1) and words[-1] in _LEGISLATION:
        words, end = [*words, trail.group(1)], end + trail.end()
    elif trail and trail.group(2) and len(words) > 1:
        words, end = [*words, trail.group(2)], end + trail.end()
    words[-1] = re.sub(r"['’]s?$", "", words[-1])
    if len(words) == 1 and re.fullmatch(r"[A-Z]{2,}s", words[0]):
        words[0] = words[0][:-1]  # "RPBs" -> "RPB"
    return start, end, words


def _split_and(words: list[str]) -> list[list[str]]:
    """'SEND and EHCP' -> two names; 'Holiday Activities and Food programme' stays one."""
    parts: list[list[str]] = [[]]
    for w in words:
        if w in ("and", "&"):
            parts.append([])
        else:
            parts[-1].append(w)
    if len(parts) > 1 and any(len(p) == 1 and (_is_acronym(p[0]) or p[0] in _GENERIC) for p in parts):
        return [p for p in parts if p]
    return [words]


def _keep(text: str, start: int, words: list[str]) -> bool:
    if len(words) > 1 or _is_acronym(words[0]):
        return True
    word = words[0]
    return not (word in _GENERIC or len(word) < 2 or _sentence_start(text, start) or _after_determiner(text, start))


def _names(text: str, out: list[str]) -> str:
    for m in list(_NAME.finditer(text)):
        found = _name_words(text, m)
        if found is None or _is_heading(text, found[0], found[1]):
            continue
        start, end, words = found
        kept = [" ".join(p) for p in _split_and(words) if _keep(text, start, p)]
        if kept:
            out.extend(kept)
            text = _blank(text, (m.start(), end))
    return text


def key_facts(text: str) -> set[str]:
    """The checkable facts a reply states, normalised so that equal facts compare equal.

    - money: '£1.2 million', '£1,200,000', '£1.2m' -> '£1200000'
    - percentages: '12.5%', '12.5 per cent' -> '12.5%'
    - dates: '23 May 2025', 'May 23, 2025', '2025-05-23', '23/05/2025' -> '2025-05-23';
      'May 2025' -> '2025-05'; '10 September' -> '10 September';
      academic/financial years '2024-25', '2024/25', '2024 to 2025' -> '2024-25'
    - other numbers, years included: '1,000' -> '1000' (list numbering '1.' and URLs are ignored)
    - names of bodies, programmes and Acts: runs of capitalised words joined by for/and/of/the/in/
      on/to/&, with an Act's year or a trailing 'programme'/'scheme'/... word
      ('Children and Social Work Act 2017', 'Holiday Activities and Food programme'), and acronyms
      and codes ('SEND', 'EHCP', 'DfE', 'RPBs' -> 'RPB', 'P-06-1199'). Leading function words
      ('The', 'Through the') are dropped; single words other than acronyms are skipped when
      sentence-initial, after a determiner ('the Board') or generic ('Government', months);
      a name that is a whole line (a heading) is skipped; 'A and B' splits when A or B is an
      acronym or generic ('SEND and EHCP', 'July and August').
    Known limit: a sentence-initial common word joined to a name by 'for'/'of' stays in it
    ('Support for SEND' at the start of a sentence); a single named word that opens a sentence
    ('Ofsted inspects') is skipped.
    """
    text = _URL.sub(" ", strip_markers(text or ""))
    text = _LIST_NUMBER.sub(lambda m: " " * len(m.group(0)), text)
    facts: list[str] = []
    text = _dates_and_numbers(text, facts)
    text = _names(text, facts)
    _take(text, _NUMBER, lambda m: _num(m.group(1)), facts)
    return set(facts)


def _fact_key(fact: str) -> str:
    return fact if _is_acronym(fact) else fact.casefold()


def _mentions(text: str, fact: str) -> bool:
    """Is a name fact written in the text (case-insensitively, except for acronyms)?"""
    flags = 0 if _is_acronym(fact) else re.I
    return re.search(r"(?<!\w)" + re.escape(fact) + r"(?!\w)", text, flags) is not None


def _present(fact: str, draft: str, draft_keys: set[str]) -> bool:
    if _fact_key(fact) in draft_keys:
        return True
    if not fact[:1].isalpha():
        return False  # numbers, money and dates must match in normalised form
    if _mentions(draft, fact):
        return True
    parts = [p for p in re.split(r"\s+(?:and|&)\s+", fact) if p]
    return len(parts) > 1 and all(_mentions(draft, p) for p in parts)


def key_fact_recall(draft: str, reference: str) -> float:
    """Share of the reference's key facts that the draft also states.

    1.0 when the reference has no key facts (nothing to miss), so the mean stays over all cases.
    A name counts as present if the draft states it as a fact or writes it anywhere (so
    'Care Inspectorate Wales and Social Care Wales' matches a draft naming both bodies apart).
    """
    wanted = key_facts(reference)
    if not wanted:
        return 1.0
    draft = strip_markers(draft or "")
    draft_keys = {_fact_key(f) for f in key_facts(draft)}
    return sum(_present(f, draft, draft_keys) for f in wanted) / len(wanted)


# --------------------------------------------------------------------------- citations


def citation_validity(draft: str, n_passages: int) -> float:
    """Share of the draft's citation numbers that name a passage it was given (1..n_passages):
    every number each marker cites, each time it is cited ('[2-3]' cites 2 and 3).

    0.0 when the draft has no markers at all: a draft that cites nothing is not grounded
    (this includes an empty draft).
    """
    numbers = marker_numbers(draft)
    if not numbers:
        return 0.0
    return sum(1 <= n <= n_passages for n in numbers) / len(numbers)


# --------------------------------------------------------------------------- retrieval


def retrieval_rank(retrieved_doc_ids: Sequence[str], best_doc_id: str | None) -> int | None:
    """1-based position of the wanted document among the retrieved ones; None if absent."""
    if best_doc_id is None:
        return None
    for i, doc_id in enumerate(retrieved_doc_ids, start=1):
        if doc_id == best_doc_id:
            return i
    return None


def recall_at_k(rank: int | None, k: int) -> float:
    """1.0 if the wanted document came within the first k, else 0.0."""
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    """1/rank, 0.0 when not retrieved (the mean of this is MRR)."""
    return 1.0 / rank if rank else 0.0


# --------------------------------------------------------------------------- aggregation


def gap_closed(system: float | None, baseline: float | None, oracle: float | None) -> float | None:
    """How much of the gap from the baseline to the oracle the system closes (can be <0 or >1)."""
    if system is None or baseline is None or oracle is None or oracle <= baseline:
        return None
    return (system - baseline) / (oracle - baseline)


def answerability_curve(
    cases: Iterable[Mapping[str, Any]], thresholds: Iterable[float]
) -> list[dict[str, float | int]]:
    """For each threshold of rag.drafting.answerability: the share of answerable cases it would
    refuse and the share of unanswerable ones it would draft, re-deciding every case from the
    part scores its run recorded ("assessment"). Cases without scores are left out."""
    scored = [(bool(c.get("answerable", True)), c["assessment"]) for c in cases if c.get("assessment")]
    rows: list[dict[str, float | int]] = []
    for t in thresholds:
        drafted = {True: 0, False: 0}
        total = {True: 0, False: 0}
        for answerable, a in scored:
            parts = [AskPart(**p) for p in (a["whole"], *a.get("parts", []))]
            total[answerable] += 1
            drafted[answerable] += addressed(parts, t)
        rows.append(
            {
                "threshold": round(t, 4),
                "refused": 1 - drafted[True] / total[True] if total[True] else 0.0,
                "false_confident": drafted[False] / total[False] if total[False] else 0.0,
                "answerable": total[True],
                "unanswerable": total[False],
            }
        )
    return rows


def mean(values: Iterable[float | None]) -> float | None:
    """Arithmetic mean ignoring None and NaN; None when there is nothing to average."""
    kept = [float(v) for v in values if v is not None and not math.isnan(v)]
    return sum(kept) / len(kept) if kept else None
