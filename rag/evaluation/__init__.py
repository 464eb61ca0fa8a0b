"""Offline evaluation: back-test drafts against real answers.

cases.py    Case, load_cases(), eligible() (the no-leak rule)
metrics.py  pure metric functions of (draft, reference, sources)
report.py   write_report() (Markdown + PNG charts), validate_result() (the result schema)
compare.py  compare_runs(), format_comparison()
"""
