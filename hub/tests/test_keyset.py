"""hub.keyset: the one cursor format (issue 12: three copies encoded it)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.keyset import cursor_decode, cursor_encode


def test_a_datetime_cursor_round_trips():
    when = datetime(2026, 12, 2, 11, 40, 5, 123456, tzinfo=UTC)
    cursor = cursor_encode(when, 42)
    assert "=" not in cursor and "/" not in cursor and "+" not in cursor
    assert cursor_decode(cursor) == (when, 42)


def test_an_integer_cursor_round_trips():
    assert cursor_decode(cursor_encode(-3, 7), parse=int) == (-3, 7)


@pytest.mark.parametrize(
    "cursor",
    ["", "!!!", "bm90IGpzb24", cursor_encode("not a date", 1), "WzEsMiwzXQ", "W251bGwsMV0"],
)
def test_a_cursor_that_does_not_parse_is_none(cursor):
    assert cursor_decode(cursor) is None


def test_an_integer_sort_refuses_a_date_cursor():
    assert cursor_decode(cursor_encode(datetime.now(UTC), 1), parse=int) is None


def test_every_list_speaks_the_one_format():
    """The page selectors', the REST API's and GraphQL's cursors are hub.keyset's."""
    from discussions import selectors as discussions
    from hub.api import base
    from notifications import graphql as notification_graphql
    from projects import selectors as projects

    for module in (discussions, projects, base, notification_graphql):
        source = Path(module.__file__).read_text(encoding="utf-8")
        assert "urlsafe_b64encode" not in source, f"{module.__name__} encodes cursors itself"
