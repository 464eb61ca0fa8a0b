"""What a search must be given, defined once for the library, the CLI and the Precedents page:
a query with at least one content word, and k and per_doc of 1 or more."""

from __future__ import annotations

from rag.errors import InputError
from rag.text.shorten import shorten
from rag.text.words import NUMBER_RE, content_words

EXAMPLE = "e.g. 'school transport funding'"


def check_query(query: str) -> str:
    """The query, stripped; InputError when it is empty or has only stopwords (nothing to rank by,
    so any result would be arbitrary). A number counts as content: refs and years are searched for."""
    text = (query or "").strip()
    if not text:
        raise InputError(f"The search is empty: type what to look for, {EXAMPLE}.")
    if not content_words(text) and not NUMBER_RE.search(text):
        raise InputError(
            f"The search {shorten(text, 60)!r} has only common words (like 'the', 'of', 'what') and nothing "
            f"to look for: add a word that carries the meaning, {EXAMPLE}."
        )
    return text


def check_count(value: int | None, label: str) -> None:
    """InputError unless `value` is None (the default applies) or a whole number of 1 or more."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{label} must be a whole number of 1 or more (got {value!r}).")


def check_search(
    query: str, k: int, per_doc: int | None = None, *, k_label: str = "k", per_doc_label: str = "per_doc"
) -> str:
    """check_query, then k and per_doc (named by the labels the caller's user knows); the clean query."""
    check_count(k, k_label)
    check_count(per_doc, per_doc_label)
    return check_query(query)
