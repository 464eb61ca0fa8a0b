"""Drafting: parse the request, retrieve precedents, compose with a backend, check citations, lay out, export.

intake.py      incoming text -> DraftRequest (kind, numbers, member, date, the ask, language)
backends/      offline (composes from precedent sentences), openai (any compatible endpoint), scripted
citations.py   check every [n]: it resolves, the passage supports the sentence, nothing is uncited
formats.py     the house formats: petition letter, WQ answer, letter reply
chat.py        the chat messages for a model, untrusted text fenced
checks.py      check_body(): the one check of a body, drafted or edited
pipeline.py    draft(): retrieve, compose, check, lay out
edits.py       recheck(): an edited reply's body found again and checked by check_body
export.py      Markdown and Word (.docx)
"""
