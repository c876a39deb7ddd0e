"""Prints the schemathesis.toml of `make test-api-fuzz` (run by scripts/api_fuzz.sh with
`manage.py shell`, on its throwaway database after seed_demo).

- Fail on a "schema validation mismatch": an operation whose schema-valid generated bodies
  were all refused with a 400 means the schema promises more than the API accepts.
- Hand the fuzzer the demo data's slugs for body fields that must name something that
  exists (`category`, `guide`): a schema cannot list rows.
- Hand it moments in the future for `until` (a suspension must end after now: a
  generated date-time mostly lies in the past).
- Operations whose refusals depend on the state of the data, not on the body's shape,
  are named below with why; they still run every check, but show no warnings (this
  schemathesis applies `fail-on` for the whole run only, so the warnings are turned off
  for them alone: `warnings = false`).
"""

import json
from datetime import timedelta

from django.utils import timezone

from discussions.models import Category
from guides.models import Guide

STATEFUL = {
    # Reverting to the revision a section already shows is "Nothing changed" (400 on `body`,
    # as on the page); the fuzzer cannot know which revision is current.
    "POST /api/v1/guide-sections/{id}/revert": "revert to the current revision",
    # An empty or unchanged edit is "Nothing changed", as on the page.
    "PATCH /api/v1/guide-sections/{id}": "an edit that changes nothing",
    # The body names a `section` (an id) or a `guide` (a slug) that must exist: generated
    # ones mostly name nothing (a 400 on the field) even with the `guides` dictionary, and
    # a learner's schema-valid body is judged before the mentors-only refusal. Both showed
    # once the request examples (@request_example) changed the generated cases.
    "POST /api/v1/answers/{id}/promote": "a section or guide that does not exist",
    # `original` must be another visible question, not yet closed: generated ids mostly
    # name none (a 400 on the field), as `body.section` above.
    "PUT /api/v1/questions/{id}/duplicate": "an original question that does not exist",
}


def slugs(rows) -> str:
    return json.dumps(sorted(rows.values_list("slug", flat=True)))


future = [
    (timezone.now() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ") for days in (1, 7, 30)
]
lines = [
    "[warnings]",
    'fail-on = ["validation_mismatch"]',
    "",
    "[dictionaries.categories]",
    f"values = {slugs(Category.objects.all())}",
    "",
    "[dictionaries.guides]",
    f"values = {slugs(Guide.objects.all())}",
    "",
    "[dictionaries.future]",
    f"values = {json.dumps(future)}",
    "",
    "[parameters]",
    '"body.category" = { dictionary = "categories", probability = 0.8 }',
    '"body.guide" = { dictionary = "guides", probability = 0.8 }',
    '"body.until" = { dictionary = "future", probability = 0.8 }',
]
# Not fuzzed: the run's own token may revoke itself (its id is 1 or 2, ids a fuzzer tries
# first), leaving the rest of the run at 401. accounts/tests/test_api_tokens.py covers it.
lines += ["", "[[operations]]", 'include-name = "POST /api/v1/me/tokens/{id}/revoke"',
          "enabled = false"]  # fmt: skip
for label, why in STATEFUL.items():
    lines += ["", f"# {why}", "[[operations]]", f"include-name = {json.dumps(label)}",
              "warnings = false"]  # fmt: skip
print("\n".join(lines))
