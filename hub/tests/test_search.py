"""The site search's query reading and safe snippets (hub.search): pure functions."""

from hub import search
from hub.search import Term


def test_words_phrases_exclusions_and_tags():
    parsed = search.parse('celery "visibility timeout" -redis tag:Docker [python] or')
    assert parsed.terms == (Term("celery"), Term("visibility timeout", phrase=True))
    assert parsed.excluded == (Term("redis"),)
    assert parsed.tags == ("docker", "python")
    assert parsed.websearch == 'celery "visibility timeout" -redis'
    assert parsed.notices == ()


def test_code_names_stay_whole_and_punctuation_goes():
    parsed = search.parse("self.retry() c++ node.js acks_late, django-orm.")
    assert parsed.words == ("self.retry", "c++", "node.js", "acks_late", "django-orm")


def test_an_unclosed_quote_is_a_phrase_to_the_end():
    assert search.parse('"exact phrase').terms == (Term("exact phrase", phrase=True),)


def test_nul_and_control_characters_are_left_out_with_a_notice():
    parsed = search.parse("cel\x00ery\x07 retry")
    assert parsed.words == ("cel", "ery", "retry")
    assert "\x00" not in parsed.text and "\x00" not in parsed.websearch
    assert any("Control characters" in n for n in parsed.notices)


def test_a_long_query_is_cut_at_a_word_with_a_notice():
    parsed = search.parse("celery " * 100)
    assert len(parsed.text) <= search.QUERY_MAX
    assert parsed.terms == (Term("celery"),)
    assert any("limited to 200 characters" in n for n in parsed.notices)


def test_too_many_words_are_cut_with_a_notice():
    parsed = search.parse(" ".join(f"word{i}" for i in range(30)))
    assert len(parsed.terms) == search.TERMS_MAX
    assert any("first 12 words" in n for n in parsed.notices)


def test_punctuation_alone_is_not_searchable_and_says_why():
    for raw in ("!!! ???", "-", '""', "-celery", "- - -"):
        parsed = search.parse(raw)
        assert not parsed.searchable, raw
        assert any("nothing to search for" in n for n in parsed.notices), raw
    assert search.parse("   ").notices == ()


def test_highlight_escapes_first_then_marks():
    html = search.highlight("<script>alert('celery')</script> Celery & co", ("celery",))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#x27;<mark>celery</mark>&#x27;)&lt;/script&gt;" in html
    assert "<mark>Celery</mark> &amp; co" in html


def test_highlight_marks_needles_with_markup_characters_without_breaking_entities():
    html = search.highlight("use a&b or <b> here", ("a&b", "<b>"))
    assert "<mark>a&amp;b</mark>" in html and "<mark>&lt;b&gt;</mark>" in html
    assert search.highlight("amp &amp; lt", ("amp",)).count("<mark>") == 2


def test_highlight_windows_around_the_first_match():
    text = "filler " * 100 + "the needle is here " + "more " * 100
    html = search.highlight(text, ("needle",))
    assert html.startswith("\u2026 ") and html.endswith(" \u2026")
    assert "<mark>needle</mark>" in html and len(html) < 320


def test_a_headline_is_escaped_and_only_our_markers_become_marks():
    raw = f"<img src=x onerror=alert(1)> {search.MARK_START}celery{search.MARK_STOP}"
    assert search.marked(raw) == "&lt;img src=x onerror=alert(1)&gt; <mark>celery</mark>"


def test_tags_are_marked_when_the_query_names_them():
    parsed = search.parse("orm tag:celery")
    assert search.tags_marked(["celery", "django-orm", "redis"], parsed) == [
        ("celery", True),
        ("django-orm", True),
        ("redis", False),
    ]


def test_a_total_reads_as_a_floor_only_when_capped():
    assert search.total_label(42, False) == "42"
    assert search.total_label(1000, True) == "1,000+"
    assert search.KindPage(hits=[], total=1000, capped=True).total_label == "1,000+"
