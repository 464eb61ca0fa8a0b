"""Text logic every stage shares: dates, references, sentences, citation markers, words, language.

Nothing here touches the index or a model; all of it is pure functions of strings.
"""
