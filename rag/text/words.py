"""Words: the one stopword list, the one stemmer, content words for overlap measures, and numbers."""

from __future__ import annotations

import re
import threading

import Stemmer

WORD_RE = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")
TOKEN_RE = re.compile(r"\w\w+")  # search terms: words and numbers (2021, wq85953) of two or more characters
NUMBER_RE = re.compile(r"\d+(?:[.,/]\d+)*")
# English function words and the few Welsh ones that open most sentences, lower case.
STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does for from had has have he her
    his i if in into is it its itself me more most my no not of on or our ours out over own she so
    some such than that the their them then there these they this those through to too under up
    very was we were what when where which while who whom why will with would you your yours also
    all any each few other only same just should shall may might must now which about above after
    again against am before below between both during further here how once such until upon us
    y yr a ac i o yn ar am ein eich ei eu mae bod wedi hefyd gan""".split()
)
_local = threading.local()


def stemmer() -> Stemmer.Stemmer:
    """This thread's English Snowball stemmer (PyStemmer objects must not be shared by threads)."""
    found = getattr(_local, "stemmer", None)
    if found is None:
        found = _local.stemmer = Stemmer.Stemmer("english")
    return found


def content_words(text: str) -> set[str]:
    """The stemmed words of a text that carry meaning: no stopwords, none under three letters."""
    words = [w.lower().replace("\u2019", "'") for w in WORD_RE.findall(text)]
    return set(stemmer().stemWords([w for w in words if len(w) > 2 and w not in STOPWORDS]))


def search_tokens(text: str) -> list[str]:
    """The terms BM25 indexes and queries: lower-cased words and numbers, stopwords dropped, stemmed,
    repeats kept (term frequency counts)."""
    words = [w for w in TOKEN_RE.findall(text.lower()) if w not in STOPWORDS]
    return stemmer().stemWords(words)
