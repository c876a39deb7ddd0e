"""The schema documents itself, and its committed SDL (docs/api/schema.graphql) is what
the code serves: a change shows up here, told as breaking or safe."""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
)

from hub.graphql import schema
from hub.management.commands.graphql_schema import (
    SCHEMA_FILE,
    current_sdl,
    report,
    schema_changes,
)

BUILT_IN = {"String", "Int", "Boolean", "ID", "Float"}


def test_every_type_field_and_argument_is_described():
    missing = []
    for name, type_ in schema._schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        if not type_.description:
            missing.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(type_, GraphQLEnumType):
            assert type_.values, name
    assert missing == []


def test_committed_schema_is_current():
    committed = SCHEMA_FILE.read_text()
    current = current_sdl()
    assert committed == current, report(committed, current)


def test_changes_are_told_breaking_or_safe():
    old = "type Query { a: Int, b: String }"
    breaking, _ = schema_changes(old, "type Query { a: Int }")
    assert breaking == ["FIELD_REMOVED: Field Query.b was removed."]
    breaking, other = schema_changes(old, "type Query { a: Int, b: String, c: Int }")
    assert breaking == [] and other == ["SAFE: only additions or descriptions changed"]
    assert "BREAKING FIELD_REMOVED" in report(old, "type Query { a: Int }")
