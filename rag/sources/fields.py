"""The two conversions every official source needs: an API's text (HTML or plain) to the plain text a
Document holds, and an API's timestamp to an ISO day."""

from __future__ import annotations

from rag.ingest.files import html_text
from rag.text.dates import to_date


def plain_text(value: str) -> str:
    """Plain text with its paragraphs: HTML (<p>, tables, lists, entities) through the HTML reader
    files use; plain text with its blank-line paragraphs and Windows line ends tidied."""
    if "<" in value and ">" in value:
        return html_text(value.encode("utf-8", "surrogatepass"))
    return "\n\n".join(p.strip() for p in value.replace("\r\n", "\n").split("\n\n") if p.strip())


def iso_day(value: str | None) -> str | None:
    """'2024-01-05T00:00:00' or '2024-01-05T09:00:00.000Z' -> '2024-01-05'; None when absent or not a date."""
    day = to_date(value)
    return day.isoformat() if day else None
