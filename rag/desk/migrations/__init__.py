"""Alembic migrations of the desk's schema (rag/desk/db.py runs them to head on opening a database).

New revision: `alembic -c rag/desk/migrations/alembic.ini revision -m "what"` (or --autogenerate
against a database at head), then edit it; tests/test_desk.py checks the result matches rag/desk/models.py.
"""
