"""Demo data for moderation: a mentors' queue with something in it on a first visit.

Run after the demo forum and showcase (hub/management/commands/seed_demo.py): it acts on
their questions, answers and projects. Every action goes through moderation/services.py
(and the few posts it needs through the content apps' services), then its rows are moved
back in time, as discussions/demo.py and projects/demo.py do with theirs.

The stories, oldest first:

- a mentor dismissed a flag on a reasoned answer (the resolved case, for history);
- the admin pinned the best question of two topics, a mentor locked a settled thread
  and marked a repeated question a duplicate of the original;
- a newcomer, @max-v, was rude in an answer (three flags hid it, pending a mentor's
  review) and in project feedback (flagged as abusive), and the admin suspended him for
  a few days;
- a friendly off-topic comment with one flag, and a question flagged as a duplicate of
  the N+1 thread, with a mentor's note on it;
- three unanswered questions whose askers pressed "ask a mentor", one taken by Grace
  with a note;
- saved replies for Grace and the admin.

Idempotent: each story is skipped when its own rows exist. Stories are recognised by
rows that are never deleted (log entries, flags, posts, the newcomer's account), so one a
visitor has since undone (a question unpinned, a flag dismissed) is not played again; a
saved reply deleted since is written again. Returns how many rows of each kind it made,
all zeros on a second run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from accounts.demo import DemoPerson
from accounts.models import Role, Track, User
from accounts.services import user_create
from discussions import demo_content as forum_content
from discussions import services as forum_services
from discussions.demo_content import md
from discussions.models import (
    Answer,
    Category,
    Comment,
    Follow,
    Mention,
    Question,
    Revision,
)
from moderation import services
from moderation.models import (
    Action,
    Case,
    Flag,
    FlagReason,
    LogEntry,
    MentorNote,
    QuestionClaim,
    SavedReply,
    TargetKind,
)
from moderation.services.log import record
from moderation.targets import target_of
from notifications.models import Notification
from notifications.services import emails_paused
from projects import services as project_services
from projects.models import Feedback, FeedbackRevision, Project, State

#: Nothing is placed closer to "now" than this (as in the other demo seeders).
MIN_AGE = timedelta(minutes=75)

#: Every timestamp a write of this module can set to "now", moved back to the story's
#: moment afterwards. Question.last_activity_at is not here: a new post on an old thread
#: must not move it backwards (see `_Seeder.post`).
_STAMPED: list[tuple[type[Model], str]] = [
    (Question, "created_at"),
    (Question, "pinned_at"),
    (Question, "locked_at"),
    (Question, "mentor_requested_at"),
    (Question, "hidden_at"),
    (Answer, "created_at"),
    (Answer, "hidden_at"),
    (Comment, "created_at"),
    (Comment, "hidden_at"),
    (Revision, "created_at"),
    (Mention, "created_at"),
    (Follow, "created_at"),
    (Feedback, "created_at"),
    (Feedback, "hidden_at"),
    (FeedbackRevision, "created_at"),
    (Case, "opened_at"),
    (Case, "last_flagged_at"),
    (Case, "claimed_at"),
    (Case, "resolved_at"),
    (Flag, "created_at"),
    (QuestionClaim, "claimed_at"),
    (LogEntry, "created_at"),
    (MentorNote, "created_at"),
    (SavedReply, "created_at"),
    (Notification, "created_at"),
    (Notification, "updated_at"),
]

_CREATION_STAMPS = {"created_at", "opened_at"}


def _newest_pk(model: type[Model]) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


#: Who a row of each stamped model belongs to: only rows of the demo's people (their
#: addresses end in DEMO_DOMAIN) move back, never a real person's written meanwhile.
DEMO_DOMAIN = "@nexus.example"
_OWNERS: dict[type[Model], tuple[str, ...]] = {
    Question: ("author",),
    Answer: ("author",),
    Comment: ("author",),
    Revision: ("editor",),
    Mention: ("user",),
    Follow: ("user",),
    Feedback: ("author",),
    FeedbackRevision: ("editor",),
    Case: ("target_author",),
    Flag: ("reporter",),
    QuestionClaim: ("mentor",),
    LogEntry: ("actor", "target_user"),
    MentorNote: ("author",),
    SavedReply: ("owner",),
    Notification: ("recipient",),
}


def demo_owned(model: type[Model]) -> Q:
    """The rows of `model` that belong to the demo's people."""
    owned = Q()
    for path in _OWNERS[model]:
        owned |= Q(**{f"{path}__email__endswith": DEMO_DOMAIN})
    return owned


ADMIN, GRACE, MARTA, TOMAS = "admin-nexus", "grace", "marta-k", "tomas-r"

#: The newcomer whose rudeness fills the queue (never a demo login).
TROUBLEMAKER = DemoPerson(
    "max-v",
    "Max Vogel",
    Role.LEARNER,
    "Self-taught, in a hurry. Learning Django for a startup idea.",
    "2026-autumn",
    Track.BACKEND,
    26,
)

# Titles of the demo forum (discussions/demo_content.py) and showcase this module acts on.
Q_GENERATORS = "List comprehension or generator expression: when does memory actually matter?"
Q_SIGNALS = "Signals or overriding save(): where should 'send a welcome email' go?"
Q_N_PLUS_ONE = "N+1 queries on my list page: select_related or prefetch_related?"
Q_CONTAINER_POSTGRES = "Django container can't reach Postgres: connection refused on localhost:5432"
Q_JWT = "Token authentication or JWT for the mobile client of my DRF API?"
Q_CODEBASE = "How do you find your way around a large, unfamiliar Django codebase?"
Q_COLLECTSTATIC = "collectstatic fails during docker build because SECRET_KEY isn't set"
Q_DEPLOY_SECRETS = "Where should deploy secrets live in a GitHub Actions workflow?"
Q_STAMPEDE = "Cache stampede when a popular key expires: what are the standard fixes?"
P_HOOKY = "Hooky: signed webhooks with retries"

#: Categories whose best question (highest score, then oldest) the admin pins.
PINNED_CATEGORIES = ("django", "career")

RUDE_ANSWER = md(
    """
    Did you even search before posting? Lists vs generators is in every beginner
    tutorial. Read the docs instead of wasting everyone's time.
    """
)
RUDE_FEEDBACK = md(
    """
    Copy-pasted from a tutorial with the names changed. If this is what passes for a
    project here, I feel sorry for whoever has to review it.
    """
)
OFF_TOPIC_COMMENT = (
    "Slightly off-topic: is anyone from the autumn cohort going to DjangoCon Europe? "
    "Would be great to meet some of you in person!"
)

DUPLICATE_FLAGGED = {
    "author": "lena-m",
    "category": "django",
    "title": "Template loop over my orders runs one query per customer",
    "tags": ("django", "django-orm", "performance"),
    "days_ago": 4.2,
    "body": md(
        """
        My order list gets slower with every order. django-debug-toolbar shows 101 queries
        for 100 orders, nearly all of them `SELECT ... FROM shop_customer WHERE id = ...`.

        ```python
        def order_list(request):
            orders = Order.objects.order_by("-created_at")[:100]
            return render(request, "shop/order_list.html", {"orders": orders})
        ```

        ```django
        {% for order in orders %}
          <li>{{ order.number }}: {{ order.customer.name }}</li>
        {% endfor %}
        ```

        Can I load the customers together with the orders somehow?
        """
    ),
}
DUPLICATE_MARKED = {
    "author": "amir-h",
    "category": "docker",
    "title": "psycopg can't connect to 127.0.0.1:5432 from my web container",
    "tags": ("docker", "docker-compose", "postgresql"),
    "days_ago": 5.3,
    "body": md(
        """
        Postgres runs in Compose next to my Django app. From my laptop
        `psql -h 127.0.0.1 -U app` works, but the web container fails on startup:

        ```
        psycopg.OperationalError: connection failed: connection to server at
        "127.0.0.1", port 5432 failed: Connection refused
        ```

        `DATABASES["default"]["HOST"]` is `"127.0.0.1"` and the db service publishes
        `5432:5432`. What am I missing?
        """
    ),
}

#: (mentor_request hours after asking, claimed by, hours after the request, note).
MENTOR_REQUESTS = {
    Q_COLLECTSTATIC: (1.6, "", 0.0, ""),
    Q_DEPLOY_SECRETS: (
        4.0,
        GRACE,
        7.5,
        "I'll take this one — Grace. Writing up environment secrets vs. OIDC to the "
        "cloud provider; the answer goes up tonight.",
    ),
    Q_STAMPEDE: (2.3, "", 0.0, ""),
}

SAVED_REPLIES = {
    GRACE: [
        (
            "Ask for the full traceback",
            md(
                """
                Thanks for the question! Could you paste the **full traceback**, from
                `Traceback (most recent call last):` down to the last line, in a code block
                (three backticks before and after)? The last line says what failed; the
                frames above it say where, and which line of *your* code started it.
                """
            ),
        ),
        (
            "Ask for a minimal reproducible example",
            md(
                """
                I'd like to reproduce this before guessing. Could you add a **minimal
                example**: the smallest model, view or serializer and request that still
                show the problem (cut everything else), what you expected and what happened
                instead, and your versions:

                ```
                python -m django --version
                python -c "import rest_framework; print(rest_framework.VERSION)"
                ```

                Often the cause turns up while trimming the example down.
                """
            ),
        ),
        (
            "N+1: select_related / prefetch_related",
            md(
                """
                This looks like an N+1: one query for the list, then one more per row each
                time the template or serializer follows a relation. The fix is in the
                queryset:

                - `select_related("author")` for foreign keys and one-to-ones (a JOIN,
                  still one query);
                - `prefetch_related("tags")` for many-to-many and reverse foreign keys (one
                  more query per relation, whatever the number of rows).

                The docs:
                [select_related](https://docs.djangoproject.com/en/stable/ref/models/querysets/#select-related)
                and
                [prefetch_related](https://docs.djangoproject.com/en/stable/ref/models/querysets/#prefetch-related).
                django-debug-toolbar's SQL panel shows the count before and after.
                """
            ),
        ),
    ],
    ADMIN: [
        (
            "Welcome: how to ask",
            md(
                """
                Welcome to Nexus! Questions get answered fastest with a title that says what
                goes wrong, the code involved in a code block, the full error message, and
                what you already tried. Pick the topic that fits and add a few tags.
                """
            ),
        ),
        (
            "Keep feedback about the code",
            md(
                """
                A word from the moderators: feedback here is about the code, never the
                person. Say what you would change and why; "this is bad" helps nobody.
                Repeated personal remarks lead to a suspension.
                """
            ),
        ),
    ],
}


def seed_moderation() -> dict[str, int]:
    """Fill the mentors' queue, the moderation log and the mentor tools (see the module
    docstring). Call it after `seed_forum` and `seed_projects`."""
    with emails_paused(), transaction.atomic():
        return _Seeder().run()


class _Seeder:
    def __init__(self) -> None:
        self.now = timezone.now()
        self.created = dict.fromkeys(
            (
                "people",
                "posts",
                "flags",
                "resolved",
                "pinned",
                "locked",
                "marked duplicate",
                "suspended",
                "asked for a mentor",
                "claimed",
                "notes",
                "saved replies",
                "response times",
            ),
            0,
        )
        self.people: dict[str, User] = {}

    # -- lookups --

    def person(self, handle: str) -> User:
        if handle not in self.people:
            user = User.objects.filter(handle=handle).first()
            if user is None:
                raise ValueError(f"The moderation demo needs @{handle}: seed the forum first.")
            self.people[handle] = user
        return self.people[handle]

    @staticmethod
    def question(title: str) -> Question:
        question = Question.objects.filter(title=title).select_related("author").first()
        if question is None:
            raise ValueError(f"The moderation demo needs the question “{title}”.")
        return question

    # -- time --

    def clamp(self, moment: datetime) -> datetime:
        return min(moment, self.now - MIN_AGE)

    def ago(self, days: float, *, not_before: datetime, hours_after: float = 1) -> datetime:
        """`days` before now, but at least `hours_after` hours after `not_before`."""
        return self.clamp(
            max(self.now - timedelta(days=days), not_before + timedelta(hours=hours_after))
        )

    def later(self, moment: datetime, hours: float) -> datetime:
        return self.clamp(moment + timedelta(hours=hours))

    @contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        """Everything the block writes "now" happened at `moment`: posts, revisions,
        flags, cases, log entries, notifications (those a repeat coalesced included)...

        Only the demo people's rows the block wrote move: a creation time only on rows
        newer than the block (their ids above the newest before it), any other stamp only
        where the block set it (at or after its start)."""
        since = timezone.now()
        newest = {model: _newest_pk(model) for model in {m for m, _ in _STAMPED}}
        yield
        for model, field in _STAMPED:
            rows = model.objects.filter(demo_owned(model), **{f"{field}__gte": since})
            if field in _CREATION_STAMPS:
                rows = rows.filter(pk__gt=newest[model])
            rows.update(**{field: moment})

    # -- the stories --

    def run(self) -> dict[str, int]:
        self.dismissed_flag()
        self.pins()
        self.lock()
        self.marked_duplicate()
        self.troublemaker()
        self.off_topic_comment()
        self.flagged_duplicate()
        self.mentor_requests()
        self.saved_replies()
        self.first_mentor_responses()
        self.hidden_projects()
        return self.created

    def dismissed_flag(self) -> None:
        """A learner flagged a reasoned answer as "just an opinion"; Grace dismissed it."""
        question = self.question(Q_SIGNALS)
        answer = (
            Answer.objects.filter(question=question, author__handle="diego-f")
            .select_related("author", "question")
            .first()
        )
        reporter = self.person("priya-s")
        if (
            answer is None
            or Flag.objects.filter(
                reporter=reporter, kind=TargetKind.ANSWER, object_id=answer.pk
            ).exists()
        ):
            return
        flagged_at = self.ago(19.5, not_before=answer.created_at, hours_after=30)
        with self.at(flagged_at):
            flag = services.flag_create(
                reporter=reporter,
                target=answer,
                reason=FlagReason.OTHER,
                detail="Says never to use signals. That's one team's opinion, not an answer.",
            )
        self.created["flags"] += 1
        with self.at(self.later(flagged_at, 5.5)):
            services.case_resolve(
                mentor=self.person(GRACE),
                case=flag.case,
                agree=False,
                note="A reasoned opinion is a fair answer: if you disagree, say why in a "
                "comment. Flags are for spam, rudeness and off-topic posts.",
            )
        self.created["resolved"] += 1

    def pins(self) -> None:
        """The admin pins the best question of a couple of topics."""
        admin = self.person(ADMIN)
        for index, slug in enumerate(PINNED_CATEGORIES):
            in_category = Question.objects.filter(
                category__slug=slug, is_deleted=False, hidden_at=None
            )
            already = LogEntry.objects.filter(
                action=Action.PIN,
                target_kind=TargetKind.QUESTION,
                target_id__in=in_category.values("pk"),
            ).exists()
            best = in_category.filter(pinned_at=None).order_by("-score", "created_at", "pk").first()
            if already or best is None:
                continue
            pinned_at = self.ago(24 - 0.3 * index, not_before=best.last_activity_at, hours_after=20)
            with self.at(pinned_at):
                services.question_pin(actor=admin, question=best, pinned=True)
            self.created["pinned"] += 1

    def lock(self) -> None:
        question = self.question(Q_JWT)
        if LogEntry.objects.filter(
            action=Action.LOCK, target_kind=TargetKind.QUESTION, target_id=question.pk
        ).exists():
            return
        with self.at(self.ago(5, not_before=question.last_activity_at, hours_after=12)):
            services.question_lock(
                actor=self.person(TOMAS),
                question=question,
                reason="Both answers lay out the trade-offs and the thread keeps drawing "
                "“me too” replies; locked so it stays a clean reference. Ask a new "
                "question for your own setup.",
            )
        self.created["locked"] += 1

    def marked_duplicate(self) -> None:
        """A repeat of the container-networking question, marked a duplicate by Grace."""
        if Question.objects.filter(title=DUPLICATE_MARKED["title"]).exists():
            return
        original = self.question(Q_CONTAINER_POSTGRES)
        question, asked_at = self.new_question(DUPLICATE_MARKED)
        with self.at(self.later(asked_at, 2.5)):
            services.question_mark_duplicate(
                actor=self.person(GRACE),
                question=question,
                original=original,
                reason="Same cause: inside the web container, 127.0.0.1 is the container "
                "itself. The accepted answer there shows the fix (HOST=db, the Compose "
                "service name).",
            )
        self.created["marked duplicate"] += 1

    def troublemaker(self) -> None:
        """@max-v's rude answer (hidden by three flags, waiting for a mentor) and rude
        feedback (flagged as abusive), then the admin's suspension."""
        person = TROUBLEMAKER
        email = f"{person.handle}@nexus.example"
        if User.objects.filter(email=email).exists():
            return
        max_v = user_create(
            email=email,
            handle=person.handle,
            password=None,
            display_name=person.display_name,
            role=person.role,
            bio=person.bio,
            cohort=person.cohort,
            track=person.track,
        )
        User.objects.filter(pk=max_v.pk).update(
            date_joined=self.now - timedelta(days=person.joined_days_ago)
        )
        max_v.refresh_from_db()
        self.people[max_v.handle] = max_v
        self.created["people"] += 1

        question = self.question(Q_GENERATORS)
        answered_at = self.later(question.created_at, 3.2)
        answer = self.post(
            answered_at,
            question,
            lambda: forum_services.answer_create(author=max_v, question=question, body=RUDE_ANSWER),
        )
        flagged_at = answered_at
        for handle, reason, detail, hours in (
            ("amir-h", FlagReason.ABUSIVE, "Rude, and it doesn't answer the question.", 1.1),
            ("lena-m", FlagReason.ABUSIVE, "", 1.4),
            ("kenji", FlagReason.OFF_TOPIC, "Not an answer.", 2.0),
        ):
            flagged_at = self.later(flagged_at, hours)
            with self.at(flagged_at):
                services.flag_create(
                    reporter=self.person(handle), target=answer, reason=reason, detail=detail
                )
            self.created["flags"] += 1

        project = Project.objects.filter(title=P_HOOKY).select_related("author").first()
        if project is None:
            raise ValueError(f"The moderation demo needs the project “{P_HOOKY}”.")
        feedback_at = self.ago(0.95, not_before=project.published_at or project.created_at)
        with self.at(feedback_at):
            feedback = project_services.feedback_create(
                author=max_v, project=project, body=RUDE_FEEDBACK
            )
        self.created["posts"] += 1
        with self.at(self.later(feedback_at, 1.7)):
            services.flag_create(
                reporter=project.author,
                target=feedback,
                reason=FlagReason.ABUSIVE,
                detail="Personal, and nothing about the code.",
            )
        self.created["flags"] += 1

        until = (self.now + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
        with self.at(self.later(feedback_at, 4.5)):
            services.user_suspend(
                actor=self.person(ADMIN),
                user=max_v,
                until=until,
                reason="Rude replies to other learners, in an answer and in project "
                "feedback. Critique the code, not the person; you can post again when the "
                "suspension ends.",
            )
        self.created["suspended"] += 1

    def off_topic_comment(self) -> None:
        """A friendly but off-topic comment on Ada's question, with one flag."""
        question = self.question(Q_CODEBASE)
        author = self.person("amir-h")
        if Comment.objects.filter(
            author=author, question=question, body=OFF_TOPIC_COMMENT
        ).exists():
            return
        commented_at = self.ago(3.1, not_before=question.last_activity_at)
        comment = self.post(
            commented_at,
            question,
            lambda: forum_services.comment_create(
                author=author, question=question, body=OFF_TOPIC_COMMENT
            ),
        )
        with self.at(self.later(commented_at, 6.3)):
            services.flag_create(
                reporter=self.person("diego-f"), target=comment, reason=FlagReason.OFF_TOPIC
            )
        self.created["flags"] += 1

    def flagged_duplicate(self) -> None:
        """A repeat of the N+1 question, flagged as a duplicate (with the original's link),
        and Marta's note on it for whoever takes the flag."""
        if Question.objects.filter(title=DUPLICATE_FLAGGED["title"]).exists():
            return
        original = self.question(Q_N_PLUS_ONE)
        question, asked_at = self.new_question(DUPLICATE_FLAGGED)
        flagged_at = self.later(asked_at, 5.2)
        with self.at(flagged_at):
            services.flag_create(
                reporter=self.person("kenji"),
                target=question,
                reason=FlagReason.DUPLICATE,
                detail=f"{settings.NEXUS_BASE_URL}{original.get_absolute_url()}",
            )
        self.created["flags"] += 1
        with self.at(self.later(flagged_at, 3.4)):
            services.mentor_note_add(
                author=self.person(MARTA),
                question=question,
                body="Looks like a straight duplicate of the N+1 thread "
                '(`select_related("customer")`). Whoever takes the flag: mark it, and '
                "maybe leave Lena a comment on why the template triggers the queries. "
                "— Marta",
            )
        self.created["notes"] += 1

    def mentor_requests(self) -> None:
        """Askers who pressed "ask a mentor"; Grace took one of them, with a note."""
        for title, (after, claimer, claim_after, note) in MENTOR_REQUESTS.items():
            question = self.question(title)
            if question.mentor_requested_at is not None or question.has_mentor_answer:
                continue
            requested_at = self.later(question.created_at, after)
            with self.at(requested_at):
                services.mentor_request(user=question.author, question=question)
            self.created["asked for a mentor"] += 1
            if not claimer:
                continue
            claimed_at = self.later(requested_at, claim_after)
            mentor = self.person(claimer)
            with self.at(claimed_at):
                services.question_claim(mentor=mentor, question=question)
            self.created["claimed"] += 1
            if note:
                with self.at(claimed_at + timedelta(minutes=2)):
                    services.mentor_note_add(author=mentor, question=question, body=note)
                self.created["notes"] += 1

    def saved_replies(self) -> None:
        for handle, replies in SAVED_REPLIES.items():
            owner = self.person(handle)
            for index, (title, body) in enumerate(replies):
                if SavedReply.objects.filter(owner=owner, title__iexact=title).exists():
                    continue
                written_at = self.clamp(
                    max(
                        self.now - timedelta(days=48 - 9 * index),
                        owner.date_joined + timedelta(days=1),
                    )
                )
                with self.at(written_at):
                    services.saved_reply_create(owner=owner, title=title, body=body)
                self.created["saved replies"] += 1

    def hidden_projects(self) -> None:
        """The showcase's demo hides a project through its own service (projects never
        imports moderation): its log entry and the author's notice, dated when it was
        hidden. Once: a project that has its entry is left alone."""
        logged = LogEntry.objects.filter(target_kind=TargetKind.PROJECT, action=Action.HIDE).values(
            "target_id"
        )
        hidden = (
            Project.objects.filter(state=State.HIDDEN, author__email__endswith="@nexus.example")
            .exclude(pk__in=logged)
            .select_related("author", "hidden_by")
        )
        for project in hidden:
            target = target_of(project)
            with self.at(project.hidden_at):
                record(
                    actor=project.hidden_by,
                    action=Action.HIDE,
                    target_kind=target.kind,
                    target_id=target.pk,
                    target_label=target.label,
                    target_url=target.url,
                    target_user=target.author,
                    reason=project.hidden_reason,
                    before={"hidden": False},
                    after={"hidden": True},
                    tell=f"A mentor hid your {target.noun} “{target.label}”: "
                    f"{project.hidden_reason}",
                )

    def first_mentor_responses(self) -> None:
        """The services record a thread's first mentor answer or comment as it is posted,
        at the real "now"; the demo's posts were moved back afterwards, so take each demo
        question's earliest mentor answer or comment again (the queue's response-time
        figures read these)."""
        titles = [q.title for q in forum_content.QUESTIONS]
        titles += [DUPLICATE_FLAGGED["title"], DUPLICATE_MARKED["title"]]
        questions = Question.objects.filter(title__in=titles)
        mentor_roles = (Role.MENTOR, Role.ADMIN)
        earliest: dict[int, tuple[datetime, int]] = {}

        def consider(question_id: int, at: datetime, author_id: int) -> None:
            if question_id not in earliest or at < earliest[question_id][0]:
                earliest[question_id] = (at, author_id)

        for question_id, at, author_id in Answer.objects.filter(
            question__in=questions, author__role__in=mentor_roles, is_deleted=False
        ).values_list("question_id", "created_at", "author_id"):
            consider(question_id, at, author_id)
        comments = Comment.objects.filter(
            Q(question__in=questions) | Q(answer__question__in=questions),
            author__role__in=mentor_roles,
            is_deleted=False,
        )
        for question_id, answer_question_id, at, author_id in comments.values_list(
            "question_id", "answer__question_id", "created_at", "author_id"
        ):
            consider(question_id or answer_question_id, at, author_id)

        current = {
            pk: (at, responder)
            for pk, at, responder in questions.values_list(
                "pk", "first_mentor_response_at", "first_mentor_responder_id"
            )
        }
        for pk, first in earliest.items():
            if current.get(pk) != first:
                Question.objects.filter(pk=pk).update(
                    first_mentor_response_at=first[0], first_mentor_responder_id=first[1]
                )
                self.created["response times"] += 1

    # -- posts --

    def post(self, moment: datetime, question: Question, write):
        """Write a post on `question` at `moment`; the thread's last activity moves to it
        only if it is later than what the thread had."""
        before = question.last_activity_at
        with self.at(moment):
            post = write()
        Question.objects.filter(pk=question.pk).update(last_activity_at=max(before, moment))
        question.last_activity_at = max(before, moment)
        post.created_at = moment
        self.created["posts"] += 1
        return post

    def new_question(self, item: dict) -> tuple[Question, datetime]:
        asked_at = self.clamp(self.now - timedelta(days=item["days_ago"]))
        category = Category.objects.get(slug=item["category"])
        with self.at(asked_at):
            question = forum_services.question_create(
                author=self.person(item["author"]),
                title=item["title"],
                body=item["body"],
                category=category,
                tags=item["tags"],
            )
        Question.objects.filter(pk=question.pk).update(last_activity_at=asked_at)
        question.created_at = question.last_activity_at = asked_at
        self.created["posts"] += 1
        return question, asked_at


def backdate_guide_log(*, after_pk: int) -> int:
    """The guide's demo closes a question as answered in the guide (guides/demo.py); its
    log entry and notice move back with the thread, like this module's own stories.
    Only the entries this run wrote (newer than `after_pk`) move."""
    now = timezone.now()
    moved = 0
    for entry in LogEntry.objects.filter(
        demo_owned(LogEntry), action=Action.GUIDE_CLOSE, pk__gt=after_pk
    ):
        question = Question.objects.filter(pk=entry.target_id).first()
        if question is None:
            continue
        when = min(question.last_activity_at + timedelta(hours=6), now - timedelta(hours=2))
        LogEntry.objects.filter(pk=entry.pk).update(created_at=when)
        Notification.objects.filter(
            demo_owned(Notification), target_key=f"moderation:{entry.pk}"
        ).update(created_at=when, updated_at=when)
        moved += 1
    return moved
