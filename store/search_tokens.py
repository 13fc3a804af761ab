"""Search tokens: one tokenizer for the index and the queries, on both databases.

Chinese has no spaces between words, and a database's word splitter either keeps
a whole sentence as one "word" or (trigram) misses two-character words such as
作业 or 直播. So the text is cut here, in Python, the same way for SQLite and
PostgreSQL, and the database only ever sees space-separated tokens:

- NFKC, then casefold: full-width letters and digits are their ASCII twins,
  ``Price`` is ``price``;
- a run of letters, digits and marks (Latin, Cyrillic, …) is one word;
- a run of CJK characters (Han, kana, Hangul) gives its overlapping bigrams and
  then its last character alone (今天的作业 → 今天 天的 的作 作业 业), so every
  character of the run starts a token; a run of one character is that character;
- everything else (spaces, punctuation, emoji) separates tokens.

A query is cut the same way (`query_terms`): a CJK run of two characters or more
is the phrase of its bigrams, a single CJK character matches the tokens that
start with it, a word matches itself, and the query's last word also matches as
a prefix (a search box searches while typing). `fts5_query` and `tsquery` write
the terms in each database's query language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Longest query (characters) and most terms in one: a search box, not a document.
QUERY_MAX = 100
TERMS_MAX = 16


# Han ideographs (and extensions, compatibility forms, 々), kana and Hangul syllables:
# scripts written without spaces between words.
_CJK = (
    "\u3005\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
# A CJK run, or a word: letters and digits of other scripts (``\w`` without ``_``),
# with the combining marks that may follow them.
_RUNS = re.compile(f"([{_CJK}]+)|((?:[^\\W_{_CJK}][\u0300-\u036f]*)+)")


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where the words (not CJK runs) of a normalized text are."""
    return [m.span(2) for m in _RUNS.finditer(text) if m.group(2) is not None]


def normalize(text: str) -> str:
    """What tokens are made of: NFKC, casefolded."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of one kind of text: ``cjk`` characters, or a word."""

    text: str
    cjk: bool


def runs(text: str) -> list[Run]:
    """The words and CJK runs of a normalized text, in order."""
    return [Run(m.group(0), m.group(1) is not None) for m in _RUNS.finditer(text)]


def bigrams(run: str) -> list[str]:
    """A CJK run's overlapping pairs (a single character is itself)."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str) -> str:
    """The index's token string for a text: space-separated, in text order."""
    out: list[str] = []
    for cjk, word in _RUNS.findall(normalize(text)):
        if word or len(cjk) == 1:
            out.append(word or cjk)
        else:
            out.extend([cjk[i : i + 2] for i in range(len(cjk) - 1)])
            out.append(cjk[-1])
    return " ".join(out)


@dataclass(frozen=True, slots=True)
class Term:
    """One part of a query: a phrase of tokens (all in a row), the last one
    possibly a prefix. ``text`` is what it matches in a text (for highlighting)."""

    tokens: tuple[str, ...]
    prefix: bool
    text: str
    cjk: bool


def query_terms(q: str) -> list[Term]:
    """The terms of a query (at most ``TERMS_MAX``; none when it has no word)."""
    found = runs(normalize(q))[:TERMS_MAX]
    terms: list[Term] = []
    for i, run in enumerate(found):
        if run.cjk:
            if len(run.text) == 1:
                terms.append(Term((run.text,), True, run.text, True))
            else:
                terms.append(Term(tuple(bigrams(run.text)), False, run.text, True))
        else:
            terms.append(Term((run.text,), i == len(found) - 1, run.text, False))
    return terms


def fts5_query(terms: list[Term]) -> str:
    """An FTS5 MATCH expression of every term (AND) on the ``tokens`` column. Tokens
    hold only letters, digits and marks, so quoting them is enough."""
    parts = []
    for term in terms:
        phrase = '"' + " ".join(term.tokens) + '"'
        parts.append(phrase + ("*" if term.prefix else ""))
    return f"tokens : ({' AND '.join(parts)})"


def tsquery(terms: list[Term]) -> str:
    """The same query for PostgreSQL's ``to_tsquery('simple', …)``."""
    parts = []
    for term in terms:
        words = [f"'{token}'" for token in term.tokens]
        if term.prefix:
            words[-1] += ":*"
        parts.append(words[0] if len(words) == 1 else "(" + " <-> ".join(words) + ")")
    return " & ".join(parts)
