"""schemathesis hooks for make test-graphql-fuzz (scripts/graphql_fuzz.sh).

- `ID` arguments are drawn mostly from the demo data's real global ids (the file named by
  GRAPHQL_FUZZ_IDS), else any text: random ids alone would stop every mutation at its
  "no such thing" answer, before the service runs.
- A check that no GraphQL error leaks what is behind it. Only the `errors` of a response
  are scanned: the data may quote SQL or settings on purpose (the guide's articles teach
  them).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

_ids_file = os.environ.get("GRAPHQL_FUZZ_IDS")
REAL_IDS = Path(_ids_file).read_text().split() if _ids_file else []
if REAL_IDS:
    schemathesis.graphql.scalar(
        "ID",
        st.one_of(st.sampled_from(REAL_IDS), st.sampled_from(REAL_IDS), st.text(max_size=20)).map(
            nodes.String
        ),
    )

LEAK = re.compile(
    r"Traceback|File \"|site-packages|psycopg|sqlite3?\b|django\.db|IntegrityError|"
    r"OperationalError|ProgrammingError|\bSELECT\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|"
    r"SECRET_KEY|DATABASE_URL|REDIS_URL|CELERY_BROKER_URL|/work/|/app/",
)


@schemathesis.check
def no_leak_in_errors(ctx, response, case):
    """No traceback, SQL or setting in any error message or its extensions."""
    try:
        payload = response.json()
    except ValueError:
        return None
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not errors:
        return None
    text = json.dumps(errors)
    found = LEAK.search(text)
    if found:
        raise AssertionError(f"An error leaks {found.group(0)!r}: {text[:500]}")
    return None
