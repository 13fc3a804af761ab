"""The search tokenizer (store/search_tokens.py) and snippets
(store/search_snippets.py): pure functions, no database."""

from __future__ import annotations

from store.search_snippets import SNIPPET_CHARS, snippet
from store.search_tokens import fts5_query, query_terms, tokens, tsquery


def test_chinese_runs_become_bigrams_and_their_last_character() -> None:
    assert tokens("今天的作业") == "今天 天的 的作 作业 业"
    assert tokens("直播") == "直播 播"
    assert tokens("好") == "好"
    assert "作业" in tokens("今天的作业是跳舞").split()


def test_words_are_casefolded_and_full_width_is_narrow() -> None:
    assert tokens("The Price LIST") == "the price list"
    # Full-width letters and digits (NFKC), and the German sharp s (casefold).
    assert tokens("\uff21\uff22\uff23\uff11\uff12 Stra\u00dfe") == "abc12 strasse"


def test_mixed_text_punctuation_and_emoji_separate_tokens() -> None:
    assert tokens("中文English混排") == "中文 文 english 混排 排"
    assert tokens("作业,直播!price-list") == "作业 业 直播 播 price list"
    assert tokens("😀 作业 🎉🎉") == "作业 业"
    assert tokens("😀!? ") == ""
    # Japanese and Korean are bigrams too; accents stay on their letters.
    assert tokens("ライブ café") == "ライ イブ ブ café"


def test_a_two_character_query_is_one_token_and_longer_ones_a_phrase() -> None:
    (term,) = query_terms("作业")
    assert term.tokens == ("作业",) and not term.prefix
    (term,) = query_terms("作业是跳舞")
    assert term.tokens == ("作业", "业是", "是跳", "跳舞")


def test_a_single_character_and_the_last_word_are_prefixes() -> None:
    (term,) = query_terms("作")
    assert term.tokens == ("作",) and term.prefix
    words = query_terms("price li")
    assert [(t.tokens, t.prefix) for t in words] == [(("price",), False), (("li",), True)]
    # A word before a Chinese run is a whole word.
    assert [t.prefix for t in query_terms("price 作业")] == [False, False]


def test_query_languages() -> None:
    terms = query_terms("作业是 作 Pri")
    assert fts5_query(terms) == 'tokens : ("作业 业是" AND "作"* AND "pri"*)'
    assert tsquery(terms) == "('作业' <-> '业是') & '作':* & 'pri':*"
    assert query_terms("!!! 😀") == []


def test_snippet_marks_matches_in_the_original_text() -> None:
    text = "今天的作业是跳舞 \uff30\uff32\uff29\uff23\uff25 list"
    cut, marks = snippet(text, query_terms("作业 price"))
    assert cut == text
    assert [cut[a:b] for a, b in marks] == ["作业", "\uff30\uff32\uff29\uff23\uff25"]


def test_snippet_marks_prefixes_and_every_occurrence() -> None:
    cut, marks = snippet("price list, priced lists", query_terms("pri"))
    assert [cut[a:b] for a, b in marks] == ["pri", "pri"]
    cut, marks = snippet("作业作业", query_terms("作业"))
    assert marks == [[0, 4]]  # adjacent matches merge


def test_a_long_text_is_cut_around_the_first_match() -> None:
    text = "x" * 300 + "直播" + "y" * 300
    cut, marks = snippet(text, query_terms("直播"))
    assert len(cut) == SNIPPET_CHARS + 2  # an ellipsis at each end
    assert cut.startswith("…") and cut.endswith("…")
    assert [cut[a:b] for a, b in marks] == ["直播"]


def test_emoji_before_a_match_count_as_one_character() -> None:
    _, marks = snippet("🎉🎉 作业", query_terms("作业"))
    assert marks == [[3, 5]]
