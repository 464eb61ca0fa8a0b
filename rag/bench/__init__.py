"""`ymateb bench`: ingest speed against the raw model, re-ingest, search and draft latency, memory,
the same search over a `chroma run` server, and a plain LangChain-style peer over the same documents.

Everything lives in one persistent directory (default `.ymateb/bench/`), so a rerun embeds nothing
it has embedded before: the store grows from the smallest corpus size to the largest (only new
documents are embedded at each step) and the peer's collection is reused. Ingest figures from the
run that did the embedding are kept in `state.json` and reported again (marked `ingest_reused`).
"""
