"""Does the precedent answer the ask? Split the ask into its parts and score each against the passages.

A part is what one reply must address: each "(a) ... (b) ..." item and each "; what/whether ..."
clause of a written question, each call of a petition, each request of a letter. Its key terms are
its words less the question's frame ("What steps is the Department taking to ...", "make a
statement"). Against the retrieved passages a part scores

    score = COSINE_WEIGHT * best cosine(part, passage) + (1 - COSINE_WEIGHT) * best term coverage

where term coverage is the IDF-weighted share of the part's key terms a passage contains (IDF over
the chunks the draft may use). Anything is drafted only when the whole ask or one part reaches
ANSWERABLE; a part below PART_FLOOR is named as unaddressed. Either way a part whose key terms are a
MAX_UNKNOWN share or more absent from every chunk the draft may use is not addressed: a precedent
cannot have answered what the corpus never mentions ("kinship", "badger"). (On the dev set the score
alone decides; the unknown-term rule matters on small corpora such as the seeds.)

Calibrated on 120 Education dev questions and 120 questions to other departments drafted against the
Education corpus (EVALUATION.md has the curve and the chosen point).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np

from rag.index.base import Embedder
from rag.text.sentences import split_sentences
from rag.text.shorten import shorten
from rag.text.untrusted import looks_like_instruction
from rag.text.words import STOPWORDS, TOKEN_RE, stemmer
from rag.types import AskPart, Assessment, Passage

COSINE_WEIGHT = 0.8
ANSWERABLE = 0.50  # the whole ask or one part must score this to be drafted at all (EVALUATION.md's curve)
PART_FLOOR = 0.45  # a part scoring below this is named as unaddressed (parts are short: they score lower)
MAX_UNKNOWN = 0.3  # a part whose key terms are this share unknown to every usable chunk is not addressed
MAX_PARTS = 6
SAME_PART = 0.6  # parts sharing this share of key terms are one part (a petition's title and its call)
PLACEHOLDER = "[Officials to advise: {topic}]"

# Words that frame a question rather than name its subject.
FRAME_WORDS = frozenset(
    stemmer().stemWords(
        """minister ministers secretary state department departments statement steps step assessment
        assessments discussion discussions plan plans make made making take taking ensure whether ask
        hon member government welsh introduce call calling cabinet first deputy recent recently
        estimate estimates number view views explain doing done confirm outline update consider give
        answer answers question questions petition petitions committee chair details asked asks calls""".split()
    )
)
TermCounts = Callable[[list[str]], tuple[dict[str, int], int]]  # terms -> (chunks holding each, chunks allowed)

_ENUM = re.compile(r"\([a-h]\)\s*")  # (a), (b) ...: the parts of a written question
_SUB_ENUM = re.compile(r"\((?:i|ii|iii|iv|v|vi|vii|viii)\)\s*")  # (i), (ii) ...: facets within a part
MIN_ITEM_TERMS = 3  # an item with fewer key terms ("(a) impact and (b) cost of X") is a facet, not a part
_CLAUSE = re.compile(r";\s*(?:and\s+)?(?=(?:what|whether|how|which|when|why|who|if)\b)", re.IGNORECASE)
_STATEMENT = re.compile(r"[;,]?\s*(?:and\s+)?if (?:he|she|they|the [\w ]{1,40}?) will make a statement\W*$", re.I)
_TOPIC_FRAME = re.compile(
    r"^(?:will the [\w ]{1,60}? make a statement (?:on|about)"
    r"|what (?:recent )?(?:assessment|estimate)[\w ]{0,40}? (?:made|make) of"
    r"|what (?:steps|plans|action|discussions)[\w ]{0,60}? (?:taking|take|made|had|has|have)(?: to| of| with| on)?)\s*",
    re.IGNORECASE,
)


def key_terms(text: str) -> dict[str, str]:
    """The part's subject words: search stem -> the word as written (first seen)."""
    out: dict[str, str] = {}
    for word in TOKEN_RE.findall(text):
        low = word.lower()
        if len(low) < 3 or not low.isalpha() or low in STOPWORDS:
            continue
        stem = stemmer().stemWord(low)
        if stem not in FRAME_WORDS:
            out.setdefault(stem, word)
    return out


def _enumerated(clause: str) -> list[str]:
    """'what steps to (a) improve joint working and (b) fund teams for X' -> each item with the lead-in.
    Items too short to be asks of their own ("(a) support and (b) guidance for X") stay together."""
    clause = _SUB_ENUM.sub("", clause)
    pieces = _ENUM.split(clause)
    items = [re.sub(r"(?:,|\band|\bor)\s*$", "", p.strip()).strip() for p in pieces[1:]]
    if len(items) < 2 or len(key_terms(items[0])) < MIN_ITEM_TERMS:
        return [_ENUM.sub("", clause)]
    return [f"{pieces[0]}{item}".strip() for item in items if item]


def split_parts(ask: str) -> list[str]:
    """The parts of an ask, in order (at most MAX_PARTS; near-repeats merged). A part that reads like an
    instruction to a model is not an ask: it is never answered, nor quoted back in a placeholder."""
    parts: list[str] = []
    for sentence in split_sentences(ask) or [ask]:
        sentence = _STATEMENT.sub("", sentence.strip()).strip()
        for clause in _CLAUSE.split(sentence):
            parts.extend(p for p in _enumerated(clause.strip(" ;,")) if key_terms(p) and not looks_like_instruction(p))
    kept: list[str] = []
    for part in parts:
        mine = set(key_terms(part))
        if not any(_overlap(mine, set(key_terms(k))) >= SAME_PART for k in kept):
            kept.append(part)
    return kept[:MAX_PARTS]


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def topic(part: str) -> str:
    """A part as officials would name it: without the question's frame, at most 100 characters."""
    text = _TOPIC_FRAME.sub("", part.strip()).rstrip(" ?.;,")
    return shorten(text[:1].lower() + text[1:] if text[:2].istitle() else text, 100)


def placeholder(part: AskPart) -> str:
    return PLACEHOLDER.format(topic=topic(part.text))


def assess(query: str, passages: list[Passage], embedder: Embedder, term_counts: TermCounts) -> Assessment:
    """Score the whole query and each of its parts against the passages."""
    parts = split_parts(query)
    texts = [" ".join(parts) or query] + (parts if len(parts) > 1 else [])  # the whole, less any instruction
    terms = [key_terms(t) for t in texts]
    counts, allowed = term_counts(sorted({s for t in terms for s in t}))
    cosines = _cosines(texts, passages, embedder)
    passage_terms = [set(key_terms(p.text)) for p in passages]
    scored = [
        _part(text, mine, cosines[i], passage_terms, counts, allowed, ANSWERABLE if i == 0 else PART_FLOOR)
        for i, (text, mine) in enumerate(zip(texts, terms))
    ]
    return Assessment(scored[0], scored[1:], addressed(scored))


def _cosines(texts: list[str], passages: list[Passage], embedder: Embedder) -> np.ndarray:
    """texts x passages cosine matrix (zeros when there are no passages)."""
    if not passages:
        return np.zeros((len(texts), 0))
    vectors = np.asarray(embedder.embed(texts + [p.text for p in passages]), dtype=np.float32)
    vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
    return vectors[: len(texts)] @ vectors[len(texts) :].T


def _part(
    text: str,
    terms: dict[str, str],
    cosines: np.ndarray,
    passage_terms: list[set[str]],
    counts: dict[str, int],
    allowed: int,
    threshold: float,
) -> AskPart:
    idf = {t: math.log((allowed + 1) / (counts.get(t, 0) + 0.5)) for t in terms}
    total = sum(idf.values())
    coverage = max((sum(idf[t] for t in terms if t in have) / total for have in passage_terms), default=0.0)
    cosine = float(cosines.max()) if cosines.size else 0.0
    score = COSINE_WEIGHT * cosine + (1 - COSINE_WEIGHT) * (coverage if total else 0.0)
    unknown = [word for t, word in terms.items() if counts.get(t, 0) == 0]
    part = AskPart(text=text, covered=False, score=round(score, 4), missing=unknown, terms=len(terms))
    part.covered = bool(cosines.size) and addresses(part, threshold)
    return part


def addresses(part: AskPart, threshold: float = ANSWERABLE) -> bool:
    """The rule: a part is addressed when it scores `threshold` and few of its key terms are unknown."""
    return part.score >= threshold and len(part.missing) < MAX_UNKNOWN * max(part.terms, 1)


def addressed(scored: list[AskPart], threshold: float = ANSWERABLE) -> bool:
    """Is anything drafted? The whole ask (first) or one of its parts must be addressed at `threshold`."""
    return any(addresses(p, threshold) for p in scored)
