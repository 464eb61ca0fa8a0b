"""Retrieval: which chunks may be returned (filters.py) and how dense and BM25 rankings are fused (hybrid.py)."""
