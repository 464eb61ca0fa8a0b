"""Text logic every stage shares, each idea defined once: dates (the month table, parser and
formatter), references (petition and WQ numbers), sentences, citation markers, words (stopwords,
stemmer), shortening, language, holding replies and cross-references.

Nothing here touches the index or a model, and nothing imports from another stage; all of it is
pure functions of strings.
"""
