"""Offline evaluation: back-test drafts against real answers.

registry.py  METRICS: the one list of metrics (key, label, per-case field, baselines, format)
models.py    Case, CaseResult, Summary, EvalResult: the typed case file and result JSON
cases.py     load_cases(), eligible() (the no-leak rule)
metrics.py   pure metric functions of (draft, reference, sources)
runner.py    run_eval(), run_case(), summarise()
report.py    write_report() (Markdown + PNG charts), validate_result() (via EvalResult)
compare.py   compare_runs(), format_comparison()
judge.py     the optional LLM judge
paths.py     which server paths a page may read (allowed_roots, resolve_allowed), save_uploads
"""
