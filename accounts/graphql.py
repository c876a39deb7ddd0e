"""The GraphQL door of accounts: people's public faces and the viewer (thin: selectors,
never the private fields). Composed into the schema by hub/graphql.py."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from accounts.models import User as UserModel
from accounts.permissions import can_write
from hub.graphql_base import nodes_by_ids, viewer


@strawberry.type(
    name="User",
    description="A person's public profile. Private fields (email, password, suspension "
    "details) are never part of the graph.",
)
class UserType(relay.Node):
    id: relay.NodeID[int]

    @classmethod
    def is_type_of(cls, obj: Any, info: Info) -> bool:
        return isinstance(obj, UserModel)

    @strawberry.field(description="The unique public handle used in URLs and @mentions.")
    def handle(self, root: strawberry.Parent[UserModel]) -> str:
        return root.handle

    @strawberry.field(description="The name the person chose to show, or empty.")
    def display_name(self, root: strawberry.Parent[UserModel]) -> str:
        return root.display_name

    @strawberry.field(description="The display name, or the handle when there is none.")
    def name(self, root: strawberry.Parent[UserModel]) -> str:
        return root.name

    @strawberry.field(description="`learner`, `mentor` or `admin`.")
    def role(self, root: strawberry.Parent[UserModel]) -> str:
        return root.role

    @strawberry.field(description="True for mentors and admins.")
    def is_mentor(self, root: strawberry.Parent[UserModel]) -> bool:
        return root.is_mentor

    @strawberry.field(description="A short self-description, plain text.")
    def bio(self, root: strawberry.Parent[UserModel]) -> str:
        return root.bio

    @strawberry.field(description="The person's GitHub user name, or empty.")
    def github(self, root: strawberry.Parent[UserModel]) -> str:
        return root.github

    @strawberry.field(description="The person's website, or empty.")
    def website(self, root: strawberry.Parent[UserModel]) -> str:
        return root.website

    @strawberry.field(description="The program cohort, e.g. `2026-spring`, or empty.")
    def cohort(self, root: strawberry.Parent[UserModel]) -> str:
        return root.cohort

    @strawberry.field(description="The program track (`backend`, `frontend`, ...), or empty.")
    def track(self, root: strawberry.Parent[UserModel]) -> str:
        return root.track

    @strawberry.field(description="When the person joined.")
    def date_joined(self, root: strawberry.Parent[UserModel]) -> datetime:
        return root.date_joined

    @strawberry.field(description="The path of the person's profile page.")
    def url(self, root: strawberry.Parent[UserModel]) -> str:
        return root.get_absolute_url()

    @classmethod
    def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        def get_many(pks: list[int]) -> dict[int, UserModel]:
            return {u.pk: u for u in UserModel.objects.filter(pk__in=pks, is_active=True)}

        return nodes_by_ids(node_ids, get_many, required)


@strawberry.type(
    description="Who is asking: the signed-in person (or nobody) and what they may do."
)
class Viewer:
    @strawberry.field(description="The signed-in person, or null for an anonymous visitor.")
    def user(self, info: Info) -> UserType | None:
        user = viewer(info)
        return user if user.is_authenticated else None

    @strawberry.field(description="Whether anyone is signed in.")
    def is_authenticated(self, info: Info) -> bool:
        return viewer(info).is_authenticated

    @strawberry.field(description="Whether the viewer has a mentor's powers (mentor or admin).")
    def is_mentor(self, info: Info) -> bool:
        user = viewer(info)
        return bool(user.is_authenticated and user.is_mentor)

    @strawberry.field(
        description="Whether the viewer may post now (signed in, active, not suspended)."
    )
    def can_write(self, info: Info) -> bool:
        return can_write(viewer(info))


@strawberry.type
class Query:
    @strawberry.field(description="Who is asking, and what they may do.")
    def viewer(self) -> Viewer:
        return Viewer()
