"""A search result's snippet: a stretch of the text around the first match, with
the matches as ``[start, end]`` character offsets (code points) into it — not
HTML, so the client marks them without ever parsing the text as markup.

Matching is done on the normalized text (`search_tokens.normalize`) and mapped
back to the original characters, so full-width letters are marked for a query
of their ASCII twins.
"""

from __future__ import annotations

import unicodedata

from .search_tokens import Term, word_spans

# Characters of text shown around the first match, and before it.
SNIPPET_CHARS = 160
LEAD_CHARS = 40
ELLIPSIS = "…"


def _normalized_with_origins(text: str) -> tuple[str, list[int]]:
    """The normalized text and, per character of it, the index of the original
    character it came from (NFKC and casefold may turn one character into several)."""
    out: list[str] = []
    origins: list[int] = []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch).casefold()
        out.append(norm)
        origins.extend([i] * len(norm))
    return "".join(out), origins


def match_ranges(text: str, terms: list[Term]) -> list[tuple[int, int]]:
    """Where the terms occur in ``text`` (original character offsets), in order,
    overlaps merged."""
    norm, origins = _normalized_with_origins(text)
    found: list[tuple[int, int]] = []
    words = None
    for term in terms:
        if term.cjk:
            at = norm.find(term.text)
            while at >= 0:
                found.append((at, at + len(term.text)))
                at = norm.find(term.text, at + 1)
            continue
        if words is None:
            words = word_spans(norm)
        for start, end in words:
            word = norm[start:end]
            if word == term.text or (term.prefix and word.startswith(term.text)):
                found.append((start, start + len(term.text)))
    ranges: list[tuple[int, int]] = []
    for start, end in sorted(found):
        a, b = origins[start], origins[end - 1] + 1
        if ranges and a <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(b, ranges[-1][1]))
        else:
            ranges.append((a, b))
    return ranges


def snippet(text: str, terms: list[Term]) -> tuple[str, list[list[int]]]:
    """``(snippet, marks)``: at most ``SNIPPET_CHARS`` of the text (an ellipsis
    where it was cut) around the first match, and the matches inside it."""
    ranges = match_ranges(text, terms)
    if len(text) <= SNIPPET_CHARS:
        return text, [[a, b] for a, b in ranges]
    first = ranges[0][0] if ranges else 0
    start = max(0, min(first - LEAD_CHARS, len(text) - SNIPPET_CHARS))
    end = start + SNIPPET_CHARS
    lead = ELLIPSIS if start > 0 else ""
    cut = lead + text[start:end] + (ELLIPSIS if end < len(text) else "")
    shift = len(lead) - start
    marks = [
        [max(a, start) + shift, min(b, end) + shift] for a, b in ranges if a < end and b > start
    ]
    return cut, marks
