"""Search: PostgreSQL full-text (ranked, title first, highlighted) in CI; the same
behaviour from the plain fallback on SQLite."""

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions import selectors, services
from discussions.models import Answer
from discussions.tests import factories as make
from hub import search as site_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def questions(learner, other_learner, mentor):
    body_only = make.question(
        learner,
        title="My background worker loses jobs on deploy",
        body="The tasks vanish. I use Celery with RabbitMQ and acks_late is off. "
        "Is Celery's visibility timeout involved? Celery docs were unclear.",
    )
    in_title = make.question(
        other_learner,
        title="Celery retries: how do I back off exponentially?",
        body="I call self.retry() in a task.",
    )
    unrelated = make.question(
        mentor, title="How do I index a JSONField in PostgreSQL?", body="With GIN."
    )
    return body_only, in_title, unrelated


def test_finds_by_words_in_the_body(questions):
    body_only, _, unrelated = questions
    found = [r.question for r in selectors.question_search(viewer=None, query="rabbitmq")]
    assert found == [body_only]
    assert unrelated not in found


def test_ranks_title_matches_first(questions):
    body_only, in_title, _ = questions
    found = [r.question for r in selectors.question_search(viewer=None, query="celery")]
    assert found == [in_title, body_only]


def test_snippets_highlight_and_escape(learner):
    make.question(
        learner,
        title="Template shows raw tags around my serializer output",
        body="The serializer returns <script>alert(1)</script> in the serializer field.",
    )
    [result] = selectors.question_search(viewer=None, query="serializer")
    assert "<script>" not in result.snippet
    assert "&lt;script&gt;" in result.snippet or "script" not in result.snippet
    if connection.vendor == "postgresql":
        assert "<mark>serializer</mark>" in result.snippet


def test_stemming_on_postgresql(questions):
    if connection.vendor != "postgresql":
        pytest.skip("stemming is PostgreSQL full-text search; SQLite matches substrings")
    _, in_title, _ = questions
    found = [r.question for r in selectors.question_search(viewer=None, query="retrying")]
    assert in_title in found


def test_deleted_questions_are_not_found(questions, other_learner):
    from discussions import services

    _, in_title, _ = questions
    services.question_delete(actor=other_learner, question=in_title)
    found = [r.question for r in selectors.question_search(viewer=None, query="celery")]
    assert in_title not in found


def test_empty_and_symbol_only_queries(questions):
    assert selectors.question_search(viewer=None, query="   ") == []
    assert selectors.question_search(viewer=None, query="!!! ???") == []


# --- The site search's questions: tags, answers, phrases, exclusions, visibility ----------
# Each runs on SQLite and, with DATABASE_URL, on PostgreSQL: the same results from both.


def _found(query: str, viewer=None) -> list:
    results, _ = selectors.question_search_page(viewer=viewer, query=site_search.parse(query))
    return [r.question for r in results]


def test_a_word_matches_a_tag(learner):
    tagged = make.question(
        learner, title="Workers lose jobs on every deploy", body="Why?", tags="celery ops"
    )
    untagged = make.question(learner, title="Forms lose their values", body="Why?", tags="forms")
    assert _found("celery") == [tagged]
    assert _found("tag:celery") == [tagged]
    assert _found("[celery] deploy") == [tagged]
    assert _found("tag:celery forms") == []
    assert untagged in _found("lose")


def test_part_of_a_hyphenated_tag_matches(learner):
    tagged = make.question(
        learner, title="Prefetching related rows", body="How?", tags="django-orm"
    )
    assert _found("orm") == [tagged]


def test_words_in_an_answer_find_the_question_with_the_answer_as_snippet(learner, mentor):
    question = make.question(learner, title="My worker loses jobs on deploy", body="Help.")
    make.answer(mentor, question, body="Turn on acks_late and set a visibility timeout.")
    results, total = selectors.question_search_page(
        viewer=None, query=site_search.parse("visibility")
    )
    assert total == 1 and results[0].question == question
    assert results[0].in_answer
    assert "<mark>visibility</mark>" in results[0].snippet


def test_a_hidden_answer_finds_nothing_for_learners(learner, other_learner, mentor):
    question = make.question(learner, title="My worker loses jobs on deploy", body="Help.")
    answer = make.answer(other_learner, question, body="Buy zeppelin insurance.")
    services.post_hidden_set(post=answer, hidden=True, reason="spam")
    assert _found("zeppelin", viewer=learner) == []
    assert _found("zeppelin", viewer=None) == []
    assert _found("zeppelin", viewer=mentor) == [question]


def test_a_quoted_phrase_matches_only_as_written(learner):
    phrase = make.question(
        learner, title="Tasks run twice after a restart", body="Is the visibility timeout short?"
    )
    apart = make.question(
        learner, title="Timeout on the admin page", body="The timeout hurts visibility of rows."
    )
    assert set(_found("visibility timeout")) == {phrase, apart}
    assert _found('"visibility timeout"') == [phrase]


def test_an_excluded_word_leaves_questions_out(learner):
    with_redis = make.question(learner, title="Celery with Redis as the broker", body="Fine?")
    plain = make.question(learner, title="Celery with RabbitMQ as the broker", body="Fine?")
    assert set(_found("celery broker")) == {with_redis, plain}
    assert _found("celery broker -redis") == [plain]


def test_a_hidden_question_is_found_only_by_mentors_and_its_author(learner, other_learner, mentor):
    question = make.question(learner, title="Quarantined question about zeppelins", body="Hm.")
    services.post_hidden_set(post=question, hidden=True, reason="off topic")
    assert _found("zeppelins", viewer=None) == []
    assert _found("zeppelins", viewer=other_learner) == []
    assert _found("zeppelins", viewer=mentor) == [question]
    assert _found("zeppelins", viewer=learner) == [question]
    assert selectors.question_search(viewer=other_learner, query="zeppelins") == []


def test_snippets_are_highlighted_on_both_databases(learner):
    make.question(
        learner,
        title="Template shows raw tags around my output",
        body="The serializer returns <b>bold</b> text in the field.",
    )
    [result] = selectors.question_search(viewer=None, query="serializer")
    assert "<mark>serializer</mark>" in result.snippet
    assert "<b>" not in result.snippet  # escaped (SQLite) or dropped by ts_headline
    assert "bold" in result.snippet


def test_the_total_counts_every_match_and_pages_do_not_overlap(learner, settings):
    settings.NEXUS_POSTING_LIMITS = {"question": {"hour": 1000, "new": 1000}}
    made = {
        make.question(learner, title=f"Zeppelin question number {i}", body="Hm.") for i in range(7)
    }
    query = site_search.parse("zeppelin")
    first, total = selectors.question_search_page(viewer=None, query=query, limit=5)
    second, _ = selectors.question_search_page(viewer=None, query=query, offset=5, limit=5)
    assert total == 7
    assert {r.question for r in first} | {r.question for r in second} == made
    assert not {r.question for r in first} & {r.question for r in second}


def test_postgresql_uses_the_indexes(learner, mentor):
    """The answer-body filter is the expression migration 0006 indexes; the question
    vectors carry the tags (also for rows indexed before it: the migration reindexes)."""
    if connection.vendor != "postgresql":
        pytest.skip("GIN indexes are PostgreSQL's")
    question = make.question(learner, title="Workers lose jobs", body="Why?", tags="celery")
    make.answer(mentor, question, body="Visibility timeout.")
    search = SearchQuery("visibility", search_type="websearch", config="english")
    answers = Answer.objects.annotate(v=selectors.ANSWER_VECTOR).filter(v=search).values("pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = answers.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "a_search_body" in plan, plan


# --- The stored answer vector and the capped total ----------------------------------------


def test_an_edited_answer_is_found_by_its_new_words_not_its_old_ones(learner, mentor):
    question = make.question(learner, title="My worker loses jobs on deploy", body="Help.")
    answer = make.answer(mentor, question, body="Raise the zeppelin timeout.")
    assert _found("zeppelin") == [question]
    services.answer_edit(editor=mentor, answer=answer, body="Raise the dirigible timeout.")
    assert _found("dirigible") == [question]
    assert _found("zeppelin") == []


def test_the_total_is_counted_up_to_one_past_the_cap(learner, mentor, settings, monkeypatch):
    """More than SEARCH_COUNT_MAX matches: the count stops at SEARCH_COUNT_MAX + 1 (the
    page shows "1,000+"), whether the matches are the questions' own words or only their
    answers'; at or under the cap the total is exact."""
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 1000, "new": 1000},
        "reply": {"hour": 1000, "new": 1000},
    }
    monkeypatch.setattr(selectors, "SEARCH_COUNT_MAX", 3)
    query = site_search.parse("zeppelin")

    def total() -> int:
        return selectors.question_search_page(viewer=None, query=query, limit=2)[1]

    for i in range(2):
        make.question(learner, title=f"Zeppelin question number {i}", body="Hm.")
    assert total() == 2
    for i in range(2):
        question = make.question(learner, title=f"Airship question number {i}", body="Hm.")
        make.answer(mentor, question, body="A zeppelin would do.")
    assert total() == 4  # two by their own words, two by an answer: past the cap of 3
    for i in range(3):
        make.question(learner, title=f"More zeppelin questions {i}", body="Hm.")
    assert total() == 4  # five by their own words alone: still one past the cap
    results, _ = selectors.question_search_page(viewer=None, query=query, limit=20)
    assert len(results) == 7  # the pages are not capped, only the count


def test_the_page_runs_five_queries_when_answers_give_the_snippets(learner, mentor):
    question = make.question(learner, title="My worker loses jobs on deploy", body="Help.")
    make.answer(mentor, question, body="Turn on acks_late and set a visibility timeout.")
    with CaptureQueriesContext(connection) as queries:
        results, total = selectors.question_search_page(
            viewer=mentor, query=site_search.parse("visibility")
        )
    assert total == 1 and results[0].in_answer
    # count, ids, rows, tags, answer snippets
    assert len(queries.captured_queries) == 5, [q["sql"] for q in queries.captured_queries]


# --- The ranked ids kept in hub.cache (issue 16) --------------------------------------------
# Writes run their after-commit callbacks (the version bumps of production) here.


@pytest.mark.cached
def test_a_write_is_found_by_the_next_signed_in_search(
    learner, mentor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = make.question(mentor, title="Zeppelin mooring masts", body="Tall ones.")
    assert _found("zeppelin", viewer=learner) == [first]  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        second = make.question(mentor, title="Zeppelin hangars", body="Big ones.")
    assert set(_found("zeppelin", viewer=learner)) == {first, second}
    with django_capture_on_commit_callbacks(execute=True):
        services.question_edit(
            editor=mentor,
            question=second,
            title="Airship hangars",
            body="Big ones.",
            category=second.category,
        )
    assert _found("zeppelin", viewer=learner) == [first]
    with django_capture_on_commit_callbacks(execute=True):
        make.answer(mentor, second, body="A zeppelin fits in a hangar.")
    assert set(_found("zeppelin", viewer=learner)) == {first, second}


@pytest.mark.cached
def test_a_hidden_answer_stops_finding_its_question_on_the_next_search(
    learner, other_learner, mentor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = make.question(learner, title="My worker loses jobs on deploy", body="Help.")
        answer = make.answer(other_learner, question, body="Buy zeppelin insurance.")
    assert _found("zeppelin", viewer=learner) == [question]  # cached for everyone "public"
    with django_capture_on_commit_callbacks(execute=True):
        services.post_hidden_set(post=answer, hidden=True, reason="spam")
    assert _found("zeppelin", viewer=learner) == []
    assert _found("zeppelin", viewer=None) == []
    assert _found("zeppelin", viewer=mentor) == [question]
    # Its author still finds it (their own view, never the visitors' cached one).
    results, _ = selectors.question_search_page(
        viewer=other_learner, query=site_search.parse("zeppelin")
    )
    assert [r.question for r in results] == [question] and "insurance" in results[0].snippet
    assert _found("zeppelin", viewer=learner) == []


@pytest.mark.cached
def test_the_author_of_a_hidden_question_is_not_served_the_public_entry(
    learner, other_learner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = make.question(learner, title="Quarantined zeppelins", body="Hm.")
        services.post_hidden_set(post=question, hidden=True, reason="off topic")
    assert _found("zeppelins", viewer=other_learner) == []  # the public entry
    assert _found("zeppelins", viewer=learner) == [question]
    assert _found("zeppelins", viewer=other_learner) == []


@pytest.mark.cached
def test_cached_ids_never_show_a_question_hidden_since(
    learner, mentor, django_capture_on_commit_callbacks
):
    """Even with a version bump lost (a cache outage at the write), the rows are read with
    the viewer's visibility: a hidden question never shows to a learner."""
    from django.utils import timezone

    from discussions.models import Question

    with django_capture_on_commit_callbacks(execute=True):
        kept = make.question(mentor, title="Zeppelin mooring masts", body="Tall ones.")
        gone = make.question(mentor, title="Zeppelin hangars", body="Big ones.")
    assert set(_found("zeppelin", viewer=learner)) == {kept, gone}
    Question.objects.filter(pk=gone.pk).update(hidden_at=timezone.now())  # no bump
    assert _found("zeppelin", viewer=learner) == [kept]


@pytest.mark.cached
def test_a_repeated_search_skips_the_count_and_the_ranking(
    learner, mentor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(3):
            make.question(mentor, title=f"Zeppelin number {i}", body="A zeppelin.")
    query = site_search.parse("zeppelin")
    first, total = selectors.question_search_page(viewer=learner, query=query)
    with CaptureQueriesContext(connection) as queries:
        again, again_total = selectors.question_search_page(viewer=learner, query=query)
    assert [r.question for r in again] == [r.question for r in first] and again_total == total
    # whose view (has the learner a hidden post?), rows, tags: no count, no ranking
    assert len(queries.captured_queries) == 3, [q["sql"] for q in queries.captured_queries]


def test_the_ranking_skips_answers_only_when_own_matches_fill_the_window(learner, mentor, settings):
    """Questions found only through an answer rank after every question whose own words
    match, so pages inside the own matches are the same as ranking every match."""
    settings.NEXUS_POSTING_LIMITS = {
        "question": {"hour": 100, "new": 100},
        "reply": {"hour": 100, "new": 100},
    }
    own = [make.question(learner, title=f"Zeppelin number {i}", body="Hm.") for i in range(3)]
    through_answer = make.question(learner, title="Airships and their masts", body="Hm.")
    make.answer(mentor, through_answer, body="A zeppelin is an airship.")
    query = site_search.parse("zeppelin")
    page, total = selectors.question_search_page(viewer=learner, query=query, limit=2)
    rest, _ = selectors.question_search_page(viewer=learner, query=query, offset=2, limit=2)
    assert total == 4
    found = [r.question for r in page + rest]
    assert set(found[:3]) == set(own) and found[3] == through_answer


def test_questions_matching_by_their_own_words_rank_before_those_found_through_an_answer(
    learner, mentor
):
    """A title holding the word does not lift a question that only an answer matches
    (here its body has the excluded word): ranks of a text that does not match mean
    nothing."""
    through_answer = make.question(
        learner, title="Celery or cron for nightly jobs?", body="We run Redis already."
    )
    make.answer(mentor, through_answer, body="Celery beat is fine for nightly jobs.")
    own = make.question(learner, title="Scheduling nightly jobs", body="Is Celery beat enough?")
    assert _found("celery -redis") == [own, through_answer]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search table: PostgreSQL")
def test_the_search_table_keeps_a_copy_of_the_score(learner, other_learner, mentor):
    from discussions.models import QuestionSearch

    question = make.question(learner, title="Zeppelin mooring masts", body="Tall ones.")
    services.vote_toggle(user=other_learner, post=question)
    services.vote_toggle(user=mentor, post=question)
    assert QuestionSearch.objects.get(question=question).score == 2
    services.vote_toggle(user=mentor, post=question)
    assert QuestionSearch.objects.get(question=question).score == 1


def test_hidden_questions_among_the_best_candidates_fall_back_to_the_full_ranking(
    learner, other_learner, mentor, settings, monkeypatch
):
    """The window is ranked from a few candidates of the search table; when hidden ones
    leave too few, every match is ranked: the same page either way."""
    settings.NEXUS_POSTING_LIMITS = {"question": {"hour": 100, "new": 100}}
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES_EXTRA", 0)
    best = [
        make.question(other_learner, title=f"Zeppelin zeppelin number {i}", body="A zeppelin.")
        for i in range(2)
    ]
    rest = [make.question(other_learner, title=f"Zeppelin {i} masts", body="Hm.") for i in range(4)]
    services.vote_toggle(user=mentor, post=rest[1])
    for question in best:
        services.post_hidden_set(post=question, hidden=True, reason="spam")
    for viewer in (learner, mentor):
        every = _found("zeppelin", viewer=viewer)  # 20 a page: more than match, all ranked
        assert len(every) == (6 if viewer == mentor else 4)
        for offset in range(3):
            results, _ = selectors.question_search_page(
                viewer=viewer, query=site_search.parse("zeppelin"), offset=offset, limit=1
            )
            assert [r.question for r in results] == every[offset : offset + 1]
    assert not set(best) & set(_found("zeppelin", viewer=learner))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search table: PostgreSQL")
def test_an_edit_from_an_older_copy_keeps_the_search_tables_score(learner, other_learner):
    from discussions.models import Question, QuestionSearch

    question = make.question(learner, title="Zeppelin mooring masts", body="Tall ones.")
    stale = Question.objects.get(pk=question.pk)
    services.vote_toggle(user=other_learner, post=question)
    services.question_edit(
        editor=learner,
        question=stale,
        title="Zeppelin mooring masts, tall",
        body="Tall ones.",
        category=stale.category,
    )
    assert QuestionSearch.objects.get(question=question).score == 1
