"""Words: content words for overlap measures, and numbers."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")
_STOP = frozenset(
    """a an and are as at be been being but by can could did do does for from had has have he her
    his i if in into is it its itself me more most my no not of on or our ours out over own she so
    some such than that the their them then there these they this those through to too under up
    very was we were what when where which while who whom why will with would you your yours also
    all any each few other only same just should shall may might must now which about above after
    again against am before below between both during further here how once such until upon us
    y yr a ac i o yn ar am ein eich ei eu mae bod wedi hefyd gan""".split()
)


def _stem(word: str) -> str:
    return word[:5] if len(word) > 5 else word


def content_words(text: str) -> set[str]:
    words = (w.lower().replace("\u2019", "'") for w in _WORD.findall(text))
    return {_stem(w) for w in words if len(w) > 2 and w not in _STOP}
