"""Split pasted text into sentences with pysbd, a rule-based sentence-boundary library
that knows abbreviations ("e.g.", "Mr."), decimals ("1.5") and quotations, which a
split on full stops gets wrong."""

from __future__ import annotations

from functools import lru_cache

import pysbd

from server.text.clean import clean_block, clean_line


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """Return the sentences of `text`, cleaned, in order. Paragraph breaks always end
    a sentence, so a heading-like line without a full stop stays on its own."""
    sentences: list[str] = []
    for paragraph in clean_block(text).split("\n"):
        if not paragraph.strip():
            continue
        for piece in _segmenter().segment(paragraph):
            piece = clean_line(piece)
            if piece:
                sentences.append(piece)
    return sentences
