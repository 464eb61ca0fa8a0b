"""Drafting: parse the request, retrieve precedents, compose with a backend, check citations, lay out, export.

intake.py      incoming text -> DraftRequest (kind, numbers, member, date, the ask, language)
backends/      offline (composes from precedent sentences), openai (any compatible endpoint), scripted
lines.py       the current lines: no holding replies or cross-references, no superseded precedents
citations.py   check every [n]: it resolves, the passage supports the sentence, nothing is uncited
currency.py    is it current? a dated precedent, stale dated language and old figures
checks.py      check_body(): every check of a body, drafted or edited
formats.py     the house formats: petition letter, WQ answer, letter reply
chat.py        the chat messages for a model, untrusted text fenced
answerability.py  does the precedent answer the ask? its parts scored, the rule, placeholders
pipeline.py    draft(): retrieve, keep the current lines, draft what they address, check, lay out
edits.py       recheck(): an edited reply's body found again and checked by check_body
export.py      Markdown and Word (.docx)
"""
