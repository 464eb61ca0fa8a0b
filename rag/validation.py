"""Small checks on user-supplied values, with messages that say what to type instead."""

from __future__ import annotations

from datetime import date

from rag.errors import InputError


def parse_iso_date(value: str | None, label: str = "date") -> str | None:
    """'2022-08-30' -> '2022-08-30'; None -> None; anything else -> InputError."""
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError as exc:
        raise InputError(f"{label} must be a date as YYYY-MM-DD (got {value!r}).") from exc
