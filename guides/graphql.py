"""The guide's GraphQL door: the reference guide's reads (every topic's guide, its ordered
sections with their trust notices, history and diffs, the questions that led to each,
proposed edits for their proposer and the mentors) and every write the guide's pages and
REST door offer, each one call into `guides.services`.

Thin, like the other apps' doors: targets are loaded through guides' and discussions'
selectors (a question or an answer the viewer may not see is `not_found`), nested lists
are batch-loaded (hub.graphql_base.Batch), and the services decide who may. Closing a
question as answered in the guide (and reopening it) is a moderation action: with a token
it needs the `moderate` scope, as in REST.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import strawberry
from django.core.exceptions import PermissionDenied
from strawberry import relay
from strawberry.types import Info

from accounts.graphql import UserType
from discussions import selectors as forum
from discussions.graphql import QuestionType
from guides import permissions, selectors, services
from guides.models import EditProposal, Guide, HelpfulVote, Section
from hub.graphql_base import (
    INPUT,
    Payload,
    UserError,
    batch,
    decode_id,
    nodes_by_ids,
    not_found,
    pks,
    refusal_errors,
    require_scope,
    run_service,
    target,
    uncached,
    viewer,
)

# --- Types ------------------------------------------------------------------------------


@strawberry.type(name="Guide", description="The guide of one program topic: ordered sections.")
class GuideType(relay.Node):
    id: relay.NodeID[int]
    slug: str = strawberry.field(description="The short name used in its URL, e.g. `django`.")
    title: str = strawberry.field(description="The topic, e.g. `Django`.")
    summary: str = strawberry.field(description="One line about what the guide covers.")
    updated_at: datetime = strawberry.field(description="When a section last changed.")

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, Guide)

    @strawberry.field(description="The path of the guide's article page.")
    def url(self, root: strawberry.Parent[Guide]) -> str:
        return root.get_absolute_url()

    @strawberry.field(description="Its sections, in the article's order.")
    def sections(self, root: strawberry.Parent[Guide], info: Info) -> list[GuideSectionType]:
        return batch(info).load(
            "guide.sections",
            root,
            lambda rows: selectors.sections_for_guides(guide_ids=pks(rows)),
            list,
            children=True,
        )

    @strawberry.field(description="The guide before this one in the index, or null.")
    def previous(self, root: strawberry.Parent[Guide], info: Info) -> GuideType | None:
        return _neighbour(info, root, -1)

    @strawberry.field(description="The guide after this one in the index, or null.")
    def next(self, root: strawberry.Parent[Guide], info: Info) -> GuideType | None:
        return _neighbour(info, root, +1)

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: Any, required: bool = False) -> list[Any]:
        return nodes_by_ids(node_ids, lambda ids: selectors.guides_get_many(pks=ids), required)


def _neighbour(info: Info, guide: Guide, step: int) -> Guide | None:
    def fetch(rows: list[Guide]) -> dict[int, Any]:
        order = selectors.guide_list()  # a few dozen rows, once for the whole list
        at = {g.pk: i for i, g in enumerate(order)}
        found: dict[int, Any] = {}
        for row in rows:
            i = at.get(row.pk)
            if i is None:
                continue
            before = order[i - 1] if i > 0 else None
            after = order[i + 1] if i + 1 < len(order) else None
            found[row.pk] = (before, after)
        return found

    pair = batch(info).load("guide.neighbours", guide, fetch, lambda: (None, None))
    return pair[0] if step < 0 else pair[1]


@strawberry.type(name="GuideDiffLine", description="One line of a diff.")
class DiffLineType:
    sign: str = strawberry.field(
        description="`+` added, `-` removed, a space unchanged, `…` unchanged lines left out."
    )
    line: str = strawberry.field(description="The line's text.")


def _diff(rows: list[tuple[str, str]]) -> list[DiffLineType]:
    return [DiffLineType(sign=sign, line=line) for sign, line in rows]


@strawberry.type(name="GuideRevision", description="One version of a guide section.")
class GuideRevisionType:
    @strawberry.field(description="1 for the first version, one more per change.")
    def number(self, root: strawberry.Parent[Any]) -> int:
        return root.revision.number

    @strawberry.field(
        description="`created`, `edited`, `proposal` (a proposed edit accepted), "
        "`reverted` or `promoted` (an answer added)."
    )
    def kind(self, root: strawberry.Parent[Any]) -> str:
        return root.revision.kind

    @strawberry.field(description="The mentor who published it.")
    def editor(self, root: strawberry.Parent[Any]) -> UserType:
        return root.revision.editor

    @strawberry.field(
        description="Whose words these are when not the editor's (a proposer, an answer's "
        "author), or null."
    )
    def credited(self, root: strawberry.Parent[Any]) -> UserType | None:
        return root.revision.credited

    @strawberry.field(description="The section's title in this version.")
    def title(self, root: strawberry.Parent[Any]) -> str:
        return root.revision.title

    @strawberry.field(description="The Markdown of this version.")
    def body(self, root: strawberry.Parent[Any]) -> str:
        return root.revision.body

    @strawberry.field(description="What changed and why.")
    def note(self, root: strawberry.Parent[Any]) -> str:
        return root.revision.note

    @strawberry.field(description="When it was published.")
    def created_at(self, root: strawberry.Parent[Any]) -> datetime:
        return root.revision.created_at

    @strawberry.field(description="A line diff against the version before.")
    def diff(self, root: strawberry.Parent[Any]) -> list[DiffLineType]:
        return _diff(root.diff)


@strawberry.type(name="GuideQuestionLink", description="A question that led to a section.")
class QuestionLinkType:
    kind: str = strawberry.field(
        description="`promoted` (its answer was added) or `answered` (closed as answered here)."
    )
    question: QuestionType = strawberry.field(description="The question.")


@strawberry.type(name="GuideSection", description="One section of a guide, with its history.")
class GuideSectionType(relay.Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="The section's title.")
    anchor: str = strawberry.field(
        description="Its stable anchor in the article (kept when the title changes)."
    )
    body: str = strawberry.field(description="The Markdown, as written.")
    body_html: str = strawberry.field(description="The body rendered to sanitised HTML.")
    versions: list[str] = strawberry.field(
        description='The library versions it applies to, e.g. `["Django 6.1"]`.'
    )
    revision_count: int = strawberry.field(description="How many versions it has had.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    last_reviewed_at: datetime | None = strawberry.field(
        description="When a mentor last said it is still right, or null."
    )
    helpful_yes: int = strawberry.field(description='"Was this helpful?" answered yes.')
    helpful_no: int = strawberry.field(description='"Was this helpful?" answered no.')

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, Section)

    @strawberry.field(description="The guide it belongs to.")
    def guide(self, root: strawberry.Parent[Section]) -> GuideType:
        return root.guide

    @strawberry.field(description="The path of the section in its article.")
    def url(self, root: strawberry.Parent[Section]) -> str:
        return root.get_absolute_url()

    @strawberry.field(description="Who last changed it, or null.")
    def updated_by(self, root: strawberry.Parent[Section]) -> UserType | None:
        return root.updated_by

    @strawberry.field(description="The mentor who last reviewed it, or null.")
    def last_reviewed_by(self, root: strawberry.Parent[Section]) -> UserType | None:
        return root.last_reviewed_by

    @strawberry.field(
        description='Whether readers see "may be out of date": not reviewed for the review '
        "period, or written for versions older than the program's.",
        metadata=uncached("the clock: the review period ends with no write"),
    )
    def may_be_out_of_date(self, root: strawberry.Parent[Section]) -> bool:
        return root.staleness.is_stale

    @strawberry.field(
        description="The versions it is behind the program's, in words (e.g. `Django 5.2 "
        "(the program uses Django 6.1)`)."
    )
    def versions_behind(self, root: strawberry.Parent[Section]) -> list[str]:
        return list(root.staleness.behind)

    @strawberry.field(description="Questions that led here (the latest few visible ones).")
    def led_here(self, root: strawberry.Parent[Section], info: Info) -> list[QuestionLinkType]:
        def fetch(rows: list[Section]) -> dict[int, list[QuestionLinkType]]:
            links = {row.pk: getattr(row, "led_here", []) for row in rows}
            wanted = [link.question_id for found in links.values() for link in found]
            questions = forum.questions_get_many(viewer=viewer(info), pks=wanted)
            batch(info).siblings(list(questions.values()))
            return {
                pk: [
                    QuestionLinkType(kind=link.kind, question=questions[link.question_id])
                    for link in found
                    if link.question_id in questions
                ]
                for pk, found in links.items()
            }

        return batch(info).load("section.led_here", root, fetch, list)

    @strawberry.field(description="Every version, newest first, each with its diff.")
    def revisions(self, root: strawberry.Parent[Section], info: Info) -> list[GuideRevisionType]:
        return batch(info).load(
            "section.revisions",
            root,
            lambda rows: selectors.revisions_for_sections(section_ids=pks(rows)),
            list,
        )

    @strawberry.field(
        description='The viewer\'s "was this helpful?" answer: true, false, or null (none yet).'
    )
    def viewer_found_helpful(self, root: strawberry.Parent[Section], info: Info) -> bool | None:
        vote = batch(info).load(
            "section.vote",
            root,
            lambda rows: selectors.helpful_votes_of(user=viewer(info), section_ids=pks(rows)),
        )
        return None if vote is None else vote.helpful

    @strawberry.field(description="Whether the viewer may edit it directly (mentors).")
    def viewer_can_edit(self, info: Info) -> bool:
        return permissions.can_edit(viewer(info))

    @strawberry.field(description="Whether the viewer may propose an edit to it.")
    def viewer_can_propose(self, info: Info) -> bool:
        return permissions.can_propose(viewer(info))

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: Any, required: bool = False) -> list[Any]:
        return nodes_by_ids(node_ids, lambda ids: selectors.sections_get_many(pks=ids), required)


def section_full(info: Info, section: Section) -> Section:
    """A section read elsewhere (a site search hit) as the article shows it, with what
    GuideSection's fields need (staleness, the questions that led here): loaded for every
    section beside it at once (2 queries)."""
    return batch(info).load(
        "section.full",
        section,
        lambda rows: selectors.sections_get_many(pks=pks(rows)),
        lambda: section,
    )


def _may_see_proposal(user: Any, proposal: EditProposal) -> bool:
    """A proposed edit is its proposer's and the mentors' (404 for anyone else, as on the
    pages and in REST)."""
    return proposal.proposer_id == getattr(user, "pk", None) or permissions.can_decide_proposal(
        user, proposal
    )


def _proposal(info: Info, raw: relay.GlobalID | str) -> EditProposal | None:
    proposal = target(raw, "GuideProposal", lambda pk: selectors.proposal_get(pk=pk))
    return proposal if proposal is not None and _may_see_proposal(viewer(info), proposal) else None


@strawberry.type(
    name="GuideProposal",
    description="A proposed edit to a section (its proposer's and the mentors' alone).",
)
class GuideProposalType(relay.Node):
    id: relay.NodeID[int]
    title: str = strawberry.field(description="The proposed title.")
    body: str = strawberry.field(description="The proposed Markdown.")
    note: str = strawberry.field(description="What the proposer changed and why.")
    state: str = strawberry.field(description="`open`, `accepted` or `declined`.")
    created_at: datetime = strawberry.field(description="When it was proposed.")
    decided_at: datetime | None = strawberry.field(description="When a mentor decided, or null.")
    decline_reason: str = strawberry.field(description="Why it was declined (or empty).")

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, EditProposal)

    @strawberry.field(description="The section it would change.")
    def section(self, root: strawberry.Parent[EditProposal], info: Info) -> GuideSectionType:
        return _section_of(info, "proposal", root)

    @strawberry.field(description="Who proposed it.")
    def proposer(self, root: strawberry.Parent[EditProposal]) -> UserType:
        return root.proposer

    @strawberry.field(description="The mentor who decided, or null.")
    def decided_by(self, root: strawberry.Parent[EditProposal]) -> UserType | None:
        return root.decided_by

    @strawberry.field(description="What accepting it would change in the section as it is now.")
    def diff(self, root: strawberry.Parent[EditProposal], info: Info) -> list[DiffLineType]:
        root.section = _section_of(info, "proposal", root)  # the whole section, batch-loaded
        return _diff(selectors.proposal_diff(proposal=root))

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: Any, required: bool = False) -> list[Any]:
        def get_many(ids: list[int]) -> dict[int, EditProposal]:
            found = (selectors.proposal_get(pk=pk) for pk in ids[:MAX_NODES])
            user = viewer(info)
            return {p.pk: p for p in found if p is not None and _may_see_proposal(user, p)}

        return nodes_by_ids(node_ids, get_many, required)


MAX_NODES = 100


def _section_of(info: Info, kind: str, row: Any) -> Section:
    """The section a proposal or a feedback row is about, as the article shows it, loaded
    for every such row listed beside it in one go (queue rows carry narrow sections)."""

    def fetch(rows: list[Any]) -> dict[int, Section]:
        found = selectors.sections_get_many(pks=[r.section_id for r in rows])
        return {r.pk: found[r.section_id] for r in rows if r.section_id in found}

    section = batch(info).load(f"{kind}.section", row, fetch)
    return section if section is not None else row.section


@strawberry.type(
    name="GuideFeedback",
    description='A "not helpful" answer with a note, waiting in the mentors\' queue '
    "(mentors only).",
)
class GuideFeedbackType(relay.Node):
    id: relay.NodeID[int]
    helpful: bool = strawberry.field(description="What the reader answered.")
    note: str = strawberry.field(description="What was missing, in the reader's words.")
    created_at: datetime = strawberry.field(description="When it was said.")
    handled_at: datetime | None = strawberry.field(
        description="When a mentor marked it handled, or null."
    )

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, HelpfulVote)

    @strawberry.field(description="The section it is about.")
    def section(self, root: strawberry.Parent[HelpfulVote], info: Info) -> GuideSectionType:
        return _section_of(info, "feedback", root)

    @strawberry.field(description="Who said it.")
    def reader(self, root: strawberry.Parent[HelpfulVote]) -> UserType:
        return root.user

    @classmethod
    def resolve_nodes(cls, *, info: Info, node_ids: Any, required: bool = False) -> list[Any]:
        def get_many(ids: list[int]) -> dict[int, HelpfulVote]:
            if not permissions.can_resolve_feedback(viewer(info)):
                return {}
            return {v.pk: v for v in HelpfulVote.objects.filter(pk__in=ids).select_related("user")}

        return nodes_by_ids(node_ids, get_many, required)


# --- Queries ------------------------------------------------------------------------------


@strawberry.type
class Query:
    @strawberry.field(description="Every topic's guide, in the index's order.")
    def guides(self, info: Info) -> list[GuideType]:
        return batch(info).siblings(selectors.guide_list())

    @strawberry.field(description="One topic's guide by its slug, or null.")
    def guide(
        self,
        slug: Annotated[str, strawberry.argument(description="The guide's slug, e.g. `django`.")],
    ) -> GuideType | None:
        return selectors.guide_get(slug=slug)


# --- Mutations ----------------------------------------------------------------------------


@strawberry.input(description="A new section at the end of a guide (mentors).")
class CreateGuideSectionInput:
    guide: str = strawberry.field(description="The guide's slug.")
    title: str = strawberry.field(description="The section's title (3-120 characters).")
    body: str = strawberry.field(description="The section, in Markdown.")
    versions: list[str] = strawberry.field(
        default_factory=list, description='The library versions it applies to: `["Django 6.1"]`.'
    )
    note: str = strawberry.field(default="", description="What it adds and why.")


@strawberry.input(
    description="A mentor's direct edit: the fields given change (others propose an edit)."
)
class EditGuideSectionInput:
    id: relay.GlobalID = strawberry.field(description="The section.")
    title: str | None = strawberry.field(default=None, description="The new title.")
    body: str | None = strawberry.field(default=None, description="The new Markdown.")
    versions: list[str] | None = strawberry.field(
        default=None, description="The new versions (null keeps them)."
    )
    note: str = strawberry.field(default="", description="What changed and why.")


@strawberry.input(description="Bring back an earlier version of a section (mentors).")
class RevertGuideSectionInput:
    id: relay.GlobalID = strawberry.field(description="The section.")
    number: int = strawberry.field(description="The revision's number.")
    note: str = strawberry.field(default="", description="Why.")


@strawberry.input(description="Say a section is still right, as of now (mentors).")
class ReviewGuideSectionInput:
    id: relay.GlobalID = strawberry.field(description="The section.")
    note: str = strawberry.field(default="", description="A word on the review.")


@strawberry.input(description='"Was this helpful?" (one answer per person; a new one replaces it).')
class GuideHelpfulInput:
    id: relay.GlobalID = strawberry.field(description="The section.")
    helpful: bool = strawberry.field(description="Yes or no.")
    note: str = strawberry.field(
        default="", description="What was missing (with `helpful: false`; the mentors read it)."
    )


@strawberry.input(description="Propose an edit to a section (a mentor decides).")
class ProposeGuideEditInput:
    section_id: relay.GlobalID = strawberry.field(description="The section.")
    title: str = strawberry.field(description="The proposed title.")
    body: str = strawberry.field(description="The proposed Markdown (the whole section).")
    note: str = strawberry.field(description="What you changed and why (the mentors read it).")


@strawberry.input(description="Publish a proposed edit, crediting its proposer (mentors).")
class AcceptGuideProposalInput:
    id: relay.GlobalID = strawberry.field(description="The proposed edit.")
    note: str = strawberry.field(default="", description="The revision's note (default: theirs).")


@strawberry.input(description="Decline a proposed edit, saying why (mentors).")
class DeclineGuideProposalInput:
    id: relay.GlobalID = strawberry.field(description="The proposed edit.")
    reason: str = strawberry.field(description="Why (told to the proposer).")


@strawberry.input(description='Mark a "not helpful" note handled (mentors).')
class HandleGuideFeedbackInput:
    id: relay.GlobalID = strawberry.field(description="The feedback (a `GuideFeedback` id).")


@strawberry.input(
    description="Add an accepted answer to the guide (mentors): append it to a section, or "
    "start a new section in a guide (give one of `sectionId` or `guide`)."
)
class AddAnswerToGuideInput:
    answer_id: relay.GlobalID = strawberry.field(description="The accepted answer.")
    body: str = strawberry.field(description="What the guide should say (the answer, edited).")
    section_id: relay.GlobalID | None = strawberry.field(
        default=None, description="Append to this section ..."
    )
    guide: str | None = strawberry.field(
        default=None, description="... or start a new section in this guide (its slug)."
    )
    title: str = strawberry.field(
        default="", description="The new section's title (default: the question's)."
    )
    note: str = strawberry.field(default="", description="The revision's note.")


@strawberry.input(description="Close a question as answered by a guide section (mentors).")
class CloseQuestionInGuideInput:
    question_id: relay.GlobalID = strawberry.field(description="The question.")
    section_id: relay.GlobalID = strawberry.field(description="The section that answers it.")
    reason: str = strawberry.field(default="", description="A word for the asker.")


@strawberry.input(description="Open a question closed as answered in the guide (mentors).")
class ReopenQuestionFromGuideInput:
    question_id: relay.GlobalID = strawberry.field(description="The question.")


@strawberry.type(description="The section after the change, or the errors.")
class GuideSectionPayload(Payload):
    section: GuideSectionType | None = strawberry.field(
        description="The section as it is now (null on error)."
    )


@strawberry.type(description="The proposed edit after the change, or the errors.")
class GuideProposalPayload(Payload):
    proposal: GuideProposalType | None = strawberry.field(
        description="The proposed edit (null on error)."
    )


@strawberry.type(description="The feedback after it was handled, or the errors.")
class GuideFeedbackPayload(Payload):
    feedback: GuideFeedbackType | None = strawberry.field(
        description="The feedback (null on error)."
    )


@strawberry.type(description="The question and the section it is closed in, or the errors.")
class GuideQuestionPayload(Payload):
    question: QuestionType | None = strawberry.field(description="The question (null on error).")
    section: GuideSectionType | None = strawberry.field(
        description="The section it is answered in (null once reopened, or on error)."
    )


def _section(raw: relay.GlobalID | str) -> Section | None:
    return target(raw, "GuideSection", lambda pk: selectors.section_get(pk=pk))


def _fresh(section: Section | None) -> Section | None:
    """The section re-read as the article shows it, after a change."""
    if section is None:
        return None
    return selectors.sections_get_many(pks=[section.pk]).get(section.pk)


def _moderating(info: Info, call: Any) -> tuple[Any, list[UserError]]:
    """Closing and reopening are moderation actions: a token needs `moderate`."""
    try:
        require_scope(info, "moderate")
    except PermissionDenied as error:
        return None, refusal_errors(error)
    return run_service(call)


def _deciding(
    info: Info, raw: relay.GlobalID, decide: Callable[[EditProposal], Any]
) -> GuideProposalPayload:
    """Accepting and declining a proposed edit: the proposal as the viewer may see it
    (`not_found` otherwise), the service, then the proposal re-read as decided."""
    proposal = _proposal(info, raw)
    if proposal is None:
        return GuideProposalPayload(proposal=None, errors=not_found("proposed edit"))
    _, errors = run_service(lambda: decide(proposal))
    fresh = None if errors else selectors.proposal_get(pk=proposal.pk)
    return GuideProposalPayload(proposal=fresh, errors=errors)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Write a new section at the end of a guide (mentors).")
    def create_guide_section(
        self, info: Info, input: Annotated[CreateGuideSectionInput, INPUT]
    ) -> GuideSectionPayload:
        guide = selectors.guide_get(slug=input.guide)
        if guide is None:
            return GuideSectionPayload(section=None, errors=not_found("guide", "guide"))
        section, errors = run_service(
            lambda: services.section_create(
                editor=viewer(info),
                guide=guide,
                title=input.title,
                body=input.body,
                versions=input.versions,
                note=input.note,
            )
        )
        return GuideSectionPayload(section=_fresh(section), errors=errors)

    @strawberry.mutation(
        description="Edit a section directly (mentors; everyone else proposes an edit)."
    )
    def edit_guide_section(
        self, info: Info, input: Annotated[EditGuideSectionInput, INPUT]
    ) -> GuideSectionPayload:
        section = _section(input.id)
        if section is None:
            return GuideSectionPayload(section=None, errors=not_found("section"))
        _, errors = run_service(
            lambda: services.section_edit(
                editor=viewer(info),
                section=section,
                title=section.title if input.title is None else input.title,
                body=section.body if input.body is None else input.body,
                versions=input.versions,
                note=input.note,
            )
        )
        return GuideSectionPayload(section=None if errors else _fresh(section), errors=errors)

    @strawberry.mutation(description="Bring back an earlier version, as a new one (mentors).")
    def revert_guide_section(
        self, info: Info, input: Annotated[RevertGuideSectionInput, INPUT]
    ) -> GuideSectionPayload:
        section = _section(input.id)
        if section is None:
            return GuideSectionPayload(section=None, errors=not_found("section"))
        revision = section.revisions.filter(number=input.number).first()
        if revision is None:
            return GuideSectionPayload(section=None, errors=not_found("revision", "number"))
        _, errors = run_service(
            lambda: services.section_revert(
                editor=viewer(info), section=section, revision=revision, note=input.note
            )
        )
        return GuideSectionPayload(section=None if errors else _fresh(section), errors=errors)

    @strawberry.mutation(description="Say a section is still right, as of now (mentors).")
    def review_guide_section(
        self, info: Info, input: Annotated[ReviewGuideSectionInput, INPUT]
    ) -> GuideSectionPayload:
        section = _section(input.id)
        if section is None:
            return GuideSectionPayload(section=None, errors=not_found("section"))
        _, errors = run_service(
            lambda: services.section_review(reviewer=viewer(info), section=section, note=input.note)
        )
        return GuideSectionPayload(section=None if errors else _fresh(section), errors=errors)

    @strawberry.mutation(description='Say whether a section helped ("was this helpful?").')
    def set_guide_section_helpful(
        self, info: Info, input: Annotated[GuideHelpfulInput, INPUT]
    ) -> GuideSectionPayload:
        section = _section(input.id)
        if section is None:
            return GuideSectionPayload(section=None, errors=not_found("section"))
        _, errors = run_service(
            lambda: services.helpful_vote(
                user=viewer(info), section=section, helpful=input.helpful, note=input.note
            )
        )
        return GuideSectionPayload(section=None if errors else _fresh(section), errors=errors)

    @strawberry.mutation(description='Mark a "not helpful" note handled (mentors).')
    def handle_guide_feedback(
        self, info: Info, input: Annotated[HandleGuideFeedbackInput, INPUT]
    ) -> GuideFeedbackPayload:
        pk = decode_id(input.id, "GuideFeedback")
        vote = HelpfulVote.objects.filter(pk=pk).first() if pk else None
        if vote is None:
            return GuideFeedbackPayload(feedback=None, errors=not_found("feedback"))
        handled, errors = run_service(
            lambda: services.helpful_feedback_handle(mentor=viewer(info), vote=vote)
        )
        return GuideFeedbackPayload(feedback=handled, errors=errors)

    @strawberry.mutation(description="Propose an edit to a section (a mentor decides).")
    def propose_guide_edit(
        self, info: Info, input: Annotated[ProposeGuideEditInput, INPUT]
    ) -> GuideProposalPayload:
        section = _section(input.section_id)
        if section is None:
            return GuideProposalPayload(proposal=None, errors=not_found("section", "sectionId"))
        proposal, errors = run_service(
            lambda: services.proposal_create(
                proposer=viewer(info),
                section=section,
                title=input.title,
                body=input.body,
                note=input.note,
            )
        )
        fresh = None if errors else selectors.proposal_get(pk=proposal.pk)
        return GuideProposalPayload(proposal=fresh, errors=errors)

    @strawberry.mutation(description="Publish a proposed edit, crediting its proposer (mentors).")
    def accept_guide_proposal(
        self, info: Info, input: Annotated[AcceptGuideProposalInput, INPUT]
    ) -> GuideProposalPayload:
        return _deciding(
            info,
            input.id,
            lambda proposal: services.proposal_accept(
                mentor=viewer(info), proposal=proposal, note=input.note
            ),
        )

    @strawberry.mutation(description="Decline a proposed edit, saying why (mentors).")
    def decline_guide_proposal(
        self, info: Info, input: Annotated[DeclineGuideProposalInput, INPUT]
    ) -> GuideProposalPayload:
        return _deciding(
            info,
            input.id,
            lambda proposal: services.proposal_decline(
                mentor=viewer(info), proposal=proposal, reason=input.reason
            ),
        )

    @strawberry.mutation(description="Add an accepted answer to the guide (mentors).")
    def add_answer_to_guide(
        self, info: Info, input: Annotated[AddAnswerToGuideInput, INPUT]
    ) -> GuideSectionPayload:
        user = viewer(info)
        answer = target(input.answer_id, "Answer", lambda pk: forum.answer_get(viewer=user, pk=pk))
        if answer is None:
            return GuideSectionPayload(section=None, errors=not_found("answer", "answerId"))
        if (input.section_id is None) == (input.guide is None):
            error = UserError(
                message="Give `sectionId` or `guide`, one of them.", field=None, code="invalid"
            )
            return GuideSectionPayload(section=None, errors=[error])
        where: dict[str, Any] = {}
        if input.section_id is not None:
            where["section"] = _section(input.section_id)
            if where["section"] is None:
                return GuideSectionPayload(section=None, errors=not_found("section", "sectionId"))
        else:
            where["guide"] = selectors.guide_get(slug=input.guide or "")
            if where["guide"] is None:
                return GuideSectionPayload(section=None, errors=not_found("guide", "guide"))
        section, errors = run_service(
            lambda: services.answer_promote(
                mentor=user,
                answer=answer,
                body=input.body,
                title=input.title,
                note=input.note,
                **where,
            )
        )
        return GuideSectionPayload(section=_fresh(section), errors=errors)

    @strawberry.mutation(
        description="Close a question as answered in the guide, like a duplicate: the thread "
        "points at the section, the asker is told, the moderation log records it (mentors)."
    )
    def close_question_in_guide(
        self, info: Info, input: Annotated[CloseQuestionInGuideInput, INPUT]
    ) -> GuideQuestionPayload:
        user = viewer(info)
        question = target(
            input.question_id, "Question", lambda pk: forum.question_get(viewer=user, pk=pk)
        )
        if question is None:
            return GuideQuestionPayload(
                question=None, section=None, errors=not_found("question", "questionId")
            )
        section = _section(input.section_id)
        if section is None:
            return GuideQuestionPayload(
                question=None, section=None, errors=not_found("section", "sectionId")
            )
        _, errors = _moderating(
            info,
            lambda: services.question_close_in_guide(
                mentor=user, question=question, section=section, reason=input.reason
            ),
        )
        if errors:
            return GuideQuestionPayload(question=None, section=None, errors=errors)
        fresh = forum.question_get(viewer=user, pk=question.pk)
        return GuideQuestionPayload(question=fresh, section=_fresh(section), errors=[])

    @strawberry.mutation(description="Open a question closed as answered in the guide (mentors).")
    def reopen_question_from_guide(
        self, info: Info, input: Annotated[ReopenQuestionFromGuideInput, INPUT]
    ) -> GuideQuestionPayload:
        user = viewer(info)
        question = target(
            input.question_id, "Question", lambda pk: forum.question_get(viewer=user, pk=pk)
        )
        if question is None:
            return GuideQuestionPayload(
                question=None, section=None, errors=not_found("question", "questionId")
            )
        _, errors = _moderating(
            info, lambda: services.question_reopen_from_guide(mentor=user, question=question)
        )
        fresh = None if errors else forum.question_get(viewer=user, pk=question.pk)
        return GuideQuestionPayload(question=fresh, section=None, errors=errors)
