"""Demo data for the guide: the written articles (guides/content.py), with the life a
guide has after a few months: mentors' reviews (one long ago, so a section shows "may be
out of date"), an accepted answer added to a section, a question closed as answered in
the guide, a learner's proposed edit waiting, and a "not helpful" note for the queue.

Run after the demo forum (seed_demo composes it). Idempotent: the articles load by anchor,
and each story is skipped when its rows exist. Returns counts of what it made.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from discussions.models import Question
from guides import services
from guides.models import EditProposal, HelpfulVote, Section, SectionQuestion, SectionReview

REVIEWERS = ("grace", "marta-k", "tomas-r")


def _person(handle: str) -> User | None:
    return User.objects.filter(handle=handle).first()


@transaction.atomic
def seed_guides() -> dict[str, int]:
    made = dict.fromkeys(("sections", "reviews", "links", "proposals", "feedback"), 0)
    grace = _person("grace")
    if grace is None:
        return made
    made["sections"] = services.guides_load(editor=grace)["created"]
    now = timezone.now()
    sections = list(Section.objects.select_related("guide").order_by("guide__position", "position"))
    reviews: dict[int, int] = {}  # section -> the review this run wrote
    if not SectionReview.objects.exists():
        reviewers = [u for u in (_person(h) for h in REVIEWERS) if u is not None]
        for n, section in enumerate(sections):
            reviewer = reviewers[n % len(reviewers)]
            review = services.section_review(reviewer=reviewer, section=section, note="Checked")
            reviews[section.pk] = review.pk
            made["reviews"] += 1
        # Spread the reviews over the last months; one long enough ago to be due again.
        for n, section in enumerate(sections):
            days = 7 + (n * 11) % 120
            if section.anchor == "compose-for-the-whole-stack":
                days = 200
            when = now - timedelta(days=days)
            Section.objects.filter(pk=section.pk).update(last_reviewed_at=when)
            SectionReview.objects.filter(pk=reviews[section.pk]).update(created_at=when)
    made["links"] += _promote_an_answer(grace)
    made["links"] += _close_a_question(grace)
    made["proposals"] += _propose_an_edit()
    made["feedback"] += _not_helpful()
    return made


def _section(anchor: str) -> Section | None:
    return Section.objects.select_related("guide").filter(anchor=anchor).first()


def _promote_an_answer(mentor: User) -> int:
    """The accepted answer of the N+1 thread, added to the Django guide's N+1 section."""
    section = _section("the-n1-query-and-how-to-see-it")
    if section is None or SectionQuestion.objects.filter(kind="promoted").exists():
        return 0
    question = (
        Question.objects.filter(
            is_deleted=False,
            hidden_at__isnull=True,
            accepted_answer__isnull=False,
            category__slug="django",
            author__email__endswith="@nexus.example",  # a demo thread, never a real one
        )
        .select_related("accepted_answer")
        .order_by("-score", "pk")
        .first()
    )
    if question is None:
        return 0
    answer = question.accepted_answer
    body = (
        f"**From the forum:** {answer.author.name}'s accepted answer to "
        f"[{question.title}]({question.get_absolute_url()}), edited for the guide:\n\n"
        f"{answer.body.strip()}"
    )
    services.answer_promote(mentor=mentor, answer=answer, section=section, body=body)
    return 1


def _close_a_question(mentor: User) -> int:
    """An unanswered caching question, closed as answered in the caching guide."""
    section = _section("invalidation-the-hard-part")
    if section is None or SectionQuestion.objects.filter(kind="answered").exists():
        return 0
    question = (
        Question.objects.filter(
            is_deleted=False,
            hidden_at__isnull=True,
            category__slug="caching",
            accepted_answer__isnull=True,
            author__email__endswith="@nexus.example",  # a demo thread, never a real one
        )
        .order_by("pk")
        .first()
    )
    if question is None:
        return 0
    services.question_close_in_guide(
        mentor=mentor,
        question=question,
        section=section,
        reason="The guide's invalidation section covers this step by step.",
    )
    return 1


def _propose_an_edit() -> int:
    section = _section("keyset-cursor-pagination") or _section(
        "pagination-that-stays-fast-on-page-500"
    )
    learner = _person("kenji")
    if section is None or learner is None or EditProposal.objects.exists():
        return 0
    body = section.body.replace(
        'The cost: no "jump to page 37".',
        'The cost: no "jump to page 37", and the cursor must be opaque to clients '
        "(base64 of the sort value and id), so they never build one by hand.",
    )
    if body == section.body:
        body = section.body + "\nKeep the cursor opaque to clients.\n"
    services.proposal_create(
        proposer=learner,
        section=section,
        title=section.title,
        body=body,
        note="Say why the cursor is opaque: my API's clients started building their own.",
    )
    return 1


def _not_helpful() -> int:
    section = _section("retries-idempotency-and-exactly-once-effects")
    learner = _person("priya-s")
    if section is None or learner is None or HelpfulVote.objects.exists():
        return 0
    services.helpful_vote(
        user=learner,
        section=section,
        helpful=False,
        note="What happens to a task that fails all 8 retries? Where does it go?",
    )
    for handle in ("ada", "olu", "lena-m"):
        person = _person(handle)
        if person is not None:
            services.helpful_vote(user=person, section=section, helpful=True)
    return 1
