"""The GraphQL door of moderation: flagging, for everyone who may post, and the mentors'
actions (pin, lock, hide, move, mark duplicates, resolve flags, suspend, notes, saved
replies), each calling its service in moderation/services.py. A token needs the
`moderate` scope for the mentors' actions. Thin: targets are loaded with the viewer's
own visibility, the services decide who may."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from django.core.exceptions import PermissionDenied
from strawberry import relay
from strawberry.types import Info

from accounts.graphql import UserType
from accounts.models import User
from discussions import selectors as forum
from discussions.graphql import QuestionType
from guides import selectors as guide_selectors
from guides.graphql import GuideFeedbackType, GuideProposalType, GuideSectionType
from hub.graphql_base import (
    INPUT,
    Connection,
    Page,
    Paginated,
    Payload,
    UserError,
    batch,
    decode_id,
    nodes_by_ids,
    not_found,
    refusal_errors,
    require_scope,
    run_service,
    uncached,
    viewer,
)
from moderation import permissions, services
from moderation.models import Action as ActionChoice
from moderation.models import Case as CaseModel
from moderation.models import LogEntry as LogEntryModel
from moderation.models import TargetKind as TargetKindChoice
from projects import selectors as showcase
from projects.graphql import ProjectType


@strawberry.enum(description="Why something is flagged.")
class FlagReason(Enum):
    SPAM = "spam"
    ABUSIVE = "abusive"
    OFF_TOPIC = "off_topic"
    DUPLICATE = "duplicate"
    OTHER = "other"


@strawberry.input(description="Flag a question, answer, comment, project or feedback.")
class FlagInput:
    id: relay.GlobalID = strawberry.field(description="What to flag.")
    reason: FlagReason = strawberry.field(description="Why.")
    detail: str = strawberry.field(
        default="", description="More for the mentors (needed for `OTHER`)."
    )


@strawberry.type(description="Whether the flag was taken, or its errors.")
class FlagPayload(Payload):
    flagged: bool = strawberry.field(description="True when the flag was recorded.")


_LOADERS = {
    "Question": lambda user, pk: forum.question_get(viewer=user, pk=pk),
    "Answer": lambda user, pk: forum.answer_get(viewer=user, pk=pk),
    "Comment": lambda user, pk: forum.comment_get(viewer=user, pk=pk),
    "Project": lambda user, pk: showcase.project_get_for_viewer(viewer=user, pk=pk),
    "Feedback": lambda user, pk: showcase.feedback_get_for_viewer(viewer=user, pk=pk),
}


def _flaggable(info: Info, raw: relay.GlobalID) -> Any:
    load = _LOADERS.get(raw.type_name)
    pk = decode_id(raw, raw.type_name) if load else None
    return load(viewer(info), pk) if pk else None


ModerationAction = strawberry.enum(
    Enum("ModerationAction", {a.name: a.value for a in ActionChoice}),
    description="What a mentor (or the flags) did: "
    + "; ".join(f"`{a.name}` {a.label.lower()}" for a in ActionChoice)
    + ".",
)
ModerationTargetKind = strawberry.enum(
    Enum("ModerationTargetKind", {k.name: k.value for k in TargetKindChoice}),
    description="What a moderation action touched.",
)


@strawberry.input(
    description="Which log entries (all given conditions apply), as the log page filters."
)
class ModerationLogFilter:
    action: ModerationAction | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only this action."
    )
    actor: str | None = strawberry.field(
        default=None, description="Done by this person (a handle, `@` optional)."
    )
    kind: ModerationTargetKind | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only actions on this kind of target."
    )
    person: str | None = strawberry.field(
        default=None, description="Only actions touching this person (a handle, `@` optional)."
    )


@strawberry.type(
    name="ModerationLogEntry",
    description="One moderation action: who did what to which target, why, when, and what "
    "the target was before (mentors only).",
)
class LogEntryType(relay.Node):
    id: relay.NodeID[int]
    target_kind: str = strawberry.field(
        description="`question`, `answer`, `comment`, `project`, `feedback` or `user`."
    )
    target_id: int = strawberry.field(description="The target's primary key.")
    target_label: str = strawberry.field(description="A short label of the target.")
    target_url: str = strawberry.field(description="The path of the target's page, or empty.")
    reason: str = strawberry.field(description="Why, as the mentor wrote it (or empty).")
    before: strawberry.scalars.JSON = strawberry.field(
        description='What the action changed, as it was before (e.g. `{"pinned": false}`).'
    )
    after: strawberry.scalars.JSON = strawberry.field(
        description="What the action changed, as it is after."
    )
    created_at: datetime = strawberry.field(description="When it was done.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, LogEntryModel)

    @strawberry.field(description="The action, e.g. `pin`, `hide`, `suspend`.")
    def action(self, root: strawberry.Parent[LogEntryModel]) -> str:
        return root.action

    @strawberry.field(description="The action in words, e.g. `Pinned`.")
    def action_label(self, root: strawberry.Parent[LogEntryModel]) -> str:
        return root.get_action_display()

    @strawberry.field(description="The mentor who did it, or null when the system did (flags).")
    def actor(self, root: strawberry.Parent[LogEntryModel]) -> UserType | None:
        return root.actor

    @strawberry.field(description="The person whose post or account was touched, or null.")
    def target_user(self, root: strawberry.Parent[LogEntryModel]) -> UserType | None:
        return root.target_user

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: Any, required: bool = False) -> list[Any]:
        def get_many(ids: list[int]) -> dict[int, LogEntryModel]:
            if not permissions.can_view_queue(viewer(info)):
                return {}
            rows = LogEntryModel.objects.filter(pk__in=ids).select_related("actor", "target_user")
            return {e.pk: e for e in rows}

        return nodes_by_ids(node_ids, get_many, required)


LogEntryConnection = Connection[LogEntryType]


@strawberry.type
class Query:
    @strawberry.field(
        description="The moderation log, newest first, as the log page shows it: null for "
        "anyone but mentors (the page refuses them). Pass `first` (with `after`) or `last` "
        "(with `before`), at most 100. A handle that names nobody gives an empty list.",
        extensions=[Paginated()],
    )
    def moderation_log(
        self,
        info: Info,
        page: Page,
        filter: Annotated[
            ModerationLogFilter | None, strawberry.argument(description="Which entries.")
        ] = None,
    ) -> LogEntryConnection | None:
        from moderation import selectors

        user = viewer(info)
        if not permissions.can_view_queue(user):
            return None
        filter = filter or ModerationLogFilter()
        filters = {
            "viewer": user,
            "action": filter.action.value if filter.action else None,
            "actor_handle": filter.actor,
            "target_kind": filter.kind.value if filter.kind else None,
            "person_handle": filter.person,
        }
        found = selectors.log_entries(
            **filters, cursor=page.cursor, limit=page.limit, backward=page.backward
        )
        return page.connection(
            LogEntryConnection,
            found.entries,
            cursor_of=selectors.log_entry_cursor,
            more=found.next_cursor is not None,
            count=lambda: selectors.log_entry_count(**filters),
        )

    @strawberry.field(
        description="The mentors' queue (null for anyone else), as the queue page shows it."
    )
    def moderation_queue(self, info: Info) -> ModerationQueue | None:
        from moderation import selectors

        user = viewer(info)
        if not permissions.can_view_queue(user):
            return None
        cases = selectors.open_cases(viewer=user)
        waiting = selectors.waiting_questions(viewer=user)
        return ModerationQueue(
            cases=cases.items,
            case_count=cases.total,
            waiting=batch(info).siblings(waiting.items),
            waiting_count=waiting.total,
        )


@strawberry.type(description="What the guide asks of mentors: the queue page's Guide tab.")
class GuideQueue:
    @strawberry.field(description="Proposed edits waiting for a decision, oldest first.")
    def proposals(self, info: Info) -> list[GuideProposalType]:
        narrow = _guide_queue(info).proposals  # the page's rows leave their text out
        full = guide_selectors.proposals_get_many(pks=[p.pk for p in narrow])
        return batch(info).siblings([full[p.pk] for p in narrow if p.pk in full])

    @strawberry.field(description='"Not helpful" notes not yet handled, oldest first.')
    def feedback(self, info: Info) -> list[GuideFeedbackType]:
        return batch(info).siblings(_guide_queue(info).feedback)

    @strawberry.field(
        description="Sections due for review (not reviewed for the review period, or "
        "written for older versions than the program's), longest unreviewed first.",
        metadata=uncached("the clock: a section falls due when its review period ends"),
    )
    def due(self, info: Info) -> list[GuideSectionType]:
        narrow = _guide_queue(info).due
        full = guide_selectors.sections_get_many(pks=[s.pk for s in narrow])
        return batch(info).siblings([full[s.pk] for s in narrow if s.pk in full])


def _guide_queue(info: Info) -> Any:
    """The guide tab's rows, read once per request however many fields ask for them."""
    context = info.context
    if getattr(context, "_guide_queue", None) is None:
        context._guide_queue = guide_selectors.guide_queue()
    return context._guide_queue


@strawberry.type
class FlagMutation:
    @strawberry.mutation(description="Flag something for the mentors (once per thing).")
    def flag(
        self,
        info: Info,
        input: Annotated[FlagInput, INPUT],
    ) -> FlagPayload:
        found = _flaggable(info, input.id)
        if found is None:
            return FlagPayload(flagged=False, errors=not_found("post"))
        _, errors = run_service(
            lambda: services.flag_create(
                reporter=viewer(info),
                target=found,
                reason=input.reason.value,
                detail=input.detail,
            )
        )
        return FlagPayload(flagged=not errors, errors=errors)


# --- Mentors -------------------------------------------------------------------------------


@strawberry.type(name="Flag", description="One person's flag on a post (mentors only).")
class FlagType:
    reason: str = strawberry.field(description="`spam`, `abusive`, `off_topic`, ...")
    detail: str = strawberry.field(description="What the reporter added.")
    created_at: datetime = strawberry.field(description="When it was flagged.")

    @strawberry.field(description="Who flagged it.")
    def reporter(self, root: strawberry.Parent[Any]) -> UserType:
        return root.reporter


@strawberry.type(description="The mentors' queue: flagged posts and questions waiting.")
class ModerationQueue:
    cases: list[CaseType] = strawberry.field(description="Open cases, most flagged first.")
    case_count: int = strawberry.field(description="How many cases are open in all.")
    waiting: list[QuestionType] = strawberry.field(
        description="Questions waiting for a mentor, longest-waiting (or asked-for) first."
    )
    waiting_count: int = strawberry.field(description="How many questions wait in all.")

    @strawberry.field(description="Projects whose authors asked for a mentor's review.")
    def projects(self, info: Info) -> list[ProjectType]:
        return batch(info).siblings(showcase.projects_awaiting_review(viewer=viewer(info)))

    @strawberry.field(description="What the guide asks of mentors (the Guide tab).")
    def guide(self) -> GuideQueue:
        return GuideQueue()


@strawberry.type(name="Case", description="The open flags on one post (mentors only).")
class CaseType(relay.Node):
    id: relay.NodeID[int]
    kind: str = strawberry.field(description="`question`, `answer`, `comment`, ...")
    object_id: int = strawberry.field(description="The flagged post's primary key.")
    target_label: str = strawberry.field(description="A short label of the flagged post.")
    state: str = strawberry.field(description="`open`, `agreed` or `dismissed`.")
    flag_count: int = strawberry.field(description="How many people flagged it.")
    hidden_by_flags: bool = strawberry.field(description="Whether the flags hid the post.")
    opened_at: datetime = strawberry.field(description="When the first flag came.")
    resolution_note: str = strawberry.field(description="The resolving mentor's note.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, CaseModel)

    @strawberry.field(description="The mentor working on it, or null.")
    def claimed_by(self, root: strawberry.Parent[CaseModel]) -> UserType | None:
        return root.claimed_by

    @strawberry.field(description="Its flags, oldest first.")
    def flags(self, root: strawberry.Parent[CaseModel]) -> list[FlagType]:
        return list(root.flags.all())

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: Any, required: bool = False) -> list[Any]:
        def get_many(ids: list[int]) -> dict[int, CaseModel]:
            if not permissions.can_view_queue(viewer(info)):
                return {}
            rows = CaseModel.objects.filter(pk__in=ids).select_related("claimed_by")
            return {c.pk: c for c in rows}

        return nodes_by_ids(node_ids, get_many, required)


@strawberry.enum(description="A mentor's action on a question.")
class QuestionAction(Enum):
    PIN = "pin"
    UNPIN = "unpin"
    LOCK = "lock"
    UNLOCK = "unlock"
    UNMARK_DUPLICATE = "unmark_duplicate"
    CLAIM = "claim"
    RELEASE = "release"


@strawberry.input(description="A mentor's action on a question.")
class ModerateQuestionInput:
    id: relay.GlobalID = strawberry.field(description="The question.")
    action: QuestionAction = strawberry.field(description="What to do.")
    reason: str = strawberry.field(default="", description="Why (needed to lock).")


@strawberry.input(description="Move a question to another category.")
class MoveQuestionInput:
    id: relay.GlobalID = strawberry.field(description="The question.")
    category: str = strawberry.field(description="The new category's slug.")


@strawberry.input(description="Mark a question as a duplicate of another.")
class MarkDuplicateInput:
    id: relay.GlobalID = strawberry.field(description="The duplicate.")
    original_id: relay.GlobalID = strawberry.field(description="The original question.")


@strawberry.input(description="Hide or unhide a post or project.")
class HideInput:
    id: relay.GlobalID = strawberry.field(description="The question, answer, comment, ...")
    hidden: bool = strawberry.field(description="True to hide, false to unhide.")
    reason: str = strawberry.field(default="", description="Why (needed to hide).")


@strawberry.input(description="Claim, release or resolve a flagged post's case.")
class CaseInput:
    id: relay.GlobalID = strawberry.field(description="The case.")
    action: str = strawberry.field(description="`claim`, `release`, `agree` or `dismiss`.")
    note: str = strawberry.field(default="", description="A note with the resolution.")


@strawberry.input(description="Suspend an account until a time, or lift a suspension.")
class SuspendInput:
    handle: str = strawberry.field(description="The account's handle.")
    until: datetime | None = strawberry.field(
        default=None, description="Suspended until then; null lifts the suspension."
    )
    reason: str = strawberry.field(default="", description="Why (told to the person).")


@strawberry.input(description="A mentor note on a question (mentors see them).")
class MentorNoteInput:
    question_id: relay.GlobalID = strawberry.field(description="The question.")
    body: str = strawberry.field(description="The note.")


@strawberry.input(description="Your question that waits for a mentor.")
class AskMentorInput:
    question_id: relay.GlobalID = strawberry.field(description="The question.")


@strawberry.input(description="A reply a mentor keeps to insert into answers.")
class SavedReplyInput:
    title: str = strawberry.field(description="A short name for it.")
    body: str = strawberry.field(description="The reply, in Markdown.")


@strawberry.type(description="The question after a mentor's action, or the errors.")
class ModerateQuestionPayload(Payload):
    question: QuestionType | None = strawberry.field(description="The question (null on error).")


@strawberry.type(description="Whether a mentor's action was done, or the errors.")
class DonePayload(Payload):
    done: bool = strawberry.field(description="True when it was done.")


def _mentor_call(info: Info, call: Any) -> tuple[Any, list[UserError]]:
    """Mentors' actions need the `moderate` scope with a token; the service decides the
    rest (a suspended mentor is refused there)."""
    try:
        require_scope(info, "moderate")
    except PermissionDenied as error:
        return None, refusal_errors(error)
    return run_service(call)


def _category(slug: str) -> Any:
    from django.core.exceptions import ValidationError

    category = forum.category_get(slug=slug)
    if category is None:
        raise ValidationError({"category": ["No such category."]})
    return category


@strawberry.type
class MentorMutation:
    @strawberry.mutation(description="Pin, unpin, lock, unlock, claim or release a question.")
    def moderate_question(
        self, info: Info, input: Annotated[ModerateQuestionInput, INPUT]
    ) -> ModerateQuestionPayload:
        user = viewer(info)
        question = _flaggable(info, input.id) if input.id.type_name == "Question" else None
        if question is None:
            return ModerateQuestionPayload(question=None, errors=not_found("question"))
        actions = {
            QuestionAction.PIN: lambda: services.question_pin(
                actor=user, question=question, pinned=True
            ),
            QuestionAction.UNPIN: lambda: services.question_pin(
                actor=user, question=question, pinned=False
            ),
            QuestionAction.LOCK: lambda: services.question_lock(
                actor=user, question=question, reason=input.reason
            ),
            QuestionAction.UNLOCK: lambda: services.question_unlock(actor=user, question=question),
            QuestionAction.UNMARK_DUPLICATE: lambda: services.question_unmark_duplicate(
                actor=user, question=question
            ),
            QuestionAction.CLAIM: lambda: services.question_claim(mentor=user, question=question),
            QuestionAction.RELEASE: lambda: services.question_release(
                mentor=user, question=question
            ),
        }
        _, errors = _mentor_call(info, actions[input.action])
        fresh = None if errors else forum.question_get(viewer=user, pk=question.pk)
        return ModerateQuestionPayload(question=fresh, errors=errors)

    @strawberry.mutation(description="Move a question to another category (mentors).")
    def move_question(
        self, info: Info, input: Annotated[MoveQuestionInput, INPUT]
    ) -> ModerateQuestionPayload:
        question = _flaggable(info, input.id) if input.id.type_name == "Question" else None
        if question is None:
            return ModerateQuestionPayload(question=None, errors=not_found("question"))
        moved, errors = _mentor_call(
            info,
            lambda: services.question_move(
                actor=viewer(info), question=question, category=_category(input.category)
            ),
        )
        return ModerateQuestionPayload(question=moved, errors=errors)

    @strawberry.mutation(description="Mark a question as a duplicate of another (mentors).")
    def mark_duplicate(
        self, info: Info, input: Annotated[MarkDuplicateInput, INPUT]
    ) -> ModerateQuestionPayload:
        question = _flaggable(info, input.id) if input.id.type_name == "Question" else None
        original_pk = decode_id(input.original_id, "Question")
        original = original_pk and forum.question_get(viewer=viewer(info), pk=original_pk)
        if question is None or not original:
            return ModerateQuestionPayload(question=None, errors=not_found("question"))
        marked, errors = _mentor_call(
            info,
            lambda: services.question_mark_duplicate(
                actor=viewer(info), question=question, original=original
            ),
        )
        return ModerateQuestionPayload(question=marked, errors=errors)

    @strawberry.mutation(description="Hide or unhide a post or a project (mentors).")
    def set_hidden(self, info: Info, input: Annotated[HideInput, INPUT]) -> DonePayload:
        found = _flaggable(info, input.id)
        if found is None:
            return DonePayload(done=False, errors=not_found("post"))
        user = viewer(info)
        if input.hidden:
            call = lambda: services.content_hide(actor=user, target=found, reason=input.reason)  # noqa: E731
        else:
            call = lambda: services.content_unhide(actor=user, target=found, reason=input.reason)  # noqa: E731
        _, errors = _mentor_call(info, call)
        return DonePayload(done=not errors, errors=errors)

    @strawberry.mutation(description="Claim, release, agree with or dismiss flags (mentors).")
    def work_case(self, info: Info, input: Annotated[CaseInput, INPUT]) -> DonePayload:
        user = viewer(info)
        pk = decode_id(input.id, "Case")
        case = CaseModel.objects.filter(pk=pk).first() if pk else None
        if case is None or not permissions.can_view_queue(user):
            return DonePayload(done=False, errors=not_found("case"))
        actions = {
            "claim": lambda: services.case_claim(mentor=user, case=case),
            "release": lambda: services.case_release(mentor=user, case=case),
            "agree": lambda: services.case_resolve(
                mentor=user, case=case, agree=True, note=input.note
            ),
            "dismiss": lambda: services.case_resolve(
                mentor=user, case=case, agree=False, note=input.note
            ),
        }
        if input.action not in actions:
            errors = [
                UserError(
                    message="Choose claim, release, agree or dismiss.",
                    field=["input", "action"],
                    code="invalid",
                )
            ]
            return DonePayload(done=False, errors=errors)
        _, errors = _mentor_call(info, actions[input.action])
        return DonePayload(done=not errors, errors=errors)

    @strawberry.mutation(description="Suspend an account, or lift its suspension (mentors).")
    def suspend(self, info: Info, input: Annotated[SuspendInput, INPUT]) -> DonePayload:
        user = viewer(info)
        target = User.objects.filter(is_active=True, handle=input.handle.lower()).first()
        if target is None or not permissions.can_view_queue(user):
            return DonePayload(done=False, errors=not_found("account", "handle"))
        if input.until is None:
            call = lambda: services.suspension_lift(actor=user, user=target, reason=input.reason)  # noqa: E731
        else:
            call = lambda: services.user_suspend(  # noqa: E731
                actor=user, user=target, until=input.until, reason=input.reason
            )
        _, errors = _mentor_call(info, call)
        return DonePayload(done=not errors, errors=errors)

    @strawberry.mutation(description="Write a mentor note on a question (mentors).")
    def add_mentor_note(self, info: Info, input: Annotated[MentorNoteInput, INPUT]) -> DonePayload:
        question = (
            _flaggable(info, input.question_id)
            if input.question_id.type_name == "Question"
            else None
        )
        if question is None:
            return DonePayload(done=False, errors=not_found("question", "questionId"))
        _, errors = _mentor_call(
            info,
            lambda: services.mentor_note_add(
                author=viewer(info), question=question, body=input.body
            ),
        )
        return DonePayload(done=not errors, errors=errors)

    @strawberry.mutation(description="Keep a saved reply (mentors).")
    def save_reply(self, info: Info, input: Annotated[SavedReplyInput, INPUT]) -> DonePayload:
        _, errors = _mentor_call(
            info,
            lambda: services.saved_reply_create(
                owner=viewer(info), title=input.title, body=input.body
            ),
        )
        return DonePayload(done=not errors, errors=errors)

    @strawberry.mutation(description="Ask the mentors for help on your waiting question.")
    def ask_mentor(self, info: Info, input: Annotated[AskMentorInput, INPUT]) -> DonePayload:
        question = (
            _flaggable(info, input.question_id)
            if input.question_id.type_name == "Question"
            else None
        )
        if question is None:
            return DonePayload(done=False, errors=not_found("question", "questionId"))
        _, errors = run_service(
            lambda: services.mentor_request(user=viewer(info), question=question)
        )
        return DonePayload(done=not errors, errors=errors)


@strawberry.type
class Mutation(FlagMutation, MentorMutation):
    pass
