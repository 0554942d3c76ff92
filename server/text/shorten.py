"""Shortening people's words for a title or a notification: cut after the last whole
word that fits, never inside one ("every three months" to "every…", not "every thre…")."""

from __future__ import annotations


def shorten(words: str, limit: int) -> str:
    """`words` on one line; past `limit` characters, cut after a whole word with "…"."""
    words = " ".join(words.split())
    if len(words) <= limit:
        return words
    cut = words[:limit]
    if " " in cut:  # a word that runs past the end is left out whole
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:(") + "…"
