"""A day in words, as every page, email and export writes it: "14 December 2026"."""

from __future__ import annotations

from datetime import date


def day_in_words(value: date) -> str:
    """The day of a date (or of a datetime, as it stands: callers put it in their
    zone first), without a leading zero."""
    return f"{value.day} {value:%B %Y}"
