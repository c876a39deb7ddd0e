"""The GraphQL door of moderation: flagging, for everyone who may post. (The mentors'
queue, log and actions join once the moderation writes have moved into the content apps.)
Thin: the target is loaded with the viewer's own visibility, the service decides."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from discussions import selectors as forum
from hub.graphql_base import INPUT, Payload, decode_id, not_found, run_service, viewer
from moderation import services
from projects import selectors as showcase


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


@strawberry.type
class Mutation:
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
