"""Is this text Welsh or English? One lingua detector, built lazily, for just those two."""

from __future__ import annotations

import threading
from typing import Any

MIN_LETTERS = 12  # below this a guess is noise: call it English
SAMPLE_CHARS = 20_000  # long inputs: the opening is enough, and keeps detection fast

_detector: Any = None
_lock = threading.Lock()


def _get_detector() -> Any:
    global _detector
    with _lock:
        if _detector is None:
            from lingua import Language, LanguageDetectorBuilder

            _detector = LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.WELSH).build()
        return _detector


def detect_language(text: str) -> str:
    """'cy' when the text is mostly Welsh, else 'en' (also for empty or very short text)."""
    sample = (text or "")[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS or len(sample.split()) < 2:
        return "en"
    from lingua import Language

    welsh = _get_detector().compute_language_confidence(sample, Language.WELSH)
    return "cy" if welsh > 0.5 else "en"
